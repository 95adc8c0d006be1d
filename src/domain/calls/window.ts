/**
 * The call's access window, one pure rule: the booking's fan and creator may enter from 15 minutes
 * before the start until the end of the call plus a short grace (a page that reconnects, a clock a
 * little behind). Everything else — strangers, admins, unconfirmed bookings — is refused with the
 * reason and, when it is only too early, the time it opens.
 */
import type { BookingStatus } from '../../db/schema';

export const ACCESS_OPENS_BEFORE_MS = 15 * 60_000;
export const ACCESS_GRACE_MS = 5 * 60_000;

export interface CallWindow {
  opensAt: Date;
  startsAt: Date;
  endsAt: Date;
  closesAt: Date;
}

export function callWindow(b: { startsAt: Date; endsAt: Date }): CallWindow {
  return {
    opensAt: new Date(b.startsAt.getTime() - ACCESS_OPENS_BEFORE_MS),
    startsAt: b.startsAt,
    endsAt: b.endsAt,
    closesAt: new Date(b.endsAt.getTime() + ACCESS_GRACE_MS),
  };
}

export type CallRole = 'FAN' | 'CREATOR' | 'ADMIN' | null;
export type JoinRefusal = 'NOT_PARTICIPANT' | 'BOOKING_NOT_CONFIRMED' | 'CALL_NOT_OPEN' | 'CALL_OVER';

export type JoinDecision =
  | { ok: true; role: 'FAN' | 'CREATOR'; window: CallWindow }
  | { ok: false; code: JoinRefusal; window: CallWindow };

export function decideJoin(
  b: { status: BookingStatus; startsAt: Date; endsAt: Date },
  role: CallRole,
  now: Date,
): JoinDecision {
  const window = callWindow(b);
  // Admins can read a call's logs and summary, never enter it.
  if (role !== 'FAN' && role !== 'CREATOR') return { ok: false, code: 'NOT_PARTICIPANT', window };
  if (b.status !== 'CONFIRMED') return { ok: false, code: 'BOOKING_NOT_CONFIRMED', window };
  const t = now.getTime();
  if (t < window.opensAt.getTime()) return { ok: false, code: 'CALL_NOT_OPEN', window };
  if (t >= window.closesAt.getTime()) return { ok: false, code: 'CALL_OVER', window };
  return { ok: true, role, window };
}

/** Which phase the call page starts in (the page moves on by itself from there). */
export type CallPhase = 'waiting' | 'precall' | 'ended' | 'unavailable';

export function initialPhase(b: { status: BookingStatus; startsAt: Date; endsAt: Date }, now: Date): CallPhase {
  const w = callWindow(b);
  if (b.status === 'COMPLETED' || (b.status === 'CONFIRMED' && now.getTime() >= w.endsAt.getTime())) return 'ended';
  if (b.status !== 'CONFIRMED') return 'unavailable';
  return now.getTime() < w.opensAt.getTime() ? 'waiting' : 'precall';
}
