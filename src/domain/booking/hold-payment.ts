/** A hold's payment and rate limit as the booking flows ask them, with the compensations when no hold follows. */
import type { Deps } from '../../deps';
import type { StartedPayment } from '../payments/checkout';
import type { LiveBooking, OfferState } from './offer-state';
import { holdUntil } from './offer-state';
import { intentIdOf } from './queries';
import type { PaymentUnderWay } from './results';
import type { RoomEffects } from './room';
import { PAYING_RECHECK_MS, underWay } from './rules';
import { writeHoldExtension } from './transitions';

/**
 * Whether `userId` may take one more hold now (BOOKING_LIMITER, keyed per fan). Only holds count:
 * refused attempts never get here. If the limiter itself fails, the hold goes ahead (it guards
 * against squatting, not against double booking) and the failure is logged.
 */
export async function underHoldLimit(deps: Deps, userId: string): Promise<boolean> {
  try {
    return (await deps.limiters.booking.limit({ key: `hold:${userId}` })).success;
  } catch (e) {
    await deps.log.booking.warn(
      'BOOKING_LIMITED',
      `The hold rate limit could not be checked for ${userId}; hold allowed`,
      null,
      { actor: 'USER', actorId: userId, error: e },
    );
    return true;
  }
}

/** The intent belongs to nothing when no hold follows: cancel it (its event finds no booking, so no call comes back). */
export function dropIntent(deps: Deps, bookingId: string, p: StartedPayment): Promise<void> {
  return deps.payments.cancelIntent(p.start.intentId, `booking:${bookingId}:cancel`).then(
    () => undefined,
    () => undefined,
  );
}

/**
 * The payment of a PENDING hold as the provider has it now, when it is under way: processing (a
 * bank debit, a card still confirming) or succeeded (its webhook on the way). A status the
 * provider cannot give now counts as not under way: the hold goes, and a payment that completes
 * anyway is refunded in full (onIntentSucceeded).
 */
export async function paymentUnderWay(deps: Deps, live: LiveBooking): Promise<PaymentUnderWay | null> {
  if (!live.intentId) return null;
  try {
    const { status } = await deps.payments.retrieveIntent(live.intentId);
    return underWay(status);
  } catch (e) {
    await deps.log.payment.warn(
      'PAYMENT_ERROR',
      `Could not read the payment of hold ${live.id} before releasing it`,
      { bookingId: live.id },
      { error: e },
    );
    return null;
  }
}

/**
 * At a hold's deadline: if its payment is under way, keeps the hold and checks again in
 * PAYING_RECHECK_MS (D1, memory, alarm and subscribers all get the new deadline) — dropping it
 * would hand the slot to someone else while the fan's money is on its way. Never past the call's
 * start: then it goes, and a payment completing later is refunded in full. Null when not kept.
 */
export async function keepWhilePaying(
  deps: Deps,
  fx: RoomEffects,
  st: OfferState,
  live: LiveBooking,
): Promise<PaymentUnderWay | null> {
  const until = holdUntil(deps.clock.now().getTime(), PAYING_RECHECK_MS / 60_000, st.offer.startsAt);
  const paying = until > deps.clock.now().getTime() ? await paymentUnderWay(deps, live) : null;
  if (!paying) return null;
  await writeHoldExtension(deps, live.id, until);
  live.holdExpiresAt = until;
  live.started = undefined; // its DTO carries the old deadline
  await fx.armAlarm(st.offer.id);
  fx.broadcast(st);
  await deps.log.booking.info(
    'BOOKING_HELD',
    `Hold ${live.id} kept past its deadline: its payment is ${paying} (checked again at ${new Date(until).toISOString()})`,
    { bookingId: live.id, offerId: st.offer.id },
  );
  return paying;
}

/**
 * A released hold must not be payable any more. Run outside the object's lock: the provider may
 * report the cancellation through the webhook handler, which calls back into the object.
 */
export async function cancelIntentOf(deps: Deps, bookingId: string): Promise<void> {
  const intentId = await intentIdOf(deps, bookingId);
  if (!intentId) return;
  try {
    const intent = await deps.payments.retrieveIntent(intentId);
    if (intent.status !== 'succeeded' && intent.status !== 'canceled')
      await deps.payments.cancelIntent(intentId, `booking:${bookingId}:cancel`);
  } catch (e) {
    await deps.log.payment.warn(
      'PAYMENT_ERROR',
      `Could not cancel the intent of released hold ${bookingId}`,
      { bookingId },
      { error: e },
    );
  }
}
