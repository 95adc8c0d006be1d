/**
 * The D1 writes behind each booking transition. Each is one `db.batch` (one transaction) with
 * conditional updates, so a stale caller cannot move a booking that has moved on.
 * Only the OfferRoom calls these (it is the single writer of booking state for its offer).
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { bookings, callOffers, payments, type Booking } from '../../db/schema';
import { one } from '../../db/one';
import type { StartedPayment } from '../payments/checkout';
import type { Deps } from '../../deps';
import { errorText } from '../../lib/logger';
import type { OfferState } from './offer-state';

/** The hold, its pending payment and its log line, in one transaction (one round trip). */
export async function writeHold(
  deps: Deps,
  st: OfferState,
  input: { bookingId: string; userId: string; holdExpiresAt: number; payment: StartedPayment },
): Promise<Booking> {
  const now = deps.clock.now();
  const o = st.offer;
  const [inserted] = await deps.db.batch([
    deps.db
      .insert(bookings)
      .values({
        id: input.bookingId,
        offerId: o.id,
        userId: input.userId,
        creatorId: o.creatorId,
        status: 'PENDING',
        price: o.price,
        currency: o.currency,
        cancellationPolicy: o.cancellationPolicy,
        startsAt: new Date(o.startsAt),
        endsAt: new Date(o.endsAt),
        holdExpiresAt: new Date(input.holdExpiresAt),
        paymentProvider: deps.payments.name,
        paymentIntentId: input.payment.start.intentId,
        createdAt: now,
        updatedAt: now,
      })
      .returning(),
    deps.db
      .update(callOffers)
      .set({ status: 'HELD', updatedAt: now })
      .where(and(eq(callOffers.id, o.id), eq(callOffers.status, 'AVAILABLE'))),
    deps.db.insert(payments).values(input.payment.row).onConflictDoNothing(),
    deps.log.booking.statement(
      'INFO',
      'BOOKING_HELD',
      `Offer ${o.id} held until ${new Date(input.holdExpiresAt).toISOString()}`,
      { bookingId: input.bookingId, offerId: o.id },
      { actor: 'USER', actorId: input.userId },
    ),
  ]);
  return one(inserted, 'the booking just held');
}

export type ReleaseReason = 'EXPIRED' | 'FAILED' | 'CANCELLED';

/** Moves a PENDING hold's deadline (its payment is under way): the alarm, the sweep and the pay checks all read it. */
export async function writeHoldExtension(deps: Deps, bookingId: string, until: number): Promise<void> {
  await deps.db
    .update(bookings)
    .set({ holdExpiresAt: new Date(until), updatedAt: deps.clock.now() })
    .where(and(eq(bookings.id, bookingId), eq(bookings.status, 'PENDING')));
}

/**
 * Ends a PENDING hold; the offer becomes available again (or expired if its start has passed). A
 * slot booked from availability existed only for that hold: it is withdrawn, freeing the time.
 */
export async function writeRelease(
  deps: Deps,
  st: OfferState,
  bookingId: string,
  reason: ReleaseReason,
  meta: { cancelledBy?: 'FAN' | 'CREATOR' | 'ADMIN' | 'SYSTEM'; reason?: string } = {},
): Promise<'AVAILABLE' | 'EXPIRED' | 'CANCELLED'> {
  const now = deps.clock.now();
  const offerStatus =
    st.offer.source === 'SLOT' ? 'CANCELLED' : st.offer.startsAt <= now.getTime() ? 'EXPIRED' : 'AVAILABLE';
  await deps.db.batch([
    deps.db
      .update(bookings)
      .set({
        status: reason,
        holdExpiresAt: null,
        updatedAt: now,
        ...(reason === 'CANCELLED'
          ? { cancelledAt: now, cancelledBy: meta.cancelledBy ?? 'FAN', cancelReason: meta.reason ?? null }
          : {}),
      })
      .where(and(eq(bookings.id, bookingId), eq(bookings.status, 'PENDING'))),
    deps.db
      .update(callOffers)
      .set({ status: offerStatus, updatedAt: now })
      .where(and(eq(callOffers.id, st.offer.id), eq(callOffers.status, 'HELD'))),
  ]);
  return offerStatus;
}

export async function writeConfirm(
  deps: Deps,
  st: OfferState,
  bookingId: string,
  fromStatuses: Booking['status'][] = ['PENDING'],
): Promise<boolean> {
  const now = deps.clock.now();
  const [updated] = await deps.db.batch([
    deps.db
      .update(bookings)
      .set({
        status: 'CONFIRMED',
        confirmedAt: now,
        holdExpiresAt: null,
        cancelledAt: null,
        cancelledBy: null,
        cancelReason: null,
        updatedAt: now,
      })
      .where(and(eq(bookings.id, bookingId), inArray(bookings.status, fromStatuses)))
      .returning({ id: bookings.id }),
    deps.db
      .update(callOffers)
      .set({ status: 'BOOKED', updatedAt: now })
      .where(and(eq(callOffers.id, st.offer.id), inArray(callOffers.status, ['HELD', 'AVAILABLE', 'BOOKED']))),
  ]);
  return updated.length === 1;
}

/** Cancels a CONFIRMED booking. The creator cancelling closes the offer; a fan cancelling reopens it if it is still ahead. */
export async function writeCancelConfirmed(
  deps: Deps,
  st: OfferState,
  bookingId: string,
  by: 'FAN' | 'CREATOR' | 'ADMIN' | 'SYSTEM',
  reason: string | null,
): Promise<'AVAILABLE' | 'CANCELLED'> {
  const now = deps.clock.now();
  const reopen = by === 'FAN' && st.offer.source === 'OFFER' && st.offer.startsAt > now.getTime() + 30 * 60_000;
  const offerStatus = reopen ? 'AVAILABLE' : 'CANCELLED';
  await deps.db.batch([
    deps.db
      .update(bookings)
      .set({ status: 'CANCELLED', cancelledAt: now, cancelledBy: by, cancelReason: reason, updatedAt: now })
      .where(and(eq(bookings.id, bookingId), eq(bookings.status, 'CONFIRMED'))),
    deps.db.update(callOffers).set({ status: offerStatus, updatedAt: now }).where(eq(callOffers.id, st.offer.id)),
  ]);
  return offerStatus;
}

/** New times for a confirmed booking and its offer; the calendar event's SEQUENCE goes up. */
export async function writeReschedule(
  deps: Deps,
  st: OfferState,
  bookingId: string,
  startsAt: Date,
  endsAt: Date,
): Promise<void> {
  const now = deps.clock.now();
  const minutes = Math.round((endsAt.getTime() - startsAt.getTime()) / 60_000);
  await deps.db.batch([
    deps.db
      .update(bookings)
      .set({ startsAt, endsAt, icsSequence: sql`${bookings.icsSequence} + 1`, updatedAt: now })
      .where(and(eq(bookings.id, bookingId), eq(bookings.status, 'CONFIRMED'))),
    deps.db
      .update(callOffers)
      .set({ startsAt, endsAt, durationMinutes: minutes, updatedAt: now })
      .where(eq(callOffers.id, st.offer.id)),
  ]);
}

export async function writeComplete(deps: Deps, st: OfferState, bookingId: string): Promise<void> {
  const now = deps.clock.now();
  await deps.db.batch([
    deps.db
      .update(bookings)
      .set({ status: 'COMPLETED', updatedAt: now })
      .where(and(eq(bookings.id, bookingId), eq(bookings.status, 'CONFIRMED'))),
    deps.db.update(callOffers).set({ status: 'COMPLETED', updatedAt: now }).where(eq(callOffers.id, st.offer.id)),
  ]);
}

export async function writeOfferStatus(
  deps: Deps,
  offerId: string,
  from: string[],
  to: 'CANCELLED' | 'EXPIRED',
): Promise<boolean> {
  const r = await deps.db
    .update(callOffers)
    .set({ status: to, updatedAt: deps.clock.now() })
    .where(and(eq(callOffers.id, offerId), sql`${callOffers.status} in ${from}`))
    .returning({ id: callOffers.id });
  return r.length === 1;
}

/** True when an error is D1 refusing a second live booking for one offer (the backstop index). */
export function isLiveBookingIndexViolation(e: unknown): boolean {
  const s = errorText(e);
  return s.includes('UNIQUE') && (s.includes('bookings.offer_id') || s.includes('bookings_one_live_per_offer'));
}
