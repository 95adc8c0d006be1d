/**
 * Double-entry ledger. Every money movement is one transaction whose entries sum to zero.
 * Accounts (per currency):
 *   fan                 cards of fans (money in and refunds out)
 *   platform:fees       the platform's fee revenue
 *   platform:cash       the platform's own balance (bears disputes, recovers creator debt)
 *   platform:receivable what creators owe the platform (dispute debt not yet recovered)
 *   creator:<id>        the creator's funds; entries carry `availableAt` (pending until then)
 *   bank:<creatorId>    money paid out (or being paid out) to the creator's bank
 * A transaction id is derived from what caused it (`charge:<paymentId>`, `refund:<refundId>`…),
 * so recording the same movement twice is a no-op.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { rawStatement } from '../../db/client';
import { ledgerEntries, type Currency } from '../../db/schema';
import type { Deps } from '../../deps';

export type EntryKind =
  | 'CHARGE'
  | 'PLATFORM_FEE'
  | 'CREATOR_SHARE'
  | 'REFUND'
  | 'FEE_REFUND'
  | 'SHARE_REVERSAL'
  | 'REFUND_FAILED'
  | 'DISPUTE'
  | 'DISPUTE_REVERSAL'
  | 'DEBT'
  | 'DEBT_REVERSAL'
  | 'DEBT_RECOVERY'
  | 'DEBT_SETTLED'
  | 'PAYOUT'
  | 'PAYOUT_REVERSAL';

export interface Entry {
  account: string;
  kind: EntryKind;
  amount: number;
  creatorId?: string | null;
  availableAt?: Date | null;
}

export interface Tx {
  txId: string;
  currency: Currency;
  entries: Entry[];
  refs?: { paymentId?: string; refundId?: string; disputeId?: string; payoutId?: string };
  memo?: string;
}

export const creatorAccount = (creatorId: string) => `creator:${creatorId}`;
export const bankAccount = (creatorId: string) => `bank:${creatorId}`;

export class UnbalancedTransactionError extends Error {}

function assertBalanced(tx: Tx): void {
  const sum = tx.entries.reduce((s, e) => s + e.amount, 0);
  if (sum !== 0 || tx.entries.some((e) => !Number.isSafeInteger(e.amount))) {
    throw new UnbalancedTransactionError(`Transaction ${tx.txId} does not balance (sum ${sum})`);
  }
}

const entryId = (txId: string, i: number) => `led_${txId.replace(/[^a-z0-9]/gi, '')}_${i}`;

/**
 * The statements of a transaction that happens only if `guard` (an SQL condition) holds when the
 * batch runs — e.g. "the payout row was inserted": a D1 batch is one transaction, so the check and
 * the entries cannot be separated by another writer.
 */
export function guardedTxStatements(deps: Deps, tx: Tx, guard: SQL) {
  assertBalanced(tx);
  const now = deps.clock.now().getTime();
  return tx.entries
    .filter((e) => e.amount !== 0)
    .map((e, i) =>
      rawStatement(
        deps.d1,
        sql`
    insert or ignore into ledger_entries (id, tx_id, kind, account, creator_id, amount, currency, payment_id, refund_id, dispute_id, payout_id, available_at, memo, created_at)
    select ${entryId(tx.txId, i)}, ${tx.txId}, ${e.kind}, ${e.account}, ${e.creatorId ?? null}, ${e.amount}, ${tx.currency}, ${tx.refs?.paymentId ?? null},
      ${tx.refs?.refundId ?? null}, ${tx.refs?.disputeId ?? null}, ${tx.refs?.payoutId ?? null}, ${e.availableAt ? e.availableAt.getTime() : null}, ${tx.memo ?? null}, ${now}
    where ${guard}`,
      ),
    );
}

/** The call outcomes after which a creator's share is theirs (the service was given). */
export const RELEASING_OUTCOMES = ['COMPLETED', 'FAN_NO_SHOW'] as const;

/**
 * Whether a `ledger_entries` row counts as released at `now` (SQL condition on that table): past its
 * date, and — for a charge's share, its refund reversals (and their undoing) — only once the call's outcome is
 * decided and releases it (completed, fan no-show), an admin settled an interrupted call (paid, or
 * refunded: what the refund left is the creator's — once that refund is issued, its key is
 * `review:<bookingId>`), or the fan cancelled a confirmed booking before the call (likewise).
 * Never for a hold cancelled while pending (a payment completing after it is refunded in full), a
 * creator no-show or a call nobody attended (refunded in full), an interrupted call no admin
 * settled, nor a call not decided yet: a zero holding period cannot pay out a share before its refund.
 */
export function releasedSql(now: Date): SQL {
  return sql`((ledger_entries.available_at is null or ledger_entries.available_at <= ${now.getTime()})
    and (ledger_entries.kind not in ('CREATOR_SHARE', 'SHARE_REVERSAL', 'REFUND_FAILED') or ledger_entries.payment_id is null or exists (
      select 1 from payments p join bookings b on b.id = p.booking_id where p.id = ledger_entries.payment_id
        and (b.outcome in ('COMPLETED', 'FAN_NO_SHOW')
          or (b.outcome = 'INTERRUPTED' and b.review_applied_at is not null and not exists (
            select 1 from owed_refunds o where o.idempotency_key = 'review:' || b.id and o.status in ('PREPARED', 'OWED', 'FAILED')))
          or (b.status = 'CANCELLED' and b.outcome is null and b.cancelled_by = 'FAN' and b.confirmed_at is not null)))))`;
}

/** What a creator's account holds and is released at `now` in one currency (SQL, for guards). */
export function releasedBalanceSql(creatorId: string, currency: Currency, now: Date): SQL {
  return sql`(select coalesce(sum(amount), 0) from ledger_entries where account = ${creatorAccount(creatorId)} and currency = ${currency} and ${releasedSql(now)})`;
}

/** The insert statements of a transaction (to join a caller's db.batch), after checking balance. */
export function txStatements(deps: Deps, tx: Tx) {
  assertBalanced(tx);
  const now = deps.clock.now();
  return tx.entries
    .filter((e) => e.amount !== 0)
    .map((e, i) =>
      deps.db
        .insert(ledgerEntries)
        .values({
          id: entryId(tx.txId, i),
          txId: tx.txId,
          kind: e.kind,
          account: e.account,
          creatorId: e.creatorId ?? null,
          amount: e.amount,
          currency: tx.currency,
          paymentId: tx.refs?.paymentId ?? null,
          refundId: tx.refs?.refundId ?? null,
          disputeId: tx.refs?.disputeId ?? null,
          payoutId: tx.refs?.payoutId ?? null,
          availableAt: e.availableAt ?? null,
          memo: tx.memo ?? null,
          createdAt: now,
        })
        .onConflictDoNothing(),
    );
}

/** Records a transaction once (entry ids derive from the transaction id). */
export async function record(deps: Deps, tx: Tx): Promise<void> {
  const stmts = txStatements(deps, tx);
  if (stmts.length) await deps.db.batch(stmts as [(typeof stmts)[number], ...typeof stmts]);
}

export async function hasTx(deps: Deps, txId: string): Promise<boolean> {
  return !!(await deps.db
    .select({ id: ledgerEntries.id })
    .from(ledgerEntries)
    .where(eq(ledgerEntries.txId, txId))
    .get());
}

/** Entries of a succeeded charge: the fan pays, the platform keeps its fee, the creator's share waits for its release date. */
export function chargeEntries(p: {
  amount: number;
  platformFee: number;
  creatorShare: number;
  creatorId: string;
  payoutReleaseAt: Date | null;
}): Entry[] {
  return [
    { account: 'fan', kind: 'CHARGE', amount: -p.amount },
    { account: 'platform:fees', kind: 'PLATFORM_FEE', amount: p.platformFee },
    {
      account: creatorAccount(p.creatorId),
      kind: 'CREATOR_SHARE',
      amount: p.creatorShare,
      creatorId: p.creatorId,
      availableAt: p.payoutReleaseAt,
    },
  ];
}

/** Entries of a refund: back to the fan, the fee refunded pro rata, the creator's share reversed (same release date). */
export function refundEntries(
  p: { creatorId: string; payoutReleaseAt: Date | null },
  amount: number,
  split: { feeRefund: number; shareReversal: number },
): Entry[] {
  return [
    { account: 'fan', kind: 'REFUND', amount },
    { account: 'platform:fees', kind: 'FEE_REFUND', amount: -split.feeRefund },
    {
      account: creatorAccount(p.creatorId),
      kind: 'SHARE_REVERSAL',
      amount: -split.shareReversal,
      creatorId: p.creatorId,
      availableAt: p.payoutReleaseAt,
    },
  ];
}

export interface CreatorBalance {
  currency: Currency;
  /** Everything earned minus reversals, payouts and debts. */
  total: number;
  /** Shares not released yet (call end + holding period, and the call's outcome decided). */
  pending: number;
  /** Released funds that can be paid out. */
  available: number;
  /** What the creator owes (released balance below zero). */
  debt: number;
}

/** The creator's balances per currency, derived from the ledger at `now`. */
export async function creatorBalances(deps: Pick<Deps, 'db'>, creatorId: string, now: Date): Promise<CreatorBalance[]> {
  const rows = await deps.db
    .select({
      currency: ledgerEntries.currency,
      total: sql<number>`sum(${ledgerEntries.amount})`,
      pending: sql<number>`coalesce(sum(case when ${releasedSql(now)} then 0 else ${ledgerEntries.amount} end), 0)`,
    })
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.account, creatorAccount(creatorId))))
    .groupBy(ledgerEntries.currency)
    .all();
  return rows.map((r) => {
    const released = r.total - r.pending;
    return {
      currency: r.currency,
      total: r.total,
      pending: Math.max(0, r.pending),
      available: Math.max(0, released),
      debt: Math.max(0, -released),
    };
  });
}

/** Sum of every entry of a payment (zero when its books balance). */
export async function paymentLedgerSum(deps: Pick<Deps, 'db'>, paymentId: string): Promise<number> {
  return (
    (
      await deps.db
        .select({ s: sql<number>`coalesce(sum(${ledgerEntries.amount}), 0)` })
        .from(ledgerEntries)
        .where(eq(ledgerEntries.paymentId, paymentId))
        .get()
    )?.s ?? 0
  );
}
