/**
 * Admin — money: payments filtered by creator, status and date (with totals per currency and a
 * CSV export of exactly the filtered rows), refunds and disputes lists, and the admin refund.
 */
import { and, count, desc, eq, gte, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { SQLiteSelect } from 'drizzle-orm/sqlite-core';
import {
  bookings,
  creators,
  type DISPUTE_STATUSES,
  disputes,
  type OWED_REFUND_STATUSES,
  owedRefunds,
  type PAYMENT_STATUSES,
  payments,
  type REFUND_STATUSES,
  refunds,
  users,
  type Currency,
  type Payment,
} from '../../db/schema';
import { one } from '../../db/one';
import type { Deps } from '../../deps';
import { decideRefund } from '../payments/refund-policy';
import { attemptOwedRefund, issueRefund, refundable, type RefundOutcome } from '../payments/refunds';
import { audit } from './audit';

export const PAYMENTS_PAGE = 50;

export interface PaymentFilter {
  creatorId?: string;
  status?: (typeof PAYMENT_STATUSES)[number];
  /** Payment created within [from, to). */
  from?: Date;
  to?: Date;
}

function paymentsWhere(f: PaymentFilter): SQL | undefined {
  return and(
    f.creatorId ? eq(payments.creatorId, f.creatorId) : undefined,
    f.status ? eq(payments.status, f.status) : undefined,
    f.from ? gte(payments.createdAt, f.from) : undefined,
    f.to ? lt(payments.createdAt, f.to) : undefined,
  );
}

const listColumns = { payment: payments, creatorName: creators.displayName, fanEmail: users.email };
export type PaymentRow = { payment: Payment; creatorName: string; fanEmail: string };

function listQuery(deps: Pick<Deps, 'db'>, where: SQL | undefined) {
  return deps.db
    .select(listColumns)
    .from(payments)
    .innerJoin(creators, eq(creators.id, payments.creatorId))
    .innerJoin(bookings, eq(bookings.id, payments.bookingId))
    .innerJoin(users, eq(users.id, bookings.userId))
    .where(where);
}

export interface CurrencyTotals {
  currency: Currency;
  count: number;
  amount: number;
  fees: number;
  refunded: number;
}

/** One page of the filtered list (newest first), its total count and the totals per currency of the whole filter. */
export async function paymentsPage(deps: Pick<Deps, 'db'>, f: PaymentFilter, page: number) {
  const where = paymentsWhere(f);
  // Joined rows with clashing column names (id, created_at…) are read outside db.batch, whose D1 results are keyed by column name.
  const [rows, [counted, totals]] = await Promise.all([
    listQuery(deps, where)
      .orderBy(desc(payments.createdAt), desc(payments.id))
      .limit(PAYMENTS_PAGE)
      .offset((page - 1) * PAYMENTS_PAGE)
      .all(),
    deps.db.batch([
      deps.db.select({ total: count() }).from(payments).where(where),
      deps.db
        .select({
          currency: payments.currency,
          count: count(),
          amount: sql<number>`sum(${payments.amount})`,
          fees: sql<number>`sum(${payments.platformFee})`,
          refunded: sql<number>`sum(${payments.refundedAmount})`,
        })
        .from(payments)
        .where(where)
        .groupBy(payments.currency)
        .orderBy(payments.currency),
    ]),
  ]);
  const { total } = one(counted, 'the payments count');
  return {
    rows: rows as PaymentRow[],
    total,
    totals: totals.map((t) => ({
      ...t,
      amount: Number(t.amount),
      fees: Number(t.fees),
      refunded: Number(t.refunded),
    })) as CurrencyTotals[],
  };
}

/** Every row of the filter, in the list's order, read in chunks by keyset (created_at, id) so a big export never uses OFFSET. */
export async function* allPayments(
  deps: Pick<Deps, 'db'>,
  f: PaymentFilter,
  chunk = 500,
): AsyncGenerator<PaymentRow[]> {
  let after: { at: Date; id: string } | null = null;
  for (;;) {
    const keyset: SQL | undefined = after
      ? or(lt(payments.createdAt, after.at), and(eq(payments.createdAt, after.at), lt(payments.id, after.id)))
      : undefined;
    const rows = (await listQuery(deps, and(paymentsWhere(f), keyset))
      .orderBy(desc(payments.createdAt), desc(payments.id))
      .limit(chunk)
      .all()) as PaymentRow[];
    if (rows.length) yield rows;
    const last = rows.at(-1)?.payment;
    if (!last || rows.length < chunk) return;
    after = { at: last.createdAt, id: last.id };
  }
}

export const CSV_COLUMNS = [
  'id',
  'created_at',
  'booking_id',
  'creator_id',
  'creator_name',
  'fan_email',
  'status',
  'provider',
  'currency',
  'amount_minor',
  'platform_fee_minor',
  'creator_share_minor',
  'refunded_minor',
  'intent_id',
  'charge_id',
] as const;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break, quotes doubled.
 * Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is prefixed with `'`.
 */
export function csvField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (fields: (string | number | null | undefined)[]) => `${fields.map(csvField).join(',')}\r\n`;

export function paymentCsvLine(r: PaymentRow): string {
  const p = r.payment;
  return csvLine([
    p.id,
    p.createdAt.toISOString(),
    p.bookingId,
    p.creatorId,
    r.creatorName,
    r.fanEmail,
    p.status,
    p.provider,
    p.currency,
    p.amount,
    p.platformFee,
    p.creatorShare,
    p.refundedAmount,
    p.intentId,
    p.chargeId,
  ]);
}

/** The export as a stream: header, then every filtered row (UTF-8 with a BOM so spreadsheets read accents). */
export function paymentsCsvStream(deps: Pick<Deps, 'db'>, f: PaymentFilter): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  const rows = allPayments(deps, f);
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(enc.encode(`\uFEFF${csvLine([...CSV_COLUMNS])}`));
        return;
      }
      const next = await rows.next();
      if (next.done) controller.close();
      else controller.enqueue(enc.encode(next.value.map(paymentCsvLine).join('')));
    },
  });
}

// ---------------------------------------------------------------------------------------------- refunds & disputes

export const MONEY_PAGE = 50;

/**
 * One page of a money list (refunds, disputes, owed refunds): `list` — the joined select, made
 * `$dynamic()` — filtered by `where`, newest first, and the filter's total count of `table` rows.
 */
async function moneyPage<T extends SQLiteSelect>(
  deps: Pick<Deps, 'db'>,
  table: typeof refunds | typeof disputes | typeof owedRefunds,
  where: SQL | undefined,
  page: number,
  list: T,
) {
  const [rows, counted] = await Promise.all([
    list
      .where(where)
      .orderBy(desc(table.createdAt), desc(table.id))
      .limit(MONEY_PAGE)
      .offset((page - 1) * MONEY_PAGE)
      .all() as Promise<Awaited<ReturnType<T['all']>>>,
    deps.db.select({ total: count() }).from(table).where(where),
  ]);
  const { total } = one(counted, 'the money rows count');
  return { rows, total };
}

export async function refundsPage(
  deps: Pick<Deps, 'db'>,
  f: { status?: (typeof REFUND_STATUSES)[number]; page: number },
) {
  const where = f.status ? eq(refunds.status, f.status) : undefined;
  return moneyPage(
    deps,
    refunds,
    where,
    f.page,
    deps.db
      .select({ r: refunds, creatorName: creators.displayName, actorName: users.name })
      .from(refunds)
      .innerJoin(payments, eq(payments.id, refunds.paymentId))
      .innerJoin(creators, eq(creators.id, payments.creatorId))
      .leftJoin(users, eq(users.id, refunds.actorUserId))
      .$dynamic(),
  );
}

export type DisputeView = 'open' | 'debt' | (typeof DISPUTE_STATUSES)[number];
const OPEN = ['WARNING_NEEDS_RESPONSE', 'WARNING_UNDER_REVIEW', 'NEEDS_RESPONSE', 'UNDER_REVIEW'] as const;

export async function disputesPage(deps: Pick<Deps, 'db'>, f: { view?: DisputeView; page: number }) {
  const where =
    f.view === 'open'
      ? inArray(disputes.status, [...OPEN])
      : f.view === 'debt'
        ? and(eq(disputes.status, 'LOST'), isNull(disputes.reconciledAt), sql`${disputes.creatorDebt} > 0`)
        : f.view
          ? eq(disputes.status, f.view)
          : undefined;
  return moneyPage(
    deps,
    disputes,
    where,
    f.page,
    deps.db
      .select({ d: disputes, bookingId: payments.bookingId, creatorName: creators.displayName })
      .from(disputes)
      .innerJoin(payments, eq(payments.id, disputes.paymentId))
      .innerJoin(creators, eq(creators.id, payments.creatorId))
      .$dynamic(),
  );
}

export const isOpenDispute = (status: string) => (OPEN as readonly string[]).includes(status);

// ---------------------------------------------------------------------------------------------- owed refunds

/** What admins watch: refunds still owed (being retried) and those the provider refused for good. */
export const OWED_VIEW = ['OWED', 'FAILED'] as const;

export async function owedRefundsPage(
  deps: Pick<Deps, 'db'>,
  f: { status?: (typeof OWED_REFUND_STATUSES)[number]; page: number },
) {
  const where = f.status ? eq(owedRefunds.status, f.status) : inArray(owedRefunds.status, [...OWED_VIEW]);
  return moneyPage(
    deps,
    owedRefunds,
    where,
    f.page,
    deps.db
      .select({ o: owedRefunds, creatorName: creators.displayName, actorName: users.name })
      .from(owedRefunds)
      .innerJoin(payments, eq(payments.id, owedRefunds.paymentId))
      .innerJoin(creators, eq(creators.id, payments.creatorId))
      .leftJoin(users, eq(users.id, owedRefunds.actorUserId))
      .$dynamic(),
  );
}

/**
 * An admin asks again now: an owed refund is attempted at once; a refused one is owed again first
 * (e.g. after the platform balance was topped up). Same idempotency key, so never twice; audited.
 */
export async function retryOwedRefundNow(
  deps: Deps,
  adminId: string,
  owedRefundId: string,
  requestId: string | null,
): Promise<{ ok: true; outcome: RefundOutcome } | { ok: false; code: 'NOT_FOUND' | 'NOT_RETRYABLE' }> {
  const row = await deps.db.select().from(owedRefunds).where(eq(owedRefunds.id, owedRefundId)).get();
  if (!row) return { ok: false, code: 'NOT_FOUND' };
  if (row.status !== 'OWED' && row.status !== 'FAILED') return { ok: false, code: 'NOT_RETRYABLE' };
  const now = deps.clock.now();
  if (row.status === 'FAILED') {
    // Only a refund nothing was issued for: a reversed (bank-refused) one needs a new refund instead.
    const [again] = await deps.db
      .update(owedRefunds)
      .set({ status: 'OWED', nextAttemptAt: now, updatedAt: now })
      .where(and(eq(owedRefunds.id, row.id), eq(owedRefunds.status, 'FAILED'), isNull(owedRefunds.refundId)))
      .returning();
    if (!again) return { ok: false, code: 'NOT_RETRYABLE' };
  }
  const outcome = await attemptOwedRefund(
    deps,
    (await deps.db.select().from(owedRefunds).where(eq(owedRefunds.id, row.id)).get())!,
  );
  await audit(deps, {
    actor: adminId,
    action: 'REFUND_RETRY',
    entity: 'payment',
    entityId: row.paymentId,
    before: { owedRefundId: row.id, status: row.status, attempts: row.attempts },
    after: { owedRefundId: row.id, status: outcome.status },
    requestId,
  });
  return { ok: true, outcome };
}

// ---------------------------------------------------------------------------------------------- admin refund

export type AdminRefundRefusal = 'PAYMENT_NOT_FOUND' | 'NOTHING_TO_REFUND' | 'REFUND_REFUSED';
export type AdminRefundResult =
  | { ok: true; status: 'ISSUED'; refundId: string; amount: number }
  /** The provider did not answer: the refund is owed and the refund-retry job will issue it. */
  | { ok: true; status: 'OWED'; owedRefundId: string; amount: number }
  | { ok: false; code: AdminRefundRefusal; message?: string };

/** An admin refunds any amount up to what is left of a payment, with a reason; audited. */
export async function adminRefund(
  deps: Deps,
  adminId: string,
  paymentId: string,
  input: { amount: number; reason: string; requestId?: string | null },
): Promise<AdminRefundResult> {
  const payment = await deps.db.select().from(payments).where(eq(payments.id, paymentId)).get();
  if (!payment) return { ok: false, code: 'PAYMENT_NOT_FOUND' };
  if (payment.status === 'PENDING' || payment.status === 'FAILED' || payment.status === 'CANCELED')
    return { ok: false, code: 'NOTHING_TO_REFUND' };
  const decision = decideRefund({ kind: 'ADMIN', amount: input.amount }, refundable(payment));
  if (decision.amount === 0) return { ok: false, code: 'NOTHING_TO_REFUND' };
  const out = await issueRefund(deps, payment, decision, {
    initiatedBy: 'ADMIN',
    actorUserId: adminId,
    note: input.reason,
    key: `admin:${payment.id}:${payment.refundedAmount}:${decision.amount}`,
    kind: 'ADMIN',
  });
  if (!out) return { ok: false, code: 'NOTHING_TO_REFUND' };
  if (out.status === 'FAILED') return { ok: false, code: 'REFUND_REFUSED', message: out.error };
  await audit(deps, {
    actor: adminId,
    action: 'REFUND',
    entity: 'payment',
    entityId: payment.id,
    before: { status: payment.status, refundedAmount: payment.refundedAmount },
    after: {
      amount: out.amount,
      status: out.status,
      ...(out.status === 'ISSUED' ? { refundId: out.refundId } : { owedRefundId: out.owedRefundId }),
      currency: payment.currency,
    },
    reason: input.reason,
    requestId: input.requestId ?? null,
  });
  return out.status === 'ISSUED'
    ? { ok: true, status: 'ISSUED', refundId: out.refundId, amount: out.amount }
    : { ok: true, status: 'OWED', owedRefundId: out.owedRefundId, amount: out.amount };
}

/** One dispute by id, or undefined. */
export async function disputeById(deps: Pick<Deps, 'db'>, id: string) {
  return deps.db.select().from(disputes).where(eq(disputes.id, id)).get();
}
