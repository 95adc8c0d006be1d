/** Creating offers: timing rules, onboarding, and no overlap with the creator's other live offers. */
import { and, eq, gt, inArray, lt, ne } from 'drizzle-orm';
import { callOffers, type CallOffer, type Creator, type Currency } from '../../db/schema';
import { one } from '../../db/one';
import type { Deps } from '../../deps';
import { DAY, MINUTE } from '../../lib/clock';
import { MAX_AHEAD_DAYS, MIN_LEAD_MINUTES } from '../../shared/offers';
import { currencyRefusal } from '../payments/currency';

/** Offer statuses that occupy the creator's time. */
export const OCCUPYING = ['AVAILABLE', 'HELD', 'BOOKED'] as const;

export interface NewOfferInput {
  title: string;
  description: string;
  price: number;
  currency: Currency;
  startsAt: Date;
  durationMinutes: number;
  source?: 'OFFER' | 'REQUEST' | 'SLOT';
  reservedForUserId?: string | null;
  appointmentTypeId?: string | null;
}

export type CreateOfferRefusal =
  | 'CREATOR_NOT_ONBOARDED'
  | 'CURRENCY_NOT_ACCEPTED'
  | 'TOO_SOON'
  | 'TOO_FAR'
  | 'OVERLAPS_ANOTHER_OFFER';
export type CreateOfferResult =
  | { ok: true; offer: CallOffer }
  | { ok: false; code: CreateOfferRefusal; conflicts?: { id: string; startsAt: string; endsAt: string }[] };

/** The creator's occupying offers overlapping [start, end). */
export async function findOverlaps(
  deps: Pick<Deps, 'db'>,
  creatorId: string,
  start: Date,
  end: Date,
  excludeOfferId?: string,
): Promise<CallOffer[]> {
  return deps.db
    .select()
    .from(callOffers)
    .where(
      and(
        eq(callOffers.creatorId, creatorId),
        inArray(callOffers.status, [...OCCUPYING]),
        lt(callOffers.startsAt, end),
        gt(callOffers.endsAt, start),
        excludeOfferId ? ne(callOffers.id, excludeOfferId) : undefined,
      ),
    )
    .all();
}

export function checkTiming(startsAt: Date, now: Date): 'TOO_SOON' | 'TOO_FAR' | null {
  if (startsAt.getTime() < now.getTime() + MIN_LEAD_MINUTES * MINUTE) return 'TOO_SOON';
  if (startsAt.getTime() > now.getTime() + MAX_AHEAD_DAYS * DAY) return 'TOO_FAR';
  return null;
}

/** Inserts an offer after the checks. Callers serialize per creator (CreatorCalendar) so two overlapping offers cannot both pass. */
export async function createOffer(deps: Deps, creator: Creator, input: NewOfferInput): Promise<CreateOfferResult> {
  if (!creator.chargesEnabled || !creator.stripeAccountId) return { ok: false, code: 'CREATOR_NOT_ONBOARDED' };
  // Offers, slots of appointment types and accepted requests alike: never in a currency the account would convert.
  if (currencyRefusal(creator, input.currency)) return { ok: false, code: 'CURRENCY_NOT_ACCEPTED' };
  const now = deps.clock.now();
  const timing = checkTiming(input.startsAt, now);
  if (timing) return { ok: false, code: timing };
  const endsAt = new Date(input.startsAt.getTime() + input.durationMinutes * MINUTE);
  const overlaps = await findOverlaps(deps, creator.id, input.startsAt, endsAt);
  if (overlaps.length) {
    return {
      ok: false,
      code: 'OVERLAPS_ANOTHER_OFFER',
      conflicts: overlaps.map((o) => ({
        id: o.id,
        startsAt: o.startsAt.toISOString(),
        endsAt: o.endsAt.toISOString(),
      })),
    };
  }
  const offer = one(
    await deps.db
      .insert(callOffers)
      .values({
        id: deps.ids.next('off'),
        creatorId: creator.id,
        title: input.title,
        description: input.description,
        price: input.price,
        currency: input.currency,
        startsAt: input.startsAt,
        durationMinutes: input.durationMinutes,
        endsAt,
        status: 'AVAILABLE',
        source: input.source ?? 'OFFER',
        reservedForUserId: input.reservedForUserId ?? null,
        appointmentTypeId: input.appointmentTypeId ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .returning(),
    'the offer just created',
  );
  await deps.log.booking.info(
    'OFFER_CREATED',
    `Offer ${offer.id} created`,
    { offerId: offer.id, source: offer.source },
    { actor: 'CREATOR', actorId: creator.userId },
  );
  return { ok: true, offer };
}
