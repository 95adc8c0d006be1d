/**
 * Attacker stories against accounts and sessions (issue 16): a revoked session brought back by a
 * renewal, a cold isolate made to read an unbounded revocation list, Google sign-in taking over an
 * account signed up under someone else's address, and mailboxes flooded with account emails.
 * Each story checks the refusal and that no session, account or message changed.
 */
import { count, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { emailLog, sessionRevocations, sessions, users } from '../../src/db/schema';
import { forgetSessionCache } from '../../src/domain/accounts/session-cache';
import { createSession, purgeExpiredSessions, revokeSession, SESSION_TTL_MS, verifySession } from '../../src/domain/accounts/sessions';
import { DAY, fixedClock } from '../../src/lib/clock';
import { setDevClockOffset } from '../../src/lib/dev-clock';
import { signToken } from '../../src/lib/session-token';
import { createAccount, deps, fetchApp } from '../helpers';

const SESSION = '__Host-cas';

const sessionRows = async (userId: string) => deps().db.select().from(sessions).where(eq(sessions.userId, userId)).all();
const revocationRows = async (userId: string) => deps().db.select().from(sessionRevocations).where(eq(sessionRevocations.userId, userId)).all();
const userRow = async (userId: string) => (await deps().db.select().from(users).where(eq(users.id, userId)).get())!;
const emailsTo = async (userId: string) => (await deps().db.select({ n: count() }).from(emailLog).where(eq(emailLog.userId, userId)).get())!.n;

/** What another isolate's sign-out leaves in D1 (this isolate's memory is not told). */
async function revokeElsewhere(sessionId: string, userId: string, expiresAt: Date) {
  const d = deps();
  await d.db.batch([
    d.db.insert(sessionRevocations).values({ sessionId, userId, revokedAt: new Date(), expiresAt }),
    d.db.delete(sessions).where(eq(sessions.id, sessionId)),
  ]);
}

describe('a revoked session cannot come back', () => {
  afterEach(() => { setDevClockOffset(deps().config, 0); });

  it('a cookie session revoked by another isolate is not renewed when due: the request is signed out and nothing is re-signed', async () => {
    const { user } = await createAccount();
    const s = await createSession(deps(), user, 'COOKIE');
    const cookie = `${SESSION}=${s.token}`;
    expect((await fetchApp('/en/account', { headers: { cookie } })).status).toBe(200); // this isolate knows the session
    await revokeElsewhere(s.sessionId, user.id, s.expiresAt);
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
