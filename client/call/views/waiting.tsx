/** Phase 1, more than 15 minutes before: countdown to access, details, tips. */
import type { ComponentChildren } from 'preact';
import type { Labeler } from '../labels';
import { Countdown } from './countdown';
import { Tips } from './tips';

export function WaitingView({
  L,
  opensIn,
  startsAt,
  locale,
  planned,
}: {
  L: Labeler;
  /** Seconds until the pre-call opens. */
  opensIn: number;
  /** The start, formatted as a clock time in the viewer's zone. */
  startsAt: string;
  locale: string;
  planned: ComponentChildren;
}) {
  return (
    <section class="card call-waiting">
      <h2>{L('waiting.heading')}</h2>
      <p class="big">
        {L('waiting.opensIn')} <Countdown seconds={opensIn} locale={locale} />
      </p>
      <p>{L('waiting.startsAt', { time: startsAt })}</p>
      {planned}
      <Tips L={L} />
    </section>
  );
}
