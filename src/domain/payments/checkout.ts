/** Starting a payment for a held booking: a destination charge with the platform fee. */
import { eq } from 'drizzle-orm';
import { bookings, payments, type Booking } from '../../db/schema';
import type { Deps } from '../../deps';
import type { IntentStart } from '../../providers/payments/port';
import { splitFee } from '../../shared/money';
import type { OfferSnapshot } from '../booking/offer-state';
import { getSettings } from '../settings';

/**
 * Creates (idempotently, keyed by the booking) the payment intent for a held booking and records
 * the pending payment with the fee split frozen at the current platform fee.
 */
export async function startPayment(deps: Deps, booking: Booking, offer: OfferSnapshot, fan: { email: string }): Promise<IntentStart> {
  const settings = await getSettings(deps);
  const { platformFee, creatorShare } = splitFee(booking.price, settings.platformFeeBps);
  const start = await deps.payments.createIntent({
    amount: booking.price,
    currency: booking.currency,
    applicationFeeAmount: platformFee,
    destinationAccount: offer.creatorAccountId!,
    description: `Call a Star — ${offer.title}`.slice(0, 200),
    metadata: { bookingId: booking.id, offerId: booking.offerId, userId: booking.userId, creatorId: booking.creatorId },
    receiptEmail: fan.email,
    idempotencyKey: `booking:${booking.id}:intent`,
  });
  const now = deps.clock.now();
  await deps.db.batch([
    deps.db.update(bookings).set({ paymentProvider: deps.payments.name, paymentIntentId: start.intentId, updatedAt: now }).where(eq(bookings.id, booking.id)),
    deps.db.insert(payments).values({
      id: deps.ids.next('pay'),
      bookingId: booking.id,
      creatorId: booking.creatorId,
      provider: deps.payments.name,
      intentId: start.intentId,
      amount: booking.price,
      currency: booking.currency,
      platformFeeBps: settings.platformFeeBps,
      platformFee,
      creatorShare,
      status: 'PENDING',
      createdAt: now,
      updatedAt: now,
    }).onConflictDoNothing(),
  ]);
  return start;
}
