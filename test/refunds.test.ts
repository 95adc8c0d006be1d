/**
 * Refunds (built-in provider): a decided refund is written down as owed before the provider is
 * asked and retried with the same key until issued; the refund row carries who asked and why
 * whichever of our call and the webhook records it first; and it follows the provider's status
 * (pending → succeeded, succeeded → failed: reversed), exactly once under duplicates.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  cronRuns,
  ledgerEntries,
  localStripeObjects,
  notifications,
  owedRefunds,
  refunds,
  type Payment,
} from '../src/db/schema';
import type { Deps } from '../src/deps';
import { cancelBooking } from '../src/domain/booking/cancel';
import { creatorBalances, paymentLedgerSum } from '../src/domain/ledger/ledger';
import { decideRefund } from '../src/domain/payments/refund-policy';
import { issueRefund, nextAttemptAt, oweRefund, recordRefund, refundable } from '../src/domain/payments/refunds';
import { runJob } from '../src/jobs/run-job';
import { fixedClock, MINUTE } from '../src/lib/clock';
import { api, createAccount, deps, expectError, getPage, paymentOf, bookingRow } from './helpers';
import { confirmedBooking } from './scenarios';

const owedOf = async (bookingId: string) =>
  deps().db.select().from(owedRefunds).where(eq(owedRefunds.bookingId, bookingId)).all();
const refundsOf = async (paymentId: string) =>
  deps().db.select().from(refunds).where(eq(refunds.paymentId, paymentId)).all();
const notes = async (userId: string, type: string) =>
  (
    await deps()
      .db.select()
      .from(notifications)
      .where(and(eq(notifications.userId, userId), eq(notifications.type, type)))
      .all()
  ).length;
/** What the built-in provider holds: its refunds of this intent and the idempotency key each was created with. */
const providerRefunds = async (intentId: string) =>
  (await deps().db.select().from(localStripeObjects).where(eq(localStripeObjects.type, 'refund')).all())
    .filter((r) => (r.data as { payment_intent: string }).payment_intent === intentId)
    .map((r) => ({
      key: r.idempotencyKey,
      id: r.id,
      status: (r.data as { status: string }).status,
      amount: (r.data as { amount: number }).amount,
    }));

/** Deps whose clock is `ms` ahead (the retry job's later ticks). */
const later = (ms: number) => deps({ clock: fixedClock(Date.now() + ms) });

describe('an owed refund is retried with the same key until the provider takes it', () => {
  it('a cancellation whose refund fails stays cancelled with the refund owed; the job retries it (same key) until issued; admins see it and are told when it is stuck', async () => {
    const s = await confirmedBooking({ startsInMinutes: 3 * 24 * 60, price: 10_000 });
    const admin = await createAccount('ADMIN', { passwordHash: null });
    await deps().localPayments!.failNext('refund', 3, true); // an outage: the call, then two job runs fail
    const res = await api(
      'POST',
      `/api/bookings/${s.bookingId}/cancel`,
      { reason: 'Cannot make it' },
      { token: s.fan.token },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ refunded: 10_000, refundPending: true, booking: { status: 'CANCELLED' } });
    const [owed] = await owedOf(s.bookingId);
    expect(owed).toMatchObject({
      status: 'OWED',
      kind: 'CANCELLATION',
      amount: 10_000,
      idempotencyKey: `${s.bookingId}:cancel`,
      reason: 'FAN_CANCELLED_EARLY',
      note: 'Cannot make it',
      initiatedBy: 'FAN',
      actorUserId: s.fan.user.id,
      attempts: 1,
    });
    expect(owed.nextAttemptAt!.getTime() - owed.lastAttemptAt!.getTime()).toBe(5 * MINUTE);
    expect((await paymentOf(s.bookingId)).refundedAmount).toBe(0);
    expect(await providerRefunds(s.intentId)).toEqual([]);
    // The fan's booking page says the refund is on its way; admins list it.
    expect(await (await getPage(`/en/bookings/${s.bookingId}`, s.fan.token)).text()).toContain('data-refund-pending');
    const listed = (await (await api('GET', '/api/admin/owed-refunds', undefined, { token: admin.token })).json()) as {
      items: { id: string; status: string; attempts: number }[];
    };
    expect(listed.items.find((i) => i.id === owed.id)).toMatchObject({ status: 'OWED', attempts: 1 });
    expect(await (await getPage('/en/admin/disputes', admin.token)).text()).toContain(`data-owed-refund="${owed.id}"`);

    // Not due yet: the job leaves it alone.
    const early = await runJob(later(MINUTE), 'refund-retry', new Date(Date.now() + MINUTE), 'MANUAL');
    expect(early).toMatchObject({ status: 'SUCCESS', counts: { issued: 0, stillOwed: 0 } });
    // Due: attempt 2 fails (next in 10 min), attempt 3 fails and admins are told it is stuck.
    expect(await runJob(later(6 * MINUTE), 'refund-retry', new Date(Date.now() + 6 * MINUTE), 'CRON')).toMatchObject({
      counts: { stillOwed: 1 },
    });
    const second = (await owedOf(s.bookingId))[0];
    expect(second).toMatchObject({ status: 'OWED', attempts: 2 });
    expect(second.nextAttemptAt!.getTime() - second.lastAttemptAt!.getTime()).toBe(10 * MINUTE);
    expect(await notes(admin.user.id, 'REFUND_DELAYED')).toBe(0);
    expect(await runJob(later(17 * MINUTE), 'refund-retry', new Date(Date.now() + 17 * MINUTE), 'CRON')).toMatchObject({
      counts: { stillOwed: 1 },
    });
    expect(await notes(admin.user.id, 'REFUND_DELAYED')).toBe(1);
    // Attempt 4 goes through: one refund at the provider, with the cancellation's key.
    expect(await runJob(later(60 * MINUTE), 'refund-retry', new Date(Date.now() + 60 * MINUTE), 'CRON')).toMatchObject({
      counts: { issued: 1 },
    });
    expect(await providerRefunds(s.intentId)).toEqual([
      expect.objectContaining({ key: `refund:${s.bookingId}:cancel`, amount: 10_000, status: 'succeeded' }),
    ]);
    const p = await paymentOf(s.bookingId);
    expect(p).toMatchObject({ refundedAmount: 10_000, status: 'REFUNDED' });
    const [row] = await refundsOf(p.id);
    expect(row).toMatchObject({
      amount: 10_000,
      status: 'SUCCEEDED',
      initiatedBy: 'FAN',
      actorUserId: s.fan.user.id,
      reason: 'FAN_CANCELLED_EARLY: Cannot make it',
    });
    expect((await owedOf(s.bookingId))[0]).toMatchObject({ status: 'ISSUED', refundId: row.id, attempts: 3 });
    expect(await paymentLedgerSum(deps(), p.id)).toBe(0);
    expect(await notes(s.fan.user.id, 'REFUND_ISSUED')).toBe(1);
    expect(await notes(s.c.user.id, 'REFUND_ISSUED')).toBe(1);
    // Every run left its cron-run row; running again changes nothing.
    expect(
      (await deps().db.select().from(cronRuns).where(eq(cronRuns.job, 'refund-retry')).all()).length,
    ).toBeGreaterThanOrEqual(4);
    expect(
      await runJob(later(600 * MINUTE), 'refund-retry', new Date(Date.now() + 600 * MINUTE), 'CRON'),
    ).toMatchObject({ counts: { issued: 0, stillOwed: 0 } });
    expect(await refundsOf(p.id)).toHaveLength(1);
  });

  it('backs off 5, 10, 20 … minutes, never more than 6 hours', () => {
    const t0 = new Date('2026-03-01T10:00:00Z');
    expect([1, 2, 3, 4, 7, 8, 30].map((n) => (nextAttemptAt(t0, n).getTime() - t0.getTime()) / MINUTE)).toEqual([
      5, 10, 20, 40, 320, 360, 360,
    ]);
  });

  it('a refusal the provider will repeat makes it FAILED (admins told); an admin retries it once the cause is fixed', async () => {
    const s = await confirmedBooking({ startsInMinutes: 3 * 24 * 60, price: 8000 });
    const admin = await createAccount('ADMIN', { passwordHash: null });
    await deps().localPayments!.failNext('refund', 1, false);
    const res = await api('POST', `/api/bookings/${s.bookingId}/cancel`, {}, { token: s.c.token });
    expect(await res.json()).toMatchObject({ refunded: 8000, refundPending: true });
    const [owed] = await owedOf(s.bookingId);
    expect(owed).toMatchObject({
      status: 'FAILED',
      initiatedBy: 'CREATOR',
      actorUserId: s.c.user.id,
      nextAttemptAt: null,
    });
    expect(await notes(admin.user.id, 'REFUND_FAILED')).toBe(1);
    // The job does not hammer a refusal.
    expect(await runJob(later(60 * MINUTE), 'refund-retry', new Date(Date.now() + 60 * MINUTE), 'CRON')).toMatchObject({
      counts: { issued: 0, failed: 0 },
    });
    await expectError(
      await api('POST', `/api/admin/owed-refunds/${owed.id}/retry`, undefined, { token: s.fan.token }),
      403,
      'FORBIDDEN_ROLE',
    );
    const retried = await api('POST', `/api/admin/owed-refunds/${owed.id}/retry`, undefined, { token: admin.token });
    expect(await retried.json()).toMatchObject({ status: 'ISSUED', amount: 8000 });
    expect((await owedOf(s.bookingId))[0]).toMatchObject({ status: 'ISSUED' });
    expect((await paymentOf(s.bookingId)).refundedAmount).toBe(8000);
    await expectError(
      await api('POST', `/api/admin/owed-refunds/${owed.id}/retry`, undefined, { token: admin.token }),
      409,
      'NOT_RETRYABLE',
    );
  });

  it('a crash between the refund being written down and the cancellation: the job makes it due if the booking was cancelled by that person, voids it otherwise', async () => {
    const a = await confirmedBooking({ startsInMinutes: 3 * 24 * 60, price: 6000 });
    const b = await confirmedBooking({ startsInMinutes: 3 * 24 * 60, price: 6000 });
    const d = deps();
    // What cancelBooking writes before calling the OfferRoom; then (a) the cancellation happened and the worker died, (b) it never happened.
    const prepare = async (s: typeof a) =>
      oweRefund(
        d,
        await paymentOf(s.bookingId),
        6000,
        decideRefund({ kind: 'CREATOR_CANCELLED' }, 6000),
        { initiatedBy: 'CREATOR', actorUserId: s.c.user.id, key: `${s.bookingId}:cancel`, kind: 'CANCELLATION' },
        'PREPARED',
      );
    await prepare(a);
    await prepare(b);
    expect(
      (
        await d.rooms
          .offer(a.offer.id)
          .cancelConfirmed({ offerId: a.offer.id, bookingId: a.bookingId, by: 'CREATOR', reason: null })
      ).cancelled,
    ).toBe(true);
    const run = await runJob(later(MINUTE), 'refund-retry', new Date(Date.now() + MINUTE), 'MANUAL');
    expect(run).toMatchObject({ counts: { activated: 1, voided: 0, issued: 1 } });
    expect((await owedOf(a.bookingId))[0]).toMatchObject({ status: 'ISSUED' });
    expect((await paymentOf(a.bookingId)).refundedAmount).toBe(6000);
    // b's booking is still confirmed: untouched until stale, then void — never refunded.
    expect((await owedOf(b.bookingId))[0].status).toBe('PREPARED');
    expect(
      await runJob(later(20 * MINUTE), 'refund-retry', new Date(Date.now() + 20 * MINUTE), 'MANUAL'),
    ).toMatchObject({ counts: { voided: 1 } });
    expect((await owedOf(b.bookingId))[0].status).toBe('VOID');
    expect((await paymentOf(b.bookingId)).refundedAmount).toBe(0);
    expect((await bookingRow(b.bookingId)).status).toBe('CONFIRMED');
  });

  it("the fan and the creator cancelling at the same moment: one cancellation, one refund, with the winner's details", async () => {
    const s = await confirmedBooking({ startsInMinutes: 5 * 60, price: 10_000 });
    // The creator's policy (HALF by default) was frozen with the booking: 50 % for the fan, 100 % if the creator cancels.
    const [fan, creator] = await Promise.all([
      api('POST', `/api/bookings/${s.bookingId}/cancel`, { reason: 'fan' }, { token: s.fan.token }),
      api('POST', `/api/bookings/${s.bookingId}/cancel`, { reason: 'creator' }, { token: s.c.token }),
    ]);
    expect([fan.status, creator.status].sort()).toEqual([200, 409]);
    const winner = fan.status === 200 ? 'FAN' : 'CREATOR';
    const owed = await owedOf(s.bookingId);
    expect(owed.filter((o) => o.status === 'ISSUED').map((o) => o.initiatedBy)).toEqual([winner]);
    expect(owed.filter((o) => o.status !== 'ISSUED').every((o) => o.status === 'VOID')).toBe(true);
    const p = await paymentOf(s.bookingId);
    const rows = await refundsOf(p.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject(
      winner === 'FAN'
        ? { initiatedBy: 'FAN', amount: 5000, reason: 'FAN_CANCELLED_LATE: fan', actorUserId: s.fan.user.id }
        : { initiatedBy: 'CREATOR', amount: 10_000, reason: 'CREATOR_CANCELLED: creator', actorUserId: s.c.user.id },
    );
    expect((await bookingRow(s.bookingId)).cancelledBy).toBe(winner);
  });
});

describe('the refund row says who asked and why, whoever records it first', () => {
  it('admin refund, fan cancellation, creator cancellation: reason and actor from the refund metadata (the webhook records first in local mode)', async () => {
    const admin = await createAccount('ADMIN', { passwordHash: null });
    const byAdmin = await confirmedBooking({ startsInMinutes: 3 * 24 * 60, price: 10_000 });
    const adminOut = await api(
      'POST',
      `/api/admin/payments/${(await paymentOf(byAdmin.bookingId)).id}/refund`,
      { amount: 2500, reason: 'Audio issues' },
      { token: admin.token },
    );
    expect(adminOut.status).toBe(200);
    const byFan = await confirmedBooking({ startsInMinutes: 3 * 24 * 60 });
    await api('POST', `/api/bookings/${byFan.bookingId}/cancel`, { reason: 'Ill' }, { token: byFan.fan.token });
    const byCreator = await confirmedBooking({ startsInMinutes: 3 * 24 * 60 });
    await api(
      'POST',
      `/api/bookings/${byCreator.bookingId}/cancel`,
      { reason: 'Travel' },
      { token: byCreator.c.token },
    );
    const rowOf = async (bookingId: string) => (await refundsOf((await paymentOf(bookingId)).id))[0];
    expect(await rowOf(byAdmin.bookingId)).toMatchObject({
      initiatedBy: 'ADMIN',
      actorUserId: admin.user.id,
      reason: 'ADMIN: Audio issues',
      amount: 2500,
    });
    expect(await rowOf(byFan.bookingId)).toMatchObject({
      initiatedBy: 'FAN',
      actorUserId: byFan.fan.user.id,
      reason: 'FAN_CANCELLED_EARLY: Ill',
    });
    expect(await rowOf(byCreator.bookingId)).toMatchObject({
      initiatedBy: 'CREATOR',
      actorUserId: byCreator.c.user.id,
      reason: 'CREATOR_CANCELLED: Travel',
    });
    // The provider's refund carries them (what a webhook arriving first reads).
    const [meta] = (
      await deps()
        .db.select()
        .from(localStripeObjects)
        .where(eq(localStripeObjects.idempotencyKey, `refund:${byCreator.bookingId}:cancel`))
        .all()
    ).map((r) => (r.data as { metadata: Record<string, string> }).metadata);
    expect(meta).toMatchObject({
      initiatedBy: 'CREATOR',
      actorUserId: byCreator.c.user.id,
      reason: 'CREATOR_CANCELLED',
      note: 'Travel',
      bookingId: byCreator.bookingId,
    });
  });

  it("a row the webhook recorded without our details (no metadata) is completed with the caller's", async () => {
    const s = await confirmedBooking({ startsInMinutes: 3 * 24 * 60, price: 10_000 });
    const admin = await createAccount('ADMIN', { passwordHash: null });
    const base = deps();
    // A provider that loses the metadata (as for a refund issued before metadata carried the details):
    // its synchronous webhook records the refund as made outside the app.
    const stripped: Deps = {
      ...base,
      payments: { ...base.payments, refund: (input) => base.payments.refund({ ...input, metadata: {} }) },
    };
    const p = await paymentOf(s.bookingId);
    const out = await issueRefund(stripped, p, decideRefund({ kind: 'ADMIN', amount: 1000 }, refundable(p)), {
      initiatedBy: 'ADMIN',
      actorUserId: admin.user.id,
      note: 'Goodwill',
      key: 'test:complete',
      kind: 'ADMIN',
    });
    expect(out).toMatchObject({ status: 'ISSUED', amount: 1000 });
    const rows = await refundsOf(p.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ initiatedBy: 'ADMIN', actorUserId: admin.user.id, reason: 'ADMIN: Goodwill' });
  });
});

describe("refunds follow the provider's status", () => {
  /** The refund's provider id, row and payment of a booking refunded in full by its creator. */
  async function refunded(opts: { mode?: 'pending' } = {}) {
    const s = await confirmedBooking({ startsInMinutes: 3 * 24 * 60, price: 10_000 });
    if (opts.mode) await deps().localPayments!.setRefundMode('pending');
    try {
      await api('POST', `/api/bookings/${s.bookingId}/cancel`, { reason: 'Sorry' }, { token: s.c.token });
    } finally {
      await deps().localPayments!.setRefundMode('succeeded');
    }
    const p = await paymentOf(s.bookingId);
    const [row] = await refundsOf(p.id);
    return { ...s, payment: p, row, providerId: row.stripeRefundId! };
  }
  const ledgerCount = async (p: Payment) =>
    (await deps().db.select().from(ledgerEntries).where(eq(ledgerEntries.paymentId, p.id)).all()).length;

  it('a refund that fails after it was booked is reversed once: status, payment total, ledger, everyone told; duplicates change nothing', async () => {
    const admin = await createAccount('ADMIN', { passwordHash: null });
    const r = await refunded();
    expect(r.row.status).toBe('SUCCEEDED');
    expect(r.payment).toMatchObject({ refundedAmount: 10_000, status: 'REFUNDED' });
    const entriesBefore = await ledgerCount(r.payment);
    await deps().localPayments!.updateRefund(r.providerId, 'failed', 'expired_or_canceled_card');
    const row = (await refundsOf(r.payment.id))[0];
    expect(row).toMatchObject({ status: 'FAILED', failureReason: 'expired_or_canceled_card' });
    expect(row.reversedAt).not.toBeNull();
    const p = await paymentOf(r.bookingId);
    expect(p).toMatchObject({ refundedAmount: 0, status: 'SUCCEEDED' });
    expect(await paymentLedgerSum(deps(), p.id)).toBe(0);
    const reversal = await deps()
      .db.select()
      .from(ledgerEntries)
      .where(eq(ledgerEntries.txId, `refund-reversal:${row.id}`))
      .all();
    expect(reversal.map((e) => [e.account, e.amount]).sort()).toEqual(
      [
        [`creator:${r.c.creator.id}`, 8500],
        ['fan', -10_000],
        ['platform:fees', 1500],
      ].sort(),
    );
    // The creator's share is theirs again.
    expect((await creatorBalances(deps(), r.c.creator.id, new Date(Date.now() + 400 * 86_400_000)))[0]).toMatchObject({
      total: 8500,
    });
    expect((await owedOf(r.bookingId))[0]).toMatchObject({ status: 'FAILED' });
    expect([
      await notes(r.fan.user.id, 'REFUND_FAILED'),
      await notes(r.c.user.id, 'REFUND_FAILED'),
      await notes(admin.user.id, 'REFUND_FAILED'),
    ]).toEqual([1, 1, 1]);
    // The same news again (refund.updated, refund.failed, a replayed charge.refunded…) moves nothing.
    const info = (await deps().payments.listRefunds(r.intentId))[0];
    for (let i = 0; i < 3; i++)
      await recordRefund(deps(), r.payment.id, info, { initiatedBy: 'CREATOR', actorUserId: null, reason: 'x' });
    expect(await ledgerCount(p)).toBe(entriesBefore + 3);
    expect((await paymentOf(r.bookingId)).refundedAmount).toBe(0);
    expect(await notes(r.fan.user.id, 'REFUND_FAILED')).toBe(1);
    // Stripe refunds never come back from failed: a late "succeeded" is ignored.
    await recordRefund(
      deps(),
      r.payment.id,
      { ...info, status: 'succeeded' },
      { initiatedBy: 'CREATOR', actorUserId: null, reason: 'x' },
    );
    expect((await refundsOf(r.payment.id))[0].status).toBe('FAILED');
    expect((await paymentOf(r.bookingId)).refundedAmount).toBe(0);
  });

  it('a pending refund is booked at once, then only its status moves when it succeeds; a canceled one is reversed', async () => {
    const ok = await refunded({ mode: 'pending' });
    expect(ok.row.status).toBe('PENDING');
    expect(ok.payment.refundedAmount).toBe(10_000);
    const count = await ledgerCount(ok.payment);
    await deps().localPayments!.updateRefund(ok.providerId, 'succeeded');
    expect((await refundsOf(ok.payment.id))[0].status).toBe('SUCCEEDED');
    expect(await ledgerCount(ok.payment)).toBe(count);
    expect((await paymentOf(ok.bookingId)).refundedAmount).toBe(10_000);
    expect(await notes(ok.fan.user.id, 'REFUND_ISSUED')).toBe(1);

    const no = await refunded({ mode: 'pending' });
    await deps().localPayments!.updateRefund(no.providerId, 'canceled');
    expect((await refundsOf(no.payment.id))[0]).toMatchObject({ status: 'CANCELED' });
    expect((await paymentOf(no.bookingId)).refundedAmount).toBe(0);
    expect(await paymentLedgerSum(deps(), no.payment.id)).toBe(0);
  });

  it('a refund first seen failed is known without moving money; if it then succeeds it is booked once', async () => {
    const s = await confirmedBooking({ startsInMinutes: 3 * 24 * 60, price: 10_000 });
    const p = await paymentOf(s.bookingId);
    const info = {
      id: `re_test_${s.bookingId}`,
      status: 'failed' as const,
      amount: 4000,
      currency: 'EUR' as const,
      chargeId: p.chargeId!,
      intentId: p.intentId,
      transferReversal: null,
      failureReason: 'lost_or_stolen_card',
    };
    const meta = { initiatedBy: 'ADMIN' as const, actorUserId: null, reason: 'PROVIDER: refunded outside the app' };
    const id = await recordRefund(deps(), p.id, info, meta);
    expect((await refundsOf(p.id))[0]).toMatchObject({ id, status: 'FAILED', reversedAt: null, creatorDebt: 0 });
    expect((await paymentOf(s.bookingId)).refundedAmount).toBe(0);
    expect(await notes(s.fan.user.id, 'REFUND_ISSUED')).toBe(0);
    const entriesOf = async () =>
      (
        await deps()
          .db.select()
          .from(ledgerEntries)
          .where(inArray(ledgerEntries.txId, [`refund:${id}`]))
          .all()
      ).map((e) => [e.kind, e.amount]);
    expect(await entriesOf()).toEqual([]);
    await recordRefund(deps(), p.id, { ...info, status: 'succeeded' }, meta);
    const booked = await entriesOf();
    expect(booked).toEqual(
      expect.arrayContaining([
        ['REFUND', 4000],
        ['FEE_REFUND', -600],
        ['SHARE_REVERSAL', -3400],
      ]),
    );
    await recordRefund(deps(), p.id, { ...info, status: 'succeeded' }, meta);
    expect(await entriesOf()).toEqual(booked);
    expect((await refundsOf(p.id))[0]).toMatchObject({ id, status: 'SUCCEEDED', feeRefunded: 600, creatorDebt: 3400 });
    expect(await paymentOf(s.bookingId)).toMatchObject({ refundedAmount: 4000, status: 'PARTIALLY_REFUNDED' });
    expect(await paymentLedgerSum(deps(), p.id)).toBe(0);
    expect(await notes(s.fan.user.id, 'REFUND_ISSUED')).toBe(1);
  });

  it('cancelBooking reports the refund as pending while owed', async () => {
    const s = await confirmedBooking({ startsInMinutes: 3 * 24 * 60, price: 5000 });
    await deps().localPayments!.failNext('refund', 1, true);
    expect(await cancelBooking(deps(), s.fan.user, s.bookingId, null)).toEqual({
      ok: true,
      status: 'CANCELLED',
      refunded: 5000,
      refundPending: true,
    });
  });
});
