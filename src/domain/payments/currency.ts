/**
 * "Amounts are never converted silently": a creator's prices (offers, appointment types, accepted
 * requests) are in the currency their connected account settles in — its default currency once the
 * provider told us (account.updated), before that the currency they chose — so a destination
 * charge's transfer never lands converted. Anything else is refused (422 CURRENCY_NOT_ACCEPTED).
 */
import { CURRENCIES, type Creator, type Currency } from '../../db/schema';

/** Whether a form's field names a currency we take. */
export const isCurrency = (v: string | undefined): v is Currency => (CURRENCIES as readonly string[]).includes(v ?? '');

export function acceptedCurrency(creator: Pick<Creator, 'currency' | 'stripeDefaultCurrency'>): Currency {
  return creator.stripeDefaultCurrency ?? creator.currency;
}

/** Null when `currency` may be used for this creator's prices; else the one that may. */
export function currencyRefusal(
  creator: Pick<Creator, 'currency' | 'stripeDefaultCurrency'>,
  currency: Currency,
): { code: 'CURRENCY_NOT_ACCEPTED'; accepted: Currency } | null {
  const accepted = acceptedCurrency(creator);
  return currency === accepted ? null : { code: 'CURRENCY_NOT_ACCEPTED', accepted };
}
