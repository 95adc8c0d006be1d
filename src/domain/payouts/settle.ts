/** payout.paid / payout.failed: settle the payout; a failed payout gives the funds back to the creator's balance. */
import { eq } from 'drizzle-orm';
import { creators, payouts } from '../../db/schema';
import type { Deps } from '../../deps';
import { notify, notifyAdmins } from '../notifications/notify';
import { bankAccount, creatorAccount, hasTx, record } from '../ledger/ledger';
import { audit } from './audit';

export async function settlePayout(deps: Deps, providerPayoutId: string, outcome: 'paid' | 'failed', failureMessage: string | null): Promise<void> {
  const p = await deps.db.select().from(payouts).where(eq(payouts.stripePayoutId, providerPayoutId)).get();
  if (!p) {
    await deps.log.warn('PAYOUT_ERROR', `Settlement for unknown payout ${providerPayoutId}`);
    return;
  }
  const now = deps.clock.now();
  const creator = (await deps.db.select().from(creators).where(eq(creators.id, p.creatorId)).get())!;
  if (outcome === 'paid') {
    if (p.status === 'PAID') return;
    await deps.db.update(payouts).set({ status: 'PAID', paidAt: now, updatedAt: now }).where(eq(payouts.id, p.id));
    await audit(deps, { payoutId: p.id, creatorId: p.creatorId, action: 'PAID', amount: p.amount, currency: p.currency, status: 'PAID' });
    await notify(deps, creator.userId, 'PAYOUT_PAID', { amount: p.amount, currency: p.currency }, '/creator/payouts');
    await deps.log.info('PAYOUT_PAID', `Payout ${p.id} paid`, { context: { payoutId: p.id, amount: p.amount, currency: p.currency } });
    return;
  }
  if (p.status === 'FAILED') return;
  await deps.db.update(payouts).set({ status: 'FAILED', failedAt: now, failureReason: failureMessage, updatedAt: now }).where(eq(payouts.id, p.id));
  // The money never left: put it back on the creator's balance (retried on the next run).
  if (await hasTx(deps, `payout:${p.id}`)) {
    await record(deps, {
      txId: `payout-failed:${p.id}`, currency: p.currency, refs: { payoutId: p.id }, memo: failureMessage ?? 'payout failed',
      entries: [
        { account: bankAccount(p.creatorId), kind: 'PAYOUT_REVERSAL', amount: -p.amount },
        { account: creatorAccount(p.creatorId), kind: 'PAYOUT_REVERSAL', amount: p.amount, creatorId: p.creatorId, availableAt: now },
      ],
    });
  }
  await audit(deps, { payoutId: p.id, creatorId: p.creatorId, action: 'FAILED', amount: p.amount, currency: p.currency, status: 'FAILED', reason: failureMessage });
  await notify(deps, creator.userId, 'PAYOUT_FAILED', { amount: p.amount, currency: p.currency, reason: failureMessage ?? '' }, '/creator/payouts');
  await notifyAdmins(deps, 'PAYOUT_FAILED', { amount: p.amount, currency: p.currency, creator: creator.displayName, reason: failureMessage ?? '' }, '/admin/payouts');
  await deps.log.error('PAYOUT_FAILED', `Payout ${p.id} failed: ${failureMessage ?? 'unknown reason'}`, { context: { payoutId: p.id } });
}
