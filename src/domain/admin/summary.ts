/** The daily admin summary: the last 24 hours in numbers, emailed to every admin (once per day). */
import { and, count, eq, gte, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import { bookings, cronRuns, disputes, emailLog, logs, payments, payouts, refunds } from '../../db/schema';
import type { Deps } from '../../deps';
import { DAY } from '../../lib/clock';
import { tellAdmins } from '../notifications/tell';

export async function dailySummary(deps: Deps, tick: Date) {
  const to = tick;
  const from = new Date(tick.getTime() - DAY);
  const within = (col: Parameters<typeof gte>[0]) => and(gte(col, from), lt(col, to));
  const n = async (q: Promise<{ n: number }[]>) => (await q)[0]?.n ?? 0;
  const [
    confirmed,
    completed,
    noShows,
    cancelled,
    revenue,
    refunded,
    openDisputes,
    awaiting,
    failedPayouts,
    failedEmails,
    cronErrors,
    errors,
  ] = await Promise.all([
    n(deps.db.select({ n: count() }).from(bookings).where(within(bookings.confirmedAt))),
    n(
      deps.db
        .select({ n: count() })
        .from(bookings)
        .where(and(eq(bookings.outcome, 'COMPLETED'), within(bookings.outcomeDecidedAt))),
    ),
    n(
      deps.db
        .select({ n: count() })
        .from(bookings)
        .where(
          and(
            inArray(bookings.outcome, ['CREATOR_NO_SHOW', 'FAN_NO_SHOW', 'BOTH_NO_SHOW']),
            within(bookings.outcomeDecidedAt),
          ),
        ),
    ),
    n(
      deps.db
        .select({ n: count() })
        .from(bookings)
        .where(and(isNotNull(bookings.cancelledAt), within(bookings.cancelledAt))),
    ),
    deps.db
      .select({
        currency: payments.currency,
        amount: sql<number>`sum(${payments.amount})`,
        fees: sql<number>`sum(${payments.platformFee})`,
      })
      .from(payments)
      .where(
        and(
          inArray(payments.status, ['SUCCEEDED', 'PARTIALLY_REFUNDED', 'REFUNDED', 'DISPUTED']),
          within(payments.createdAt),
        ),
      )
      .groupBy(payments.currency)
      .all(),
    n(deps.db.select({ n: count() }).from(refunds).where(within(refunds.createdAt))),
    n(
      deps.db
        .select({ n: count() })
        .from(disputes)
        .where(
          inArray(disputes.status, [
            'NEEDS_RESPONSE',
            'UNDER_REVIEW',
            'WARNING_NEEDS_RESPONSE',
            'WARNING_UNDER_REVIEW',
          ]),
        ),
    ),
    n(deps.db.select({ n: count() }).from(payouts).where(eq(payouts.status, 'REQUESTED'))),
    n(
      deps.db
        .select({ n: count() })
        .from(payouts)
        .where(and(eq(payouts.status, 'FAILED'), within(payouts.failedAt))),
    ),
    n(
      deps.db
        .select({ n: count() })
        .from(emailLog)
        .where(and(inArray(emailLog.status, ['FAILED', 'DEAD']), within(emailLog.updatedAt))),
    ),
    n(
      deps.db
        .select({ n: count() })
        .from(cronRuns)
        .where(and(eq(cronRuns.status, 'ERROR'), within(cronRuns.startedAt))),
    ),
    n(
      deps.db
        .select({ n: count() })
        .from(logs)
        .where(and(inArray(logs.level, ['ERROR', 'CRITICAL']), within(logs.createdAt))),
    ),
  ]);
  return {
    day: from.toISOString().slice(0, 10),
    bookings: confirmed,
    callsCompleted: completed,
    noShows,
    cancellations: cancelled,
    revenue: revenue.map((r) => ({ currency: r.currency, amount: r.amount, fees: r.fees })),
    refunds: refunded,
    disputesOpen: openDisputes,
    payoutsAwaiting: awaiting,
    payoutsFailed: failedPayouts,
    emailsFailed: failedEmails,
    cronErrors,
    errors,
  };
}

/**
 * The cron sends the day's summary once (key `summary:<day>`: a redelivered tick sends nothing
 * more). An admin's "run now" is explicit: it sends a fresh copy under its own key. `emails` counts
 * the emails queued by this run (0 when the day's summary had already gone).
 */
export async function sendDailySummary(
  deps: Deps,
  tick: Date,
  opts: { manual?: boolean } = {},
): Promise<Record<string, number>> {
  const s = await dailySummary(deps, tick);
  const key = opts.manual ? `summary:${s.day}:manual:${deps.clock.now().getTime()}` : `summary:${s.day}`;
  const told = await tellAdmins(deps, {
    email: {
      template: 'admin_daily_summary',
      key,
      data: (u) => ({ ...s, url: `${deps.config.appUrl}/${u.locale}/admin` }),
    },
  });
  const emails = told.filter((x) => x.email && !x.email.duplicate).length;
  return {
    emails,
    alreadySent: told.filter((x) => x.email?.duplicate).length,
    bookings: s.bookings,
    callsCompleted: s.callsCompleted,
    errors: s.errors,
  };
}
