/** Read side of creators: the public directory, a creator page, DTOs. */
import { and, asc, eq, gt, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import { callOffers, creators, reviews, type Creator, type Currency } from '../../db/schema';
import type { Deps } from '../../deps';
import { activeTypesQuery } from '../availability/availability';
import { REVIEWS_PER_PAGE, visibleReviewsQuery } from '../reviews/reviews';
import type { CreatorCardDto, CreatorDto } from '../../shared/creators';
import { acceptedCurrency } from '../payments/currency';
import { activeCreator } from './standing';

export const DIRECTORY_PAGE_SIZE = 12;
/** Offer statuses shown publicly on a creator's page (taken ones stay visible as "booked"). */
export const PUBLIC_OFFER_STATUSES = ['AVAILABLE', 'HELD', 'BOOKED'] as const;

/** A creator's id, or a subquery that yields it (to batch a page's reads with the creator lookup). */
export type CreatorRef = string | SQL;

export const imageUrl = (key: string | null) => (key ? `/media/${key}` : null);

export function toCreatorDto(c: Creator): z.infer<typeof CreatorDto> {
  return {
    id: c.id,
    slug: c.slug,
    displayName: c.displayName,
    bio: c.bio,
    expertise: c.expertise,
    profileImageUrl: imageUrl(c.profileImageKey),
    bannerImageUrl: imageUrl(c.bannerImageKey),
    socialLinks: c.socialLinks as Record<string, string>,
    currency: c.currency,
    timezone: c.timezone,
    cancellationPolicy: c.cancellationPolicy,
    acceptsPayments: c.chargesEnabled,
    acceptedCurrency: acceptedCurrency(c),
  };
}

const ratingQuery = (deps: Pick<Deps, 'db'>, creatorId: CreatorRef) =>
  deps.db
    .select({ avg: sql<number | null>`avg(${reviews.rating})`, count: sql<number>`count(*)` })
    .from(reviews)
    .where(and(eq(reviews.creatorId, creatorId), isNull(reviews.hiddenAt)));
const toRating = (r: { avg: number | null; count: number } | undefined) => ({
  average: r?.avg == null ? null : Math.round(r.avg * 10) / 10,
  count: r?.count ?? 0,
});

/** Average (one decimal) and count of a creator's visible reviews. */
export async function rating(
  deps: Pick<Deps, 'db'>,
  creatorId: string,
): Promise<{ average: number | null; count: number }> {
  return toRating(await ratingQuery(deps, creatorId).get());
}

/** Directory: search on name, expertise and bio; creators with upcoming availability first. */
export async function listCreators(
  deps: Deps,
  q: string | undefined,
  page: number,
): Promise<{ items: z.infer<typeof CreatorCardDto>[]; total: number }> {
  const now = deps.clock.now().getTime();
  const where = and(
    activeCreator(),
    q
      ? // instr, not LIKE: D1 refuses LIKE patterns over 50 bytes (a long search answered 500).
        or(
          ...[creators.displayName, creators.expertise, creators.bio].map(
            (col) => sql`instr(lower(${col}), lower(${q})) > 0`,
          ),
        )
      : undefined,
  );
  const nextOffer = sql<
    number | null
  >`(select min(o.starts_at) from call_offers o where o.creator_id = "creators"."id" and o.status = 'AVAILABLE' and o.starts_at > ${now})`;
  const rows = await deps.db
    .select({
      c: creators,
      nextOfferAt: nextOffer,
      priceFrom: sql<
        number | null
      >`(select min(o.price) from call_offers o where o.creator_id = "creators"."id" and o.status = 'AVAILABLE' and o.starts_at > ${now})`,
      priceCurrency: sql<
        string | null
      >`(select o.currency from call_offers o where o.creator_id = "creators"."id" and o.status = 'AVAILABLE' and o.starts_at > ${now} order by o.price limit 1)`,
      avg: sql<
        number | null
      >`(select avg(r.rating) from reviews r where r.creator_id = "creators"."id" and r.hidden_at is null)`,
      count: sql<number>`(select count(*) from reviews r where r.creator_id = "creators"."id" and r.hidden_at is null)`,
    })
    .from(creators)
    .where(where)
    .orderBy(sql`${nextOffer} is null`, asc(nextOffer), asc(creators.displayName))
    .limit(DIRECTORY_PAGE_SIZE)
    .offset((page - 1) * DIRECTORY_PAGE_SIZE)
    .all();
  const total = (await deps.db.select({ n: sql<number>`count(*)` }).from(creators).where(where).get())?.n ?? 0;
  return {
    total,
    items: rows.map((r) => ({
      id: r.c.id,
      slug: r.c.slug,
      displayName: r.c.displayName,
      expertise: r.c.expertise,
      profileImageUrl: imageUrl(r.c.profileImageKey),
      rating: { average: r.avg == null ? null : Math.round(r.avg * 10) / 10, count: r.count },
      nextOfferAt: r.nextOfferAt ? new Date(r.nextOfferAt).toISOString() : null,
      priceFrom:
        r.priceFrom != null && r.priceCurrency ? { amount: r.priceFrom, currency: r.priceCurrency as Currency } : null,
    })),
  };
}

/** One creator profile by id, whatever the account's standing (for its owner's or the system's own reads). */
export async function creatorById(deps: Pick<Deps, 'db'>, id: string): Promise<Creator | null> {
  return (await deps.db.select().from(creators).where(eq(creators.id, id)).get()) ?? null;
}

/** A creator shown to the public: only while their account may act as a creator (not demoted, not disabled). */
export async function findCreator(deps: Pick<Deps, 'db'>, idOrSlug: string): Promise<Creator | null> {
  const which = idOrSlug.startsWith('crt_') ? eq(creators.id, idOrSlug) : eq(creators.slug, idOrSlug.toLowerCase());
  return (await deps.db.select().from(creators).where(and(which, activeCreator())).get()) ?? null;
}

/** A creator's upcoming public offers (soonest first). */
export async function upcomingOffers(deps: Deps, creatorId: string, limit = 50) {
  return upcomingOffersQuery(deps, creatorId, limit).all();
}

const upcomingOffersQuery = (deps: Deps, creatorId: CreatorRef, limit: number) =>
  deps.db
    .select()
    .from(callOffers)
    .where(
      and(
        eq(callOffers.creatorId, creatorId),
        inArray(callOffers.status, [...PUBLIC_OFFER_STATUSES]),
        gt(callOffers.startsAt, deps.clock.now()),
        isNull(callOffers.reservedForUserId),
      ),
    )
    .orderBy(asc(callOffers.startsAt))
    .limit(limit);

/**
 * Everything a creator's page reads besides the creator, in one D1 round trip: upcoming offers,
 * the rating, the active appointment types and the latest visible reviews (the rating's count is
 * their total).
 */
export async function creatorPageReads(deps: Deps, creatorId: CreatorRef, latestReviews: number) {
  const [offers, [r], types, latest] = await deps.db.batch([
    upcomingOffersQuery(deps, creatorId, 50),
    ratingQuery(deps, creatorId),
    activeTypesQuery(deps, creatorId),
    visibleReviewsQuery(deps, creatorId, 1, latestReviews),
  ]);
  return { offers, rating: toRating(r), types, latest };
}
export type CreatorPageReads = Awaited<ReturnType<typeof creatorPageReads>>;

/** A page of a creator's visible reviews and their rating (whose count is the total), in one round trip. */
export async function creatorReviewPage(deps: Deps, creatorId: string, page: number) {
  const [rows, [r]] = await deps.db.batch([
    visibleReviewsQuery(deps, creatorId, page, REVIEWS_PER_PAGE),
    ratingQuery(deps, creatorId),
  ]);
  const rating = toRating(r);
  return { rows, total: rating.count, rating };
}

/** The creator behind a slug and everything their page shows, in one round trip (the hot public page). */
export async function creatorPageBySlug(
  deps: Deps,
  slug: string,
  latestReviews: number,
): Promise<{ creator: Creator; reads: CreatorPageReads } | null> {
  const bySlug = and(eq(creators.slug, slug.toLowerCase()), activeCreator());
  const id = sql`(select ${creators.id} from ${creators} where ${bySlug})`;
  const [[creator], offers, [r], types, latest] = await deps.db.batch([
    deps.db.select().from(creators).where(bySlug).limit(1),
    upcomingOffersQuery(deps, id, 50),
    ratingQuery(deps, id),
    activeTypesQuery(deps, id),
    visibleReviewsQuery(deps, id, 1, latestReviews),
  ]);
  return creator ? { creator, reads: { offers, rating: toRating(r), types, latest } } : null;
}
