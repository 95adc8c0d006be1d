/**
 * Single-use, expiring email tokens: email verification and password reset. Stored hashed; the
 * token is an HMAC of its id (email/links.ts), so the email log keeps only the id and the link is
 * derived when the email is rendered — no table holds a usable token.
 */
import { and, eq, gt, isNull, lt, or, isNotNull } from 'drizzle-orm';
import { authTokens, users, type Locale, type User } from '../../db/schema';
import type { Deps } from '../../deps';
import { HOUR, MINUTE } from '../../lib/clock';
import { hashPassword, sha256Hex } from '../../lib/crypto';
import { enqueueEmail } from '../email/enqueue';
import { authTokenFor } from '../email/links';
import { claimUnverifiedAccount } from './claim';
import { forgetUser } from './session-cache';
import { revokeAllSessions } from './sessions';

export const VERIFY_TTL_MS = 48 * HOUR;
export const RESET_TTL_MS = 60 * MINUTE;
type Kind = 'VERIFY_EMAIL' | 'RESET_PASSWORD';

async function issueToken(deps: Deps, userId: string, kind: Kind, ttlMs: number): Promise<{ id: string }> {
  const now = deps.clock.now();
  const id = deps.ids.next('tok');
  const token = await authTokenFor(deps.config, id);
  // A new token replaces the older unused ones of the same kind.
  await deps.db.batch([
    deps.db.update(authTokens).set({ usedAt: now }).where(and(eq(authTokens.userId, userId), eq(authTokens.kind, kind), isNull(authTokens.usedAt))),
    deps.db.insert(authTokens).values({ id, userId, kind, tokenHash: await sha256Hex(token), expiresAt: new Date(now.getTime() + ttlMs), createdAt: now }),
  ]);
  return { id };
}

/** Marks the token used and returns its user, atomically: a token works once, before it expires. */
async function consumeToken(deps: Deps, token: string, kind: Kind): Promise<string | null> {
  const now = deps.clock.now();
  const rows = await deps.db.update(authTokens)
    .set({ usedAt: now })
    .where(and(eq(authTokens.tokenHash, await sha256Hex(token)), eq(authTokens.kind, kind), isNull(authTokens.usedAt), gt(authTokens.expiresAt, now)))
    .returning({ userId: authTokens.userId });
  return rows[0]?.userId ?? null;
}

export async function sendVerificationEmail(deps: Deps, user: User): Promise<boolean> {
  if (user.emailVerifiedAt) return false;
  const { id } = await issueToken(deps, user.id, 'VERIFY_EMAIL', VERIFY_TTL_MS);
  await enqueueEmail(deps, {
    template: 'verify_email',
    to: { email: user.email, name: user.name, locale: user.locale, timezone: user.timezone, userId: user.id },
    data: {},
    links: { url: { kind: 'auth-token', tokenId: id, path: `/${user.locale}/verify-email` } },
    key: `verify:${id}`,
  });
  return true;
}

export async function verifyEmail(deps: Deps, token: string): Promise<User | null> {
  const userId = await consumeToken(deps, token, 'VERIFY_EMAIL');
  if (!userId) return null;
  const [user] = await deps.db.update(users).set({ emailVerifiedAt: deps.clock.now(), updatedAt: deps.clock.now() }).where(eq(users.id, userId)).returning();
  forgetUser(userId);
  await deps.log.info('AUTH_EMAIL_VERIFIED', 'Email address verified', { actor: 'USER', actorId: userId });
  return user;
}

/** Always succeeds from the caller's point of view: whether the account exists is not revealed. */
export async function requestPasswordReset(deps: Deps, email: string): Promise<void> {
  const user = await deps.db.select().from(users).where(eq(users.email, email)).get();
  if (!user || user.disabledAt) return;
  const { id } = await issueToken(deps, user.id, 'RESET_PASSWORD', RESET_TTL_MS);
  await enqueueEmail(deps, {
    template: 'password_reset',
    to: { email: user.email, name: user.name, locale: user.locale, timezone: user.timezone, userId: user.id },
    data: { expiresMinutes: RESET_TTL_MS / MINUTE },
    links: { url: { kind: 'auth-token', tokenId: id, path: `/${user.locale}/reset-password` } },
    key: `reset:${id}`,
  });
}

/** Sets a new password from a reset token; signs out every session (the old password may be known to someone). */
export async function resetPassword(deps: Deps, token: string, newPassword: string, locale?: Locale): Promise<{ user: User; claimed: boolean } | null> {
  const userId = await consumeToken(deps, token, 'RESET_PASSWORD');
  if (!userId) return null;
  const now = deps.clock.now();
  const passwordHash = await hashPassword(newPassword);
  // The link proves the address: an account never verified is claimed (claim.ts), not just reset.
  const claimed = await claimUnverifiedAccount(deps, userId, { via: 'PASSWORD_RESET', passwordHash, locale });
  if (claimed) return { user: claimed, claimed: true };
  const [user] = await deps.db.update(users)
    .set({ passwordHash, emailVerifiedAt: now, updatedAt: now })
    .where(eq(users.id, userId)).returning();
  forgetUser(userId);
  const revoked = await revokeAllSessions(deps, userId);
  await deps.log.info('AUTH_PASSWORD_RESET', 'Password reset by email; all sessions signed out', { actor: 'USER', actorId: userId, context: { revoked } });
  return { user, claimed: false };
}

/** Cron: forget used or expired tokens after a day. */
export async function purgeAuthTokens(deps: Deps): Promise<number> {
  const cutoff = new Date(deps.clock.now().getTime() - 24 * HOUR);
  const deleted = await deps.db.delete(authTokens)
    .where(or(lt(authTokens.expiresAt, cutoff), and(isNotNull(authTokens.usedAt), lt(authTokens.usedAt, cutoff))))
    .returning({ id: authTokens.id });
  return deleted.length;
}
