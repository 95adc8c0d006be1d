/**
 * Payouts: eligibility (each reason), schedule arithmetic (daily/weekly, month ends, DST, missed
 * runs), the job (AUTOMATIC vs APPROVAL, idempotent re-runs), failures and retries, dispute debt
 * (transfer reversal, payout deduction, manual settlement), authorization, and a property test.
 */
import { and, eq, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { creators, disputes, ledgerEntries, notifications, payoutAudit, payouts, payments } from '../src/db/schema';
import type { Deps } from '../src/deps';
import { creatorBalances } from '../src/domain/ledger/ledger';
import { RECEIVABLE } from '../src/domain/payouts/debt';
import { creatorEligibility, openPayout, runPayouts } from '../src/domain/payouts/engine';
import { payoutEligibility } from '../src/domain/payouts/eligibility';
import { nextPayoutSlot } from '../src/domain/payouts/schedule';
import { getSettings, updateSettings } from '../src/domain/settings';
import { DAY, fixedClock, HOUR, MINUTE } from '../src/lib/clock';
import { api, createAccount, deps, expectError, getPage, postPage } from './helpers';
import { book, fans, offerFor, onboardedCreator, type CreatorScenario } from './scenarios';

const accountBalance = async (d: Deps, account: string) =>
  (await d.db.select({ s: sql<number>`coalesce(sum(${ledgerEntries.amount}), 0)` }).from(ledgerEntries).where(eq(ledgerEntries.account, account)).get())!.s;

/** `n` paid bookings for creator `c` (10,000 minor units each: share 8,500 at the default 15 % fee). */
async function earn(c: CreatorScenario, n = 1, price = 10_000) {
  const [fan] = await fans(1);
  const out: { bookingId: string; intentId: string }[] = [];
  for (let i = 0; i < n; i++) {
    const offer = await offerFor(c, { price });
    const r = (await (await book(offer.id, fan.token)).json()) as { booking: { id: string }; payment: { intentId: string } };
    await deps().localPayments!.checkout(r.payment.intentId, 'succeed');
    out.push({ bookingId: r.booking.id, intentId: r.payment.intentId });
  }
  return out;
}
/** A clock just after all of `c`'s funds are released. */
async function afterRelease(c: CreatorScenario) {
  const [{ last }] = await deps().db.select({ last: sql<number>`max(${payments.payoutReleaseAt})` }).from(payments).where(eq(payments.creatorId, c.creator.id));
  return fixedClock(last + MINUTE);
}
const creatorRow = async (id: string) => (await deps().db.select().from(creators).where(eq(creators.id, id)).get())!;
const payoutsOf = (creatorId: string) => deps().db.select().from(payouts).where(eq(payouts.creatorId, creatorId)).all();
/** Due now for the job (schedule slot reached). */
const makeDue = (creatorId: string, at: Date) => deps().db.update(creators).set({ nextPayoutAt: at }).where(eq(creators.id, creatorId));

describe('eligibility (one function, every reason)', () => {
  const ok = { stripeAccountId: 'acct_1', detailsSubmitted: true, payoutsEnabled: true, payoutsBlocked: false };
  const bal = (available: number, pending = 0, debt = 0) => ({ currency: 'EUR' as const, available, pending, debt });
  const cases: [string, Parameters<typeof payoutEligibility>[0], string[]][] = [
    ['eligible', { creator: ok, balance: bal(5000), minimum: 1000, nextReleaseAt: null }, []],
    ['not onboarded', { creator: { ...ok, stripeAccountId: null }, balance: bal(5000), minimum: 1000, nextReleaseAt: null }, ['NOT_ONBOARDED']],
    ['onboarding unfinished', { creator: { ...ok, detailsSubmitted: false }, balance: bal(5000), minimum: 1000, nextReleaseAt: null }, ['NOT_ONBOARDED']],
    ['payouts disabled by the provider', { creator: { ...ok, payoutsEnabled: false }, balance: bal(5000), minimum: 1000, nextReleaseAt: null }, ['PAYOUTS_DISABLED']],
    ['blocked by an admin', { creator: { ...ok, payoutsBlocked: true }, balance: bal(5000), minimum: 1000, nextReleaseAt: null }, ['BLOCKED']],
    ['funds still in the holding period', { creator: ok, balance: bal(0, 8500), minimum: 1000, nextReleaseAt: new Date('2026-12-08T10:00:00Z') }, ['FUNDS_ON_HOLD']],
    ['in debt', { creator: ok, balance: bal(0, 0, 2000), minimum: 1000, nextReleaseAt: null }, ['IN_DEBT']],
    ['in debt with funds on hold', { creator: ok, balance: bal(0, 8500, 2000), minimum: 1000, nextReleaseAt: null }, ['IN_DEBT', 'FUNDS_ON_HOLD']],
    ['below the minimum', { creator: ok, balance: bal(999), minimum: 1000, nextReleaseAt: null }, ['BELOW_MINIMUM']],
    ['nothing at all', { creator: ok, balance: bal(0), minimum: 1000, nextReleaseAt: null }, ['NOTHING_TO_PAY']],
  ];
  it.each(cases)('%s', (_name, input, reasons) => {
    const e = payoutEligibility(input);
    expect(e.reasons).toEqual(reasons);
    expect(e.eligible).toBe(reasons.length === 0);
    expect(e.amount).toBe(Math.max(0, input.balance.available));
  });
});

describe('schedule arithmetic (06:00 in the creator\'s zone)', () => {
  const daily = { payoutSchedule: 'DAILY' as const, payoutWeekday: 1 };
  const weekly = (d: number) => ({ payoutSchedule: 'WEEKLY' as const, payoutWeekday: d });
  const at = (s: string) => new Date(s);
  it('daily: the next 06:00, across month and year ends', () => {
    expect(nextPayoutSlot(daily, at('2026-01-31T10:00:00Z'), 'Europe/Paris')).toEqual(at('2026-02-01T05:00:00Z'));
    expect(nextPayoutSlot(daily, at('2026-12-31T23:30:00Z'), 'Europe/Paris')).toEqual(at('2027-01-01T05:00:00Z'));
    expect(nextPayoutSlot(daily, at('2026-02-28T06:00:00Z'), 'America/New_York')).toEqual(at('2026-02-28T11:00:00Z'));
    // Exactly at a slot: the next one (strictly after).
    expect(nextPayoutSlot(daily, at('2026-02-01T05:00:00Z'), 'Europe/Paris')).toEqual(at('2026-02-02T05:00:00Z'));
  });
  it('across daylight-saving changes the slot stays at 06:00 local', () => {
    expect(nextPayoutSlot(daily, at('2026-03-28T12:00:00Z'), 'Europe/Paris')).toEqual(at('2026-03-29T04:00:00Z')); // CEST from 29 March
    expect(nextPayoutSlot(daily, at('2026-10-24T12:00:00Z'), 'Europe/Paris')).toEqual(at('2026-10-25T05:00:00Z')); // back to CET
    expect(nextPayoutSlot(daily, at('2026-03-07T12:00:00Z'), 'America/New_York')).toEqual(at('2026-03-08T10:00:00Z')); // EDT from 8 March
  });
  it('weekly: the chosen weekday; manual: never', () => {
    expect(nextPayoutSlot(weekly(1), at('2026-11-21T12:00:00Z'), 'Europe/Paris')).toEqual(at('2026-11-23T05:00:00Z')); // Saturday → Monday
    expect(nextPayoutSlot(weekly(1), at('2026-11-23T05:00:00Z'), 'Europe/Paris')).toEqual(at('2026-11-30T05:00:00Z'));
    expect(nextPayoutSlot(weekly(0), at('2026-11-21T12:00:00Z'), 'Asia/Tokyo')).toEqual(at('2026-11-21T21:00:00Z')); // Sunday 06:00 JST
    expect(nextPayoutSlot({ payoutSchedule: 'MANUAL', payoutWeekday: 1 }, at('2026-11-21T12:00:00Z'), 'Europe/Paris')).toBeNull();
  });
});

describe('the payout job', () => {
  it('AUTOMATIC: pays everything released once per slot, sends it, moves to the next slot; a second run pays nothing more', async () => {
    const c = await onboardedCreator();
    await earn(c, 2);
    const clock = await afterRelease(c);
    const d = deps({ clock });
    const slot = new Date(clock.now().getTime() - HOUR);
    await makeDue(c.creator.id, slot);
    const first = await runPayouts(d, clock.now());
    expect(first.created).toBeGreaterThanOrEqual(1);
    const [p] = await payoutsOf(c.creator.id);
    expect(p).toMatchObject({ amount: 17_000, currency: 'EUR', status: 'PROCESSING', origin: 'SCHEDULE', debtDeducted: 0 });
    expect(p.stripePayoutId).toMatch(/^po_local_/);
    expect(p.idempotencyKey).toBe(`payout:${c.creator.id}:EUR:${slot.toISOString()}`);
    expect((await creatorBalances(d, c.creator.id, clock.now()))[0]).toMatchObject({ available: 0 });
    expect(await accountBalance(d, `bank:${c.creator.id}`)).toBe(17_000);
    const after = await creatorRow(c.creator.id);
    expect(after.nextPayoutAt!.getTime()).toBe(nextPayoutSlot(after, clock.now(), after.timezone)!.getTime());
    // The same tick again (cron retry), and the same slot forced again: still one payout.
    await runPayouts(d, clock.now());
    await makeDue(c.creator.id, slot);
    await runPayouts(d, clock.now());
    expect(await payoutsOf(c.creator.id)).toHaveLength(1);
    // The provider confirms: PAID, the creator is told.
    await d.localPayments!.settlePayout(c.creator.stripeAccountId!, p.stripePayoutId!, 'paid');
    expect((await payoutsOf(c.creator.id))[0].status).toBe('PAID');
    expect(await d.db.select().from(notifications).where(and(eq(notifications.userId, c.user.id), eq(notifications.type, 'PAYOUT_PAID'))).all()).toHaveLength(1);
  });

  it('a missed week pays once, not once per missed slot, and the next date does not drift', async () => {
    const c = await onboardedCreator();
    await earn(c, 1);
    const clock = await afterRelease(c);
    const d = deps({ clock });
    // Weekly on Mondays; the job was down for three weeks.
    await d.db.update(creators).set({ payoutSchedule: 'WEEKLY', payoutWeekday: 1, nextPayoutAt: new Date(clock.now().getTime() - 21 * DAY) }).where(eq(creators.id, c.creator.id));
    await runPayouts(d, clock.now());
    await runPayouts(d, clock.now());
    expect(await payoutsOf(c.creator.id)).toHaveLength(1);
    const next = (await creatorRow(c.creator.id)).nextPayoutAt!;
    expect(next.getTime()).toBeGreaterThan(clock.now().getTime());
    expect(next.getTime() - clock.now().getTime()).toBeLessThanOrEqual(7 * DAY);
    expect(next.getUTCDay() === 1 || next.getUTCDay() === 0).toBe(true); // Monday 06:00 Paris = Monday 04/05:00 UTC
  });

  it('APPROVAL mode: the job only requests; admins are told; only an admin approves (then it is sent) or rejects (money back)', async () => {
    const d0 = deps();
    const admin = await createAccount('ADMIN');
    await updateSettings(d0, admin.user.id, { payoutMode: 'APPROVAL' }, null);
    try {
      const c = await onboardedCreator();
      await earn(c, 1);
      const clock = await afterRelease(c);
      const d = deps({ clock });
      await makeDue(c.creator.id, new Date(clock.now().getTime() - MINUTE));
      await runPayouts(d, clock.now());
      const [p] = await payoutsOf(c.creator.id);
      expect(p).toMatchObject({ status: 'REQUESTED', amount: 8500, stripePayoutId: null });
      expect(await d.db.select().from(notifications).where(and(eq(notifications.userId, admin.user.id), eq(notifications.type, 'PAYOUT_REQUESTED'))).all()).not.toHaveLength(0);
      await expectError(await api('POST', `/api/admin/payouts/${p.id}/approve`, undefined, { token: c.token }), 403, 'FORBIDDEN_ROLE');
      const ok = await api('POST', `/api/admin/payouts/${p.id}/approve`, undefined, { token: admin.token });
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { payout: { status: string } }).payout.status).toBe('PROCESSING');
      await expectError(await api('POST', `/api/admin/payouts/${p.id}/approve`, undefined, { token: admin.token }), 409, 'PAYOUT_NOT_PENDING');

      // A second one, rejected: the money stays on the creator's balance.
      await earn(c, 1);
      const clock2 = await afterRelease(c);
      const d2 = deps({ clock: clock2 });
      await makeDue(c.creator.id, new Date(clock2.now().getTime() - MINUTE));
      await runPayouts(d2, clock2.now());
      const second = (await payoutsOf(c.creator.id)).find((x) => x.status === 'REQUESTED')!;
      await expectError(await api('POST', `/api/admin/payouts/${second.id}/reject`, { reason: '' }, { token: admin.token }), 400, 'VALIDATION_ERROR');
      expect((await api('POST', `/api/admin/payouts/${second.id}/reject`, { reason: 'Bank details under review' }, { token: admin.token })).status).toBe(200);
      expect((await creatorBalances(d2, c.creator.id, clock2.now()))[0].available).toBe(8500);
      const audits = await d2.db.select().from(payoutAudit).where(eq(payoutAudit.payoutId, second.id)).all();
      expect(audits.map((a) => a.action)).toEqual(['CREATED', 'REJECTED']);
    } finally {
      await updateSettings(d0, admin.user.id, { payoutMode: 'AUTOMATIC' }, null);
    }
  });

  it('a failed payout returns the money, tells creator and admins, is retried on the next run; three failures in a row block payouts', async () => {
    const c = await onboardedCreator();
    const admin = await createAccount('ADMIN');
    await earn(c, 1);
    const clock = await afterRelease(c);
    const d = deps({ clock });
    await makeDue(c.creator.id, new Date(clock.now().getTime() - MINUTE));
    for (let attempt = 1; attempt <= 3; attempt++) {
      await runPayouts(d, clock.now());
      const open = (await payoutsOf(c.creator.id)).find((x) => x.status === 'PROCESSING')!;
      expect(open.amount).toBe(8500);
      await d.localPayments!.settlePayout(c.creator.stripeAccountId!, open.stripePayoutId!, 'failed');
      expect((await d.db.select().from(payouts).where(eq(payouts.id, open.id)).get())!).toMatchObject({ status: 'FAILED', failureReason: 'The bank account details on file are incorrect.' });
      expect((await creatorBalances(d, c.creator.id, clock.now()))[0].available).toBe(8500);
      clock.advance(HOUR);
    }
    expect((await payoutsOf(c.creator.id)).map((p) => p.status)).toEqual(['FAILED', 'FAILED', 'FAILED']);
    expect(await d.db.select().from(notifications).where(and(eq(notifications.userId, admin.user.id), eq(notifications.type, 'PAYOUT_FAILED'))).all()).toHaveLength(3);
    const blocked = await creatorRow(c.creator.id);
    expect(blocked.payoutsBlocked).toBe(true);
    expect(blocked.payoutBlockReason).toMatch(/3 payouts failed/);
    await runPayouts(d, clock.now());
    expect(await payoutsOf(c.creator.id)).toHaveLength(3);
    const e = (await creatorEligibility(d, blocked, clock.now()))[0];
    expect(e.reasons).toEqual(['BLOCKED']);
  });
});

describe('creator debt', () => {
  async function lostDispute(d: Deps, c: CreatorScenario, intentId: string, opts: { exhaustTransfer?: boolean } = {}) {
    const p = (await d.db.select().from(payments).where(eq(payments.intentId, intentId)).get())!;
    if (opts.exhaustTransfer) {
      // The connected account's transfer for this charge is gone already (nothing left to reverse).
      const tr = (await d.payments.transferOfCharge(p.chargeId!))!;
      await d.payments.reverseTransfer({ transferId: tr, amount: p.creatorShare, metadata: {}, idempotencyKey: `test-exhaust:${p.id}` });
    }
    const dsp = await d.localPayments!.openDispute(p.chargeId!, 'fraudulent');
    await d.localPayments!.updateDispute(dsp, 'lost');
    return (await d.db.select().from(disputes).where(eq(disputes.stripeDisputeId, dsp)).get())!;
  }

  it('a lost dispute is recovered by reversing the transfer: receivable cleared, no payout deduction', async () => {
    const c = await onboardedCreator();
    const [a] = await earn(c, 1);
    const d = deps();
    const dsp = await lostDispute(d, c, a.intentId);
    expect(dsp).toMatchObject({ status: 'LOST', creatorDebt: 8500, reconciledBy: 'TRANSFER_REVERSAL' });
    expect(await accountBalance(d, RECEIVABLE)).toBeGreaterThanOrEqual(0);
    const rows = await d.db.select().from(ledgerEntries).where(and(eq(ledgerEntries.disputeId, dsp.id), eq(ledgerEntries.account, RECEIVABLE))).all();
    expect(rows.reduce((s, r) => s + r.amount, 0)).toBe(0);
  });

  it('when the transfer cannot be reversed, the debt is withheld from the next payout (recorded on it and in the ledger)', async () => {
    const c = await onboardedCreator();
    const [a] = await earn(c, 2);
    const clock = await afterRelease(c);
    const d = deps({ clock });
    const dsp = await lostDispute(d, c, a.intentId, { exhaustTransfer: true });
    expect(dsp.reconciledAt).toBeNull();
    expect((await creatorBalances(d, c.creator.id, clock.now()))[0].available).toBe(8500); // 2 × 8,500 − 8,500 held
    const r = await openPayout(d, { creator: await creatorRow(c.creator.id), currency: 'EUR', origin: 'CREATOR', periodKey: 'test' });
    expect(r.ok && r.payout).toMatchObject({ amount: 8500, debtDeducted: 8500 });
    expect((await d.db.select().from(disputes).where(eq(disputes.id, dsp.id)).get())).toMatchObject({ reconciledBy: 'PAYOUT_DEDUCTION' });
    const receivable = await d.db.select().from(ledgerEntries).where(and(eq(ledgerEntries.disputeId, dsp.id), eq(ledgerEntries.account, RECEIVABLE))).all();
    expect(receivable.reduce((s, x) => s + x.amount, 0)).toBe(0);
  });

  it('an admin can record a debt settled outside the platform: the creator\'s share is theirs again', async () => {
    const c = await onboardedCreator();
    const [a] = await earn(c, 1);
    const d = deps();
    const dsp = await lostDispute(d, c, a.intentId, { exhaustTransfer: true });
    const admin = await createAccount('ADMIN');
    await expectError(await api('POST', `/api/admin/disputes/${dsp.id}/settle-debt`, { note: 'Paid by bank transfer' }, { token: c.token }), 403, 'FORBIDDEN_ROLE');
    expect((await api('POST', `/api/admin/disputes/${dsp.id}/settle-debt`, { note: 'Paid by bank transfer' }, { token: admin.token })).status).toBe(200);
    await expectError(await api('POST', `/api/admin/disputes/${dsp.id}/settle-debt`, { note: 'again' }, { token: admin.token }), 409, 'DEBT_NOT_OUTSTANDING');
    const far = new Date(Date.now() + 400 * DAY);
    expect((await creatorBalances(d, c.creator.id, far))[0].total).toBe(8500);
  });
});

describe('creator requests and authorization', () => {
  it('a creator requests a payout of released funds (once); nothing left → 422 with the reasons', async () => {
    const c = await onboardedCreator();
    const early = (await (await api('GET', '/api/creators/me/payouts', undefined, { token: c.token })).json()) as { eligibility: { reasons: string[] }[] };
    expect(early.eligibility[0].reasons).toEqual(['NOTHING_TO_PAY']);
    await earn(c, 1);
    const held = (await (await api('GET', '/api/creators/me/payouts', undefined, { token: c.token })).json()) as { eligibility: { reasons: string[]; pending: number; nextReleaseAt: string }[] };
    expect(held.eligibility[0]).toMatchObject({ reasons: ['FUNDS_ON_HOLD'], pending: 8500 });
    expect(new Date(held.eligibility[0].nextReleaseAt).getTime()).toBeGreaterThan(Date.now() + 6 * DAY);
    const err = await expectError(await api('POST', '/api/creators/me/payouts', {}, { token: c.token }), 422, 'NOT_ELIGIBLE');
    expect((err.details as { reasons: string[] }).reasons).toEqual(['FUNDS_ON_HOLD']);

    // Released: two simultaneous requests pay once.
    const clock = await afterRelease(c);
    const d = deps({ clock });
    const creator = await creatorRow(c.creator.id);
    const both = await Promise.all([1, 2].map((i) => openPayout(d, { creator, currency: 'EUR', origin: 'CREATOR', periodKey: `race-${i}` })));
    expect(both.filter((r) => r.ok && r.created)).toHaveLength(1);
    expect(await payoutsOf(c.creator.id)).toHaveLength(1);
    expect(await accountBalance(d, `bank:${c.creator.id}`)).toBe(8500);
  });

  it('creators see only their own money; fans none; admin routes are admin-only', async () => {
    const c = await onboardedCreator();
    const [fan] = await fans(1);
    await expectError(await api('GET', '/api/creators/me/payouts', undefined, { token: fan.token }), 403, 'FORBIDDEN_ROLE');
    await expectError(await api('GET', '/api/admin/payouts', undefined, { token: c.token }), 403, 'FORBIDDEN_ROLE');
    await expectError(await api('PUT', '/api/admin/settings', { platformFeeBps: 0 }, { token: c.token }), 403, 'FORBIDDEN_ROLE');
    await expectError(await api('POST', `/api/admin/creators/${c.creator.id}/payouts/block`, { reason: 'nope' }, { token: c.token }), 403, 'FORBIDDEN_ROLE');
    const saved = await api('PUT', '/api/creators/me/payout-settings', { schedule: 'WEEKLY', weekday: 5, minimum: 5000 }, { token: c.token });
    expect(((await saved.json()) as { settings: { schedule: string; nextPayoutAt: string } }).settings).toMatchObject({ schedule: 'WEEKLY' });
    await expectError(await api('PUT', '/api/creators/me/payout-settings', { schedule: 'HOURLY' }, { token: c.token }), 400, 'VALIDATION_ERROR');
    const e = (await creatorEligibility(deps(), await creatorRow(c.creator.id)))[0];
    expect(e.minimum).toBe(5000);
  });

  it('admins change platform settings, audited, and block / unblock a creator', async () => {
    const admin = await createAccount('ADMIN');
    const c = await onboardedCreator();
    const before = await getSettings(deps(), { fresh: true });
    const res = await api('PUT', '/api/admin/settings', { holdingDays: 3, minPayout: { GBP: 2000 } }, { token: admin.token });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { settings: { holdingDays: number; minPayout: Record<string, number> } }).settings).toMatchObject({ holdingDays: 3, minPayout: { ...before.minPayout, GBP: 2000 } });
    await expectError(await api('PUT', '/api/admin/settings', { platformFeeBps: 9000 }, { token: admin.token }), 400, 'VALIDATION_ERROR');
    await api('PUT', '/api/admin/settings', { holdingDays: before.holdingDays, minPayout: before.minPayout }, { token: admin.token });
    expect((await api('POST', `/api/admin/creators/${c.creator.id}/payouts/block`, { reason: 'Identity check' }, { token: admin.token })).status).toBe(200);
    expect((await creatorRow(c.creator.id)).payoutsBlocked).toBe(true);
    expect(await deps().db.select().from(notifications).where(and(eq(notifications.userId, c.user.id), eq(notifications.type, 'PAYOUTS_BLOCKED'))).all()).toHaveLength(1);
    expect((await api('POST', `/api/admin/creators/${c.creator.id}/payouts/unblock`, undefined, { token: admin.token })).status).toBe(200);
    expect((await creatorRow(c.creator.id)).payoutsBlocked).toBe(false);
  });
});

describe('property: payouts never exceed what the creator earned, and the books balance', () => {
  it('random payments, refunds, disputes, payout runs, requests and failures', async () => {
    const steps = fc.sample(fc.array(fc.oneof(
      { weight: 3, arbitrary: fc.record({ k: fc.constant('pay' as const), price: fc.integer({ min: 500, max: 40_000 }) }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant('refund' as const), pick: fc.nat(), part: fc.integer({ min: 1, max: 100 }) }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant('dispute' as const), pick: fc.nat(), outcome: fc.constantFrom('won' as const, 'lost' as const, 'open' as const) }) },
      { weight: 3, arbitrary: fc.record({ k: fc.constant('run' as const) }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant('request' as const) }) },
      { weight: 2, arbitrary: fc.record({ k: fc.constant('settle' as const), outcome: fc.constantFrom('paid' as const, 'paid' as const, 'failed' as const) }) },
      { weight: 3, arbitrary: fc.record({ k: fc.constant('time' as const), days: fc.integer({ min: 3, max: 15 }) }) },
    ), { minLength: 14, maxLength: 24 }), { numRuns: 10, seed: 20261121 });
    const seen = { payouts: 0, paid: 0, failed: 0, disputes: 0, refunds: 0 };
    for (const seq of steps) {
      const c = await onboardedCreator();
      const clock = fixedClock(Date.now());
      const d = deps({ clock });
      const paid: { intentId: string }[] = [];
      for (const s of seq) {
        const countBefore = (await payoutsOf(c.creator.id)).length;
        if (s.k === 'pay') paid.push(...(await earn(c, 1, s.price)));
        if (s.k === 'refund' && paid.length) {
          const p = (await d.db.select().from(payments).where(eq(payments.intentId, paid[s.pick % paid.length].intentId)).get())!;
          const left = p.amount - p.refundedAmount;
          if (left > 0 && p.status !== 'DISPUTED') await d.payments.refund({ intentId: p.intentId, amount: Math.max(1, Math.floor((left * s.part) / 100)), reverseTransfer: true, refundApplicationFee: true, metadata: { initiatedBy: 'ADMIN', reason: 'ADMIN' }, idempotencyKey: `prop-refund:${p.id}:${left}` });
        }
        if (s.k === 'dispute' && paid.length) {
          const p = (await d.db.select().from(payments).where(eq(payments.intentId, paid[s.pick % paid.length].intentId)).get())!;
          const already = await d.db.select().from(disputes).where(eq(disputes.paymentId, p.id)).get();
          if (!already && p.refundedAmount === 0) {
            const dsp = await d.localPayments!.openDispute(p.chargeId!, 'fraudulent');
            if (s.outcome !== 'open') await d.localPayments!.updateDispute(dsp, s.outcome);
          }
        }
        if (s.k === 'run') {
          await makeDue(c.creator.id, clock.now());
          await runPayouts(d, clock.now());
        }
        if (s.k === 'request') await openPayout(d, { creator: await creatorRow(c.creator.id), currency: 'EUR', origin: 'CREATOR', periodKey: `prop-${clock.now().getTime()}` });
        if (s.k === 'settle') {
          const open = (await payoutsOf(c.creator.id)).find((p) => p.status === 'PROCESSING');
          if (open) await d.localPayments!.settlePayout(c.creator.stripeAccountId!, open.stripePayoutId!, s.outcome);
        }
        if (s.k === 'time') clock.advance(s.days * DAY);

        // Invariants after every step.
        const all = await payoutsOf(c.creator.id);
        const out = all.filter((p) => ['REQUESTED', 'APPROVED', 'PROCESSING', 'PAID'].includes(p.status)).reduce((sum, p) => sum + p.amount, 0);
        const shares = (await d.db.select().from(payments).where(eq(payments.creatorId, c.creator.id)).all()).reduce((sum, p) => sum + p.creatorShare, 0);
        expect(out).toBeLessThanOrEqual(shares);
        expect(await accountBalance(d, `bank:${c.creator.id}`)).toBe(out);
        const byCurrency = await d.db.select({ s: sql<number>`sum(${ledgerEntries.amount})` }).from(ledgerEntries).groupBy(ledgerEntries.currency).all();
        for (const row of byCurrency) expect(row.s).toBe(0);
        // A payout never takes the released balance below zero: each was covered when it was opened.
        if (all.length > countBefore) {
          const [bal] = await creatorBalances(d, c.creator.id, clock.now());
          expect(bal.total - bal.pending).toBeGreaterThanOrEqual(0);
        }
      }
      const all = await payoutsOf(c.creator.id);
      seen.payouts += all.length;
      seen.paid += all.filter((p) => p.status === 'PAID').length;
      seen.failed += all.filter((p) => p.status === 'FAILED').length;
      seen.disputes += (await d.db.select().from(disputes).innerJoin(payments, eq(payments.id, disputes.paymentId)).where(eq(payments.creatorId, c.creator.id)).all()).length;
      seen.refunds += (await d.db.select().from(payments).where(and(eq(payments.creatorId, c.creator.id), sql`${payments.refundedAmount} > 0`)).all()).length;
    }
    // The sampled sequences really exercise the engine (not a vacuous pass).
    expect(seen.payouts).toBeGreaterThan(3);
    expect(seen.paid + seen.failed).toBeGreaterThan(0);
    expect(seen.disputes + seen.refunds).toBeGreaterThan(0);
  });
});

describe('finance and admin pages', () => {
  const get = getPage;
  const post = postPage;

  it('the creator sees earnings as a chart per day / week / month, why they cannot be paid yet, and changes the schedule', async () => {
    const c = await onboardedCreator();
    await earn(c, 1);
    const html = await (await get('/en/creator/payments?period=week', c.token)).text();
    expect(html.match(/<rect [^>]*data-value=/g)).toHaveLength(12);
    expect(html).toContain('aria-current="true"');
    const payoutsPage = await (await get('/en/creator/payouts', c.token)).text();
    expect(payoutsPage).toContain('data-reason="FUNDS_ON_HOLD"');
    expect(payoutsPage).toMatch(/€85\.00 are in the holding period/);
    const saved = await post('/en/creator/payouts/settings', c.token, { schedule: 'WEEKLY', weekday: '5', minimum: '50' });
    expect(saved.status).toBe(303);
    expect(await creatorRow(c.creator.id)).toMatchObject({ payoutSchedule: 'WEEKLY', payoutWeekday: 5, payoutMinimum: 5000 });
    expect((await creatorRow(c.creator.id)).nextPayoutAt!.getTime()).toBeGreaterThan(Date.now());
    await post('/en/creator/payouts/settings', c.token, { schedule: 'WEEKLY', weekday: '5', minimum: 'abc' });
    expect((await creatorRow(c.creator.id)).payoutMinimum).toBe(5000);
  });

  it('in APPROVAL mode the admin page lists the request and approves it; only admins get the pages', async () => {
    const admin = await createAccount('ADMIN');
    await updateSettings(deps(), admin.user.id, { payoutMode: 'APPROVAL' }, null);
    try {
      const c = await onboardedCreator();
      await earn(c, 1);
      // Released funds: move this creator's release dates into the past.
      await deps().db.update(ledgerEntries).set({ availableAt: new Date(Date.now() - DAY) }).where(eq(ledgerEntries.creatorId, c.creator.id));
      const requested = await post('/en/creator/payouts/request', c.token, { currency: 'EUR' });
      expect(requested.status).toBe(303);
      const [p] = await payoutsOf(c.creator.id);
      expect(p.status).toBe('REQUESTED');
      expect((await get('/en/admin/payouts', c.token)).status).toBe(403);
      const adminHtml = await (await get('/en/admin/payouts', admin.token)).text();
      expect(adminHtml).toContain(`data-payout="${p.id}"`);
      expect((await post(`/en/admin/payouts/${p.id}/approve`, admin.token, {})).status).toBe(303);
      expect((await payoutsOf(c.creator.id))[0].status).toBe('PROCESSING');
      // The local provider's bank answers from the admin page.
      expect((await post(`/en/admin/payouts/${p.id}/simulate`, admin.token, { outcome: 'paid' })).status).toBe(303);
      expect((await payoutsOf(c.creator.id))[0].status).toBe('PAID');
    } finally {
      await updateSettings(deps(), admin.user.id, { payoutMode: 'AUTOMATIC' }, null);
    }
  });

  it('the settings page saves (audited, shown in its history) and refuses nonsense', async () => {
    const admin = await createAccount('ADMIN');
    const before = await getSettings(deps(), { fresh: true });
    const form = { platformFeeBps: '1200', holdingDays: String(before.holdingDays), holdMinutes: String(before.holdMinutes), payoutMode: 'AUTOMATIC', min_EUR: '10', min_CHF: '10', min_USD: '10', min_GBP: '10' };
    expect((await post('/en/admin/settings', admin.token, form)).status).toBe(303);
    expect((await getSettings(deps(), { fresh: true })).platformFeeBps).toBe(1200);
    const html = await (await get('/en/admin/settings', admin.token)).text();
    expect(html).toContain('platformFeeBps: 1500 → 1200');
    await post('/en/admin/settings', admin.token, { ...form, platformFeeBps: '99999' });
    expect((await getSettings(deps(), { fresh: true })).platformFeeBps).toBe(1200);
    await post('/en/admin/settings', admin.token, { ...form, platformFeeBps: String(before.platformFeeBps) });
  });
});
