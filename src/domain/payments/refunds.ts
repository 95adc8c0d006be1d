/**
 * Refunds. A refund the app decides (cancellation, no-show, slot lost, admin) is first written down
 * as owed (owed_refunds: amount, key, who and why), then asked of the provider with the key
 * `refund:<key>` — a provider failure leaves it owed and the refund-retry job asks again with the
 * same key until it is issued. The provider's refund is recorded once, whether our call or its
 * webhook reports it first (the metadata we attach says who and why), and follows the provider's
 * status: a booked refund that fails or is canceled later is reversed (payment total, ledger,
 * everyone told); one first seen failed that later succeeds is booked then.
 */
import { and, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import { bookings, owedRefunds, payments, refunds, type OwedRefund, type Payment } from '../../db/schema';
import type { Deps } from '../../deps';
import { MINUTE } from '../../lib/clock';
import { PaymentProviderError, type RefundInfo } from '../../providers/payments/port';
import { refundDelayed, refundFailed, refundIssued } from '../events';
import { record, refundEntries } from '../ledger/ledger';
import { refundShortfallEntries } from '../payouts/debt';
import { ensureChargeRecorded } from './intents';
import { splitRefund, type RefundDecision } from './refund-policy';

export type Initiator = 'FAN' | 'CREATOR' | 'ADMIN' | 'SYSTEM';
export type OwedKind = OwedRefund['kind'];

export function refundable(p: Pick<Payment, 'amount' | 'refundedAmount'>): number {
  return Math.max(0, p.amount - p.refundedAmount);
}

export interface RefundMeta {
  initiatedBy: Initiator;
  actorUserId?: string | null;
  /** The person's words (cancellation note, admin reason), kept next to the machine reason. */
  note?: string;
  /** Ours; the provider sees `refund:<key>` on every attempt. */
  key: string;
  kind: OwedKind;
}

export type RefundOutcome =
  | { status: 'ISSUED'; owedRefundId: string; refundId: string; amount: number }
  | { status: 'OWED'; owedRefundId: string; amount: number; error: string }
  | { status: 'FAILED'; owedRefundId: string; amount: number; error: string };

/** After this many failed attempts admins are told a refund is stuck (the job keeps trying). */
export const REFUND_STUCK_ATTEMPTS = 3;
const MAX_BACKOFF_MS = 6 * 60 * MINUTE;
/** Provider metadata values are limited to 500 characters. */
const meta500 = (s: string) => s.slice(0, 500);

/** The reason stored on the refund row: the machine reason, then the person's words. */
export const refundReason = (o: Pick<OwedRefund, 'reason' | 'note'>) => (o.note ? `${o.reason}: ${o.note}` : o.reason);

/** When the next attempt is due after `attempts` failures: 5 min, 10, 20… capped at 6 h. */
export function nextAttemptAt(now: Date, attempts: number): Date {
  return new Date(now.getTime() + Math.min(MAX_BACKOFF_MS, 5 * MINUTE * 2 ** Math.max(0, attempts - 1)));
}

async function owedRow(deps: Deps, id: string): Promise<OwedRefund | null> {
  return (await deps.db.select().from(owedRefunds).where(eq(owedRefunds.id, id)).get()) ?? null;
}

/**
 * Writes the refund down before anything else can go wrong: OWED (due now) or PREPARED (a
 * cancellation's, due once the cancellation is in D1 — see activatePreparedRefund). The same key
 * and initiator again returns the same row (refreshed while still only prepared).
 */
export async function oweRefund(
  deps: Deps,
  payment: Payment,
  amount: number,
  decision: RefundDecision,
  meta: RefundMeta,
  status: 'OWED' | 'PREPARED',
): Promise<OwedRefund> {
  const now = deps.clock.now();
  const details = {
    amount,
    reason: decision.reason,
    note: meta.note ?? null,
    actorUserId: meta.actorUserId ?? null,
    updatedAt: now,
  };
  await deps.db
    .insert(owedRefunds)
    .values({
      id: deps.ids.next('orf'),
      paymentId: payment.id,
      bookingId: payment.bookingId,
      kind: meta.kind,
      currency: payment.currency,
      idempotencyKey: meta.key,
      initiatedBy: meta.initiatedBy,
      status,
      nextAttemptAt: status === 'OWED' ? now : null,
      createdAt: now,
      ...details,
    })
    .onConflictDoUpdate({
      target: [owedRefunds.idempotencyKey, owedRefunds.initiatedBy],
      set: details,
      setWhere: eq(owedRefunds.status, 'PREPARED'),
    });
  return (await deps.db
    .select()
    .from(owedRefunds)
    .where(and(eq(owedRefunds.idempotencyKey, meta.key), eq(owedRefunds.initiatedBy, meta.initiatedBy)))
    .get())!;
}

/** The cancellation happened: its prepared refund is due now. Null when it was not (or no longer) prepared. */
export async function activatePreparedRefund(deps: Deps, owedRefundId: string): Promise<OwedRefund | null> {
  const now = deps.clock.now();
  const [row] = await deps.db
    .update(owedRefunds)
    .set({ status: 'OWED', nextAttemptAt: now, updatedAt: now })
    .where(and(eq(owedRefunds.id, owedRefundId), eq(owedRefunds.status, 'PREPARED')))
    .returning();
  return row ?? null;
}

/** A prepared refund's cancellation is in D1: the booking was cancelled by the person who prepared it. */
const cancelledByPreparer = sql`exists (select 1 from ${bookings} where ${bookings.id} = ${owedRefunds.bookingId} and ${bookings.status} = 'CANCELLED' and ${bookings.cancelledBy} = ${owedRefunds.initiatedBy})`;

/**
 * The cancellation did not happen (someone else's won, or it was refused): its prepared refund is
 * void — unless the same person's other attempt (a double click) did cancel, which keeps it.
 */
export async function voidPreparedRefund(deps: Deps, owedRefundId: string, why: string): Promise<void> {
  await deps.db
    .update(owedRefunds)
    .set({ status: 'VOID', lastError: why, nextAttemptAt: null, updatedAt: deps.clock.now() })
    .where(and(eq(owedRefunds.id, owedRefundId), eq(owedRefunds.status, 'PREPARED'), sql`not ${cancelledByPreparer}`));
}

/**
 * Prepared refunds left behind by a crash: due when their cancellation happened, void when it did
 * not (after `staleMs`, so an ongoing cancellation is never cut short). Returns how many moved.
 */
export async function settlePreparedRefunds(
  deps: Deps,
  staleMs: number,
): Promise<{ activated: number; voided: number }> {
  const now = deps.clock.now();
  const activated = await deps.db
    .update(owedRefunds)
    .set({ status: 'OWED', nextAttemptAt: now, updatedAt: now })
    .where(and(eq(owedRefunds.status, 'PREPARED'), cancelledByPreparer))
    .returning({ id: owedRefunds.id });
  const voided = await deps.db
    .update(owedRefunds)
    .set({ status: 'VOID', lastError: 'the booking was not cancelled', nextAttemptAt: null, updatedAt: now })
    .where(
      and(
        eq(owedRefunds.status, 'PREPARED'),
        lt(owedRefunds.updatedAt, new Date(now.getTime() - staleMs)),
        sql`not ${cancelledByPreparer}`,
      ),
    )
    .returning({ id: owedRefunds.id });
  return { activated: activated.length, voided: voided.length };
}

/** Owes `decision.amount` (capped at what is left) on the payment and asks the provider at once. Null when nothing is left to refund. */
export async function issueRefund(
  deps: Deps,
  payment: Payment,
  decision: RefundDecision,
  meta: RefundMeta,
): Promise<RefundOutcome | null> {
  const amount = Math.min(decision.amount, refundable(payment));
  if (amount <= 0) return null;
  return attemptOwedRefund(deps, await oweRefund(deps, payment, amount, decision, meta, 'OWED'));
}

/**
 * One attempt at an owed refund (our call, then the retry job's): same key, same parameters every
 * time. A refusal the provider will repeat (4xx) makes it FAILED for an admin to handle; anything
 * else leaves it OWED with the next attempt scheduled.
 */
export async function attemptOwedRefund(deps: Deps, owed: OwedRefund): Promise<RefundOutcome> {
  const now = deps.clock.now();
  const current = (await owedRow(deps, owed.id)) ?? owed;
  if (current.status === 'ISSUED' && current.refundId)
    return { status: 'ISSUED', owedRefundId: current.id, refundId: current.refundId, amount: current.amount };
  if (current.status !== 'OWED')
    return {
      status: 'FAILED',
      owedRefundId: current.id,
      amount: current.amount,
      error: current.lastError ?? current.status,
    };
  const payment = (await deps.db.select().from(payments).where(eq(payments.id, current.paymentId)).get())!;
  try {
    const info = await deps.payments.refund({
      intentId: payment.intentId,
      amount: current.amount,
      reverseTransfer: true,
      refundApplicationFee: true,
      metadata: {
        bookingId: payment.bookingId,
        paymentId: payment.id,
        owedRefundId: current.id,
        reason: current.reason,
        initiatedBy: current.initiatedBy,
        ...(current.actorUserId ? { actorUserId: current.actorUserId } : {}),
        ...(current.note ? { note: meta500(current.note) } : {}),
      },
      idempotencyKey: `refund:${current.idempotencyKey}`,
    });
    const refundId = await recordRefund(deps, payment.id, info, ownMeta(current), { authoritative: true });
    return { status: 'ISSUED', owedRefundId: current.id, refundId, amount: info.amount };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    const attempts = current.attempts + 1;
    if (e instanceof PaymentProviderError && !e.retryable) {
      const [failed] = await deps.db
        .update(owedRefunds)
        .set({ status: 'FAILED', attempts, lastError: error, lastAttemptAt: now, nextAttemptAt: null, updatedAt: now })
        .where(and(eq(owedRefunds.id, current.id), eq(owedRefunds.status, 'OWED')))
        .returning();
      await deps.log.payment.error(
        'PAYMENT_REFUND',
        `Refund ${current.idempotencyKey} of ${current.amount} ${current.currency} refused by the provider: ${error}`,
        { owedRefundId: current.id, paymentId: payment.id, code: e.code },
      );
      if (failed)
        await refundDelayed(deps, {
          bookingId: current.bookingId,
          amount: current.amount,
          currency: current.currency,
          error,
          final: true,
        });
      return { status: 'FAILED', owedRefundId: current.id, amount: current.amount, error };
    }
    await deps.db
      .update(owedRefunds)
      .set({
        attempts,
        lastError: error,
        lastAttemptAt: now,
        nextAttemptAt: nextAttemptAt(now, attempts),
        updatedAt: now,
      })
      .where(and(eq(owedRefunds.id, current.id), eq(owedRefunds.status, 'OWED')));
    await deps.log.payment.warn(
      'PAYMENT_REFUND',
      `Refund ${current.idempotencyKey} still owed after attempt ${attempts}: ${error}`,
      { owedRefundId: current.id, paymentId: payment.id },
      { error: e },
    );
    if (attempts === REFUND_STUCK_ATTEMPTS)
      await refundDelayed(deps, {
        bookingId: current.bookingId,
        amount: current.amount,
        currency: current.currency,
        error,
        final: false,
      });
    return { status: 'OWED', owedRefundId: current.id, amount: current.amount, error };
  }
}

export interface RecordMeta {
  initiatedBy: Initiator;
  actorUserId: string | null;
  reason: string;
  owedRefundId?: string | null;
}

const ownMeta = (o: OwedRefund): RecordMeta => ({
  initiatedBy: o.initiatedBy,
  actorUserId: o.actorUserId,
  reason: refundReason(o),
  owedRefundId: o.id,
});

/** Who asked for a provider refund and why, from the metadata we attached (or: made outside the app). */
export async function metaOfProviderRefund(deps: Deps, r: RefundInfo): Promise<RecordMeta> {
  const m = r.metadata ?? {};
  const owed = m.owedRefundId ? await owedRow(deps, m.owedRefundId) : null;
  if (owed) return ownMeta(owed);
  const by = (['FAN', 'CREATOR', 'ADMIN', 'SYSTEM'] as const).find((i) => i === m.initiatedBy);
  if (!by) return { initiatedBy: 'ADMIN', actorUserId: null, reason: 'PROVIDER: refunded outside the app' };
  return {
    initiatedBy: by,
    actorUserId: m.actorUserId || null,
    reason: m.note ? `${m.reason ?? 'REFUND'}: ${m.note}` : (m.reason ?? 'REFUND'),
  };
}

/**
 * What the provider took back from the creator's transfer for a refund: reconciled by transfer
 * reversal only when that covers the creator's part; a shortfall is the creator's debt (see payouts/debt).
 */
const reversalOf = (info: RefundInfo, shareReversal: number, now: Date) => {
  const reversed = Math.min(shareReversal, info.transferReversal?.amount ?? 0);
  const covered = reversed >= shareReversal;
  return {
    transferReversed: reversed,
    reversalId: info.transferReversal?.id ?? null,
    reconciledBy: covered ? ('TRANSFER_REVERSAL' as const) : null,
    reconciledAt: covered ? now : null,
  };
};

/** Statuses under which a refund's money has left (or is leaving): it is on the books. */
const booked = (s: RefundInfo['status']) => s === 'pending' || s === 'succeeded' || s === 'requires_action';
const rowStatus = (s: RefundInfo['status']) =>
  (s === 'succeeded' ? 'SUCCEEDED' : s === 'failed' ? 'FAILED' : s === 'canceled' ? 'CANCELED' : 'PENDING') as
    | 'SUCCEEDED'
    | 'FAILED'
    | 'CANCELED'
    | 'PENDING';
const BOOKED_ROW = ['PENDING', 'SUCCEEDED'] as ('PENDING' | 'SUCCEEDED')[];

/**
 * Records the provider's refund (keyed by its id) and follows its status, safe for duplicates and
 * any order. Each status change is one conditional update of the refund row (its winner tells
 * people); the ledger and the payment's refunded total then follow the row (idempotent, so a
 * crash in between is repaired by the next delivery or retry).
 * `authoritative`: the caller issued it, so its details complete a row the webhook recorded first.
 */
export async function recordRefund(
  deps: Deps,
  paymentId: string,
  info: RefundInfo,
  meta: RecordMeta,
  opts: { authoritative?: boolean } = {},
): Promise<string> {
  const now = deps.clock.now();
  let row = await deps.db.select().from(refunds).where(eq(refunds.stripeRefundId, info.id)).get();
  if (!row) {
    const payment = await ensureChargeRecorded(
      deps,
      (await deps.db.select().from(payments).where(eq(payments.id, paymentId)).get())!,
    );
    // Booked: the fee and share given back, pro rata of what was refunded so far. First seen failed or
    // canceled: known from now on (admins see it), no money moved.
    const split = booked(info.status)
      ? splitRefund(info.amount, payment, payment.refundedAmount)
      : { feeRefund: 0, shareReversal: 0 };
    const [inserted] = await deps.db
      .insert(refunds)
      .values({
        id: deps.ids.next('ref'),
        paymentId,
        bookingId: payment.bookingId,
        amount: info.amount,
        currency: payment.currency,
        reason: meta.reason,
        initiatedBy: meta.initiatedBy,
        actorUserId: meta.actorUserId,
        status: rowStatus(info.status),
        stripeRefundId: info.id,
        creatorDebt: split.shareReversal,
        feeRefunded: split.feeRefund,
        failureReason: booked(info.status) ? null : (info.failureReason ?? null),
        ...(booked(info.status) ? reversalOf(info, split.shareReversal, now) : {}),
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (inserted) {
      await followRefund(deps, inserted.id);
      if (meta.owedRefundId)
        await settleOwed(
          deps,
          meta.owedRefundId,
          inserted.id,
          booked(info.status) ? 'ISSUED' : 'FAILED',
          info.failureReason ?? `refund ${info.status}`,
        );
      if (booked(info.status)) {
        await deps.log.payment.info(
          'PAYMENT_REFUND',
          `Refunded ${info.amount} ${payment.currency} on ${paymentId} (${meta.reason})`,
          {
            paymentId,
            refundId: inserted.id,
            providerRefundId: info.id,
            bookingId: payment.bookingId,
            status: info.status,
          },
          { actorId: meta.actorUserId },
        );
        await announce(deps, payment.bookingId, {
          refundId: inserted.id,
          amount: info.amount,
          currency: payment.currency,
          reason: meta.reason,
        });
      }
      return inserted.id;
    }
    row = (await deps.db.select().from(refunds).where(eq(refunds.stripeRefundId, info.id)).get())!;
  }
  if (
    opts.authoritative &&
    (row.reason !== meta.reason || row.actorUserId !== meta.actorUserId || row.initiatedBy !== meta.initiatedBy)
  ) {
    await deps.db
      .update(refunds)
      .set({ reason: meta.reason, actorUserId: meta.actorUserId, initiatedBy: meta.initiatedBy, updatedAt: now })
      .where(eq(refunds.id, row.id));
  }
  if (booked(info.status)) {
    if (row.status === 'PENDING' && info.status === 'succeeded') {
      await deps.db
        .update(refunds)
        .set({ status: 'SUCCEEDED', updatedAt: now })
        .where(and(eq(refunds.id, row.id), eq(refunds.status, 'PENDING')));
    } else if ((row.status === 'FAILED' || row.status === 'CANCELED') && !row.reversedAt) {
      // First seen failed, now pending or succeeded: booked now, once.
      const payment = (await deps.db.select().from(payments).where(eq(payments.id, row.paymentId)).get())!;
      const { feeRefund, shareReversal } = splitRefund(row.amount, payment, payment.refundedAmount);
      const [moved] = await deps.db
        .update(refunds)
        .set({
          status: rowStatus(info.status),
          creatorDebt: shareReversal,
          feeRefunded: feeRefund,
          failureReason: null,
          ...reversalOf(info, shareReversal, now),
          updatedAt: now,
        })
        .where(and(eq(refunds.id, row.id), inArray(refunds.status, ['FAILED', 'CANCELED']), isNull(refunds.reversedAt)))
        .returning();
      if (moved) {
        await followRefund(deps, row.id);
        await deps.log.payment.info(
          'PAYMENT_REFUND',
          `Refund ${info.id} first seen ${row.status.toLowerCase()} is now ${info.status}: booked`,
          { refundId: row.id, paymentId: row.paymentId },
        );
        await announce(deps, row.bookingId, {
          refundId: row.id,
          amount: row.amount,
          currency: row.currency,
          reason: row.reason,
        });
      }
    } else if (row.reversedAt) {
      await deps.log.payment.error(
        'PAYMENT_REFUND',
        `Refund ${info.id} reported ${info.status} after it failed and was reversed; left as is`,
        { refundId: row.id },
      );
    }
    if (meta.owedRefundId) await settleOwed(deps, meta.owedRefundId, row.id, 'ISSUED');
  } else if (row.status === 'PENDING' || row.status === 'SUCCEEDED') {
    // A booked refund failed or was canceled at the provider: the fan did not get the money.
    const [moved] = await deps.db
      .update(refunds)
      .set({
        status: rowStatus(info.status),
        reversedAt: now,
        failureReason: info.failureReason ?? null,
        updatedAt: now,
      })
      .where(and(eq(refunds.id, row.id), inArray(refunds.status, BOOKED_ROW), isNull(refunds.reversedAt)))
      .returning();
    if (moved) {
      await followRefund(deps, row.id);
      const why = `refund ${info.status}: ${info.failureReason ?? 'no reason given'}`;
      await deps.db
        .update(owedRefunds)
        .set({ status: 'FAILED', lastError: why, updatedAt: now })
        .where(and(eq(owedRefunds.refundId, row.id), eq(owedRefunds.status, 'ISSUED')));
      await deps.log.payment.error(
        'PAYMENT_REFUND',
        `Refund ${info.id} of ${row.amount} ${row.currency} ${info.status} after it was booked: reversed`,
        { refundId: row.id, paymentId: row.paymentId, reason: info.failureReason ?? null },
      );
      const booking = await deps.db
        .select({ id: bookings.id })
        .from(bookings)
        .where(eq(bookings.id, row.bookingId))
        .get();
      if (booking)
        await refundFailed(deps, {
          bookingId: booking.id,
          refundId: row.id,
          amount: row.amount,
          currency: row.currency,
          reason: info.failureReason ?? info.status,
        });
    }
  }
  // Repairs what a crash between the status change and its books may have left.
  await followRefund(deps, row.id);
  return row.id;
}

async function settleOwed(
  deps: Deps,
  owedRefundId: string,
  refundId: string,
  status: 'ISSUED' | 'FAILED',
  error?: string,
): Promise<void> {
  const now = deps.clock.now();
  await deps.db
    .update(owedRefunds)
    .set({
      status,
      refundId,
      nextAttemptAt: null,
      updatedAt: now,
      ...(status === 'ISSUED' ? { issuedAt: now } : { lastError: error ?? null }),
    })
    .where(and(eq(owedRefunds.id, owedRefundId), inArray(owedRefunds.status, ['OWED', 'PREPARED'])));
}

/**
 * Makes the books follow the refund row: its ledger transaction while booked, the exact opposite
 * once reversed, and the payment's refunded total recomputed from its booked refunds (never past
 * the charge). Every write is idempotent.
 */
async function followRefund(deps: Deps, refundId: string): Promise<void> {
  const row = (await deps.db.select().from(refunds).where(eq(refunds.id, refundId)).get())!;
  const payment = (await deps.db.select().from(payments).where(eq(payments.id, row.paymentId)).get())!;
  const wasBooked = (BOOKED_ROW as string[]).includes(row.status) || !!row.reversedAt;
  if (wasBooked) {
    // The part of the share the provider did not take back from the creator's transfer: paid by the platform, owed by the creator.
    const entries = [
      ...refundEntries(payment, row.amount, { feeRefund: row.feeRefunded, shareReversal: row.creatorDebt }),
      ...refundShortfallEntries(row.creatorDebt - (row.transferReversed ?? row.creatorDebt)),
    ];
    await record(deps, {
      txId: `refund:${row.id}`,
      currency: row.currency,
      refs: { paymentId: row.paymentId, refundId: row.id },
      memo: row.reason,
      entries,
    });
    if (row.reversedAt) {
      await record(deps, {
        txId: `refund-reversal:${row.id}`,
        currency: row.currency,
        refs: { paymentId: row.paymentId, refundId: row.id },
        memo: `refund ${row.status.toLowerCase()}: ${row.failureReason ?? 'no reason given'}`,
        entries: entries.map((e) => ({ ...e, kind: 'REFUND_FAILED', amount: -e.amount })),
      });
    }
  }
  const refunded = sql<number>`(select coalesce(sum(${refunds.amount}), 0) from ${refunds} where ${refunds.paymentId} = ${payments.id} and ${refunds.status} in ('PENDING', 'SUCCEEDED'))`;
  const capped = sql<number>`min(${payments.amount}, ${refunded})`;
  await deps.db
    .update(payments)
    .set({
      refundedAmount: capped,
      status: sql`case when ${payments.status} in ('DISPUTED', 'PENDING', 'FAILED', 'CANCELED') then ${payments.status} when ${capped} >= ${payments.amount} then 'REFUNDED' when ${capped} > 0 then 'PARTIALLY_REFUNDED' else 'SUCCEEDED' end`,
      updatedAt: deps.clock.now(),
    })
    .where(eq(payments.id, row.paymentId));
}

async function announce(
  deps: Deps,
  bookingId: string,
  r: { refundId: string; amount: number; currency: Payment['currency']; reason: string },
): Promise<void> {
  const booking = await deps.db.select({ id: bookings.id }).from(bookings).where(eq(bookings.id, bookingId)).get();
  if (booking) await refundIssued(deps, { bookingId: booking.id, ...r });
}
