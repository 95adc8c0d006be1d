import { and, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import {
  bookings,
  callOffers,
  creators,
  disputes,
  ledgerEntries,
  localStripeEvents,
  notifications,
  owedRefunds,
  payments,
  refunds,
  webhookEvents,
} from '../src/db/schema';
import type { Deps } from '../src/deps';
import { cancelBooking } from '../src/domain/booking/cancel';
import { createOffer } from '../src/domain/offers/create';
import { submitDisputeEvidence } from '../src/domain/payments/disputes';
import { decideRefund } from '../src/domain/payments/refund-policy';
import { issueRefund, refundable } from '../src/domain/payments/refunds';
import { bankAccount, creatorAccount, creatorBalances, paymentLedgerSum, record } from '../src/domain/ledger/ledger';
import { runScheduled } from '../src/jobs/scheduled';
import { CRON } from '../src/jobs/registry';
import { LOCAL_WEBHOOK_SECRET, localPayments } from '../src/providers/payments/local';
import {
  api,
  createAccount,
  deps,
  expectError,
  fetchApp,
  postForm,
  testEnv,
  type TestAccount,
  offerRow,
  paymentOf,
} from './helpers';
import { book, fans, offerFor, onboardedCreator } from './scenarios';

const cryptoProvider = Stripe.createSubtleCryptoProvider();
type Captured = { raw: string; sig: string; type: string };

async function held(opts: { price?: number; startsInMinutes?: number; policy?: 'NONE' | 'HALF' | 'FULL' } = {}) {
  const c = await onboardedCreator('EUR', opts.policy ? { cancellationPolicy: opts.policy } : {});
  const offer = await offerFor(c, { price: opts.price ?? 10000, startsInMinutes: opts.startsInMinutes });
  const [fan] = await fans(1);
  const out = (await (await book(offer.id, fan.token)).json()) as {
    booking: { id: string };
    payment: { intentId: string };
  };
  return { c, offer, fan, bookingId: out.booking.id, intentId: out.payment.intentId };
}
const bookingRow = (id: string) =>
  deps()
    .db.select()
    .from(bookings)
    .where(eq(bookings.id, id))
    .get()
    .then((r) => r!);

describe('local checkout → webhook → booking', () => {
  it('pays, confirms the booking, books the ledger (sums to zero) and notifies both sides', async () => {
    const h = await held();
    await deps().localPayments!.checkout(h.intentId, 'succeed');
    expect((await bookingRow(h.bookingId)).status).toBe('CONFIRMED');
    expect((await offerRow(h.offer.id)).status).toBe('BOOKED');
    const p = await paymentOf(h.bookingId);
    expect(p).toMatchObject({
      status: 'SUCCEEDED',
      amount: 10000,
      platformFee: 1500,
      creatorShare: 8500,
      platformFeeBps: 1500,
    });
    expect(p.chargeId).toMatch(/^ch_local_/);
    // Release date = call end + 7 holding days.
    expect(p.payoutReleaseAt!.getTime()).toBe(h.offer.endsAt.getTime() + 7 * 86_400_000);
    expect(await paymentLedgerSum(deps(), p.id)).toBe(0);
    const entries = await deps().db.select().from(ledgerEntries).where(eq(ledgerEntries.paymentId, p.id)).all();
    expect(entries.map((e) => [e.kind, e.amount]).sort()).toEqual([
      ['CHARGE', -10000],
      ['CREATOR_SHARE', 8500],
      ['PLATFORM_FEE', 1500],
    ]);
    const [bal] = await creatorBalances(deps(), h.c.creator.id, new Date());
    expect(bal).toMatchObject({ currency: 'EUR', pending: 8500, available: 0, debt: 0 });
    // Released once past the date and the call took place (the outcome decides it).
    await deps().db.update(bookings).set({ outcome: 'COMPLETED' }).where(eq(bookings.id, h.bookingId));
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
    expect((await offerRow(a.offer.id)).status).toBe('AVAILABLE');
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
    const pay = await postForm(
      `/checkout/local/${h.intentId}/pay?return=${encodeURIComponent(`/en/bookings/${h.bookingId}`)}`,
      { outcome: 'succeed' },
      { cookie: jar },
    );
    expect(pay.headers.get('location')).toBe(`/en/bookings/${h.bookingId}`);
    const page = await (await fetchApp(`/en/bookings/${h.bookingId}`, { headers: { cookie: jar } })).text();
    expect(page).toContain('Booking confirmed');
    // Another fan cannot pay someone else's intent.
    const other = await createAccount();
    const s2 = await createSession(deps(), other.user, 'COOKIE');
    expect(
      (await fetchApp(`/checkout/local/${h.intentId}`, { headers: { cookie: `__Host-cas=${s2.token}` } })).status,
    ).toBe(404);
  });
});

describe('webhook endpoint', () => {
  const sign = (payload: string, secret = LOCAL_WEBHOOK_SECRET, timestamp?: number) =>
    Stripe.webhooks.generateTestHeaderStringAsync({ payload, secret, cryptoProvider, timestamp });
  const post = (payload: string, signature?: string) =>
    fetchApp('/api/webhooks/stripe', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) },
      body: payload,
    });

  it('accepts a valid signature, refuses a bad one, a missing one and a stale timestamp', async () => {
    const payload = JSON.stringify({
      id: 'evt_sig_test_1',
      object: 'event',
      type: 'customer.created',
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: 'cus_1' } },
    });
    const ok = await post(payload, await sign(payload));
    expect(await ok.json()).toEqual({ received: true, status: 'ignored' });
    await expectError(await post(payload, await sign(payload, 'whsec_wrong')), 400, 'SIGNATURE_INVALID');
    await expectError(await post(payload), 400, 'SIGNATURE_INVALID');
    await expectError(
      await post(payload, await sign(payload, LOCAL_WEBHOOK_SECRET, Math.floor(Date.now() / 1000) - 301)),
      400,
      'SIGNATURE_INVALID',
    );
    const tampered = payload.replace('cus_1', 'cus_2');
    await expectError(await post(tampered, await sign(payload)), 400, 'SIGNATURE_INVALID');
    expect((await post(payload, await sign(payload))).status).toBe(200); // a duplicate is acknowledged
    expect(
      (await deps().db.select().from(webhookEvents).where(eq(webhookEvents.eventId, 'evt_sig_test_1')).get())!.status,
    ).toBe('IGNORED');
  });

  /**
   * One story told twice, its provider events captured instead of delivered: a creator onboards
   * (account.updated); fan A's card is declined (payment_failed); fan B abandons (canceled); fan C
   * pays, an admin refunds part of it, the bank opens a dispute, evidence goes in, the dispute is
   * won, then the admin refund fails at the bank; fan D pays and cancels late (half back). `deliver`
   * is called at every point of the story with the events captured since the last one.
   */
  async function story(deliver: (batch: Captured[], point: string) => Promise<void>) {
    const d = deps();
    const captured: Captured[] = [];
    let sent = 0;
    const capture = localPayments({
      db: d.db,
      clock: d.clock,
      appUrl: 'http://localhost',
      webhookSecret: LOCAL_WEBHOOK_SECRET,
      dispatch: async (raw, sig) => {
        captured.push({ raw, sig, type: JSON.parse(raw).type });
      },
    });
    // The app itself (cancellations, admin refund, evidence) talks to the capturing provider too.
    const app: Deps = { ...d, payments: capture, localPayments: capture };
    const point = async (name: string) => {
      const batch = captured.slice(sent);
      sent = captured.length;
      await deliver(batch, name);
    };
    const admin = await createAccount('ADMIN', { passwordHash: null });
    const creator = await createAccount('CREATOR');
    const creatorRow = (await d.db.select().from(creators).where(eq(creators.userId, creator.user.id)).get())!;
    const { accountId } = await capture.createConnectedAccount({
      email: creator.user.email,
      creatorId: creatorRow.id,
      currency: 'EUR',
      idempotencyKey: `story:${creatorRow.id}`,
    });
    await d.db.update(creators).set({ stripeAccountId: accountId }).where(eq(creators.id, creatorRow.id));
    await capture.completeOnboarding(accountId);
    await point('onboarded');
    const onboarded = (await d.db.select().from(creators).where(eq(creators.id, creatorRow.id)).get())!;
    const offer = async (startsInMinutes: number) => {
      const r = await createOffer(d, onboarded, {
        title: 'Story call',
        description: '',
        price: 12_345,
        currency: 'EUR',
        startsAt: new Date(Date.now() + startsInMinutes * 60_000),
        durationMinutes: 30,
      });
      if (!r.ok) throw new Error(r.code);
      return r.offer;
    };
    const [fanA, fanB, fanC, fanD] = await fans(4);
    const hold = async (offerId: string, fan: TestAccount) =>
      (await (await book(offerId, fan.token)).json()) as { booking: { id: string }; payment: { intentId: string } };
    const x = await offer(3 * 24 * 60);
    const y = await offer(4 * 24 * 60);
    const z = await offer(5 * 60);
    const a = await hold(x.id, fanA);
    await capture.checkout(a.payment.intentId, 'decline');
    await point('declined');
    const b = await hold(y.id, fanB);
    await capture.cancelIntent(b.payment.intentId, 'story');
    await point('abandoned');
    const c = await hold(x.id, fanC);
    await capture.checkout(c.payment.intentId, 'succeed');
    await point('paid');
    const payC = await paymentOf(c.booking.id);
    const adminRefund = await issueRefund(app, payC, decideRefund({ kind: 'ADMIN', amount: 2345 }, refundable(payC)), {
      initiatedBy: 'ADMIN',
      actorUserId: admin.user.id,
      note: 'Audio issues',
      key: `story:${payC.id}`,
      kind: 'ADMIN',
    });
    await point('admin refund');
    const dsp = await capture.openDispute(payC.chargeId!, 'fraudulent');
    await point('dispute opened');
    const dispute = (await d.db.select().from(disputes).where(eq(disputes.stripeDisputeId, dsp)).get())!;
    expect(await submitDisputeEvidence(app, dispute.id, admin.user)).toEqual({ ok: true });
    await point('evidence');
    await capture.updateDispute(dsp, 'won');
    await point('dispute closed');
    const providerRefund = (await d.db
      .select()
      .from(refunds)
      .where(eq(refunds.id, adminRefund!.status === 'ISSUED' ? adminRefund!.refundId : ''))
      .get())!.stripeRefundId!;
    await capture.updateRefund(providerRefund, 'failed', 'expired_or_canceled_card');
    await point('refund failed');
    const dd = await hold(z.id, fanD);
    await capture.checkout(dd.payment.intentId, 'succeed');
    await point('paid late call');
    const fanDUser = fanD.user;
    expect(await cancelBooking(app, fanDUser, dd.booking.id, 'Change of plans')).toMatchObject({
      ok: true,
      refunded: 6172,
    });
    await point('fan cancelled');

    const who = new Map<string, string>([
      [admin.user.id, 'admin'],
      [creator.user.id, 'creator'],
      [fanA.user.id, 'fanA'],
      [fanB.user.id, 'fanB'],
      [fanC.user.id, 'fanC'],
      [fanD.user.id, 'fanD'],
    ]);
    const state = async () => {
      const ids = [a, b, c, dd].map((h) => h.booking.id);
      const pays = await d.db.select().from(payments).where(inArray(payments.bookingId, ids)).all();
      const payIds = pays.map((p) => p.id);
      const label = (bookingId: string) => ['A', 'B', 'C', 'D'][ids.indexOf(bookingId)];
      const account = (acct: string) => acct.replace(creatorRow.id, 'creator');
      const ledger = payIds.length
        ? await d.db.select().from(ledgerEntries).where(inArray(ledgerEntries.paymentId, payIds)).all()
        : [];
      const myNotes = await d.db
        .select()
        .from(notifications)
        .where(inArray(notifications.userId, [...who.keys()]))
        .all();
      const count = (xs: string[]) =>
        Object.fromEntries([...new Set(xs)].sort().map((k) => [k, xs.filter((v) => v === k).length]));
      const dispRow = (await d.db.select().from(disputes).where(eq(disputes.stripeDisputeId, dsp)).get())!;
      return {
        creator: {
          chargesEnabled: (await d.db.select().from(creators).where(eq(creators.id, creatorRow.id)).get())!
            .chargesEnabled,
        },
        bookings: Object.fromEntries(
          (await d.db.select().from(bookings).where(inArray(bookings.id, ids)).all()).map((r) => [
            label(r.id),
            r.status,
          ]),
        ),
        offers: (
          await d.db
            .select()
            .from(callOffers)
            .where(inArray(callOffers.id, [x.id, y.id, z.id]))
            .all()
        )
          .map((o) => [o.id === x.id ? 'X' : o.id === y.id ? 'Y' : 'Z', o.status])
          .sort(),
        payments: Object.fromEntries(
          pays.map((p) => [label(p.bookingId), { status: p.status, refunded: p.refundedAmount, fee: p.platformFee }]),
        ),
        refunds: (await d.db.select().from(refunds).where(inArray(refunds.paymentId, payIds)).all())
          .map((r) => ({
            booking: label(r.bookingId),
            amount: r.amount,
            status: r.status,
            by: r.initiatedBy,
            actor: r.actorUserId ? who.get(r.actorUserId) : null,
            reason: r.reason,
            reversed: !!r.reversedAt,
          }))
          .sort((p, q) => p.booking.localeCompare(q.booking)),
        owed: (await d.db.select().from(owedRefunds).where(inArray(owedRefunds.paymentId, payIds)).all())
          .map((o) => `${label(o.bookingId)}:${o.kind}:${o.status}`)
          .sort(),
        dispute: { status: dispRow.status, debt: dispRow.creatorDebt, evidence: !!dispRow.evidenceSubmittedAt },
        ledger: count(
          ledger.map(
            (e) =>
              `${label(pays.find((p) => p.id === e.paymentId)!.bookingId)} ${e.kind} ${account(e.account)} ${e.amount}`,
          ),
        ),
        ledgerSums: await Promise.all(payIds.map((id) => paymentLedgerSum(d, id))),
        notifications: count(myNotes.map((n) => `${who.get(n.userId)} ${n.type}`)),
      };
    };
    return { captured, state };
  }

  it('ends in the same state when every event comes three times, shuffled, and late (after the state moved on) as when each comes once in order', async () => {
    const post1 = async (e: Captured) => expect((await post(e.raw, e.sig)).status).toBe(200);
    const inOrder = await story(async (batch) => {
      for (const e of batch) await post1(e);
    });
    expect(inOrder.captured.map((e) => e.type)).toEqual([
      'account.updated',
      'payment_intent.payment_failed',
      'payment_intent.canceled',
      'charge.succeeded',
      'payment_intent.succeeded',
      'charge.refunded',
      'refund.created',
      'charge.dispute.created',
      'charge.dispute.updated',
      'charge.dispute.closed',
      'refund.updated',
      'refund.failed',
      'charge.succeeded',
      'payment_intent.succeeded',
      'charge.refunded',
      'refund.created',
    ]);
    const reference = await inOrder.state();
    // What the story must end in (so that equal states are also right ones).
    expect(reference).toMatchObject({
      creator: { chargesEnabled: true },
      bookings: { A: 'FAILED', B: 'FAILED', C: 'CONFIRMED', D: 'CANCELLED' },
      offers: [
        ['X', 'BOOKED'],
        ['Y', 'AVAILABLE'],
        ['Z', 'AVAILABLE'],
      ],
      payments: {
        C: { status: 'SUCCEEDED', refunded: 0, fee: 1852 },
        D: { status: 'PARTIALLY_REFUNDED', refunded: 6172 },
      },
      refunds: [
        {
          booking: 'C',
          amount: 2345,
          status: 'FAILED',
          by: 'ADMIN',
          actor: 'admin',
          reason: 'ADMIN: Audio issues',
          reversed: true,
        },
        {
          booking: 'D',
          amount: 6172,
          status: 'SUCCEEDED',
          by: 'FAN',
          actor: 'fanD',
          reason: 'FAN_CANCELLED_LATE: Change of plans',
          reversed: false,
        },
      ],
      owed: ['C:ADMIN:FAILED', 'D:CANCELLATION:ISSUED'],
      dispute: { status: 'WON', debt: 0, evidence: true },
      ledgerSums: [0, 0, 0, 0],
    });
    expect(reference.notifications).toMatchObject({
      'fanC BOOKING_CONFIRMED': 1,
      'fanD BOOKING_CONFIRMED': 1,
      'creator NEW_BOOKING': 2,
      'fanC REFUND_ISSUED': 1,
      'fanC REFUND_FAILED': 1,
      'admin REFUND_FAILED': 1,
      'admin DISPUTE_OPENED': 1,
      'admin DISPUTE_CLOSED': 1,
      'fanD REFUND_ISSUED': 1,
    });
    expect(reference.notifications['fanA BOOKING_CONFIRMED']).toBeUndefined();

    // Run B, the same story with its events delivered badly: at each point the batch three times,
    // shuffled; some held back and delivered for the first time only later (the evidence's dispute
    // update after the dispute closed, the admin refund's events after the refund failed); and some
    // handled again after the state moved on, as when a first delivery crashed half-way and the
    // provider retries it (the dispute's creation after it was won, the payment's success after the
    // fan cancelled — which must not refund the rest as a "slot lost").
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 16807) % 2147483647;
      return seed % n;
    };
    const shuffle = <T>(xs: T[]) => {
      for (let i = xs.length - 1; i > 0; i--) {
        const j = rand(i + 1);
        [xs[i], xs[j]] = [xs[j], xs[i]];
      }
      return xs;
    };
    const held: Record<string, { types: string[]; until: string }> = {
      'admin refund': { types: ['charge.refunded', 'refund.created'], until: 'refund failed' },
      evidence: { types: ['charge.dispute.updated'], until: 'dispute closed' },
    };
    const retried: Record<string, string[]> = {
      'dispute closed': ['charge.dispute.created'],
      'refund failed': ['payment_intent.succeeded'],
      'fan cancelled': ['payment_intent.succeeded'],
    };
    const seen: Captured[] = [];
    const waiting: { e: Captured; until: string }[] = [];
    const messy = await story(async (batch, at) => {
      const hold = held[at];
      const now = batch.filter((e) => !hold?.types.includes(e.type));
      waiting.push(...batch.filter((e) => hold?.types.includes(e.type)).map((e) => ({ e, until: hold!.until })));
      const due = waiting.filter((w) => w.until === at).map((w) => w.e);
      // Their first delivery "crashed": the provider delivers them again, and the handler runs again.
      const again = seen.filter((e) => (retried[at] ?? []).includes(e.type));
      const ids = again.map((e) => JSON.parse(e.raw).id as string);
      if (ids.length)
        await deps().db.update(webhookEvents).set({ status: 'FAILED' }).where(inArray(webhookEvents.eventId, ids));
      seen.push(...now, ...due);
      for (const e of shuffle([...now, ...now, ...now, ...due, ...due, ...again])) await post1(e);
    });
    expect(waiting.length).toBe(3);
    expect(await messy.state()).toEqual(reference);
  });

  it('the hourly reconciliation replays events the webhook never received', async () => {
    const h = await held();
    const d = deps();
    const lost = localPayments({
      db: d.db,
      clock: d.clock,
      appUrl: 'http://localhost',
      webhookSecret: LOCAL_WEBHOOK_SECRET,
      dispatch: async () => {},
    });
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
    const preview = (await (
      await api('GET', `/api/bookings/${h.bookingId}/cancellation`, undefined, { token: h.c.token })
    ).json()) as { refund: { amount: number } };
    expect(preview.refund.amount).toBe(10000);
    const res = await api('POST', `/api/bookings/${h.bookingId}/cancel`, { reason: 'Sick' }, { token: h.c.token });
    expect(((await res.json()) as { refunded: number }).refunded).toBe(10000);
    expect(await bookingRow(h.bookingId)).toMatchObject({ status: 'CANCELLED', cancelledBy: 'CREATOR' });
    expect((await offerRow(h.offer.id)).status).toBe('CANCELLED');
    const p = await paymentOf(h.bookingId);
    expect(p).toMatchObject({ status: 'REFUNDED', refundedAmount: 10000 });
    expect(await paymentLedgerSum(deps(), p.id)).toBe(0);
    const [bal] = await creatorBalances(deps(), h.c.creator.id, new Date(Date.now() + 400 * 86_400_000));
    expect(bal).toMatchObject({ total: 0, available: 0, debt: 0 });
    const refundNotes = (
      await deps().db.select().from(notifications).where(eq(notifications.type, 'REFUND_ISSUED')).all()
    ).filter((n) => [h.fan.user.id, h.c.user.id].includes(n.userId));
    expect(refundNotes).toHaveLength(2);
    // Cancelling twice does nothing more.
    await expectError(
      await api('POST', `/api/bookings/${h.bookingId}/cancel`, {}, { token: h.c.token }),
      409,
      'BOOKING_NOT_CANCELLABLE',
    );
  });

  it('fan cancels ≥ 24 h before → full refund and the slot reopens; < 24 h → the creator policy (50 % / nothing)', async () => {
    const early = await paid({ startsInMinutes: 48 * 60 });
    expect(
      (
        (await (
          await api('POST', `/api/bookings/${early.bookingId}/cancel`, {}, { token: early.fan.token })
        ).json()) as { refunded: number }
      ).refunded,
    ).toBe(10000);
    expect((await offerRow(early.offer.id)).status).toBe('AVAILABLE');
    const late = await paid({ startsInMinutes: 5 * 60, policy: 'HALF' });
    const preview = (await (
      await api('GET', `/api/bookings/${late.bookingId}/cancellation`, undefined, { token: late.fan.token })
    ).json()) as { refund: { amount: number; percent: number } };
    expect(preview.refund).toMatchObject({ amount: 5000, percent: 50 });
    expect(
      (
        (await (await api('POST', `/api/bookings/${late.bookingId}/cancel`, {}, { token: late.fan.token })).json()) as {
          refunded: number;
        }
      ).refunded,
    ).toBe(5000);
    const p = await paymentOf(late.bookingId);
    expect(p).toMatchObject({ status: 'PARTIALLY_REFUNDED', refundedAmount: 5000 });
    expect(await paymentLedgerSum(deps(), p.id)).toBe(0);
    const none = await paid({ startsInMinutes: 5 * 60, policy: 'NONE' });
    expect(
      (
        (await (await api('POST', `/api/bookings/${none.bookingId}/cancel`, {}, { token: none.fan.token })).json()) as {
          refunded: number;
        }
      ).refunded,
    ).toBe(0);
    expect((await bookingRow(none.bookingId)).status).toBe('CANCELLED');
  });

  it('only the people of the booking may cancel it, and a pending hold is released without charge', async () => {
    const h = await held();
    const stranger = await createAccount();
    await expectError(
      await api('POST', `/api/bookings/${h.bookingId}/cancel`, {}, { token: stranger.token }),
      404,
      'NOT_FOUND',
    );
    await expectError(
      await api('GET', `/api/bookings/${h.bookingId}`, undefined, { token: stranger.token }),
      404,
      'NOT_FOUND',
    );
    expect((await api('POST', `/api/bookings/${h.bookingId}/cancel`, {}, { token: h.fan.token })).status).toBe(200);
    expect((await bookingRow(h.bookingId)).status).toBe('CANCELLED');
    expect((await deps().payments.retrieveIntent(h.intentId)).status).toBe('canceled');
  });

  it('admins refund any amount up to what is left, with a reason, audited', async () => {
    const h = await paid();
    const admin = await createAccount('ADMIN');
    const p = await paymentOf(h.bookingId);
    await expectError(
      await api(
        'POST',
        `/api/admin/payments/${p.id}/refund`,
        { amount: 100, reason: 'goodwill' },
        { token: h.fan.token },
      ),
      403,
      'FORBIDDEN_ROLE',
    );
    expect(
      (
        (await (
          await api(
            'POST',
            `/api/admin/payments/${p.id}/refund`,
            { amount: 2500, reason: 'Audio issues' },
            { token: admin.token },
          )
        ).json()) as { amount: number }
      ).amount,
    ).toBe(2500);
    expect(
      (
        (await (
          await api(
            'POST',
            `/api/admin/payments/${p.id}/refund`,
            { amount: 99999, reason: 'Rest of it' },
            { token: admin.token },
          )
        ).json()) as { amount: number }
      ).amount,
    ).toBe(7500);
    await expectError(
      await api('POST', `/api/admin/payments/${p.id}/refund`, { amount: 1, reason: 'More?' }, { token: admin.token }),
      422,
      'NOTHING_TO_REFUND',
    );
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
    expect(
      await deps()
        .db.select()
        .from(notifications)
        .where(and(eq(notifications.userId, admin.user.id), eq(notifications.type, 'DISPUTE_OPENED')))
        .all(),
    ).toHaveLength(1);
    const now = new Date(Date.now() + 400 * 86_400_000);
    expect((await creatorBalances(deps(), h.c.creator.id, now))[0]).toMatchObject({ total: 0 });
    expect(await paymentLedgerSum(deps(), d.paymentId)).toBe(0);
    const ev = await api('POST', `/api/admin/disputes/${d.id}/evidence`, undefined, { token: admin.token });
    expect(ev.status).toBe(200);
    expect(
      (await deps().db.select().from(disputes).where(eq(disputes.id, d.id)).get())!.evidenceSubmittedAt,
    ).not.toBeNull();
    expect((await deps().payments.retrieveDispute(dspId)).status).toBe('under_review');
    await deps().localPayments!.updateDispute(dspId, 'won');
    expect(await deps().db.select().from(disputes).where(eq(disputes.id, d.id)).get()).toMatchObject({
      status: 'WON',
      creatorDebt: 0,
    });
    await deps().db.update(bookings).set({ outcome: 'COMPLETED' }).where(eq(bookings.id, h.bookingId)); // the call took place
    expect((await creatorBalances(deps(), h.c.creator.id, now))[0]).toMatchObject({
      total: 8500,
      available: 8500,
      debt: 0,
    });
    expect(await paymentLedgerSum(deps(), d.paymentId)).toBe(0);
  });

  it('a lost dispute leaves the creator in debt when the share was already paid out', async () => {
    const h = await held();
    await deps().localPayments!.checkout(h.intentId, 'succeed');
    await deps().db.update(bookings).set({ outcome: 'COMPLETED' }).where(eq(bookings.id, h.bookingId)); // the call took place
    // The creator's share was paid out to their bank before the dispute came in.
    await record(deps(), {
      txId: `payout:test-${h.bookingId}`,
      currency: 'EUR',
      entries: [
        {
          account: creatorAccount(h.c.creator.id),
          kind: 'PAYOUT',
          amount: -8500,
          creatorId: h.c.creator.id,
          availableAt: new Date(),
        },
        { account: bankAccount(h.c.creator.id), kind: 'PAYOUT', amount: 8500 },
      ],
    });
    const chargeId = (await paymentOf(h.bookingId)).chargeId!;
    const dspId = await deps().localPayments!.openDispute(chargeId, 'fraudulent');
    await deps().localPayments!.updateDispute(dspId, 'lost');
    const [bal] = await creatorBalances(deps(), h.c.creator.id, new Date(Date.now() + 400 * 86_400_000));
    expect(bal).toMatchObject({ total: -8500, available: 0, debt: 8500 });
    expect(await deps().db.select().from(disputes).where(eq(disputes.stripeDisputeId, dspId)).get()).toMatchObject({
      status: 'LOST',
      creatorDebt: 8500,
    });
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
    await expectError(
      await api('POST', '/api/creators/me/onboarding/session', undefined, { token: c.token }),
      404,
      'NOT_AVAILABLE',
    );
    const { createSession } = await import('../src/domain/accounts/sessions');
    const s = await createSession(deps(), c.user, 'COOKIE');
    const done = await postForm(
      `/checkout/local/onboarding/${accountId}?return=%2Fen%2Fcreator%2Fpayments%2Freturn`,
      {},
      { cookie: `__Host-cas=${s.token}` },
    );
    expect(done.headers.get('location')).toBe('/en/creator/payments/return');
    const creator = (await deps().db.select().from(creators).where(eq(creators.userId, c.user.id)).get())!;
    expect(creator).toMatchObject({
      stripeAccountId: accountId,
      chargesEnabled: true,
      payoutsEnabled: true,
      detailsSubmitted: true,
    });
    expect((await deps().payments.retrieveAccount(accountId)).payoutInterval).toBe('manual');
  });
});
