/**
 * Claiming an unverified account. Anyone can sign up under an address they do not own; the first
 * person to prove they own it (Google with that verified address, or a reset link sent to it) gets
 * the account. They are signed in to it, and whoever signed it up loses every hold they set on it:
 * password, every session and bearer token, pending email links, a creator's payout account (payouts
 * stop until an admin checks). Audited, logged, and the owner is told by email and on screen.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { authTokens, creators, users, type Locale, type User } from '../../db/schema';
import { one } from '../../db/one';
import type { Deps } from '../../deps';
import { audit } from '../admin/audit';
import { enqueueEmail } from '../email/enqueue';
import { recordPayoutStep } from '../payouts/audit';
import { setPayoutsBlocked } from '../payouts/engine';
import { forgetUser } from './session-cache';
import { revokeAllSessions } from './sessions';

export type ClaimVia = 'GOOGLE' | 'PASSWORD_RESET';

/** What a creator's payout block says (admins and the creator read it on the payout pages). */
export const CLAIM_BLOCK_REASON =
  'Account claimed by the owner of its email address: payout details reset. An admin checks before payouts resume.';
/** Payout-audit action of a reset; counted to give a new connected account a new idempotency key. */
export const DETAILS_RESET = 'DETAILS_RESET';

export interface ClaimInput {
  via: ClaimVia;
  /** The password the owner now has: null after Google, their new one after a reset. */
  passwordHash: string | null;
  googleSub?: string;
  /** The owner's language (of the page they used), replacing the one chosen at sign-up. */
  locale?: Locale;
}

/**
 * Hands an unverified account to the owner of its address. Null when it is verified (already, or
 * meanwhile): the caller then goes on as for any verified account.
 */
export async function claimUnverifiedAccount(deps: Deps, userId: string, input: ClaimInput): Promise<User | null> {
  const before = await deps.db.select().from(users).where(eq(users.id, userId)).get();
  if (!before || before.emailVerifiedAt) return null;
  const now = deps.clock.now();
  // Conditional: two owners' requests racing claim once. The password goes before the sessions:
  // a sign-in that checked the old one cannot create a session after this (createPasswordSession).
  const [user] = await deps.db
    .update(users)
    .set({
      passwordHash: input.passwordHash,
      emailVerifiedAt: now,
      googleSub: input.googleSub ?? before.googleSub,
      locale: input.locale ?? before.locale,
      updatedAt: now,
    })
    .where(and(eq(users.id, userId), isNull(users.emailVerifiedAt)))
    .returning();
  if (!user) return null;
  forgetUser(userId);
  await deps.db
    .update(authTokens)
    .set({ usedAt: now })
    .where(and(eq(authTokens.userId, userId), isNull(authTokens.usedAt)));
  const revokedSessions = await revokeAllSessions(deps, userId);
  const retiredAccount = await resetPayoutDetails(deps, userId);
  await audit(deps, {
    actor: userId,
    action: 'ACCOUNT_CLAIMED',
    entity: 'user',
    entityId: userId,
    reason: input.via,
    before: {
      hadPassword: before.passwordHash !== null,
      googleSub: before.googleSub,
      locale: before.locale,
      stripeAccountId: retiredAccount,
    },
    after: {
      hasPassword: input.passwordHash !== null,
      googleSub: user.googleSub,
      locale: user.locale,
      stripeAccountId: null,
      revokedSessions,
    },
  });
  await deps.log.auth.warn(
    'AUTH_ACCOUNT_CLAIMED',
    `Unverified account claimed by its address's owner (${input.via}); ${revokedSessions} sessions revoked${retiredAccount ? ', payout details reset' : ''}`,
    { via: input.via, revokedSessions, payoutReset: retiredAccount !== null },
    { actor: 'USER', actorId: userId },
  );
  await enqueueEmail(deps, {
    template: 'account_claimed',
    to: { email: user.email, name: user.name, locale: user.locale, timezone: user.timezone, userId },
    data: { via: input.via, payoutReset: retiredAccount !== null, url: `${deps.config.appUrl}/${user.locale}/account` },
    key: `claimed:${userId}`,
  });
  return user;
}

/** Unlinks a creator's connected account and blocks payouts (requested ones turned down, approved ones held); the retired account id, or null. */
async function resetPayoutDetails(deps: Deps, userId: string): Promise<string | null> {
  const creator = await deps.db.select().from(creators).where(eq(creators.userId, userId)).get();
  if (!creator?.stripeAccountId) return null;
  const reset = one(
    await deps.db
      .update(creators)
      .set({
        stripeAccountId: null,
        chargesEnabled: false,
        payoutsEnabled: false,
        detailsSubmitted: false,
        stripeDefaultCurrency: null,
        onboardedAt: null,
        updatedAt: deps.clock.now(),
      })
      .where(eq(creators.id, creator.id))
      .returning(),
    'the creator whose payout details were reset',
  );
  await recordPayoutStep(deps, {
    creatorId: creator.id,
    action: DETAILS_RESET,
    actorUserId: userId,
    reason: CLAIM_BLOCK_REASON,
    context: { retiredAccountId: creator.stripeAccountId },
  });
  // The owner hears it in the claim email (in their language), not in a second payout email.
  await setPayoutsBlocked(deps, reset, null, true, CLAIM_BLOCK_REASON, { notify: false });
  return creator.stripeAccountId;
}
