/** Reviews: the fan of a call that took place reviews it once; a creator's reviews are public. */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { users, type Review } from '../db/schema';
import { creatorReviewPage, findCreator } from '../domain/creators/queries';
import { replyToReview, submitReview } from '../domain/reviews/reviews';
import { notFound } from '../http/errors';
import { refusal } from '../http/refusals';
import { firstName } from '../lib/text';
import { apiApp, route } from '../http/route';
import { PageQuery } from '../shared/common';
import { ReplyBody, ReviewBody, ReviewDto, type ReviewDtoT } from '../shared/reviews';
import { BookingIdParam } from './bookings';

export const reviewsApi = apiApp('/api');
const tags = ['Reviews'];

export function toReviewDto(r: Review, author: string): ReviewDtoT {
  return {
    id: r.id,
    bookingId: r.bookingId,
    creatorId: r.creatorId,
    rating: r.rating,
    comment: r.comment,
    author: firstName(author),
    reply: r.reply,
    repliedAt: r.repliedAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
  };
}

route(
  reviewsApi,
  {
    method: 'post',
    path: '/bookings/:id/review',
    summary: 'Review a call that took place (its fan, once): rating 1–5 and a comment',
    tags,
    access: 'user',
    params: BookingIdParam,
    body: ReviewBody,
    responses: {
      201: { description: 'Reviewed', schema: z.object({ review: ReviewDto }) },
      403: { description: 'REVIEW_NOT_ALLOWED (not your booking, or the call did not take place)' },
      404: { description: 'BOOKING_NOT_FOUND' },
      409: { description: 'ALREADY_REVIEWED' },
    },
  },
  async (c, { user, params, body }) => {
    const r = await submitReview(c.get('deps'), user, params.id, body);
    if (!r.ok) throw refusal(r.code);
    return c.json({ review: toReviewDto(r.review, user.name) }, 201);
  },
);

route(
  reviewsApi,
  {
    method: 'get',
    path: '/creators/:idOrSlug/reviews',
    summary: "A creator's visible reviews, newest first (20 per page), with the average",
    tags,
    access: 'public',
    params: z.object({ idOrSlug: z.string().min(2).max(60) }),
    query: z.object({ page: PageQuery }),
    responses: {
      200: {
        description: 'Reviews',
        schema: z.object({
          items: z.array(ReviewDto),
          page: z.number(),
          total: z.number(),
          rating: z.object({ average: z.number().nullable(), count: z.number() }),
        }),
      },
      404: { description: 'NOT_FOUND' },
    },
  },
  async (c, { params, query }) => {
    const deps = c.get('deps');
    const creator = await findCreator(deps, params.idOrSlug);
    if (!creator) throw notFound('Creator');
    const { rows, total, rating: r } = await creatorReviewPage(deps, creator.id, query.page);
    return c.json({ items: rows.map((x) => toReviewDto(x.review, x.author)), page: query.page, total, rating: r });
  },
);

route(
  reviewsApi,
  {
    method: 'post',
    path: '/reviews/:id/reply',
    summary: 'The creator answers a review of one of their calls, once (shown publicly under it)',
    tags,
    access: 'user',
    params: z.object({ id: z.string().min(1).max(64) }),
    body: ReplyBody,
    responses: {
      200: { description: 'Replied', schema: z.object({ review: ReviewDto }) },
      404: { description: "REVIEW_NOT_FOUND (including a review of someone else's calls)" },
      409: { description: 'ALREADY_REPLIED' },
    },
  },
  async (c, { user, params, body }) => {
    const deps = c.get('deps');
    const r = await replyToReview(deps, user, params.id, body.reply);
    if (!r.ok) throw refusal(r.code);
    const author = await deps.db.select({ name: users.name }).from(users).where(eq(users.id, r.review.userId)).get();
    return c.json({ review: toReviewDto(r.review, author?.name ?? '') });
  },
);
