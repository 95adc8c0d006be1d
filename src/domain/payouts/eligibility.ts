/**
 * Payout eligibility, one function used everywhere (the job, a creator's request, the creator's
 * page, admins): per currency, whether the creator can be paid now, how much, and every reason
 * why not.
 */
import type { Creator, Currency } from '../../db/schema';
import type { CreatorBalance } from '../ledger/ledger';
import type { PlatformSettings } from '../settings';

export type IneligibleReason =
  | 'NOT_ONBOARDED' // no connected account, or its onboarding is not finished
  | 'PAYOUTS_DISABLED' // the payment provider does not allow payouts (yet)
  | 'BLOCKED' // an admin blocked payouts
  | 'IN_DEBT' // refunds or disputes left the released balance below zero
  | 'FUNDS_ON_HOLD' // earnings exist but are still in their holding period
  | 'NOTHING_TO_PAY'
  | 'BELOW_MINIMUM';

export interface Eligibility {
  currency: Currency;
  eligible: boolean;
  /** What a payout now would pay (the released balance, net of debt). */
  amount: number;
  available: number;
  pending: number;
  debt: number;
  minimum: number;
  /** When the next held funds are released (for FUNDS_ON_HOLD). */
  nextReleaseAt: Date | null;
  reasons: IneligibleReason[];
}

/** The payout minimum for a currency: the platform's, raised by the creator's own (in their currency). */
export function payoutMinimum(
  settings: Pick<PlatformSettings, 'minPayout'>,
  creator: Pick<Creator, 'currency' | 'payoutMinimum'>,
  currency: Currency,
): number {
  const platform = settings.minPayout[currency] ?? 0;
  return currency === creator.currency && creator.payoutMinimum ? Math.max(platform, creator.payoutMinimum) : platform;
}

export function payoutEligibility(input: {
  creator: Pick<Creator, 'stripeAccountId' | 'detailsSubmitted' | 'payoutsEnabled' | 'payoutsBlocked'>;
  balance: Pick<CreatorBalance, 'currency' | 'available' | 'pending' | 'debt'>;
  minimum: number;
  nextReleaseAt: Date | null;
}): Eligibility {
  const { creator, balance: b, minimum } = input;
  const reasons: IneligibleReason[] = [];
  if (!creator.stripeAccountId || !creator.detailsSubmitted) reasons.push('NOT_ONBOARDED');
  if (!creator.payoutsEnabled) reasons.push('PAYOUTS_DISABLED');
  if (creator.payoutsBlocked) reasons.push('BLOCKED');
  if (b.debt > 0) reasons.push('IN_DEBT');
  if (b.available <= 0) reasons.push(b.pending > 0 ? 'FUNDS_ON_HOLD' : b.debt > 0 ? 'IN_DEBT' : 'NOTHING_TO_PAY');
  else if (b.available < minimum) reasons.push('BELOW_MINIMUM');
  const unique = [...new Set(reasons)];
  return {
    currency: b.currency,
    eligible: unique.length === 0,
    amount: Math.max(0, b.available),
    available: b.available,
    pending: b.pending,
    debt: b.debt,
    minimum,
    nextReleaseAt: b.pending > 0 ? input.nextReleaseAt : null,
    reasons: unique,
  };
}
