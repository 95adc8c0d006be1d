/**
 * Reviews: the fan of a call that took place reviews it once (1–5 and a comment). "Took place"
 * means the outcome job found both in the call long enough — or, before it has run, the presence
 * recorded so far shows it (the same threshold).
 */
import { and, count, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import { creators, reviews, users, type Review, type User } from '../../db/schema';
import { one } from '../../db/one';
import type { Deps } from '../../deps';
import { loadCallParties, type CallParties } from '../calls/access';
import { computeAttendance, tookPlaceThresholdMs } from '../calls/attendance';
import { getSettings } from '../settings';
import { presenceOf } from '../calls/presence';
import { tell } from '../notifications/tell';
import { firstName } from '../../lib/text';
import { creatorRefusal, type CreatorRefusal } from '../creators/standing';

export const REVIEWS_PER_PAGE = 20;

export type ReviewRefusal = 'BOOKING_NOT_FOUND' | 'REVIEW_NOT_ALLOWED' | 'ALREADY_REVIEWED';

/** Whether the call happened (both were in it together long enough), as far as we know now. */
export async function callTookPlace(deps: Deps, p: CallParties): Promise<boolean> {
  const b = p.booking;
  if (b.outcome) return b.outcome === 'COMPLETED';
  if (b.status !== 'CONFIRMED' && b.status !== 'COMPLETED') return false;
  const a = computeAttendance(await presenceOf(deps, b.id), b, deps.clock.now());
  return a.togetherMs > 0 && a.togetherMs >= tookPlaceThresholdMs(await getSettings(deps), b);
}

export async function reviewOf(deps: Deps, bookingId: string): Promise<Review | null> {
  return (await deps.db.select().from(reviews).where(eq(reviews.bookingId, bookingId)).get()) ?? null;
}

/** Null when the viewer may review this booking now, else why not. */
export async function reviewRefusal(deps: Deps, p: CallParties, user: Pick<User, 'id'>): Promise<ReviewRefusal | null> {
  if (p.booking.userId !== user.id) return 'REVIEW_NOT_ALLOWED';
  if (deps.clock.now().getTime() < p.booking.startsAt.getTime() || !(await callTookPlace(deps, p)))
    return 'REVIEW_NOT_ALLOWED';
  if (await reviewOf(deps, p.booking.id)) return 'ALREADY_REVIEWED';
  return null;
}

export async function submitReview(
  deps: Deps,
  user: Pick<User, 'id'>,
  bookingId: string,
  input: { rating: number; comment: string },
): Promise<{ ok: true; review: Review } | { ok: false; code: ReviewRefusal }> {
  const p = await loadCallParties(deps, bookingId);
  if (!p) return { ok: false, code: 'BOOKING_NOT_FOUND' };
  const refused = await reviewRefusal(deps, p, user);
  if (refused) return { ok: false, code: refused };
  const [review] = await deps.db
    .insert(reviews)
    .values({
      id: deps.ids.next('rev'),
      bookingId,
      userId: user.id,
      creatorId: p.creator.id,
      rating: input.rating,
      comment: input.comment,
      createdAt: deps.clock.now(),
    })
    .onConflictDoNothing()
    .returning();
  // Two submissions at once: the unique index keeps the first.
  if (!review) return { ok: false, code: 'ALREADY_REVIEWED' };
  await tell(deps, p.creator.userId, {
    notification: {
      type: 'REVIEW_RECEIVED',
      params: { fan: firstName(p.fan.name), rating: input.rating, title: p.title },
      link: `/c/${p.creator.slug}`,
    },
  });
  return { ok: true, review };
}

const visibleOf = (creatorId: string | SQL) => and(eq(reviews.creatorId, creatorId), isNull(reviews.hiddenAt));

/** A page of a creator's visible reviews with the author's name, newest first, as a query to batch. */
export const visibleReviewsQuery = (deps: Pick<Deps, 'db'>, creatorId: string | SQL, page: number, perPage: number) =>
  deps.db
    .select({ review: reviews, author: users.name })
    .from(reviews)
    .innerJoin(users, eq(users.id, reviews.userId))
    .where(visibleOf(creatorId))
    .orderBy(desc(reviews.createdAt))
    .limit(perPage)
    .offset((page - 1) * perPage);

export type ReplyRefusal = 'REVIEW_NOT_FOUND' | 'ALREADY_REPLIED' | CreatorRefusal;
export const REPLY_MAX = 1000;

/**
 * The creator answers a review once (publicly, under it). Someone else's review reads as not found,
 * so a reply cannot be used to probe which reviews exist. The fan is told.
 */
export async function replyToReview(
  deps: Deps,
  user: Pick<User, 'id'>,
  reviewId: string,
  text: string,
): Promise<{ ok: true; review: Review } | { ok: false; code: ReplyRefusal }> {
  const row = await deps.db
    .select({
      review: reviews,
      creatorUserId: creators.userId,
      creatorName: creators.displayName,
      slug: creators.slug,
      role: users.role,
      disabledAt: users.disabledAt,
      creatorWithdrawnAt: users.creatorWithdrawnAt,
    })
    .from(reviews)
    .innerJoin(creators, eq(creators.id, reviews.creatorId))
    .innerJoin(users, eq(users.id, creators.userId))
    .where(eq(reviews.id, reviewId))
    .get();
  if (!row || row.creatorUserId !== user.id) return { ok: false, code: 'REVIEW_NOT_FOUND' };
  // Replying is a creator's act: not once an admin withdrew the role (or disabled the account).
  const refused = creatorRefusal(row, true);
  if (refused) return { ok: false, code: refused };
  if (row.review.reply !== null) return { ok: false, code: 'ALREADY_REPLIED' };
  const now = deps.clock.now();
  // Guarded: of two replies at once, only the first finds reply still null.
  const [replied] = await deps.db
    .update(reviews)
    .set({ reply: text, repliedAt: now })
    .where(and(eq(reviews.id, reviewId), isNull(reviews.reply)))
    .returning();
  if (!replied) return { ok: false, code: 'ALREADY_REPLIED' };
  await tell(deps, row.review.userId, {
    notification: { type: 'REVIEW_REPLIED', params: { creator: row.creatorName }, link: `/c/${row.slug}#reviews` },
  });
  return { ok: true, review: replied };
}

/** Everything a creator sees of their reviews: all of them (hidden ones flagged), the average and the spread. */
export async function reviewsForCreator(
  deps: Deps,
  creatorId: string,
  page: number,
  filter: 'all' | 'unreplied' = 'all',
) {
  const mine = and(
    eq(reviews.creatorId, creatorId),
    filter === 'unreplied' ? and(isNull(reviews.reply), isNull(reviews.hiddenAt)) : undefined,
  );
  const [rows, counted, spread] = await deps.db.batch([
    deps.db
      .select({ review: reviews, author: users.name })
      .from(reviews)
      .innerJoin(users, eq(users.id, reviews.userId))
      .where(mine)
      .orderBy(desc(reviews.createdAt))
      .limit(REVIEWS_PER_PAGE)
      .offset((page - 1) * REVIEWS_PER_PAGE),
    deps.db.select({ total: count() }).from(reviews).where(mine),
    deps.db
      .select({
        rating: reviews.rating,
        n: count(),
        unreplied: sql<number>`sum(case when ${reviews.reply} is null then 1 else 0 end)`,
      })
      .from(reviews)
      .where(and(eq(reviews.creatorId, creatorId), isNull(reviews.hiddenAt)))
      .groupBy(reviews.rating),
  ]);
  const { total } = one(counted, 'the reviews count');
  const counts = [1, 2, 3, 4, 5].map((r) => spread.find((s) => s.rating === r)?.n ?? 0);
  const n = counts.reduce((a, b) => a + b, 0);
  const average = n ? Math.round((counts.reduce((a, c, i) => a + c * (i + 1), 0) / n) * 10) / 10 : null;
  const unreplied = spread.reduce((a, s) => a + Number(s.unreplied ?? 0), 0);
  return { rows, total, counts, count: n, average, unreplied };
}
