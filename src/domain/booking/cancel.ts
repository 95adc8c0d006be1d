/**
 * Cancelling a booking: who may, what the refund policy gives (shown before confirming), and
 * the effects — booking state through the OfferRoom, refund through the provider, notifications.
 */
import { eq } from 'drizzle-orm';
import { payments, type Booking, type User } from '../../db/schema';
import type { Deps } from '../../deps';
import { audit } from '../admin/audit';
import { deleteBookingRoom } from '../calls/access';
import { bookingCancelled } from '../events';
import { decideRefund, type RefundDecision } from '../payments/refund-policy';
import { onIntentSucceeded } from '../payments/intents';
import {
  activatePreparedRefund,
  attemptOwedRefund,
  oweRefund,
  refundable,
  voidPreparedRefund,
} from '../payments/refunds';
import { bookingForViewer, type BookingRole } from './access';
import { releaseHold, takenOffers } from './taken';

export type CancelRefusal =
  | 'BOOKING_NOT_FOUND'
  | 'CALL_STARTED'
  | 'BOOKING_NOT_CANCELLABLE'
  | 'REFUND_CHANGED'
  | 'PAYMENT_PROCESSING';
export type CancelPreview =
  | { ok: true; role: BookingRole; refund: RefundDecision; charged: number }
  | { ok: false; code: CancelRefusal };

export async function cancellationPreview(deps: Deps, role: BookingRole, booking: Booking): Promise<CancelPreview> {
  const now = deps.clock.now();
  if (booking.status === 'PENDING')
    return { ok: true, role, refund: { amount: 0, reason: 'FAN_CANCELLED_EARLY', percent: 0 }, charged: 0 };
  if (booking.status !== 'CONFIRMED') return { ok: false, code: 'BOOKING_NOT_CANCELLABLE' };
  if (now.getTime() >= booking.startsAt.getTime() && role !== 'ADMIN') return { ok: false, code: 'CALL_STARTED' };
  const payment = await deps.db.select().from(payments).where(eq(payments.bookingId, booking.id)).get();
  const left = payment ? refundable(payment) : 0;
  const refund =
    role === 'FAN'
      ? decideRefund(
          { kind: 'FAN_CANCELLED', startsAt: booking.startsAt, now, policy: booking.cancellationPolicy },
          left,
        )
      : decideRefund({ kind: 'CREATOR_CANCELLED' }, left);
  return { ok: true, role, refund, charged: payment?.amount ?? 0 };
}

/** What the payment's webhook would do, done now (idempotent); left to the webhook if the provider does not answer. */
async function catchUpPayment(deps: Deps, intentId: string): Promise<void> {
  try {
    await onIntentSucceeded(deps, intentId);
  } catch (e) {
    await deps.log.payment.warn(
      'PAYMENT_ERROR',
      `Could not take succeeded payment ${intentId} into account now; its webhook will`,
      { intentId },
      { error: e },
    );
  }
}

/** `refunded`: what goes back to the fan; `refundPending`: the provider has not confirmed it yet (it stays owed and is retried). */
export type CancelResult =
  | { ok: true; status: 'CANCELLED'; refunded: number; refundPending: boolean }
  | { ok: false; code: CancelRefusal };

/**
 * `requestId` goes to the audit log when an admin cancels someone else's booking. `expectedRefund`
 * is the refund the person was shown before confirming: if a policy line was crossed since (the 24 h
 * mark), nothing is cancelled (REFUND_CHANGED) and they are shown the new amount instead.
 * `refundAs: 'FAN'`: an admin cancelling for the fan (a disabled account) refunds what the fan
 * cancelling now would get (the creator's policy) instead of everything.
 */
export async function cancelBooking(
  deps: Deps,
  user: User,
  bookingId: string,
  reason: string | null,
  opts: { requestId?: string | null; expectedRefund?: number; refundAs?: 'FAN' } = {},
): Promise<CancelResult> {
  const requestId = opts.requestId ?? null;
  const found = await bookingForViewer(deps, user, bookingId);
  if (!found) return { ok: false, code: 'BOOKING_NOT_FOUND' };
  const { booking, role } = found;
  const preview = await cancellationPreview(deps, role === 'ADMIN' && opts.refundAs ? opts.refundAs : role, booking);
  if (!preview.ok) return preview;
  if (
    booking.status === 'CONFIRMED' &&
    opts.expectedRefund !== undefined &&
    opts.expectedRefund !== preview.refund.amount
  )
    return { ok: false, code: 'REFUND_CHANGED' };
  const room = deps.rooms.offer(booking.offerId);
  const by = role === 'FAN' ? 'FAN' : role === 'CREATOR' ? 'CREATOR' : 'ADMIN';
  if (booking.status === 'PENDING') {
    const r = await releaseHold(deps, { offerId: booking.offerId, bookingId, reason: 'CANCELLED', cancelledBy: by });
    if (r.paying) {
      // The payment is under way: its outcome ends the hold, not this cancellation (which would let
      // the money arrive for nothing, or — paid already — be refunded in full past the policy).
      // Paid with its webhook still on the way: taken into account now, so the booking shows as
      // confirmed and can be cancelled under its policy.
      if (r.paying === 'succeeded' && booking.paymentIntentId) await catchUpPayment(deps, booking.paymentIntentId);
      return { ok: false, code: 'PAYMENT_PROCESSING' };
    }
    if (r.released && role === 'ADMIN')
      await audit(deps, {
        actor: user.id,
        action: 'BOOKING_CANCEL',
        entity: 'booking',
        entityId: bookingId,
        before: { status: booking.status },
        after: { status: 'CANCELLED', refunded: 0 },
        reason,
        requestId,
      });
    return r.released
      ? { ok: true, status: 'CANCELLED', refunded: 0, refundPending: false }
      : { ok: false, code: 'BOOKING_NOT_CANCELLABLE' };
  }
  // The refund is written down (prepared) before the cancellation, so no crash can cancel without
  // it: once the booking is CANCELLED by this person it is owed, and retried until the provider
  // takes it (the refund-retry job also finds prepared refunds whose cancellation happened).
  const payment = await deps.db.select().from(payments).where(eq(payments.bookingId, bookingId)).get();
  const amount = payment ? Math.min(preview.refund.amount, refundable(payment)) : 0;
  const prepared =
    payment && amount > 0
      ? await oweRefund(
          deps,
          payment,
          amount,
          preview.refund,
          {
            initiatedBy: by,
            actorUserId: user.id,
            note: reason ?? undefined,
            key: `${bookingId}:cancel`,
            kind: 'CANCELLATION',
          },
          'PREPARED',
        )
      : null;
  const r = await room.cancelConfirmed({ offerId: booking.offerId, bookingId, by, reason });
  if (!r.cancelled) {
    if (prepared) await voidPreparedRefund(deps, prepared.id, 'the booking was not cancelled');
    return { ok: false, code: 'BOOKING_NOT_CANCELLABLE' };
  }
  takenOffers.forget(booking.offerId);
  let refunded = 0;
  let refundPending = false;
  if (prepared) {
    const owed = (await activatePreparedRefund(deps, prepared.id)) ?? prepared;
    const out = await attemptOwedRefund(deps, owed);
    refunded = out.amount;
    refundPending = out.status !== 'ISSUED';
  }
  if (role === 'ADMIN')
    await audit(deps, {
      actor: user.id,
      action: 'BOOKING_CANCEL',
      entity: 'booking',
      entityId: bookingId,
      before: { status: booking.status },
      after: { status: 'CANCELLED', refunded },
      reason,
      requestId,
    });
  await bookingCancelled(deps, bookingId, by, refunded, reason);
  // No call any more: its room goes now rather than at the cleanup job (which retries if this fails).
  try {
    await deleteBookingRoom(deps, booking);
  } catch (e) {
    await deps.log.room.warn(
      'ROOM_ERROR',
      `Could not delete the room of cancelled booking ${bookingId}; the cleanup job will retry`,
      { bookingId },
      { error: e },
    );
  }
  return { ok: true, status: 'CANCELLED', refunded, refundPending };
}
