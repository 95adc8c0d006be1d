/**
 * Review moderation: an admin hides an abusive review (with a reason) or shows it again. Hidden
 * reviews leave the public list and the creator's average at once (both filter on hidden_at);
 * the row stays, so unhiding restores it as it was. Every change is audited.
 */
import { and, count, desc, eq, isNotNull, isNull } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { creators, reviews, users, type Review } from '../../db/schema';
import { one } from '../../db/one';
import type { Deps } from '../../deps';
import { audit } from '../admin/audit';
import { contains } from '../admin/filters';

export const MODERATION_PAGE = 30;
export type ModerationRefusal = 'REVIEW_NOT_FOUND' | 'REVIEW_ALREADY_HIDDEN' | 'REVIEW_NOT_HIDDEN';
type Result = { ok: true; review: Review } | { ok: false; code: ModerationRefusal };

const hider = alias(users, 'hider');

export interface ModerationFilter {
  visibility?: 'hidden' | 'visible';
  creatorId?: string;
  q?: string;
  rating?: number;
  page: number;
}

/** Reviews for the moderation list, newest first, with author, creator and who hid them. */
export async function reviewsForModeration(deps: Pick<Deps, 'db'>, f: ModerationFilter) {
  const q = f.q?.trim().slice(0, 100);
  const where = and(
    f.visibility === 'hidden'
      ? isNotNull(reviews.hiddenAt)
      : f.visibility === 'visible'
        ? isNull(reviews.hiddenAt)
        : undefined,
    f.creatorId ? eq(reviews.creatorId, f.creatorId) : undefined,
    f.rating ? eq(reviews.rating, f.rating) : undefined,
    q ? contains(reviews.comment, q) : undefined,
  );
  // Not in db.batch: its D1 results are keyed by column name, and two `name` columns would clash.
  const [rows, counted] = await Promise.all([
    deps.db
      .select({
        review: reviews,
        author: users.name,
        authorEmail: users.email,
        creatorName: creators.displayName,
        creatorSlug: creators.slug,
        hiddenByName: hider.name,
      })
      .from(reviews)
      .innerJoin(users, eq(users.id, reviews.userId))
      .innerJoin(creators, eq(creators.id, reviews.creatorId))
      .leftJoin(hider, eq(hider.id, reviews.hiddenBy))
      .where(where)
      .orderBy(desc(reviews.createdAt), desc(reviews.id))
      .limit(MODERATION_PAGE)
      .offset((f.page - 1) * MODERATION_PAGE)
      .all(),
    deps.db.select({ total: count() }).from(reviews).where(where),
  ]);
  const { total } = one(counted, 'the reviews count');
  return { rows, total };
}

const snapshot = (r: Review) => ({
  hiddenAt: r.hiddenAt?.toISOString() ?? null,
  hiddenBy: r.hiddenBy,
  hiddenReason: r.hiddenReason,
});

/** Hides a visible review; the update and its audit row commit together. */
export async function hideReview(
  deps: Deps,
  adminId: string,
  reviewId: string,
  reason: string,
  requestId: string | null = null,
): Promise<Result> {
  const before = await deps.db.select().from(reviews).where(eq(reviews.id, reviewId)).get();
  if (!before) return { ok: false, code: 'REVIEW_NOT_FOUND' };
  if (before.hiddenAt) return { ok: false, code: 'REVIEW_ALREADY_HIDDEN' };
  const now = deps.clock.now();
  const after = { ...before, hiddenAt: now, hiddenBy: adminId, hiddenReason: reason };
  // Guarded: of two admins at once, only the one whose update still finds it visible hides it (and is audited).
  const [hidden] = await deps.db
    .update(reviews)
    .set({ hiddenAt: now, hiddenBy: adminId, hiddenReason: reason })
    .where(and(eq(reviews.id, reviewId), isNull(reviews.hiddenAt)))
    .returning();
  if (!hidden) return { ok: false, code: 'REVIEW_ALREADY_HIDDEN' };
  await audit(deps, {
    actor: adminId,
    action: 'REVIEW_HIDE',
    entity: 'review',
    entityId: reviewId,
    before: snapshot(before),
    after: snapshot(after),
    reason,
    requestId,
  });
  await deps.log.admin.info(
    'ADMIN_ACTION',
    `Review ${reviewId} hidden`,
    { reviewId, creatorId: before.creatorId },
    { actor: 'ADMIN', actorId: adminId },
  );
  return { ok: true, review: hidden };
}

/** Shows a hidden review again (the reason it was hidden stays in the audit log). */
export async function unhideReview(
  deps: Deps,
  adminId: string,
  reviewId: string,
  requestId: string | null = null,
  reason: string | null = null,
): Promise<Result> {
  const before = await deps.db.select().from(reviews).where(eq(reviews.id, reviewId)).get();
  if (!before) return { ok: false, code: 'REVIEW_NOT_FOUND' };
  if (!before.hiddenAt) return { ok: false, code: 'REVIEW_NOT_HIDDEN' };
  const [shown] = await deps.db
    .update(reviews)
    .set({ hiddenAt: null, hiddenBy: null, hiddenReason: null })
    .where(and(eq(reviews.id, reviewId), isNotNull(reviews.hiddenAt)))
    .returning();
  if (!shown) return { ok: false, code: 'REVIEW_NOT_HIDDEN' };
  await audit(deps, {
    actor: adminId,
    action: 'REVIEW_UNHIDE',
    entity: 'review',
    entityId: reviewId,
    before: snapshot(before),
    after: snapshot(shown),
    reason,
    requestId,
  });
  await deps.log.admin.info(
    'ADMIN_ACTION',
    `Review ${reviewId} shown again`,
    { reviewId, creatorId: before.creatorId },
    { actor: 'ADMIN', actorId: adminId },
  );
  return { ok: true, review: shown };
}
