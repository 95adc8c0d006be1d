/**
 * The admin overview: paid bookings, revenue and platform fees per currency over time (last 30
 * days by day, or last 12 weeks by week, in the admin's zone), calls completed, failed emails and
 * failed job runs in the last 24 h, open disputes, payouts awaiting approval, accounts by role.
 * One round trip (db.batch) of aggregate queries; the bucketing by local day happens here from
 * 15-minute UTC slots, so any zone (half-hour offsets included) gets exact day boundaries.
 */
import { and, count, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import {
  bookings,
  cronRuns,
  CURRENCIES,
  disputes,
  emailLog,
  payments,
  payouts,
  users,
  type Currency,
  type Role,
} from '../../db/schema';
import { one } from '../../db/one';
import type { Deps } from '../../deps';
import { HOUR } from '../../lib/clock';
import { bucketStart } from '../payouts/earnings';

export type OverviewPeriod = 'day' | 'week';
export const OVERVIEW_BUCKETS: Record<OverviewPeriod, number> = { day: 30, week: 12 };
/** Payments that took money (whatever happened after). */
export const CAPTURED = ['SUCCEEDED', 'PARTIALLY_REFUNDED', 'REFUNDED', 'DISPUTED'] as const;
export const OPEN_DISPUTES = [
  'WARNING_NEEDS_RESPONSE',
  'WARNING_UNDER_REVIEW',
  'NEEDS_RESPONSE',
  'UNDER_REVIEW',
] as const;
const SLOT_MS = 15 * 60_000;

export interface CurrencySeries {
  currency: Currency;
  /** One value per bucket, oldest first. */
  bookings: number[];
  revenue: number[];
  fees: number[];
  totals: { bookings: number; revenue: number; fees: number; refunded: number };
}

export interface Overview {
  period: OverviewPeriod;
  from: Date;
  /** Start of each bucket (UTC instant of the local midnight), oldest first. */
  buckets: Date[];
  series: CurrencySeries[];
  callsCompleted: number;
  failedEmails24h: number;
  failedJobs24h: number;
  openDisputes: number;
  payoutsAwaiting: { count: number; byCurrency: { currency: Currency; count: number; amount: number }[] };
  usersByRole: Record<Role, number>;
}

export async function adminOverview(
  deps: Pick<Deps, 'db' | 'clock'>,
  period: OverviewPeriod,
  tz: string,
): Promise<Overview> {
  const now = deps.clock.now();
  const n = OVERVIEW_BUCKETS[period];
  // n buckets, the last one holding now: their starts, and where the last one ends.
  const starts = Array.from({ length: n }, (_, i) => bucketStart(now, period, tz, i - n + 1));
  const from = bucketStart(now, period, tz, 1 - n);
  const until = bucketStart(now, period, tz, 1);
  const dayAgo = new Date(now.getTime() - 24 * HOUR);
  const slot = sql<number>`${payments.createdAt} / ${SLOT_MS}`;
  const [money, completed, failedEmails, failedJobs, openDisputes, awaiting, roles] = await deps.db.batch([
    deps.db
      .select({
        currency: payments.currency,
        slot,
        n: count(),
        amount: sql<number>`sum(${payments.amount})`,
        fee: sql<number>`sum(${payments.platformFee})`,
        refunded: sql<number>`sum(${payments.refundedAmount})`,
      })
      .from(payments)
      .where(and(inArray(payments.status, [...CAPTURED]), gte(payments.createdAt, from), lt(payments.createdAt, until)))
      .groupBy(payments.currency, slot),
    deps.db
      .select({ n: count() })
      .from(bookings)
      .where(and(eq(bookings.status, 'COMPLETED'), gte(bookings.endsAt, from), lt(bookings.endsAt, now))),
    deps.db
      .select({ n: count() })
      .from(emailLog)
      .where(and(inArray(emailLog.status, ['FAILED', 'DEAD']), gte(emailLog.updatedAt, dayAgo))),
    deps.db
      .select({ n: count() })
      .from(cronRuns)
      .where(and(eq(cronRuns.status, 'ERROR'), gte(cronRuns.startedAt, dayAgo))),
    deps.db
      .select({ n: count() })
      .from(disputes)
      .where(inArray(disputes.status, [...OPEN_DISPUTES])),
    deps.db
      .select({ currency: payouts.currency, n: count(), amount: sql<number>`sum(${payouts.amount})` })
      .from(payouts)
      .where(eq(payouts.status, 'REQUESTED'))
      .groupBy(payouts.currency),
    deps.db.select({ role: users.role, n: count() }).from(users).groupBy(users.role),
  ]);

  const byCurrency = new Map<Currency, CurrencySeries>();
  const seriesOf = (currency: Currency) => {
    let s = byCurrency.get(currency);
    if (!s) {
      s = {
        currency,
        bookings: Array(n).fill(0),
        revenue: Array(n).fill(0),
        fees: Array(n).fill(0),
        totals: { bookings: 0, revenue: 0, fees: 0, refunded: 0 },
      };
      byCurrency.set(currency, s);
    }
    return s;
  };
  for (const r of money) {
    const at = Number(r.slot) * SLOT_MS;
    // The last bucket started by then (the query keeps `at` within [from, until), so there is one).
    const started = starts.findLastIndex((start) => start.getTime() <= at);
    const i = Math.max(started, 0);
    const s = seriesOf(r.currency);
    s.bookings[i] = (s.bookings[i] ?? 0) + r.n;
    s.revenue[i] = (s.revenue[i] ?? 0) + Number(r.amount);
    s.fees[i] = (s.fees[i] ?? 0) + Number(r.fee);
    s.totals.bookings += r.n;
    s.totals.revenue += Number(r.amount);
    s.totals.fees += Number(r.fee);
    s.totals.refunded += Number(r.refunded);
  }
  const usersByRole = { USER: 0, CREATOR: 0, ADMIN: 0 } as Record<Role, number>;
  for (const r of roles) usersByRole[r.role] = r.n;
  return {
    period,
    from,
    buckets: starts,
    series: [...byCurrency.values()].sort((a, b) => CURRENCIES.indexOf(a.currency) - CURRENCIES.indexOf(b.currency)),
    callsCompleted: one(completed, 'the completed calls count').n,
    failedEmails24h: one(failedEmails, 'the failed emails count').n,
    failedJobs24h: one(failedJobs, 'the failed jobs count').n,
    openDisputes: one(openDisputes, 'the open disputes count').n,
    payoutsAwaiting: {
      count: awaiting.reduce((s, r) => s + r.n, 0),
      byCurrency: awaiting.map((r) => ({ currency: r.currency, count: r.n, amount: Number(r.amount) })),
    },
    usersByRole,
  };
}
