/**
 * The creator's home: what's next and what needs them — next calls, pending requests, reviews
 * waiting for a reply, unread notifications, and whether the set-up is complete. One D1 round trip.
 */
import { and, asc, count, desc, eq, gt, gte, isNull, sql } from 'drizzle-orm';
import {
  appointmentTypes,
  availabilityRules,
  bookings,
  callOffers,
  callRequests,
  notifications,
  reviews,
  users,
  type Creator,
} from '../../db/schema';
import { one } from '../../db/one';
import type { Deps } from '../../deps';

export const NEXT_CALLS = 5;
export const LATEST_REQUESTS = 3;

export async function creatorHome(deps: Pick<Deps, 'db'>, creator: Creator, userId: string, now: Date, after: Date) {
  const db = deps.db;
  const [next, requests, pending, reviewed, unread, types, rules, offers] = await db.batch([
    db
      .select({
        id: bookings.id,
        startsAt: bookings.startsAt,
        endsAt: bookings.endsAt,
        title: callOffers.title,
        fan: users.name,
        price: bookings.price,
        currency: bookings.currency,
      })
      .from(bookings)
      .innerJoin(callOffers, eq(callOffers.id, bookings.offerId))
      .innerJoin(users, eq(users.id, bookings.userId))
      .where(and(eq(bookings.creatorId, creator.id), eq(bookings.status, 'CONFIRMED'), gte(bookings.startsAt, after)))
      .orderBy(asc(bookings.startsAt))
      .limit(NEXT_CALLS),
    db
      .select({
        id: callRequests.id,
        fan: users.name,
        proposedStartsAt: callRequests.proposedStartsAt,
        proposedPrice: callRequests.proposedPrice,
        currency: callRequests.currency,
        durationMinutes: callRequests.durationMinutes,
        expiresAt: callRequests.expiresAt,
      })
      .from(callRequests)
      .innerJoin(users, eq(users.id, callRequests.userId))
      .where(
        and(
          eq(callRequests.creatorId, creator.id),
          eq(callRequests.status, 'PENDING'),
          gt(callRequests.expiresAt, now),
        ),
      )
      .orderBy(desc(callRequests.createdAt))
      .limit(LATEST_REQUESTS),
    db
      .select({ n: count() })
      .from(callRequests)
      .where(
        and(
          eq(callRequests.creatorId, creator.id),
          eq(callRequests.status, 'PENDING'),
          gt(callRequests.expiresAt, now),
        ),
      ),
    db
      .select({
        count: count(),
        avg: sql<number | null>`avg(${reviews.rating})`,
        unreplied: sql<number>`coalesce(sum(case when ${reviews.reply} is null then 1 else 0 end), 0)`,
      })
      .from(reviews)
      .where(and(eq(reviews.creatorId, creator.id), isNull(reviews.hiddenAt))),
    db
      .select({ n: count() })
      .from(notifications)
      .where(and(eq(notifications.userId, userId), isNull(notifications.readAt))),
    db
      .select({ n: count() })
      .from(appointmentTypes)
      .where(and(eq(appointmentTypes.creatorId, creator.id), eq(appointmentTypes.active, true))),
    db.select({ n: count() }).from(availabilityRules).where(eq(availabilityRules.creatorId, creator.id)),
    db
      .select({ n: count() })
      .from(callOffers)
      .where(
        and(eq(callOffers.creatorId, creator.id), eq(callOffers.status, 'AVAILABLE'), gt(callOffers.startsAt, now)),
      ),
  ]);
  // Each aggregate below yields exactly one row.
  const n = (rows: { n: number }[], what: string) => one(rows, what).n;
  const review = one(reviewed, 'the reviews summary');
  return {
    next,
    requests: { latest: requests, count: n(pending, 'the pending requests count') },
    reviews: {
      count: review.count,
      average: review.avg == null ? null : Math.round(review.avg * 10) / 10,
      unreplied: Number(review.unreplied),
    },
    unread: n(unread, 'the unread count'),
    setup: {
      payments: creator.chargesEnabled,
      profile: !!creator.bio.trim() && !!creator.profileImageKey,
      bookable:
        (n(types, 'the active types count') > 0 && n(rules, 'the rules count') > 0) ||
        n(offers, 'the open offers count') > 0,
    },
  };
}
