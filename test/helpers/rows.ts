/** The current D1 row of one object, read the way every test checks what a request changed. */
import { asc, eq, inArray } from 'drizzle-orm';
import { bookings, callOffers, callRequests, logs, payments, refunds, users } from '../../src/db/schema';
import { deps } from './context';

export const bookingRow = async (id: string) =>
  (await deps().db.select().from(bookings).where(eq(bookings.id, id)).get())!;

export const offerRow = async (id: string) =>
  (await deps().db.select().from(callOffers).where(eq(callOffers.id, id)).get())!;

export const userRow = async (id: string) => (await deps().db.select().from(users).where(eq(users.id, id)).get())!;

export const requestRow = async (id: string) =>
  (await deps().db.select().from(callRequests).where(eq(callRequests.id, id)).get())!;

/** The payment of a booking. */
export const paymentOf = async (bookingId: string) =>
  (await deps().db.select().from(payments).where(eq(payments.bookingId, bookingId)).get())!;

/** Every refund of a booking. */
export const refundsOfBooking = (bookingId: string) =>
  deps().db.select().from(refunds).where(eq(refunds.bookingId, bookingId)).all();

/** The CALL family log rows of one call (CALL_EVENT, CALL_ERROR), oldest first: logs keep the booking in their context. */
export const callLogRows = async (bookingId: string) =>
  (
    await deps()
      .db.select()
      .from(logs)
      .where(inArray(logs.type, ['CALL_EVENT', 'CALL_ERROR']))
      .orderBy(asc(logs.createdAt), asc(logs.id))
      .all()
  ).filter((r) => (r.context as { bookingId?: string } | null)?.bookingId === bookingId);
