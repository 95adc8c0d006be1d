/** Starting a payment for a held booking: a destination charge with the platform fee. */
import { bookings, payments, type Booking } from '../../db/schema';
import type { Deps } from '../../deps';
import type { IntentInfo, IntentStart } from '../../providers/payments/port';
import { splitFee } from '../../shared/money';
import type { OfferSnapshot } from '../booking/offer-state';
import { getSettings } from '../settings';
import { eq } from 'drizzle-orm';

export interface StartedPayment {
  start: IntentStart;
  /** The pending payment row, fee split frozen at the current platform fee. */
  row: typeof payments.$inferInsert;
}

/** A fee split frozen when the hold's intent was created: it never follows a later fee change. */
export interface FrozenSplit {
  platformFeeBps: number;
  platformFee: number;
}

/**
 * The split an intent was created with — its own application_fee_amount (and the basis points we
 * recorded in its metadata) — not today's platform fee. Null for an intent without a fee.
 */
export function splitOfIntent(
  intent: Pick<IntentInfo, 'amount' | 'applicationFeeAmount' | 'metadata'>,
): FrozenSplit | null {
  if (intent.applicationFeeAmount === null) return null;
  const recorded = Number(intent.metadata.platformFeeBps);
  const platformFeeBps =
    Number.isInteger(recorded) && recorded >= 0 && recorded <= 10_000
      ? recorded
      : intent.amount > 0
        ? Math.round((intent.applicationFeeAmount * 10_000) / intent.amount)
        : 0;
  return { platformFeeBps, platformFee: intent.applicationFeeAmount };
}

/**
 * Creates (idempotently, keyed by the booking) the payment intent of a held booking. The booking
 * need not be in D1 yet: the caller writes it together with the payment row (one round trip).
 * `frozen`: the split of a hold already started, so the same key always carries the same parameters.
 */
export async function createIntentFor(
  deps: Deps,
  booking: Pick<Booking, 'id' | 'offerId' | 'userId' | 'creatorId' | 'price' | 'currency'>,
  offer: OfferSnapshot,
  frozen?: FrozenSplit,
): Promise<StartedPayment> {
  const platformFeeBps = frozen?.platformFeeBps ?? (await getSettings(deps)).platformFeeBps;
  const platformFee = frozen?.platformFee ?? splitFee(booking.price, platformFeeBps).platformFee;
  const creatorShare = booking.price - platformFee;
  const start = await deps.payments.createIntent({
    amount: booking.price,
    currency: booking.currency,
    applicationFeeAmount: platformFee,
    destinationAccount: offer.creatorAccountId!,
    description: `Call a Star — ${offer.title}`.slice(0, 200),
    metadata: {
      bookingId: booking.id,
      offerId: booking.offerId,
      userId: booking.userId,
      creatorId: booking.creatorId,
      platformFeeBps: String(platformFeeBps),
    },
    idempotencyKey: `booking:${booking.id}:intent`,
  });
  const now = deps.clock.now();
  return {
    start,
    row: {
      id: deps.ids.next('pay'),
      bookingId: booking.id,
      creatorId: booking.creatorId,
      provider: deps.payments.name,
      intentId: start.intentId,
      amount: booking.price,
      currency: booking.currency,
      platformFeeBps,
      platformFee,
      creatorShare,
      status: 'PENDING',
      createdAt: now,
      updatedAt: now,
    },
  };
}

/**
 * For a booking already in D1 (the fan coming back to pay): the hold's own intent as the provider
 * has it — never re-created, since its parameters (fee after a platform fee change, description
 * after a title edit) may differ today and the provider refuses a key reused with other
 * parameters. Without an intent on record, it is created with the split frozen in the payment row.
 */
export async function startPayment(deps: Deps, booking: Booking, offer: OfferSnapshot): Promise<IntentStart> {
  const row = await deps.db.select().from(payments).where(eq(payments.bookingId, booking.id)).get();
  if (booking.paymentIntentId) {
    const intent = await deps.payments.retrieveIntent(booking.paymentIntentId);
    const split = splitOfIntent(intent);
    if (!row && split) {
      const now = deps.clock.now();
      await deps.db
        .insert(payments)
        .values({
          id: deps.ids.next('pay'),
          bookingId: booking.id,
          creatorId: booking.creatorId,
          provider: deps.payments.name,
          intentId: intent.id,
          amount: intent.amount,
          currency: intent.currency,
          ...split,
          creatorShare: intent.amount - split.platformFee,
          status: 'PENDING',
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing();
    }
    return {
      intentId: intent.id,
      ...(intent.clientSecret ? { clientSecret: intent.clientSecret } : {}),
      ...(intent.checkoutUrl ? { checkoutUrl: intent.checkoutUrl } : {}),
    };
  }
  const p = await createIntentFor(
    deps,
    booking,
    offer,
    row ? { platformFeeBps: row.platformFeeBps, platformFee: row.platformFee } : undefined,
  );
  await deps.db.batch([
    deps.db
      .update(bookings)
      .set({ paymentProvider: deps.payments.name, paymentIntentId: p.start.intentId, updatedAt: deps.clock.now() })
      .where(eq(bookings.id, booking.id)),
    deps.db.insert(payments).values(p.row).onConflictDoNothing(),
  ]);
  return p.start;
}
