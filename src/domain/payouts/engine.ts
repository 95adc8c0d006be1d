/**
 * The payout engine — the only code that moves a creator's money to their bank.
 *
 * A payout is opened with one D1 batch (one transaction): the payout row is inserted only if the
 * creator's released balance still covers it and its idempotency key is new, and the ledger
 * entries (creator → bank) only if that row exists. Two runners, a double click or a job running
 * twice therefore cannot pay the same money twice. Then, in AUTOMATIC mode (or when an admin
 * triggers or approves it), the provider pays out from the connected account with an
 * idempotency key per payout; payout.paid / payout.failed webhooks settle it. A failed payout gives
 * the money back to the balance and is retried on the next run (three failures in a row block
 * payouts until an admin looks).
 */
import { and, asc, desc, eq, gt, inArray, isNull, lte, sql } from 'drizzle-orm';
import { rawStatement } from '../../db/client';
import { creators, disputes, ledgerEntries, payouts, type Creator, type Currency, type User } from '../../db/schema';
import type { Deps } from '../../deps';
import { PaymentProviderError } from '../../providers/payments/port';
import { bankAccount, creatorAccount, creatorBalances, guardedTxStatements, hasTx, record, releasedBalanceSql } from '../ledger/ledger';
import { getSettings } from '../settings';
import { audit } from './audit';
import { debtRecoveryTx, outstandingDisputeDebts, recoverDisputeDebt } from './debt';
import { payoutEligibility, payoutMinimum, type Eligibility } from './eligibility';
import { payoutNotice } from './notices';
import { nextPayoutSlot } from './schedule';

export type Payout = typeof payouts.$inferSelect;
export const MAX_CONSECUTIVE_FAILURES = 3;

/** Eligibility per currency: every currency the creator has money in, and always their own. */
export async function creatorEligibility(deps: Deps, creator: Creator, now = deps.clock.now()): Promise<Eligibility[]> {
  const [balances, settings, releases] = await Promise.all([
    creatorBalances(deps, creator.id, now),
    getSettings(deps),
    deps.db.select({ currency: ledgerEntries.currency, next: sql<number>`min(${ledgerEntries.availableAt})` }).from(ledgerEntries)
      .where(and(eq(ledgerEntries.account, creatorAccount(creator.id)), gt(ledgerEntries.availableAt, now), gt(ledgerEntries.amount, 0)))
      .groupBy(ledgerEntries.currency).all(),
  ]);
  const list = balances.some((b) => b.currency === creator.currency) ? balances : [{ currency: creator.currency, total: 0, pending: 0, available: 0, debt: 0 }, ...balances];
  return list.map((balance) => {
    const next = releases.find((r) => r.currency === balance.currency)?.next;
    return payoutEligibility({ creator, balance, minimum: payoutMinimum(settings, creator, balance.currency), nextReleaseAt: next ? new Date(next) : null });
  });
}

export type OpenResult =
  | { ok: true; payout: Payout; created: boolean }
  | { ok: false; code: 'NOT_ELIGIBLE'; eligibility: Eligibility }
  | { ok: false; code: 'PAYOUT_CONFLICT' };

/**
 * Opens a payout of everything released in `currency` (idempotent per `periodKey`). SCHEDULE and
 * CREATOR payouts wait for an admin in APPROVAL mode; ADMIN-triggered ones are approved already.
 */
export async function openPayout(deps: Deps, input: { creator: Creator; currency: Currency; origin: 'SCHEDULE' | 'CREATOR' | 'ADMIN'; periodKey: string; actorUserId?: string | null }): Promise<OpenResult> {
  const { creator, currency, origin } = input;
  const key = `payout:${creator.id}:${currency}:${input.periodKey}`;
  const existing = await deps.db.select().from(payouts).where(eq(payouts.idempotencyKey, key)).get();
  if (existing) return { ok: true, payout: existing, created: false };
  const now = deps.clock.now();
  const e = (await creatorEligibility(deps, creator, now)).find((x) => x.currency === currency)
    ?? payoutEligibility({ creator, balance: { currency, available: 0, pending: 0, debt: 0 }, minimum: 0, nextReleaseAt: null });
  if (!e.eligible) return { ok: false, code: 'NOT_ELIGIBLE', eligibility: e };
  const settings = await getSettings(deps);
  const status = origin === 'ADMIN' || settings.payoutMode === 'AUTOMATIC' ? 'APPROVED' : 'REQUESTED';
  const debts = await outstandingDisputeDebts(deps, creator.id, currency);
  const debtDeducted = debts.reduce((sum, d) => sum + d.creatorDebt, 0);
  const id = deps.ids.next('pyt');
  const amount = e.amount;
  const inserted = sql`exists (select 1 from payouts where id = ${id})`;
  const approvedBy = status === 'APPROVED' ? (input.actorUserId ?? null) : null;
  await deps.d1.batch([
    // The guard: still covered by the released balance (read inside this transaction), key unused.
    rawStatement(deps.d1, sql`insert or ignore into payouts (id, creator_id, amount, currency, status, origin, idempotency_key, debt_deducted, approved_by, requested_at, approved_at, created_at, updated_at)
      select ${id}, ${creator.id}, ${amount}, ${currency}, ${status}, ${origin}, ${key}, ${debtDeducted}, ${approvedBy}, ${now.getTime()}, ${status === 'APPROVED' ? now.getTime() : null}, ${now.getTime()}, ${now.getTime()}
      where ${releasedBalanceSql(creator.id, currency, now)} >= ${amount}`),
    ...guardedTxStatements(deps, {
      txId: `payout:${id}`, currency, refs: { payoutId: id }, memo: `${origin} payout`,
      entries: [
        { account: creatorAccount(creator.id), kind: 'PAYOUT', amount: -amount, creatorId: creator.id, availableAt: now },
        { account: bankAccount(creator.id), kind: 'PAYOUT', amount },
      ],
    }, inserted),
    // Dispute debt the transfer reversal could not recover is withheld from this payout.
    ...debts.flatMap((d) => [
      ...guardedTxStatements(deps, debtRecoveryTx(d, 'PAYOUT_DEDUCTION', id), inserted),
      rawStatement(deps.d1, sql`update disputes set reconciled_at = ${now.getTime()}, reconciled_by = 'PAYOUT_DEDUCTION', updated_at = ${now.getTime()} where id = ${d.id} and reconciled_at is null and ${inserted}`),
    ]),
  ]);
  const payout = await deps.db.select().from(payouts).where(eq(payouts.id, id)).get();
  if (!payout) {
    const same = await deps.db.select().from(payouts).where(eq(payouts.idempotencyKey, key)).get();
    return same ? { ok: true, payout: same, created: false } : { ok: false, code: 'PAYOUT_CONFLICT' };
  }
  await audit(deps, { payoutId: id, creatorId: creator.id, action: 'CREATED', amount, currency, status, actorUserId: input.actorUserId ?? null, context: { origin, debtDeducted, disputes: debts.map((d) => d.id) } });
  await deps.log.info('PAYOUT_CREATED', `Payout ${id} of ${amount} ${currency} for ${creator.id} (${origin}, ${status})`, { actorId: input.actorUserId ?? null, context: { payoutId: id, creatorId: creator.id } });
  if (status === 'REQUESTED') {
    await payoutNotice(deps, creator, payout, 'requested');
    await payoutNotice(deps, creator, payout, 'approval_needed');
    return { ok: true, payout, created: true };
  }
  return { ok: true, payout: await sendPayout(deps, payout), created: true };
}

/** Pays an APPROVED payout out through the provider (idempotent per payout); a permanent refusal fails it. */
export async function sendPayout(deps: Deps, payout: Payout): Promise<Payout> {
  if (payout.status !== 'APPROVED' || payout.stripePayoutId) return payout;
  const creator = (await deps.db.select().from(creators).where(eq(creators.id, payout.creatorId)).get())!;
  try {
    const info = await deps.payments.createPayout({
      accountId: creator.stripeAccountId ?? '', amount: payout.amount, currency: payout.currency,
      metadata: { payoutId: payout.id, creatorId: creator.id }, idempotencyKey: `payout:${payout.id}`,
    });
    const now = deps.clock.now();
    const [updated] = await deps.db.update(payouts).set({ status: 'PROCESSING', stripePayoutId: info.id, updatedAt: now })
      .where(and(eq(payouts.id, payout.id), eq(payouts.status, 'APPROVED'))).returning();
    if (!updated) return (await deps.db.select().from(payouts).where(eq(payouts.id, payout.id)).get())!;
    await audit(deps, { payoutId: payout.id, creatorId: creator.id, action: 'PROCESSING', amount: payout.amount, currency: payout.currency, status: 'PROCESSING', context: { providerPayoutId: info.id } });
    await payoutNotice(deps, creator, updated, 'sent');
    // The provider may settle at once (some local accounts do): take the answer now, the webhook agrees.
    if (info.status === 'paid' || info.status === 'failed') return (await settleProviderPayout(deps, info.id, info.status, info.failureMessage)) ?? updated;
    return updated;
  } catch (e) {
    if (e instanceof PaymentProviderError && !e.retryable) return failPayout(deps, payout, e.message);
    await deps.log.warn('PAYOUT_ERROR', `Payout ${payout.id} not sent yet (${(e as Error).message}); retried next run`, { context: { payoutId: payout.id }, error: e });
    return payout;
  }
}

/** payout.paid / payout.failed (webhook, or the provider's immediate answer). */
export async function settleProviderPayout(deps: Deps, providerPayoutId: string, outcome: 'paid' | 'failed', failureMessage: string | null): Promise<Payout | null> {
  const p = await deps.db.select().from(payouts).where(eq(payouts.stripePayoutId, providerPayoutId)).get();
  if (!p) {
    // A payout made outside the app (e.g. in the Stripe dashboard): nothing of ours to settle.
    await deps.log.warn('PAYOUT_ERROR', `Settlement for unknown payout ${providerPayoutId}`);
    return null;
  }
  if (outcome === 'failed') return failPayout(deps, p, failureMessage ?? 'The bank refused the payout.');
  const now = deps.clock.now();
  const [paid] = await deps.db.update(payouts).set({ status: 'PAID', paidAt: now, updatedAt: now })
    .where(and(eq(payouts.id, p.id), inArray(payouts.status, ['APPROVED', 'PROCESSING']))).returning();
  if (!paid) return p; // already settled (duplicate or late event)
  const creator = (await deps.db.select().from(creators).where(eq(creators.id, p.creatorId)).get())!;
  await audit(deps, { payoutId: p.id, creatorId: p.creatorId, action: 'PAID', amount: p.amount, currency: p.currency, status: 'PAID' });
  await deps.log.info('PAYOUT_PAID', `Payout ${p.id} paid`, { context: { payoutId: p.id, amount: p.amount, currency: p.currency } });
  await payoutNotice(deps, creator, paid, 'paid');
  return paid;
}

/** A payout that will not arrive: the money goes back to the balance, retried on the next run. */
export async function failPayout(deps: Deps, p: Payout, reason: string): Promise<Payout> {
  const now = deps.clock.now();
  const [failed] = await deps.db.update(payouts).set({ status: 'FAILED', failedAt: now, failureReason: reason.slice(0, 500), updatedAt: now })
    .where(and(eq(payouts.id, p.id), inArray(payouts.status, ['APPROVED', 'PROCESSING']))).returning();
  if (!failed) return p;
  if (await hasTx(deps, `payout:${p.id}`)) {
    await record(deps, {
      txId: `payout-failed:${p.id}`, currency: p.currency, refs: { payoutId: p.id }, memo: reason,
      entries: [
        { account: bankAccount(p.creatorId), kind: 'PAYOUT_REVERSAL', amount: -p.amount },
        { account: creatorAccount(p.creatorId), kind: 'PAYOUT_REVERSAL', amount: p.amount, creatorId: p.creatorId, availableAt: now },
      ],
    });
  }
  const creator = (await deps.db.select().from(creators).where(eq(creators.id, p.creatorId)).get())!;
  await audit(deps, { payoutId: p.id, creatorId: p.creatorId, action: 'FAILED', amount: p.amount, currency: p.currency, status: 'FAILED', reason });
  await deps.log.error('PAYOUT_FAILED', `Payout ${p.id} failed: ${reason}`, { context: { payoutId: p.id, creatorId: p.creatorId } });
  await payoutNotice(deps, creator, failed, 'failed');
  // Retry on the next run — unless it keeps failing: then a human has to look at the bank details.
  const recent = await deps.db.select({ status: payouts.status }).from(payouts).where(eq(payouts.creatorId, p.creatorId)).orderBy(desc(payouts.createdAt)).limit(MAX_CONSECUTIVE_FAILURES).all();
  if (recent.length === MAX_CONSECUTIVE_FAILURES && recent.every((r) => r.status === 'FAILED')) {
    await setPayoutsBlocked(deps, creator, null, true, `${MAX_CONSECUTIVE_FAILURES} payouts failed in a row: check the bank account, then unblock.`);
  } else {
    await deps.db.update(creators).set({ nextPayoutAt: now, updatedAt: now }).where(eq(creators.id, p.creatorId));
  }
  return failed;
}

export type AdminRefusal = 'PAYOUT_NOT_FOUND' | 'PAYOUT_NOT_PENDING';

export async function approvePayout(deps: Deps, payoutId: string, admin: Pick<User, 'id'>): Promise<{ ok: true; payout: Payout } | { ok: false; code: AdminRefusal }> {
  const now = deps.clock.now();
  const [approved] = await deps.db.update(payouts).set({ status: 'APPROVED', approvedBy: admin.id, approvedAt: now, updatedAt: now })
    .where(and(eq(payouts.id, payoutId), eq(payouts.status, 'REQUESTED'))).returning();
  if (!approved) return (await deps.db.select({ id: payouts.id }).from(payouts).where(eq(payouts.id, payoutId)).get()) ? { ok: false, code: 'PAYOUT_NOT_PENDING' } : { ok: false, code: 'PAYOUT_NOT_FOUND' };
  await audit(deps, { payoutId, creatorId: approved.creatorId, action: 'APPROVED', amount: approved.amount, currency: approved.currency, status: 'APPROVED', actorUserId: admin.id });
  return { ok: true, payout: await sendPayout(deps, approved) };
}

export async function rejectPayout(deps: Deps, payoutId: string, admin: Pick<User, 'id'>, reason: string): Promise<{ ok: true; payout: Payout } | { ok: false; code: AdminRefusal }> {
  const now = deps.clock.now();
  const [rejected] = await deps.db.update(payouts).set({ status: 'REJECTED', rejectedAt: now, rejectedReason: reason, updatedAt: now })
    .where(and(eq(payouts.id, payoutId), eq(payouts.status, 'REQUESTED'))).returning();
  if (!rejected) return (await deps.db.select({ id: payouts.id }).from(payouts).where(eq(payouts.id, payoutId)).get()) ? { ok: false, code: 'PAYOUT_NOT_PENDING' } : { ok: false, code: 'PAYOUT_NOT_FOUND' };
  await record(deps, {
    txId: `payout-rejected:${payoutId}`, currency: rejected.currency, refs: { payoutId }, memo: reason,
    entries: [
      { account: bankAccount(rejected.creatorId), kind: 'PAYOUT_REVERSAL', amount: -rejected.amount },
      { account: creatorAccount(rejected.creatorId), kind: 'PAYOUT_REVERSAL', amount: rejected.amount, creatorId: rejected.creatorId, availableAt: now },
    ],
  });
  await audit(deps, { payoutId, creatorId: rejected.creatorId, action: 'REJECTED', amount: rejected.amount, currency: rejected.currency, status: 'REJECTED', actorUserId: admin.id, reason });
  const creator = (await deps.db.select().from(creators).where(eq(creators.id, rejected.creatorId)).get())!;
  await payoutNotice(deps, creator, rejected, 'rejected');
  return { ok: true, payout: rejected };
}

/** Blocks or unblocks a creator's payouts (admin, or the engine after repeated failures). */
export async function setPayoutsBlocked(deps: Deps, creator: Creator, adminId: string | null, blocked: boolean, reason: string | null): Promise<Creator> {
  const now = deps.clock.now();
  const [updated] = await deps.db.update(creators).set({
    payoutsBlocked: blocked, payoutBlockReason: blocked ? reason : null, updatedAt: now,
    // Unblocking puts a scheduled creator back on schedule at once.
    ...(blocked ? {} : { nextPayoutAt: creator.payoutSchedule === 'MANUAL' ? null : now }),
  }).where(eq(creators.id, creator.id)).returning();
  await audit(deps, { creatorId: creator.id, action: blocked ? 'BLOCKED' : 'UNBLOCKED', actorUserId: adminId, reason });
  await deps.log.info('PAYOUT_SKIPPED', `Payouts of ${creator.id} ${blocked ? 'blocked' : 'unblocked'}`, { actorId: adminId, context: { creatorId: creator.id, reason } });
  await payoutNotice(deps, updated, null, blocked ? 'blocked' : 'unblocked', reason);
  return updated;
}

/** The creator's schedule settings; the next payout date follows from them. */
export async function updatePayoutSettings(deps: Deps, creator: Creator, input: { schedule: Creator['payoutSchedule']; weekday: number; minimum: number | null }): Promise<Creator> {
  const now = deps.clock.now();
  const next = nextPayoutSlot({ payoutSchedule: input.schedule, payoutWeekday: input.weekday }, now, creator.timezone);
  const [updated] = await deps.db.update(creators).set({ payoutSchedule: input.schedule, payoutWeekday: input.weekday, payoutMinimum: input.minimum, nextPayoutAt: next, updatedAt: now })
    .where(eq(creators.id, creator.id)).returning();
  await audit(deps, { creatorId: creator.id, action: 'SETTINGS', actorUserId: creator.userId, context: { schedule: input.schedule, weekday: input.weekday, minimum: input.minimum, nextPayoutAt: next?.toISOString() ?? null } });
  return updated;
}

const BATCH = 200;

/**
 * The one payout job (hourly): send approved payouts that are still waiting for the provider,
 * recover lost-dispute debts, then pay every creator whose next payout date has come — once per
 * scheduled slot — and move their date to the following slot (computed from the schedule: no drift,
 * no catch-up flood after missed runs).
 */
export async function runPayouts(deps: Deps, tick: Date): Promise<Record<string, number>> {
  const counts = { sent: 0, created: 0, skipped: 0, scheduled: 0, debtsRecovered: 0 };
  const waiting = await deps.db.select().from(payouts).where(and(eq(payouts.status, 'APPROVED'), isNull(payouts.stripePayoutId))).orderBy(asc(payouts.createdAt)).limit(BATCH).all();
  for (const p of waiting) if ((await sendPayout(deps, p)).status !== 'APPROVED') counts.sent++;

  const lost = await deps.db.select({ id: disputes.id }).from(disputes).where(and(eq(disputes.status, 'LOST'), isNull(disputes.reconciledAt), gt(disputes.creatorDebt, 0))).limit(BATCH).all();
  for (const d of lost) if (await recoverDisputeDebt(deps, d.id)) counts.debtsRecovered++;

  // Creators put on a schedule but never given a date (newly onboarded): their first slot.
  const unscheduled = await deps.db.select().from(creators).where(and(isNull(creators.nextPayoutAt), inArray(creators.payoutSchedule, ['DAILY', 'WEEKLY']))).limit(BATCH).all();
  for (const c of unscheduled) {
    await deps.db.update(creators).set({ nextPayoutAt: nextPayoutSlot(c, tick, c.timezone) }).where(and(eq(creators.id, c.id), isNull(creators.nextPayoutAt)));
    counts.scheduled++;
  }

  const due = await deps.db.select().from(creators).where(lte(creators.nextPayoutAt, tick)).orderBy(asc(creators.nextPayoutAt)).limit(BATCH).all();
  for (const creator of due) {
    const slot = creator.nextPayoutAt!;
    for (const e of await creatorEligibility(deps, creator, tick)) {
      if (e.eligible) {
        const r = await openPayout(deps, { creator, currency: e.currency, origin: 'SCHEDULE', periodKey: slot.toISOString() });
        if (r.ok && r.created) counts.created++;
      } else if (e.reasons.some((x) => x !== 'NOTHING_TO_PAY')) {
        counts.skipped++;
        await audit(deps, { creatorId: creator.id, action: 'SKIPPED', currency: e.currency, amount: e.available, reason: e.reasons.join(','), context: { slot: slot.toISOString() } });
      }
    }
    // Advance from the slot or the tick, whichever is later; a concurrent run cannot advance twice.
    const next = nextPayoutSlot(creator, new Date(Math.max(tick.getTime(), slot.getTime())), creator.timezone);
    await deps.db.update(creators).set({ nextPayoutAt: next, updatedAt: deps.clock.now() }).where(and(eq(creators.id, creator.id), eq(creators.nextPayoutAt, slot)));
  }
  return counts;
}
