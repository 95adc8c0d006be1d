/**
 * Creator debt: what a creator owes because the platform paid a fan back with its own money.
 *  - A formal dispute: the fan's bank takes the charge back from the platform. The creator's share is
 *    held at once (creator −debt, platform:receivable +debt); a won dispute gives it back, a LOST one
 *    makes it due.
 *  - A refund whose reversal of the creator's transfer fell short (the transfer was already reversed,
 *    e.g. to recover an earlier debt): the part not taken back is due at once (receivable +debt).
 * What is still owed on a debt is its platform:receivable balance in the ledger. A due debt is taken
 * back from the creator's connected account, always in this order:
 *   1. TRANSFER_REVERSAL — reversing what is left of the charge's own transfer (the hourly job, and
 *      before any payout);
 *   2. PAYOUT_DEDUCTION — before a payout (scheduled, requested by the creator or triggered by an
 *      admin), reversing the transfers of the creator's other payments whose shares are released
 *      (newest first), never more than the released money the ledger owes them beyond the debt; the
 *      rest is then paid out;
 *   3. MANUAL — an admin records that the creator settled it outside the platform.
 * Each reversal is a debt_recoveries row written PENDING before the provider is asked (a retry
 * replays the same key and amount) and a ledger transaction (receivable → platform:cash) recorded
 * only once the provider succeeded.
 */
import { and, asc, desc, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import { rawStatement } from '../../db/client';
import { bare, columnList } from '../../db/sql-names';
import { debtRecoveries, disputes, ledgerEntries, payments, refunds, type Currency } from '../../db/schema';
import { one } from '../../db/one';
import type { Deps } from '../../deps';
import { PaymentProviderError } from '../../providers/payments/port';
import {
  bankAccount,
  creatorAccount,
  guardedTxStatements,
  record,
  releasedBalanceSql,
  releasedSql,
  type Entry,
} from '../ledger/ledger';
import { audit } from '../admin/audit';
import { recordPayoutStep } from './audit';

export const RECEIVABLE = 'platform:receivable';
export type DebtMethod = 'TRANSFER_REVERSAL' | 'PAYOUT_DEDUCTION';
/** How many of the creator's other payments a deduction looks at (newest first). */
const DEDUCTION_CANDIDATES = 25;

/** A formal dispute: the fan gets the money back from the platform, the creator's share is held as debt. */
export function disputeOpenedEntries(amount: number, debt: number, creatorId: string, now: Date): Entry[] {
  return [
    { account: 'fan', kind: 'DISPUTE', amount },
    { account: 'platform:cash', kind: 'DISPUTE', amount: -amount },
    { account: RECEIVABLE, kind: 'DEBT', amount: debt },
    { account: creatorAccount(creatorId), kind: 'DEBT', amount: -debt, creatorId, availableAt: now },
  ];
}

/**
 * A refund's share reversal the provider did not take back from the creator's transfer: the platform
 * paid it from its own cash, and the creator owes it (the creator's account already went down by the
 * whole share reversal). Added to the refund's own transaction.
 */
export function refundShortfallEntries(shortfall: number): Entry[] {
  return shortfall > 0
    ? [
        { account: 'platform:cash', kind: 'DEBT', amount: -shortfall },
        { account: RECEIVABLE, kind: 'DEBT', amount: shortfall },
      ]
    : [];
}

export type DebtSource = { kind: 'dispute' | 'refund'; id: string };

export interface Debt {
  kind: 'dispute' | 'refund';
  id: string;
  creatorId: string;
  currency: Currency;
  /** The charge the debt comes from. */
  paymentId: string;
  /** Still owed (its receivable balance). */
  outstanding: number;
  /** Being recovered right now (PENDING reversals). */
  pending: number;
  /** Lost disputes and refund shortfalls are due; an open dispute only holds the share. */
  due: boolean;
}

const receivableOf = (kind: DebtSource['kind'], id: unknown) =>
  sql<number>`(select coalesce(sum(${ledgerEntries.amount}), 0) from ${ledgerEntries} where ${ledgerEntries.account} = ${RECEIVABLE} and ${kind === 'dispute' ? ledgerEntries.disputeId : ledgerEntries.refundId} = ${id})`;
const pendingOf = (kind: DebtSource['kind'], id: unknown) =>
  sql<number>`(select coalesce(sum(${debtRecoveries.amount}), 0) from ${debtRecoveries} where ${debtRecoveries.status} = 'PENDING' and ${kind === 'dispute' ? debtRecoveries.disputeId : debtRecoveries.refundId} = ${id})`;

/** A creator's debts not reconciled yet (lost disputes, open disputes, refund shortfalls), oldest first. */
export async function creatorDebts(deps: Deps, creatorId: string, currency?: Currency): Promise<Debt[]> {
  const [ds, rs] = await Promise.all([
    deps.db
      .select({
        id: disputes.id,
        currency: disputes.currency,
        paymentId: disputes.paymentId,
        status: disputes.status,
        outstanding: receivableOf('dispute', disputes.id),
        pending: pendingOf('dispute', disputes.id),
      })
      .from(disputes)
      .innerJoin(payments, eq(payments.id, disputes.paymentId))
      .where(
        and(
          eq(payments.creatorId, creatorId),
          isNull(disputes.reconciledAt),
          currency ? eq(disputes.currency, currency) : undefined,
        ),
      )
      .orderBy(asc(disputes.createdAt))
      .all(),
    deps.db
      .select({
        id: refunds.id,
        currency: refunds.currency,
        paymentId: refunds.paymentId,
        outstanding: receivableOf('refund', refunds.id),
        pending: pendingOf('refund', refunds.id),
      })
      .from(refunds)
      .innerJoin(payments, eq(payments.id, refunds.paymentId))
      .where(
        and(
          eq(payments.creatorId, creatorId),
          isNull(refunds.reconciledAt),
          currency ? eq(refunds.currency, currency) : undefined,
        ),
      )
      .orderBy(asc(refunds.createdAt))
      .all(),
  ]);
  return [
    ...ds.map((d) => ({
      kind: 'dispute' as const,
      id: d.id,
      creatorId,
      currency: d.currency,
      paymentId: d.paymentId,
      outstanding: d.outstanding,
      pending: d.pending,
      due: d.status === 'LOST',
    })),
    ...rs.map((r) => ({
      kind: 'refund' as const,
      id: r.id,
      creatorId,
      currency: r.currency,
      paymentId: r.paymentId,
      outstanding: r.outstanding,
      pending: r.pending,
      due: true,
    })),
  ].filter((d) => d.outstanding > 0);
}

/** One debt by its source (any state). */
async function debtOf(deps: Deps, source: DebtSource): Promise<Debt | null> {
  const row =
    source.kind === 'dispute'
      ? await deps.db
          .select({
            creatorId: payments.creatorId,
            currency: disputes.currency,
            paymentId: disputes.paymentId,
            reconciledAt: disputes.reconciledAt,
            due: sql<number>`${disputes.status} = 'LOST'`,
            outstanding: receivableOf('dispute', disputes.id),
            pending: pendingOf('dispute', disputes.id),
          })
          .from(disputes)
          .innerJoin(payments, eq(payments.id, disputes.paymentId))
          .where(eq(disputes.id, source.id))
          .get()
      : await deps.db
          .select({
            creatorId: payments.creatorId,
            currency: refunds.currency,
            paymentId: refunds.paymentId,
            reconciledAt: refunds.reconciledAt,
            due: sql<number>`1`,
            outstanding: receivableOf('refund', refunds.id),
            pending: pendingOf('refund', refunds.id),
          })
          .from(refunds)
          .innerJoin(payments, eq(payments.id, refunds.paymentId))
          .where(eq(refunds.id, source.id))
          .get();
  if (!row || row.reconciledAt) return null;
  return {
    kind: source.kind,
    id: source.id,
    creatorId: row.creatorId,
    currency: row.currency,
    paymentId: row.paymentId,
    outstanding: row.outstanding,
    pending: row.pending,
    due: !!row.due,
  };
}

type Recovery = typeof debtRecoveries.$inferSelect;

/** Asks the provider for one recovery (new or replayed); books it once it succeeded. */
async function runRecovery(deps: Deps, r: Recovery): Promise<'succeeded' | 'failed' | 'pending'> {
  let reversalId: string;
  try {
    ({ reversalId } = await deps.payments.reverseTransfer({
      transferId: r.transferId,
      amount: r.amount,
      idempotencyKey: r.idempotencyKey,
      metadata: {
        creatorId: r.creatorId,
        recoveryId: r.id,
        method: r.method,
        ...(r.disputeId ? { disputeId: r.disputeId } : { refundId: r.refundId ?? '' }),
      },
    }));
  } catch (e) {
    const now = deps.clock.now();
    if (e instanceof PaymentProviderError && !e.retryable) {
      await deps.db
        .update(debtRecoveries)
        .set({ status: 'FAILED', failureReason: e.message.slice(0, 500), updatedAt: now })
        .where(and(eq(debtRecoveries.id, r.id), eq(debtRecoveries.status, 'PENDING')));
      await deps.log.payout.warn('PAYOUT_SKIPPED', `Debt recovery ${r.id} (${r.method}) refused: ${e.message}`, {
        recoveryId: r.id,
        creatorId: r.creatorId,
      });
      return 'failed';
    }
    // An outage: the row stays PENDING and the next attempt replays the same key and amount.
    await deps.log.payout.warn(
      'PAYOUT_SKIPPED',
      `Debt recovery ${r.id} (${r.method}) not done yet: ${(e as Error).message}`,
      { recoveryId: r.id, creatorId: r.creatorId },
      { error: e },
    );
    return 'pending';
  }
  const now = deps.clock.now();
  const done = sql`exists (select 1 from ${debtRecoveries} where ${debtRecoveries.id} = ${r.id} and ${debtRecoveries.status} = 'SUCCEEDED')`;
  await deps.d1.batch([
    rawStatement(
      deps.d1,
      sql`update ${debtRecoveries} set ${bare(debtRecoveries.status)} = 'SUCCEEDED', ${bare(debtRecoveries.providerReversalId)} = ${reversalId}, ${bare(debtRecoveries.updatedAt)} = ${now.getTime()} where ${debtRecoveries.id} = ${r.id} and ${debtRecoveries.status} = 'PENDING'`,
    ),
    ...guardedTxStatements(
      deps,
      {
        txId: `debt-recovery:${r.id}`,
        currency: r.currency,
        memo: r.method,
        refs: {
          paymentId: r.paymentId,
          ...(r.disputeId ? { disputeId: r.disputeId } : {}),
          ...(r.refundId ? { refundId: r.refundId } : {}),
        },
        entries: [
          { account: RECEIVABLE, kind: 'DEBT_RECOVERY', amount: -r.amount },
          { account: 'platform:cash', kind: 'DEBT_RECOVERY', amount: r.amount },
        ],
      },
      done,
    ),
  ]);
  await recordPayoutStep(deps, {
    creatorId: r.creatorId,
    payoutId: r.payoutId,
    action: r.method === 'PAYOUT_DEDUCTION' ? 'DEBT_DEDUCTED' : 'DEBT_RECOVERED',
    amount: r.amount,
    currency: r.currency,
    reason: r.method,
    context: {
      recoveryId: r.id,
      disputeId: r.disputeId,
      refundId: r.refundId,
      transferId: r.transferId,
      fromPayment: r.paymentId,
    },
  });
  return 'succeeded';
}

/** Writes a PENDING recovery only if the debt still needs it (one statement: two runners cannot both claim it). */
async function claim(
  deps: Deps,
  debt: Debt,
  input: { method: DebtMethod; paymentId: string; transferId: string; amount: number; payoutId: string | null },
): Promise<Recovery | null> {
  const seq =
    (
      await deps.db
        .select({ n: sql<number>`count(*)` })
        .from(debtRecoveries)
        .where(debt.kind === 'dispute' ? eq(debtRecoveries.disputeId, debt.id) : eq(debtRecoveries.refundId, debt.id))
        .get()
    )?.n ?? 0;
  const id = deps.ids.next('dbr');
  const key = `debt:${debt.kind}:${debt.id}:${seq + 1}`;
  const now = deps.clock.now().getTime();
  const inserted = one(
    await deps.d1.batch([
      rawStatement(
        deps.d1,
        sql`insert or ignore into ${debtRecoveries} (${columnList(debtRecoveries.id, debtRecoveries.creatorId, debtRecoveries.currency, debtRecoveries.disputeId, debtRecoveries.refundId, debtRecoveries.method, debtRecoveries.paymentId, debtRecoveries.transferId, debtRecoveries.amount, debtRecoveries.idempotencyKey, debtRecoveries.status, debtRecoveries.payoutId, debtRecoveries.createdAt, debtRecoveries.updatedAt)})
    select ${id}, ${debt.creatorId}, ${debt.currency}, ${debt.kind === 'dispute' ? debt.id : null}, ${debt.kind === 'refund' ? debt.id : null}, ${input.method}, ${input.paymentId}, ${input.transferId}, ${input.amount}, ${key}, 'PENDING', ${input.payoutId}, ${now}, ${now}
    where ${receivableOf(debt.kind, debt.id)} - ${pendingOf(debt.kind, debt.id)} >= ${input.amount}`,
      ),
    ]),
    'the result of the recovery insert',
  );
  if (!inserted.meta.changes) return null;
  return (await deps.db.select().from(debtRecoveries).where(eq(debtRecoveries.id, id)).get()) ?? null;
}

async function transferOf(
  deps: Deps,
  p: { transferId: string | null; chargeId: string | null },
): Promise<string | null> {
  if (p.transferId) return p.transferId;
  return p.chargeId ? deps.payments.transferOfCharge(p.chargeId) : null;
}

/** Marks a fully recovered debt reconciled (by deduction if any part was deducted). */
async function closeIfRecovered(deps: Deps, source: DebtSource): Promise<boolean> {
  const debt = await debtOf(deps, source);
  if (!debt || debt.outstanding > 0 || debt.pending > 0) return false;
  const rows = await deps.db
    .select({ method: debtRecoveries.method, amount: debtRecoveries.amount })
    .from(debtRecoveries)
    .where(
      and(
        source.kind === 'dispute' ? eq(debtRecoveries.disputeId, source.id) : eq(debtRecoveries.refundId, source.id),
        eq(debtRecoveries.status, 'SUCCEEDED'),
      ),
    )
    .all();
  if (!rows.length) return false;
  const by: DebtMethod = rows.some((x) => x.method === 'PAYOUT_DEDUCTION') ? 'PAYOUT_DEDUCTION' : 'TRANSFER_REVERSAL';
  const now = deps.clock.now();
  const marked =
    source.kind === 'dispute'
      ? await deps.db
          .update(disputes)
          .set({ reconciledAt: now, reconciledBy: by, updatedAt: now })
          .where(and(eq(disputes.id, source.id), isNull(disputes.reconciledAt)))
          .returning({ id: disputes.id })
      : await deps.db
          .update(refunds)
          .set({ reconciledAt: now, reconciledBy: by, updatedAt: now })
          .where(and(eq(refunds.id, source.id), isNull(refunds.reconciledAt)))
          .returning({ id: refunds.id });
  return marked.length === 1;
}

export interface RecoveryResult {
  /** Recovered now by reversing the debt's own transfer. */
  reversed: number;
  /** Recovered now from the creator's other transfers (withheld before a payout). */
  deducted: number;
  /** Debts fully recovered (and reconciled) now. */
  closed: number;
  /** The recoveries that succeeded now (to link to the payout that follows). */
  recoveryIds: string[];
}

/**
 * Recovers one due debt: reverses what is left of the charge's own transfer (step 1, within
 * `budget.own`) and, with `deduct`, the creator's other released transfers, newest first (step 2,
 * within `budget.released`). Returns what it recovered; stops at the first provider outage (the
 * PENDING row is replayed next time).
 */
async function recoverDebt(
  deps: Deps,
  debt: Debt,
  opts: { deduct: boolean; budget: { own: number; released: number }; payoutId: string | null },
  out: RecoveryResult,
): Promise<number> {
  let recovered = 0;
  const fresh = await debtOf(deps, debt);
  if (!fresh?.due || fresh.pending > 0) return 0;
  let need = fresh.outstanding;
  const room = (method: DebtMethod) =>
    (method === 'TRANSFER_REVERSAL' ? opts.budget.own : opts.budget.released) - recovered;
  const take = async (
    method: DebtMethod,
    p: { id: string; transferId: string | null; chargeId: string | null },
  ): Promise<'stop' | 'next'> => {
    const transferId = await transferOf(deps, p);
    if (!transferId) return 'next';
    const tr = await deps.payments.retrieveTransfer(transferId);
    const amount = Math.min(need, tr.amount - tr.amountReversed, room(method));
    if (amount <= 0) return 'next';
    const r = await claim(deps, fresh, {
      method,
      paymentId: p.id,
      transferId,
      amount,
      payoutId: method === 'PAYOUT_DEDUCTION' ? opts.payoutId : null,
    });
    if (!r) return 'stop'; // another runner is on it
    const result = await runRecovery(deps, r);
    if (result === 'pending') return 'stop';
    if (result === 'succeeded') {
      need -= amount;
      recovered += amount;
      out.recoveryIds.push(r.id);
      if (method === 'PAYOUT_DEDUCTION') out.deducted += amount;
      else out.reversed += amount;
    }
    return 'next';
  };

  // 1. What is left of the charge's own transfer.
  const own = await deps.db
    .select({ id: payments.id, transferId: payments.transferId, chargeId: payments.chargeId })
    .from(payments)
    .where(eq(payments.id, debt.paymentId))
    .get();
  if (own && need > 0 && room('TRANSFER_REVERSAL') > 0 && (await take('TRANSFER_REVERSAL', own)) === 'stop')
    return recovered;

  // 2. The creator's other payments whose shares are released, newest first.
  if (opts.deduct && need > 0 && room('PAYOUT_DEDUCTION') > 0) {
    const now = deps.clock.now();
    const candidates = await deps.db
      .select({ id: payments.id, transferId: payments.transferId, chargeId: payments.chargeId })
      .from(payments)
      .where(
        and(
          eq(payments.creatorId, debt.creatorId),
          eq(payments.currency, debt.currency),
          ne(payments.id, debt.paymentId),
          inArray(payments.status, ['SUCCEEDED', 'PARTIALLY_REFUNDED', 'DISPUTED']),
          sql`exists (select 1 from ${ledgerEntries} where ${ledgerEntries.paymentId} = ${payments.id} and ${ledgerEntries.kind} = 'CREATOR_SHARE' and ${releasedSql(now)})`,
        ),
      )
      .orderBy(desc(payments.createdAt))
      .limit(DEDUCTION_CANDIDATES)
      .all();
    for (const p of candidates) {
      if (need <= 0 || room('PAYOUT_DEDUCTION') <= 0) break;
      if ((await take('PAYOUT_DEDUCTION', p)) === 'stop') break;
    }
  }
  if (await closeIfRecovered(deps, debt)) out.closed++;
  return recovered;
}

const emptyResult = (): RecoveryResult => ({ reversed: 0, deducted: 0, closed: 0, recoveryIds: [] });

/**
 * Every due debt of a creator in one currency, oldest first: recoveries left PENDING are replayed,
 * then step 1 and — with `deduct`, just before a payout — step 2. The connected account holds the
 * creator's balance plus what their debts still hold back (and what opened payouts will take): a
 * charge's own transfer is reversed within the account's money beyond those payouts (balance + all
 * debts held back), another payment's only within the released part (released balance + due debts),
 * so every opened payout can still be paid and the account never goes below zero.
 */
export async function recoverCreatorDebts(
  deps: Deps,
  creatorId: string,
  currency: Currency,
  opts: { deduct: boolean; payoutId?: string | null },
): Promise<RecoveryResult> {
  const out = emptyResult();
  let debts = (await creatorDebts(deps, creatorId, currency)).filter((d) => d.due);
  if (!debts.length) return out;
  const replay = await deps.db
    .select()
    .from(debtRecoveries)
    .where(
      and(
        eq(debtRecoveries.creatorId, creatorId),
        eq(debtRecoveries.currency, currency),
        eq(debtRecoveries.status, 'PENDING'),
      ),
    )
    .orderBy(asc(debtRecoveries.createdAt))
    .all();
  for (const r of replay) {
    const result = await runRecovery(deps, r);
    if (result === 'pending') return out; // still unreachable: nothing new until it is settled
    if (result === 'succeeded') {
      out.recoveryIds.push(r.id);
      if (r.method === 'PAYOUT_DEDUCTION') out.deducted += r.amount;
      else out.reversed += r.amount;
    }
  }
  if (replay.length) debts = (await creatorDebts(deps, creatorId, currency)).filter((d) => d.due);
  const now = deps.clock.now();
  const [released, all, balance] = await Promise.all([
    deps.db.get<{ b: number }>(sql`select ${releasedBalanceSql(creatorId, currency, now)} as b`).then((r) => r?.b ?? 0),
    creatorDebts(deps, creatorId, currency),
    deps.db
      .get<{ b: number }>(
        sql`select coalesce(sum(${ledgerEntries.amount}), 0) as b from ${ledgerEntries} where ${ledgerEntries.account} = ${creatorAccount(creatorId)} and ${ledgerEntries.currency} = ${currency}`,
      )
      .then((r) => r?.b ?? 0),
  ]);
  const held = (list: Debt[]) => list.reduce((s, d) => s + d.outstanding - d.pending, 0);
  const budget = { own: Math.max(0, balance + held(all)), released: Math.max(0, released + held(debts)) };
  for (const debt of debts) {
    if (budget.own <= 0) break;
    const recovered = await recoverDebt(
      deps,
      debt,
      { deduct: opts.deduct, budget, payoutId: opts.payoutId ?? null },
      out,
    );
    budget.own -= recovered;
    budget.released -= recovered;
  }
  for (const r of replay)
    await closeIfRecovered(
      deps,
      r.disputeId ? { kind: 'dispute', id: r.disputeId } : { kind: 'refund', id: r.refundId! },
    );
  return out;
}

/** Step 1 when a dispute is lost: reverse what is left of the charge's own transfer. True when the debt is fully recovered. */
export async function recoverDisputeDebt(deps: Deps, disputeId: string): Promise<boolean> {
  const debt = await debtOf(deps, { kind: 'dispute', id: disputeId });
  if (!debt?.due) return false;
  await recoverCreatorDebts(deps, debt.creatorId, debt.currency, { deduct: false });
  return !!(await deps.db.select({ at: disputes.reconciledAt }).from(disputes).where(eq(disputes.id, disputeId)).get())
    ?.at;
}

/** Step 1 for every creator with due debts (hourly job); returns how many debts it closed. */
export async function recoverDueDebts(deps: Deps, limit: number): Promise<number> {
  const owing = await deps.db.all<{
    creatorId: string;
    currency: Currency;
  }>(sql`select distinct ${payments.creatorId} as creatorId, ${ledgerEntries.currency} as currency
    from ${ledgerEntries} join ${payments} on ${payments.id} = ${ledgerEntries.paymentId}
    left join ${disputes} on ${disputes.id} = ${ledgerEntries.disputeId} left join ${refunds} on ${refunds.id} = ${ledgerEntries.refundId}
    where ${ledgerEntries.account} = ${RECEIVABLE} and ((${disputes.id} is not null and ${disputes.status} = 'LOST' and ${disputes.reconciledAt} is null) or (${disputes.id} is null and ${refunds.id} is not null and ${refunds.reconciledAt} is null))
    group by ${payments.creatorId}, ${ledgerEntries.currency}, coalesce(${ledgerEntries.disputeId}, ${ledgerEntries.refundId}) having sum(${ledgerEntries.amount}) > 0 limit ${limit}`);
  let closed = 0;
  for (const o of owing) {
    try {
      closed += (await recoverCreatorDebts(deps, o.creatorId, o.currency, { deduct: false })).closed;
    } catch (e) {
      await deps.log.payout.warn(
        'PAYOUT_SKIPPED',
        `Debts of ${o.creatorId} (${o.currency}) not recovered this run`,
        { creatorId: o.creatorId, currency: o.currency },
        { error: e },
      );
    }
  }
  return closed;
}

export type SettleRefusal =
  | 'DISPUTE_NOT_FOUND'
  | 'REFUND_NOT_FOUND'
  | 'DEBT_NOT_OUTSTANDING'
  | 'DEBT_RECOVERY_IN_PROGRESS';

/**
 * Step 3 (admin): the creator paid what is left of the debt outside the platform — that share is
 * theirs again. Audited in both logs: the creator's payout steps and the admin trail.
 */
export async function settleDebtManually(
  deps: Deps,
  source: DebtSource,
  adminId: string,
  note: string,
  requestId?: string,
): Promise<{ ok: true; amount: number } | { ok: false; code: SettleRefusal }> {
  const exists =
    source.kind === 'dispute'
      ? await deps.db.select({ id: disputes.id }).from(disputes).where(eq(disputes.id, source.id)).get()
      : await deps.db.select({ id: refunds.id }).from(refunds).where(eq(refunds.id, source.id)).get();
  if (!exists) return { ok: false, code: source.kind === 'dispute' ? 'DISPUTE_NOT_FOUND' : 'REFUND_NOT_FOUND' };
  const debt = await debtOf(deps, source);
  if (!debt || !debt.due || debt.outstanding <= 0) return { ok: false, code: 'DEBT_NOT_OUTSTANDING' };
  if (debt.pending > 0) return { ok: false, code: 'DEBT_RECOVERY_IN_PROGRESS' };
  const now = deps.clock.now();
  const marked =
    source.kind === 'dispute'
      ? await deps.db
          .update(disputes)
          .set({ reconciledAt: now, reconciledBy: 'MANUAL', updatedAt: now })
          .where(and(eq(disputes.id, source.id), isNull(disputes.reconciledAt)))
          .returning({ id: disputes.id })
      : await deps.db
          .update(refunds)
          .set({ reconciledAt: now, reconciledBy: 'MANUAL', updatedAt: now })
          .where(and(eq(refunds.id, source.id), isNull(refunds.reconciledAt)))
          .returning({ id: refunds.id });
  if (!marked.length) return { ok: false, code: 'DEBT_NOT_OUTSTANDING' };
  const amount = debt.outstanding;
  await record(deps, {
    txId: `debt-settled:${source.id}`,
    currency: debt.currency,
    memo: `MANUAL: ${note}`,
    refs: {
      paymentId: debt.paymentId,
      ...(source.kind === 'dispute' ? { disputeId: source.id } : { refundId: source.id }),
    },
    entries: [
      { account: RECEIVABLE, kind: 'DEBT_SETTLED', amount: -amount },
      { account: 'platform:cash', kind: 'DEBT_SETTLED', amount },
      { account: bankAccount(debt.creatorId), kind: 'DEBT_SETTLED', amount: -amount },
      {
        account: creatorAccount(debt.creatorId),
        kind: 'DEBT_SETTLED',
        amount,
        creatorId: debt.creatorId,
        availableAt: now,
      },
    ],
  });
  await recordPayoutStep(deps, {
    creatorId: debt.creatorId,
    action: 'DEBT_SETTLED',
    amount,
    currency: debt.currency,
    actorUserId: adminId,
    reason: note,
    context: { [source.kind === 'dispute' ? 'disputeId' : 'refundId']: source.id },
  });
  await audit(deps, {
    actor: adminId,
    action: 'DEBT_SETTLE',
    entity: source.kind,
    entityId: source.id,
    before: { reconciledAt: null },
    after: { reconciledBy: 'MANUAL', amount },
    reason: note,
    requestId,
  });
  return { ok: true, amount };
}

/** Recoveries of a debt (admin view). */
export function recoveriesOf(deps: Deps, source: DebtSource) {
  return deps.db
    .select()
    .from(debtRecoveries)
    .where(source.kind === 'dispute' ? eq(debtRecoveries.disputeId, source.id) : eq(debtRecoveries.refundId, source.id))
    .orderBy(asc(debtRecoveries.createdAt))
    .all();
}

/** Total still owed per currency by a creator on due debts (for the finance pages). */
export async function dueDebtTotals(deps: Deps, creatorId: string): Promise<Partial<Record<Currency, number>>> {
  const out: Partial<Record<Currency, number>> = {};
  for (const d of await creatorDebts(deps, creatorId))
    if (d.due) out[d.currency] = (out[d.currency] ?? 0) + d.outstanding;
  return out;
}
