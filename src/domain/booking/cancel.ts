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
import { issueRefund, refundable } from '../payments/refunds';
import { bookingForViewer, type BookingRole } from './access';

export type CancelRefusal = 'BOOKING_NOT_FOUND' | 'CALL_STARTED' | 'BOOKING_NOT_CANCELLABLE' | 'REFUND_CHANGED';
export type CancelPreview = { ok: true; role: BookingRole; refund: RefundDecision; charged: number } | { ok: false; code: CancelRefusal };

export async function cancellationPreview(deps: Deps, role: BookingRole, booking: Booking): Promise<CancelPreview> {
  const now = deps.clock.now();
  if (booking.status === 'PENDING') return { ok: true, role, refund: { amount: 0, reason: 'FAN_CANCELLED_EARLY', percent: 0 }, charged: 0 };
  if (booking.status !== 'CONFIRMED') return { ok: false, code: 'BOOKING_NOT_CANCELLABLE' };
  if (now.getTime() >= booking.startsAt.getTime() && role !== 'ADMIN') return { ok: false, code: 'CALL_STARTED' };
  const payment = await deps.db.select().from(payments).where(eq(payments.bookingId, booking.id)).get();
  const left = payment ? refundable(payment) : 0;
  const refund = role === 'FAN'
    ? decideRefund({ kind: 'FAN_CANCELLED', startsAt: booking.startsAt, now, policy: booking.cancellationPolicy }, left)
    : decideRefund({ kind: 'CREATOR_CANCELLED' }, left);
  return { ok: true, role, refund, charged: payment?.amount ?? 0 };
}

export type CancelResult = { ok: true; status: 'CANCELLED'; refunded: number } | { ok: false; code: CancelRefusal };

/**
 * `requestId` goes to the audit log when an admin cancels someone else's booking. `expectedRefund`
 * is the refund the person was shown before confirming: if a policy line was crossed since (the 24 h
 * mark), nothing is cancelled (REFUND_CHANGED) and they are shown the new amount instead.
 */
export async function cancelBooking(deps: Deps, user: User, bookingId: string, reason: string | null, opts: { requestId?: string | null; expectedRefund?: number } = {}): Promise<CancelResult> {
  const requestId = opts.requestId ?? null;
  const found = await bookingForViewer(deps, user, bookingId);
  if (!found) return { ok: false, code: 'BOOKING_NOT_FOUND' };
  const { booking, role } = found;
  const preview = await cancellationPreview(deps, role, booking);
  if (!preview.ok) return preview;
  if (booking.status === 'CONFIRMED' && opts.expectedRefund !== undefined && opts.expectedRefund !== preview.refund.amount) return { ok: false, code: 'REFUND_CHANGED' };
  const room = deps.rooms.offer(booking.offerId);
  const by = role === 'FAN' ? 'FAN' : role === 'CREATOR' ? 'CREATOR' : 'ADMIN';
  if (booking.status === 'PENDING') {
    const r = await room.release({ offerId: booking.offerId, bookingId, reason: 'CANCELLED', cancelledBy: by });
    if (r.released && role === 'ADMIN') await audit(deps, { actor: user.id, action: 'BOOKING_CANCEL', entity: 'booking', entityId: bookingId, before: { status: booking.status }, after: { status: 'CANCELLED', refunded: 0 }, reason, requestId });
    return r.released ? { ok: true, status: 'CANCELLED', refunded: 0 } : { ok: false, code: 'BOOKING_NOT_CANCELLABLE' };
  }
  const r = await room.cancelConfirmed({ offerId: booking.offerId, bookingId, by, reason });
  if (!r.cancelled) return { ok: false, code: 'BOOKING_NOT_CANCELLABLE' };
  let refunded = 0;
  const payment = await deps.db.select().from(payments).where(eq(payments.bookingId, bookingId)).get();
  if (payment && preview.refund.amount > 0) {
    const out = await issueRefund(deps, payment, preview.refund, { initiatedBy: by, actorUserId: user.id, note: reason ?? undefined, key: `${bookingId}:cancel` });
    refunded = out?.amount ?? 0;
  }
  if (role === 'ADMIN') await audit(deps, { actor: user.id, action: 'BOOKING_CANCEL', entity: 'booking', entityId: bookingId, before: { status: booking.status }, after: { status: 'CANCELLED', refunded }, reason, requestId });
  await bookingCancelled(deps, bookingId, by, refunded, reason);
  // No call any more: its room goes now rather than at the cleanup job (which retries if this fails).
  try {
    await deleteBookingRoom(deps, booking);
  } catch (e) {
    await deps.log.warn('ROOM_ERROR', `Could not delete the room of cancelled booking ${bookingId}; the cleanup job will retry`, { context: { bookingId }, error: e });
  }
  return { ok: true, status: 'CANCELLED', refunded };
}
