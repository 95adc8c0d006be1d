/**
 * Moves a confirmed booking to another free time (fan or creator, until 24 h before). The
 * creator's CreatorCalendar runs it under its lock, so the new time cannot be taken meanwhile.
 */
import type { Deps } from '../../deps';
import { actingCreator, isDisabled, type CreatorRefusal } from '../creators/standing';
import { afterReschedule, canMoveTo, checkReschedule, type RescheduleRefusal } from './booking';

export interface RescheduleInput {
  bookingId: string;
  actorUserId: string;
  startsAt: string;
}

export type RescheduleResult =
  | { ok: true; startsAt: string; endsAt: string }
  | { ok: false; code: RescheduleRefusal | 'BOOKING_NOT_RESCHEDULABLE' | CreatorRefusal | 'FORBIDDEN' };

export async function rescheduleBooking(deps: Deps, input: RescheduleInput): Promise<RescheduleResult> {
  const checked = await checkReschedule(deps, input.bookingId, input.actorUserId);
  if (!checked.ok) return checked;
  const { booking, creator, by } = checked;
  // The actor as D1 has them now: a creator demoted or disabled, or a fan disabled, since their page loaded.
  const acting = by === 'CREATOR' ? await actingCreator(deps, input.actorUserId, creator.id) : null;
  if (acting && !acting.ok) return { ok: false, code: acting.code };
  if (by === 'FAN' && (await isDisabled(deps, input.actorUserId))) return { ok: false, code: 'ACCOUNT_DISABLED' };
  const startsAt = new Date(input.startsAt);
  if (!(await canMoveTo(deps, booking, creator, startsAt))) return { ok: false, code: 'SLOT_UNAVAILABLE' };
  const endsAt = new Date(startsAt.getTime() + (booking.endsAt.getTime() - booking.startsAt.getTime()));
  const moved = await deps.rooms.offer(booking.offerId).reschedule({
    offerId: booking.offerId,
    bookingId: booking.id,
    startsAt: startsAt.getTime(),
    endsAt: endsAt.getTime(),
  });
  if (!moved.ok) return moved;
  await afterReschedule(deps, booking, by);
  return { ok: true, startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString() };
}
