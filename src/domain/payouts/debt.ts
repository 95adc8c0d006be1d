/**
 * Creator debt. A refund reverses the creator's transfer at once (Stripe `reverse_transfer`), so its
 * share is settled on the spot. A formal dispute holds the creator's share (ledger: creator −debt,
 * platform:receivable +debt); once the dispute is LOST the platform recovers it:
 *   1. by reversing the charge's transfer (TRANSFER_REVERSAL) when possible,
 *   2. otherwise by withholding it from the next payout (PAYOUT_DEDUCTION — see openPayout),
 *   3. otherwise an admin records that the creator settled it outside the platform (MANUAL).
 * Each step is a ledger transaction: receivable → platform:cash.
 */
import { and, eq, gt, isNull } from 'drizzle-orm';
import { disputes, payments, type Currency } from '../../db/schema';
import type { Deps } from '../../deps';
import { bankAccount, creatorAccount, record, type Entry, type Tx } from '../ledger/ledger';
import { audit } from './audit';

export const RECEIVABLE = 'platform:receivable';

/** A formal dispute: the fan gets the money back from the platform, the creator's share is held as debt. */
export function disputeOpenedEntries(amount: number, debt: number, creatorId: string, now: Date): Entry[] {
  return [
    { account: 'fan', kind: 'DISPUTE', amount },
    { account: 'platform:cash', kind: 'DISPUTE', amount: -amount },
    { account: RECEIVABLE, kind: 'DEBT', amount: debt },
    { account: creatorAccount(creatorId), kind: 'DEBT', amount: -debt, creatorId, availableAt: now },
  ];
}

/** Recovery of a dispute debt (from the connected account or a payout): receivable → cash. */
export function debtRecoveryTx(d: { id: string; creatorDebt: number; currency: Currency; paymentId: string }, how: 'TRANSFER_REVERSAL' | 'PAYOUT_DEDUCTION', payoutId?: string): Tx {
  return {
    txId: `debt-recovered:${d.id}`, currency: d.currency, refs: { paymentId: d.paymentId, disputeId: d.id, ...(payoutId ? { payoutId } : {}) }, memo: how,
    entries: [
      { account: RECEIVABLE, kind: 'DEBT_RECOVERY', amount: -d.creatorDebt },
      { account: 'platform:cash', kind: 'DEBT_RECOVERY', amount: d.creatorDebt },
    ],
  };
}

/** Lost disputes whose creator debt is not recovered yet (per creator and currency). */
export async function outstandingDisputeDebts(deps: Deps, creatorId: string, currency?: Currency) {
  return deps.db.select({ id: disputes.id, creatorDebt: disputes.creatorDebt, currency: disputes.currency, paymentId: disputes.paymentId, chargeId: payments.chargeId })
    .from(disputes).innerJoin(payments, eq(payments.id, disputes.paymentId))
    .where(and(eq(payments.creatorId, creatorId), eq(disputes.status, 'LOST'), isNull(disputes.reconciledAt), gt(disputes.creatorDebt, 0), currency ? eq(disputes.currency, currency) : undefined))
    .all();
}

/** Step 1: reverse the charge's transfer by the debt. False when that is not possible (yet). */
export async function recoverDisputeDebt(deps: Deps, disputeId: string): Promise<boolean> {
  const row = await deps.db.select({ d: disputes, creatorId: payments.creatorId, chargeId: payments.chargeId }).from(disputes)
    .innerJoin(payments, eq(payments.id, disputes.paymentId)).where(eq(disputes.id, disputeId)).get();
  if (!row || row.d.status !== 'LOST' || row.d.reconciledAt || row.d.creatorDebt <= 0 || !row.chargeId) return false;
  const transferId = await deps.payments.transferOfCharge(row.chargeId);
  if (!transferId) return false;
  try {
    await deps.payments.reverseTransfer({ transferId, amount: row.d.creatorDebt, metadata: { disputeId, creatorId: row.creatorId }, idempotencyKey: `dispute-debt:${disputeId}` });
  } catch (e) {
    await deps.log.warn('PAYOUT_SKIPPED', `Dispute debt ${disputeId} could not be recovered by transfer reversal; it will be withheld from the next payout`, { context: { disputeId }, error: e });
    return false;
  }
  await record(deps, debtRecoveryTx(row.d, 'TRANSFER_REVERSAL'));
  const now = deps.clock.now();
  const marked = await deps.db.update(disputes).set({ reconciledAt: now, reconciledBy: 'TRANSFER_REVERSAL', updatedAt: now })
    .where(and(eq(disputes.id, disputeId), isNull(disputes.reconciledAt))).returning({ id: disputes.id });
  if (marked.length) await audit(deps, { creatorId: row.creatorId, action: 'DEBT_RECOVERED', amount: row.d.creatorDebt, currency: row.d.currency, reason: 'TRANSFER_REVERSAL', context: { disputeId } });
  return marked.length === 1;
}

/** Step 3 (admin): the creator paid the debt outside the platform — their share is theirs again. */
export async function settleDebtManually(deps: Deps, disputeId: string, adminId: string, note: string): Promise<{ ok: true } | { ok: false; code: 'DISPUTE_NOT_FOUND' | 'DEBT_NOT_OUTSTANDING' }> {
  const row = await deps.db.select({ d: disputes, creatorId: payments.creatorId }).from(disputes)
    .innerJoin(payments, eq(payments.id, disputes.paymentId)).where(eq(disputes.id, disputeId)).get();
  if (!row) return { ok: false, code: 'DISPUTE_NOT_FOUND' };
  if (row.d.status !== 'LOST' || row.d.reconciledAt || row.d.creatorDebt <= 0) return { ok: false, code: 'DEBT_NOT_OUTSTANDING' };
  const now = deps.clock.now();
  const marked = await deps.db.update(disputes).set({ reconciledAt: now, reconciledBy: 'MANUAL', updatedAt: now })
    .where(and(eq(disputes.id, disputeId), isNull(disputes.reconciledAt))).returning({ id: disputes.id });
  if (!marked.length) return { ok: false, code: 'DEBT_NOT_OUTSTANDING' };
  const debt = row.d.creatorDebt;
  await record(deps, {
    txId: `debt-settled:${disputeId}`, currency: row.d.currency, refs: { paymentId: row.d.paymentId, disputeId }, memo: `MANUAL: ${note}`,
    entries: [
      { account: RECEIVABLE, kind: 'DEBT_SETTLED', amount: -debt },
      { account: 'platform:cash', kind: 'DEBT_SETTLED', amount: debt },
      { account: bankAccount(row.creatorId), kind: 'DEBT_SETTLED', amount: -debt },
      { account: creatorAccount(row.creatorId), kind: 'DEBT_SETTLED', amount: debt, creatorId: row.creatorId, availableAt: now },
    ],
  });
  await audit(deps, { creatorId: row.creatorId, action: 'DEBT_SETTLED', amount: debt, currency: row.d.currency, actorUserId: adminId, reason: note, context: { disputeId } });
  return { ok: true };
}
