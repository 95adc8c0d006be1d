/**
 * The payout engine — the only code that moves a creator's money to their bank.
 *
 * A payout is opened with one D1 batch (one transaction): the payout row is inserted only if the
 * creator's released balance still covers it and its idempotency key is new, and its ledger entries
 * (creator → bank) and its CREATED audit only if that row exists. Two runners, a double click or a
 * job running twice therefore cannot pay the same money twice. Before it, the creator's due debts
 * are taken back from their connected account (see debt.ts) — the same order whoever opens it.
 * Then, in AUTOMATIC mode (or when an admin triggers or approves it), the provider pays out from the
 * connected account with an idempotency key per payout — unless the creator was blocked, lost
 * payouts at the provider or left onboarding since (checked again at approval and at sending: the
 * payout is held, not sent). payout.paid / failed / canceled (webhook, reconciliation or the job's
 * check of payouts long in transit) settle it; a failed payout — even one the bank returns after it
 * was paid — gives the money back to the balance and is retried on the next run (three failures in
 * a row block payouts until an admin looks).
 */
import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { rawStatement } from '../../db/client';
import { bare, columnList } from '../../db/sql-names';
import { one } from '../../db/one';
import {
  creators,
  debtRecoveries,
  ledgerEntries,
  payoutAudit,
  payouts,
  type Creator,
  type Currency,
  type User,
} from '../../db/schema';
import type { Deps } from '../../deps';
import { PaymentProviderError } from '../../providers/payments/port';
import {
  bankAccount,
  creatorAccount,
  creatorBalances,
  guardedTxStatements,
  hasTx,
  record,
  releasedBalanceSql,
} from '../ledger/ledger';
import { audit } from '../admin/audit';
import { creatorById } from '../creators/queries';
import { getSettings, type PlatformSettings } from '../settings';
import { recordPayoutStep } from './audit';
import { recoverCreatorDebts } from './debt';
import { payoutEligibility, payoutMinimum, type Eligibility, type IneligibleReason } from './eligibility';
import { payoutNotice } from './notices';
import { nextPayoutSlot } from './schedule';

export type Payout = typeof payouts.$inferSelect;
/**
 * Reasons the engine itself gives (stored as codes, shown as words in the reader's language); other
 * reasons — the provider's or the bank's, an admin's — are shown as given.
 */
export const PAYOUT_REASON_CODES = ['CANCELED', 'OVERDRAWN'] as const;
export type PayoutReasonCode = (typeof PAYOUT_REASON_CODES)[number];
export const MAX_CONSECUTIVE_FAILURES = 3;

/** Eligibility per currency: every currency the creator has money in, and always their own. */
export async function creatorEligibility(
  deps: Deps,
  creator: Creator,
  now = deps.clock.now(),
  settings?: PlatformSettings,
): Promise<Eligibility[]> {
  const [balances, current, releases] = await Promise.all([
    creatorBalances(deps, creator.id, now),
    settings ?? getSettings(deps),
    deps.db
      .select({ currency: ledgerEntries.currency, next: sql<number>`min(${ledgerEntries.availableAt})` })
      .from(ledgerEntries)
      .where(
        and(
          eq(ledgerEntries.account, creatorAccount(creator.id)),
          sql`${ledgerEntries.availableAt} > ${now.getTime()}`,
          sql`${ledgerEntries.amount} > 0`,
        ),
      )
      .groupBy(ledgerEntries.currency)
      .all(),
  ]);
  const list = balances.some((b) => b.currency === creator.currency)
    ? balances
    : [{ currency: creator.currency, total: 0, pending: 0, available: 0, debt: 0 }, ...balances];
  return list.map((balance) => {
    const next = releases.find((r) => r.currency === balance.currency)?.next;
    return payoutEligibility({
      creator,
      balance,
      minimum: payoutMinimum(current, creator, balance.currency),
      nextReleaseAt: next ? new Date(next) : null,
    });
  });
}

/** What keeps money from leaving whatever the balance (re-checked at approval and at sending). */
export function sendBlockers(
  creator: Pick<Creator, 'stripeAccountId' | 'detailsSubmitted' | 'payoutsEnabled' | 'payoutsBlocked' | 'currency'>,
): IneligibleReason[] {
  return payoutEligibility({
    creator,
    balance: { currency: creator.currency, available: 1, pending: 0, debt: 0 },
    minimum: 0,
    nextReleaseAt: null,
  }).reasons;
}

export type OpenResult =
  | { ok: true; payout: Payout; created: boolean }
  | { ok: false; code: 'NOT_ELIGIBLE'; eligibility: Eligibility }
  | { ok: false; code: 'PAYOUT_CONFLICT' };

// A payout's creator always exists (foreign key), hence the assertion.
const creatorOf = async (deps: Deps, id: string) => (await creatorById(deps, id))!;
const payoutOf = async (deps: Deps, id: string) =>
  (await deps.db.select().from(payouts).where(eq(payouts.id, id)).get()) ?? null;

interface OpenInput {
  creator: Creator;
  currency: Currency;
  origin: 'SCHEDULE' | 'CREATOR' | 'ADMIN';
  periodKey: string;
  actorUserId?: string | null;
}

/**
 * Opens a payout of everything released in `currency` (idempotent per `periodKey`). SCHEDULE and
 * CREATOR payouts wait for an admin in APPROVAL mode; ADMIN-triggered ones are approved already,
 * and in the admin audit trail.
 */
export async function openPayout(deps: Deps, input: OpenInput, requestId?: string): Promise<OpenResult> {
  const r = await open(deps, input);
  if (r.ok && input.origin === 'ADMIN' && input.actorUserId)
    await audit(deps, {
      actor: input.actorUserId,
      action: 'PAYOUT_TRIGGER',
      entity: 'creator',
      entityId: input.creator.id,
      after: { payoutId: r.payout.id, amount: r.payout.amount, currency: r.payout.currency, status: r.payout.status },
      requestId,
    });
  return r;
}

/** An admin pays a creator out now (API and admin page): approved at once, audited, never merged with another request. */
export function openAdminPayout(
  deps: Deps,
  creator: Creator,
  adminId: string,
  currency: Currency | undefined,
  requestId?: string,
): Promise<OpenResult> {
  return openPayout(
    deps,
    {
      creator,
      currency: currency ?? creator.currency,
      origin: 'ADMIN',
      periodKey: `admin:${deps.ids.next('req')}`,
      actorUserId: adminId,
    },
    requestId,
  );
}

async function open(deps: Deps, input: OpenInput): Promise<OpenResult> {
  const { creator, currency, origin } = input;
  const key = `payout:${creator.id}:${currency}:${input.periodKey}`;
  const existing = await deps.db.select().from(payouts).where(eq(payouts.idempotencyKey, key)).get();
  if (existing) return { ok: true, payout: existing, created: false };
  // Read fresh: another isolate's cached AUTOMATIC must not bypass an admin who just chose APPROVAL.
  const settings = await getSettings(deps, { fresh: true });
  const now = deps.clock.now();
  const e =
    (await creatorEligibility(deps, creator, now, settings)).find((x) => x.currency === currency) ??
    payoutEligibility({
      creator,
      balance: { currency, available: 0, pending: 0, debt: 0 },
      minimum: 0,
      nextReleaseAt: null,
    });
  if (!e.eligible) return { ok: false, code: 'NOT_ELIGIBLE', eligibility: e };
  // Due debt first, in the same order as the job: the debt's own transfer, then the creator's other
  // released transfers (the ledger already holds the debt back: the payout is the rest).
  const recovery = await recoverCreatorDebts(deps, creator.id, currency, { deduct: true });
  const status = origin === 'ADMIN' || settings.payoutMode === 'AUTOMATIC' ? 'APPROVED' : 'REQUESTED';
  const id = deps.ids.next('pyt');
  const amount = e.amount;
  const t = now.getTime();
  const inserted = sql`exists (select 1 from ${payouts} where ${payouts.id} = ${id})`;
  const approvedBy = status === 'APPROVED' ? (input.actorUserId ?? null) : null;
  const created = {
    origin,
    debtDeducted: recovery.deducted,
    debtRecovered: recovery.reversed,
    recoveries: recovery.recoveryIds,
    mode: settings.payoutMode,
  };
  await deps.d1.batch([
    // The guard: still covered by the released balance (read inside this transaction), key unused.
    rawStatement(
      deps.d1,
      sql`insert or ignore into ${payouts} (${columnList(payouts.id, payouts.creatorId, payouts.amount, payouts.currency, payouts.status, payouts.origin, payouts.idempotencyKey, payouts.debtDeducted, payouts.approvedBy, payouts.requestedAt, payouts.approvedAt, payouts.createdAt, payouts.updatedAt)})
      select ${id}, ${creator.id}, ${amount}, ${currency}, ${status}, ${origin}, ${key}, ${recovery.deducted}, ${approvedBy}, ${t}, ${status === 'APPROVED' ? t : null}, ${t}, ${t}
      where ${releasedBalanceSql(creator.id, currency, now)} >= ${amount}`,
    ),
    ...guardedTxStatements(
      deps,
      {
        txId: `payout:${id}`,
        currency,
        refs: { payoutId: id },
        memo: `${origin} payout`,
        entries: [
          {
            account: creatorAccount(creator.id),
            kind: 'PAYOUT',
            amount: -amount,
            creatorId: creator.id,
            availableAt: now,
          },
          { account: bankAccount(creator.id), kind: 'PAYOUT', amount },
        ],
      },
      inserted,
    ),
    rawStatement(
      deps.d1,
      sql`insert into ${payoutAudit} (${columnList(payoutAudit.id, payoutAudit.payoutId, payoutAudit.creatorId, payoutAudit.action, payoutAudit.amount, payoutAudit.currency, payoutAudit.status, payoutAudit.actorUserId, payoutAudit.reason, payoutAudit.context, payoutAudit.createdAt)})
      select ${deps.ids.next('pya')}, ${id}, ${creator.id}, 'CREATED', ${amount}, ${currency}, ${status}, ${input.actorUserId ?? null}, null, ${JSON.stringify(created)}, ${t} where ${inserted}`,
    ),
    rawStatement(
      deps.d1,
      sql`update ${debtRecoveries} set ${bare(debtRecoveries.payoutId)} = ${id} where ${debtRecoveries.method} = 'PAYOUT_DEDUCTION' and ${debtRecoveries.id} in (select value from json_each(${JSON.stringify(recovery.recoveryIds)})) and ${inserted}`,
    ),
  ]);
  const payout = await payoutOf(deps, id);
  if (!payout) {
    const same = await deps.db.select().from(payouts).where(eq(payouts.idempotencyKey, key)).get();
    return same ? { ok: true, payout: same, created: false } : { ok: false, code: 'PAYOUT_CONFLICT' };
  }
  await deps.log.payout.info(
    'PAYOUT_CREATED',
    `Payout ${id} of ${amount} ${currency} for ${creator.id} (${origin}, ${status})`,
    { payoutId: id, creatorId: creator.id, amount, currency, debtDeducted: recovery.deducted },
    { actorId: input.actorUserId ?? null },
  );
  if (status === 'REQUESTED') {
    await payoutNotice(deps, creator, payout, 'requested');
    await payoutNotice(deps, creator, payout, 'approval_needed');
    return { ok: true, payout, created: true };
  }
  return { ok: true, payout: await sendPayout(deps, payout), created: true };
}

/** Records once (per reason set) that an approved payout waits because its creator cannot be paid now. */
async function holdPayout(deps: Deps, p: Payout, creator: Creator, reasons: IneligibleReason[]): Promise<void> {
  const last = await deps.db
    .select({ action: payoutAudit.action, reason: payoutAudit.reason })
    .from(payoutAudit)
    .where(eq(payoutAudit.payoutId, p.id))
    .orderBy(desc(payoutAudit.createdAt), desc(sql`rowid`))
    .get();
  const reason = reasons.join(',');
  if (last?.action === 'HELD' && last.reason === reason) return;
  await recordPayoutStep(deps, {
    payoutId: p.id,
    creatorId: p.creatorId,
    action: 'HELD',
    amount: p.amount,
    currency: p.currency,
    status: p.status,
    reason,
    context: { blockReason: creator.payoutBlockReason },
  });
  await deps.log.payout.warn('PAYOUT_SKIPPED', `Payout ${p.id} held: ${reason}`, {
    payoutId: p.id,
    creatorId: p.creatorId,
  });
}

/**
 * Pays an APPROVED payout out through the provider (idempotent per payout). Held while the creator
 * is blocked, not onboarded or without provider payouts; a permanent refusal fails it; an outage
 * leaves it APPROVED for the next run (SEND_RETRY).
 */
export async function sendPayout(deps: Deps, payout: Payout): Promise<Payout> {
  if (payout.status !== 'APPROVED' || payout.stripePayoutId) return payout;
  const creator = await creatorOf(deps, payout.creatorId);
  const blockers = sendBlockers(creator);
  if (blockers.length) {
    await holdPayout(deps, payout, creator, blockers);
    return payout;
  }
  // Refunds or lost disputes booked after this payout was opened may have taken back money it counted
  // on (a transfer reversal empties the connected account it was to be paid from): the released
  // balance is then below zero. Paying it would pay money the creator no longer owns — and the
  // provider would refuse it for lack of funds. It is canceled instead: the money goes back to the
  // balance, the debt is settled first, and the next payout pays the rest.
  const released = await releasedBalance(
    deps,
    creator.id,
    payout.currency,
    new Date(Math.max(deps.clock.now().getTime(), payout.createdAt.getTime())),
  );
  if (released < 0) {
    return cancelPayout(deps, payout, 'OVERDRAWN', { overdrawnBy: -released });
  }
  try {
    const info = await deps.payments.createPayout({
      accountId: creator.stripeAccountId ?? '',
      amount: payout.amount,
      currency: payout.currency,
      metadata: { payoutId: payout.id, creatorId: creator.id },
      idempotencyKey: `payout:${payout.id}`,
    });
    const now = deps.clock.now();
    const [updated] = await deps.db
      .update(payouts)
      .set({ status: 'PROCESSING', stripePayoutId: info.id, updatedAt: now })
      .where(and(eq(payouts.id, payout.id), eq(payouts.status, 'APPROVED')))
      .returning();
    if (!updated) return (await payoutOf(deps, payout.id))!;
    await recordPayoutStep(deps, {
      payoutId: payout.id,
      creatorId: creator.id,
      action: 'PROCESSING',
      amount: payout.amount,
      currency: payout.currency,
      status: 'PROCESSING',
      context: { providerPayoutId: info.id },
    });
    await payoutNotice(deps, creator, updated, 'sent');
    // The provider may settle at once (some local accounts do): take the answer now, the webhook agrees.
    if (info.status === 'paid' || info.status === 'failed' || info.status === 'canceled')
      return (await settleProviderPayout(deps, info.id, info.status, info.failureMessage)) ?? updated;
    return updated;
  } catch (e) {
    if (e instanceof PaymentProviderError && !e.retryable) return failPayout(deps, payout, e.message);
    await recordPayoutStep(deps, {
      payoutId: payout.id,
      creatorId: payout.creatorId,
      action: 'SEND_RETRY',
      amount: payout.amount,
      currency: payout.currency,
      status: payout.status,
      reason: (e as Error).message.slice(0, 500),
    });
    await deps.log.payout.warn(
      'PAYOUT_ERROR',
      `Payout ${payout.id} not sent yet (${(e as Error).message}); retried next run`,
      { payoutId: payout.id },
      { error: e },
    );
    return payout;
  }
}

/** payout.paid / payout.failed / payout.canceled (webhook, the provider's immediate answer, or a check). */
export async function settleProviderPayout(
  deps: Deps,
  providerPayoutId: string,
  outcome: 'paid' | 'failed' | 'canceled',
  failureMessage: string | null,
): Promise<Payout | null> {
  const p = await deps.db.select().from(payouts).where(eq(payouts.stripePayoutId, providerPayoutId)).get();
  if (!p) {
    // A payout made outside the app (e.g. in the Stripe dashboard): nothing of ours to settle.
    await deps.log.payout.warn('PAYOUT_ERROR', `Settlement for unknown payout ${providerPayoutId}`, {
      providerPayoutId,
    });
    return null;
  }
  if (outcome === 'failed') return failPayout(deps, p, failureMessage ?? 'The bank refused the payout.');
  if (outcome === 'canceled') return cancelPayout(deps, p);
  const now = deps.clock.now();
  const [paid] = await deps.db
    .update(payouts)
    .set({ status: 'PAID', paidAt: now, updatedAt: now })
    .where(and(eq(payouts.id, p.id), inArray(payouts.status, ['APPROVED', 'PROCESSING'])))
    .returning();
  if (!paid) return p; // already settled (duplicate or late event)
  const creator = await creatorOf(deps, p.creatorId);
  await recordPayoutStep(deps, {
    payoutId: p.id,
    creatorId: p.creatorId,
    action: 'PAID',
    amount: p.amount,
    currency: p.currency,
    status: 'PAID',
  });
  await deps.log.payout.info('PAYOUT_PAID', `Payout ${p.id} paid`, {
    payoutId: p.id,
    creatorId: p.creatorId,
    amount: p.amount,
    currency: p.currency,
  });
  await payoutNotice(deps, creator, paid, 'paid');
  return paid;
}

/** The money of a payout that will not arrive goes back to the creator's balance (once). */
async function returnToBalance(deps: Deps, p: Payout, txId: string, memo: string): Promise<void> {
  if (!(await hasTx(deps, `payout:${p.id}`))) return;
  await record(deps, {
    txId,
    currency: p.currency,
    refs: { payoutId: p.id },
    memo,
    entries: [
      { account: bankAccount(p.creatorId), kind: 'PAYOUT_REVERSAL', amount: -p.amount },
      {
        account: creatorAccount(p.creatorId),
        kind: 'PAYOUT_REVERSAL',
        amount: p.amount,
        creatorId: p.creatorId,
        availableAt: deps.clock.now(),
      },
    ],
  });
}

/** Puts a scheduled creator back in line for the next run (a payout to retry). */
const retryNextRun = (deps: Deps, creatorId: string) =>
  deps.db
    .update(creators)
    .set({ nextPayoutAt: deps.clock.now(), updatedAt: deps.clock.now() })
    .where(eq(creators.id, creatorId));

/**
 * A payout that will not arrive — refused, failed, or returned by the bank after it was paid: the
 * money goes back to the balance and is retried on the next run, unless it is the third failure in
 * a row: then payouts are blocked until an admin checks the bank details (and the creator is told so).
 */
export async function failPayout(deps: Deps, payout: Payout, reason: string): Promise<Payout> {
  const p = (await payoutOf(deps, payout.id)) ?? payout;
  if (p.status !== 'APPROVED' && p.status !== 'PROCESSING' && p.status !== 'PAID') return p;
  const now = deps.clock.now();
  const [failed] = await deps.db
    .update(payouts)
    .set({ status: 'FAILED', failedAt: now, failureReason: reason.slice(0, 500), updatedAt: now })
    .where(and(eq(payouts.id, p.id), eq(payouts.status, p.status)))
    .returning();
  if (!failed) return (await payoutOf(deps, p.id))!;
  const returned = p.status === 'PAID';
  await returnToBalance(deps, p, `payout-failed:${p.id}`, reason);
  const creator = await creatorOf(deps, p.creatorId);
  await recordPayoutStep(deps, {
    payoutId: p.id,
    creatorId: p.creatorId,
    action: 'FAILED',
    amount: p.amount,
    currency: p.currency,
    status: 'FAILED',
    reason,
    context: { from: p.status },
  });
  await deps.log.payout.error(
    'PAYOUT_FAILED',
    `Payout ${p.id} ${returned ? 'returned after it was paid' : 'failed'}: ${reason}`,
    { payoutId: p.id, creatorId: p.creatorId, amount: p.amount, currency: p.currency, reason, from: p.status },
  );
  const recent = await deps.db
    .select({ status: payouts.status })
    .from(payouts)
    .where(eq(payouts.creatorId, p.creatorId))
    .orderBy(desc(payouts.createdAt))
    .limit(MAX_CONSECUTIVE_FAILURES)
    .all();
  const block = recent.length === MAX_CONSECUTIVE_FAILURES && recent.every((r) => r.status === 'FAILED');
  await payoutNotice(deps, creator, failed, block ? 'failed_blocked' : returned ? 'returned' : 'failed');
  if (block)
    await setPayoutsBlocked(
      deps,
      creator,
      null,
      true,
      `${MAX_CONSECUTIVE_FAILURES} payouts failed in a row: check the bank account, then unblock.`,
      { notify: false },
    );
  else await retryNextRun(deps, p.creatorId);
  return failed;
}

/**
 * The creator's released balance in a currency at `at`, below zero when they owe (their open payouts
 * are booked already). Released money only grows with time, so asking at or after a payout's opening
 * sees at least what its guard saw then.
 */
async function releasedBalance(deps: Deps, creatorId: string, currency: Currency, at: Date): Promise<number> {
  return (await deps.db.get<{ s: number }>(sql`select ${releasedBalanceSql(creatorId, currency, at)} as s`))!.s;
}

/**
 * payout.canceled: stopped before it arrived (e.g. from the provider's dashboard), or by the engine
 * before sending when the balance no longer covers it. The money goes back; retried on the next run.
 */
export async function cancelPayout(
  deps: Deps,
  p: Payout,
  reason: PayoutReasonCode = 'CANCELED',
  context?: Record<string, unknown>,
): Promise<Payout> {
  const now = deps.clock.now();
  const [canceled] = await deps.db
    .update(payouts)
    .set({ status: 'CANCELED', failedAt: now, failureReason: reason, updatedAt: now })
    .where(and(eq(payouts.id, p.id), inArray(payouts.status, ['APPROVED', 'PROCESSING'])))
    .returning();
  if (!canceled) return (await payoutOf(deps, p.id)) ?? p;
  await returnToBalance(deps, p, `payout-canceled:${p.id}`, 'payout canceled');
  await recordPayoutStep(deps, {
    payoutId: p.id,
    creatorId: p.creatorId,
    action: 'CANCELED',
    amount: p.amount,
    currency: p.currency,
    status: 'CANCELED',
    reason,
    context,
  });
  await deps.log.payout.warn('PAYOUT_FAILED', `Payout ${p.id} canceled (${reason}); the money is back on the balance`, {
    payoutId: p.id,
    creatorId: p.creatorId,
  });
  // The notice says why in the creator's language (the code is read as words on the pages).
  await payoutNotice(
    deps,
    await creatorOf(deps, p.creatorId),
    canceled,
    reason === 'OVERDRAWN' ? 'overdrawn' : 'canceled',
    '',
  );
  await retryNextRun(deps, p.creatorId);
  return canceled;
}

export type AdminRefusal = 'PAYOUT_NOT_FOUND' | 'PAYOUT_NOT_PENDING';
export type ApproveResult =
  | { ok: true; payout: Payout }
  | { ok: false; code: AdminRefusal }
  | { ok: false; code: 'NOT_ELIGIBLE'; reasons: IneligibleReason[] };

async function refusalFor(deps: Deps, payoutId: string): Promise<{ ok: false; code: AdminRefusal }> {
  return (await payoutOf(deps, payoutId))
    ? { ok: false, code: 'PAYOUT_NOT_PENDING' }
    : { ok: false, code: 'PAYOUT_NOT_FOUND' };
}

/** Approves a requested payout and sends it — unless its creator cannot be paid now (blocked, not onboarded, payouts off). */
export async function approvePayout(
  deps: Deps,
  payoutId: string,
  admin: Pick<User, 'id'>,
  requestId?: string,
): Promise<ApproveResult> {
  const p = await payoutOf(deps, payoutId);
  if (!p || p.status !== 'REQUESTED') return refusalFor(deps, payoutId);
  const blockers = sendBlockers(await creatorOf(deps, p.creatorId));
  if (blockers.length) return { ok: false, code: 'NOT_ELIGIBLE', reasons: blockers };
  const now = deps.clock.now();
  const [approved] = await deps.db
    .update(payouts)
    .set({ status: 'APPROVED', approvedBy: admin.id, approvedAt: now, updatedAt: now })
    .where(and(eq(payouts.id, payoutId), eq(payouts.status, 'REQUESTED')))
    .returning();
  if (!approved) return refusalFor(deps, payoutId);
  await recordPayoutStep(deps, {
    payoutId,
    creatorId: approved.creatorId,
    action: 'APPROVED',
    amount: approved.amount,
    currency: approved.currency,
    status: 'APPROVED',
    actorUserId: admin.id,
  });
  await payoutNotice(deps, await creatorOf(deps, approved.creatorId), approved, 'approved');
  const sent = await sendPayout(deps, approved);
  await audit(deps, {
    actor: admin.id,
    action: 'PAYOUT_APPROVE',
    entity: 'payout',
    entityId: payoutId,
    before: { status: 'REQUESTED' },
    after: { status: sent.status, amount: sent.amount, currency: sent.currency },
    requestId,
  });
  return { ok: true, payout: sent };
}

/** A requested payout turned down: the money stays on the creator's balance. */
async function reject(
  deps: Deps,
  payoutId: string,
  actorUserId: string | null,
  reason: string,
): Promise<Payout | null> {
  const now = deps.clock.now();
  const [rejected] = await deps.db
    .update(payouts)
    .set({ status: 'REJECTED', rejectedAt: now, rejectedReason: reason, updatedAt: now })
    .where(and(eq(payouts.id, payoutId), eq(payouts.status, 'REQUESTED')))
    .returning();
  if (!rejected) return null;
  await returnToBalance(deps, rejected, `payout-rejected:${payoutId}`, reason);
  await recordPayoutStep(deps, {
    payoutId,
    creatorId: rejected.creatorId,
    action: 'REJECTED',
    amount: rejected.amount,
    currency: rejected.currency,
    status: 'REJECTED',
    actorUserId,
    reason,
  });
  await payoutNotice(deps, await creatorOf(deps, rejected.creatorId), rejected, 'rejected');
  return rejected;
}

export async function rejectPayout(
  deps: Deps,
  payoutId: string,
  admin: Pick<User, 'id'>,
  reason: string,
  requestId?: string,
): Promise<{ ok: true; payout: Payout } | { ok: false; code: AdminRefusal }> {
  const rejected = await reject(deps, payoutId, admin.id, reason);
  if (!rejected) return refusalFor(deps, payoutId);
  await audit(deps, {
    actor: admin.id,
    action: 'PAYOUT_REJECT',
    entity: 'payout',
    entityId: payoutId,
    before: { status: 'REQUESTED' },
    after: { status: rejected.status, amount: rejected.amount, currency: rejected.currency },
    reason,
    requestId,
  });
  return { ok: true, payout: rejected };
}

/**
 * Blocks or unblocks a creator's payouts (admin, or the engine after repeated failures). Blocking
 * turns down the payouts waiting for approval (the money stays on the balance) and holds the approved
 * ones not sent yet; unblocking sends those at once. An admin's change is in the admin audit trail.
 */
export async function setPayoutsBlocked(
  deps: Deps,
  creator: Creator,
  adminId: string | null,
  blocked: boolean,
  reason: string | null,
  opts: { notify?: boolean; requestId?: string } = {},
): Promise<Creator> {
  const now = deps.clock.now();
  const updated = one(
    await deps.db
      .update(creators)
      .set({
        payoutsBlocked: blocked,
        payoutBlockReason: blocked ? reason : null,
        updatedAt: now,
        // Unblocking puts a scheduled creator back on schedule at once.
        ...(blocked ? {} : { nextPayoutAt: creator.payoutSchedule === 'MANUAL' ? null : now }),
      })
      .where(eq(creators.id, creator.id))
      .returning(),
    'the creator whose payouts were blocked or unblocked',
  );
  await recordPayoutStep(deps, {
    creatorId: creator.id,
    action: blocked ? 'BLOCKED' : 'UNBLOCKED',
    actorUserId: adminId,
    reason,
  });
  await deps.log.payout.info(
    blocked ? 'PAYOUTS_BLOCKED' : 'PAYOUTS_UNBLOCKED',
    `Payouts of ${creator.id} ${blocked ? 'blocked' : 'unblocked'}`,
    { creatorId: creator.id, reason },
    { actorId: adminId },
  );
  if (opts.notify !== false) await payoutNotice(deps, updated, null, blocked ? 'blocked' : 'unblocked', reason);
  const open = await deps.db
    .select()
    .from(payouts)
    .where(
      and(
        eq(payouts.creatorId, creator.id),
        inArray(payouts.status, ['REQUESTED', 'APPROVED']),
        isNull(payouts.stripePayoutId),
      ),
    )
    .all();
  for (const p of open) {
    if (blocked && p.status === 'REQUESTED')
      await reject(deps, p.id, adminId, `Payouts blocked: ${reason ?? ''}`.trim());
    else if (p.status === 'APPROVED') await sendPayout(deps, p); // blocked: held (audited); unblocked: sent
  }
  if (adminId)
    await audit(deps, {
      actor: adminId,
      action: blocked ? 'PAYOUTS_BLOCK' : 'PAYOUTS_UNBLOCK',
      entity: 'creator',
      entityId: creator.id,
      before: { payoutsBlocked: creator.payoutsBlocked, payoutBlockReason: creator.payoutBlockReason },
      after: { payoutsBlocked: blocked, payoutBlockReason: blocked ? reason : null },
      reason: blocked ? reason : null,
      requestId: opts.requestId,
    });
  return updated;
}

/** The creator's schedule settings; the next payout date follows from them. */
export async function updatePayoutSettings(
  deps: Deps,
  creator: Creator,
  input: { schedule: Creator['payoutSchedule']; weekday: number; minimum: number | null },
): Promise<Creator> {
  const now = deps.clock.now();
  const next = nextPayoutSlot({ payoutSchedule: input.schedule, payoutWeekday: input.weekday }, now, creator.timezone);
  const updated = one(
    await deps.db
      .update(creators)
      .set({
        payoutSchedule: input.schedule,
        payoutWeekday: input.weekday,
        payoutMinimum: input.minimum,
        nextPayoutAt: next,
        updatedAt: now,
      })
      .where(eq(creators.id, creator.id))
      .returning(),
    'the creator with new payout settings',
  );
  await recordPayoutStep(deps, {
    creatorId: creator.id,
    action: 'SETTINGS',
    actorUserId: creator.userId,
    context: {
      schedule: input.schedule,
      weekday: input.weekday,
      minimum: input.minimum,
      from: creator.nextPayoutAt?.toISOString() ?? null,
      nextPayoutAt: next?.toISOString() ?? null,
    },
  });
  return updated;
}

/** Deductions withheld before a payout (for its detail page). */
export function deductionsOf(deps: Deps, payoutId: string) {
  return deps.db
    .select()
    .from(debtRecoveries)
    .where(and(eq(debtRecoveries.payoutId, payoutId), eq(debtRecoveries.status, 'SUCCEEDED')))
    .all();
}
