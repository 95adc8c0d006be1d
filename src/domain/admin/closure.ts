/**
 * What happens to an account's future when an admin withdraws its creator role or disables it.
 * Every change goes through the usual paths (OfferRooms, cancelBooking with its refunds, audit and
 * notices), so each is idempotent: running a closure again only finishes what is left.
 *
 * - As a creator (role withdrawn, or account disabled): nobody may act for them any more, so their
 *   future calls are cancelled with full refunds and the fans told (a fan did nothing wrong, and a
 *   call the platform no longer vouches for should not be left hanging), unpaid holds released,
 *   open offers withdrawn, pending requests answered "no". Calls already started are left alone.
 * - As a fan (account disabled): their holds are released, their pending requests withdrawn and
 *   their future calls cancelled under the creator's cancellation policy, as if they had cancelled:
 *   the creator set that time aside and the disablement comes from the fan's conduct. A booking
 *   taken after the moment of disablement (the seconds a session lives on elsewhere) is refunded in full.
 */
import { and, eq, gt, inArray } from 'drizzle-orm';
import { bookings, callOffers, callRequests, type User } from '../../db/schema';
import type { Deps } from '../../deps';
import { cancelBooking } from '../booking/cancel';
import { requestAnswered } from '../events';

/** At most this many bookings and offers per call (each is a few subrequests): the rest is done by running it again. */
export const CLOSURE_BATCH = 50;

export interface ClosureCounts {
  offersWithdrawn: number;
  holdsReleased: number;
  bookingsCancelled: number;
  requestsClosed: number;
  /** Bookings or offers still open (over the batch, or refused meanwhile): run the closure again. */
  remaining: number;
}

export const noClosure = (): ClosureCounts => ({
  offersWithdrawn: 0,
  holdsReleased: 0,
  bookingsCancelled: 0,
  requestsClosed: 0,
  remaining: 0,
});

interface Meta {
  requestId?: string | null;
}

async function cancelLive(
  deps: Deps,
  admin: User,
  b: { id: string; status: string; createdAt: Date },
  out: ClosureCounts,
  meta: Meta,
  refundAs?: 'FAN',
): Promise<void> {
  const r = await cancelBooking(deps, admin, b.id, null, { requestId: meta.requestId ?? null, refundAs });
  if (!r.ok) return;
  if (b.status === 'PENDING') out.holdsReleased++;
  else out.bookingsCancelled++;
}

/** Closes a creator's future (see the file comment). */
export async function closeCreatorSchedule(
  deps: Deps,
  admin: User,
  creatorId: string,
  meta: Meta = {},
): Promise<ClosureCounts> {
  const out = noClosure();
  const now = deps.clock.now();
  const open = await deps.db
    .select({ id: callOffers.id })
    .from(callOffers)
    .where(
      and(
        eq(callOffers.creatorId, creatorId),
        inArray(callOffers.status, ['AVAILABLE', 'HELD', 'BOOKED']),
        gt(callOffers.startsAt, now),
      ),
    )
    .limit(CLOSURE_BATCH + 1)
    .all();
  for (const o of open.slice(0, CLOSURE_BATCH)) {
    // A fan may take the offer between our steps (its OfferRoom is its only writer): a few rounds, then it counts as remaining.
    let closed = false;
    for (let round = 0; round < 3 && !closed; round++) {
      const live = await deps.db
        .select({ id: bookings.id, status: bookings.status, createdAt: bookings.createdAt })
        .from(bookings)
        .where(and(eq(bookings.offerId, o.id), inArray(bookings.status, ['PENDING', 'CONFIRMED'])))
        .all();
      for (const b of live) await cancelLive(deps, admin, b, out, meta);
      const r = await deps.rooms.offer(o.id).cancelOffer({ offerId: o.id, actorUserId: null });
      if (r.ok) out.offersWithdrawn++;
      closed = r.ok || r.code === 'OFFER_CLOSED' || r.code === 'OFFER_NOT_FOUND';
    }
    if (!closed) out.remaining++;
  }
  out.remaining += Math.max(0, open.length - CLOSURE_BATCH);
  const answered = await deps.db
    .update(callRequests)
    .set({ status: 'REJECTED', respondedAt: now, updatedAt: now })
    .where(and(eq(callRequests.creatorId, creatorId), eq(callRequests.status, 'PENDING')))
    .returning({ id: callRequests.id });
  for (const r of answered) await requestAnswered(deps, r.id);
  out.requestsClosed += answered.length;
  return out;
}

/** Closes a fan's future; `since`: when the account was disabled (see the file comment). */
export async function closeFanSchedule(
  deps: Deps,
  admin: User,
  userId: string,
  since: Date,
  meta: Meta = {},
): Promise<ClosureCounts> {
  const out = noClosure();
  const now = deps.clock.now();
  const live = await deps.db
    .select({ id: bookings.id, status: bookings.status, createdAt: bookings.createdAt })
    .from(bookings)
    .where(
      and(eq(bookings.userId, userId), inArray(bookings.status, ['PENDING', 'CONFIRMED']), gt(bookings.startsAt, now)),
    )
    .limit(CLOSURE_BATCH + 1)
    .all();
  for (const b of live.slice(0, CLOSURE_BATCH))
    await cancelLive(deps, admin, b, out, meta, b.createdAt < since ? 'FAN' : undefined);
  out.remaining += Math.max(0, live.length - CLOSURE_BATCH);
  const withdrawn = await deps.db
    .update(callRequests)
    .set({ status: 'CANCELLED', updatedAt: now })
    .where(and(eq(callRequests.userId, userId), eq(callRequests.status, 'PENDING')))
    .returning({ id: callRequests.id });
  out.requestsClosed += withdrawn.length;
  return out;
}

export function addClosures(a: ClosureCounts, b: ClosureCounts): ClosureCounts {
  return {
    offersWithdrawn: a.offersWithdrawn + b.offersWithdrawn,
    holdsReleased: a.holdsReleased + b.holdsReleased,
    bookingsCancelled: a.bookingsCancelled + b.bookingsCancelled,
    requestsClosed: a.requestsClosed + b.requestsClosed,
    remaining: a.remaining + b.remaining,
  };
}
