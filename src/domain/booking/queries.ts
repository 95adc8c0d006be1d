/** The booking reads an OfferRoom makes beyond its offer's state (loadOfferState), by primary key. */
import { eq } from 'drizzle-orm';
import { bookings, type Booking } from '../../db/schema';
import type { Deps } from '../../deps';

/** One booking row; undefined when there is none. */
export async function bookingById(deps: Pick<Deps, 'db'>, bookingId: string): Promise<Booking | undefined> {
  return deps.db.select().from(bookings).where(eq(bookings.id, bookingId)).get();
}

/** The payment intent a booking was made with (null when it has none, or there is no such booking). */
export async function intentIdOf(deps: Pick<Deps, 'db'>, bookingId: string): Promise<string | null> {
  const row = await deps.db
    .select({ intentId: bookings.paymentIntentId })
    .from(bookings)
    .where(eq(bookings.id, bookingId))
    .get();
  return row?.intentId ?? null;
}
