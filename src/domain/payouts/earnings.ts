/**
 * A creator's money over time: lifetime totals per currency (earned, paid out, in transit, pending,
 * available, debt) and earnings for the chart — their share of each charge, net of refunds and
 * dispute debt — bucketed by day / week (Monday) / month in the creator's time zone.
 */
import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import { ledgerEntries, payouts, type Currency } from '../../db/schema';
import type { Deps } from '../../deps';
import { localParts, zonedToUtc } from '../../lib/tz';
import { creatorAccount, creatorBalances } from '../ledger/ledger';

export type EarningsPeriod = 'day' | 'week' | 'month';
export const BUCKETS: Record<EarningsPeriod, number> = { day: 30, week: 12, month: 12 };
const EARNING_KINDS = ['CREATOR_SHARE', 'SHARE_REVERSAL', 'REFUND_FAILED', 'DEBT', 'DEBT_REVERSAL', 'DEBT_SETTLED'];

export interface FinanceSummary {
  currency: Currency;
  /** Everything earned so far: shares, net of refunds and dispute debt (given back when won or settled). */
  earned: number;
  /** Payouts that reached the bank. */
  paidOut: number;
  /** Payouts requested, approved or on their way. */
  inTransit: number;
  /** Shares not released yet (call outcome + holding period). */
  pending: number;
  available: number;
  debt: number;
}

/** Lifetime totals per currency (earned − paid out − in transit = pending + available − debt). */
export async function financeSummary(deps: Pick<Deps, 'db'>, creatorId: string, now: Date): Promise<FinanceSummary[]> {
  const [earned, out, balances] = await Promise.all([
    deps.db
      .select({ currency: ledgerEntries.currency, sum: sql<number>`sum(${ledgerEntries.amount})` })
      .from(ledgerEntries)
      .where(and(eq(ledgerEntries.account, creatorAccount(creatorId)), inArray(ledgerEntries.kind, EARNING_KINDS)))
      .groupBy(ledgerEntries.currency)
      .all(),
    deps.db
      .select({ currency: payouts.currency, status: payouts.status, sum: sql<number>`sum(${payouts.amount})` })
      .from(payouts)
      .where(
        and(eq(payouts.creatorId, creatorId), inArray(payouts.status, ['REQUESTED', 'APPROVED', 'PROCESSING', 'PAID'])),
      )
      .groupBy(payouts.currency, payouts.status)
      .all(),
    creatorBalances(deps, creatorId, now),
  ]);
  const currencies = [
    ...new Set([...earned.map((e) => e.currency), ...out.map((o) => o.currency), ...balances.map((b) => b.currency)]),
  ];
  return currencies.map((currency) => {
    const b = balances.find((x) => x.currency === currency);
    const payoutsIn = out.filter((o) => o.currency === currency);
    return {
      currency,
      earned: earned.find((e) => e.currency === currency)?.sum ?? 0,
      paidOut: payoutsIn.filter((o) => o.status === 'PAID').reduce((s, o) => s + o.sum, 0),
      inTransit: payoutsIn.filter((o) => o.status !== 'PAID').reduce((s, o) => s + o.sum, 0),
      pending: b?.pending ?? 0,
      available: b?.available ?? 0,
      debt: b?.debt ?? 0,
    };
  });
}

export interface Bucket {
  start: Date;
  amount: number;
}

/** Start (UTC instant of local midnight) of the bucket containing `at`, and of the `offset`-th one after it. */
export function bucketStart(at: Date, period: EarningsPeriod, tz: string, offset = 0): Date {
  const p = localParts(at, tz);
  if (period === 'month') {
    const d = new Date(Date.UTC(p.year, p.month - 1 + offset, 1));
    return zonedToUtc(d.getUTCFullYear(), d.getUTCMonth() + 1, 1, 0, 0, tz);
  }
  const back = period === 'week' ? (p.weekday + 6) % 7 : 0; // weeks start on Monday
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day - back + offset * (period === 'week' ? 7 : 1)));
  return zonedToUtc(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), 0, 0, tz);
}

/** Pure: `entries` into the last `BUCKETS[period]` buckets ending with the one containing `now`. */
export function bucketize(
  entries: { at: Date; amount: number }[],
  period: EarningsPeriod,
  tz: string,
  now: Date,
): Bucket[] {
  const n = BUCKETS[period];
  const spans = Array.from({ length: n }, (_, i) => ({
    start: bucketStart(now, period, tz, i - n + 1),
    end: bucketStart(now, period, tz, i - n + 2).getTime(),
    amount: 0,
  }));
  for (const e of entries) {
    const t = e.at.getTime();
    const span = spans.find((s) => t >= s.start.getTime() && t < s.end);
    if (span) span.amount += e.amount;
  }
  return spans.map(({ start, amount }) => ({ start, amount }));
}

export async function earnings(
  deps: Deps,
  creatorId: string,
  currency: Currency,
  period: EarningsPeriod,
  tz: string,
): Promise<Bucket[]> {
  const now = deps.clock.now();
  const from = bucketStart(now, period, tz, -BUCKETS[period] + 1);
  const rows = await deps.db
    .select({ at: ledgerEntries.createdAt, amount: ledgerEntries.amount })
    .from(ledgerEntries)
    .where(
      and(
        eq(ledgerEntries.account, creatorAccount(creatorId)),
        eq(ledgerEntries.currency, currency),
        inArray(ledgerEntries.kind, EARNING_KINDS),
        gte(ledgerEntries.createdAt, from),
      ),
    )
    .all();
  return bucketize(rows, period, tz, now);
}
