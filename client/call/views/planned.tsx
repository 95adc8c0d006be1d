/** The booked length and end time, in the viewer's zone (the browser tests read its data attributes). */
import type { Labeler } from '../labels';
import type { CallTimes } from '../times';

export function Planned({
  L,
  t,
  endsAt,
  duration,
  clockTime,
}: {
  L: Labeler;
  t: CallTimes;
  endsAt: string;
  duration: string;
  clockTime: (ms: number) => string;
}) {
  return (
    <p class="planned" data-duration-minutes={Math.round((t.ends - t.starts) / 60_000)} data-ends-at={endsAt}>
      {L('planned', { duration, end: clockTime(t.ends) })}
    </p>
  );
}
