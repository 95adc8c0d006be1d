/**
 * A payment succeeded: inside its OfferRoom, the hold becomes a confirmed booking, or a payment
 * that arrives after its hold ended re-takes the offer if it is still free (lateRetake).
 */
import type { Deps } from '../../deps';
import type { OfferState } from './offer-state';
import { bookingById } from './queries';
import type { ConfirmResult } from './results';
import type { RoomEffects } from './room';
import { resync } from './release';
import { lateRetake } from './rules';
import { isLiveBookingIndexViolation, writeConfirm } from './transitions';

/** Confirms `bookingId` (idempotent: a second payment event for it changes nothing). */
export async function confirmBooking(
  deps: Deps,
  fx: RoomEffects,
  st: OfferState | null,
  bookingId: string,
): Promise<ConfirmResult> {
  if (!st) return { ok: false, reason: 'UNKNOWN_BOOKING' };
  if (st.live?.id === bookingId) {
    if (st.live.status !== 'PENDING') return { ok: true, transitioned: false };
    await writeConfirm(deps, st, bookingId);
    st.live = { ...st.live, status: 'CONFIRMED', holdExpiresAt: null };
    st.offer.status = 'BOOKED';
    await fx.rearm();
    fx.broadcast(st);
    await deps.log.booking.info('BOOKING_CONFIRMED', `Booking ${bookingId} confirmed`, {
      bookingId,
      offerId: st.offer.id,
    });
    return { ok: true, transitioned: true };
  }
  const row = await bookingById(deps, bookingId);
  if (!row || row.offerId !== st.offer.id) return { ok: false, reason: 'UNKNOWN_BOOKING' };
  if (!lateRetake(st, row, deps.clock.now().getTime())) return { ok: false, reason: 'LATE' };
  try {
    if (!(await writeConfirm(deps, st, bookingId, ['EXPIRED', 'FAILED']))) {
      await resync(deps, fx, st); // the row moved on meanwhile: take D1's word
      return { ok: false, reason: 'LATE' };
    }
  } catch (e) {
    if (!isLiveBookingIndexViolation(e)) throw e;
    // The object believed the offer free while D1 holds another live booking: should never happen.
    await deps.log.booking.critical(
      'BOOKING_INVARIANT_VIOLATION',
      `Late payment for ${bookingId} would make a second live booking for ${st.offer.id}; refused by the D1 unique index`,
      { offerId: st.offer.id, bookingId },
      { error: e },
    );
    await resync(deps, fx, st);
    return { ok: false, reason: 'LATE' };
  }
  st.live = {
    id: row.id,
    userId: row.userId,
    status: 'CONFIRMED',
    holdExpiresAt: null,
    persisted: true,
    intentId: row.paymentIntentId,
    since: Date.now(),
  };
  st.offer.status = 'BOOKED';
  fx.broadcast(st);
  await deps.log.booking.warn('BOOKING_CONFIRMED', `Late payment for ${bookingId} re-took the still-free offer`, {
    bookingId,
  });
  return { ok: true, transitioned: true };
}
