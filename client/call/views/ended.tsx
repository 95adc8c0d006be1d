/** Phase 4: why the call ended, and the way to the summary (the page also moves there by itself). */
import type { EndReason } from '../../lib/call-connection';
import type { Labeler } from '../labels';

export function EndedView({
  L,
  endReason,
  endedAt,
  summaryUrl,
}: {
  L: Labeler;
  endReason: EndReason | null;
  endedAt: number | null;
  summaryUrl: string;
}) {
  return (
    <section
      class="card call-ended"
      data-end-reason={endReason ?? ''}
      data-ended-at={endedAt === null ? '' : new Date(endedAt).toISOString()}
    >
      <h2>{L('ended.heading')}</h2>
      {endReason === 'time-up' ? (
        <p>{L('ended.timeUp')}</p>
      ) : endReason === 'closed' ? (
        <p>{L('ended.closed')}</p>
      ) : null}
      <a class="button" href={summaryUrl}>
        {L('ended.toSummary')}
      </a>
    </section>
  );
}
