/**
 * Attacker stories for payments (issue 16, items 3 and 5): a payment that completes for a hold that
 * was cancelled, released or expired; cancelling a hold while its payment is being processed (to
 * keep the booking's money with the creator, or to dodge the cancellation policy); a booking made
 * on terms the creator changed after the offer's room had loaded them. Each story checks the
 * refusal and that no money moved wrongly: payment row, refunds, ledger, the creator's released
 * balance and payouts.
 */
import { evictDurableObject, runDurableObjectAlarm } from 'cloudflare:test';
import { and, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  bookings,
  callOffers,
  creators,
  ledgerEntries,
  localStripeObjects,
  owedRefunds,
  payments,
  payouts,
  refunds,
  webhookEvents,
} from '../../src/db/schema';
import type { Deps } from '../../src/deps';
import { creatorBalances, paymentLedgerSum } from '../../src/domain/ledger/ledger';
import { onIntentSucceeded } from '../../src/domain/payments/intents';
import { processPaymentEvent } from '../../src/domain/payments/webhook';
import { openPayout } from '../../src/domain/payouts/engine';
import { CRON } from '../../src/jobs/registry';
import { runScheduled } from '../../src/jobs/scheduled';
import { reconcilePayments } from '../../src/domain/payments/reconciliation';
import { DAY } from '../../src/lib/clock';
import { LOCAL_WEBHOOK_SECRET, localPayments } from '../../src/providers/payments/local';
import type { PaymentEvent } from '../../src/providers/payments/port';
import { api, bookingRow, createAccount, deps, expectError, fetchApp, offerRow, postPage, testEnv } from '../helpers';
import { book, fans, offerFor, onboardedCreator, type CreatorScenario } from '../scenarios';

const PRICE = 10_000;
const SHARE = 8_500; // 15 % platform fee
const stub = (offerId: string) => testEnv.OFFER_ROOM.getByName(offerId);
type Held = { booking: { id: string; cancellationPolicy: string }; payment: { intentId: string } };

async function held(opts: { policy?: 'NONE' | 'HALF' | 'FULL'; startsInMinutes?: number } = {}) {
  const c = await onboardedCreator('EUR', opts.policy ? { cancellationPolicy: opts.policy } : {});
  const offer = await offerFor(c, { price: PRICE, startsInMinutes: opts.startsInMinutes });
  const [fan, other] = await fans(2);
  const res = await book(offer.id, fan.token);
  expect(res.status).toBe(201);
  const out = (await res.json()) as Held;
  return { c, offer, fan, other, bookingId: out.booking.id, intentId: out.payment.intentId };
}

/** Everything money about one booking, and what its creator could be paid out a year from now. */
async function money(bookingId: string, c: CreatorScenario) {
  const d = deps();
  const p = await d.db.select().from(payments).where(eq(payments.bookingId, bookingId)).get();
  const far = new Date(Date.now() + 400 * DAY);
  const [bal] = await creatorBalances(d, c.creator.id, far);
  const ledger = p ? await d.db.select().from(ledgerEntries).where(eq(ledgerEntries.paymentId, p.id)).all() : [];
  return {
    booking: (await bookingRow(bookingId)).status,
    payment: p ? { status: p.status, amount: p.amount, refunded: p.refundedAmount } : null,
    refunds: (await d.db.select().from(refunds).where(eq(refunds.bookingId, bookingId)).all()).map((r) => ({
      amount: r.amount,
      status: r.status,
      by: r.initiatedBy,
      reason: r.reason,
    })),
    owed: (await d.db.select().from(owedRefunds).where(eq(owedRefunds.bookingId, bookingId)).all()).map(
      (o) => `${o.kind}:${o.status}:${o.amount}`,
    ),
    ledgerSum: p ? await paymentLedgerSum(d, p.id) : 0,
    ledger: ledger.map((e) => `${e.kind} ${e.amount}`).sort(),
    creator: { total: bal?.total ?? 0, released: bal?.available ?? 0 },
    payouts: (await d.db.select().from(payouts).where(eq(payouts.creatorId, c.creator.id)).all()).length,
  };
}

/** A payout of everything released, a year from now (when every holding period is over): refused when nothing is. */
async function payoutAttempt(c: CreatorScenario) {
  const later = Date.now() + 400 * DAY;
  const d = deps({ clock: { now: () => new Date(later) } });
  const creator = (await d.db.select().from(creators).where(eq(creators.id, c.creator.id)).get())!;
  return openPayout(d, { creator, currency: 'EUR', origin: 'ADMIN', periodKey: `abuse:${c.creator.id}` });
}

/** The local provider, its events captured instead of delivered (the test delivers them, as it likes). */
function capturing() {
  const d = deps();
  const captured: PaymentEvent[] = [];
  const capture = localPayments({
    db: d.db,
    clock: d.clock,
    appUrl: 'http://localhost',
    webhookSecret: LOCAL_WEBHOOK_SECRET,
    dispatch: async (raw) => {
      captured.push(JSON.parse(raw) as PaymentEvent);
    },
  });
  const app: Deps = { ...d, payments: capture, localPayments: capture };
  return { capture, captured, app };
}

/** Delivers events again as after crashed first deliveries (the provider retries; the handler runs again). */
async function redeliver(app: Deps, events: PaymentEvent[]) {
  await deps()
    .db.update(webhookEvents)
    .set({ status: 'FAILED' })
    .where(
      inArray(
        webhookEvents.eventId,
        events.map((e) => e.id),
      ),
    );
  for (const e of events) await processPaymentEvent(app, e);
}

const fullOrphanRefund = { amount: PRICE, status: 'SUCCEEDED', by: 'SYSTEM', reason: 'SLOT_LOST' };

describe('cancel during processing then success', () => {
  it('a hold whose payment is processing cannot be cancelled (API and page, fr/en); the payment then confirms it and nothing is refunded', async () => {
    const h = await held();
    await deps().localPayments!.checkout(h.intentId, 'processing'); // a SEPA debit: the bank answers later
    const before = await money(h.bookingId, h.c);

    const refused = await expectError(
      await api('POST', `/api/bookings/${h.bookingId}/cancel`, {}, { token: h.fan.token }),
      409,
      'PAYMENT_PROCESSING',
    );
    expect(refused.message).toMatch(/being processed/);
    // The page route (the checkout's "release the slot" button) says why, in the person's language.
    for (const [lang, text] of [
      ['en', 'being processed'],
      ['fr', 'en cours de traitement'],
    ] as const) {
      const res = await postPage(`/${lang}/bookings/${h.bookingId}/cancel`, h.fan.token);
      expect(res.status).toBe(303);
      const flash = res.headers
        .getSetCookie()
        .find((x) => x.startsWith('flash='))!
        .split(';')[0];
      expect(decodeURIComponent(flash)).toBe('flash=error:booking.errors.PAYMENT_PROCESSING');
      const page = await (
        await fetchApp(res.headers.get('location')!, {
          headers: { authorization: `Bearer ${h.fan.token}`, cookie: flash },
        })
      ).text();
      expect(page).toContain(text);
    }
    // The creator and an admin are refused alike.
    await expectError(
      await api('POST', `/api/bookings/${h.bookingId}/cancel`, {}, { token: h.c.token }),
      409,
      'PAYMENT_PROCESSING',
    );
    const admin = await createAccount('ADMIN', { passwordHash: null });
    await expectError(
      await api('POST', `/api/bookings/${h.bookingId}/cancel`, { reason: 'cleanup' }, { token: admin.token }),
      409,
      'PAYMENT_PROCESSING',
    );

    // Nothing moved: the hold stands, nothing charged, refunded or booked.
    expect(await money(h.bookingId, h.c)).toEqual(before);
    expect(before).toMatchObject({
      booking: 'PENDING',
      payment: { status: 'PENDING', refunded: 0 },
      refunds: [],
      owed: [],
      ledger: [],
    });
    expect((await offerRow(h.offer.id)).status).toBe('HELD');
    await expectError(await book(h.offer.id, h.other.token), 409, 'OFFER_UNAVAILABLE');

    // The bank accepts: the booking is confirmed, the creator's share booked (not released before the call), nothing refunded.
    await deps().localPayments!.settleProcessing(h.intentId, true);
    expect(await money(h.bookingId, h.c)).toEqual({
      booking: 'CONFIRMED',
      payment: { status: 'SUCCEEDED', amount: PRICE, refunded: 0 },
      refunds: [],
      owed: [],
      ledgerSum: 0,
      ledger: ['CHARGE -10000', 'CREATOR_SHARE 8500', 'PLATFORM_FEE 1500'],
      creator: { total: SHARE, released: 0 },
      payouts: 0,
    });
    expect((await offerRow(h.offer.id)).status).toBe('BOOKED');
  });

  it('paid but not yet confirmed (the webhook is late): cancelling the hold is refused, the payment is taken into account, and the cancellation policy then applies — no full refund by racing the webhook', async () => {
    const h = await held({ policy: 'HALF', startsInMinutes: 5 * 60 });
    const { capture } = capturing();
    await capture.checkout(h.intentId, 'succeed'); // paid at the provider, its events not delivered yet
    expect((await bookingRow(h.bookingId)).status).toBe('PENDING');

    await expectError(
      await api('POST', `/api/bookings/${h.bookingId}/cancel`, {}, { token: h.fan.token }),
      409,
      'PAYMENT_PROCESSING',
    );
    // The refusal caught up with the payment: confirmed, nothing refunded.
    expect(await money(h.bookingId, h.c)).toMatchObject({
      booking: 'CONFIRMED',
      payment: { status: 'SUCCEEDED', refunded: 0 },
      refunds: [],
      owed: [],
      ledgerSum: 0,
    });

    // Cancelling now (less than 24 h before) gives what the policy says: half.
    const res = await api('POST', `/api/bookings/${h.bookingId}/cancel`, {}, { token: h.fan.token });
    expect(await res.json()).toMatchObject({ refunded: PRICE / 2 });
    const after = await money(h.bookingId, h.c);
    expect(after).toMatchObject({
      booking: 'CANCELLED',
      payment: { status: 'PARTIALLY_REFUNDED', refunded: PRICE / 2 },
      ledgerSum: 0,
      creator: { total: SHARE / 2 },
    });
    expect(after.refunds).toEqual([
      { amount: PRICE / 2, status: 'SUCCEEDED', by: 'FAN', reason: 'FAN_CANCELLED_LATE' },
    ]);
  });
});

describe('a payment that completes after its hold was released is refunded in full, once', () => {
  it('the release could not cancel the intent (provider outage) and the fan pays it anyway: full refund, the share never released or paid out; duplicates, disorder and the reconciliation change nothing', async () => {
    const h = await held();
    await deps().localPayments!.failNext('cancelIntent', 1, true);
    expect((await api('POST', `/api/bookings/${h.bookingId}/cancel`, {}, { token: h.fan.token })).status).toBe(200);
    expect((await bookingRow(h.bookingId)).status).toBe('CANCELLED');
    expect((await deps().payments.retrieveIntent(h.intentId)).status).toBe('requires_payment_method'); // still payable

    // The fan confirms the payment directly with the provider (as Stripe.js can, past our pages).
    const { capture, captured, app } = capturing();
    await capture.checkout(h.intentId, 'succeed');
    const paid = captured.splice(0);
    expect(paid.map((e) => e.type)).toEqual(['charge.succeeded', 'payment_intent.succeeded']);
    for (const e of [...paid, ...paid, ...paid]) await processPaymentEvent(app, e);
    const refundEvents = captured.splice(0);
    expect(refundEvents.map((e) => e.type)).toEqual(['charge.refunded', 'refund.created']);
    // The refund's own events first seen out of order, three times; the success handled again after crashes; the hourly job.
    for (const e of [...refundEvents].reverse().concat(refundEvents, refundEvents)) await processPaymentEvent(app, e);
    await redeliver(app, paid);
    await onIntentSucceeded(app, h.intentId);
    await reconcilePayments(app);
    await runScheduled(testEnv, { cron: CRON.hourly, scheduledTime: Date.now() });

    expect(await money(h.bookingId, h.c)).toEqual({
      booking: 'CANCELLED',
      payment: { status: 'REFUNDED', amount: PRICE, refunded: PRICE },
      refunds: [fullOrphanRefund],
      owed: [`SLOT_LOST:ISSUED:${PRICE}`],
      ledgerSum: 0,
      ledger: [
        'CHARGE -10000',
        'CREATOR_SHARE 8500',
        'FEE_REFUND -1500',
        'PLATFORM_FEE 1500',
        'REFUND 10000',
        'SHARE_REVERSAL -8500',
      ],
      creator: { total: 0, released: 0 },
      payouts: 0,
    });
    expect(await capture.listRefunds(h.intentId)).toHaveLength(1);
    expect(await payoutAttempt(h.c)).toMatchObject({ ok: false, code: 'NOT_ELIGIBLE' });
  });

  it('while that refund is still owed (the provider refuses to answer), the share of a hold cancelled while pending is never released nor paid out', async () => {
    const h = await held();
    const local = deps().localPayments!;
    await local.failNext('cancelIntent', 1, true);
    expect((await api('POST', `/api/bookings/${h.bookingId}/cancel`, {}, { token: h.fan.token })).status).toBe(200);
    await local.failNext('refund', 1, true);
    await local.checkout(h.intentId, 'succeed');
    const m = await money(h.bookingId, h.c);
    expect(m).toMatchObject({
      booking: 'CANCELLED',
      payment: { status: 'SUCCEEDED', refunded: 0 },
      refunds: [],
      owed: [`SLOT_LOST:OWED:${PRICE}`],
      ledgerSum: 0,
      creator: { total: SHARE, released: 0 },
      payouts: 0,
    });
    expect(await payoutAttempt(h.c)).toMatchObject({ ok: false, code: 'NOT_ELIGIBLE' });
    expect(await deps().db.select().from(payouts).where(eq(payouts.creatorId, h.c.creator.id)).all()).toEqual([]);
  });
});

describe('a hold whose payment is processing is not dropped at its deadline', () => {
  const backdate = (bookingId: string) =>
    deps()
      .db.update(bookings)
      .set({ holdExpiresAt: new Date(Date.now() - 5 * 60_000) })
      .where(eq(bookings.id, bookingId));

  it('the alarm and the sweep keep it (re-checked later); no other fan takes the slot; the bank accepts and it is confirmed, nothing refunded', async () => {
    const h = await held();
    await deps().localPayments!.checkout(h.intentId, 'processing');
    await backdate(h.bookingId);
    await evictDurableObject(stub(h.offer.id));
    await runDurableObjectAlarm(stub(h.offer.id));
    const kept = await bookingRow(h.bookingId);
    expect(kept.status).toBe('PENDING');
    expect(kept.holdExpiresAt!.getTime()).toBeGreaterThan(Date.now()); // the next check
    expect((await offerRow(h.offer.id)).status).toBe('HELD');
    await backdate(h.bookingId);
    const sweep = await runScheduled(testEnv, { cron: CRON.every5min, scheduledTime: Date.now() });
    expect(sweep['booking-sweep']).toMatchObject({ status: 'SUCCESS' });
    expect((await bookingRow(h.bookingId)).status).toBe('PENDING');
    await expectError(await book(h.offer.id, h.other.token), 409, 'OFFER_UNAVAILABLE');
    expect(await money(h.bookingId, h.c)).toMatchObject({
      payment: { status: 'PENDING' },
      refunds: [],
      owed: [],
      ledger: [],
    });

    await deps().localPayments!.settleProcessing(h.intentId, true);
    expect(await money(h.bookingId, h.c)).toMatchObject({
      booking: 'CONFIRMED',
      payment: { status: 'SUCCEEDED', refunded: 0 },
      refunds: [],
      owed: [],
      ledgerSum: 0,
      creator: { total: SHARE, released: 0 },
    });
  });

  it('a late "payment failed" from a first attempt, delivered while the retry is processing, does not drop the hold', async () => {
    const h = await held();
    const { capture, captured, app } = capturing();
    await capture.checkout(h.intentId, 'decline'); // its event is late
    await capture.checkout(h.intentId, 'processing'); // the fan tried again, by bank debit
    expect(captured.map((e) => e.type)).toEqual(['payment_intent.payment_failed', 'payment_intent.processing']);
    for (const e of captured.splice(0)) await processPaymentEvent(app, e);
    expect(await money(h.bookingId, h.c)).toMatchObject({
      booking: 'PENDING',
      payment: { status: 'PENDING' },
      refunds: [],
      ledger: [],
    });
    expect((await offerRow(h.offer.id)).status).toBe('HELD');
    await deps().localPayments!.settleProcessing(h.intentId, true);
    expect(await money(h.bookingId, h.c)).toMatchObject({
      booking: 'CONFIRMED',
      payment: { status: 'SUCCEEDED', refunded: 0 },
      refunds: [],
      owed: [],
      ledgerSum: 0,
    });
  });

  it('still processing when the call starts: released then, and the payment that completes later is refunded in full', async () => {
    const h = await held();
    await deps().localPayments!.checkout(h.intentId, 'processing');
    const past = new Date(Date.now() - 60_000);
    await deps().db.batch([
      deps()
        .db.update(callOffers)
        .set({ startsAt: past, endsAt: new Date(past.getTime() + 30 * 60_000) })
        .where(eq(callOffers.id, h.offer.id)),
      deps()
        .db.update(bookings)
        .set({
          startsAt: past,
          endsAt: new Date(past.getTime() + 30 * 60_000),
          holdExpiresAt: new Date(Date.now() - 120_000),
        })
        .where(eq(bookings.id, h.bookingId)),
    ]);
    await evictDurableObject(stub(h.offer.id));
    await runDurableObjectAlarm(stub(h.offer.id));
    expect((await bookingRow(h.bookingId)).status).toBe('EXPIRED');
    expect((await offerRow(h.offer.id)).status).toBe('EXPIRED');

    await deps().localPayments!.settleProcessing(h.intentId, true);
    expect(await money(h.bookingId, h.c)).toMatchObject({
      booking: 'EXPIRED',
      payment: { status: 'REFUNDED', refunded: PRICE },
      refunds: [fullOrphanRefund],
      owed: [`SLOT_LOST:ISSUED:${PRICE}`],
      ledgerSum: 0,
      creator: { total: 0, released: 0 },
      payouts: 0,
    });
    expect(await payoutAttempt(h.c)).toMatchObject({ ok: false, code: 'NOT_ELIGIBLE' });
  });
});

describe('stale creator terms: the booking gets the terms of the moment it is made', () => {
  async function loadedOffer(policy: 'NONE' | 'HALF' | 'FULL' = 'FULL') {
    const c = await onboardedCreator('EUR', { cancellationPolicy: policy });
    const offer = await offerFor(c, { price: PRICE });
    const [fan] = await fans(1);
    expect(await stub(offer.id).status({ offerId: offer.id })).toMatchObject({ status: 'AVAILABLE' }); // the room has loaded the terms
    return { c, offer, fan };
  }
  /** The intents the provider holds for an offer (or to an account), with their status. */
  const intentsWhere = async (
    pred: (pi: { metadata: Record<string, string>; transfer_data: { destination: string }; status: string }) => boolean,
  ) =>
    (await deps().db.select().from(localStripeObjects).where(eq(localStripeObjects.type, 'payment_intent')).all())
      .map(
        (o) => o.data as { metadata: Record<string, string>; transfer_data: { destination: string }; status: string },
      )
      .filter(pred);
  const noHoldLeft = async (c: CreatorScenario, offerId: string) => {
    expect(await deps().db.select().from(bookings).where(eq(bookings.offerId, offerId)).all()).toEqual([]);
    expect(await deps().db.select().from(payments).where(eq(payments.creatorId, c.creator.id)).all()).toEqual([]);
    expect((await offerRow(offerId)).status).toBe('AVAILABLE');
    // Any intent the claim started was canceled: it can never be paid.
    expect(
      (await intentsWhere((pi) => pi.metadata.offerId === offerId))
        .map((pi) => pi.status)
        .filter((st) => st !== 'canceled'),
    ).toEqual([]);
  };

  it('a policy changed after the room loaded is the one the booking gets', async () => {
    const { c, offer, fan } = await loadedOffer('FULL');
    expect((await api('PUT', '/api/creators/me', { cancellationPolicy: 'NONE' }, { token: c.token })).status).toBe(200);
    const res = await book(offer.id, fan.token);
    expect(res.status).toBe(201);
    const out = (await res.json()) as Held;
    expect(out.booking.cancellationPolicy).toBe('NONE');
    expect((await bookingRow(out.booking.id)).cancellationPolicy).toBe('NONE');
  });

  it('charges disabled after the room loaded: the booking is refused (422 CREATOR_NOT_PAYABLE), nothing held, charged or left payable; re-enabled, it is bookable again', async () => {
    const { c, offer, fan } = await loadedOffer();
    // What account.updated records when the provider turns charges off; the provider's account itself still takes them here.
    await deps().db.update(creators).set({ chargesEnabled: false }).where(eq(creators.id, c.creator.id));
    await expectError(await book(offer.id, fan.token), 422, 'CREATOR_NOT_PAYABLE');
    await noHoldLeft(c, offer.id);
    await expectError(await book(offer.id, fan.token), 422, 'CREATOR_NOT_PAYABLE');
    await deps().db.update(creators).set({ chargesEnabled: true }).where(eq(creators.id, c.creator.id));
    await new Promise((r) => setTimeout(r, 1_100)); // the room re-reads a refusing creator's terms at most once a second
    expect((await book(offer.id, fan.token)).status).toBe(201);
  });

  it('a payment account changed after the room loaded: the payment goes to the new account, never the old one', async () => {
    const { c, offer, fan } = await loadedOffer();
    const d = deps();
    const old = c.creator.stripeAccountId!;
    const { accountId } = await d.payments.createConnectedAccount({
      email: c.user.email,
      creatorId: c.creator.id,
      currency: 'EUR',
      idempotencyKey: `acct2:${c.creator.id}`,
    });
    await d.localPayments!.completeOnboarding(accountId);
    await d.db.update(creators).set({ stripeAccountId: accountId }).where(eq(creators.id, c.creator.id));
    const res = await book(offer.id, fan.token);
    expect(res.status).toBe(201);
    const out = (await res.json()) as Held;
    expect((await d.payments.retrieveIntent(out.payment.intentId)).destination).toBe(accountId);
    const live = await d.db
      .select()
      .from(bookings)
      .where(and(eq(bookings.offerId, offer.id), eq(bookings.status, 'PENDING')))
      .all();
    expect(live.map((b) => b.id)).toEqual([out.booking.id]);
    // No intent to the old account was left payable.
    expect(
      (await intentsWhere((pi) => pi.transfer_data.destination === old))
        .map((pi) => pi.status)
        .filter((st) => st !== 'canceled'),
    ).toEqual([]);
  });
});
