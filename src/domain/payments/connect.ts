/** Stripe Connect (Express) onboarding for creators, and keeping their account state in D1. */
import { and, count, eq } from 'drizzle-orm';
import { creators, payoutAudit, type Creator, type User } from '../../db/schema';
import { one } from '../../db/one';
import { DETAILS_RESET } from '../accounts/claim';
import type { Deps } from '../../deps';

/** Creates the connected account if needed and returns where to send the creator to onboard. */
export async function startOnboarding(
  deps: Deps,
  creator: Creator,
  user: User,
  urls: { returnUrl: string; refreshUrl: string },
): Promise<{ url: string; accountId: string }> {
  let accountId = creator.stripeAccountId;
  if (!accountId) {
    // After a reset (an account claimed by its address's owner) the key changes: an idempotent
    // replay must not hand back the retired account.
    const resets =
      (
        await deps.db
          .select({ n: count() })
          .from(payoutAudit)
          .where(and(eq(payoutAudit.creatorId, creator.id), eq(payoutAudit.action, DETAILS_RESET)))
          .get()
      )?.n ?? 0;
    const idempotencyKey = resets ? `connect:${creator.id}:${resets}` : `connect:${creator.id}`;
    ({ accountId } = await deps.payments.createConnectedAccount({
      email: user.email,
      creatorId: creator.id,
      currency: creator.currency,
      idempotencyKey,
    }));
    await deps.db
      .update(creators)
      .set({ stripeAccountId: accountId, updatedAt: deps.clock.now() })
      .where(eq(creators.id, creator.id));
    // The platform decides when creators are paid (after the holding period): manual payouts.
    await deps.payments.setManualPayouts(accountId);
    await deps.log.payment.info(
      'CONNECT_ACCOUNT',
      `Connected account ${accountId} created`,
      { creatorId: creator.id },
      { actor: 'CREATOR', actorId: user.id },
    );
  }
  const { url } = await deps.payments.createOnboardingLink({ accountId, ...urls });
  return { url, accountId };
}

/** Re-reads the account from the provider (order-safe) and stores charges/payouts-enabled and currency. */
export async function syncAccount(deps: Deps, accountId: string): Promise<Creator | null> {
  const creator = await deps.db.select().from(creators).where(eq(creators.stripeAccountId, accountId)).get();
  if (!creator) return null;
  const a = await deps.payments.retrieveAccount(accountId);
  const now = deps.clock.now();
  const updated = one(
    await deps.db
      .update(creators)
      .set({
        chargesEnabled: a.chargesEnabled,
        payoutsEnabled: a.payoutsEnabled,
        detailsSubmitted: a.detailsSubmitted,
        stripeDefaultCurrency: a.defaultCurrency,
        onboardedAt: a.chargesEnabled ? (creator.onboardedAt ?? now) : creator.onboardedAt,
        updatedAt: now,
      })
      .where(eq(creators.id, creator.id))
      .returning(),
    'the creator whose account was synced',
  );
  if (a.payoutInterval && a.payoutInterval !== 'manual') await deps.payments.setManualPayouts(accountId);
  if (updated.chargesEnabled !== creator.chargesEnabled || updated.payoutsEnabled !== creator.payoutsEnabled) {
    await deps.log.payment.info(
      'CONNECT_ACCOUNT',
      `Account ${accountId}: charges ${a.chargesEnabled ? 'on' : 'off'}, payouts ${a.payoutsEnabled ? 'on' : 'off'}`,
      { creatorId: creator.id },
    );
  }
  return updated;
}
