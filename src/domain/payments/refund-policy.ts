/**
 * The refund policy, one pure function: who cancels, when, under which creator policy → how much
 * goes back. Shown to the fan before they confirm a cancellation.
 */
import type { CancellationPolicy } from '../../db/schema';

export type RefundTrigger =
  | { kind: 'CREATOR_CANCELLED' }
  | { kind: 'FAN_CANCELLED'; startsAt: Date; now: Date; policy: CancellationPolicy }
  | { kind: 'CREATOR_NO_SHOW' }
  | { kind: 'SLOT_LOST' } // payment arrived after the hold ended and the offer was taken
  | { kind: 'ADMIN'; amount: number };

export interface RefundDecision {
  /** Minor units to give back (0 = nothing). */
  amount: number;
  /** Machine reason (stored with the refund). */
  reason:
    | 'CREATOR_CANCELLED'
    | 'FAN_CANCELLED_EARLY'
    | 'FAN_CANCELLED_LATE'
    | 'CREATOR_NO_SHOW'
    | 'SLOT_LOST'
    | 'ADMIN';
  /** Share of the charge refunded, in percent (for display). */
  percent: number;
}

export const FULL_REFUND_NOTICE_MS = 24 * 3_600_000;
const POLICY_PERCENT: Record<CancellationPolicy, number> = { NONE: 0, HALF: 50, FULL: 100 };

/** `refundable` is what is left of the charge (amount − already refunded): a refund never exceeds it. */
export function decideRefund(trigger: RefundTrigger, refundable: number): RefundDecision {
  const pct = (p: number) => Math.floor((refundable * p) / 100);
  switch (trigger.kind) {
    case 'CREATOR_CANCELLED':
      return { amount: refundable, reason: 'CREATOR_CANCELLED', percent: 100 };
    case 'CREATOR_NO_SHOW':
      return { amount: refundable, reason: 'CREATOR_NO_SHOW', percent: 100 };
    case 'SLOT_LOST':
      return { amount: refundable, reason: 'SLOT_LOST', percent: 100 };
    case 'ADMIN': {
      const amount = Math.max(0, Math.min(refundable, Math.floor(trigger.amount)));
      return { amount, reason: 'ADMIN', percent: refundable ? Math.round((amount * 100) / refundable) : 0 };
    }
    case 'FAN_CANCELLED': {
      if (trigger.startsAt.getTime() - trigger.now.getTime() >= FULL_REFUND_NOTICE_MS)
        return { amount: refundable, reason: 'FAN_CANCELLED_EARLY', percent: 100 };
      const percent = POLICY_PERCENT[trigger.policy];
      return { amount: pct(percent), reason: 'FAN_CANCELLED_LATE', percent };
    }
  }
}

/**
 * How a refund splits between the platform fee and the creator share, pro rata. Computed on the
 * cumulative refunded amount so rounding never drifts: once everything is refunded, exactly the
 * whole fee and the whole share have been given back.
 */
export function splitRefund(
  refund: number,
  charge: { amount: number; platformFee: number },
  alreadyRefunded = 0,
): { feeRefund: number; shareReversal: number } {
  if (charge.amount <= 0 || refund <= 0) return { feeRefund: 0, shareReversal: 0 };
  const feeUpTo = (refunded: number) => Math.floor((refunded * charge.platformFee) / charge.amount);
  const feeRefund = feeUpTo(alreadyRefunded + refund) - feeUpTo(alreadyRefunded);
  return { feeRefund, shareReversal: refund - feeRefund };
}
