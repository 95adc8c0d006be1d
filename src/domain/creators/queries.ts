/** Read side of creators: the public directory, a creator page, DTOs. */
import { and, asc, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { callOffers, creators, reviews, type Creator, type Currency } from '../../db/schema';
import type { Deps } from '../../deps';
import type { CreatorCardDto, CreatorDto } from '../../shared/creators';

export const DIRECTORY_PAGE_SIZE = 12;
/** Offer statuses shown publicly on a creator's page (taken ones stay visible as "booked"). */
export const PUBLIC_OFFER_STATUSES = ['AVAILABLE', 'HELD', 'BOOKED'] as const;

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
  };
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);

export async function rating(deps: Pick<Deps, 'db'>, creatorId: string): Promise<{ average: number | null; count: number }> {
  const r = await deps.db.select({ avg: sql<number | null>`avg(${reviews.rating})`, count: sql<number>`count(*)` })
    .from(reviews).where(and(eq(reviews.creatorId, creatorId), isNull(reviews.hiddenAt))).get();
  return { average: r?.avg == null ? null : Math.round(r.avg * 10) / 10, count: r?.count ?? 0 };
}

/** Directory: search on name, expertise and bio; creators with upcoming availability first. */
export async function listCreators(deps: Deps, q: string | undefined, page: number): Promise<{ items: z.infer<typeof CreatorCardDto>[]; total: number }> {
  const now = deps.clock.now().getTime();
  const where = q
    ? or(...[creators.displayName, creators.expertise, creators.bio].map((col) => sql`${col} like ${`%${escapeLike(q)}%`} escape '\\'`))
    : undefined;
  const nextOffer = sql<number | null>`(select min(o.starts_at) from call_offers o where o.creator_id = "creators"."id" and o.status = 'AVAILABLE' and o.starts_at > ${now})`;
  const rows = await deps.db.select({
    c: creators,
    nextOfferAt: nextOffer,
    priceFrom: sql<number | null>`(select min(o.price) from call_offers o where o.creator_id = "creators"."id" and o.status = 'AVAILABLE' and o.starts_at > ${now})`,
    priceCurrency: sql<string | null>`(select o.currency from call_offers o where o.creator_id = "creators"."id" and o.status = 'AVAILABLE' and o.starts_at > ${now} order by o.price limit 1)`,
    avg: sql<number | null>`(select avg(r.rating) from reviews r where r.creator_id = "creators"."id" and r.hidden_at is null)`,
    count: sql<number>`(select count(*) from reviews r where r.creator_id = "creators"."id" and r.hidden_at is null)`,
  }).from(creators).where(where)
    .orderBy(sql`${nextOffer} is null`, asc(nextOffer), asc(creators.displayName))
    .limit(DIRECTORY_PAGE_SIZE).offset((page - 1) * DIRECTORY_PAGE_SIZE).all();
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
      priceFrom: r.priceFrom != null && r.priceCurrency ? { amount: r.priceFrom, currency: r.priceCurrency as Currency } : null,
    })),
  };
}

export async function findCreator(deps: Pick<Deps, 'db'>, idOrSlug: string): Promise<Creator | null> {
  return (await deps.db.select().from(creators).where(idOrSlug.startsWith('crt_') ? eq(creators.id, idOrSlug) : eq(creators.slug, idOrSlug.toLowerCase())).get()) ?? null;
}

/** A creator's upcoming public offers (soonest first). */
export async function upcomingOffers(deps: Deps, creatorId: string, limit = 50) {
  return deps.db.select().from(callOffers).where(and(
    eq(callOffers.creatorId, creatorId),
    inArray(callOffers.status, [...PUBLIC_OFFER_STATUSES]),
    gt(callOffers.startsAt, deps.clock.now()),
    isNull(callOffers.reservedForUserId),
  )).orderBy(asc(callOffers.startsAt)).limit(limit).all();
}
