/**
 * What else a fan can book when the offer they are looking at is taken: the creator's other
 * AVAILABLE public offers (soonest first) and the next free times from their availability (the
 * same slot engine as GET /api/creators/:idOrSlug/slots), across their active appointment types.
 */
import { and, asc, eq, gt, isNull, ne } from 'drizzle-orm';
import { callOffers, type CallOffer, type Creator } from '../../db/schema';
import type { Deps } from '../../deps';
import { DAY } from '../../lib/clock';
import { listTypes, slotsFor, type AppointmentType } from '../availability/availability';

/** How many of each are offered, and how far ahead slots are looked for (the slots API's default range). */
export const ALTERNATIVES = { offers: 4, slots: 4, slotDays: 31 } as const;

export interface AlternativeSlotRow {
  type: AppointmentType;
  startsAt: Date;
  endsAt: Date;
}
export interface OfferAlternatives {
  offers: CallOffer[];
  slots: AlternativeSlotRow[];
}

export async function offerAlternatives(
  deps: Deps,
  creator: Creator,
  excludeOfferId: string,
): Promise<OfferAlternatives> {
  // A creator who cannot take payments has nothing bookable (booking would answer CREATOR_NOT_PAYABLE).
  if (!creator.chargesEnabled) return { offers: [], slots: [] };
  const now = deps.clock.now();
  const [offers, types] = await Promise.all([
    deps.db
      .select()
      .from(callOffers)
      .where(
        and(
          eq(callOffers.creatorId, creator.id),
          eq(callOffers.status, 'AVAILABLE'),
          gt(callOffers.startsAt, now),
          isNull(callOffers.reservedForUserId),
          ne(callOffers.id, excludeOfferId),
        ),
      )
      .orderBy(asc(callOffers.startsAt))
      .limit(ALTERNATIVES.offers)
      .all(),
    listTypes(deps, creator.id, true),
  ]);
  const until = new Date(now.getTime() + ALTERNATIVES.slotDays * DAY);
  const perType = await Promise.all(
    types.map(async (type) =>
      (await slotsFor(deps, creator, type, now, until))
        .slice(0, ALTERNATIVES.slots)
        .map((s) => ({ type, startsAt: s.startsAt, endsAt: s.endsAt })),
    ),
  );
  const slots = perType
    .flat()
    .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || a.type.name.localeCompare(b.type.name))
    .slice(0, ALTERNATIVES.slots);
  return { offers, slots };
}
