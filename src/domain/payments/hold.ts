/**
 * "Re-check the hold server-side before charging": before the fan's card is charged (the local
 * checkout's pay step, or Stripe.js's confirmPayment after the island asks us), the booking must
 * still be held for them — PENDING, its hold not run out, its intent still payable. A hold whose
 * time is up but whose alarm has not fired yet is released here, as the alarm would.
 */
import type { Booking } from '../../db/schema';
import type { Deps } from '../../deps';
import type { IntentInfo } from '../../providers/payments/port';
import { releaseHold } from '../booking/taken';

export type HoldRefusal = 'HOLD_EXPIRED' | 'ALREADY_PAID';
export type HoldCheck = { ok: true; intent: IntentInfo; holdExpiresAt: Date } | { ok: false; code: HoldRefusal };

export async function checkHoldForPayment(deps: Deps, booking: Booking): Promise<HoldCheck> {
  if (booking.status === 'CONFIRMED' || booking.status === 'COMPLETED') return { ok: false, code: 'ALREADY_PAID' };
  if (booking.status !== 'PENDING' || !booking.holdExpiresAt || !booking.paymentIntentId)
    return { ok: false, code: 'HOLD_EXPIRED' };
  if (booking.holdExpiresAt.getTime() <= deps.clock.now().getTime()) {
    // Kept past its deadline when its payment is under way: that payment is made, nothing more to charge.
    if (
      (
        await releaseHold(deps, {
          offerId: booking.offerId,
          bookingId: booking.id,
          reason: 'EXPIRED',
          cancelledBy: 'SYSTEM',
        })
      ).paying
    )
      return { ok: false, code: 'ALREADY_PAID' };
    await deps.log.booking.info(
      'BOOKING_RELEASED',
      `Payment refused: the hold of ${booking.id} ended at ${booking.holdExpiresAt.toISOString()}`,
      { bookingId: booking.id },
    );
    return { ok: false, code: 'HOLD_EXPIRED' };
  }
  const intent = await deps.payments.retrieveIntent(booking.paymentIntentId);
  if (intent.status === 'succeeded' || intent.status === 'processing') return { ok: false, code: 'ALREADY_PAID' };
  if (intent.status === 'canceled') return { ok: false, code: 'HOLD_EXPIRED' };
  return { ok: true, intent, holdExpiresAt: booking.holdExpiresAt };
}
