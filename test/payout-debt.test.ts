/**
 * Creator debt moves real money: a lost dispute's (or a short refund's) debt is taken back from the
 * creator's connected account at the provider — reversing the charge's own transfer first, then,
 * before a payout, the creator's other released transfers (PAYOUT_DEDUCTION), else an admin settles
 * it — whoever opens the payout. Each step is written before the provider is asked and booked only
 * after it succeeded; after every scenario the books agree with the provider's balance.
 */
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { debtRecoveries, disputes, ledgerEntries, payments, refunds } from '../src/db/schema';
import type { Deps } from '../src/deps';
import { creatorBalances } from '../src/domain/ledger/ledger';
import { RECEIVABLE, recoverCreatorDebts } from '../src/domain/payouts/debt';
import { openPayout } from '../src/domain/payouts/engine';
import { runPayouts } from '../src/domain/payouts/job';
import { DAY, MINUTE } from '../src/lib/clock';
import { api, createAccount, deps, expectError, getPage } from './helpers';
import {
  afterRelease,
  booksVsProvider,
  creatorRow,
  earn,
  makeDue,
  payoutsOf,
  transferReversed,
} from './payout-helpers';
import { onboardedCreator, type CreatorScenario } from './scenarios';

const paymentOf = async (d: Deps, intentId: string) =>
  (await d.db.select().from(payments).where(eq(payments.intentId, intentId)).get())!;
const disputeRow = async (d: Deps, id: string) =>
  (await d.db.select().from(disputes).where(eq(disputes.id, id)).get())!;
const recoveriesOf = (d: Deps, disputeId: string) =>
  d.db
    .select()
    .from(debtRecoveries)
    .where(eq(debtRecoveries.disputeId, disputeId))
    .orderBy(debtRecoveries.createdAt)
    .all();
const receivableOf = async (d: Deps, col: 'disputeId' | 'refundId', id: string) =>
  (
    await d.db
      .select()
      .from(ledgerEntries)
      .where(and(eq(ledgerEntries[col], id), eq(ledgerEntries.account, RECEIVABLE)))
      .all()
  ).reduce((s, e) => s + e.amount, 0);

async function lostDispute(d: Deps, intentId: string) {
  const p = await paymentOf(d, intentId);
  const dsp = await d.localPayments!.openDispute(p.chargeId!, 'fraudulent');
  await d.localPayments!.updateDispute(dsp, 'lost');
  return (await d.db.select().from(disputes).where(eq(disputes.stripeDisputeId, dsp)).get())!;
}

async function expectBooksMatch(d: Deps, c: CreatorScenario) {
  const v = await booksVsProvider(d, c.creator.id, c.creator.stripeAccountId!);
  expect(v.provider).toBe(v.books);
  expect(v.provider).toBeGreaterThanOrEqual(0);
}

describe("step 1: the charge's own transfer", () => {
  it("a lost dispute is recovered by reversing the disputed charge's transfer at the provider, at once", async () => {
    const c = await onboardedCreator();
    const [a] = await earn(c, 1);
    const d = deps();
    const dsp = await lostDispute(d, a.intentId);
    expect(await disputeRow(d, dsp.id)).toMatchObject({
      status: 'LOST',
      creatorDebt: 8500,
      reconciledBy: 'TRANSFER_REVERSAL',
    });
    expect(await transferReversed(d, a.intentId)).toBe(8500);
    const [r] = await recoveriesOf(d, dsp.id);
    expect(r).toMatchObject({
      method: 'TRANSFER_REVERSAL',
      status: 'SUCCEEDED',
      amount: 8500,
      idempotencyKey: `debt:dispute:${dsp.id}:1`,
    });
    expect(r.providerReversalId).toMatch(/^trr_local_/);
    expect(await receivableOf(d, 'disputeId', dsp.id)).toBe(0);
    await expectBooksMatch(d, c);
  });

  it('an admin-triggered payout tries the disputed transfer again first (refused at the dispute), before deducting anything', async () => {
    const c = await onboardedCreator();
    const [a] = await earn(c, 2);
    const clock = await afterRelease(c);
    const d = deps({ clock });
    await d.localPayments!.failNext('reverseTransfer', 1, false);
    const dsp = await lostDispute(d, a.intentId);
    expect(await disputeRow(d, dsp.id)).toMatchObject({ reconciledAt: null });
    expect((await recoveriesOf(d, dsp.id)).map((r) => [r.method, r.status])).toEqual([['TRANSFER_REVERSAL', 'FAILED']]);
    const admin = await createAccount('ADMIN');
    const r = await openPayout(d, {
      creator: await creatorRow(c.creator.id),
      currency: 'EUR',
      origin: 'ADMIN',
      periodKey: 'admin-1',
      actorUserId: admin.user.id,
    });
    expect(r.ok && r.payout).toMatchObject({ amount: 8500, debtDeducted: 0, status: 'PROCESSING' });
    expect(await disputeRow(d, dsp.id)).toMatchObject({ reconciledBy: 'TRANSFER_REVERSAL' });
    expect(await transferReversed(d, a.intentId)).toBe(8500);
    await expectBooksMatch(d, c);
  });
});

describe('step 2: deducted from the next payout', () => {
  it("a creator's request: the other released transfer is reversed for the debt, then the rest is paid out", async () => {
    const c = await onboardedCreator();
    const [a, b] = await earn(c, 2);
    const clock = await afterRelease(c);
    const d = deps({ clock });
    await d.localPayments!.failNext('reverseTransfer', 2, false); // the disputed transfer cannot be reversed (twice)
    const dsp = await lostDispute(d, a.intentId);
    expect((await creatorBalances(d, c.creator.id, clock.now()))[0].available).toBe(8500); // 2 × 8,500 − 8,500 held
    const res = await openPayout(d, {
      creator: await creatorRow(c.creator.id),
      currency: 'EUR',
      origin: 'CREATOR',
      periodKey: 'req-1',
    });
    const p = res.ok ? res.payout : null;
    expect(p).toMatchObject({ amount: 8500, debtDeducted: 8500, status: 'PROCESSING' });
    expect(await transferReversed(d, a.intentId)).toBe(0);
    expect(await transferReversed(d, b.intentId)).toBe(8500);
    expect((await recoveriesOf(d, dsp.id)).map((r) => [r.method, r.status, r.payoutId])).toEqual([
      ['TRANSFER_REVERSAL', 'FAILED', null],
      ['TRANSFER_REVERSAL', 'FAILED', null],
      ['PAYOUT_DEDUCTION', 'SUCCEEDED', p!.id],
    ]);
    expect(await disputeRow(d, dsp.id)).toMatchObject({ reconciledBy: 'PAYOUT_DEDUCTION' });
    expect(await receivableOf(d, 'disputeId', dsp.id)).toBe(0);
    await expectBooksMatch(d, c);
    const page = await (await getPage('/en/creator/payouts', c.token)).text();
    expect(page).toContain('of which €85.00 debt withheld');
  });

  it('recorded only once the provider succeeded: an outage leaves it pending, the next run replays the same key once', async () => {
    const c = await onboardedCreator();
    const [a, b] = await earn(c, 2);
    const clock = await afterRelease(c);
    const d = deps({ clock });
    await d.localPayments!.failNext('reverseTransfer', 2, false);
    await d.localPayments!.failNext('reverseTransfer', 1, true); // the deduction meets an outage
    const dsp = await lostDispute(d, a.intentId);
    const res = await openPayout(d, {
      creator: await creatorRow(c.creator.id),
      currency: 'EUR',
      origin: 'CREATOR',
      periodKey: 'req-2',
    });
    expect(res.ok && res.payout).toMatchObject({ amount: 8500, debtDeducted: 0 });
    const pending = (await recoveriesOf(d, dsp.id)).find((r) => r.method === 'PAYOUT_DEDUCTION')!;
    expect(pending.status).toBe('PENDING');
    expect(await receivableOf(d, 'disputeId', dsp.id)).toBe(8500); // nothing booked yet
    expect(await transferReversed(d, b.intentId)).toBe(0);
    await expectBooksMatch(d, c);

    await runPayouts(d, clock.now());
    await recoverCreatorDebts(d, c.creator.id, 'EUR', { deduct: true }); // nothing left to do: no second reversal
    const after = await recoveriesOf(d, dsp.id);
    expect(after.filter((r) => r.status === 'SUCCEEDED').map((r) => [r.id, r.idempotencyKey])).toEqual([
      [pending.id, pending.idempotencyKey],
    ]);
    expect(await transferReversed(d, b.intentId)).toBe(8500);
    expect(
      (
        await d.db
          .select()
          .from(ledgerEntries)
          .where(eq(ledgerEntries.txId, `debt-recovery:${pending.id}`))
          .all()
      )
        .map((e) => e.amount)
        .sort(),
    ).toEqual([-8500, 8500]);
    expect(await disputeRow(d, dsp.id)).toMatchObject({ reconciledBy: 'PAYOUT_DEDUCTION' });
    await expectBooksMatch(d, c);
  });

  it("the job: nothing to pay out, but the debt is taken from released earnings at the creator's slot", async () => {
    const c = await onboardedCreator();
    const [a] = await earn(c, 1);
    const clock = await afterRelease(c);
    const d = deps({ clock });
    // The share was paid out before the dispute came in: the account is empty, nothing to reverse.
    const paid = await openPayout(d, {
      creator: await creatorRow(c.creator.id),
      currency: 'EUR',
      origin: 'CREATOR',
      periodKey: 'before',
    });
    expect(paid.ok && paid.payout.amount).toBe(8500);
    const dsp = await lostDispute(d, a.intentId);
    expect(await recoveriesOf(d, dsp.id)).toHaveLength(0);
    expect((await creatorBalances(d, c.creator.id, clock.now()))[0]).toMatchObject({ debt: 8500 });
    await expectBooksMatch(d, c);
    // New earnings, released; the disputed transfer still cannot be reversed.
    const [b] = await earn(c, 1);
    const later = await afterRelease(c);
    const d2 = deps({ clock: later });
    await d2.localPayments!.failNext('reverseTransfer', 2, false);
    await makeDue(c.creator.id, new Date(later.now().getTime() - MINUTE));
    expect((await runPayouts(d2, later.now())).deducted).toBeGreaterThanOrEqual(8500);
    expect(await payoutsOf(c.creator.id)).toHaveLength(1); // nothing left to pay
    expect(await transferReversed(d2, b.intentId)).toBe(8500);
    expect(await disputeRow(d2, dsp.id)).toMatchObject({ reconciledBy: 'PAYOUT_DEDUCTION' });
    expect((await creatorBalances(d2, c.creator.id, later.now()))[0]).toMatchObject({ available: 0, debt: 0 });
    await expectBooksMatch(d2, c);
  });
});

describe('refunds say whether the transfer came back', () => {
  it('a refund whose transfer was already taken back records the shortfall as debt, recovered later from new earnings', async () => {
    const c = await onboardedCreator();
    const [a, b] = await earn(c, 2);
    const clock = await afterRelease(c);
    const d = deps({ clock });
    // A normal refund gives back the transfer: reconciled by transfer reversal.
    await d.payments.refund({
      intentId: a.intentId,
      amount: 2000,
      reverseTransfer: true,
      refundApplicationFee: true,
      metadata: { initiatedBy: 'ADMIN', reason: 'ADMIN' },
      idempotencyKey: `t-refund-a:${a.intentId}`,
    });
    const ra = (await d.db
      .select()
      .from(refunds)
      .where(eq(refunds.paymentId, (await paymentOf(d, a.intentId)).id))
      .get())!;
    expect(ra).toMatchObject({ reconciledBy: 'TRANSFER_REVERSAL', creatorDebt: 1700, transferReversed: 1700 });
    expect(ra.reversalId).toMatch(/^trr_local_/);

    // B's transfer goes to recover a lost dispute on A (A's own transfer refused)…
    await d.localPayments!.failNext('reverseTransfer', 2, false);
    const dsp = await lostDispute(d, a.intentId);
    await openPayout(d, {
      creator: await creatorRow(c.creator.id),
      currency: 'EUR',
      origin: 'CREATOR',
      periodKey: 'req-3',
    });
    expect(await disputeRow(d, dsp.id)).toMatchObject({ reconciledBy: 'PAYOUT_DEDUCTION' });
    expect(await transferReversed(d, b.intentId)).toBe(8500);
    // …then B is refunded: nothing is left on its transfer, so the provider takes nothing back.
    await d.payments.refund({
      intentId: b.intentId,
      amount: 10_000,
      reverseTransfer: true,
      refundApplicationFee: true,
      metadata: { initiatedBy: 'ADMIN', reason: 'ADMIN' },
      idempotencyKey: `t-refund-b:${b.intentId}`,
    });
    const rb = (await d.db
      .select()
      .from(refunds)
      .where(eq(refunds.paymentId, (await paymentOf(d, b.intentId)).id))
      .get())!;
    expect(rb).toMatchObject({
      reconciledBy: null,
      reconciledAt: null,
      creatorDebt: 8500,
      transferReversed: 0,
      reversalId: null,
    });
    expect(await receivableOf(d, 'refundId', rb.id)).toBe(8500);
    await expectBooksMatch(d, c);
    const admin = await createAccount('ADMIN');
    expect(await (await getPage('/en/admin/payouts', admin.token)).text()).toContain(`data-debt="${rb.id}"`);

    // New earnings: the refund's debt is deducted from them at the creator's slot.
    await earn(c, 1);
    const later = await afterRelease(c);
    const d2 = deps({ clock: later });
    await makeDue(c.creator.id, new Date(later.now().getTime() - MINUTE));
    await runPayouts(d2, later.now());
    expect(await d2.db.select().from(refunds).where(eq(refunds.id, rb.id)).get()).toMatchObject({
      reconciledBy: 'PAYOUT_DEDUCTION',
    });
    expect(await receivableOf(d2, 'refundId', rb.id)).toBe(0);
    await expectBooksMatch(d2, c);
  });
});

describe('step 3: settled by an admin', () => {
  it('records what is left as settled outside the platform (ledger, audit); refused while a recovery is in flight', async () => {
    const c = await onboardedCreator();
    const [a] = await earn(c, 1);
    const d = deps();
    await d.localPayments!.failNext('reverseTransfer', 1, true); // the reversal at the dispute meets an outage
    const dsp = await lostDispute(d, a.intentId);
    expect((await recoveriesOf(d, dsp.id)).map((r) => r.status)).toEqual(['PENDING']);
    const admin = await createAccount('ADMIN');
    await expectError(
      await api(
        'POST',
        `/api/admin/disputes/${dsp.id}/settle-debt`,
        { note: 'Paid by bank transfer' },
        { token: admin.token },
      ),
      409,
      'DEBT_RECOVERY_IN_PROGRESS',
    );
    // The replay is refused for good this time: the debt stays, and now an admin can settle it.
    await d.db.update(debtRecoveries).set({ status: 'FAILED' }).where(eq(debtRecoveries.disputeId, dsp.id));
    await expectError(
      await api(
        'POST',
        `/api/admin/disputes/${dsp.id}/settle-debt`,
        { note: 'Paid by bank transfer' },
        { token: c.token },
      ),
      403,
      'FORBIDDEN_ROLE',
    );
    const ok = await api(
      'POST',
      `/api/admin/disputes/${dsp.id}/settle-debt`,
      { note: 'Paid by bank transfer' },
      { token: admin.token },
    );
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ settled: true, amount: 8500 });
    await expectError(
      await api('POST', `/api/admin/disputes/${dsp.id}/settle-debt`, { note: 'again' }, { token: admin.token }),
      409,
      'DEBT_NOT_OUTSTANDING',
    );
    await expectError(
      await api(
        'POST',
        '/api/admin/refunds/ref_doesnotexist0000/settle-debt',
        { note: 'nothing' },
        { token: admin.token },
      ),
      404,
      'REFUND_NOT_FOUND',
    );
    expect(await disputeRow(d, dsp.id)).toMatchObject({ reconciledBy: 'MANUAL' });
    expect((await creatorBalances(d, c.creator.id, new Date(Date.now() + 400 * DAY)))[0].total).toBe(8500);
    await expectBooksMatch(d, c);
  });
});
