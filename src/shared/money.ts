/** Money rules shared by worker and client: card minimums, fee split. All integers in minor units. */
import type { Currency } from './enums';

/** Smallest amount a card can be charged (Stripe): EUR/USD/CHF 0.50, GBP 0.30. */
export const CARD_MINIMUM: Record<Currency, number> = { EUR: 50, USD: 50, CHF: 50, GBP: 30 };
/** Upper bound for one call (10,000.00). */
export const MAX_PRICE = 1_000_000;

/** Platform fee for `amount` at `bps` basis points, rounded half up; the creator gets the rest. */
export function splitFee(amount: number, bps: number): { platformFee: number; creatorShare: number } {
  if (!Number.isSafeInteger(amount) || amount < 0)
    throw new RangeError(`amount must be a non-negative integer, got ${amount}`);
  if (!Number.isInteger(bps) || bps < 0 || bps > 10_000) throw new RangeError(`bps must be 0..10000, got ${bps}`);
  const platformFee = Math.floor((amount * bps + 5_000) / 10_000);
  return { platformFee, creatorShare: amount - platformFee };
}
