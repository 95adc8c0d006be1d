/**
 * Refunds: issued through the provider (reverse the creator's transfer and refund the platform
 * fee, pro rata) and recorded once — whether our call or the provider's webhook reports it first.
 */
import { and, eq, sql } from 'drizzle-orm';
import { bookings, payments, refunds, type Payment } from '../../db/schema';
import type { Deps } from '../../deps';
import type { RefundInfo } from '../../providers/payments/port';
import { record, refundEntries } from '../ledger/ledger';
import { ensureChargeRecorded } from './intents';
import { refundIssued } from '../events';
import { splitRefund, type RefundDecision } from './refund-policy';

export type Initiator = 'FAN' | 'CREATOR' | 'ADMIN' | 'SYSTEM';

export function refundable(p: Pick<Payment, 'amount' | 'refundedAmount'>): number {
  return Math.max(0, p.amount - p.refundedAmount);
}

/** Issues a refund of `decision.amount` on the payment (idempotent per `key`) and records it. */
export async function issueRefund(deps: Deps, payment: Payment, decision: RefundDecision, meta: { initiatedBy: Initiator; actorUserId?: string | null; note?: string; key: string }): Promise<{ refundId: string; amount: number } | null> {
  const amount = Math.min(decision.amount, refundable(payment));
  if (amount <= 0) return null;
  const info = await deps.payments.refund({
    intentId: payment.intentId,
    amount,
    reverseTransfer: true,
    refundApplicationFee: true,
    metadata: { bookingId: payment.bookingId, paymentId: payment.id, reason: decision.reason, initiatedBy: meta.initiatedBy },
    idempotencyKey: `refund:${meta.key}`,
  });
  const refundId = await recordRefund(deps, payment.id, info, { initiatedBy: meta.initiatedBy, actorUserId: meta.actorUserId ?? null, reason: meta.note ? `${decision.reason}: ${meta.note}` : decision.reason });
  return { refundId, amount: info.amount };
}

/** Records a provider refund once (keyed by the provider's refund id): refund row, payment totals, ledger. */
export async function recordRefund(deps: Deps, paymentId: string, info: RefundInfo, meta: { initiatedBy: Initiator; actorUserId: string | null; reason: string }): Promise<string> {
  const existing = await deps.db.select().from(refunds).where(eq(refunds.stripeRefundId, info.id)).get();
  if (existing) return existing.id;
  if (info.status === 'failed' || info.status === 'canceled') return '';
  const payment = await ensureChargeRecorded(deps, (await deps.db.select().from(payments).where(eq(payments.id, paymentId)).get())!);
  const { feeRefund, shareReversal } = splitRefund(info.amount, payment, payment.refundedAmount);
  const now = deps.clock.now();
  const id = deps.ids.next('ref');
  const inserted = await deps.db.insert(refunds).values({
    id, paymentId, bookingId: payment.bookingId, amount: info.amount, currency: payment.currency, reason: meta.reason,
    initiatedBy: meta.initiatedBy, actorUserId: meta.actorUserId, status: info.status === 'succeeded' ? 'SUCCEEDED' : 'PENDING',
    stripeRefundId: info.id, creatorDebt: shareReversal, feeRefunded: feeRefund, reconciledAt: now, reconciledBy: 'TRANSFER_REVERSAL',
    createdAt: now, updatedAt: now,
  }).onConflictDoNothing().returning({ id: refunds.id });
  if (!inserted.length) return (await deps.db.select({ id: refunds.id }).from(refunds).where(eq(refunds.stripeRefundId, info.id)).get())!.id;
  // The payment's totals move with a guard: a refund never takes them past the charge.
  await deps.db.update(payments).set({
    refundedAmount: sql`min(${payments.amount}, ${payments.refundedAmount} + ${info.amount})`,
    status: sql`case when ${payments.refundedAmount} + ${info.amount} >= ${payments.amount} then 'REFUNDED' else 'PARTIALLY_REFUNDED' end`,
    updatedAt: now,
  }).where(and(eq(payments.id, paymentId)));
  await record(deps, {
    txId: `refund:${id}`,
    currency: payment.currency,
    refs: { paymentId, refundId: id },
    memo: meta.reason,
    entries: refundEntries(payment, info.amount, { feeRefund, shareReversal }),
  });
  await deps.log.info('PAYMENT_REFUND', `Refunded ${info.amount} ${payment.currency} on ${paymentId} (${meta.reason})`, { actorId: meta.actorUserId, context: { paymentId, refundId: id, providerRefundId: info.id, bookingId: payment.bookingId } });
  const booking = await deps.db.select({ id: bookings.id }).from(bookings).where(eq(bookings.id, payment.bookingId)).get();
  if (booking) await refundIssued(deps, { bookingId: booking.id, refundId: id, amount: info.amount, currency: payment.currency, reason: meta.reason });
  return id;
}
