/**
 * Booking from availability, and moving a confirmed booking to another time. Both run inside the
 * creator's CreatorCalendar (one object per creator, one change at a time), so two fans can never
 * hold overlapping slots — whichever types they chose — nor overlap a one-off offer.
 */
import { and, eq, sql } from 'drizzle-orm';
import {
  appointmentTypes,
  bookings,
  callOffers,
  creators,
  ledgerEntries,
  payments,
  type Booking,
  type Creator,
} from '../../db/schema';
import { one } from '../../db/one';
import type { Deps } from '../../deps';
import { HOUR, MINUTE } from '../../lib/clock';
import { deleteBookingRoom } from '../calls/access';
import { bookingRescheduled } from '../events';
import { creatorAccount, record } from '../ledger/ledger';
import { createOffer } from '../offers/create';
import { FULL_REFUND_NOTICE_MS } from '../payments/refund-policy';
import { getSettings } from '../settings';
import { isFreeSlot } from './availability';
import type { SlotType } from './slots';

export type SlotRefusal =
  | 'TYPE_NOT_FOUND'
  | 'OWN_PROFILE'
  | 'SLOT_UNAVAILABLE'
  | 'CREATOR_NOT_ONBOARDED'
  | 'CURRENCY_NOT_ACCEPTED'
  | 'TOO_SOON'
  | 'TOO_FAR'
  | 'OVERLAPS_ANOTHER_OFFER';

/** Checks a slot and creates its offer (reserved for the fan); the caller then holds it through the OfferRoom. */
export async function prepareSlot(
  deps: Deps,
  creator: Creator,
  input: { typeId: string; startsAt: Date; fanId: string },
): Promise<{ ok: true; offerId: string } | { ok: false; code: SlotRefusal }> {
  if (creator.userId === input.fanId) return { ok: false, code: 'OWN_PROFILE' };
  const type = await deps.db
    .select()
    .from(appointmentTypes)
    .where(
      and(
        eq(appointmentTypes.id, input.typeId),
        eq(appointmentTypes.creatorId, creator.id),
        eq(appointmentTypes.active, true),
      ),
    )
    .get();
  if (!type) return { ok: false, code: 'TYPE_NOT_FOUND' };
  if (!(await isFreeSlot(deps, creator, type, input.startsAt))) return { ok: false, code: 'SLOT_UNAVAILABLE' };
  const created = await createOffer(deps, creator, {
    title: type.name,
    description: type.description,
    price: type.price,
    currency: type.currency,
    startsAt: input.startsAt,
    durationMinutes: type.durationMinutes,
    source: 'SLOT',
    reservedForUserId: input.fanId,
    appointmentTypeId: type.id,
  });
  return created.ok ? { ok: true, offerId: created.offer.id } : { ok: false, code: created.code };
}

export type RescheduleRefusal =
  | 'BOOKING_NOT_FOUND'
  | 'FORBIDDEN'
  | 'BOOKING_NOT_RESCHEDULABLE'
  | 'TOO_LATE_TO_RESCHEDULE'
  | 'SLOT_UNAVAILABLE';

/** Until 24 h before the call (the free-cancellation window), either side may move it. */
export const RESCHEDULE_NOTICE_MS = FULL_REFUND_NOTICE_MS;

/** The slot rules a booking is moved under: its appointment type's, or the plain call's. */
export async function slotTypeOf(
  deps: Deps,
  booking: Pick<Booking, 'offerId' | 'startsAt' | 'endsAt'>,
): Promise<SlotType> {
  const offer = await deps.db
    .select({ typeId: callOffers.appointmentTypeId })
    .from(callOffers)
    .where(eq(callOffers.id, booking.offerId))
    .get();
  const type = offer?.typeId
    ? await deps.db.select().from(appointmentTypes).where(eq(appointmentTypes.id, offer.typeId)).get()
    : null;
  const durationMinutes = Math.round((booking.endsAt.getTime() - booking.startsAt.getTime()) / MINUTE);
  return type
    ? {
        durationMinutes,
        bufferBeforeMinutes: type.bufferBeforeMinutes,
        bufferAfterMinutes: type.bufferAfterMinutes,
        minNoticeMinutes: Math.max(type.minNoticeMinutes, RESCHEDULE_NOTICE_MS / MINUTE),
        maxAdvanceDays: type.maxAdvanceDays,
      }
    : {
        durationMinutes,
        bufferBeforeMinutes: 0,
        bufferAfterMinutes: 0,
        minNoticeMinutes: RESCHEDULE_NOTICE_MS / MINUTE,
        maxAdvanceDays: 90,
      };
}

export async function checkReschedule(
  deps: Deps,
  bookingId: string,
  actorUserId: string,
): Promise<
  { ok: true; booking: Booking; creator: Creator; by: 'FAN' | 'CREATOR' } | { ok: false; code: RescheduleRefusal }
> {
  const row = await deps.db
    .select({ b: bookings, c: creators })
    .from(bookings)
    .innerJoin(creators, eq(creators.id, bookings.creatorId))
    .where(eq(bookings.id, bookingId))
    .get();
  if (!row) return { ok: false, code: 'BOOKING_NOT_FOUND' };
  const by = row.b.userId === actorUserId ? 'FAN' : row.c.userId === actorUserId ? 'CREATOR' : null;
  if (!by) return { ok: false, code: 'FORBIDDEN' };
  if (row.b.status !== 'CONFIRMED') return { ok: false, code: 'BOOKING_NOT_RESCHEDULABLE' };
  if (row.b.startsAt.getTime() - deps.clock.now().getTime() < RESCHEDULE_NOTICE_MS)
    return { ok: false, code: 'TOO_LATE_TO_RESCHEDULE' };
  return { ok: true, booking: row.b, creator: row.c, by };
}

/** Is this new start free for the booking (its own current time does not count as taken)? */
export async function canMoveTo(deps: Deps, booking: Booking, creator: Creator, startsAt: Date): Promise<boolean> {
  return isFreeSlot(deps, creator, await slotTypeOf(deps, booking), startsAt, { excludeOfferId: booking.offerId });
}

/**
 * What follows the booking to its new time (after the OfferRoom moved it): the creator's share is
 * released relative to the new end (a ledger move, no new charge), the video room is recreated at
 * the next join (its validity was tied to the old time), reminders re-arm (their key has the start),
 * both people are told, with an updated calendar event.
 */
export async function afterReschedule(deps: Deps, before: Booking, by: 'FAN' | 'CREATOR'): Promise<void> {
  const now = deps.clock.now();
  const booking = (await deps.db.select().from(bookings).where(eq(bookings.id, before.id)).get())!;
  const payment = await deps.db.select().from(payments).where(eq(payments.bookingId, booking.id)).get();
  if (payment?.payoutReleaseAt) {
    const settings = await getSettings(deps);
    const release = new Date(booking.endsAt.getTime() + settings.holdingDays * 24 * HOUR);
    // What is still waiting for the old release date (the share, net of any refund reversal).
    const { net } = one(
      await deps.db
        .select({ net: sql<number>`coalesce(sum(${ledgerEntries.amount}), 0)` })
        .from(ledgerEntries)
        .where(
          and(
            eq(ledgerEntries.paymentId, payment.id),
            eq(ledgerEntries.account, creatorAccount(payment.creatorId)),
            eq(ledgerEntries.availableAt, payment.payoutReleaseAt),
          ),
        ),
      'the share still held',
    );
    if (net > 0 && release.getTime() !== payment.payoutReleaseAt.getTime()) {
      await record(deps, {
        txId: `reschedule:${booking.id}:${booking.icsSequence}`,
        currency: payment.currency,
        refs: { paymentId: payment.id },
        memo: 'call rescheduled: share released after the new time',
        entries: [
          {
            account: creatorAccount(payment.creatorId),
            kind: 'CREATOR_SHARE',
            amount: -net,
            creatorId: payment.creatorId,
            availableAt: payment.payoutReleaseAt,
          },
          {
            account: creatorAccount(payment.creatorId),
            kind: 'CREATOR_SHARE',
            amount: net,
            creatorId: payment.creatorId,
            availableAt: release,
          },
        ],
      });
      await deps.db
        .update(payments)
        .set({ payoutReleaseAt: release, updatedAt: now })
        .where(eq(payments.id, payment.id));
    }
  }
  if (booking.videoRoomName && !booking.videoRoomDeletedAt) {
    try {
      await deleteBookingRoom(deps, booking);
    } finally {
      await deps.db
        .update(bookings)
        .set({ videoProvider: null, videoRoomName: null, videoRoomUrl: null, videoRoomDeletedAt: null })
        .where(eq(bookings.id, booking.id));
    }
  }
  await deps.log.booking.info(
    'BOOKING_RESCHEDULED',
    `Booking ${booking.id} moved from ${before.startsAt.toISOString()} to ${booking.startsAt.toISOString()} by the ${by.toLowerCase()}`,
    { bookingId: booking.id },
  );
  await bookingRescheduled(deps, booking.id, by, before.startsAt);
}
