/**
 * Every 5 minutes: release holds whose alarm did not fire (alarms are at-least-once and may run
 * late), expire offers that started unbooked, expire unanswered requests. Booking state changes
 * still go through each offer's OfferRoom, the single writer.
 */
import { and, eq, lt } from 'drizzle-orm';
import { bookings, callOffers } from '../../db/schema';
import type { Deps } from '../../deps';
import { releaseHold } from './taken';
import { expireRequests } from '../requests/requests';

const BATCH = 200;
/** Let the alarm act first; the sweep picks up what it missed. */
const ALARM_GRACE_MS = 60_000;

export async function bookingSweep(deps: Deps): Promise<Record<string, number>> {
  const now = deps.clock.now().getTime();
  const stale = await deps.db
    .select({ id: bookings.id, offerId: bookings.offerId })
    .from(bookings)
    .where(and(eq(bookings.status, 'PENDING'), lt(bookings.holdExpiresAt, new Date(now - ALARM_GRACE_MS))))
    .limit(BATCH)
    .all();
  let holdsReleased = 0;
  for (const b of stale) {
    const r = await releaseHold(deps, {
      offerId: b.offerId,
      bookingId: b.id,
      reason: 'EXPIRED',
      cancelledBy: 'SYSTEM',
    });
    if (r.released) holdsReleased++;
  }
  const started = await deps.db
    .select({ id: callOffers.id })
    .from(callOffers)
    .where(and(eq(callOffers.status, 'AVAILABLE'), lt(callOffers.startsAt, new Date(now))))
    .limit(BATCH)
    .all();
  let offersExpired = 0;
  for (const o of started) if ((await deps.rooms.offer(o.id).expire({ offerId: o.id })).expired) offersExpired++;
  return { holdsReleased, offersExpired, requestsExpired: await expireRequests(deps) };
}
