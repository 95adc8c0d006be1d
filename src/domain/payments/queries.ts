/** Named reads of payments, for the pages that show them. */
import { and, desc, eq } from 'drizzle-orm';
import { bookings, callOffers, owedRefunds, payments, type Booking, type Payment } from '../../db/schema';
import type { Deps } from '../../deps';

/** The payment of a booking, if one was made. */
export async function paymentOfBooking(deps: Pick<Deps, 'db'>, bookingId: string): Promise<Payment | null> {
  return (await deps.db.select().from(payments).where(eq(payments.bookingId, bookingId)).get()) ?? null;
}

/** Refunds decided on a payment but not yet taken by the provider (retried until ISSUED). */
export async function refundsOnTheirWay(deps: Pick<Deps, 'db'>, paymentId: string) {
  return deps.db
    .select({ amount: owedRefunds.amount, currency: owedRefunds.currency })
    .from(owedRefunds)
    .where(and(eq(owedRefunds.paymentId, paymentId), eq(owedRefunds.status, 'OWED')))
    .all();
}

/** The booking a payment intent was created for. */
export async function bookingByIntent(deps: Pick<Deps, 'db'>, intentId: string): Promise<Booking | null> {
  return (await deps.db.select().from(bookings).where(eq(bookings.paymentIntentId, intentId)).get()) ?? null;
}

/** A creator's latest payments (newest first), with the offer's title and the booking. */
export async function creatorPayments(deps: Pick<Deps, 'db'>, creatorId: string, limit = 100) {
  return deps.db
    .select({ p: payments, title: callOffers.title, bookingId: bookings.id })
    .from(payments)
    .innerJoin(bookings, eq(bookings.id, payments.bookingId))
    .innerJoin(callOffers, eq(callOffers.id, bookings.offerId))
    .where(eq(payments.creatorId, creatorId))
    .orderBy(desc(payments.createdAt))
    .limit(limit)
    .all();
}
