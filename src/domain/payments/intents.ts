/** Payment intent outcomes → booking transitions (through the booking's OfferRoom). */
import { eq } from 'drizzle-orm';
import { bookings, payments, type Booking } from '../../db/schema';
import type { Deps } from '../../deps';
import { DAY } from '../../lib/clock';
import { getSettings } from '../settings';

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
    await deps.log.warn('PAYMENT_ERROR', `Succeeded intent ${intentId} matches no booking`, { context: { intentId } });
    return;
  }
  const result = await deps.rooms.offer(booking.offerId).confirm({ offerId: booking.offerId, bookingId: booking.id });
  const now = deps.clock.now();
  if (result.ok) {
    const settings = await getSettings(deps);
    await deps.db.update(payments).set({
      status: 'SUCCEEDED',
      chargeId: intent.latestChargeId,
      payoutReleaseAt: new Date(booking.endsAt.getTime() + settings.holdingDays * DAY),
      updatedAt: now,
    }).where(eq(payments.intentId, intentId));
    await deps.log.info('PAYMENT_SUCCEEDED', `Payment for booking ${booking.id} succeeded`, { context: { bookingId: booking.id, intentId, amount: intent.amount, currency: intent.currency } });
    return;
  }
  await deps.log.warn('PAYMENT_ERROR', `Payment for ${booking.id} arrived after its hold ended and the offer was taken (${result.reason})`, { context: { bookingId: booking.id, intentId } });
}

/** payment_intent.payment_failed / canceled: release the hold (if the intent did not succeed meanwhile). */
export async function onIntentReleased(deps: Deps, intentId: string, reason: 'FAILED'): Promise<void> {
  const intent = await deps.payments.retrieveIntent(intentId);
  if (intent.status === 'succeeded') return;
  const booking = await bookingOfIntent(deps, intentId, intent.metadata.bookingId);
  if (!booking || booking.status !== 'PENDING') return;
  await deps.rooms.offer(booking.offerId).release({ offerId: booking.offerId, bookingId: booking.id, reason, cancelledBy: 'SYSTEM' });
  await deps.db.update(payments).set({ status: intent.status === 'canceled' ? 'CANCELED' : 'FAILED', updatedAt: deps.clock.now() }).where(eq(payments.intentId, intentId));
  await deps.log.info('PAYMENT_FAILED', `Payment for booking ${booking.id} ${intent.status === 'canceled' ? 'canceled' : 'failed'}: hold released`, { context: { bookingId: booking.id, intentId, error: intent.lastError } });
}
