/** Phase 3: both videos, the timer with its end-of-call warning, and the controls. */
import { formatClock } from '../../../src/shared/clock';
import type { Labeler } from '../labels';
import type { CallSession } from '../use-call-session';
import { CallControls } from './call-controls';
import { RemoteView } from './remote-view';
import { Video } from './video';

/** The warning shows from this many seconds before the booked end. */
const WARN_BEFORE_END_S = 120;

export function IncallView({
  L,
  session,
  local,
  elapsed,
  remaining,
  peerName,
}: {
  L: Labeler;
  session: CallSession;
  local: MediaStream | null;
  elapsed: number;
  remaining: number;
  peerName: string;
}) {
  return (
    <section class="call-stage" aria-live="polite">
      <div class="call-timer">
        <span>
          {L('incall.elapsed')} <strong data-elapsed={Math.floor(elapsed)}>{formatClock(elapsed)}</strong>
        </span>
        <span>
          {L('incall.remaining')} <strong data-remaining={Math.floor(remaining)}>{formatClock(remaining)}</strong>
        </span>
      </div>
      {remaining <= WARN_BEFORE_END_S ? (
        <p class="notice warning" role="alert" data-warning>
          {L('incall.warning')}
        </p>
      ) : null}
      {session.reconnecting ? (
        <p class="notice warning" role="status">
          {L('incall.reconnecting')}
        </p>
      ) : null}
      {session.error ? (
        <p class="notice error" role="alert">
          {session.error}
        </p>
      ) : null}
      <div class="videos">
        <RemoteView
          L={L}
          remote={session.remote}
          peer={session.peer}
          peerMedia={session.peerMedia}
          peerName={peerName}
        />
        <div class="self">
          <Video id="local-video" stream={local} muted label={L('incall.you')} />
        </div>
      </div>
      <CallControls L={L} sending={session.sending} onToggle={session.toggle} onHangup={session.hangup} />
    </section>
  );
}
