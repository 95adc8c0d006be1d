/** Payment intent outcomes → booking transitions (through the booking's OfferRoom). */
import { and, eq, inArray } from 'drizzle-orm';
import { bookings, LIVE_BOOKING_STATUSES, payments, type Booking, type Payment } from '../../db/schema';
import type { Deps } from '../../deps';
import { DAY } from '../../lib/clock';
import { bookingConfirmed, paymentReceived } from '../events';
import { chargeEntries, record } from '../ledger/ledger';
import type { IntentInfo } from '../../providers/payments/port';
import { splitFee } from '../../shared/money';
import { getSettings } from '../settings';
import { decideRefund } from './refund-policy';
import { splitOfIntent } from './checkout';
import { issueRefund, refundable } from './refunds';
import { releaseHold } from '../booking/taken';

async function bookingOfIntent(deps: Deps, intentId: string, metadataBookingId?: string): Promise<Booking | null> {
  const byIntent = await deps.db.select().from(bookings).where(eq(bookings.paymentIntentId, intentId)).get();
  if (byIntent) return byIntent;
  if (!metadataBookingId) return null;
  return (await deps.db.select().from(bookings).where(eq(bookings.id, metadataBookingId)).get()) ?? null;
}

/** payment_intent.succeeded: confirm the booking, then record the payment. */
export async function onIntentSucceeded(deps: Deps, intentId: string): Promise<void> {
  // Re-fetch: the event may be stale or out of order; the intent's current state decides.
  const intent = await deps.payments.retrieveIntent(intentId);
  if (intent.status !== 'succeeded') return;
  const booking = await bookingOfIntent(deps, intentId, intent.metadata.bookingId);
  if (!booking) {
    await deps.log.payment.warn('PAYMENT_ERROR', `Succeeded intent ${intentId} matches no booking`, { intentId });
    return;
  }
  const payment = await recordCharge(deps, booking, intent);
  const result = await deps.rooms.offer(booking.offerId).confirm({ offerId: booking.offerId, bookingId: booking.id });
  if (result.ok) {
    if (result.transitioned) {
      await deps.log.payment.info('PAYMENT_SUCCEEDED', `Payment for booking ${booking.id} succeeded`, {
        bookingId: booking.id,
        paymentId: payment.id,
        intentId,
        amount: intent.amount,
        currency: intent.currency,
      });
      await bookingConfirmed(deps, booking.id);
      await paymentReceived(deps, payment);
    }
    return;
  }
  // The success did not leave the booking CONFIRMED. One that was confirmed went on (cancelled —
  // its refund was decided then — or completed): a stale or replayed success changes nothing. One
  // never confirmed (cancelled or released while PENDING, expired, failed, or paid after someone
  // else took the slot) did not get what was paid for: everything goes back, once (one key).
  const now = await deps.db
    .select({ status: bookings.status, confirmedAt: bookings.confirmedAt })
    .from(bookings)
    .where(eq(bookings.id, booking.id))
    .get();
  if (!now || now.confirmedAt || (LIVE_BOOKING_STATUSES as readonly string[]).includes(now.status)) {
    await deps.log.payment.info(
      'PAYMENT_SUCCEEDED',
      `Succeeded event for ${booking.id}, now ${now?.status}: nothing to do`,
      {
        bookingId: booking.id,
        intentId,
      },
    );
    return;
  }
  await deps.log.payment.warn(
    'PAYMENT_ERROR',
    `Payment for ${booking.id} completed after its hold ended (${now.status}, ${result.reason}); refunding it in full`,
    { bookingId: booking.id, intentId },
  );
  await issueRefund(deps, payment, decideRefund({ kind: 'SLOT_LOST' }, refundable(payment)), {
    initiatedBy: 'SYSTEM',
    key: orphanRefundKey(booking.id),
    kind: 'SLOT_LOST',
  });
}

/**
 * The key of the full refund of a payment its booking did not keep. It predates the cases other
 * than a lost slot: a refund owed under it at deploy keeps it, so none is ever asked twice.
 */
export const orphanRefundKey = (bookingId: string) => `${bookingId}:slot-lost`;

/** The money side of a succeeded charge: payment row and ledger (fan → platform fee + creator share). Idempotent. */
export async function recordCharge(deps: Deps, booking: Booking, intent: IntentInfo) {
  const settings = await getSettings(deps);
  const now = deps.clock.now();
  const releaseAt = new Date(booking.endsAt.getTime() + settings.holdingDays * DAY);
  if (!booking.paymentIntentId) {
    // The intent was created but its id never reached D1 (crash in between): adopt it now.
    await deps.db
      .update(bookings)
      .set({ paymentIntentId: intent.id, paymentProvider: deps.payments.name, updatedAt: now })
      .where(eq(bookings.id, booking.id));
  }
  // Normally the row was written with the hold. Missing (crash in between), it takes the split the
  // intent itself was created with — what the provider will actually transfer — not today's fee.
  const frozen = splitOfIntent(intent) ?? {
    platformFeeBps: settings.platformFeeBps,
    platformFee: splitFee(intent.amount, settings.platformFeeBps).platformFee,
  };
  await deps.db
    .insert(payments)
    .values({
      id: deps.ids.next('pay'),
      bookingId: booking.id,
      creatorId: booking.creatorId,
      provider: deps.payments.name,
      intentId: intent.id,
      amount: intent.amount,
      currency: intent.currency,
      ...frozen,
      creatorShare: intent.amount - frozen.platformFee,
      status: 'PENDING',
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing();
  await deps.db
    .update(payments)
    .set({ status: 'SUCCEEDED', chargeId: intent.latestChargeId, payoutReleaseAt: releaseAt, updatedAt: now })
    .where(and(eq(payments.intentId, intent.id), inArray(payments.status, ['PENDING', 'FAILED', 'CANCELED'])));
  const payment = (await deps.db.select().from(payments).where(eq(payments.intentId, intent.id)).get())!;
  await record(deps, {
    txId: `charge:${payment.id}`,
    currency: payment.currency,
    refs: { paymentId: payment.id },
    memo: `booking ${booking.id}`,
    entries: chargeEntries(payment),
  });
  return payment;
}

/**
 * Makes sure a payment's charge is on the books before anything that follows it (refund, dispute),
 * whatever order the provider's events arrive in. Returns the up-to-date payment.
 */
export async function ensureChargeRecorded(deps: Deps, payment: Payment): Promise<Payment> {
  if (payment.status !== 'PENDING' && payment.status !== 'FAILED' && payment.status !== 'CANCELED') return payment;
  const intent = await deps.payments.retrieveIntent(payment.intentId);
  if (intent.status !== 'succeeded') return payment;
  const booking = (await deps.db.select().from(bookings).where(eq(bookings.id, payment.bookingId)).get())!;
  return recordCharge(deps, booking, intent);
}

/** payment_intent.payment_failed / canceled: release the hold (if the intent did not succeed meanwhile). */
export async function onIntentReleased(deps: Deps, intentId: string, reason: 'FAILED'): Promise<void> {
  const intent = await deps.payments.retrieveIntent(intentId);
  // Paid since, or being paid again (a stale failure, then a bank debit now processing): not a release.
  if (intent.status === 'succeeded' || intent.status === 'processing') return;
  const booking = await bookingOfIntent(deps, intentId, intent.metadata.bookingId);
  if (!booking || booking.status !== 'PENDING') return;
  await releaseHold(deps, { offerId: booking.offerId, bookingId: booking.id, reason, cancelledBy: 'SYSTEM' });
  await deps.db
    .update(payments)
    .set({ status: intent.status === 'canceled' ? 'CANCELED' : 'FAILED', updatedAt: deps.clock.now() })
    .where(eq(payments.intentId, intentId));
  await deps.log.payment.info(
    'PAYMENT_FAILED',
    `Payment for booking ${booking.id} ${intent.status === 'canceled' ? 'canceled' : 'failed'}: hold released`,
    { bookingId: booking.id, intentId, reason: intent.lastError },
  );
}
