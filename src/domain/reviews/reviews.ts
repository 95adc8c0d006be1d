/**
 * Reviews: the fan of a call that took place reviews it once (1–5 and a comment). "Took place"
 * means the outcome job found both in the call — or, before it has run, the call log shows it.
 */
import { and, count, desc, eq, isNull } from 'drizzle-orm';
import { reviews, users, type Review, type User } from '../../db/schema';
import type { Deps } from '../../deps';
import { loadCallParties, type CallParties } from '../calls/access';
import { computeAttendance } from '../calls/attendance';
import { callEventsOf } from '../calls/log';
import { tell } from '../notifications/tell';

export const REVIEWS_PER_PAGE = 20;

export type ReviewRefusal = 'BOOKING_NOT_FOUND' | 'REVIEW_NOT_ALLOWED' | 'ALREADY_REVIEWED';

/** Whether the call happened (both were in it together), as far as we know now. */
export async function callTookPlace(deps: Deps, p: CallParties): Promise<boolean> {
  const b = p.booking;
  if (b.outcome) return b.outcome === 'COMPLETED';
  if (b.status !== 'CONFIRMED' && b.status !== 'COMPLETED') return false;
  return computeAttendance(await callEventsOf(deps, b.id), b, deps.clock.now()).togetherMs > 0;
}

export async function reviewOf(deps: Deps, bookingId: string): Promise<Review | null> {
  return (await deps.db.select().from(reviews).where(eq(reviews.bookingId, bookingId)).get()) ?? null;
}

/** Null when the viewer may review this booking now, else why not. */
export async function reviewRefusal(deps: Deps, p: CallParties, user: Pick<User, 'id'>): Promise<ReviewRefusal | null> {
  if (p.booking.userId !== user.id) return 'REVIEW_NOT_ALLOWED';
  if (deps.clock.now().getTime() < p.booking.startsAt.getTime() || !(await callTookPlace(deps, p))) return 'REVIEW_NOT_ALLOWED';
  if (await reviewOf(deps, p.booking.id)) return 'ALREADY_REVIEWED';
  return null;
}

export async function submitReview(deps: Deps, user: Pick<User, 'id'>, bookingId: string, input: { rating: number; comment: string }): Promise<{ ok: true; review: Review } | { ok: false; code: ReviewRefusal }> {
  const p = await loadCallParties(deps, bookingId);
  if (!p) return { ok: false, code: 'BOOKING_NOT_FOUND' };
  const refused = await reviewRefusal(deps, p, user);
  if (refused) return { ok: false, code: refused };
  const inserted = await deps.db.insert(reviews).values({
    id: deps.ids.next('rev'), bookingId, userId: user.id, creatorId: p.creator.id, rating: input.rating, comment: input.comment, createdAt: deps.clock.now(),
  }).onConflictDoNothing().returning();
  // Two submissions at once: the unique index keeps the first.
  if (!inserted.length) return { ok: false, code: 'ALREADY_REVIEWED' };
  await tell(deps, p.creator.userId, { notification: { type: 'REVIEW_RECEIVED', params: { fan: p.fan.name.split(/\s+/)[0] ?? '', rating: input.rating, title: p.title }, link: `/c/${p.creator.slug}` } });
  return { ok: true, review: inserted[0] };
}

export async function creatorReviews(deps: Deps, creatorId: string, page: number) {
  const visible = and(eq(reviews.creatorId, creatorId), isNull(reviews.hiddenAt));
  const [rows, [{ total }]] = await Promise.all([
    deps.db.select({ review: reviews, author: users.name }).from(reviews).innerJoin(users, eq(users.id, reviews.userId))
      .where(visible).orderBy(desc(reviews.createdAt)).limit(REVIEWS_PER_PAGE).offset((page - 1) * REVIEWS_PER_PAGE).all(),
    deps.db.select({ total: count() }).from(reviews).where(visible),
  ]);
  return { rows, total };
}
