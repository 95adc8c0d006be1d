/**
 * The booking state of one offer, as its OfferRoom holds it, and the pure decisions on it.
 * D1 is the system of record; the OfferRoom loads this once and is the only writer afterwards.
 */
import { and, eq, inArray } from 'drizzle-orm';
import {
  bookings,
  callOffers,
  creators,
  LIVE_BOOKING_STATUSES,
  type CancellationPolicy,
  type Currency,
  type OfferStatus,
} from '../../db/schema';
import type { Deps } from '../../deps';
import type { z } from 'zod';
import type { BookingDto, PaymentStartDto } from '../../shared/offers';

export interface OfferSnapshot {
  id: string;
  creatorId: string;
  creatorUserId: string;
  creatorAccountId: string | null;
  chargesEnabled: boolean;
  cancellationPolicy: CancellationPolicy;
  title: string;
  price: number;
  currency: Currency;
  startsAt: number;
  endsAt: number;
  status: OfferStatus;
  reservedForUserId: string | null;
  /** OFFER (published), REQUEST (accepted request) or SLOT (booked from availability). */
  source: 'OFFER' | 'REQUEST' | 'SLOT';
}

export interface LiveBooking {
  id: string;
  userId: string;
  status: 'PENDING' | 'CONFIRMED' | 'COMPLETED';
  holdExpiresAt: number | null;
  /** False between the in-memory claim and the D1 write that makes it durable. */
  persisted: boolean;
  /** Its payment intent (null until the claim has created it). */
  intentId: string | null;
  /**
   * A moment (the object's clock, ms) while this booking held the offer: its claim, or when the
   * object loaded it. An AVAILABLE status a fan saw at or after it may be newer than this booking
   * (see domain/booking/taken.ts); one seen before it is older.
   */
  since: number;
  /** What the fan got when the hold was taken (or first resumed): a double click is answered from memory, without D1. */
  started?: { booking: z.infer<typeof BookingDto>; payment: z.infer<typeof PaymentStartDto> };
}

export interface OfferState {
  offer: OfferSnapshot;
  live: LiveBooking | null;
  /** Set while an edit, withdrawal or expiry is being written: bookings wait for the outcome. */
  busy?: boolean;
}

export async function loadOfferState(deps: Pick<Deps, 'db'>, offerId: string): Promise<OfferState | null> {
  // One round trip: the offer, its creator's payment state and its live booking (if any).
  const row = await deps.db
    .select({
      offer: callOffers,
      creatorUserId: creators.userId,
      accountId: creators.stripeAccountId,
      chargesEnabled: creators.chargesEnabled,
      policy: creators.cancellationPolicy,
      live: bookings,
    })
    .from(callOffers)
    .innerJoin(creators, eq(creators.id, callOffers.creatorId))
    .leftJoin(bookings, and(eq(bookings.offerId, callOffers.id), inArray(bookings.status, [...LIVE_BOOKING_STATUSES])))
    .where(eq(callOffers.id, offerId))
    .get();
  if (!row) return null;
  const live = row.live;
  const o = row.offer;
  return {
    offer: {
      id: o.id,
      creatorId: o.creatorId,
      creatorUserId: row.creatorUserId,
      creatorAccountId: row.accountId,
      chargesEnabled: row.chargesEnabled,
      cancellationPolicy: row.policy,
      title: o.title,
      price: o.price,
      currency: o.currency,
      startsAt: o.startsAt.getTime(),
      endsAt: o.endsAt.getTime(),
      status: o.status,
      reservedForUserId: o.reservedForUserId,
      source: o.source,
    },
    live: live
      ? {
          id: live.id,
          userId: live.userId,
          status: live.status as LiveBooking['status'],
          holdExpiresAt: live.holdExpiresAt?.getTime() ?? null,
          persisted: true,
          intentId: live.paymentIntentId,
          since: Date.now(),
        }
      : null,
  };
}

/** The creator's terms a booking is made on: who is paid, whether they can be, and the policy the booking keeps. */
export type CreatorTerms = Pick<OfferSnapshot, 'creatorAccountId' | 'chargesEnabled' | 'cancellationPolicy'>;

/** The creator's terms as they are now (one read by primary key); null when the creator is gone. */
export async function loadCreatorTerms(deps: Pick<Deps, 'db'>, creatorId: string): Promise<CreatorTerms | null> {
  const row = await deps.db
    .select({
      creatorAccountId: creators.stripeAccountId,
      chargesEnabled: creators.chargesEnabled,
      cancellationPolicy: creators.cancellationPolicy,
    })
    .from(creators)
    .where(eq(creators.id, creatorId))
    .get();
  return row ?? null;
}

export type BookRefusal =
  | 'OFFER_UNAVAILABLE'
  | 'OWN_OFFER'
  | 'OFFER_STARTED'
  | 'RESERVED_FOR_ANOTHER_FAN'
  | 'CREATOR_NOT_PAYABLE';

/** Can `userId` take this offer now? Pure: no I/O, so losers are turned away from memory. */
export function decideBooking(
  st: OfferState,
  userId: string,
  now: number,
): { ok: true } | { ok: false; code: BookRefusal } {
  const o = st.offer;
  if (o.creatorUserId === userId) return { ok: false, code: 'OWN_OFFER' };
  if (st.live || st.busy || o.status !== 'AVAILABLE') return { ok: false, code: 'OFFER_UNAVAILABLE' };
  if (o.startsAt <= now) return { ok: false, code: 'OFFER_STARTED' };
  if (o.reservedForUserId && o.reservedForUserId !== userId) return { ok: false, code: 'RESERVED_FOR_ANOTHER_FAN' };
  if (!o.chargesEnabled || !o.creatorAccountId) return { ok: false, code: 'CREATOR_NOT_PAYABLE' };
  return { ok: true };
}

/** How long a fan may take to pay: the configured hold, never past the call's start. */
export function holdUntil(now: number, holdMinutes: number, startsAt: number): number {
  return Math.min(now + holdMinutes * 60_000, startsAt - 60_000);
}
