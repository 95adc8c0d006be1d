/**
 * Disputes (chargebacks): recorded from Stripe's events (re-fetched, so any order works), the
 * creator's share becomes their debt; a won dispute gives it back. Evidence comes from the
 * booking and the call's join/leave events.
 */
import { asc, eq, or } from 'drizzle-orm';
import {
  bookings,
  callEvents,
  callOffers,
  disputes,
  payments,
  users,
  DISPUTE_STATUSES,
  type Payment,
} from '../../db/schema';
import { one } from '../../db/one';
import { audit } from '../admin/audit';
import type { User } from '../rows';
import type { Deps } from '../../deps';
import { disputeClosed, disputeOpened } from '../events';
import { hasTx, record } from '../ledger/ledger';
import { disputeOpenedEntries, recoverDisputeDebt } from '../payouts/debt';
import { ensureChargeRecorded } from './intents';
import { PaymentProviderError } from '../../providers/payments/port';

type DisputeStatus = (typeof DISPUTE_STATUSES)[number];
const toStatus = (s: string): DisputeStatus => {
  const up = s.toUpperCase() as DisputeStatus;
  return (DISPUTE_STATUSES as readonly string[]).includes(up) ? up : 'NEEDS_RESPONSE';
};

/** The creator's part of a disputed amount: their share of the charge, pro rata. */
export function creatorDebtFor(disputed: number, p: Pick<Payment, 'amount' | 'creatorShare'>): number {
  return p.amount > 0 ? Math.floor((disputed * p.creatorShare) / p.amount) : 0;
}

export async function syncDispute(deps: Deps, disputeId: string): Promise<void> {
  const info = await deps.payments.retrieveDispute(disputeId);
  const found = await deps.db
    .select()
    .from(payments)
    .where(or(eq(payments.chargeId, info.chargeId), info.intentId ? eq(payments.intentId, info.intentId) : undefined))
    .get();
  const payment = found ? await ensureChargeRecorded(deps, found) : null;
  if (!payment) {
    await deps.log.payment.warn('PAYMENT_DISPUTE', `Dispute ${disputeId} on an unknown charge ${info.chargeId}`, {
      chargeId: info.chargeId,
    });
    return;
  }
  const now = deps.clock.now();
  const status = toStatus(info.status);
  const debt = creatorDebtFor(info.amount, payment);
  const existing = await deps.db.select().from(disputes).where(eq(disputes.stripeDisputeId, disputeId)).get();
  const closed = status === 'WON' || status === 'LOST' || status === 'WARNING_CLOSED';
  let row: typeof disputes.$inferSelect;
  if (!existing) {
    const inserted = await deps.db
      .insert(disputes)
      .values({
        id: deps.ids.next('dsp'),
        paymentId: payment.id,
        stripeDisputeId: disputeId,
        amount: info.amount,
        currency: payment.currency,
        reason: info.reason,
        status,
        creatorDebt: status.startsWith('WARNING') ? 0 : debt,
        closedAt: closed ? now : null,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing()
      .returning();
    row = inserted[0] ?? (await deps.db.select().from(disputes).where(eq(disputes.stripeDisputeId, disputeId)).get())!;
    if (inserted.length)
      await disputeOpened(deps, {
        disputeId: row.id,
        amount: info.amount,
        currency: payment.currency,
        reason: info.reason,
        bookingId: payment.bookingId,
      });
  } else {
    row = one(
      await deps.db
        .update(disputes)
        .set({
          status,
          updatedAt: now,
          closedAt: closed ? (existing.closedAt ?? now) : null,
          creatorDebt: status.startsWith('WARNING') ? 0 : debt,
        })
        .where(eq(disputes.id, existing.id))
        .returning(),
      'the dispute just updated',
    );
    if (closed && !existing.closedAt)
      await disputeClosed(deps, {
        amount: info.amount,
        currency: payment.currency,
        status,
        bookingId: payment.bookingId,
      });
  }
  // Inquiries (warning_*) move no money. A formal dispute withdraws the amount from the platform,
  // which books the creator's share as their debt; winning reverses both.
  if (!status.startsWith('WARNING')) {
    await record(deps, {
      txId: `dispute:${row.id}`,
      currency: payment.currency,
      refs: { paymentId: payment.id, disputeId: row.id },
      memo: info.reason,
      entries: disputeOpenedEntries(info.amount, debt, payment.creatorId, now),
    });
    await deps.db.update(payments).set({ status: 'DISPUTED', updatedAt: now }).where(eq(payments.id, payment.id));
  }
  if (status === 'WON' && (await hasTx(deps, `dispute:${row.id}`))) {
    await record(deps, {
      txId: `dispute-won:${row.id}`,
      currency: payment.currency,
      refs: { paymentId: payment.id, disputeId: row.id },
      memo: 'dispute won',
      entries: disputeOpenedEntries(info.amount, debt, payment.creatorId, now).map((e) => ({
        ...e,
        amount: -e.amount,
        kind: e.kind === 'DEBT' ? 'DEBT_REVERSAL' : 'DISPUTE_REVERSAL',
      })),
    });
    await deps.db
      .update(disputes)
      .set({ creatorDebt: 0, reconciledAt: now, reconciledBy: 'MANUAL' })
      .where(eq(disputes.id, row.id));
    await deps.db
      .update(payments)
      .set({ status: payment.refundedAmount > 0 ? 'PARTIALLY_REFUNDED' : 'SUCCEEDED', updatedAt: now })
      .where(eq(payments.id, payment.id));
  }
  // Lost: the creator's held share becomes a debt to recover (transfer reversal now, else the next payout).
  if (status === 'LOST') await recoverDisputeDebt(deps, row.id);
  await deps.log.payment.info('PAYMENT_DISPUTE', `Dispute ${disputeId} is ${status}`, {
    disputeId: row.id,
    paymentId: payment.id,
    amount: info.amount,
  });
}

export type EvidenceRefusal = 'DISPUTE_NOT_FOUND' | 'EVIDENCE_REFUSED' | 'PAYMENT_PROVIDER_ERROR';

/** Sends the booking and call timeline to the provider as dispute evidence; audited here, for the API and the page alike. */
export async function submitDisputeEvidence(
  deps: Deps,
  disputeRowId: string,
  admin: Pick<User, 'id'>,
  requestId?: string,
): Promise<{ ok: true } | { ok: false; code: EvidenceRefusal }> {
  const d = await deps.db.select().from(disputes).where(eq(disputes.id, disputeRowId)).get();
  if (!d) return { ok: false, code: 'DISPUTE_NOT_FOUND' };
  const payment = (await deps.db.select().from(payments).where(eq(payments.id, d.paymentId)).get())!;
  const row = (await deps.db
    .select({ booking: bookings, title: callOffers.title, fanEmail: users.email, fanName: users.name })
    .from(bookings)
    .innerJoin(callOffers, eq(callOffers.id, bookings.offerId))
    .innerJoin(users, eq(users.id, bookings.userId))
    .where(eq(bookings.id, payment.bookingId))
    .get())!;
  const events = await deps.db
    .select()
    .from(callEvents)
    .where(eq(callEvents.bookingId, payment.bookingId))
    .orderBy(asc(callEvents.occurredAt))
    .all();
  const timeline = events.map((e) => `${e.occurredAt.toISOString()} ${e.type} ${e.actorRole ?? ''}`.trim()).join('\n');
  try {
    await deps.payments.submitDisputeEvidence(d.stripeDisputeId, {
      productDescription: `1:1 video call "${row.title}", booked ${row.booking.createdAt.toISOString()}, scheduled ${row.booking.startsAt.toISOString()} – ${row.booking.endsAt.toISOString()}. Booking ${row.booking.id}, status ${row.booking.status}${row.booking.outcome ? `, outcome ${row.booking.outcome}` : ''}.`,
      serviceDate: row.booking.startsAt.toISOString().slice(0, 10),
      customerEmail: row.fanEmail,
      customerName: row.fanName,
      serviceDocumentation: timeline || 'No call events were recorded.',
    });
  } catch (e) {
    // A closed dispute or an unknown one is refused for good; an outage can be retried.
    if (!(e instanceof PaymentProviderError)) throw e;
    await deps.log.payment.warn(
      'PAYMENT_DISPUTE',
      `Evidence for dispute ${d.stripeDisputeId} not accepted: ${e.message}`,
      {
        disputeId: d.id,
        code: e.code,
      },
    );
    return { ok: false, code: e.retryable ? 'PAYMENT_PROVIDER_ERROR' : 'EVIDENCE_REFUSED' };
  }
  await deps.db
    .update(disputes)
    .set({ evidenceSubmittedAt: deps.clock.now(), updatedAt: deps.clock.now() })
    .where(eq(disputes.id, d.id));
  await deps.log.payment.info('PAYMENT_DISPUTE', `Evidence submitted for dispute ${d.stripeDisputeId}`, {
    disputeId: d.id,
    events: events.length,
  });
  await audit(deps, {
    actor: admin.id,
    action: 'DISPUTE_EVIDENCE',
    entity: 'dispute',
    entityId: d.id,
    before: { evidenceSubmittedAt: d.evidenceSubmittedAt?.toISOString() ?? null },
    after: { evidenceSubmitted: true },
    requestId,
  });
  return { ok: true };
}
