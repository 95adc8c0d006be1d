/**
 * Admin — what the review of an interrupted call shows: how long both were together against what
 * the call needed, what is left to refund, and who reviewed it.
 */
import { and, eq } from 'drizzle-orm';
import { bookings, owedRefunds, users, type Booking, type Payment } from '../../db/schema';
import type { Deps } from '../../deps';
import { computeAttendance, tookPlaceThresholdMs } from '../calls/attendance';
import { presenceOf } from '../calls/presence';
import { reviewRefundKey } from '../calls/review';
import { refundable } from '../payments/refunds';
import { getSettings } from '../settings';

export interface CallReviewView {
  togetherMs: number;
  thresholdMs: number;
  refundable: number;
  reviewerName: string | null;
  /** The review's refund is not issued yet (owed, or refused): the creator's share stays on hold. */
  refundPending: boolean;
}

/** What the card needs, for an interrupted call only. */
export async function callReviewView(deps: Deps, b: Booking, pay: Payment | null): Promise<CallReviewView | null> {
  if (b.outcome !== 'INTERRUPTED') return null;
  const [presence, settings, reviewer, owed] = await Promise.all([
    presenceOf(deps, b.id),
    getSettings(deps),
    b.reviewedBy ? deps.db.select({ name: users.name }).from(users).where(eq(users.id, b.reviewedBy)).get() : null,
    deps.db
      .select({ status: owedRefunds.status })
      .from(owedRefunds)
      .where(and(eq(owedRefunds.idempotencyKey, reviewRefundKey(b.id)), eq(owedRefunds.initiatedBy, 'ADMIN')))
      .get(),
  ]);
  return {
    togetherMs: computeAttendance(presence, b, deps.clock.now()).togetherMs,
    thresholdMs: tookPlaceThresholdMs(settings, b),
    refundable: pay && !['PENDING', 'FAILED', 'CANCELED'].includes(pay.status) ? refundable(pay) : 0,
    reviewerName: reviewer?.name ?? null,
    refundPending: !!owed && ['PREPARED', 'OWED', 'FAILED'].includes(owed.status),
  };
}

/** The currency a booking is paid in, or undefined when there is no such booking. */
export async function bookingCurrency(deps: Pick<Deps, 'db'>, bookingId: string) {
  return (await deps.db.select({ currency: bookings.currency }).from(bookings).where(eq(bookings.id, bookingId)).get())
    ?.currency;
}
