/** Sessions: random tokens given to the client, stored in D1 only as their SHA-256. */
import { and, eq, gt, lt, ne } from 'drizzle-orm';
import { sessions, users, type User } from '../../db/schema';
import type { Deps } from '../../deps';
import { DAY, HOUR } from '../../lib/clock';
import { randomToken, sha256Hex } from '../../lib/crypto';

export const SESSION_TTL_MS = 30 * DAY;
/** Sliding expiry is refreshed at most this often, so reads do not write on every request. */
const TOUCH_EVERY_MS = HOUR;

export interface NewSession {
  token: string;
  sessionId: string;
  expiresAt: Date;
}

export async function createSession(
  deps: Deps,
  user: Pick<User, 'id'>,
  kind: 'COOKIE' | 'BEARER',
  meta: { userAgent?: string | null; ip?: string | null } = {},
): Promise<NewSession> {
  const token = randomToken();
  const sessionId = await sha256Hex(token);
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await deps.db.insert(sessions).values({
    id: sessionId,
    userId: user.id,
    kind,
    userAgent: meta.userAgent?.slice(0, 300) ?? null,
    ip: meta.ip ?? null,
    createdAt: now,
    lastSeenAt: now,
    expiresAt,
  });
  return { token, sessionId, expiresAt };
}

/** The signed-in user for a token, or null when unknown, expired or the account is disabled. */
export async function resolveSession(deps: Deps, token: string): Promise<{ user: User; sessionId: string } | null> {
  if (!token || token.length > 200) return null;
  const sessionId = await sha256Hex(token);
  const now = deps.clock.now();
  const row = await deps.db
    .select({ user: users, lastSeenAt: sessions.lastSeenAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, sessionId), gt(sessions.expiresAt, now)))
    .get();
  if (!row || row.user.disabledAt) return null;
  if (now.getTime() - row.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await deps.db.update(sessions)
      .set({ lastSeenAt: now, expiresAt: new Date(now.getTime() + SESSION_TTL_MS) })
      .where(eq(sessions.id, sessionId));
  }
  return { user: row.user, sessionId };
}

export async function revokeSession(deps: Deps, sessionId: string): Promise<void> {
  await deps.db.delete(sessions).where(eq(sessions.id, sessionId));
}

/** Signs the user out everywhere, optionally keeping the session making the request. */
export async function revokeAllSessions(deps: Deps, userId: string, keepSessionId?: string): Promise<number> {
  const where = keepSessionId ? and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId)) : eq(sessions.userId, userId);
  const deleted = await deps.db.delete(sessions).where(where).returning({ id: sessions.id });
  return deleted.length;
}

/** Cron: drop expired sessions. */
export async function purgeExpiredSessions(deps: Deps): Promise<number> {
  const deleted = await deps.db.delete(sessions).where(lt(sessions.expiresAt, deps.clock.now())).returning({ id: sessions.id });
  return deleted.length;
}
