/** What happens to a CONFIRMED booking inside its OfferRoom: cancelled, completed, or moved. */
import type { Deps } from '../../deps';
import type { OfferState } from './offer-state';
import type { RoomEffects } from './room';
import { liveIs } from './rules';
import { writeCancelConfirmed, writeComplete, writeReschedule } from './transitions';

export interface CancelBookedInput {
  bookingId: string;
  by: 'FAN' | 'CREATOR' | 'ADMIN' | 'SYSTEM';
  reason: string | null;
}
export interface RescheduleInput {
  bookingId: string;
  startsAt: number;
  endsAt: number;
}
export type RescheduleResult = { ok: true } | { ok: false; code: 'BOOKING_NOT_RESCHEDULABLE' };

/** Cancels a CONFIRMED booking (refunds are the caller's business). */
export async function cancelBooked(
  deps: Deps,
  fx: RoomEffects,
  st: OfferState | null,
  input: CancelBookedInput,
): Promise<{ cancelled: boolean }> {
  if (!st || !liveIs(st, input.bookingId, 'CONFIRMED')) return { cancelled: false };
  st.offer.status = await writeCancelConfirmed(deps, st, input.bookingId, input.by, input.reason);
  st.live = null;
  fx.broadcast(st);
  await deps.log.booking.info('BOOKING_CANCELLED', `Booking ${input.bookingId} cancelled by ${input.by}`, {
    bookingId: input.bookingId,
    offerId: st.offer.id,
    by: input.by,
    reason: input.reason,
  });
  return { cancelled: true };
}

/** The call happened: booking and offer become COMPLETED. */
export async function completeBooked(
  deps: Deps,
  fx: RoomEffects,
  st: OfferState | null,
  bookingId: string,
): Promise<{ completed: boolean }> {
  if (!st?.live || !liveIs(st, bookingId, 'CONFIRMED')) return { completed: false };
  await writeComplete(deps, st, bookingId);
  st.live = { ...st.live, status: 'COMPLETED' };
  st.offer.status = 'COMPLETED';
  fx.broadcast(st);
  return { completed: true };
}

/**
 * Moves a confirmed booking (and its offer) to a new time already checked free by the creator's
 * calendar. The payment stays with the booking; the calendar event keeps its UID (SEQUENCE + 1).
 */
export async function rescheduleBooked(
  deps: Deps,
  fx: RoomEffects,
  st: OfferState | null,
  input: RescheduleInput,
): Promise<RescheduleResult> {
  if (!st || !liveIs(st, input.bookingId, 'CONFIRMED')) return { ok: false, code: 'BOOKING_NOT_RESCHEDULABLE' };
  await writeReschedule(deps, st, input.bookingId, new Date(input.startsAt), new Date(input.endsAt));
  st.offer.startsAt = input.startsAt;
  st.offer.endsAt = input.endsAt;
  fx.broadcast(st);
  return { ok: true };
}
