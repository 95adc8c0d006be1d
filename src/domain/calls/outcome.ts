/**
 * After the call window closes, attendance decides what happens to the money — exactly once:
 *   both were in the call together long enough (platform setting) → COMPLETED (the creator's share
 *     is released on schedule);
 *   the creator never came → CREATOR_NO_SHOW: booking cancelled, the fan refunded in full;
 *   the fan never came → FAN_NO_SHOW: the booking completes and the creator is paid;
 *   nobody came → BOTH_NO_SHOW: refunded like a creator no-show (the service was not given);
 *   both came but were not together long enough → INTERRUPTED: the booking completes, its money
 *     waits (nothing released, nothing refunded) and admins decide (review.ts).
 * Two steps, each guarded by a conditional update: the decision is written once (outcome IS NULL),
 * then its effects run — each idempotent (OfferRoom transitions, refund idempotency key) — and are
 * marked applied once (outcome_applied_at IS NULL). A crash between the two retries the effects,
 * never the decision, and never pays twice.
 */
import { and, eq, isNotNull, isNull, lt } from 'drizzle-orm';
import { bookings, payments } from '../../db/schema';
import type { Deps } from '../../deps';
import { callOutcomeNotice } from '../events';
import { notifyAdmins } from '../notifications/notify';
import { decideRefund } from '../payments/refund-policy';
import { issueRefund, refundable } from '../payments/refunds';
import { getSettings } from '../settings';
import { loadCallParties } from './access';
import { computeAttendance, decideOutcome, tookPlaceThresholdMs, type CallOutcome } from './attendance';
import { presenceOf } from './presence';
import { applyCallReview } from './review';
import { importProviderAttendance } from './provider-attendance';
import { ACCESS_GRACE_MS, callWindow } from './window';

/** ~20 ms per call (bench:call): 500 calls ≈ 10 s of a 5-minute tick. One at a time: 8 at once measured no faster (D1 writes serialize). */
const BATCH = 500;
/** How long a provider's meeting records may stay unreachable before deciding without them. */
const PROVIDER_PATIENCE_MS = 60 * 60_000;

/** Decides one booking's outcome if nobody has; returns it when this call decided. */
export async function decideCallOutcome(deps: Deps, bookingId: string): Promise<CallOutcome | null> {
  const parties = await loadCallParties(deps, bookingId);
  if (!parties || parties.booking.status !== 'CONFIRMED' || parties.booking.outcome) return null;
  const { booking } = parties;
  const now = deps.clock.now();
  const w = callWindow(booking);
  if (now.getTime() < w.closesAt.getTime()) return null;
  try {
    await importProviderAttendance(deps, booking, parties.fan.id, parties.creator.userId);
  } catch (e) {
    await deps.log.room.warn(
      'ROOM_ERROR',
      `Meeting records of ${booking.videoRoomName} unavailable`,
      { bookingId },
      { error: e },
    );
    if (now.getTime() - w.closesAt.getTime() < PROVIDER_PATIENCE_MS) return null; // next tick
  }
  const threshold = tookPlaceThresholdMs(await getSettings(deps), booking);
  const outcome = decideOutcome(computeAttendance(await presenceOf(deps, bookingId), booking, now), threshold);
  const claimed = await deps.db
    .update(bookings)
    .set({ outcome, outcomeDecidedAt: now, updatedAt: now })
    .where(and(eq(bookings.id, bookingId), eq(bookings.status, 'CONFIRMED'), isNull(bookings.outcome)))
    .returning({ id: bookings.id });
  if (!claimed.length) return null;
  await deps.log.booking.info('BOOKING_OUTCOME', `Call ${bookingId}: ${outcome}`, { bookingId, outcome });
  // The call's own trail too, so the CALL family shows how each call ended next to its joins.
  await deps.log.call.info('CALL_EVENT', `Call ${bookingId} outcome decided: ${outcome}`, {
    bookingId,
    event: 'OUTCOME',
    outcome,
  });
  return outcome;
}

/** Runs a decided outcome's effects (idempotent); true when this call finished them. */
export async function applyCallOutcome(deps: Deps, bookingId: string): Promise<boolean> {
  const booking = await deps.db.select().from(bookings).where(eq(bookings.id, bookingId)).get();
  if (!booking?.outcome || booking.outcomeAppliedAt) return false;
  const outcome = booking.outcome;
  const room = deps.rooms.offer(booking.offerId);
  let refunded = 0;
  if (outcome === 'CREATOR_NO_SHOW' || outcome === 'BOTH_NO_SHOW') {
    await room.cancelConfirmed({ offerId: booking.offerId, bookingId, by: 'SYSTEM', reason: outcome });
    const payment = await deps.db.select().from(payments).where(eq(payments.bookingId, bookingId)).get();
    if (
      payment &&
      refundable(payment) > 0 &&
      payment.status !== 'PENDING' &&
      payment.status !== 'FAILED' &&
      payment.status !== 'CANCELED'
    ) {
      const r = await issueRefund(deps, payment, decideRefund({ kind: 'CREATOR_NO_SHOW' }, refundable(payment)), {
        initiatedBy: 'SYSTEM',
        key: `${bookingId}:no-show`,
        note: outcome,
        kind: 'NO_SHOW',
      });
      refunded = r?.amount ?? 0;
    }
  } else {
    await room.complete({ offerId: booking.offerId, bookingId });
  }
  const now = deps.clock.now();
  const marked = await deps.db
    .update(bookings)
    .set({ outcomeAppliedAt: now, updatedAt: now })
    .where(and(eq(bookings.id, bookingId), isNull(bookings.outcomeAppliedAt)))
    .returning({ id: bookings.id });
  if (!marked.length) return false;
  await callOutcomeNotice(deps, bookingId, outcome, refunded);
  if (outcome === 'INTERRUPTED') {
    await notifyAdmins(deps, 'CALL_OUTCOME', { outcome, bookingId }, `/admin/bookings/${bookingId}`);
    await deps.log.booking.warn(
      'BOOKING_OUTCOME',
      `Call ${bookingId}: both came but not together long enough; its money waits for an admin`,
      { bookingId },
    );
  }
  return true;
}

/** The job: decide what is due, apply what is decided and not applied (earlier failures too), and finish admin reviews a crash cut short. */
export async function settleCallOutcomes(deps: Deps): Promise<Record<string, number>> {
  const now = deps.clock.now().getTime();
  const due = await deps.db
    .select({ id: bookings.id })
    .from(bookings)
    .where(
      and(
        eq(bookings.status, 'CONFIRMED'),
        isNull(bookings.outcome),
        lt(bookings.endsAt, new Date(now - ACCESS_GRACE_MS)),
      ),
    )
    .limit(BATCH)
    .all();
  // The three fixed counters, plus one per outcome and `reviewed` when any.
  const counts: { decided: number; applied: number; failed: number } & Record<string, number> = {
    decided: 0,
    applied: 0,
    failed: 0,
  };
  for (const b of due) {
    const outcome = await decideCallOutcome(deps, b.id);
    if (outcome) {
      counts.decided++;
      counts[outcome] = (counts[outcome] ?? 0) + 1;
    }
  }
  const pending = await deps.db
    .select({ id: bookings.id })
    .from(bookings)
    .where(and(isNotNull(bookings.outcome), isNull(bookings.outcomeAppliedAt)))
    .limit(BATCH)
    .all();
  for (const b of pending) {
    try {
      if (await applyCallOutcome(deps, b.id)) counts.applied++;
    } catch (e) {
      counts.failed++;
      await deps.log.booking.error(
        'BOOKING_ERROR',
        `Applying the outcome of ${b.id} failed; retried next run`,
        { bookingId: b.id },
        { error: e },
      );
    }
  }
  const reviews = await deps.db
    .select({ id: bookings.id })
    .from(bookings)
    .where(
      and(eq(bookings.outcome, 'INTERRUPTED'), isNull(bookings.reviewAppliedAt), isNotNull(bookings.reviewDecision)),
    )
    .limit(BATCH)
    .all();
  for (const b of reviews) {
    try {
      if ((await applyCallReview(deps, b.id)).applied) counts.reviewed = (counts.reviewed ?? 0) + 1;
    } catch (e) {
      counts.failed++;
      await deps.log.booking.error(
        'BOOKING_ERROR',
        `Applying the review of ${b.id} failed; retried next run`,
        { bookingId: b.id },
        { error: e },
      );
    }
  }
  return counts;
}
