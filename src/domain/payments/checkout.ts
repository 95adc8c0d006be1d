/** Starting a payment for a held booking: a destination charge with the platform fee. */
import { bookings, payments, type Booking } from '../../db/schema';
import type { Deps } from '../../deps';
import type { IntentStart } from '../../providers/payments/port';
import { splitFee } from '../../shared/money';
import type { OfferSnapshot } from '../booking/offer-state';
import { getSettings } from '../settings';
import { eq } from 'drizzle-orm';

export interface StartedPayment {
  start: IntentStart;
  /** The pending payment row, fee split frozen at the current platform fee. */
  row: typeof payments.$inferInsert;
}

/**
 * Creates (idempotently, keyed by the booking) the payment intent of a held booking. The booking
 * need not be in D1 yet: the caller writes it together with the payment row (one round trip).
 */
export async function createIntentFor(deps: Deps, booking: Pick<Booking, 'id' | 'offerId' | 'userId' | 'creatorId' | 'price' | 'currency'>, offer: OfferSnapshot): Promise<StartedPayment> {
  const settings = await getSettings(deps);
  const { platformFee, creatorShare } = splitFee(booking.price, settings.platformFeeBps);
  const start = await deps.payments.createIntent({
    amount: booking.price,
    currency: booking.currency,
    applicationFeeAmount: platformFee,
    destinationAccount: offer.creatorAccountId!,
    description: `Call a Star — ${offer.title}`.slice(0, 200),
    metadata: { bookingId: booking.id, offerId: booking.offerId, userId: booking.userId, creatorId: booking.creatorId },
    idempotencyKey: `booking:${booking.id}:intent`,
  });
  const now = deps.clock.now();
  return {
    start,
    row: {
      id: deps.ids.next('pay'), bookingId: booking.id, creatorId: booking.creatorId, provider: deps.payments.name, intentId: start.intentId,
      amount: booking.price, currency: booking.currency, platformFeeBps: settings.platformFeeBps, platformFee, creatorShare,
      status: 'PENDING', createdAt: now, updatedAt: now,
    },
  };
}

/** For a booking already in D1 (the fan coming back to pay): the same intent, and the rows if they were missing. */
export async function startPayment(deps: Deps, booking: Booking, offer: OfferSnapshot): Promise<IntentStart> {
  const p = await createIntentFor(deps, booking, offer);
  await deps.db.batch([
    deps.db.update(bookings).set({ paymentProvider: deps.payments.name, paymentIntentId: p.start.intentId, updatedAt: deps.clock.now() }).where(eq(bookings.id, booking.id)),
    deps.db.insert(payments).values(p.row).onConflictDoNothing(),
  ]);
  return p.start;
}
