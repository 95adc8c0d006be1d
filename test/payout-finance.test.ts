/**
 * Creator finance pages: lifetime totals per currency (earned, paid out, in transit, pending,
 * available, debt), the earnings chart per currency with a currency switch, and the chart's
 * day / week / month bucketing in the creator's zone (DST, month ends) against literal instants.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { creators, disputes, ledgerEntries, payments } from '../src/db/schema';
import type { Deps } from '../src/deps';
import { openPayout } from '../src/domain/payouts/engine';
import { bucketize, bucketStart, financeSummary } from '../src/domain/payouts/earnings';
import { MINUTE } from '../src/lib/clock';
import { deps, getPage } from './helpers';
import { creatorRow, earn, payoutRow } from './payout-helpers';
import { onboardedCreator } from './scenarios';

const at = (iso: string) => new Date(iso);
const iso = (d: Date) => d.toISOString();

describe("chart buckets (literal instants in the creator's zone)", () => {
  it('day: local midnights, a 23-hour day when Paris moves to summer time and a 25-hour day when New York moves back', () => {
    // 29 March 2026: Paris goes from UTC+1 to UTC+2 at 01:00 UTC.
    expect(iso(bucketStart(at('2026-03-29T12:00:00Z'), 'day', 'Europe/Paris'))).toBe('2026-03-28T23:00:00.000Z');
    expect(iso(bucketStart(at('2026-03-29T12:00:00Z'), 'day', 'Europe/Paris', 1))).toBe('2026-03-29T22:00:00.000Z');
    expect(iso(bucketStart(at('2026-03-29T22:30:00Z'), 'day', 'Europe/Paris'))).toBe('2026-03-29T22:00:00.000Z'); // already 30 March there
    // 1 November 2026: New York goes from UTC−4 to UTC−5 at 06:00 UTC.
    expect(iso(bucketStart(at('2026-11-01T12:00:00Z'), 'day', 'America/New_York'))).toBe('2026-11-01T04:00:00.000Z');
    expect(iso(bucketStart(at('2026-11-01T12:00:00Z'), 'day', 'America/New_York', 1))).toBe('2026-11-02T05:00:00.000Z');
    expect(iso(bucketStart(at('2026-11-01T03:59:00Z'), 'day', 'America/New_York'))).toBe('2026-10-31T04:00:00.000Z'); // still 31 October there
  });

  it('week: Monday 00:00 local, Sundays belong to the week before, across the change of time', () => {
    // Sunday 29 March 2026 → Monday 23 March (UTC+1); the next week starts Monday 30 March (UTC+2).
    expect(iso(bucketStart(at('2026-03-29T12:00:00Z'), 'week', 'Europe/Paris'))).toBe('2026-03-22T23:00:00.000Z');
    expect(iso(bucketStart(at('2026-03-29T12:00:00Z'), 'week', 'Europe/Paris', 1))).toBe('2026-03-29T22:00:00.000Z');
    // Monday 30 March 00:30 Paris is already the new week.
    expect(iso(bucketStart(at('2026-03-29T22:30:00Z'), 'week', 'Europe/Paris'))).toBe('2026-03-29T22:00:00.000Z');
    // A week across a month and a year end: Thursday 1 January 2026 → Monday 29 December 2025.
    expect(iso(bucketStart(at('2026-01-01T10:00:00Z'), 'week', 'Europe/Paris'))).toBe('2025-12-28T23:00:00.000Z');
  });

  it('month: the first at local midnight, month ends, February in leap and common years', () => {
    expect(iso(bucketStart(at('2026-03-31T21:59:59Z'), 'month', 'Europe/Paris'))).toBe('2026-02-28T23:00:00.000Z'); // 31 March 23:59:59 there
    expect(iso(bucketStart(at('2026-03-31T22:00:00Z'), 'month', 'Europe/Paris'))).toBe('2026-03-31T22:00:00.000Z'); // 1 April 00:00 there
    expect(iso(bucketStart(at('2026-01-31T12:00:00Z'), 'month', 'Europe/Paris', 1))).toBe('2026-01-31T23:00:00.000Z'); // 1 February
    expect(iso(bucketStart(at('2026-01-31T12:00:00Z'), 'month', 'Europe/Paris', 2))).toBe('2026-02-28T23:00:00.000Z'); // 1 March (28-day February)
    expect(iso(bucketStart(at('2028-02-29T12:00:00Z'), 'month', 'Europe/Paris'))).toBe('2028-01-31T23:00:00.000Z'); // leap day → 1 February 2028
    expect(iso(bucketStart(at('2026-01-15T12:00:00Z'), 'month', 'Europe/Paris', -1))).toBe('2025-11-30T23:00:00.000Z'); // 1 December 2025
  });

  it('bucketize: each amount lands in the local day / month containing it; older ones are left out', () => {
    const now = at('2026-03-31T10:00:00Z');
    const entries = [
      { at: at('2026-03-29T21:59:00Z'), amount: 100 }, // 29 March 23:59 Paris (UTC+2 since 01:00 UTC)
      { at: at('2026-03-29T22:30:00Z'), amount: 20 }, // 30 March 00:30 Paris
      { at: at('2026-03-29T22:40:00Z'), amount: -5 }, // a refund the same local day
      { at: at('2026-03-31T09:00:00Z'), amount: 7 }, // today
      { at: at('2026-02-28T23:30:00Z'), amount: 1000 }, // 1 March 00:30 Paris: outside the 30 days
    ];
    const days = bucketize(entries, 'day', 'Europe/Paris', now);
    expect(days).toHaveLength(30);
    expect(iso(days[0].start)).toBe('2026-03-01T23:00:00.000Z'); // 2 March
    expect(iso(days[29].start)).toBe('2026-03-30T22:00:00.000Z'); // 31 March
    expect(days.slice(26).map((b) => [iso(b.start), b.amount])).toEqual([
      ['2026-03-27T23:00:00.000Z', 0],
      ['2026-03-28T23:00:00.000Z', 100],
      ['2026-03-29T22:00:00.000Z', 15],
      ['2026-03-30T22:00:00.000Z', 7],
    ]);
    expect(days.reduce((s, b) => s + b.amount, 0)).toBe(122);

    const months = bucketize([...entries, { at: at('2026-02-28T22:59:59Z'), amount: 3 }], 'month', 'Europe/Paris', now);
    expect(months).toHaveLength(12);
    expect(iso(months[0].start)).toBe('2025-03-31T22:00:00.000Z'); // April 2025
    expect(months.slice(10).map((b) => [iso(b.start), b.amount])).toEqual([
      ['2026-01-31T23:00:00.000Z', 3], // February: 28 February 23:59:59 Paris
      ['2026-02-28T23:00:00.000Z', 1122], // March
    ]);

    const weeks = bucketize(entries, 'week', 'Europe/Paris', now);
    expect(weeks).toHaveLength(12);
    expect(weeks.slice(10).map((b) => [iso(b.start), b.amount])).toEqual([
      ['2026-03-22T23:00:00.000Z', 100], // week of Monday 23 March
      ['2026-03-29T22:00:00.000Z', 22], // week of Monday 30 March
    ]);
  });
});

/** Releases these payments' shares now (their calls took place: `earn` completed them). */
const release = (d: Deps, intentIds: string[]) =>
  d.db
    .select({ id: payments.id })
    .from(payments)
    .where(inArray(payments.intentId, intentIds))
    .all()
    .then((ps) =>
      d.db
        .update(ledgerEntries)
        .set({ availableAt: new Date(Date.now() - MINUTE) })
        .where(
          and(
            inArray(
              ledgerEntries.paymentId,
              ps.map((p) => p.id),
            ),
            eq(ledgerEntries.kind, 'CREATOR_SHARE'),
          ),
        ),
    );

const num = (html: string, attr: string, currency: string) => {
  const card = html.split(`data-finance="${currency}"`)[1]?.split('</li>')[0] ?? '';
  const m = new RegExp(`${attr}="(-?\\d+)"`).exec(card);
  return m ? Number(m[1]) : null;
};
const bars = (html: string) => [...html.matchAll(/<rect [^>]*data-value="(-?\d+)"/g)].map((m) => Number(m[1]));

describe('creator finance page', () => {
  it('shows lifetime earned, paid out, in transit, pending, available and debt per currency, and charts each currency', async () => {
    const c = await onboardedCreator();
    const d = deps();
    // EUR: three calls (8,500 share each), two released and paid out, the third one's charge disputed and lost.
    const [a, b, x] = await earn(c, 3);
    await release(d, [a.intentId, b.intentId]);
    const opened = await openPayout(d, {
      creator: await creatorRow(c.creator.id),
      currency: 'EUR',
      origin: 'CREATOR',
      periodKey: 'finance-1',
    });
    const payout = opened.ok ? opened.payout : null;
    expect(payout).toMatchObject({ amount: 17_000, status: 'PROCESSING' });
    await d.localPayments!.settlePayout(c.creator.stripeAccountId!, payout!.stripePayoutId!, 'paid');
    expect((await payoutRow(payout!.id)).status).toBe('PAID');
    // The provider refuses to reverse the disputed transfer: the share stays held as debt.
    await d.localPayments!.failNext('reverseTransfer', 1, false);
    const px = (await d.db.select().from(payments).where(eq(payments.intentId, x.intentId)).get())!;
    const dsp = await d.localPayments!.openDispute(px.chargeId!, 'fraudulent');
    await d.localPayments!.updateDispute(dsp, 'lost');
    expect(await d.db.select().from(disputes).where(eq(disputes.stripeDisputeId, dsp)).get()).toMatchObject({
      status: 'LOST',
      reconciledAt: null,
    });

    // USD: the creator's account later settles in dollars; one call (5,000 → 4,250), not released yet.
    const [usdCreator] = await d.db
      .update(creators)
      .set({ currency: 'USD', stripeDefaultCurrency: 'USD' })
      .where(eq(creators.id, c.creator.id))
      .returning();
    await earn({ ...c, creator: usdCreator }, 1, 5_000);
    await d.db
      .update(creators)
      .set({ currency: 'EUR', stripeDefaultCurrency: 'EUR' })
      .where(eq(creators.id, c.creator.id));

    const summary = await financeSummary(d, c.creator.id, new Date());
    expect(summary.find((s) => s.currency === 'EUR')).toEqual({
      currency: 'EUR',
      earned: 17_000,
      paidOut: 17_000,
      inTransit: 0,
      pending: 8_500,
      available: 0,
      debt: 8_500,
    });
    expect(summary.find((s) => s.currency === 'USD')).toEqual({
      currency: 'USD',
      earned: 4_250,
      paidOut: 0,
      inTransit: 0,
      pending: 4_250,
      available: 0,
      debt: 0,
    });
    // The identity the page relies on: earned − paid out − in transit = pending + available − debt.
    for (const s of summary) expect(s.earned - s.paidOut - s.inTransit).toBe(s.pending + s.available - s.debt);

    const html = await (await getPage('/en/creator/payments', c.token)).text();
    expect([
      num(html, 'data-earned', 'EUR'),
      num(html, 'data-paid-out', 'EUR'),
      num(html, 'data-pending', 'EUR'),
      num(html, 'data-available', 'EUR'),
      num(html, 'data-debt', 'EUR'),
    ]).toEqual([17_000, 17_000, 8_500, 0, 8_500]);
    expect(num(html, 'data-in-transit', 'EUR')).toBeNull(); // nothing on its way: not shown
    expect([
      num(html, 'data-earned', 'USD'),
      num(html, 'data-paid-out', 'USD'),
      num(html, 'data-pending', 'USD'),
      num(html, 'data-debt', 'USD'),
    ]).toEqual([4_250, 0, 4_250, null]);
    expect(html).toContain('Earned in total');
    // The chart: the creator's own currency by default, 30 days, today's earnings net of the dispute.
    const eurBars = bars(html);
    expect(eurBars).toHaveLength(30);
    expect(eurBars.reduce((s, v) => s + v, 0)).toBe(17_000);
    expect(html).toMatch(/data-earnings-total[^>]*>€170\.00</);
    // A switch to each currency earned in; the USD chart holds only the dollars.
    expect(html).toContain('data-currency-switch');
    expect(html).toMatch(/href="\/en\/creator\/payments\?period=day&amp;currency=USD"[^>]*data-currency="USD"/);
    const usd = await (await getPage('/en/creator/payments?period=month&currency=USD', c.token)).text();
    const usdBars = bars(usd);
    expect(usdBars).toHaveLength(12);
    expect(usdBars.at(-1)).toBe(4_250);
    expect(usdBars.slice(0, -1).every((v) => v === 0)).toBe(true);
    expect(usd).toMatch(/data-earnings-total[^>]*>\$42\.50</);
    expect(usd).toMatch(/aria-current="true"[^>]*data-currency="USD"/);
    // A currency the creator never earned in falls back to their own.
    const other = await (await getPage('/en/creator/payments?currency=GBP', c.token)).text();
    expect(bars(other).reduce((s, v) => s + v, 0)).toBe(17_000);

    // A payout on its way shows as in transit (and no longer as available).
    const [y] = await earn(c, 1);
    await release(d, [y.intentId]);
    // The new share only covers the debt held back: nothing to pay out yet.
    const again = await openPayout(d, {
      creator: await creatorRow(c.creator.id),
      currency: 'EUR',
      origin: 'CREATOR',
      periodKey: 'finance-2',
    });
    expect(again.ok).toBe(false);
    const [z] = await earn(c, 1);
    await release(d, [z.intentId]);
    const third = await openPayout(d, {
      creator: await creatorRow(c.creator.id),
      currency: 'EUR',
      origin: 'CREATOR',
      periodKey: 'finance-3',
    });
    expect(third.ok && third.payout).toMatchObject({ amount: 8_500, status: 'PROCESSING' });
    const after = await (await getPage('/en/creator/payments', c.token)).text();
    expect([
      num(after, 'data-earned', 'EUR'),
      num(after, 'data-paid-out', 'EUR'),
      num(after, 'data-in-transit', 'EUR'),
      num(after, 'data-available', 'EUR'),
    ]).toEqual([34_000, 17_000, 8_500, 0]);
  });
});
