/**
 * Sessions. The client holds a signed token (see lib/session-token); D1 holds the session row,
 * stored by the SHA-256 of its id. Checking a token needs no database read on the hot path:
 * signature, expiry, and what this isolate knows of the session (session-cache.ts). Loading the
 * user row is separate (cached briefly).
 */
import { and, eq, gt, lt, ne, notExists, sql, type SQL } from 'drizzle-orm';
import { rawStatement } from '../../db/client';
import { sessionRevocations, sessions, users, type User } from '../../db/schema';
import type { Deps } from '../../deps';
import { DAY } from '../../lib/clock';
import { sha256Hex } from '../../lib/crypto';
import { newSid, signToken, verifyToken } from '../../lib/session-token';
import { cachedUser, forgetUser, markAlive, markRevoked, rememberUser, sessionAlive } from './session-cache';

export const SESSION_TTL_MS = 30 * DAY;
/** Cookie sessions used with less than this left are re-issued for another SESSION_TTL_MS. */
export const RENEW_WHEN_LEFT_MS = 15 * DAY;
/**
 * How long a revocation is kept: past the latest expiry of any token of the session (a renewal
 * racing the sign-out signs for SESSION_TTL_MS from then), plus a day for clocks that disagree.
 */
export const REVOCATION_KEEP_MS = SESSION_TTL_MS + DAY;

export interface NewSession {
  token: string;
  sessionId: string;
  expiresAt: Date;
}

export interface Identity {
  userId: string;
  sessionId: string;
  expiresAt: Date;
  sid: string;
}

type SessionMeta = { userAgent?: string | null; ip?: string | null };

/**
 * Inserts a session row — only while `guard` (a condition on the account) holds, in the same
 * statement. Null when it did not.
 */
async function insertSession(
  deps: Deps,
  userId: string,
  kind: 'COOKIE' | 'BEARER',
  meta: SessionMeta,
  guard: SQL,
): Promise<NewSession | null> {
  const sid = newSid();
  const sessionId = await sha256Hex(sid);
  const now = deps.clock.now().getTime();
  const expiresAt = new Date(now + SESSION_TTL_MS);
  const r = await rawStatement(
    deps.d1,
    sql`insert into sessions (id, user_id, kind, user_agent, ip, created_at, last_seen_at, expires_at)
    select ${sessionId}, ${userId}, ${kind}, ${meta.userAgent?.slice(0, 300) ?? null}, ${meta.ip ?? null}, ${now}, ${now}, ${expiresAt.getTime()}
    where ${guard}`,
  ).run();
  if (!r.meta.changes) return null;
  markAlive(sessionId);
  const token = await signToken(deps.config.sessionSecret, {
    sid,
    userId,
    exp: Math.floor(expiresAt.getTime() / 1000),
  });
  return { token, sessionId, expiresAt };
}

export async function createSession(
  deps: Deps,
  user: Pick<User, 'id'>,
  kind: 'COOKIE' | 'BEARER',
  meta: SessionMeta = {},
): Promise<NewSession> {
  return (await insertSession(deps, user.id, kind, meta, sql`1`))!;
}

/**
 * The session of a password sign-in: created only if the password just checked is still the
 * account's and the account is not disabled. A sign-in that checked the password before the owner
 * claimed the account (password cleared, sessions revoked) gets nothing.
 */
export async function createPasswordSession(
  deps: Deps,
  user: Pick<User, 'id' | 'passwordHash'>,
  kind: 'COOKIE' | 'BEARER',
  meta: SessionMeta = {},
): Promise<NewSession | null> {
  if (!user.passwordHash) return null;
  return insertSession(
    deps,
    user.id,
    kind,
    meta,
    sql`exists (select 1 from users where id = ${user.id} and password_hash = ${user.passwordHash} and disabled_at is null)`,
  );
}

/** Who a token belongs to: signature, expiry, then whether the session is still signed in (no read when this isolate knows it). */
export async function verifySession(deps: Deps, token: string): Promise<Identity | null> {
  if (!token) return null;
  const claims = await verifyToken(deps.config.sessionSecret, token);
  const now = deps.clock.now();
  if (!claims || claims.exp * 1000 <= now.getTime()) return null;
  const sessionId = await sha256Hex(claims.sid);
  if (!(await sessionAlive(deps.d1, sessionId, claims.userId, now))) return null;
  return { userId: claims.userId, sessionId, sid: claims.sid, expiresAt: new Date(claims.exp * 1000) };
}

/** The account behind an identity (cached briefly), or null when it is gone or disabled. */
export async function loadUser(deps: Deps, userId: string): Promise<User | null> {
  let user = cachedUser(userId);
  if (!user) {
    user = (await deps.db.select().from(users).where(eq(users.id, userId)).get()) ?? null;
    if (user) rememberUser(user);
  }
  return user && !user.disabledAt ? user : null;
}

/** Token → user (verification plus the user row). */
export async function resolveSession(deps: Deps, token: string): Promise<{ user: User; sessionId: string } | null> {
  const id = await verifySession(deps, token);
  if (!id) return null;
  const user = await loadUser(deps, id.userId);
  return user ? { user, sessionId: id.sessionId } : null;
}

export type Renewal = { status: 'NOT_DUE' } | { status: 'RENEWED'; session: NewSession } | { status: 'GONE' };

/**
 * A cookie session running low is extended: same session, new expiry, new token — only through an
 * update that proves the session row is still there (not signed out in another isolate whose
 * revocation this one has not read yet). GONE: the session is dead, the request is signed out.
 */
export async function renewIfDue(deps: Deps, id: Identity): Promise<Renewal> {
  const now = deps.clock.now();
  if (id.expiresAt.getTime() - now.getTime() > RENEW_WHEN_LEFT_MS) return { status: 'NOT_DUE' };
  const wanted = now.getTime() + SESSION_TTL_MS;
  const revoked = deps.db
    .select({ one: sql`1` })
    .from(sessionRevocations)
    .where(eq(sessionRevocations.sessionId, id.sessionId));
  const [row] = await deps.db
    .update(sessions)
    // max(): two renewals racing never shorten the row below a token already signed.
    .set({ lastSeenAt: now, expiresAt: sql`max(${sessions.expiresAt}, ${wanted})` })
    .where(
      and(
        eq(sessions.id, id.sessionId),
        eq(sessions.userId, id.userId),
        gt(sessions.expiresAt, now),
        notExists(revoked),
      ),
    )
    .returning({ expiresAt: sessions.expiresAt });
  if (!row) {
    markRevoked([id.sessionId]);
    return { status: 'GONE' };
  }
  markAlive(id.sessionId);
  const exp = Math.floor(row.expiresAt.getTime() / 1000);
  const token = await signToken(deps.config.sessionSecret, { sid: id.sid, userId: id.userId, exp });
  return { status: 'RENEWED', session: { token, sessionId: id.sessionId, expiresAt: row.expiresAt } };
}

/**
 * Writes revocations to D1, where every isolate reads them (in `seq` order) — and nothing else:
 * the caller tells this isolate. Each takes the next `seq` in the transaction that writes it.
 */
export async function writeRevocations(deps: Deps, rows: { id: string; userId: string }[]): Promise<void> {
  const now = deps.clock.now().getTime();
  // Not the row's expiry: a renewal racing this sign-out may have signed a token that outlives it.
  const expiresAt = now + REVOCATION_KEEP_MS;
  const stmts = rows.flatMap((r) => [
    rawStatement(
      deps.d1,
      sql`insert into session_revocations (session_id, user_id, revoked_at, expires_at, seq)
      select ${r.id}, ${r.userId}, ${now}, ${expiresAt}, coalesce(max(seq), 0) + 1 from session_revocations where true
      on conflict (session_id) do nothing`,
    ),
    rawStatement(deps.d1, sql`delete from sessions where id = ${r.id}`),
  ]);
  for (let i = 0; i < stmts.length; i += 50) await deps.d1.batch(stmts.slice(i, i + 50));
}

async function revoke(deps: Deps, rows: { id: string; userId: string }[]): Promise<void> {
  if (!rows.length) return;
  markRevoked(rows.map((r) => r.id));
  await writeRevocations(deps, rows);
}

export async function revokeSession(deps: Deps, sessionId: string): Promise<void> {
  const row = await deps.db
    .select({ id: sessions.id, userId: sessions.userId })
    .from(sessions)
    .where(eq(sessions.id, sessionId))
    .get();
  markRevoked([sessionId]);
  if (row) await revoke(deps, [row]);
}

/** Signs the user out everywhere, optionally keeping the session making the request. */
export async function revokeAllSessions(deps: Deps, userId: string, keepSessionId?: string): Promise<number> {
  forgetUser(userId);
  const where = keepSessionId
    ? and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId))
    : eq(sessions.userId, userId);
  const rows = await deps.db.select({ id: sessions.id, userId: sessions.userId }).from(sessions).where(where).all();
  await revoke(deps, rows);
  return rows.length;
}

/** Cron: drop expired sessions, and revocations once every token they cover has expired (REVOCATION_KEEP_MS). */
export async function purgeExpiredSessions(deps: Deps): Promise<number> {
  const now = deps.clock.now();
  const deleted = await deps.db.delete(sessions).where(lt(sessions.expiresAt, now)).returning({ id: sessions.id });
  // The newest revocation stays whatever its age: `seq` is max + 1, and must never go back.
  await deps.db
    .delete(sessionRevocations)
    .where(
      and(
        lt(sessionRevocations.expiresAt, now),
        lt(sessionRevocations.seq, sql`(select max(seq) from session_revocations)`),
      ),
    );
  return deleted.length;
}
