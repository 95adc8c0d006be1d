/**
 * Payments with Stripe configured (real SDK → the strict fake Stripe → signed webhooks): the fake
 * refuses what Stripe refuses; the app's own idempotency keys and parameters reach it; refunds
 * carry who and why whichever side records them first and follow their status; disputes and
 * reconciliation go through the SDK; a hold resumed after a fee change reuses its intent.
 */
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { bookings, disputes, owedRefunds, platformSettings, refunds } from '../../src/db/schema';
import { creatorBalances, paymentLedgerSum } from '../../src/domain/ledger/ledger';
import { forgetSettings } from '../../src/domain/settings';
import { runJob } from '../../src/jobs/run-job';
import { FAKE_STRIPE } from '../fake-credentials';
import type { StripeRequestRecord } from '../fakes/stripe';
import { api, createAccount, deps, expectError, getPage, testEnv, bookingRow, paymentOf } from '../helpers';
import { book, fans, offerFor, presence } from '../scenarios';
import { control, deliverWebhooks, stripeCreator, stripePaidBooking } from './stripe';

const requests = async () =>
  ((await (await fetch(`${testEnv.FAKES_URL}/__state/stripe`)).json()) as { requests: StripeRequestRecord[] }).requests;
/** The API requests the fake saw after `from` (an index into its log). */
const since = async (from: number) => (await requests()).slice(from);
const mark = async () => (await requests()).length;
const stripeApi = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
  fetch(`${testEnv.FAKES_URL}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${FAKE_STRIPE.secretKey}`, ...(init.headers ?? {}) },
  });
const refundRowsOf = async (bookingId: string) =>
  deps().db.select().from(refunds).where(eq(refunds.bookingId, bookingId)).all();
const setFee = async (bps: number) => {
  await deps().db.update(platformSettings).set({ platformFeeBps: bps }).where(eq(platformSettings.id, 1));
  forgetSettings();
};

describe('the fake refuses what Stripe refuses', () => {
  it('unknown parameters, JSON bodies, payouts without Stripe-Account, platform objects under Stripe-Account, text in file evidence', async () => {
    const form = (body: Record<string, string>) => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body).toString(),
    });
    const unknown = await stripeApi(
      '/v1/payment_intents',
      form({ amount: '1000', currency: 'eur', destination_account: 'acct_x' }),
    );
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({
      error: { type: 'invalid_request_error', code: 'parameter_unknown', param: 'destination_account' },
    });
    const nested = await stripeApi(
      '/v1/refunds',
      form({ payment_intent: 'pi_x', 'metadata[ok]': 'yes', 'transfer_data[destination]': 'acct_x' }),
    );
    expect(await nested.json()).toMatchObject({
      error: { code: 'parameter_unknown', param: 'transfer_data[destination]' },
    });
    const json = await stripeApi('/v1/payment_intents', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 1000, currency: 'eur' }),
    });
    expect(json.status).toBe(400);
    const payout = await stripeApi('/v1/payouts', form({ amount: '100', currency: 'eur' }));
    expect(await payout.json()).toMatchObject({ error: { code: 'parameter_missing', param: 'Stripe-Account' } });
    const scoped = await stripeApi('/v1/payment_intents/pi_anything', {
      headers: { 'stripe-account': 'acct_someone' },
    });
    expect(scoped.status).toBe(404);
    const file = await stripeApi(
      '/v1/disputes/dp_anything',
      form({ 'evidence[service_documentation]': 'a timeline as text' }),
    );
    expect(await file.json()).toMatchObject({ error: { param: 'evidence[service_documentation]' } });
  });
});

describe("the app's own keys and parameters reach Stripe", () => {
  it("account, destination charge, refund with reversal and fee refund, released hold: each with its own key (never stripe-node's)", async () => {
    const before = await mark();
    const s = await stripePaidBooking({ price: 5000 });
    const r = await api(
      'POST',
      `/api/bookings/${s.bookingId}/cancel`,
      { reason: 'Studio flooded' },
      { token: s.c.token },
    );
    expect(await r.json()).toMatchObject({ refunded: 5000, refundPending: false });
    const seen = await since(before);
    const post = (path: string, key: string) =>
      seen.find((q) => q.method === 'POST' && q.path === path && q.idempotencyKey === key);
    expect(post('/v1/accounts', `connect:${s.c.creator.id}`)?.params).toMatchObject({
      type: 'express',
      default_currency: 'eur',
      settings: { payouts: { schedule: { interval: 'manual' } } },
      metadata: { creatorId: s.c.creator.id },
    });
    const intent = post('/v1/payment_intents', `booking:${s.bookingId}:intent`);
    expect(intent?.params).toMatchObject({
      amount: '5000',
      currency: 'eur',
      application_fee_amount: '750',
      transfer_data: { destination: s.c.creator.stripeAccountId },
      metadata: {
        bookingId: s.bookingId,
        offerId: s.offer.id,
        userId: s.fan.user.id,
        creatorId: s.c.creator.id,
        platformFeeBps: '1500',
      },
    });
    expect(intent?.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    const refund = post('/v1/refunds', `refund:${s.bookingId}:cancel`);
    const owed = (await deps().db.select().from(owedRefunds).where(eq(owedRefunds.bookingId, s.bookingId)).all())[0];
    expect(refund?.params).toMatchObject({
      payment_intent: s.intentId,
      amount: '5000',
      reverse_transfer: 'true',
      refund_application_fee: 'true',
      metadata: {
        bookingId: s.bookingId,
        initiatedBy: 'CREATOR',
        actorUserId: s.c.user.id,
        reason: 'CREATOR_CANCELLED',
        note: 'Studio flooded',
        owedRefundId: owed.id,
      },
    });
    // Money-moving calls never go out under the SDK's own random key.
    expect(
      seen
        .filter((q) => ['/v1/payment_intents', '/v1/refunds', '/v1/accounts'].includes(q.path))
        .every((q) => q.idempotencyKey && !q.idempotencyKey.startsWith('stripe-node-retry-')),
    ).toBe(true);

    // A hold released by its fan: the intent is canceled with the booking's key.
    const offer = await offerFor(s.c);
    const [fan] = await fans(1);
    const held = (await (await book(offer.id, fan.token)).json()) as {
      booking: { id: string };
      payment: { intentId: string };
    };
    const m = await mark();
    expect((await api('POST', `/api/bookings/${held.booking.id}/cancel`, {}, { token: fan.token })).status).toBe(200);
    expect(
      (await since(m)).find((q) => q.path === `/v1/payment_intents/${held.payment.intentId}/cancel`)?.idempotencyKey,
    ).toBe(`booking:${held.booking.id}:cancel`);
    await deliverWebhooks();
  });
});

describe('refund rows say who and why, with Stripe', () => {
  it('admin refund, fan cancellation, creator cancellation', async () => {
    const admin = await createAccount('ADMIN', { passwordHash: null });
    const a = await stripePaidBooking({ price: 5000 });
    expect(
      (
        await api(
          'POST',
          `/api/admin/payments/${(await paymentOf(a.bookingId)).id}/refund`,
          { amount: 1200, reason: 'Bad audio' },
          { token: admin.token },
        )
      ).status,
    ).toBe(200);
    const f = await stripePaidBooking({ price: 5000 });
    await api('POST', `/api/bookings/${f.bookingId}/cancel`, { reason: 'Exam' }, { token: f.fan.token });
    const c = await stripePaidBooking({ price: 5000 });
    await api('POST', `/api/bookings/${c.bookingId}/cancel`, {}, { token: c.c.token });
    await deliverWebhooks(); // charge.refunded + refund.created for each: nothing changes
    expect(await refundRowsOf(a.bookingId)).toEqual([
      expect.objectContaining({
        initiatedBy: 'ADMIN',
        actorUserId: admin.user.id,
        reason: 'ADMIN: Bad audio',
        amount: 1200,
      }),
    ]);
    expect(await refundRowsOf(f.bookingId)).toEqual([
      expect.objectContaining({
        initiatedBy: 'FAN',
        actorUserId: f.fan.user.id,
        reason: 'FAN_CANCELLED_EARLY: Exam',
        amount: 5000,
      }),
    ]);
    expect(await refundRowsOf(c.bookingId)).toEqual([
      expect.objectContaining({
        initiatedBy: 'CREATOR',
        actorUserId: c.c.user.id,
        reason: 'CREATOR_CANCELLED',
        amount: 5000,
      }),
    ]);
  });

  it('the refund happened at Stripe but its answer was lost: it stays owed, the webhook records it with our details, the retry finds it issued (one refund)', async () => {
    const s = await stripePaidBooking({ price: 5000 });
    await control('lose-responses', { path: '/v1/refunds', count: '3' }); // the call and the SDK's two retries
    const res = await api('POST', `/api/bookings/${s.bookingId}/cancel`, { reason: 'Flight' }, { token: s.fan.token });
    expect(await res.json()).toMatchObject({ refunded: 5000, refundPending: true });
    expect(await refundRowsOf(s.bookingId)).toEqual([]);
    expect(await deliverWebhooks()).toEqual(expect.arrayContaining(['charge.refunded', 'refund.created']));
    expect(await refundRowsOf(s.bookingId)).toEqual([
      expect.objectContaining({
        initiatedBy: 'FAN',
        actorUserId: s.fan.user.id,
        reason: 'FAN_CANCELLED_EARLY: Flight',
        amount: 5000,
      }),
    ]);
    const [owed] = await deps().db.select().from(owedRefunds).where(eq(owedRefunds.bookingId, s.bookingId)).all();
    expect(owed.status).toBe('ISSUED');
    const m = await mark();
    expect(await runJob(deps(), 'refund-retry', new Date(Date.now() + 3_600_000), 'MANUAL')).toMatchObject({
      status: 'SUCCESS',
      counts: { issued: 0, stillOwed: 0 },
    });
    expect((await since(m)).filter((q) => q.path === '/v1/refunds' && q.method === 'POST')).toEqual([]);
    expect((await paymentOf(s.bookingId)).refundedAmount).toBe(5000);
  });

  it('a pending refund becomes succeeded; a refund the bank fails is reversed', async () => {
    const p = await stripePaidBooking({ price: 5000 });
    await control('refund-mode', { status: 'pending' });
    try {
      await api('POST', `/api/bookings/${p.bookingId}/cancel`, {}, { token: p.c.token });
    } finally {
      await control('refund-mode', { status: 'succeeded' });
    }
    await deliverWebhooks();
    const [pending] = await refundRowsOf(p.bookingId);
    expect(pending.status).toBe('PENDING');
    await control(`refunds/${pending.stripeRefundId}/update`, { status: 'succeeded' });
    expect(await deliverWebhooks()).toContain('refund.updated');
    expect((await refundRowsOf(p.bookingId))[0].status).toBe('SUCCEEDED');
    expect((await paymentOf(p.bookingId)).refundedAmount).toBe(5000);

    const f = await stripePaidBooking({ price: 5000 });
    await api('POST', `/api/bookings/${f.bookingId}/cancel`, {}, { token: f.c.token });
    await deliverWebhooks();
    const [row] = await refundRowsOf(f.bookingId);
    await control(`refunds/${row.stripeRefundId}/update`, { status: 'failed', failure_reason: 'lost_or_stolen_card' });
    expect(await deliverWebhooks()).toEqual(expect.arrayContaining(['refund.updated', 'refund.failed']));
    expect((await refundRowsOf(f.bookingId))[0]).toMatchObject({
      status: 'FAILED',
      failureReason: 'lost_or_stolen_card',
    });
    expect(await paymentOf(f.bookingId)).toMatchObject({ refundedAmount: 0, status: 'SUCCEEDED' });
  });
});

describe('disputes and reconciliation through the SDK', () => {
  it('retrieves the dispute, submits the booking and call timeline as nested evidence with submit=true, refuses once closed', async () => {
    const s = await stripePaidBooking({ price: 5000 });
    const start = (await bookingRow(s.bookingId)).startsAt.getTime();
    await presence(s.bookingId, 'FAN', s.fan.user.id, start, start + 20 * 60_000);
    const chargeId = (await paymentOf(s.bookingId)).chargeId!;
    const dp = (await control('disputes', { charge: chargeId, reason: 'product_not_received' })) as { id: string };
    await deliverWebhooks();
    const row = (await deps().db.select().from(disputes).where(eq(disputes.stripeDisputeId, dp.id)).get())!;
    expect(row).toMatchObject({ status: 'NEEDS_RESPONSE', amount: 5000, reason: 'product_not_received' });
    const admin = await createAccount('ADMIN', { passwordHash: null });
    const m = await mark();
    expect(
      (await api('POST', `/api/admin/disputes/${row.id}/evidence`, undefined, { token: admin.token })).status,
    ).toBe(200);
    const sent = (await since(m)).find((q) => q.method === 'POST' && q.path === `/v1/disputes/${dp.id}`)!;
    expect(sent.params).toMatchObject({
      submit: 'true',
      evidence: { customer_email_address: s.fan.user.email, service_date: new Date(start).toISOString().slice(0, 10) },
    });
    const ev = sent.params.evidence as Record<string, string>;
    expect(ev.product_description).toContain(`Booking ${s.bookingId}`);
    expect(ev.uncategorized_text).toContain(`${new Date(start).toISOString()} PARTICIPANT_JOINED FAN`);
    expect(ev.uncategorized_text).toContain(`${new Date(start + 20 * 60_000).toISOString()} PARTICIPANT_LEFT FAN`);
    await deliverWebhooks();
    expect((await deps().db.select().from(disputes).where(eq(disputes.id, row.id)).get())!.status).toBe('UNDER_REVIEW');
    await control(`disputes/${dp.id}/close`, { status: 'won' });
    await deliverWebhooks();
    expect(await deps().db.select().from(disputes).where(eq(disputes.id, row.id)).get()).toMatchObject({
      status: 'WON',
      creatorDebt: 0,
    });
    await expectError(
      await api('POST', `/api/admin/disputes/${row.id}/evidence`, undefined, { token: admin.token }),
      409,
      'EVIDENCE_REFUSED',
    );
  });

  it('a webhook delivery that never arrived is recovered from /v1/events by the reconciliation job', async () => {
    const c = await stripeCreator();
    const offer = await offerFor(c, { price: 3000 });
    const [fan] = await fans(1);
    const { booking, payment } = (await (await book(offer.id, fan.token)).json()) as {
      booking: { id: string };
      payment: { intentId: string };
    };
    await control(`confirm/${payment.intentId}`);
    const dropped = (await control('deliveries')) as { payload: string }[]; // lost on the way
    expect(dropped.map((d) => JSON.parse(d.payload).type)).toContain('payment_intent.succeeded');
    expect((await bookingRow(booking.id)).status).toBe('PENDING');
    const m = await mark();
    expect(await runJob(deps(), 'payment-reconciliation', new Date(), 'MANUAL')).toMatchObject({ status: 'SUCCESS' });
    expect((await since(m)).some((q) => q.method === 'GET' && q.path === '/v1/events')).toBe(true);
    expect((await bookingRow(booking.id)).status).toBe('CONFIRMED');
    expect(await paymentOf(booking.id)).toMatchObject({ status: 'SUCCEEDED', amount: 3000 });
  });
});

describe('a hold with Stripe', () => {
  it('resumed after the platform fee changed: the same intent and client secret, no second create with other parameters', async () => {
    await setFee(1500);
    const c = await stripeCreator();
    const offer = await offerFor(c, { price: 5000 });
    const [fan] = await fans(1);
    const first = (await (await book(offer.id, fan.token)).json()) as {
      booking: { id: string };
      payment: { intentId: string; clientSecret: string };
    };
    await setFee(2500);
    try {
      const m = await mark();
      const again = await book(offer.id, fan.token);
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({
        booking: { id: first.booking.id },
        payment: { intentId: first.payment.intentId, clientSecret: first.payment.clientSecret },
      });
      const page = await getPage(`/en/bookings/${first.booking.id}/checkout`, fan.token);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('data-island="stripe-checkout"');
      expect(html).toContain(`/api/bookings/${first.booking.id}/payment/prepare`);
      expect((await since(m)).filter((q) => q.method === 'POST' && q.path === '/v1/payment_intents')).toEqual([]);
      expect(
        (await api('POST', `/api/bookings/${first.booking.id}/payment/prepare`, undefined, { token: fan.token }))
          .status,
      ).toBe(200);
      await control(`confirm/${first.payment.intentId}`);
      await deliverWebhooks();
      expect(await paymentOf(first.booking.id)).toMatchObject({
        status: 'SUCCEEDED',
        platformFeeBps: 1500,
        platformFee: 750,
        creatorShare: 4250,
      });
      await expectError(
        await api('POST', `/api/bookings/${first.booking.id}/payment/prepare`, undefined, { token: fan.token }),
        409,
        'ALREADY_PAID',
      );
    } finally {
      await setFee(1500);
    }
  });

  it('prepare refuses a hold that ran out, before Stripe.js could charge it', async () => {
    const c = await stripeCreator();
    const offer = await offerFor(c, { price: 5000 });
    const [fan] = await fans(1);
    const { booking, payment } = (await (await book(offer.id, fan.token)).json()) as {
      booking: { id: string };
      payment: { intentId: string };
    };
    await deps()
      .db.update(bookings)
      .set({ holdExpiresAt: new Date(Date.now() - 1000) })
      .where(and(eq(bookings.id, booking.id), eq(bookings.status, 'PENDING')));
    await expectError(
      await api('POST', `/api/bookings/${booking.id}/payment/prepare`, undefined, { token: fan.token }),
      409,
      'HOLD_EXPIRED',
    );
    expect((await deps().payments.retrieveIntent(payment.intentId)).status).toBe('canceled');
    await deliverWebhooks();
    expect((await bookingRow(booking.id)).status).toBe('EXPIRED');
  });
});

describe('a payment that completes after its hold, with Stripe', () => {
  const held = async () => {
    const c = await stripeCreator();
    const offer = await offerFor(c, { price: 5000 });
    const [fan] = await fans(1);
    const { booking, payment } = (await (await book(offer.id, fan.token)).json()) as {
      booking: { id: string };
      payment: { intentId: string };
    };
    return { c, fan, bookingId: booking.id, intentId: payment.intentId };
  };

  it("the fan's confirmation lands between the release's retrieve and its cancel: refunded in full once, under the booking's own key, the books balanced", async () => {
    const h = await held();
    await control(`pay-before-cancel/${h.intentId}`);
    expect((await api('POST', `/api/bookings/${h.bookingId}/cancel`, {}, { token: h.fan.token })).status).toBe(200);
    expect((await deps().payments.retrieveIntent(h.intentId)).status).toBe('succeeded');
    const m = await mark();
    expect(await deliverWebhooks()).toEqual(expect.arrayContaining(['charge.succeeded', 'payment_intent.succeeded']));
    expect(await deliverWebhooks()).toEqual(expect.arrayContaining(['charge.refunded', 'refund.created']));
    const refundCalls = (await since(m)).filter((q) => q.method === 'POST' && q.path === '/v1/refunds');
    expect(refundCalls.map((q) => [q.idempotencyKey, q.params.amount])).toEqual([
      [`refund:${h.bookingId}:slot-lost`, '5000'],
    ]);
    expect((await bookingRow(h.bookingId)).status).toBe('CANCELLED');
    const p = await paymentOf(h.bookingId);
    expect(p).toMatchObject({ status: 'REFUNDED', refundedAmount: 5000 });
    expect(await refundRowsOf(h.bookingId)).toEqual([
      expect.objectContaining({ amount: 5000, initiatedBy: 'SYSTEM', reason: 'SLOT_LOST', status: 'SUCCEEDED' }),
    ]);
    expect(await paymentLedgerSum(deps(), p.id)).toBe(0);
    expect(await creatorBalances(deps(), h.c.creator.id, new Date(Date.now() + 400 * 86_400_000))).toEqual([
      expect.objectContaining({ total: 0, available: 0 }),
    ]);
  });

  it('a processing payment (SEPA): cancelling the hold is refused until the bank answers, then it is confirmed', async () => {
    const h = await held();
    await control(`confirm/${h.intentId}`, { outcome: 'processing' });
    expect(await deliverWebhooks()).toEqual(['payment_intent.processing']);
    await expectError(
      await api('POST', `/api/bookings/${h.bookingId}/cancel`, {}, { token: h.fan.token }),
      409,
      'PAYMENT_PROCESSING',
    );
    expect((await bookingRow(h.bookingId)).status).toBe('PENDING');
    expect((await deps().payments.retrieveIntent(h.intentId)).status).toBe('processing');
    await control(`confirm/${h.intentId}`);
    await deliverWebhooks();
    expect((await bookingRow(h.bookingId)).status).toBe('CONFIRMED');
    expect(await paymentOf(h.bookingId)).toMatchObject({ status: 'SUCCEEDED', refundedAmount: 0 });
    expect(await refundRowsOf(h.bookingId)).toEqual([]);
  });
});
