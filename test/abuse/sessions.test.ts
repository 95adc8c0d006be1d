/**
 * Attacker stories against accounts and sessions (issue 16): a revoked session brought back by a
 * renewal, a cold isolate made to read an unbounded revocation list, Google sign-in taking over an
 * account signed up under someone else's address, and mailboxes flooded with account emails.
 * Each story checks the refusal and that no session, account or message changed.
 */
import { count, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { emailLog, sessionRevocations, sessions, users } from '../../src/db/schema';
import { expireRevocationSync, forgetSessionCache, REVOCATION_PAGE } from '../../src/domain/accounts/session-cache';
import { createSession, purgeExpiredSessions, revokeAllSessions, revokeSession, SESSION_TTL_MS, verifySession, writeRevocations } from '../../src/domain/accounts/sessions';
import { buildDeps } from '../../src/deps';
import { DAY, fixedClock } from '../../src/lib/clock';
import { setDevClockOffset } from '../../src/lib/dev-clock';
import { signToken } from '../../src/lib/session-token';
import { sha256Hex } from '../../src/lib/crypto';
import { countingD1 } from '../d1-reads';
import { createAccount, deps, fetchApp, testEnv } from '../helpers';

const SESSION = '__Host-cas';

const sessionRows = async (userId: string) => deps().db.select().from(sessions).where(eq(sessions.userId, userId)).all();
const revocationRows = async (userId: string) => deps().db.select().from(sessionRevocations).where(eq(sessionRevocations.userId, userId)).all();
const userRow = async (userId: string) => (await deps().db.select().from(users).where(eq(users.id, userId)).get())!;
const emailsTo = async (userId: string) => (await deps().db.select({ n: count() }).from(emailLog).where(eq(emailLog.userId, userId)).get())!.n;

/** What another isolate's sign-out leaves in D1 (this isolate's memory is not told). */
const revokeElsewhere = (sessionId: string, userId: string) => writeRevocations(deps(), [{ id: sessionId, userId }]);

describe('a revoked session cannot come back', () => {
  afterEach(() => { setDevClockOffset(deps().config, 0); });

  it('a cookie session revoked by another isolate is not renewed when due: the request is signed out and nothing is re-signed', async () => {
    const { user } = await createAccount();
    const s = await createSession(deps(), user, 'COOKIE');
    const cookie = `${SESSION}=${s.token}`;
    expect((await fetchApp('/en/account', { headers: { cookie } })).status).toBe(200); // this isolate knows the session
    await revokeElsewhere(s.sessionId, user.id);
    const before = { user: await userRow(user.id), sessions: await sessionRows(user.id), revocations: await revocationRows(user.id), emails: await emailsTo(user.id) };
    expect(before.sessions.map((r) => r.id)).not.toContain(s.sessionId);
    // 16 days later: less than 15 days left, the middleware would renew it.
    setDevClockOffset(deps().config, 16 * DAY);
    const res = await fetchApp('/en/account', { headers: { cookie } });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/en\/signin/);
    const set = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION}=`));
    // No fresh token: at most the cookie is cleared.
    if (set) expect(set).toMatch(new RegExp(`^${SESSION}=;`));
    expect(await sessionRows(user.id)).toEqual(before.sessions);
    expect(await revocationRows(user.id)).toEqual(before.revocations);
    expect(await userRow(user.id)).toEqual(before.user);
    expect(await emailsTo(user.id)).toBe(before.emails);
  });

  it('a token re-signed just before its revocation still fails after the old expiry passed and the purge ran (cold isolate)', async () => {
    const { user } = await createAccount();
    const t0 = Date.now();
    // A cookie session 20 days old: its row expires in 10 days.
    const s = await createSession(deps({ clock: fixedClock(t0 - 20 * DAY) }), user, 'COOKIE');
    const sid = s.token.split('.')[1];
    // A renewal that read the row just before the sign-out signs a token good for 30 more days.
    const raced = await signToken(deps().config.sessionSecret, { sid, userId: user.id, exp: Math.floor((t0 + SESSION_TTL_MS) / 1000) });
    await revokeSession(deps({ clock: fixedClock(t0) }), s.sessionId);
    const [rev] = await revocationRows(user.id);
    expect(rev.expiresAt.getTime()).toBeGreaterThanOrEqual(t0 + SESSION_TTL_MS);
    // 11 days later the first token has expired; the purge runs; a new isolate starts.
    const later = deps({ clock: fixedClock(t0 + 11 * DAY) });
    await purgeExpiredSessions(later);
    expect(await revocationRows(user.id)).toHaveLength(1);
    forgetSessionCache();
    expect(await verifySession(later, raced)).toBeNull();
    expect(await verifySession(later, s.token)).toBeNull();
    expect((await sessionRows(user.id)).map((r) => r.id)).not.toContain(s.sessionId);
  });
});

/** `n` signed-in sessions of `userId`, all signed out: what a script signing in and out leaves behind. */
async function signedOutSessions(userId: string, n: number): Promise<number> {
  const d = deps();
  const now = Date.now();
  await d.d1.prepare(`with recursive k(i) as (select 1 union all select i + 1 from k where i < ?)
    insert into sessions (id, user_id, kind, created_at, last_seen_at, expires_at) select ? || i, ?, 'BEARER', ?, ?, ? from k`)
    .bind(n, `flood-${userId}-`, userId, now, now, now + SESSION_TTL_MS).run();
  return revokeAllSessions(d, userId);
}

/** Deps whose D1 counts what this isolate reads. */
function countedDeps() {
  const counted = countingD1(testEnv.DB);
  return { d: buildDeps({ ...testEnv, DB: counted.d1 }), ...counted };
}

const sessionIdOf = (token: string) => sha256Hex(token.split('.')[1]);

describe('a revocation flood cannot make an isolate read without bound', () => {
  it('a cold isolate checks tokens reading a bounded number of rows after 5,000 sign-outs, refusing the revoked and accepting the live', async () => {
    const attacker = await createAccount();
    expect(await signedOutSessions(attacker.user.id, 5_000)).toBe(5_001);
    const live = await createAccount();
    const dead = await createAccount();
    await revokeSession(deps(), await sessionIdOf(dead.token));
    const before = { live: await sessionRows(live.user.id), dead: await sessionRows(dead.user.id), revocations: (await deps().db.select({ n: count() }).from(sessionRevocations).get())!.n };
    forgetSessionCache();
    const { d, reads, reset } = countedDeps();
    expect(await verifySession(d, dead.token)).toBeNull();
    expect(await verifySession(d, attacker.token)).toBeNull();
    expect((await verifySession(d, live.token))?.userId).toBe(live.user.id);
    expect(reads.rowsRead).toBeLessThanOrEqual(30);
    expect(reads.rowsReturned).toBeLessThanOrEqual(10);
    expect(reads.rowsWritten).toBe(0);
    // Warm: the known session costs no read at all.
    reset();
    for (let i = 0; i < 3; i++) expect((await verifySession(d, live.token))?.userId).toBe(live.user.id);
    expect(await verifySession(d, dead.token)).toBeNull();
    expect(reads.statements).toBe(0);
    expect(await sessionRows(live.user.id)).toEqual(before.live);
    expect(await sessionRows(dead.user.id)).toEqual(before.dead);
    expect((await deps().db.select({ n: count() }).from(sessionRevocations).get())!.n).toBe(before.revocations);
  });

  it('a flood of sign-outs after the isolate started is read a page per request, and a session revoked behind it is still refused', async () => {
    const live = await createAccount();
    const other = await createAccount();
    forgetSessionCache();
    const { d, reads, reset } = countedDeps();
    expect(await verifySession(d, live.token)).not.toBeNull();
    expect(await verifySession(d, other.token)).not.toBeNull();
    // Other isolates: 1,000 sign-outs by a script, then one of the sessions this isolate knows.
    const attacker = await createAccount();
    await signedOutSessions(attacker.user.id, 1_000);
    await revokeElsewhere(await sessionIdOf(other.token), other.user.id);
    const before = await sessionRows(live.user.id);
    expireRevocationSync();
    reset();
    expect(await verifySession(d, other.token)).toBeNull();
    expect(await verifySession(d, live.token)).not.toBeNull();
    // Two checks: at most two pages of the feed and two session rows.
    expect(reads.rowsReturned).toBeLessThanOrEqual(2 * REVOCATION_PAGE + 2);
    expect(reads.rowsRead).toBeLessThanOrEqual(2 * (REVOCATION_PAGE + 10));
    expect(reads.rowsWritten).toBe(0);
    // Caught up after a few more requests: the known live session costs no read again.
    for (let i = 0; i < 10; i++) await verifySession(d, live.token);
    reset();
    expect(await verifySession(d, live.token)).not.toBeNull();
    expect(await verifySession(d, other.token)).toBeNull();
    expect(reads.statements).toBe(0);
    expect(await sessionRows(live.user.id)).toEqual(before);
    expect(await sessionRows(other.user.id)).toEqual([]);
  });

  it('the purge never lets the feed go back: a sign-out made after every older revocation expired still reaches a warm isolate', async () => {
    await deps().d1.prepare('delete from session_revocations').run(); // a quiet spell: nothing revoked lately
    const live = await createAccount();
    const old = await createAccount();
    forgetSessionCache();
    expect(await verifySession(deps(), live.token)).not.toBeNull();
    // A sign-out of 40 days ago, read by this isolate; its row has expired since.
    await writeRevocations(deps({ clock: fixedClock(Date.now() - 40 * DAY) }), [{ id: await sessionIdOf(old.token), userId: old.user.id }]);
    expireRevocationSync();
    expect(await verifySession(deps(), live.token)).not.toBeNull();
    await purgeExpiredSessions(deps());
    // Now another isolate signs the live session out.
    await revokeElsewhere(await sessionIdOf(live.token), live.user.id);
    expireRevocationSync();
    expect(await verifySession(deps(), live.token)).toBeNull();
    expect(await sessionRows(live.user.id)).toEqual([]);
  });
});
