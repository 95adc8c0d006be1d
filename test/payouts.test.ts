/**
 * Payouts: eligibility (each reason), schedule arithmetic (literal instants: daily/weekly, month ends,
 * DST, missed runs), the job (AUTOMATIC vs APPROVAL, idempotent re-runs with new funds, MANUAL
 * creators, own minimums), eligibility re-checked at approval and sending, the audit trail, failures,
 * bank returns, cancellations, payouts long in transit, connected-account events, release only after
 * the call's outcome, authorization. Debt: payout-debt.test.ts; property: payout-property.test.ts;
 * finance pages and chart buckets: payout-finance.test.ts.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { creators, emailLog, ledgerEntries, payoutAudit, payments, platformSettings } from '../src/db/schema';
import { settleCallOutcomes } from '../src/domain/calls/outcome';
import { bankAccount, creatorBalances } from '../src/domain/ledger/ledger';
import { approvePayout, creatorEligibility, openPayout, setPayoutsBlocked } from '../src/domain/payouts/engine';
import { payoutEligibility } from '../src/domain/payouts/eligibility';
import { runPayouts, STUCK_AFTER_MS } from '../src/domain/payouts/job';
import { nextPayoutSlot } from '../src/domain/payouts/schedule';
import { getSettings, updateSettings } from '../src/domain/settings';
import { reconcilePayments } from '../src/domain/payments/reconciliation';
import { DAY, fixedClock, HOUR, MINUTE } from '../src/lib/clock';
import { api, createAccount, deps, expectError, getPage, postPage, bookingRow } from './helpers';
import {
  accountBalance,
  afterRelease,
  auditActions,
  creatorRow,
  earn,
  makeDue,
  notificationsOf,
  payoutEmailKinds,
  payoutRow,
  payoutsOf,
  providerBalance,
} from './payout-helpers';
import { fans, onboardedCreator, presence } from './scenarios';

/** Runs `fn` with platform settings changed, then puts them back. */
async function withSettings(
  patch: Parameters<typeof updateSettings>[2],
  fn: (admin: Awaited<ReturnType<typeof createAccount>>) => Promise<void>,
) {
  const admin = await createAccount('ADMIN');
  const before = await getSettings(deps(), { fresh: true });
  await updateSettings(deps(), admin.user.id, patch, null);
  try {
    await fn(admin);
  } finally {
    await updateSettings(
      deps(),
      admin.user.id,
      { payoutMode: before.payoutMode, holdingDays: before.holdingDays },
      null,
    );
  }
}

describe('eligibility (one function, every reason)', () => {
  const ok = { stripeAccountId: 'acct_1', detailsSubmitted: true, payoutsEnabled: true, payoutsBlocked: false };
  const bal = (available: number, pending = 0, debt = 0) => ({ currency: 'EUR' as const, available, pending, debt });
  const cases: [string, Parameters<typeof payoutEligibility>[0], string[]][] = [
    ['eligible', { creator: ok, balance: bal(5000), minimum: 1000, nextReleaseAt: null }, []],
    [
      'not onboarded',
      { creator: { ...ok, stripeAccountId: null }, balance: bal(5000), minimum: 1000, nextReleaseAt: null },
      ['NOT_ONBOARDED'],
    ],
    [
      'onboarding unfinished',
      { creator: { ...ok, detailsSubmitted: false }, balance: bal(5000), minimum: 1000, nextReleaseAt: null },
      ['NOT_ONBOARDED'],
    ],
    [
      'payouts disabled by the provider',
      { creator: { ...ok, payoutsEnabled: false }, balance: bal(5000), minimum: 1000, nextReleaseAt: null },
      ['PAYOUTS_DISABLED'],
    ],
    [
      'blocked by an admin',
      { creator: { ...ok, payoutsBlocked: true }, balance: bal(5000), minimum: 1000, nextReleaseAt: null },
      ['BLOCKED'],
    ],
    [
      'funds still in the holding period',
      { creator: ok, balance: bal(0, 8500), minimum: 1000, nextReleaseAt: new Date('2026-12-08T10:00:00Z') },
      ['FUNDS_ON_HOLD'],
    ],
    ['in debt', { creator: ok, balance: bal(0, 0, 2000), minimum: 1000, nextReleaseAt: null }, ['IN_DEBT']],
    [
      'in debt with funds on hold',
      { creator: ok, balance: bal(0, 8500, 2000), minimum: 1000, nextReleaseAt: null },
      ['IN_DEBT', 'FUNDS_ON_HOLD'],
    ],
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

describe("schedule arithmetic (06:00 in the creator's zone)", () => {
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
    expect(
      nextPayoutSlot({ payoutSchedule: 'MANUAL', payoutWeekday: 1 }, at('2026-11-21T12:00:00Z'), 'Europe/Paris'),
    ).toBeNull();
  });
});

describe('the payout job', () => {
  it('AUTOMATIC: pays everything released once per slot; a re-run of the same slot after new funds were released still pays once', async () => {
    const c = await onboardedCreator();
    await earn(c, 2);
    const clock = await afterRelease(c);
    const d = deps({ clock });
    const slot = new Date(clock.now().getTime() - HOUR);
    await makeDue(c.creator.id, slot);
    expect((await runPayouts(d, clock.now())).created).toBe(1);
    const [p] = await payoutsOf(c.creator.id);
    expect(p).toMatchObject({
      amount: 17_000,
      currency: 'EUR',
      status: 'PROCESSING',
      origin: 'SCHEDULE',
      debtDeducted: 0,
    });
    expect(p.stripePayoutId).toMatch(/^po_local_/);
    expect(p.idempotencyKey).toBe(`payout:${c.creator.id}:EUR:${slot.toISOString()}`);
    expect(await accountBalance(d, bankAccount(c.creator.id))).toBe(17_000);
    expect(await providerBalance(c.creator.stripeAccountId!)).toBe(0);
    expect(await payoutEmailKinds(c.user.id)).toEqual(['sent']);

    // New money is released, and the same slot runs again (a retried cron, a second runner).
    await earn(c, 1);
    const later = await afterRelease(c);
    await makeDue(c.creator.id, slot);
    await runPayouts(deps({ clock: later }), later.now());
    expect(await payoutsOf(c.creator.id)).toHaveLength(1);
    expect((await creatorBalances(d, c.creator.id, later.now()))[0]).toMatchObject({ available: 8500 });

    // The provider confirms: PAID; the creator is told in the app and by email.
    await d.localPayments!.settlePayout(c.creator.stripeAccountId!, p.stripePayoutId!, 'paid');
    expect((await payoutRow(p.id)).status).toBe('PAID');
    expect(await notificationsOf(c.user.id, 'PAYOUT_PAID')).toHaveLength(1);
    expect(await payoutEmailKinds(c.user.id)).toEqual(['sent', 'paid']);
  });

  it('no drift: a run at 09:17 Paris moves a Monday creator to next Monday 06:00 Paris, across the change to summer time', async () => {
    const c = await onboardedCreator();
    await earn(c, 1);
    await deps()
      .db.update(creators)
      .set({ payoutSchedule: 'WEEKLY', payoutWeekday: 1, nextPayoutAt: new Date('2031-03-17T05:00:00Z') })
      .where(eq(creators.id, c.creator.id));
    const clock = fixedClock('2031-03-17T08:17:00Z'); // Monday 09:17 CET
    await runPayouts(deps({ clock }), clock.now());
    expect((await creatorRow(c.creator.id)).nextPayoutAt).toEqual(new Date('2031-03-24T05:00:00Z'));
    expect(await payoutsOf(c.creator.id)).toHaveLength(1);
    clock.set('2031-03-24T09:00:00Z');
    await runPayouts(deps({ clock }), clock.now());
    expect((await creatorRow(c.creator.id)).nextPayoutAt).toEqual(new Date('2031-03-31T04:00:00Z')); // 06:00 CEST
    const moves = await deps()
      .db.select()
      .from(payoutAudit)
      .where(and(eq(payoutAudit.creatorId, c.creator.id), eq(payoutAudit.action, 'ADVANCED')))
      .orderBy(payoutAudit.createdAt)
      .all();
    expect(moves.map((m) => [m.context?.from, m.context?.to])).toEqual([
      ['2031-03-17T05:00:00.000Z', '2031-03-24T05:00:00.000Z'],
      ['2031-03-24T05:00:00.000Z', '2031-03-31T04:00:00.000Z'],
    ]);
  });

  it('three missed weeks pay once, and the next date is the coming Monday 06:00, not a catch-up', async () => {
    const c = await onboardedCreator();
    await earn(c, 1);
    await deps()
      .db.update(creators)
      .set({ payoutSchedule: 'WEEKLY', payoutWeekday: 1, nextPayoutAt: new Date('2031-02-24T05:00:00Z') })
      .where(eq(creators.id, c.creator.id));
    const clock = fixedClock('2031-03-17T08:17:00Z');
    await runPayouts(deps({ clock }), clock.now());
    await runPayouts(deps({ clock }), clock.now());
    const all = await payoutsOf(c.creator.id);
    expect(all).toHaveLength(1);
    expect(all[0].idempotencyKey).toBe(`payout:${c.creator.id}:EUR:2031-02-24T05:00:00.000Z`);
    expect((await creatorRow(c.creator.id)).nextPayoutAt).toEqual(new Date('2031-03-24T05:00:00Z'));
  });

  it('a MANUAL creator is never paid by the job, only on request', async () => {
    const c = await onboardedCreator('EUR', { payoutSchedule: 'MANUAL', nextPayoutAt: null });
    await earn(c, 1);
    const clock = await afterRelease(c);
    const counts = await runPayouts(deps({ clock }), clock.now());
    expect(counts.scheduled).toBe(0);
    expect(await payoutsOf(c.creator.id)).toHaveLength(0);
    expect((await creatorRow(c.creator.id)).nextPayoutAt).toBeNull();
    const r = await openPayout(deps({ clock }), {
      creator: await creatorRow(c.creator.id),
      currency: 'EUR',
      origin: 'CREATOR',
      periodKey: 'manual-1',
    });
    expect(r.ok && r.payout).toMatchObject({ amount: 8500, status: 'PROCESSING', origin: 'CREATOR' });
  });

  it("the creator's own minimum: below it the job skips them (BELOW_MINIMUM, audited) and pays nothing", async () => {
    const c = await onboardedCreator('EUR', { payoutMinimum: 20_000 });
    await earn(c, 2); // 17,000 available < 20,000
    const clock = await afterRelease(c);
    await makeDue(c.creator.id, new Date(clock.now().getTime() - MINUTE));
    expect((await runPayouts(deps({ clock }), clock.now())).skipped).toBe(1);
    expect(await payoutsOf(c.creator.id)).toHaveLength(0);
    const skipped = await deps()
      .db.select()
      .from(payoutAudit)
      .where(and(eq(payoutAudit.creatorId, c.creator.id), eq(payoutAudit.action, 'SKIPPED')))
      .all();
    expect(skipped.map((s) => [s.reason, s.amount])).toEqual([['BELOW_MINIMUM', 17_000]]);
  });

  it('APPROVAL mode: the job only requests; admins are told; only an admin approves (then it is sent) or rejects (money back); an admin trigger is sent at once', async () => {
    await withSettings({ payoutMode: 'APPROVAL' }, async (admin) => {
      const c = await onboardedCreator();
      await earn(c, 1);
      const clock = await afterRelease(c);
      const d = deps({ clock });
      await makeDue(c.creator.id, new Date(clock.now().getTime() - MINUTE));
      await runPayouts(d, clock.now());
      const [p] = await payoutsOf(c.creator.id);
      expect(p).toMatchObject({ status: 'REQUESTED', amount: 8500, stripePayoutId: null });
      expect(await notificationsOf(admin.user.id, 'PAYOUT_REQUESTED')).not.toHaveLength(0);
      expect(await payoutEmailKinds(c.user.id)).toEqual(['requested']);
      await expectError(
        await api('POST', `/api/admin/payouts/${p.id}/approve`, undefined, { token: c.token }),
        403,
        'FORBIDDEN_ROLE',
      );
      const ok = await api('POST', `/api/admin/payouts/${p.id}/approve`, undefined, { token: admin.token });
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { payout: { status: string } }).payout.status).toBe('PROCESSING');
      await expectError(
        await api('POST', `/api/admin/payouts/${p.id}/approve`, undefined, { token: admin.token }),
        409,
        'PAYOUT_NOT_PENDING',
      );

      // A second one, rejected: the money stays on the creator's balance.
      await earn(c, 1);
      const clock2 = await afterRelease(c);
      const d2 = deps({ clock: clock2 });
      await makeDue(c.creator.id, new Date(clock2.now().getTime() - MINUTE));
      await runPayouts(d2, clock2.now());
      const second = (await payoutsOf(c.creator.id)).find((x) => x.status === 'REQUESTED')!;
      await expectError(
        await api('POST', `/api/admin/payouts/${second.id}/reject`, { reason: '' }, { token: admin.token }),
        400,
        'VALIDATION_ERROR',
      );
      expect(
        (
          await api(
            'POST',
            `/api/admin/payouts/${second.id}/reject`,
            { reason: 'Bank details under review' },
            { token: admin.token },
          )
        ).status,
      ).toBe(200);
      expect((await creatorBalances(d2, c.creator.id, clock2.now()))[0].available).toBe(8500);
      expect(await auditActions(second.id)).toEqual(['CREATED', 'REJECTED']);

      // An admin-triggered payout is approved by that admin and goes out at once, even in APPROVAL mode.
      const res = await api(
        'POST',
        `/api/admin/creators/${c.creator.id}/payouts`,
        { currency: 'EUR' },
        { token: admin.token },
      );
      expect(res.status).toBe(201);
      const triggered = (
        (await res.json()) as { payout: { id: string; status: string; origin: string; amount: number } }
      ).payout;
      expect(triggered).toMatchObject({ status: 'PROCESSING', origin: 'ADMIN', amount: 8500 });
      expect((await payoutRow(triggered.id)).approvedBy).toBe(admin.user.id);
    });
  });

  it('APPROVAL just chosen in another isolate: a payout opened here is not sent on the strength of a 30-second-old cached AUTOMATIC', async () => {
    const c = await onboardedCreator();
    await earn(c, 1);
    const clock = await afterRelease(c);
    expect((await getSettings(deps())).payoutMode).toBe('AUTOMATIC'); // cached here
    // Another isolate's admin switched modes: the row changed, this isolate's cache did not hear of it.
    await deps().db.update(platformSettings).set({ payoutMode: 'APPROVAL' }).where(eq(platformSettings.id, 1));
    try {
      expect((await getSettings(deps())).payoutMode).toBe('AUTOMATIC');
      const r = await openPayout(deps({ clock }), {
        creator: await creatorRow(c.creator.id),
        currency: 'EUR',
        origin: 'CREATOR',
        periodKey: 'cache',
      });
      expect(r.ok && r.payout).toMatchObject({ status: 'REQUESTED', stripePayoutId: null });
    } finally {
      await deps().db.update(platformSettings).set({ payoutMode: 'AUTOMATIC' }).where(eq(platformSettings.id, 1));
      await getSettings(deps(), { fresh: true });
    }
  });

  it('a failed payout returns the money, tells creator and admins, is retried on the next run; the third failure in a row blocks payouts and says so', async () => {
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
      expect(await payoutRow(open.id)).toMatchObject({
        status: 'FAILED',
        failureReason: 'The bank account details on file are incorrect.',
      });
      expect((await creatorBalances(d, c.creator.id, clock.now()))[0].available).toBe(8500);
      expect(await providerBalance(c.creator.stripeAccountId!)).toBe(8500);
      clock.advance(HOUR);
    }
    expect((await payoutsOf(c.creator.id)).map((p) => p.status)).toEqual(['FAILED', 'FAILED', 'FAILED']);
    expect(await notificationsOf(admin.user.id, 'PAYOUT_FAILED')).toHaveLength(3);
    const creatorNotes = await notificationsOf(c.user.id, 'PAYOUT_FAILED');
    expect(creatorNotes.map((n) => n.params.kind)).toEqual(['failed', 'failed', 'failed_blocked']);
    expect(await payoutEmailKinds(c.user.id)).toEqual(['sent', 'failed', 'sent', 'failed', 'sent', 'failed_blocked']);
    // The blocking is said by the failure notice itself, not a second "on hold" message.
    expect(await notificationsOf(c.user.id, 'PAYOUTS_BLOCKED')).toHaveLength(0);
    const blocked = await creatorRow(c.creator.id);
    expect(blocked.payoutsBlocked).toBe(true);
    expect(blocked.payoutBlockReason).toMatch(/3 payouts failed/);
    await runPayouts(d, clock.now());
    expect(await payoutsOf(c.creator.id)).toHaveLength(3);
    expect((await creatorEligibility(d, blocked, clock.now()))[0].reasons).toEqual(['BLOCKED']);
  });
});

describe('eligibility is checked again at approval and at sending', () => {
  it('blocking turns down the payouts waiting for approval (money back); approving for a creator without provider payouts is refused', async () => {
    await withSettings({ payoutMode: 'APPROVAL' }, async (admin) => {
      const c = await onboardedCreator();
      await earn(c, 2, 10_000);
      const clock = await afterRelease(c);
      const d = deps({ clock });
      const first = await openPayout(d, {
        creator: await creatorRow(c.creator.id),
        currency: 'EUR',
        origin: 'CREATOR',
        periodKey: 'a',
      });
      expect(first.ok && first.payout.status).toBe('REQUESTED');
      expect((await creatorBalances(d, c.creator.id, clock.now()))[0].available).toBe(0);

      // The provider turned payouts off (account.updated): approval is refused, nothing changes.
      await d.db.update(creators).set({ payoutsEnabled: false }).where(eq(creators.id, c.creator.id));
      const refused = await expectError(
        await api('POST', `/api/admin/payouts/${first.ok && first.payout.id}/approve`, undefined, {
          token: admin.token,
        }),
        422,
        'NOT_ELIGIBLE',
      );
      expect(refused.details).toEqual({ reasons: ['PAYOUTS_DISABLED'] });
      expect((await payoutRow(first.ok ? first.payout.id : '')).status).toBe('REQUESTED');
      await d.db.update(creators).set({ payoutsEnabled: true }).where(eq(creators.id, c.creator.id));

      expect(
        (
          await api(
            'POST',
            `/api/admin/creators/${c.creator.id}/payouts/block`,
            { reason: 'Identity check' },
            { token: admin.token },
          )
        ).status,
      ).toBe(200);
      const after = await payoutRow(first.ok ? first.payout.id : '');
      expect(after).toMatchObject({ status: 'REJECTED', rejectedReason: 'Payouts blocked: Identity check' });
      expect((await creatorBalances(d, c.creator.id, clock.now()))[0].available).toBe(17_000);
      expect(await accountBalance(d, bankAccount(c.creator.id))).toBe(0);
    });
  });

  it('an approved payout not sent yet is held while its creator is blocked, then sent once unblocked', async () => {
    const admin = await createAccount('ADMIN');
    const c = await onboardedCreator();
    await earn(c, 1);
    const clock = await afterRelease(c);
    const d = deps({ clock });
    await d.localPayments!.failNext('createPayout', 1, true); // the provider is down when it is opened
    const r = await openPayout(d, {
      creator: await creatorRow(c.creator.id),
      currency: 'EUR',
      origin: 'CREATOR',
      periodKey: 'held',
    });
    const id = r.ok ? r.payout.id : '';
    expect(await payoutRow(id)).toMatchObject({ status: 'APPROVED', stripePayoutId: null });
    await setPayoutsBlocked(d, await creatorRow(c.creator.id), admin.user.id, true, 'Fraud review');
    expect((await runPayouts(d, clock.now())).held).toBeGreaterThanOrEqual(1);
    await runPayouts(d, clock.now());
    expect(await payoutRow(id)).toMatchObject({ status: 'APPROVED', stripePayoutId: null });
    expect(await providerBalance(c.creator.stripeAccountId!)).toBe(8500); // nothing left the account
    await setPayoutsBlocked(d, await creatorRow(c.creator.id), admin.user.id, false, null);
    expect((await payoutRow(id)).status).toBe('PROCESSING');
    // Held once (not once per run), with the reason.
    expect(await auditActions(id)).toEqual(['CREATED', 'SEND_RETRY', 'HELD', 'PROCESSING']);
    const held = await d.db
      .select()
      .from(payoutAudit)
      .where(and(eq(payoutAudit.payoutId, id), eq(payoutAudit.action, 'HELD')))
      .get();
    expect(held).toMatchObject({ reason: 'BLOCKED' });
  });

  it('a refund booked after the request takes back part of the money: approving cancels the payout before the provider is asked, tells the creator in their language, and the next payout pays the rest', async () => {
    await withSettings({ payoutMode: 'APPROVAL' }, async (admin) => {
      const c = await onboardedCreator();
      const acct = c.creator.stripeAccountId!;
      const [first] = await earn(c, 2, 10_000);
      const clock = await afterRelease(c);
      const d = deps({ clock });
      const r = await openPayout(d, {
        creator: await creatorRow(c.creator.id),
        currency: 'EUR',
        origin: 'CREATOR',
        periodKey: 'overdrawn',
      });
      const id = r.ok ? r.payout.id : '';
      expect(await payoutRow(id)).toMatchObject({ status: 'REQUESTED', amount: 17_000 });
      // Half of the first call refunded while the payout waits: the provider takes 4,250 back from the connected account.
      await d.payments.refund({
        intentId: first.intentId,
        amount: 5_000,
        reverseTransfer: true,
        refundApplicationFee: true,
        metadata: { initiatedBy: 'ADMIN', reason: 'ADMIN' },
        idempotencyKey: `overdrawn:${first.intentId}`,
      });
      expect(await providerBalance(acct)).toBe(12_750);

      const approved = await approvePayout(d, id, admin.user);
      // Canceled, not refused by the provider for lack of funds (that would count as a failure towards blocking).
      expect(approved.ok && approved.payout).toMatchObject({
        status: 'CANCELED',
        stripePayoutId: null,
        failureReason: 'OVERDRAWN',
      });
      expect(await auditActions(id)).toEqual(['CREATED', 'APPROVED', 'CANCELED']);
      const step = await d.db
        .select()
        .from(payoutAudit)
        .where(and(eq(payoutAudit.payoutId, id), eq(payoutAudit.action, 'CANCELED')))
        .get();
      expect(step).toMatchObject({ reason: 'OVERDRAWN', context: { overdrawnBy: 4250 } });
      // The pages say why in the reader's language (the stored code never shows).
      const fr = await (await getPage(`/fr/creator/payouts/${id}`, c.token)).text();
      expect(fr).toContain('des remboursements ou un litige enregistrés depuis son ouverture en ont repris une partie');
      const enAdmin = await (await getPage(`/en/admin/payouts/${id}`, admin.token)).text();
      expect(enAdmin).toContain(
        'Canceled before it was sent: refunds or a dispute booked since it was opened took back part of this money.',
      );
      expect(fr + enAdmin).not.toMatch(/>\s*OVERDRAWN\s*</);
      expect(await providerBalance(acct)).toBe(12_750);
      expect((await creatorBalances(d, c.creator.id, clock.now()))[0]).toMatchObject({ available: 12_750, debt: 0 });
      expect((await notificationsOf(c.user.id, 'PAYOUT_FAILED')).map((n) => n.params.kind)).toEqual(['overdrawn']);
      expect((await payoutEmailKinds(c.user.id)).at(-1)).toBe('overdrawn');
      const email = await d.db
        .select()
        .from(emailLog)
        .where(and(eq(emailLog.userId, c.user.id), eq(emailLog.template, 'payout_update')))
        .orderBy(desc(sql`rowid`))
        .get();
      expect(email!.subject).toBe(
        c.user.locale === 'en'
          ? 'Payout of €170.00 canceled: your balance changed'
          : 'Versement de 170,00 € annulé : votre solde a changé',
      );

      // What is left is the creator's: the next payout pays exactly that, and the provider can.
      const next = await openPayout(d, {
        creator: await creatorRow(c.creator.id),
        currency: 'EUR',
        origin: 'ADMIN',
        periodKey: 'overdrawn-rest',
        actorUserId: admin.user.id,
      });
      expect(next.ok && next.payout).toMatchObject({ status: 'PROCESSING', amount: 12_750 });
      expect(await providerBalance(acct)).toBe(0);
    });
  });
});

describe('the payout audit trail', () => {
  it('records every step, admins read it (API and page), the creator reads the steps and reasons of their own payouts only', async () => {
    await withSettings({ payoutMode: 'APPROVAL' }, async (admin) => {
      const c = await onboardedCreator();
      const other = await onboardedCreator();
      await earn(c, 1);
      await deps()
        .db.update(payments)
        .set({ payoutReleaseAt: new Date(Date.now() - DAY) })
        .where(eq(payments.creatorId, c.creator.id));
      await deps()
        .db.update(ledgerEntries)
        .set({ availableAt: new Date(Date.now() - DAY) })
        .where(eq(ledgerEntries.creatorId, c.creator.id));
      const requested = await api('POST', '/api/creators/me/payouts', {}, { token: c.token });
      expect(requested.status).toBe(201);
      const { payout } = (await requested.json()) as { payout: { id: string } };
      await deps().localPayments!.failNext('createPayout', 1, true);
      expect(
        (
          (await (
            await api('POST', `/api/admin/payouts/${payout.id}/approve`, undefined, { token: admin.token })
          ).json()) as { payout: { status: string } }
        ).payout.status,
      ).toBe('APPROVED');
      await runPayouts(deps(), new Date());
      const sent = await payoutRow(payout.id);
      expect(sent.status).toBe('PROCESSING');
      await deps().localPayments!.settlePayout(c.creator.stripeAccountId!, sent.stripePayoutId!, 'paid');
      // Days later the bank sends it back.
      await deps().localPayments!.settlePayout(c.creator.stripeAccountId!, sent.stripePayoutId!, 'failed');

      const trail = (await (
        await api('GET', `/api/admin/payouts/${payout.id}/audit`, undefined, { token: admin.token })
      ).json()) as { items: { action: string; status: string; actorUserId: string | null; reason: string | null }[] };
      expect(trail.items.map((i) => i.action)).toEqual([
        'CREATED',
        'APPROVED',
        'SEND_RETRY',
        'PROCESSING',
        'PAID',
        'FAILED',
      ]);
      expect(trail.items.map((i) => i.status)).toEqual([
        'REQUESTED',
        'APPROVED',
        'APPROVED',
        'PROCESSING',
        'PAID',
        'FAILED',
      ]);
      expect(trail.items[1].actorUserId).toBe(admin.user.id);
      expect(trail.items[5].reason).toBe('The bank account details on file are incorrect.');
      await expectError(
        await api('GET', `/api/admin/payouts/${payout.id}/audit`, undefined, { token: c.token }),
        403,
        'FORBIDDEN_ROLE',
      );
      await expectError(
        await api('GET', '/api/admin/payouts/pyt_doesnotexist000/audit', undefined, { token: admin.token }),
        404,
        'PAYOUT_NOT_FOUND',
      );

      const mine = (await (
        await api('GET', `/api/creators/me/payouts/${payout.id}`, undefined, { token: c.token })
      ).json()) as { steps: { action: string; reason: string | null }[] };
      expect(mine.steps.map((s) => s.action)).toEqual([
        'CREATED',
        'APPROVED',
        'SEND_RETRY',
        'PROCESSING',
        'PAID',
        'FAILED',
      ]);
      expect(mine.steps[5].reason).toBe('The bank account details on file are incorrect.');
      await expectError(
        await api('GET', `/api/creators/me/payouts/${payout.id}`, undefined, { token: other.token }),
        404,
        'PAYOUT_NOT_FOUND',
      );

      const creatorPage = await (await getPage(`/en/creator/payouts/${payout.id}`, c.token)).text();
      expect(creatorPage.match(/data-step="/g)).toHaveLength(6);
      expect(creatorPage).toContain('Sent to the bank');
      expect(creatorPage).toContain('The bank account details on file are incorrect.');
      expect((await getPage(`/en/creator/payouts/${payout.id}`, other.token)).status).toBe(404);
      const adminPage = await (await getPage(`/en/admin/payouts/${payout.id}`, admin.token)).text();
      expect(adminPage).toContain('data-step="SEND_RETRY"');
      expect(adminPage).toContain(`by ${admin.user.name}`);
      expect((await getPage('/en/admin/payouts', admin.token)).status).toBe(200);

      // The bank's return: the money is back on the balance, the creator and admins are told.
      const [bal] = await creatorBalances(deps(), c.creator.id, new Date());
      expect(bal.available).toBe(8500);
      expect(await accountBalance(deps(), bankAccount(c.creator.id))).toBe(0);
      expect((await notificationsOf(c.user.id, 'PAYOUT_FAILED')).map((n) => n.params.kind)).toEqual(['returned']);
      expect(await notificationsOf(admin.user.id, 'PAYOUT_FAILED')).toHaveLength(1);
      expect(await payoutEmailKinds(c.user.id)).toEqual(['requested', 'sent', 'paid', 'returned']);
    });
  });
});

describe('settlement', () => {
  async function sentPayout() {
    const c = await onboardedCreator();
    await earn(c, 1);
    const clock = await afterRelease(c);
    const d = deps({ clock });
    const r = await openPayout(d, {
      creator: await creatorRow(c.creator.id),
      currency: 'EUR',
      origin: 'CREATOR',
      periodKey: 'settle',
    });
    if (!r.ok) throw new Error('not opened');
    return { c, clock, d, p: r.payout };
  }

  it('payout.canceled: canceled, the money back on the balance, the creator told, retried on the next run', async () => {
    const { c, clock, d, p } = await sentPayout();
    expect(p.status).toBe('PROCESSING');
    await d.localPayments!.settlePayout(c.creator.stripeAccountId!, p.stripePayoutId!, 'canceled');
    expect((await payoutRow(p.id)).status).toBe('CANCELED');
    expect((await creatorBalances(d, c.creator.id, clock.now()))[0].available).toBe(8500);
    expect(await providerBalance(c.creator.stripeAccountId!)).toBe(8500);
    expect((await notificationsOf(c.user.id, 'PAYOUT_FAILED')).map((n) => n.params.kind)).toEqual(['canceled']);
    expect((await creatorRow(c.creator.id)).nextPayoutAt).toEqual(clock.now());
    await runPayouts(d, clock.now());
    expect((await payoutsOf(c.creator.id)).map((x) => [x.status, x.amount])).toEqual([
      ['CANCELED', 8500],
      ['PROCESSING', 8500],
    ]);
  });

  it("a payout in transit for more than 5 days is asked about: settled from the provider's answer, or flagged once", async () => {
    const a = await sentPayout();
    const b = await sentPayout();
    // The bank answered for `a`, but the webhook never came.
    await a.d.localPayments!.settlePayout(a.c.creator.stripeAccountId!, a.p.stripePayoutId!, 'paid', {
      deliver: false,
    });
    expect((await payoutRow(a.p.id)).status).toBe('PROCESSING');
    const sentAt = Math.min(a.p.updatedAt.getTime(), b.p.updatedAt.getTime());
    const tick = new Date(Math.max(a.p.updatedAt.getTime(), b.p.updatedAt.getTime()));
    await runPayouts(
      deps({ clock: fixedClock(sentAt + STUCK_AFTER_MS - MINUTE) }),
      new Date(sentAt + STUCK_AFTER_MS - MINUTE),
    );
    expect((await payoutRow(a.p.id)).status).toBe('PROCESSING'); // not asked yet
    expect(await auditActions(b.p.id)).toEqual(['CREATED', 'PROCESSING']);
    const late = fixedClock(tick.getTime() + STUCK_AFTER_MS + HOUR);
    await runPayouts(deps({ clock: late }), late.now());
    expect((await payoutRow(a.p.id)).status).toBe('PAID');
    expect(await auditActions(a.p.id)).toEqual(['CREATED', 'PROCESSING', 'CHECKED', 'PAID']);
    await runPayouts(deps({ clock: late }), late.now());
    expect((await payoutRow(b.p.id)).status).toBe('PROCESSING');
    expect((await auditActions(b.p.id)).filter((x) => x === 'STUCK')).toHaveLength(1);
  });

  it("the reconciliation finds a missed payout.paid in the connected account's own events (the platform's list does not have it)", async () => {
    const { c, d, p } = await sentPayout();
    await d.localPayments!.settlePayout(c.creator.stripeAccountId!, p.stripePayoutId!, 'paid', { deliver: false });
    const since = Math.floor(Date.now() / 1000) - 3600;
    const platform = await d.payments.listEvents({ sinceSeconds: since });
    expect(
      platform.some((e) => e.type === 'payout.paid' && (e.data.object as { id: string }).id === p.stripePayoutId),
    ).toBe(false);
    const out = await reconcilePayments(deps());
    expect(out.accounts).toBeGreaterThanOrEqual(1);
    expect((await payoutRow(p.id)).status).toBe('PAID');
  });
});

describe("funds are released only once the call's outcome is decided", () => {
  it('with no holding period: nothing payable before the outcome; a creator no-show is refunded and never released; a completed call is', async () => {
    await withSettings({ holdingDays: 0 }, async () => {
      const c = await onboardedCreator();
      const [noShow, held] = await earn(c, 2, 10_000, { completed: false });
      const bookingOf = async (id: string) =>
        (await deps()
          .db.select({ s: payments.payoutReleaseAt, b: payments.bookingId })
          .from(payments)
          .where(eq(payments.bookingId, id))
          .get())!;
      const release = (await bookingOf(held.bookingId)).s!.getTime();
      const clock = fixedClock(Math.max(release, (await bookingOf(noShow.bookingId)).s!.getTime()) + 10 * MINUTE);
      const d = deps({ clock });
      // Past the booked end (+0 days) but no outcome yet: on hold, not payable.
      const e = (await creatorEligibility(d, await creatorRow(c.creator.id), clock.now()))[0];
      expect(e).toMatchObject({ available: 0, pending: 17_000, reasons: ['FUNDS_ON_HOLD'], nextReleaseAt: null });
      const refused = await openPayout(d, {
        creator: await creatorRow(c.creator.id),
        currency: 'EUR',
        origin: 'CREATOR',
        periodKey: 'early',
      });
      expect(refused).toMatchObject({ ok: false, code: 'NOT_ELIGIBLE' });

      // The outcome job: only the fan came to the first call; both came to the second.
      const times = async (id: string) => await bookingRow(id);
      const nb = await times(noShow.bookingId);
      const hb = await times(held.bookingId);
      const fanOf = nb.userId;
      await presence(noShow.bookingId, 'FAN', fanOf, nb.startsAt.getTime(), nb.endsAt.getTime());
      await presence(held.bookingId, 'FAN', hb.userId, hb.startsAt.getTime(), hb.endsAt.getTime());
      await presence(held.bookingId, 'CREATOR', c.user.id, hb.startsAt.getTime(), hb.endsAt.getTime());
      await settleCallOutcomes(d);
      expect((await times(noShow.bookingId)).outcome).toBe('CREATOR_NO_SHOW');
      expect((await times(held.bookingId)).outcome).toBe('COMPLETED');
      const [bal] = await creatorBalances(d, c.creator.id, clock.now());
      expect(bal).toMatchObject({ available: 8500, pending: 0, total: 8500 });
      const r = await openPayout(d, {
        creator: await creatorRow(c.creator.id),
        currency: 'EUR',
        origin: 'CREATOR',
        periodKey: 'after',
      });
      expect(r.ok && r.payout.amount).toBe(8500);
    });
  });
});

describe('creator requests and authorization', () => {
  it('a creator requests a payout of released funds (once); nothing left → 422 with the reasons', async () => {
    const c = await onboardedCreator();
    const early = (await (await api('GET', '/api/creators/me/payouts', undefined, { token: c.token })).json()) as {
      eligibility: { reasons: string[] }[];
    };
    expect(early.eligibility[0].reasons).toEqual(['NOTHING_TO_PAY']);
    await earn(c, 1);
    const held = (await (await api('GET', '/api/creators/me/payouts', undefined, { token: c.token })).json()) as {
      eligibility: { reasons: string[]; pending: number; nextReleaseAt: string }[];
    };
    expect(held.eligibility[0]).toMatchObject({ reasons: ['FUNDS_ON_HOLD'], pending: 8500 });
    expect(new Date(held.eligibility[0].nextReleaseAt).getTime()).toBeGreaterThan(Date.now() + 6 * DAY);
    const err = await expectError(
      await api('POST', '/api/creators/me/payouts', {}, { token: c.token }),
      422,
      'NOT_ELIGIBLE',
    );
    expect((err.details as { reasons: string[] }).reasons).toEqual(['FUNDS_ON_HOLD']);

    // Released: two simultaneous requests pay once.
    const clock = await afterRelease(c);
    const d = deps({ clock });
    const creator = await creatorRow(c.creator.id);
    const both = await Promise.all(
      [1, 2].map((i) => openPayout(d, { creator, currency: 'EUR', origin: 'CREATOR', periodKey: `race-${i}` })),
    );
    expect(both.filter((r) => r.ok && r.created)).toHaveLength(1);
    expect(await payoutsOf(c.creator.id)).toHaveLength(1);
    expect(await accountBalance(d, bankAccount(c.creator.id))).toBe(8500);
  });

  it('creators see only their own money; fans none; admin routes are admin-only', async () => {
    const c = await onboardedCreator();
    const [fan] = await fans(1);
    await expectError(
      await api('GET', '/api/creators/me/payouts', undefined, { token: fan.token }),
      403,
      'FORBIDDEN_ROLE',
    );
    await expectError(
      await api('GET', '/api/creators/me/finances', undefined, { token: fan.token }),
      403,
      'FORBIDDEN_ROLE',
    );
    await expectError(await api('GET', '/api/admin/payouts', undefined, { token: c.token }), 403, 'FORBIDDEN_ROLE');
    await expectError(
      await api('PUT', '/api/admin/settings', { platformFeeBps: 0 }, { token: c.token }),
      403,
      'FORBIDDEN_ROLE',
    );
    await expectError(
      await api('POST', `/api/admin/creators/${c.creator.id}/payouts/block`, { reason: 'nope' }, { token: c.token }),
      403,
      'FORBIDDEN_ROLE',
    );
    const saved = await api(
      'PUT',
      '/api/creators/me/payout-settings',
      { schedule: 'WEEKLY', weekday: 5, minimum: 5000 },
      { token: c.token },
    );
    expect(((await saved.json()) as { settings: { schedule: string; nextPayoutAt: string } }).settings).toMatchObject({
      schedule: 'WEEKLY',
    });
    await expectError(
      await api('PUT', '/api/creators/me/payout-settings', { schedule: 'HOURLY' }, { token: c.token }),
      400,
      'VALIDATION_ERROR',
    );
    const e = (await creatorEligibility(deps(), await creatorRow(c.creator.id)))[0];
    expect(e.minimum).toBe(5000);
  });

  it('admins change platform settings, audited, and block / unblock a creator (who is told)', async () => {
    const admin = await createAccount('ADMIN');
    const c = await onboardedCreator();
    const before = await getSettings(deps(), { fresh: true });
    const res = await api(
      'PUT',
      '/api/admin/settings',
      { holdingDays: 3, minPayout: { GBP: 2000 } },
      { token: admin.token },
    );
    expect(res.status).toBe(200);
    expect(
      ((await res.json()) as { settings: { holdingDays: number; minPayout: Record<string, number> } }).settings,
    ).toMatchObject({ holdingDays: 3, minPayout: { ...before.minPayout, GBP: 2000 } });
    await expectError(
      await api('PUT', '/api/admin/settings', { platformFeeBps: 9000 }, { token: admin.token }),
      400,
      'VALIDATION_ERROR',
    );
    await api(
      'PUT',
      '/api/admin/settings',
      { holdingDays: before.holdingDays, minPayout: before.minPayout },
      { token: admin.token },
    );
    expect(
      (
        await api(
          'POST',
          `/api/admin/creators/${c.creator.id}/payouts/block`,
          { reason: 'Identity check' },
          { token: admin.token },
        )
      ).status,
    ).toBe(200);
    expect((await creatorRow(c.creator.id)).payoutsBlocked).toBe(true);
    expect(await notificationsOf(c.user.id, 'PAYOUTS_BLOCKED')).toHaveLength(1);
    expect(
      (await api('POST', `/api/admin/creators/${c.creator.id}/payouts/unblock`, undefined, { token: admin.token }))
        .status,
    ).toBe(200);
    expect((await creatorRow(c.creator.id)).payoutsBlocked).toBe(false);
  });
});

describe('admin pages', () => {
  it('in APPROVAL mode the admin page lists the request and approves it; only admins get the pages', async () => {
    await withSettings({ payoutMode: 'APPROVAL' }, async (admin) => {
      const c = await onboardedCreator();
      await earn(c, 1);
      await deps()
        .db.update(ledgerEntries)
        .set({ availableAt: new Date(Date.now() - DAY) })
        .where(eq(ledgerEntries.creatorId, c.creator.id));
      const requested = await postPage('/en/creator/payouts/request', c.token, { currency: 'EUR' });
      expect(requested.status).toBe(303);
      const [p] = await payoutsOf(c.creator.id);
      expect(p.status).toBe('REQUESTED');
      expect((await getPage('/en/admin/payouts', c.token)).status).toBe(403);
      expect((await getPage(`/en/admin/payouts/${p.id}`, c.token)).status).toBe(403);
      const adminHtml = await (await getPage('/en/admin/payouts', admin.token)).text();
      expect(adminHtml).toContain(`data-payout="${p.id}"`);
      expect((await postPage(`/en/admin/payouts/${p.id}/approve`, admin.token, {})).status).toBe(303);
      expect((await payoutsOf(c.creator.id))[0].status).toBe('PROCESSING');
      // The local provider's bank answers from the admin page.
      expect((await postPage(`/en/admin/payouts/${p.id}/simulate`, admin.token, { outcome: 'paid' })).status).toBe(303);
      expect((await payoutsOf(c.creator.id))[0].status).toBe('PAID');
    });
  });

  it('the settings page saves (audited, shown in its history) and refuses nonsense', async () => {
    const admin = await createAccount('ADMIN');
    const before = await getSettings(deps(), { fresh: true });
    const form = {
      platformFeeBps: '1200',
      holdingDays: String(before.holdingDays),
      holdMinutes: String(before.holdMinutes),
      payoutMode: 'AUTOMATIC',
      min_EUR: '10',
      min_CHF: '10',
      min_USD: '10',
      min_GBP: '10',
    };
    expect((await postPage('/en/admin/settings', admin.token, form)).status).toBe(303);
    expect((await getSettings(deps(), { fresh: true })).platformFeeBps).toBe(1200);
    const html = await (await getPage('/en/admin/settings', admin.token)).text();
    expect(html).toContain('platformFeeBps: 1500 → 1200');
    await postPage('/en/admin/settings', admin.token, { ...form, platformFeeBps: '99999' });
    expect((await getSettings(deps(), { fresh: true })).platformFeeBps).toBe(1200);
    await postPage('/en/admin/settings', admin.token, { ...form, platformFeeBps: String(before.platformFeeBps) });
  });
});
