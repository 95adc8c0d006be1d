/**
 * Single-use, expiring email tokens: email verification and password reset. Stored hashed; the
 * token is an HMAC of its id (email/links.ts), so the email log keeps only the id and the link is
 * derived when the email is rendered — no table holds a usable token.
 */
import { and, desc, eq, gt, isNull, lt, or, isNotNull, sql } from 'drizzle-orm';
import { rawStatement } from '../../db/client';
import { authTokens, users, type Locale, type User } from '../../db/schema';
import { one } from '../../db/one';
import type { Deps } from '../../deps';
import { DAY, HOUR, MINUTE } from '../../lib/clock';
import { hashPassword, sha256Hex } from '../../lib/crypto';
import { enqueueEmail } from '../email/enqueue';
import { authTokenFor } from '../email/links';
import { claimUnverifiedAccount } from './claim';
import { forgetUser } from './session-cache';
import { revokeAllSessions } from './sessions';

export const VERIFY_TTL_MS = 48 * HOUR;
export const RESET_TTL_MS = 60 * MINUTE;
type Kind = 'VERIFY_EMAIL' | 'RESET_PASSWORD';

/**
 * Emails of one kind (verification, reset) an account is sent at most, whoever asks — from any IP,
 * any isolate: counted from its auth_tokens rows (one per email; purgeAuthTokens keeps them a day).
 */
export const EMAIL_LIMITS = { perHour: 3, perDay: 10 } as const;

type Issued = { ok: true; id: string } | { ok: false; retryAfterSeconds: number };

async function issueToken(deps: Deps, userId: string, kind: Kind, ttlMs: number): Promise<Issued> {
  const now = deps.clock.now().getTime();
  const id = deps.ids.next('tok');
  const hash = await sha256Hex(await authTokenFor(deps.config, id));
  const sentSince = (t: number) =>
    sql`(select count(*) from auth_tokens where user_id = ${userId} and kind = ${kind} and created_at > ${t})`;
  // One transaction: the count and the insert cannot be raced; a refused one voids no older link.
  const inserted = one(
    await deps.d1.batch([
      rawStatement(
        deps.d1,
        sql`insert into auth_tokens (id, user_id, kind, token_hash, expires_at, created_at)
      select ${id}, ${userId}, ${kind}, ${hash}, ${now + ttlMs}, ${now}
      where ${sentSince(now - HOUR)} < ${EMAIL_LIMITS.perHour} and ${sentSince(now - DAY)} < ${EMAIL_LIMITS.perDay}`,
      ),
      // A new token replaces the older unused ones of the same kind.
      rawStatement(
        deps.d1,
        sql`update auth_tokens set used_at = ${now}
      where user_id = ${userId} and kind = ${kind} and used_at is null and id <> ${id} and exists (select 1 from auth_tokens where id = ${id})`,
      ),
    ]),
    'the result of the token insert',
  );
  if (inserted.meta.changes) return { ok: true, id };
  return { ok: false, retryAfterSeconds: await retryAfter(deps, userId, kind, now) };
}

/** Seconds until the account may be sent this kind of email again (the oldest counted send leaves its window). */
async function retryAfter(deps: Deps, userId: string, kind: Kind, now: number): Promise<number> {
  const recent = await deps.db
    .select({ at: authTokens.createdAt })
    .from(authTokens)
    .where(and(eq(authTokens.userId, userId), eq(authTokens.kind, kind), gt(authTokens.createdAt, new Date(now - DAY))))
    .orderBy(desc(authTokens.createdAt))
    .limit(EMAIL_LIMITS.perDay)
    .all();
  const at = recent.map((r) => r.at.getTime());
  // Newest first: the send that frees a window is the limit-th one back, absent while under the limit.
  const hourNth = at[EMAIL_LIMITS.perHour - 1];
  const dayNth = at[EMAIL_LIMITS.perDay - 1];
  const hourFree = hourNth !== undefined && hourNth > now - HOUR ? hourNth + HOUR : now;
  const dayFree = dayNth !== undefined ? dayNth + DAY : now;
  return Math.max(1, Math.ceil((Math.max(hourFree, dayFree) - now) / 1000));
}

/** Marks the token used and returns its user, atomically: a token works once, before it expires. */
async function consumeToken(deps: Deps, token: string, kind: Kind): Promise<string | null> {
  const now = deps.clock.now();
  const rows = await deps.db
    .update(authTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(authTokens.tokenHash, await sha256Hex(token)),
        eq(authTokens.kind, kind),
        isNull(authTokens.usedAt),
        gt(authTokens.expiresAt, now),
      ),
    )
    .returning({ userId: authTokens.userId });
  return rows[0]?.userId ?? null;
}

export type VerificationSend =
  | { status: 'SENT' }
  | { status: 'ALREADY_VERIFIED' }
  | { status: 'THROTTLED'; retryAfterSeconds: number };

/** Sends a verification link, unless the address is verified or the account was sent its share of them (EMAIL_LIMITS). */
export async function resendVerificationEmail(deps: Deps, user: User): Promise<VerificationSend> {
  if (user.emailVerifiedAt) return { status: 'ALREADY_VERIFIED' };
  const issued = await issueToken(deps, user.id, 'VERIFY_EMAIL', VERIFY_TTL_MS);
  if (!issued.ok) {
    await deps.log.auth.warn(
      'AUTH_RATE_LIMITED',
      'Verification email not sent: the account was sent enough of them',
      null,
      { actor: 'USER', actorId: user.id },
    );
    return { status: 'THROTTLED', retryAfterSeconds: issued.retryAfterSeconds };
  }
  await enqueueEmail(deps, {
    template: 'verify_email',
    to: { email: user.email, name: user.name, locale: user.locale, timezone: user.timezone, userId: user.id },
    data: {},
    links: { url: { kind: 'auth-token', tokenId: issued.id, path: `/${user.locale}/verify-email` } },
    key: `verify:${issued.id}`,
  });
  return { status: 'SENT' };
}

/** Whether a verification email went out (see resendVerificationEmail). */
export async function sendVerificationEmail(deps: Deps, user: User): Promise<boolean> {
  return (await resendVerificationEmail(deps, user)).status === 'SENT';
}

export async function verifyEmail(deps: Deps, token: string): Promise<User | null> {
  const userId = await consumeToken(deps, token, 'VERIFY_EMAIL');
  if (!userId) return null;
  const user = one(
    await deps.db
      .update(users)
      .set({ emailVerifiedAt: deps.clock.now(), updatedAt: deps.clock.now() })
      .where(eq(users.id, userId))
      .returning(),
    'the user whose email was verified',
  );
  forgetUser(userId);
  await deps.log.auth.info('AUTH_EMAIL_VERIFIED', 'Email address verified', null, { actor: 'USER', actorId: userId });
  return user;
}

/** Always succeeds from the caller's point of view: whether the account exists, or was sent enough resets, is not revealed. */
export async function requestPasswordReset(deps: Deps, email: string): Promise<void> {
  const user = await deps.db.select().from(users).where(eq(users.email, email)).get();
  if (!user || user.disabledAt) return;
  const issued = await issueToken(deps, user.id, 'RESET_PASSWORD', RESET_TTL_MS);
  if (!issued.ok) {
    await deps.log.auth.warn(
      'AUTH_RATE_LIMITED',
      'Password-reset email not sent: the account was sent enough of them',
      null,
      { actor: 'GUEST', actorId: user.id },
    );
    return;
  }
  const { id } = issued;
  await enqueueEmail(deps, {
    template: 'password_reset',
    to: { email: user.email, name: user.name, locale: user.locale, timezone: user.timezone, userId: user.id },
    data: { expiresMinutes: RESET_TTL_MS / MINUTE },
    links: { url: { kind: 'auth-token', tokenId: id, path: `/${user.locale}/reset-password` } },
    key: `reset:${id}`,
  });
}

/** Sets a new password from a reset token; signs out every session (the old password may be known to someone). */
export async function resetPassword(
  deps: Deps,
  token: string,
  newPassword: string,
  locale?: Locale,
): Promise<{ user: User; claimed: boolean } | null> {
  const userId = await consumeToken(deps, token, 'RESET_PASSWORD');
  if (!userId) return null;
  const now = deps.clock.now();
  const passwordHash = await hashPassword(newPassword);
  // The link proves the address: an account never verified is claimed (claim.ts), not just reset.
  const claimed = await claimUnverifiedAccount(deps, userId, { via: 'PASSWORD_RESET', passwordHash, locale });
  if (claimed) return { user: claimed, claimed: true };
  const user = one(
    await deps.db
      .update(users)
      .set({ passwordHash, emailVerifiedAt: now, updatedAt: now })
      .where(eq(users.id, userId))
      .returning(),
    'the user whose password was reset',
  );
  forgetUser(userId);
  const revoked = await revokeAllSessions(deps, userId);
  await deps.log.auth.info(
    'AUTH_PASSWORD_RESET',
    'Password reset by email; all sessions signed out',
    { revoked },
    { actor: 'USER', actorId: userId },
  );
  return { user, claimed: false };
}

/** Cron: forget used or expired tokens after a day (not sooner: EMAIL_LIMITS counts a day of them). */
export async function purgeAuthTokens(deps: Deps): Promise<number> {
  const cutoff = new Date(deps.clock.now().getTime() - 24 * HOUR);
  const deleted = await deps.db
    .delete(authTokens)
    .where(or(lt(authTokens.expiresAt, cutoff), and(isNotNull(authTokens.usedAt), lt(authTokens.usedAt, cutoff))))
    .returning({ id: authTokens.id });
  return deleted.length;
}
