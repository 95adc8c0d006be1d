/**
 * Domain events: what happened, and who must hear about it. Each function fans out to in-app
 * notifications (and, through the email queue, localized emails) for the people concerned.
 */
import { eq } from 'drizzle-orm';
import { bookings, callOffers, creators, users, type Currency } from '../db/schema';
import type { Deps } from '../deps';
import { notify, notifyAdmins } from './notifications/notify';

async function bookingParties(deps: Deps, bookingId: string) {
  const row = await deps.db.select({ booking: bookings, offerTitle: callOffers.title, creatorUserId: creators.userId, creatorName: creators.displayName, fanName: users.name })
    .from(bookings)
    .innerJoin(callOffers, eq(callOffers.id, bookings.offerId))
    .innerJoin(creators, eq(creators.id, bookings.creatorId))
    .innerJoin(users, eq(users.id, bookings.userId))
    .where(eq(bookings.id, bookingId)).get();
  return row ?? null;
}

export async function bookingConfirmed(deps: Deps, bookingId: string): Promise<void> {
  const p = await bookingParties(deps, bookingId);
  if (!p) return;
  const params = { title: p.offerTitle, creator: p.creatorName, fan: p.fanName, startsAt: p.booking.startsAt.toISOString() };
  await notify(deps, p.booking.userId, 'BOOKING_CONFIRMED', params, `/bookings/${bookingId}`);
  await notify(deps, p.creatorUserId, 'NEW_BOOKING', params, `/bookings/${bookingId}`);
}

export async function bookingCancelled(deps: Deps, bookingId: string, by: string): Promise<void> {
  const p = await bookingParties(deps, bookingId);
  if (!p) return;
  const params = { title: p.offerTitle, creator: p.creatorName, fan: p.fanName, startsAt: p.booking.startsAt.toISOString(), by };
  await notify(deps, p.booking.userId, 'BOOKING_CANCELLED', params, `/bookings/${bookingId}`);
  await notify(deps, p.creatorUserId, 'BOOKING_CANCELLED', params, `/bookings/${bookingId}`);
}

export async function refundIssued(deps: Deps, r: { bookingId: string; amount: number; currency: Currency; reason: string }): Promise<void> {
  const p = await bookingParties(deps, r.bookingId);
  if (!p) return;
  const params = { title: p.offerTitle, amount: r.amount, currency: r.currency, reason: r.reason.split(':')[0] };
  await notify(deps, p.booking.userId, 'REFUND_ISSUED', params, `/bookings/${r.bookingId}`);
  await notify(deps, p.creatorUserId, 'REFUND_ISSUED', params, `/bookings/${r.bookingId}`);
}

export async function disputeOpened(deps: Deps, d: { disputeId: string; amount: number; currency: Currency; reason: string; bookingId: string }): Promise<void> {
  await notifyAdmins(deps, 'DISPUTE_OPENED', { amount: d.amount, currency: d.currency, reason: d.reason }, `/admin/disputes`);
  const p = await bookingParties(deps, d.bookingId);
  if (p) await notify(deps, p.creatorUserId, 'DISPUTE_OPENED', { amount: d.amount, currency: d.currency, reason: d.reason, title: p.offerTitle }, `/bookings/${d.bookingId}`);
}

export async function disputeClosed(deps: Deps, d: { amount: number; currency: Currency; status: string; bookingId: string }): Promise<void> {
  await notifyAdmins(deps, 'DISPUTE_CLOSED', { amount: d.amount, currency: d.currency, status: d.status }, `/admin/disputes`);
  const p = await bookingParties(deps, d.bookingId);
  if (p) await notify(deps, p.creatorUserId, 'DISPUTE_CLOSED', { amount: d.amount, currency: d.currency, status: d.status, title: p.offerTitle }, `/bookings/${d.bookingId}`);
}

/** The call's attendance outcome, to both people (the fan learns of an automatic refund here). */
export async function callOutcomeNotice(deps: Deps, bookingId: string, outcome: string, refunded: number): Promise<void> {
  const p = await bookingParties(deps, bookingId);
  if (!p) return;
  const params = { title: p.offerTitle, creator: p.creatorName, fan: p.fanName, outcome, refunded, currency: p.booking.currency };
  await notify(deps, p.booking.userId, 'CALL_OUTCOME', params, `/call/${bookingId}/summary`);
  await notify(deps, p.creatorUserId, 'CALL_OUTCOME', params, `/call/${bookingId}/summary`);
}
