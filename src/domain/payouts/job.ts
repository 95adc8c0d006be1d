/**
 * The one payout job (hourly): sends approved payouts still waiting for the provider, recovers due
 * debts by reversing their own transfers, asks the provider about payouts in transit for too long,
 * then pays every creator whose next payout date has come — once per scheduled slot — and moves their
 * date to the following slot (computed from the schedule: no drift, no catch-up flood after missed
 * runs). Every step is in the payout audit log.
 */
import { and, asc, eq, inArray, isNull, lte } from 'drizzle-orm';
import { creators, payoutAudit, payouts, type Creator } from '../../db/schema';
import type { Deps } from '../../deps';
import { DAY } from '../../lib/clock';
import { recordPayoutStep } from './audit';
import { recoverCreatorDebts, recoverDueDebts } from './debt';
import { creatorEligibility, openPayout, sendPayout, settleProviderPayout, type Payout } from './engine';
import { nextPayoutSlot } from './schedule';

const BATCH = 200;
/** A payout still in transit after this long is asked about (Stripe's arrive within a few business days). */
export const STUCK_AFTER_MS = 5 * DAY;

/** Asks the provider where a payout long in transit is; settles it if the answer was missed, else flags it once. */
export async function checkStuckPayout(
  deps: Deps,
  p: Payout,
  creator: Pick<Creator, 'stripeAccountId'>,
): Promise<'settled' | 'in_transit'> {
  const info = await deps.payments.retrievePayout(creator.stripeAccountId ?? '', p.stripePayoutId ?? '');
  if (info.status === 'paid' || info.status === 'failed' || info.status === 'canceled') {
    await recordPayoutStep(deps, {
      payoutId: p.id,
      creatorId: p.creatorId,
      action: 'CHECKED',
      amount: p.amount,
      currency: p.currency,
      status: p.status,
      reason: info.status,
      context: { providerPayoutId: info.id },
    });
    await settleProviderPayout(deps, info.id, info.status, info.failureMessage);
    return 'settled';
  }
  const flagged = await deps.db
    .select({ id: payoutAudit.id })
    .from(payoutAudit)
    .where(and(eq(payoutAudit.payoutId, p.id), eq(payoutAudit.action, 'STUCK')))
    .get();
  if (!flagged) {
    await recordPayoutStep(deps, {
      payoutId: p.id,
      creatorId: p.creatorId,
      action: 'STUCK',
      amount: p.amount,
      currency: p.currency,
      status: p.status,
      reason: info.status,
      context: { providerPayoutId: info.id, since: p.updatedAt.toISOString() },
    });
    await deps.log.payout.error(
      'PAYOUT_ERROR',
      `Payout ${p.id} still ${info.status} at the provider since ${p.updatedAt.toISOString()}`,
      { payoutId: p.id, creatorId: p.creatorId },
    );
  }
  return 'in_transit';
}

export async function runPayouts(deps: Deps, tick: Date): Promise<Record<string, number>> {
  const counts = {
    sent: 0,
    held: 0,
    debtsRecovered: 0,
    checked: 0,
    settled: 0,
    scheduled: 0,
    created: 0,
    skipped: 0,
    deducted: 0,
    advanced: 0,
  };

  // Approved payouts not at the provider yet: an outage last time, or a creator blocked since (held).
  const waiting = await deps.db
    .select()
    .from(payouts)
    .where(and(eq(payouts.status, 'APPROVED'), isNull(payouts.stripePayoutId)))
    .orderBy(asc(payouts.createdAt))
    .limit(BATCH)
    .all();
  for (const p of waiting) {
    const after = await sendPayout(deps, p);
    if (after.status !== 'APPROVED') counts.sent++;
    else counts.held++;
  }

  counts.debtsRecovered = await recoverDueDebts(deps, BATCH);

  // In transit for too long: the webhook (and the reconciliation) may have missed the answer.
  const stuck = await deps.db
    .select({ p: payouts, acct: creators.stripeAccountId })
    .from(payouts)
    .innerJoin(creators, eq(creators.id, payouts.creatorId))
    .where(and(eq(payouts.status, 'PROCESSING'), lte(payouts.updatedAt, new Date(tick.getTime() - STUCK_AFTER_MS))))
    .orderBy(asc(payouts.updatedAt))
    .limit(BATCH)
    .all();
  for (const { p, acct } of stuck) {
    counts.checked++;
    try {
      if ((await checkStuckPayout(deps, p, { stripeAccountId: acct })) === 'settled') counts.settled++;
    } catch (e) {
      await deps.log.payout.warn(
        'PAYOUT_ERROR',
        `Could not check payout ${p.id} at the provider; next run`,
        { payoutId: p.id },
        { error: e },
      );
    }
  }

  // Creators put on a schedule but never given a date (newly onboarded): their first slot.
  const unscheduled = await deps.db
    .select()
    .from(creators)
    .where(and(isNull(creators.nextPayoutAt), inArray(creators.payoutSchedule, ['DAILY', 'WEEKLY'])))
    .limit(BATCH)
    .all();
  for (const c of unscheduled) {
    const first = nextPayoutSlot(c, tick, c.timezone)!;
    const set = await deps.db
      .update(creators)
      .set({ nextPayoutAt: first })
      .where(and(eq(creators.id, c.id), isNull(creators.nextPayoutAt)))
      .returning({ id: creators.id });
    if (!set.length) continue;
    counts.scheduled++;
    await recordPayoutStep(deps, {
      creatorId: c.id,
      action: 'SCHEDULED',
      context: { from: null, to: first.toISOString(), schedule: c.payoutSchedule },
    });
  }

  const due = await deps.db
    .select()
    .from(creators)
    .where(lte(creators.nextPayoutAt, tick))
    .orderBy(asc(creators.nextPayoutAt))
    .limit(BATCH)
    .all();
  for (const creator of due) {
    const slot = creator.nextPayoutAt!;
    for (const e of await creatorEligibility(deps, creator, tick)) {
      if (e.eligible) {
        const r = await openPayout(deps, {
          creator,
          currency: e.currency,
          origin: 'SCHEDULE',
          periodKey: slot.toISOString(),
        });
        if (r.ok && r.created) counts.created++;
        continue;
      }
      if (e.reasons.some((x) => x !== 'NOTHING_TO_PAY')) {
        counts.skipped++;
        await recordPayoutStep(deps, {
          creatorId: creator.id,
          action: 'SKIPPED',
          currency: e.currency,
          amount: e.available,
          reason: e.reasons.join(','),
          context: { slot: slot.toISOString() },
        });
      }
      // Nothing to pay out, but a due debt is still taken from released earnings at the creator's slot.
      counts.deducted += (await recoverCreatorDebts(deps, creator.id, e.currency, { deduct: true })).deducted;
    }
    // Advance from the slot or the tick, whichever is later; a concurrent run cannot advance twice.
    const next = nextPayoutSlot(creator, new Date(Math.max(tick.getTime(), slot.getTime())), creator.timezone);
    const moved = await deps.db
      .update(creators)
      .set({ nextPayoutAt: next, updatedAt: deps.clock.now() })
      .where(and(eq(creators.id, creator.id), eq(creators.nextPayoutAt, slot)))
      .returning({ id: creators.id });
    if (moved.length) {
      counts.advanced++;
      await recordPayoutStep(deps, {
        creatorId: creator.id,
        action: 'ADVANCED',
        context: { from: slot.toISOString(), to: next?.toISOString() ?? null, tick: tick.toISOString() },
      });
    }
  }
  return counts;
}
