import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { bookings, callOffers, creators, disputes, ledgerEntries, localStripeEvents, notifications, payments, refunds, webhookEvents } from '../src/db/schema';
import { bankAccount, creatorAccount, creatorBalances, paymentLedgerSum, record } from '../src/domain/ledger/ledger';
import { runScheduled } from '../src/jobs/scheduled';
import { CRON } from '../src/jobs/registry';
import { LOCAL_WEBHOOK_SECRET, localPayments } from '../src/providers/payments/local';
import { api, createAccount, deps, expectError, fetchApp, postForm, testEnv } from './helpers';
import { book, fans, offerFor, onboardedCreator } from './scenarios';

const cryptoProvider = Stripe.createSubtleCryptoProvider();

async function held(opts: { price?: number; startsInMinutes?: number; policy?: 'NONE' | 'HALF' | 'FULL' } = {}) {
  const c = await onboardedCreator('EUR', opts.policy ? { cancellationPolicy: opts.policy } : {});
  const offer = await offerFor(c, { price: opts.price ?? 10000, startsInMinutes: opts.startsInMinutes });
  const [fan] = await fans(1);
  const out = (await (await book(offer.id, fan.token)).json()) as { booking: { id: string }; payment: { intentId: string } };
  return { c, offer, fan, bookingId: out.booking.id, intentId: out.payment.intentId };
}
const bookingRow = (id: string) => deps().db.select().from(bookings).where(eq(bookings.id, id)).get().then((r) => r!);
const paymentOf = (bookingId: string) => deps().db.select().from(payments).where(eq(payments.bookingId, bookingId)).get().then((r) => r!);

describe('local checkout → webhook → booking', () => {
  it('pays, confirms the booking, books the ledger (sums to zero) and notifies both sides', async () => {
    const h = await held();
    await deps().localPayments!.checkout(h.intentId, 'succeed');
    expect((await bookingRow(h.bookingId)).status).toBe('CONFIRMED');
    expect((await deps().db.select().from(callOffers).where(eq(callOffers.id, h.offer.id)).get())!.status).toBe('BOOKED');
    const p = await paymentOf(h.bookingId);
    expect(p).toMatchObject({ status: 'SUCCEEDED', amount: 10000, platformFee: 1500, creatorShare: 8500, platformFeeBps: 1500 });
    expect(p.chargeId).toMatch(/^ch_local_/);
    // Release date = call end + 7 holding days.
    expect(p.payoutReleaseAt!.getTime()).toBe(h.offer.endsAt.getTime() + 7 * 86_400_000);
    expect(await paymentLedgerSum(deps(), p.id)).toBe(0);
    const entries = await deps().db.select().from(ledgerEntries).where(eq(ledgerEntries.paymentId, p.id)).all();
    expect(entries.map((e) => [e.kind, e.amount]).sort()).toEqual([['CHARGE', -10000], ['CREATOR_SHARE', 8500], ['PLATFORM_FEE', 1500]]);
    const [bal] = await creatorBalances(deps(), h.c.creator.id, new Date());
    expect(bal).toMatchObject({ currency: 'EUR', pending: 8500, available: 0, debt: 0 });
    const [later] = await creatorBalances(deps(), h.c.creator.id, new Date(p.payoutReleaseAt!.getTime() + 1));
    expect(later).toMatchObject({ pending: 0, available: 8500 });
    const notes = await deps().db.select().from(notifications).all();
    expect(notes.filter((n) => n.userId === h.fan.user.id && n.type === 'BOOKING_CONFIRMED')).toHaveLength(1);
    expect(notes.filter((n) => n.userId === h.c.user.id && n.type === 'NEW_BOOKING')).toHaveLength(1);
  });

  it('a declined card releases the hold; 3-D Secure can succeed or fail', async () => {
    const a = await held();
    await deps().localPayments!.checkout(a.intentId, 'decline');
    expect((await bookingRow(a.bookingId)).status).toBe('FAILED');
    expect((await deps().db.select().from(callOffers).where(eq(callOffers.id, a.offer.id)).get())!.status).toBe('AVAILABLE');
    const b = await held();
    expect((await deps().localPayments!.checkout(b.intentId, '3ds')).status).toBe('requires_action');
    expect((await bookingRow(b.bookingId)).status).toBe('PENDING');
    await deps().localPayments!.authenticate(b.intentId, true);
    expect((await bookingRow(b.bookingId)).status).toBe('CONFIRMED');
    const c = await held();
    await deps().localPayments!.checkout(c.intentId, '3ds');
    await deps().localPayments!.authenticate(c.intentId, false);
    expect((await bookingRow(c.bookingId)).status).toBe('FAILED');
  });

  it('works through the pages: checkout → local card → booking confirmed', async () => {
    const h = await held();
    const { createSession } = await import('../src/domain/accounts/sessions');
    const s = await createSession(deps(), h.fan.user, 'COOKIE');
    const jar = `__Host-cas=${s.token}`;
    const checkout = await fetchApp(`/en/bookings/${h.bookingId}/checkout`, { headers: { cookie: jar } });
    const html = await checkout.text();
    expect(html).toContain(`/checkout/local/${h.intentId}`);
    const pay = await postForm(`/checkout/local/${h.intentId}/pay?return=${encodeURIComponent(`/en/bookings/${h.bookingId}`)}`, { outcome: 'succeed' }, { cookie: jar });
    expect(pay.headers.get('location')).toBe(`/en/bookings/${h.bookingId}`);
    const page = await (await fetchApp(`/en/bookings/${h.bookingId}`, { headers: { cookie: jar } })).text();
    expect(page).toContain('Booking confirmed');
    // Another fan cannot pay someone else's intent.
    const other = await createAccount();
    const s2 = await createSession(deps(), other.user, 'COOKIE');
    expect((await fetchApp(`/checkout/local/${h.intentId}`, { headers: { cookie: `__Host-cas=${s2.token}` } })).status).toBe(404);
  });
});

describe('webhook endpoint', () => {
  const sign = (payload: string, secret = LOCAL_WEBHOOK_SECRET, timestamp?: number) =>
    Stripe.webhooks.generateTestHeaderStringAsync({ payload, secret, cryptoProvider, timestamp });
  const post = (payload: string, signature?: string) =>
    fetchApp('/api/webhooks/stripe', { method: 'POST', headers: { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) }, body: payload });

  it('accepts a valid signature, refuses a bad one, a missing one and a stale timestamp', async () => {
    const payload = JSON.stringify({ id: 'evt_sig_test_1', object: 'event', type: 'customer.created', created: Math.floor(Date.now() / 1000), data: { object: { id: 'cus_1' } } });
    const ok = await post(payload, await sign(payload));
    expect(await ok.json()).toEqual({ received: true, status: 'ignored' });
    await expectError(await post(payload, await sign(payload, 'whsec_wrong')), 400, 'SIGNATURE_INVALID');
    await expectError(await post(payload), 400, 'SIGNATURE_INVALID');
    await expectError(await post(payload, await sign(payload, LOCAL_WEBHOOK_SECRET, Math.floor(Date.now() / 1000) - 301)), 400, 'SIGNATURE_INVALID');
    const tampered = payload.replace('cus_1', 'cus_2');
    await expectError(await post(tampered, await sign(payload)), 400, 'SIGNATURE_INVALID');
    expect((await post(payload, await sign(payload))).status).toBe(200); // a duplicate is acknowledged
    expect(((await deps().db.select().from(webhookEvents).where(eq(webhookEvents.eventId, 'evt_sig_test_1')).get())!).status).toBe('IGNORED');
  });

  /**
   * The same story (pay, partial refund, dispute opened then won) with the provider's events
   * captured instead of delivered; returns them and a function reading the resulting state.
   */
  async function capturedStory() {
    const h = await held({ price: 12345 });
    const captured: { raw: string; sig: string }[] = [];
    const d = deps();
    const local = localPayments({ db: d.db, clock: d.clock, appUrl: 'http://localhost', webhookSecret: LOCAL_WEBHOOK_SECRET, dispatch: async (raw, sig) => { captured.push({ raw, sig }); } });
    await local.checkout(h.intentId, 'succeed');
    await local.refund({ intentId: h.intentId, amount: 2345, reverseTransfer: true, refundApplicationFee: true, metadata: {}, idempotencyKey: `t:${h.bookingId}` });
    const chargeId = (await local.retrieveIntent(h.intentId)).latestChargeId!;
    const dsp = await local.openDispute(chargeId, 'fraudulent');
    await local.updateDispute(dsp, 'won');
    const state = async () => {
      const p = await paymentOf(h.bookingId);
      const dispute = await d.db.select().from(disputes).where(eq(disputes.paymentId, p.id)).get();
      return {
        booking: (await bookingRow(h.bookingId)).status,
        payment: { status: p.status, refunded: p.refundedAmount },
        refunds: (await d.db.select().from(refunds).where(eq(refunds.paymentId, p.id)).all()).map((r) => r.amount),
        dispute: dispute ? { status: dispute.status, debt: dispute.creatorDebt } : null,
        ledgerSum: await paymentLedgerSum(d, p.id),
        balances: await creatorBalances(d, h.c.creator.id, new Date(Date.now() + 400 * 86_400_000)),
        confirmations: (await d.db.select().from(notifications).where(and(eq(notifications.userId, h.fan.user.id), eq(notifications.type, 'BOOKING_CONFIRMED'))).all()).length,
      };
    };
    return { captured, state };
  }

  it('ends in the same state whether each event comes once in order or three times shuffled', async () => {
    const inOrder = await capturedStory();
    expect(inOrder.captured.map((e) => JSON.parse(e.raw).type)).toEqual(['charge.succeeded', 'payment_intent.succeeded', 'charge.refunded', 'refund.created', 'charge.dispute.created', 'charge.dispute.closed']);
    for (const e of inOrder.captured) expect((await post(e.raw, e.sig)).status).toBe(200);
    const reference = await inOrder.state();
    expect(reference).toMatchObject({ booking: 'CONFIRMED', payment: { status: 'PARTIALLY_REFUNDED', refunded: 2345 }, refunds: [2345], dispute: { status: 'WON', debt: 0 }, ledgerSum: 0, confirmations: 1 });
    expect(reference.balances[0]).toMatchObject({ available: 12345 - 1852 - (2345 - 351), debt: 0 });

    const shuffled = await capturedStory();
    const deliveries = [...shuffled.captured, ...shuffled.captured, ...shuffled.captured];
    let seed = 7;
    for (let i = deliveries.length - 1; i > 0; i--) { seed = (seed * 16807) % 2147483647; const j = seed % (i + 1); [deliveries[i], deliveries[j]] = [deliveries[j], deliveries[i]]; }
    for (const e of deliveries) expect((await post(e.raw, e.sig)).status).toBe(200);
    const after = await shuffled.state();
    expect(after).toEqual(reference);
  });

  it('the hourly reconciliation replays events the webhook never received', async () => {
    const h = await held();
    const d = deps();
    const lost = localPayments({ db: d.db, clock: d.clock, appUrl: 'http://localhost', webhookSecret: LOCAL_WEBHOOK_SECRET, dispatch: async () => {} });
    await lost.checkout(h.intentId, 'succeed');
    expect((await bookingRow(h.bookingId)).status).toBe('PENDING');
    const out = await runScheduled(testEnv, { cron: CRON.hourly, scheduledTime: Date.now() });
    expect(out['payment-reconciliation']).toMatchObject({ status: 'SUCCESS' });
    expect((await bookingRow(h.bookingId)).status).toBe('CONFIRMED');
    expect((await d.db.select().from(localStripeEvents).all()).length).toBeGreaterThan(1);
  });
});

describe('cancellations and the refund policy', () => {
  async function paid(opts: Parameters<typeof held>[0] = {}) {
    const h = await held(opts);
    await deps().localPayments!.checkout(h.intentId, 'succeed');
    return h;
  }

  it('creator cancels → full refund, the fee refunded and the share reversed, both notified', async () => {
    const h = await paid();
    const preview = (await (await api('GET', `/api/bookings/${h.bookingId}/cancellation`, undefined, { token: h.c.token })).json()) as { refund: { amount: number } };
    expect(preview.refund.amount).toBe(10000);
    const res = await api('POST', `/api/bookings/${h.bookingId}/cancel`, { reason: 'Sick' }, { token: h.c.token });
    expect(((await res.json()) as { refunded: number }).refunded).toBe(10000);
    expect((await bookingRow(h.bookingId))).toMatchObject({ status: 'CANCELLED', cancelledBy: 'CREATOR' });
    expect((await deps().db.select().from(callOffers).where(eq(callOffers.id, h.offer.id)).get())!.status).toBe('CANCELLED');
    const p = await paymentOf(h.bookingId);
    expect(p).toMatchObject({ status: 'REFUNDED', refundedAmount: 10000 });
    expect(await paymentLedgerSum(deps(), p.id)).toBe(0);
    const [bal] = await creatorBalances(deps(), h.c.creator.id, new Date(Date.now() + 400 * 86_400_000));
    expect(bal).toMatchObject({ total: 0, available: 0, debt: 0 });
    const refundNotes = (await deps().db.select().from(notifications).where(eq(notifications.type, 'REFUND_ISSUED')).all()).filter((n) => [h.fan.user.id, h.c.user.id].includes(n.userId));
    expect(refundNotes).toHaveLength(2);
    // Cancelling twice does nothing more.
    await expectError(await api('POST', `/api/bookings/${h.bookingId}/cancel`, {}, { token: h.c.token }), 409, 'BOOKING_NOT_CANCELLABLE');
  });

  it('fan cancels ≥ 24 h before → full refund and the slot reopens; < 24 h → the creator policy (50 % / nothing)', async () => {
    const early = await paid({ startsInMinutes: 48 * 60 });
    expect(((await (await api('POST', `/api/bookings/${early.bookingId}/cancel`, {}, { token: early.fan.token })).json()) as { refunded: number }).refunded).toBe(10000);
    expect((await deps().db.select().from(callOffers).where(eq(callOffers.id, early.offer.id)).get())!.status).toBe('AVAILABLE');
    const late = await paid({ startsInMinutes: 5 * 60, policy: 'HALF' });
    const preview = (await (await api('GET', `/api/bookings/${late.bookingId}/cancellation`, undefined, { token: late.fan.token })).json()) as { refund: { amount: number; percent: number } };
    expect(preview.refund).toMatchObject({ amount: 5000, percent: 50 });
    expect(((await (await api('POST', `/api/bookings/${late.bookingId}/cancel`, {}, { token: late.fan.token })).json()) as { refunded: number }).refunded).toBe(5000);
    const p = await paymentOf(late.bookingId);
    expect(p).toMatchObject({ status: 'PARTIALLY_REFUNDED', refundedAmount: 5000 });
    expect(await paymentLedgerSum(deps(), p.id)).toBe(0);
    const none = await paid({ startsInMinutes: 5 * 60, policy: 'NONE' });
    expect(((await (await api('POST', `/api/bookings/${none.bookingId}/cancel`, {}, { token: none.fan.token })).json()) as { refunded: number }).refunded).toBe(0);
    expect((await bookingRow(none.bookingId)).status).toBe('CANCELLED');
  });

  it('only the people of the booking may cancel it, and a pending hold is released without charge', async () => {
    const h = await held();
    const stranger = await createAccount();
    await expectError(await api('POST', `/api/bookings/${h.bookingId}/cancel`, {}, { token: stranger.token }), 404, 'NOT_FOUND');
    await expectError(await api('GET', `/api/bookings/${h.bookingId}`, undefined, { token: stranger.token }), 404, 'NOT_FOUND');
    expect((await api('POST', `/api/bookings/${h.bookingId}/cancel`, {}, { token: h.fan.token })).status).toBe(200);
    expect((await bookingRow(h.bookingId)).status).toBe('CANCELLED');
    expect((await deps().payments.retrieveIntent(h.intentId)).status).toBe('canceled');
  });

  it('admins refund any amount up to what is left, with a reason, audited', async () => {
    const h = await paid();
    const admin = await createAccount('ADMIN');
    const p = await paymentOf(h.bookingId);
    await expectError(await api('POST', `/api/admin/payments/${p.id}/refund`, { amount: 100, reason: 'goodwill' }, { token: h.fan.token }), 403, 'FORBIDDEN_ROLE');
    expect(((await (await api('POST', `/api/admin/payments/${p.id}/refund`, { amount: 2500, reason: 'Audio issues' }, { token: admin.token })).json()) as { amount: number }).amount).toBe(2500);
    expect(((await (await api('POST', `/api/admin/payments/${p.id}/refund`, { amount: 99999, reason: 'Rest of it' }, { token: admin.token })).json()) as { amount: number }).amount).toBe(7500);
    await expectError(await api('POST', `/api/admin/payments/${p.id}/refund`, { amount: 1, reason: 'More?' }, { token: admin.token }), 422, 'NOTHING_TO_REFUND');
    const after = await paymentOf(h.bookingId);
    expect(after).toMatchObject({ status: 'REFUNDED', refundedAmount: 10000 });
    expect(await paymentLedgerSum(deps(), p.id)).toBe(0);
  });
});

describe('disputes', () => {
  it('records the dispute, books the creator share as debt, notifies admins, submits evidence; winning clears the debt', async () => {
    const h = await held();
    await deps().localPayments!.checkout(h.intentId, 'succeed');
    const admin = await createAccount('ADMIN');
    const chargeId = (await paymentOf(h.bookingId)).chargeId!;
    const dspId = await deps().localPayments!.openDispute(chargeId, 'product_not_received');
    const d = (await deps().db.select().from(disputes).where(eq(disputes.stripeDisputeId, dspId)).get())!;
    expect(d).toMatchObject({ status: 'NEEDS_RESPONSE', amount: 10000, creatorDebt: 8500 });
    expect((await deps().db.select().from(notifications).where(and(eq(notifications.userId, admin.user.id), eq(notifications.type, 'DISPUTE_OPENED'))).all())).toHaveLength(1);
    const now = new Date(Date.now() + 400 * 86_400_000);
    expect((await creatorBalances(deps(), h.c.creator.id, now))[0]).toMatchObject({ total: 0 });
    expect(await paymentLedgerSum(deps(), d.paymentId)).toBe(0);
    const ev = await api('POST', `/api/admin/disputes/${d.id}/evidence`, undefined, { token: admin.token });
    expect(ev.status).toBe(200);
    expect((await deps().db.select().from(disputes).where(eq(disputes.id, d.id)).get())!.evidenceSubmittedAt).not.toBeNull();
    expect((await deps().payments.retrieveDispute(dspId)).status).toBe('under_review');
    await deps().localPayments!.updateDispute(dspId, 'won');
    expect((await deps().db.select().from(disputes).where(eq(disputes.id, d.id)).get())).toMatchObject({ status: 'WON', creatorDebt: 0 });
    expect((await creatorBalances(deps(), h.c.creator.id, now))[0]).toMatchObject({ total: 8500, available: 8500, debt: 0 });
    expect(await paymentLedgerSum(deps(), d.paymentId)).toBe(0);
  });

  it('a lost dispute leaves the creator in debt when the share was already paid out', async () => {
    const h = await held();
    await deps().localPayments!.checkout(h.intentId, 'succeed');
    // The creator's share was paid out to their bank before the dispute came in.
    await record(deps(), { txId: `payout:test-${h.bookingId}`, currency: 'EUR', entries: [
      { account: creatorAccount(h.c.creator.id), kind: 'PAYOUT', amount: -8500, creatorId: h.c.creator.id, availableAt: new Date() },
      { account: bankAccount(h.c.creator.id), kind: 'PAYOUT', amount: 8500 },
    ] });
    const chargeId = (await paymentOf(h.bookingId)).chargeId!;
    const dspId = await deps().localPayments!.openDispute(chargeId, 'fraudulent');
    await deps().localPayments!.updateDispute(dspId, 'lost');
    const [bal] = await creatorBalances(deps(), h.c.creator.id, new Date(Date.now() + 400 * 86_400_000));
    expect(bal).toMatchObject({ total: -8500, available: 0, debt: 8500 });
    expect((await deps().db.select().from(disputes).where(eq(disputes.stripeDisputeId, dspId)).get())).toMatchObject({ status: 'LOST', creatorDebt: 8500 });
  });
});

describe('Connect onboarding (built-in provider)', () => {
  it('creates the account, sends the creator through the simulated onboarding and records charges/payouts enabled', async () => {
    const c = await createAccount('CREATOR');
    const res = await api('POST', '/api/creators/me/onboarding', undefined, { token: c.token });
    const { url, accountId } = (await res.json()) as { url: string; accountId: string };
    expect(accountId).toMatch(/^acct_local_/);
    expect(url).toContain(`/checkout/local/onboarding/${accountId}`);
    const status = await api('GET', '/api/creators/me/onboarding', undefined, { token: c.token });
    expect(await status.json()).toMatchObject({ accountId, chargesEnabled: false });
    await expectError(await api('POST', '/api/creators/me/onboarding/session', undefined, { token: c.token }), 404, 'NOT_AVAILABLE');
    const { createSession } = await import('../src/domain/accounts/sessions');
    const s = await createSession(deps(), c.user, 'COOKIE');
    const done = await postForm(`/checkout/local/onboarding/${accountId}?return=%2Fen%2Fcreator%2Fpayments%2Freturn`, {}, { cookie: `__Host-cas=${s.token}` });
    expect(done.headers.get('location')).toBe('/en/creator/payments/return');
    const creator = (await deps().db.select().from(creators).where(eq(creators.userId, c.user.id)).get())!;
    expect(creator).toMatchObject({ stripeAccountId: accountId, chargesEnabled: true, payoutsEnabled: true, detailsSubmitted: true });
    expect((await deps().payments.retrieveAccount(accountId)).payoutInterval).toBe('manual');
  });
});
