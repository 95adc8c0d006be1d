/** Named reads of offers, shared by the API and the pages so each lookup is written once. */
import { and, desc, eq } from 'drizzle-orm';
import { bookings, callOffers, creators, type CallOffer, type Creator } from '../../db/schema';
import type { Deps } from '../../deps';
import type { OfferStatus } from '../../shared/enums';

/** One offer by id, whatever its status. */
export async function offerById(deps: Pick<Deps, 'db'>, id: string): Promise<CallOffer | null> {
  return (await deps.db.select().from(callOffers).where(eq(callOffers.id, id)).get()) ?? null;
}

/** One offer with the creator who published it. */
export async function offerWithCreator(
  deps: Pick<Deps, 'db'>,
  id: string,
): Promise<{ offer: CallOffer; creator: Creator } | null> {
  const row = await deps.db
    .select({ offer: callOffers, creator: creators })
    .from(callOffers)
    .innerJoin(creators, eq(creators.id, callOffers.creatorId))
    .where(eq(callOffers.id, id))
    .get();
  return row ?? null;
}

/** One of a creator's own offers: another creator's is null, like a missing one. */
export async function ownOffer(deps: Pick<Deps, 'db'>, creatorId: string, id: string): Promise<CallOffer | null> {
  return (
    (await deps.db
      .select()
      .from(callOffers)
      .where(and(eq(callOffers.id, id), eq(callOffers.creatorId, creatorId)))
      .get()) ?? null
  );
}

/** A creator's latest offers (by start, newest first), of every status or of one. */
export async function creatorOffers(
  deps: Pick<Deps, 'db'>,
  creatorId: string,
  opts: { limit: number; status?: OfferStatus },
): Promise<CallOffer[]> {
  return deps.db
    .select()
    .from(callOffers)
    .where(and(eq(callOffers.creatorId, creatorId), opts.status ? eq(callOffers.status, opts.status) : undefined))
    .orderBy(desc(callOffers.startsAt))
    .limit(opts.limit)
    .all();
}

/** The id of the hold (a PENDING booking) this fan has on this offer, if any. */
export async function heldBy(deps: Pick<Deps, 'db'>, offerId: string, userId: string): Promise<string | null> {
  const row = await deps.db
    .select({ id: bookings.id })
    .from(bookings)
    .where(and(eq(bookings.offerId, offerId), eq(bookings.userId, userId), eq(bookings.status, 'PENDING')))
    .get();
  return row?.id ?? null;
}
