/**
 * The call page, the same for fan and creator, in four phases:
 * 1. waiting — more than 15 minutes before: countdown to access, details, tips; moves on by itself;
 * 2. pre-call — camera preview, microphone level, device pickers, clear messages; "Join";
 * 3. in call — remote and local video, camera/mic toggles, hang up, elapsed/remaining timer, a
 *    warning 2 minutes before the end, and the end at the booked time (both sides);
 * 4. summary — the page moves to /call/:id/summary.
 * With ?debug=1 the page shows its event stream and what the server recorded.
 * The hooks and phase views live in client/call/; this file wires them together.
 */
import type { CallIslandProps } from '../../src/shared/calls';
import { labeler } from '../call/labels';
import { callTimes } from '../call/times';
import { useCallLog } from '../call/use-call-log';
import { useCallSession } from '../call/use-call-session';
import { useLocalMedia } from '../call/use-local-media';
import { useMicLevel } from '../call/use-mic-level';
import { usePhase } from '../call/use-phase';
import { usePhaseTimeline } from '../call/use-phase-timeline';
import { useServerClock } from '../call/use-server-clock';
import { useServerEvents } from '../call/use-server-events';
import { DebugPanel } from '../call/views/debug-panel';
import { EndedView } from '../call/views/ended';
import { IncallView } from '../call/views/incall';
import { Planned } from '../call/views/planned';
import { PrecallView } from '../call/views/precall';
import { WaitingView } from '../call/views/waiting';
import { mount } from '../lib/islands';

function CallApp(p: CallIslandProps) {
  const L = labeler(p.labels);
  const t = callTimes(p);
  const clock = useServerClock(p.serverNow);
  const { now } = clock;
  const phase = usePhase(p.phase);
  const events = useCallLog(p.bookingId, p.debug, clock.read);
  const media = useLocalMedia(phase.phase, events.log);
  const mic = useMicLevel(media.stream, phase.phase);
  const session = useCallSession({ p, L, t, clock, phase, media, mic, events });
  usePhaseTimeline(now, t, phase, session.finish);
  const serverEvents = useServerEvents(p.bookingId, p.debug);

  const remaining = Math.max(0, (t.ends - now) / 1000);
  const elapsed = Math.max(0, (now - Math.max(t.starts, session.joinedAt ?? t.starts)) / 1000);
  const clockTime = (ms: number) =>
    new Intl.DateTimeFormat(p.locale, { hour: '2-digit', minute: '2-digit', timeZone: p.timezone }).format(ms);
  const planned = <Planned L={L} t={t} endsAt={p.endsAt} duration={p.duration} clockTime={clockTime} />;

  return (
    <div class={`call-app phase-${phase.phase}`} data-phase={phase.phase}>
      <header class="call-head">
        <h1>{p.title}</h1>
        <p class="muted">
          {L('with', { name: p.peerName })} ·{' '}
          <time datetime={p.startsAt}>
            {new Intl.DateTimeFormat(p.locale, { dateStyle: 'full', timeStyle: 'short', timeZone: p.timezone }).format(
              t.starts,
            )}
          </time>
        </p>
      </header>

      {phase.phase === 'waiting' ? (
        <WaitingView
          L={L}
          opensIn={(t.opens - now) / 1000}
          startsAt={clockTime(t.starts)}
          locale={p.locale}
          planned={planned}
        />
      ) : null}

      {phase.phase === 'precall' ? (
        <PrecallView
          L={L}
          media={media}
          level={mic.level}
          startsIn={(t.starts - now) / 1000}
          peerName={p.peerName}
          planned={planned}
          error={session.error}
          joining={session.joining}
          onJoin={() => void session.join()}
        />
      ) : null}

      {phase.phase === 'incall' ? (
        <IncallView
          L={L}
          session={session}
          local={media.stream}
          elapsed={elapsed}
          remaining={remaining}
          peerName={p.peerName}
        />
      ) : null}

      {phase.phase === 'ended' ? (
        <EndedView L={L} endReason={session.endReason} endedAt={session.endedAt} summaryUrl={p.summaryUrl} />
      ) : null}

      {p.debug ? <DebugPanel L={L} lines={events.lines} serverEvents={serverEvents} /> : null}
    </div>
  );
}

mount('call', CallApp);
