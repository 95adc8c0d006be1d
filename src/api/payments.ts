/** Payments API: creator onboarding and balance, booking cancellation with its refund, admin refunds and dispute evidence. */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { disputes, OWED_REFUND_KINDS, OWED_REFUND_STATUSES, REFUND_INITIATORS, type OwedRefund } from '../db/schema';
import { adminRefund, owedRefundsPage, retryOwedRefundNow } from '../domain/admin/payments';
import { bookingForViewer } from '../domain/booking/access';
import { cancelBooking, cancellationPreview } from '../domain/booking/cancel';
import { creatorBalances } from '../domain/ledger/ledger';
import { startOnboarding, syncAccount } from '../domain/payments/connect';
import { submitDisputeEvidence } from '../domain/payments/disputes';
import { checkHoldForPayment } from '../domain/payments/hold';
import { toBookingDto } from '../domain/offers/dto';
import { AppError, notFound } from '../http/errors';
import { refusal } from '../http/refusals';
import { apiApp, route } from '../http/route';
import { CurrencySchema, IdParam, MinorAmount, PageQuery, SingleLineText } from '../shared/common';
import { BookingDto } from '../shared/offers';
import { creatorOfUser } from './creators';

export const paymentsApi = apiApp('/api');
const BookingIdParam = z.object({ id: IdParam('bkg') });

const OnboardingStatus = z.object({
  accountId: z.string().nullable(),
  chargesEnabled: z.boolean(),
  payoutsEnabled: z.boolean(),
  detailsSubmitted: z.boolean(),
});

route(
  paymentsApi,
  {
    method: 'post',
    path: '/creators/me/onboarding',
    summary: 'Start (or resume) payment onboarding: returns the Stripe onboarding link (local mode: the simulated one)',
    tags: ['Payments'],
    access: ['CREATOR'],
    responses: {
      200: { description: 'Where to send the creator', schema: z.object({ url: z.string(), accountId: z.string() }) },
    },
  },
  async (c, { user }) => {
    const deps = c.get('deps');
    const creator = await creatorOfUser(deps, user);
    const base = `${new URL(c.req.url).origin}/${user.locale}/creator/payments`;
    return c.json(
      await startOnboarding(deps, creator, user, { returnUrl: `${base}/return`, refreshUrl: `${base}/refresh` }),
    );
  },
);

route(
  paymentsApi,
  {
    method: 'get',
    path: '/creators/me/onboarding',
    summary: 'Payment onboarding status (re-read from the provider)',
    tags: ['Payments'],
    access: ['CREATOR'],
    responses: { 200: { description: 'Status', schema: OnboardingStatus } },
  },
  async (c, { user }) => {
    const deps = c.get('deps');
    let creator = await creatorOfUser(deps, user);
    if (creator.stripeAccountId) creator = (await syncAccount(deps, creator.stripeAccountId)) ?? creator;
    return c.json({
      accountId: creator.stripeAccountId,
      chargesEnabled: creator.chargesEnabled,
      payoutsEnabled: creator.payoutsEnabled,
      detailsSubmitted: creator.detailsSubmitted,
    });
  },
);

route(
  paymentsApi,
  {
    method: 'post',
    path: '/creators/me/onboarding/session',
    summary: 'Embedded onboarding: an Account Session client secret (Stripe only)',
    tags: ['Payments'],
    access: ['CREATOR'],
    responses: {
      200: {
        description: 'Client secret for Stripe Connect embedded onboarding',
        schema: z.object({ clientSecret: z.string() }),
      },
      404: { description: 'Not available with this provider' },
    },
  },
  async (c, { user }) => {
    const deps = c.get('deps');
    const creator = await creatorOfUser(deps, user);
    const started = creator.stripeAccountId
      ? null
      : await startOnboarding(deps, creator, user, {
          returnUrl: `${new URL(c.req.url).origin}/`,
          refreshUrl: `${new URL(c.req.url).origin}/`,
        });
    const session = await deps.payments.createOnboardingSession(creator.stripeAccountId ?? started!.accountId);
    if (!session) throw new AppError(404, 'NOT_AVAILABLE', 'Embedded onboarding needs Stripe.');
    return c.json(session);
  },
);

route(
  paymentsApi,
  {
    method: 'get',
    path: '/creators/me/balance',
    summary: 'My balances per currency, derived from the ledger (pending until call end + holding period)',
    tags: ['Payments'],
    access: ['CREATOR'],
    responses: {
      200: {
        description: 'Balances',
        schema: z.object({
          balances: z.array(
            z.object({
              currency: CurrencySchema,
              total: z.number().int(),
              pending: z.number().int(),
              available: z.number().int(),
              debt: z.number().int(),
            }),
          ),
        }),
      },
    },
  },
  async (c, { user }) => {
    const deps = c.get('deps');
    const creator = await creatorOfUser(deps, user);
    return c.json({ balances: await creatorBalances(deps, creator.id, deps.clock.now()) });
  },
);

const Preview = z.object({
  allowed: z.boolean(),
  code: z.string().optional(),
  refund: z.object({ amount: z.number().int(), percent: z.number(), reason: z.string() }).optional(),
  charged: z.number().int().optional(),
});

route(
  paymentsApi,
  {
    method: 'get',
    path: '/bookings/:id/cancellation',
    summary: 'What cancelling would refund, under the policy (ask before cancelling)',
    tags: ['Booking'],
    access: 'user',
    params: BookingIdParam,
    responses: { 200: { description: 'Preview', schema: Preview } },
  },
  async (c, { user, params }) => {
    const deps = c.get('deps');
    const found = await bookingForViewer(deps, user, params.id);
    if (!found) throw notFound('Booking');
    const p = await cancellationPreview(deps, found.role, found.booking);
    return c.json(p.ok ? { allowed: true, refund: p.refund, charged: p.charged } : { allowed: false, code: p.code });
  },
);

route(
  paymentsApi,
  {
    method: 'post',
    path: '/bookings/:id/payment/prepare',
    summary:
      'Before charging the card (Stripe.js confirmPayment, or the local checkout): re-checks server-side that the hold still stands for this fan',
    tags: ['Booking'],
    access: 'user',
    params: BookingIdParam,
    responses: {
      200: {
        description: 'The hold stands: go ahead and confirm the payment',
        schema: z.object({ ok: z.literal(true), intentId: z.string(), holdExpiresAt: z.string() }),
      },
      404: { description: 'NOT_FOUND (also: not your booking)' },
      409: {
        description: 'HOLD_EXPIRED (released, expired or its payment canceled: nothing is charged), ALREADY_PAID',
      },
    },
  },
  async (c, { user, params }) => {
    const deps = c.get('deps');
    const found = await bookingForViewer(deps, user, params.id);
    // Only the fan pays; for anyone else the booking's payment does not exist.
    if (!found || found.role !== 'FAN') throw notFound('Booking');
    const r = await checkHoldForPayment(deps, found.booking);
    if (!r.ok) throw refusal(r.code);
    return c.json({ ok: true as const, intentId: r.intent.id, holdExpiresAt: r.holdExpiresAt.toISOString() });
  },
);

route(
  paymentsApi,
  {
    method: 'post',
    path: '/bookings/:id/cancel',
    summary: 'Cancel a booking (fan, creator or admin); the refund follows the policy',
    tags: ['Booking'],
    access: 'user',
    params: BookingIdParam,
    body: z.object({
      reason: SingleLineText(0, 500).optional(),
      /** The refund shown to the person (GET …/cancellation): refused with REFUND_CHANGED if it moved since. */
      expectedRefund: MinorAmount.optional(),
    }),
    responses: {
      200: {
        description:
          'Cancelled. `refunded`: what goes back to the fan; `refundPending`: the provider has not taken it yet (it is owed and retried automatically)',
        schema: z.object({ booking: BookingDto, refunded: z.number().int(), refundPending: z.boolean() }),
      },
      409: {
        description:
          'CALL_STARTED, BOOKING_NOT_CANCELLABLE, REFUND_CHANGED (the refund is no longer the expected one: nothing was cancelled), PAYMENT_PROCESSING (a held booking whose payment is under way: it can be cancelled once the payment completes)',
      },
    },
  },
  async (c, { user, params, body }) => {
    const deps = c.get('deps');
    const r = await cancelBooking(deps, user, params.id, body.reason ?? null, {
      requestId: c.get('requestId'),
      expectedRefund: body.expectedRefund,
    });
    if (!r.ok) throw r.code === 'BOOKING_NOT_FOUND' ? notFound('Booking') : refusal(r.code);
    const found = (await bookingForViewer(deps, user, params.id))!;
    return c.json({ booking: toBookingDto(found.booking), refunded: r.refunded, refundPending: r.refundPending });
  },
);

route(
  paymentsApi,
  {
    method: 'post',
    path: '/admin/payments/:id/refund',
    summary: 'Refund any amount (up to what is left) of a payment, with a reason (admin; audited)',
    tags: ['Admin'],
    access: ['ADMIN'],
    params: z.object({ id: IdParam('pay') }),
    body: z.object({ amount: MinorAmount.min(1), reason: SingleLineText(3, 500) }),
    responses: {
      200: {
        description: 'Refunded',
        schema: z.object({ refundId: z.string(), amount: z.number().int(), status: z.literal('ISSUED') }),
      },
      202: {
        description: 'The provider did not answer: the refund is owed and retried automatically (same idempotency key)',
        schema: z.object({ owedRefundId: z.string(), amount: z.number().int(), status: z.literal('OWED') }),
      },
      409: { description: 'REFUND_REFUSED (the provider refused it for good; an admin settles it)' },
      422: { description: 'NOTHING_TO_REFUND' },
    },
  },
  async (c, { user, params, body }) => {
    const r = await adminRefund(c.get('deps'), user.id, params.id, {
      amount: body.amount,
      reason: body.reason,
      requestId: c.get('requestId'),
    });
    if (!r.ok) {
      if (r.code === 'PAYMENT_NOT_FOUND') throw notFound('Payment');
      if (r.code === 'REFUND_REFUSED')
        throw new AppError(
          409,
          'REFUND_REFUSED',
          `The payment provider refused this refund: ${r.message ?? 'no reason given'}`,
        );
      throw new AppError(422, 'NOTHING_TO_REFUND', 'Nothing is left to refund on this payment.');
    }
    return r.status === 'ISSUED'
      ? c.json({ refundId: r.refundId, amount: r.amount, status: r.status }, 200)
      : c.json({ owedRefundId: r.owedRefundId, amount: r.amount, status: r.status }, 202);
  },
);

const OwedRefundDto = z.object({
  id: z.string(),
  paymentId: z.string(),
  bookingId: z.string(),
  kind: z.enum(OWED_REFUND_KINDS),
  amount: z.number().int(),
  currency: CurrencySchema,
  reason: z.string(),
  note: z.string().nullable(),
  initiatedBy: z.enum(REFUND_INITIATORS),
  actorUserId: z.string().nullable(),
  status: z.enum(OWED_REFUND_STATUSES),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  refundId: z.string().nullable(),
  createdAt: z.string(),
});
const owedDto = (o: OwedRefund): z.infer<typeof OwedRefundDto> => ({
  id: o.id,
  paymentId: o.paymentId,
  bookingId: o.bookingId,
  kind: o.kind,
  amount: o.amount,
  currency: o.currency,
  reason: o.reason,
  note: o.note,
  initiatedBy: o.initiatedBy,
  actorUserId: o.actorUserId,
  status: o.status,
  attempts: o.attempts,
  lastError: o.lastError,
  nextAttemptAt: o.nextAttemptAt?.toISOString() ?? null,
  refundId: o.refundId,
  createdAt: o.createdAt.toISOString(),
});

route(
  paymentsApi,
  {
    method: 'get',
    path: '/admin/owed-refunds',
    summary: 'Refunds the app owes that the provider has not taken (default: OWED and FAILED), newest first (admin)',
    tags: ['Admin'],
    access: ['ADMIN'],
    query: z.object({ status: z.enum(OWED_REFUND_STATUSES).optional(), page: PageQuery }),
    responses: {
      200: {
        description: 'Owed refunds',
        schema: z.object({ items: z.array(OwedRefundDto), total: z.number().int(), page: z.number().int() }),
      },
    },
  },
  async (c, { query }) => {
    const r = await owedRefundsPage(c.get('deps'), { status: query.status, page: query.page });
    return c.json({ items: r.rows.map(({ o }) => owedDto(o)), total: r.total, page: query.page });
  },
);

route(
  paymentsApi,
  {
    method: 'post',
    path: '/admin/owed-refunds/:id/retry',
    summary:
      'Ask the provider again now for an owed (or refused, never issued) refund — same idempotency key (admin; audited)',
    tags: ['Admin'],
    access: ['ADMIN'],
    params: z.object({ id: IdParam('orf') }),
    responses: {
      200: {
        description: "The attempt's outcome (ISSUED, still OWED, or FAILED)",
        schema: z.object({
          status: z.enum(['ISSUED', 'OWED', 'FAILED']),
          amount: z.number().int(),
          error: z.string().optional(),
        }),
      },
      404: { description: 'NOT_FOUND' },
      409: { description: 'NOT_RETRYABLE (issued, void, or its refund was issued then failed: refund again instead)' },
    },
  },
  async (c, { user, params }) => {
    const r = await retryOwedRefundNow(c.get('deps'), user.id, params.id, c.get('requestId'));
    if (!r.ok)
      throw r.code === 'NOT_FOUND'
        ? notFound('Refund')
        : new AppError(
            409,
            'NOT_RETRYABLE',
            'This refund cannot be retried: it was issued, voided, or issued then failed (refund again instead).',
          );
    return c.json({
      status: r.outcome.status,
      amount: r.outcome.amount,
      ...(r.outcome.status === 'ISSUED' ? {} : { error: r.outcome.error }),
    });
  },
);

route(
  paymentsApi,
  {
    method: 'post',
    path: '/admin/disputes/:id/evidence',
    summary: 'Submit the booking and call timeline as dispute evidence (admin; audited)',
    tags: ['Admin'],
    access: ['ADMIN'],
    params: z.object({ id: IdParam('dsp') }),
    responses: {
      200: { description: 'Submitted', schema: z.object({ ok: z.literal(true) }) },
      404: { description: 'DISPUTE_NOT_FOUND' },
      409: { description: 'EVIDENCE_REFUSED (the provider refused it, e.g. a closed dispute)' },
      502: { description: 'PAYMENT_PROVIDER_ERROR (retry)' },
    },
  },
  async (c, { user, params }) => {
    const deps = c.get('deps');
    const d = await deps.db.select().from(disputes).where(eq(disputes.id, params.id)).get();
    if (!d) throw notFound('Dispute');
    const r = await submitDisputeEvidence(deps, d.id, user, c.get('requestId'));
    if (!r.ok) throw refusal(r.code);
    return c.json({ ok: true as const });
  },
);
