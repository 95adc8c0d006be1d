/**
 * An admin settles an INTERRUPTED call (both came, not together long enough): the creator is paid,
 * or the fan is refunded — all of it or a part. Like the outcome, in two guarded steps: the decision
 * is written once (review_decision IS NULL), then its refund is owed under one key and the review
 * marked applied (review_applied_at IS NULL) — the job finishes a review a crash interrupted. The
 * creator's share is released only once applied and the refund issued (ledger.releasedSql), so a
 * payout can never take money a refund is about to reverse.
 */
import { and, eq, isNotNull, isNull } from 'drizzle-orm';
import { bookings, payments, type Booking } from '../../db/schema';
import type { Deps } from '../../deps';
import { audit } from '../admin/audit';
import { callReviewNotice } from '../events';
import { decideRefund } from '../payments/refund-policy';
import { issueRefund, refundable, type RefundOutcome } from '../payments/refunds';

export type ReviewInput =
  | { decision: 'PAY_CREATOR'; reason: string }
  | { decision: 'REFUND'; amount: number; reason: string };
export type ReviewRefusal =
  | 'BOOKING_NOT_FOUND'
  | 'CALL_NOT_UNDER_REVIEW'
  | 'CALL_ALREADY_REVIEWED'
  | 'REFUND_TOO_LARGE';
export type ReviewResult =
  | { ok: true; booking: Booking; refund: { status: RefundOutcome['status']; amount: number } | null }
  | { ok: false; code: ReviewRefusal };

/** The key of a review's refund (also read by the ledger's release rule). */
export const reviewRefundKey = (bookingId: string) => `review:${bookingId}`;

const bookingOf = async (deps: Pick<Deps, 'db'>, id: string) =>
  (await deps.db.select().from(bookings).where(eq(bookings.id, id)).get()) ?? null;

/** Whether an admin still has to decide this call. */
export const awaitsReview = (b: Pick<Booking, 'outcome' | 'outcomeAppliedAt' | 'reviewDecision'>) =>
  b.outcome === 'INTERRUPTED' && !!b.outcomeAppliedAt && !b.reviewDecision;

export async function reviewInterruptedCall(
  deps: Deps,
  adminId: string,
  bookingId: string,
  input: ReviewInput,
  requestId: string | null,
): Promise<ReviewResult> {
  const booking = await bookingOf(deps, bookingId);
  if (!booking) return { ok: false, code: 'BOOKING_NOT_FOUND' };
  if (booking.reviewDecision) return { ok: false, code: 'CALL_ALREADY_REVIEWED' };
  if (!awaitsReview(booking)) return { ok: false, code: 'CALL_NOT_UNDER_REVIEW' };
  let amount: number | null = null;
  if (input.decision === 'REFUND') {
    const payment = await deps.db.select().from(payments).where(eq(payments.bookingId, bookingId)).get();
    const left = payment && !['PENDING', 'FAILED', 'CANCELED'].includes(payment.status) ? refundable(payment) : 0;
    if (input.amount > left) return { ok: false, code: 'REFUND_TOO_LARGE' };
    amount = input.amount;
  }
  const now = deps.clock.now();
  const [claimed] = await deps.db
    .update(bookings)
    .set({
      reviewDecision: input.decision,
      reviewRefund: amount,
      reviewReason: input.reason,
      reviewedBy: adminId,
      reviewedAt: now,
      updatedAt: now,
    })
    .where(
      and(
        eq(bookings.id, bookingId),
        eq(bookings.outcome, 'INTERRUPTED'),
        isNotNull(bookings.outcomeAppliedAt),
        isNull(bookings.reviewDecision),
      ),
    )
    .returning();
  if (!claimed) return { ok: false, code: 'CALL_ALREADY_REVIEWED' };
  await audit(deps, {
    actor: adminId,
    action: 'CALL_REVIEW',
    entity: 'booking',
    entityId: bookingId,
    before: { outcome: 'INTERRUPTED', reviewDecision: null },
    after: { reviewDecision: input.decision, reviewRefund: amount, currency: booking.currency },
    reason: input.reason,
    requestId,
  });
  await deps.log.admin.info(
    'ADMIN_ACTION',
    `Interrupted call ${bookingId} reviewed: ${input.decision}${amount ? ` (${amount} ${booking.currency} refunded)` : ''}`,
    { bookingId },
    { actorId: adminId },
  );
  const applied = await applyCallReview(deps, bookingId);
  return { ok: true, booking: (await bookingOf(deps, bookingId))!, refund: applied.refund };
}

/**
 * Runs a decided review's effect (idempotent): the refund owed under one key (asked of the provider
 * now, retried by the refund job if it does not answer), then marked applied and both people told.
 */
export async function applyCallReview(
  deps: Deps,
  bookingId: string,
): Promise<{ applied: boolean; refund: { status: RefundOutcome['status']; amount: number } | null }> {
  const b = await bookingOf(deps, bookingId);
  if (!b?.reviewDecision || b.reviewAppliedAt) return { applied: false, refund: null };
  let refund: { status: RefundOutcome['status']; amount: number } | null = null;
  let full = false;
  if (b.reviewDecision === 'REFUND' && b.reviewRefund) {
    const payment = await deps.db.select().from(payments).where(eq(payments.bookingId, bookingId)).get();
    if (payment) {
      // Read before this refund (or, on a retry, after it was issued: then nothing is left and it was everything).
      full = b.reviewRefund >= refundable(payment);
      const out = await issueRefund(
        deps,
        payment,
        decideRefund({ kind: 'ADMIN', amount: b.reviewRefund }, refundable(payment)),
        {
          initiatedBy: 'ADMIN',
          actorUserId: b.reviewedBy,
          note: b.reviewReason ?? undefined,
          key: reviewRefundKey(bookingId),
          kind: 'ADMIN',
        },
      );
      if (out) refund = { status: out.status, amount: out.amount };
    }
  }
  const now = deps.clock.now();
  const marked = await deps.db
    .update(bookings)
    .set({ reviewAppliedAt: now, updatedAt: now })
    .where(and(eq(bookings.id, bookingId), isNull(bookings.reviewAppliedAt)))
    .returning({ id: bookings.id });
  if (!marked.length) return { applied: false, refund };
  await callReviewNotice(
    deps,
    bookingId,
    b.reviewDecision === 'PAY_CREATOR' ? 'PAY_CREATOR' : full ? 'REFUND_FULL' : 'REFUND_PARTIAL',
    b.reviewRefund ?? 0,
  );
  return { applied: true, refund };
}
