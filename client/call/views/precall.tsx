/** Phase 2, from 15 minutes before: the media check, then "Join". */
import type { ComponentChildren } from 'preact';
import { formatClock } from '../../../src/shared/clock';
import type { Labeler } from '../labels';
import type { LocalMedia } from '../use-local-media';
import { MediaCheck } from './media-check';
import { Tips } from './tips';

export function PrecallView({
  L,
  media,
  level,
  startsIn,
  peerName,
  planned,
  error,
  joining,
  onJoin,
}: {
  L: Labeler;
  media: LocalMedia;
  level: number;
  /** Seconds until the booked start (negative once started). */
  startsIn: number;
  peerName: string;
  planned: ComponentChildren;
  error: string | null;
  joining: boolean;
  onJoin: () => void;
}) {
  return (
    <section class="call-precall grid two">
      <MediaCheck L={L} media={media} level={level} />
      <div class="card">
        <p class="big">
          {startsIn > 0
            ? L('precall.startsIn', { time: formatClock(startsIn) })
            : L('precall.started', { name: peerName })}
        </p>
        {planned}
        {error ? (
          <p class="notice error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="button" class="button block" data-action="join" disabled={joining} onClick={onJoin}>
          {joining ? L('precall.joining') : L('precall.join')}
        </button>
        <Tips L={L} />
      </div>
    </section>
  );
}
