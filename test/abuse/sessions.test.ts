/**
 * Attacker stories against accounts and sessions (issue 16): a revoked session brought back by a
 * renewal, a cold isolate made to read an unbounded revocation list, Google sign-in taking over an
 * account signed up under someone else's address, and mailboxes flooded with account emails.
 * Each story checks the refusal and that no session, account or message changed.
 */
import { and, count, eq, isNull } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import {
  auditLog,
  authTokens,
  emailLog,
  localStripeObjects,
  logs,
  payoutAudit,
  payouts,
  sessionRevocations,
  sessions,
} from '../../src/db/schema';
import { changePassword, verifyCredentials } from '../../src/domain/accounts/accounts';
import { startOnboarding } from '../../src/domain/payments/connect';
import { expireRevocationSync, forgetSessionCache, REVOCATION_PAGE } from '../../src/domain/accounts/session-cache';
import {
  createPasswordSession,
  createSession,
  purgeExpiredSessions,
  revokeAllSessions,
  revokeSession,
  SESSION_TTL_MS,
  verifySession,
  writeRevocations,
} from '../../src/domain/accounts/sessions';
import { buildDeps } from '../../src/deps';
import { DAY, fixedClock, HOUR } from '../../src/lib/clock';
import { requestPasswordReset } from '../../src/domain/accounts/tokens';
import { translate } from '../../src/i18n';
import { setDevClockOffset } from '../../src/lib/dev-clock';
import { signToken } from '../../src/lib/session-token';
import { sha256Hex } from '../../src/lib/crypto';
import { countingD1 } from '../d1-reads';
import {
  api,
  cookieFrom,
  createAccount,
  creatorOf,
  deps,
  expectError,
  fetchApp,
  googleSignIn,
  lastEmailTo,
  PASSWORD,
  postForm,
  testEnv,
  tokenFromEmail,
  uniqueEmail,
  userRow,
} from '../helpers';
import { fans, onboardedCreator } from '../scenarios';

const SESSION = '__Host-cas';

const sessionRows = async (userId: string) =>
  deps().db.select().from(sessions).where(eq(sessions.userId, userId)).all();
const revocationRows = async (userId: string) =>
  deps().db.select().from(sessionRevocations).where(eq(sessionRevocations.userId, userId)).all();
const emailsTo = async (userId: string) =>
  (await deps().db.select({ n: count() }).from(emailLog).where(eq(emailLog.userId, userId)).get())!.n;

/** What another isolate's sign-out leaves in D1 (this isolate's memory is not told). */
const revokeElsewhere = (sessionId: string, userId: string) => writeRevocations(deps(), [{ id: sessionId, userId }]);

describe('a revoked session cannot come back', () => {
  afterEach(() => {
    setDevClockOffset(deps().config, 0);
  });

  it('a cookie session revoked by another isolate is not renewed when due: the request is signed out and nothing is re-signed', async () => {
    const { user } = await createAccount();
    const s = await createSession(deps(), user, 'COOKIE');
    const cookie = `${SESSION}=${s.token}`;
    expect((await fetchApp('/en/account', { headers: { cookie } })).status).toBe(200); // this isolate knows the session
    await revokeElsewhere(s.sessionId, user.id);
    const before = {
      user: await userRow(user.id),
      sessions: await sessionRows(user.id),
      revocations: await revocationRows(user.id),
      emails: await emailsTo(user.id),
    };
    expect(before.sessions.map((r) => r.id)).not.toContain(s.sessionId);
    // 16 days later: less than 15 days left, the middleware would renew it.
    setDevClockOffset(deps().config, 16 * DAY);
    const res = await fetchApp('/en/account', { headers: { cookie } });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/en\/signin/);
    // No fresh token: the cookie is cleared.
    expect(res.headers.getSetCookie().filter((c) => c.startsWith(`${SESSION}=`))).toEqual([
      expect.stringMatching(new RegExp(`^${SESSION}=;.*Max-Age=0`)),
    ]);
    expect(await sessionRows(user.id)).toEqual(before.sessions);
    // Days later, the purge has run and a new isolate started: the old token still fails.
    setDevClockOffset(deps().config, 29 * DAY);
    await purgeExpiredSessions(deps());
    forgetSessionCache();
    expect((await fetchApp('/en/account', { headers: { cookie } })).status).toBe(303);
    expect(await revocationRows(user.id)).toEqual(before.revocations);
    expect(await userRow(user.id)).toEqual(before.user);
    expect(await emailsTo(user.id)).toBe(before.emails);
    expect((await sessionRows(user.id)).map((r) => r.id)).not.toContain(s.sessionId);
  });

  it('a token re-signed just before its revocation still fails after the old expiry passed and the purge ran (cold isolate)', async () => {
    const { user } = await createAccount();
    const t0 = Date.now();
    // A cookie session 20 days old: its row expires in 10 days.
    const s = await createSession(deps({ clock: fixedClock(t0 - 20 * DAY) }), user, 'COOKIE');
    const sid = s.token.split('.')[1];
    // A renewal that read the row just before the sign-out signs a token good for 30 more days.
    const raced = await signToken(deps().config.sessionSecret, {
      sid,
      userId: user.id,
      exp: Math.floor((t0 + SESSION_TTL_MS) / 1000),
    });
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
  await d.d1
    .prepare(`with recursive k(i) as (select 1 union all select i + 1 from k where i < ?)
    insert into sessions (id, user_id, kind, created_at, last_seen_at, expires_at) select ? || i, ?, 'BEARER', ?, ?, ? from k`)
    .bind(n, `flood-${userId}-`, userId, now, now, now + SESSION_TTL_MS)
    .run();
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
    const before = {
      live: await sessionRows(live.user.id),
      dead: await sessionRows(dead.user.id),
      revocations: (await deps().db.select({ n: count() }).from(sessionRevocations).get())!.n,
    };
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
    await writeRevocations(deps({ clock: fixedClock(Date.now() - 40 * DAY) }), [
      { id: await sessionIdOf(old.token), userId: old.user.id },
    ]);
    expireRevocationSync();
    expect(await verifySession(deps(), live.token)).not.toBeNull();
    await purgeExpiredSessions(deps());
    // Now another isolate signs the live session out.
    await revokeElsewhere(await sessionIdOf(live.token), live.user.id);
    expireRevocationSync();
    expect(await verifySession(deps(), live.token)).toBeNull();
    expect(await sessionRows(live.user.id)).toEqual([]);
  });

  it('once the older revocations are read back, a session new to the isolate costs no read, and an old sign-out stays refused', async () => {
    const old = await createAccount();
    await revokeElsewhere(await sessionIdOf(old.token), old.user.id);
    const [first, ...crowd] = await fans(4);
    forgetSessionCache();
    const { d, reads, reset } = countedDeps();
    expect(await verifySession(d, first!.token)).not.toBeNull();
    // The catch-up rides the regular sync, BACKFILL_PAGE rows at a time (the file's earlier floods included).
    for (let i = 0; i < 20; i++) {
      expireRevocationSync();
      await verifySession(d, first!.token);
    }
    reset();
    for (const f of crowd) expect((await verifySession(d, f.token))?.userId).toBe(f.user.id);
    expect(await verifySession(d, old.token)).toBeNull();
    expect(reads.statements).toBe(0);
  });
});

// ------------------------------------------------------------------------------------------------ account takeover

const ATTACKER_PASSWORD = 'attacker-knows-this-one';
const emailRows = (userId: string) => deps().db.select().from(emailLog).where(eq(emailLog.userId, userId)).all();
const me = async (opts: { token?: string; cookie?: string }) => (await api('GET', '/api/me', undefined, opts)).status;

/**
 * The attacker signs up as a creator under the victim's address (never confirmed), signs in on a
 * browser too, connects their own payout account, and has payouts waiting (one requested, one approved).
 */
async function preHijackedCreator() {
  const email = uniqueEmail('victim');
  const signup = await api(
    'POST',
    '/api/auth/signup',
    { email, password: ATTACKER_PASSWORD, name: 'Not The Owner', role: 'CREATOR' },
    { headers: { 'cf-connecting-ip': '203.0.113.50' } },
  );
  expect(signup.status).toBe(201);
  const {
    token: bearer,
    user: { id: userId },
  } = (await signup.json()) as { token: string; user: { id: string } };
  const cookie = cookieFrom(
    await postForm(
      '/en/signin',
      { email, password: ATTACKER_PASSWORD },
      { headers: { 'cf-connecting-ip': '203.0.113.51' } },
    ),
    SESSION,
  )!;
  const d = deps();
  const { accountId } = await startOnboarding(d, await creatorOf(userId), await userRow(userId), {
    returnUrl: 'http://localhost/',
    refreshUrl: 'http://localhost/',
  });
  await d.localPayments!.completeOnboarding(accountId);
  const creator = await creatorOf(userId);
  expect(creator).toMatchObject({ stripeAccountId: accountId, chargesEnabled: true, payoutsEnabled: true });
  const now = new Date();
  const payout = (status: 'REQUESTED' | 'APPROVED') => ({
    id: d.ids.next('pyt'),
    creatorId: creator.id,
    amount: 8_500,
    currency: 'EUR' as const,
    status,
    origin: 'CREATOR' as const,
    idempotencyKey: `test:${d.ids.next('pyt')}`,
    requestedAt: now,
    approvedAt: status === 'APPROVED' ? now : null,
    createdAt: now,
    updatedAt: now,
  });
  const [requested, approved] = [payout('REQUESTED'), payout('APPROVED')];
  await d.db.insert(payouts).values([requested, approved]);
  return {
    email,
    userId,
    bearer,
    cookie,
    accountId,
    creatorId: creator.id,
    requestedId: requested.id,
    approvedId: approved.id,
  };
}

describe("signing up under someone else's address gives no hold on the account once its owner shows up", () => {
  it('the owner signing in with Google gets the unverified account scrubbed: password, sessions, tokens, links and payout details go; the attacker is refused and changes nothing', async () => {
    const a = await preHijackedCreator();
    expect(await me({ token: a.bearer })).toBe(200);
    const res = await googleSignIn({
      sub: `g-owner-${a.userId}`,
      email: a.email,
      email_verified: 'true',
      name: 'Real Owner',
    });
    // The owner is signed in to the account and shown what happened.
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/en/account');
    expect(cookieFrom(res, 'flash')).toBe('flash=info%3Aauth.claimed.google');
    const ownerCookie = cookieFrom(res, SESSION)!;
    expect(await me({ cookie: ownerCookie })).toBe(200);
    const user = await userRow(a.userId);
    expect(user).toMatchObject({ passwordHash: null, googleSub: `g-owner-${a.userId}` });
    expect(user.emailVerifiedAt).not.toBeNull();
    // Every session of the attacker is gone: only the owner's remains.
    const rows = await sessionRows(a.userId);
    expect(rows).toHaveLength(1);
    expect(rows[0].id).toBe(await sessionIdOf(ownerCookie.split('=')[1]));
    expect(
      await deps()
        .db.select()
        .from(authTokens)
        .where(and(eq(authTokens.userId, a.userId), isNull(authTokens.usedAt)))
        .all(),
    ).toEqual([]);
    // The attacker's payout account is unlinked, payouts are off until an admin checks; nothing was paid to it.
    expect(await creatorOf(a.userId)).toMatchObject({
      stripeAccountId: null,
      chargesEnabled: false,
      payoutsEnabled: false,
      detailsSubmitted: false,
      onboardedAt: null,
      payoutsBlocked: true,
    });
    const open = await deps().db.select().from(payouts).where(eq(payouts.creatorId, a.creatorId)).all();
    expect(open.find((p) => p.id === a.requestedId)).toMatchObject({ status: 'REJECTED' });
    expect(open.find((p) => p.id === a.approvedId)).toMatchObject({ status: 'APPROVED', stripePayoutId: null });
    expect(
      await deps()
        .db.select()
        .from(localStripeObjects)
        .where(and(eq(localStripeObjects.type, 'payout'), eq(localStripeObjects.account, a.accountId)))
        .all(),
    ).toEqual([]);
    expect(
      (await deps().db.select().from(payoutAudit).where(eq(payoutAudit.creatorId, a.creatorId)).all()).map(
        (r) => r.action,
      ),
    ).toEqual(expect.arrayContaining(['DETAILS_RESET', 'BLOCKED', 'REJECTED']));
    // Audited, logged, and the owner is told by email too.
    const audit = await deps()
      .db.select()
      .from(auditLog)
      .where(and(eq(auditLog.entity, 'user'), eq(auditLog.entityId, a.userId)))
      .all();
    expect(audit).toEqual([
      expect.objectContaining({ action: 'ACCOUNT_CLAIMED', actorUserId: a.userId, reason: 'GOOGLE' }),
    ]);
    expect(audit[0].before).toMatchObject({ hadPassword: true, stripeAccountId: a.accountId });
    expect(
      await deps()
        .db.select()
        .from(logs)
        .where(and(eq(logs.type, 'AUTH_ACCOUNT_CLAIMED'), eq(logs.actorId, a.userId)))
        .all(),
    ).toHaveLength(1);
    const mail = (await lastEmailTo(a.email))!;
    expect(mail.subject).toContain('Your account is secured');
    expect(mail.text).toContain('/en/account');

    // The attacker's bearer token, browser session and password are all refused — and change nothing.
    const before = {
      user: await userRow(a.userId),
      sessions: await sessionRows(a.userId),
      emails: await emailRows(a.userId),
      creator: await creatorOf(a.userId),
    };
    expect(await me({ token: a.bearer })).toBe(401);
    expect(await me({ cookie: `${SESSION}=${a.cookie.split('=')[1]}` })).toBe(401);
    await expectError(
      await api(
        'POST',
        '/api/auth/login',
        { email: a.email, password: ATTACKER_PASSWORD },
        { headers: { 'cf-connecting-ip': '203.0.113.52' } },
      ),
      401,
      'INVALID_CREDENTIALS',
    );
    expect(
      (
        await postForm(
          '/en/signin',
          { email: a.email, password: ATTACKER_PASSWORD },
          { headers: { 'cf-connecting-ip': '203.0.113.53' } },
        )
      ).status,
    ).toBe(401);
    expect((await postForm('/en/creator/payments/onboard', {}, { cookie: a.cookie })).status).toBe(303); // bounced to sign-in
    expect(await userRow(a.userId)).toEqual(before.user);
    expect(await sessionRows(a.userId)).toEqual(before.sessions);
    expect(await emailRows(a.userId)).toEqual(before.emails);
    expect(await creatorOf(a.userId)).toEqual(before.creator);

    // The owner connecting payouts again gets an account of their own, not the attacker's back.
    const fresh = await startOnboarding(deps(), await creatorOf(a.userId), await userRow(a.userId), {
      returnUrl: 'http://localhost/',
      refreshUrl: 'http://localhost/',
    });
    expect(fresh.accountId).not.toBe(a.accountId);
  });

  it('a verified account is linked to Google as it is: nothing is scrubbed', async () => {
    const c = await onboardedCreator();
    const before = {
      user: await userRow(c.user.id),
      creator: await creatorOf(c.user.id),
      sessions: await sessionRows(c.user.id),
    };
    const res = await googleSignIn(
      { sub: `g-verified-${c.user.id}`, email: c.user.email, email_verified: 'true' },
      '/en/account',
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/en/account');
    expect(cookieFrom(res, 'flash')).toBeNull();
    const user = await userRow(c.user.id);
    expect(user).toMatchObject({
      passwordHash: before.user.passwordHash,
      emailVerifiedAt: before.user.emailVerifiedAt,
      googleSub: `g-verified-${c.user.id}`,
    });
    expect(await me({ token: c.token })).toBe(200);
    expect(
      (
        await api(
          'POST',
          '/api/auth/login',
          { email: c.user.email, password: PASSWORD },
          { headers: { 'cf-connecting-ip': '203.0.113.54' } },
        )
      ).status,
    ).toBe(200);
    expect(await creatorOf(c.user.id)).toEqual(before.creator);
    expect((await sessionRows(c.user.id)).map((r) => r.id)).toEqual(
      expect.arrayContaining(before.sessions.map((r) => r.id)),
    );
    expect(
      await deps()
        .db.select()
        .from(auditLog)
        .where(and(eq(auditLog.entity, 'user'), eq(auditLog.entityId, c.user.id)))
        .all(),
    ).toEqual([]);
    expect((await emailRows(c.user.id)).filter((e) => e.template === 'account_claimed')).toEqual([]);
  });

  it('a sign-in or a password change by the attacker in flight while the owner claims the account gets nothing', async () => {
    const email = uniqueEmail('race');
    const signup = await api(
      'POST',
      '/api/auth/signup',
      { email, password: ATTACKER_PASSWORD, name: 'Racer' },
      { headers: { 'cf-connecting-ip': '203.0.113.55' } },
    );
    const {
      user: { id: userId },
    } = (await signup.json()) as { user: { id: string } };
    // The attacker's password was checked a moment before the owner's claim…
    const checked = await verifyCredentials(deps(), email, ATTACKER_PASSWORD);
    if (!checked.ok) throw new Error('attacker sign-in refused');
    const stale = await userRow(userId);
    expect((await googleSignIn({ sub: `g-race-${userId}`, email, email_verified: 'true' })).status).toBe(303);
    const before = { user: await userRow(userId), sessions: await sessionRows(userId) };
    // …so the session it asks for next, and a new password set with the old one, are refused.
    expect(await createPasswordSession(deps(), checked.user, 'BEARER')).toBeNull();
    expect(
      await changePassword(deps(), stale, {
        currentPassword: ATTACKER_PASSWORD,
        newPassword: 'attacker-sets-a-new-one',
      }),
    ).toEqual({ ok: false, reason: 'WRONG_PASSWORD' });
    expect(await userRow(userId)).toEqual(before.user);
    expect(await sessionRows(userId)).toEqual(before.sessions);
  });

  it('the owner resetting the password of the unverified account scrubs it the same way', async () => {
    const a = await preHijackedCreator();
    expect(
      (await postForm('/en/forgot-password', { email: a.email }, { headers: { 'cf-connecting-ip': '203.0.113.56' } }))
        .status,
    ).toBe(200);
    const token = tokenFromEmail((await lastEmailTo(a.email))!.text);
    const res = await postForm('/en/reset-password', { token, password: 'owner-chose-this-one' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/en/signin');
    expect(cookieFrom(res, 'flash')).toBe('flash=info%3Aauth.claimed.reset');
    expect(await me({ token: a.bearer })).toBe(401);
    expect(await sessionRows(a.userId)).toEqual([]);
    expect(await creatorOf(a.userId)).toMatchObject({
      stripeAccountId: null,
      chargesEnabled: false,
      payoutsBlocked: true,
    });
    expect(
      await deps()
        .db.select()
        .from(auditLog)
        .where(and(eq(auditLog.entity, 'user'), eq(auditLog.entityId, a.userId)))
        .all(),
    ).toEqual([expect.objectContaining({ action: 'ACCOUNT_CLAIMED', reason: 'PASSWORD_RESET' })]);
    await expectError(
      await api(
        'POST',
        '/api/auth/login',
        { email: a.email, password: ATTACKER_PASSWORD },
        { headers: { 'cf-connecting-ip': '203.0.113.57' } },
      ),
      401,
      'INVALID_CREDENTIALS',
    );
    expect(
      (
        await api(
          'POST',
          '/api/auth/login',
          { email: a.email, password: 'owner-chose-this-one' },
          { headers: { 'cf-connecting-ip': '203.0.113.57' } },
        )
      ).status,
    ).toBe(200);
  });
});

// ------------------------------------------------------------------------------------------------ mailbox flooding

const tokenRows = (userId: string, kind: 'VERIFY_EMAIL' | 'RESET_PASSWORD') =>
  deps()
    .db.select()
    .from(authTokens)
    .where(and(eq(authTokens.userId, userId), eq(authTokens.kind, kind)))
    .all();
const mailsOf = async (userId: string, template: string) =>
  (await emailRows(userId)).filter((e) => e.template === template);

describe('account emails cannot be used to flood a mailbox', () => {
  it('password-reset emails: 3 an hour per account whatever the IPs, racing or not; the answer never changes and the last link still works', async () => {
    const a = await createAccount();
    const ask = (email: string, i: number) =>
      api(
        'POST',
        '/api/auth/password-reset/request',
        { email },
        { headers: { 'cf-connecting-ip': `198.51.100.${100 + i}` } },
      );
    // Ten requests at once, each from its own IP (each IP well under its own limit).
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => ask(a.user.email, i)));
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(202));
    const bodies = await Promise.all(answers.map((r) => r.json()));
    expect(new Set(bodies.map((b) => JSON.stringify(b)))).toEqual(new Set([JSON.stringify({ ok: true })]));
    expect(await mailsOf(a.user.id, 'password_reset')).toHaveLength(3);
    const before = {
      tokens: await tokenRows(a.user.id, 'RESET_PASSWORD'),
      mails: await emailRows(a.user.id),
      user: await userRow(a.user.id),
    };
    expect(before.tokens).toHaveLength(3);
    // More requests, through the page too: the same answers, no email, no token, the pending link intact.
    const unknown = await ask('nobody-at-all@example.test', 20);
    const refused = await ask(a.user.email, 21);
    expect([unknown.status, refused.status]).toEqual([202, 202]);
    expect(await refused.json()).toEqual(await unknown.json());
    const pageAnswer = async (email: string, i: number) =>
      (
        await postForm('/en/forgot-password', { email }, { headers: { 'cf-connecting-ip': `198.51.100.${30 + i}` } })
      ).text();
    const [pageKnown, pageUnknown] = [
      await pageAnswer(a.user.email, 1),
      await pageAnswer('nobody-either@example.test', 2),
    ];
    expect(pageKnown).toContain(translate('en', 'auth.forgot.sent'));
    expect(pageUnknown).toContain(translate('en', 'auth.forgot.sent'));
    expect(await tokenRows(a.user.id, 'RESET_PASSWORD')).toEqual(before.tokens);
    expect(await emailRows(a.user.id)).toEqual(before.mails);
    expect(await userRow(a.user.id)).toEqual(before.user);
    const link = tokenFromEmail((await lastEmailTo(a.user.email))!.text);
    expect(
      (await api('POST', '/api/auth/password-reset/confirm', { token: link, password: 'still-works-fine' })).status,
    ).toBe(200);
  });

  it('password-reset emails: 10 a day per account, however they are spread over the hours', async () => {
    const a = await createAccount();
    const t0 = Date.now();
    for (let h = 0; h < 5; h++)
      for (let i = 0; i < 3; i++)
        await requestPasswordReset(deps({ clock: fixedClock(t0 + h * HOUR + i * 1000) }), a.user.email);
    expect(await tokenRows(a.user.id, 'RESET_PASSWORD')).toHaveLength(10);
    expect(await mailsOf(a.user.id, 'password_reset')).toHaveLength(10);
    // A day after the first ones, the account may be sent some again.
    await requestPasswordReset(deps({ clock: fixedClock(t0 + DAY + 1000) }), a.user.email);
    expect(await tokenRows(a.user.id, 'RESET_PASSWORD')).toHaveLength(11);
  });

  it('verification emails: the sign-up one and 2 resends an hour per account (API 429 with Retry-After, page message); nothing else is sent', async () => {
    const email = uniqueEmail('resend');
    const signup = await api(
      'POST',
      '/api/auth/signup',
      { email, password: 'a-long-enough-pass', name: 'Resender' },
      { headers: { 'cf-connecting-ip': '198.51.100.60' } },
    );
    const {
      token,
      user: { id: userId },
    } = (await signup.json()) as { token: string; user: { id: string } };
    const resend = (i: number) =>
      api('POST', '/api/auth/verify-email/resend', undefined, {
        token,
        headers: { 'cf-connecting-ip': `198.51.100.${61 + i}` },
      });
    expect((await resend(0)).status).toBe(202);
    expect((await resend(1)).status).toBe(202);
    const before = {
      tokens: await tokenRows(userId, 'VERIFY_EMAIL'),
      mails: await emailRows(userId),
      user: await userRow(userId),
    };
    expect(before.tokens).toHaveLength(3);
    const limited = await resend(2);
    const err = await expectError(limited, 429, 'RATE_LIMITED');
    const retry = Number(limited.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(3500);
    expect(retry).toBeLessThanOrEqual(3600);
    expect(err.details).toEqual({ retryAfterSeconds: retry });
    const viaPage = await postForm('/en/account/verify-resend', {}, { headers: { authorization: `Bearer ${token}` } });
    expect(viaPage.status).toBe(303);
    expect(cookieFrom(viaPage, 'flash')).toBe('flash=error%3Aauth.errors.emailThrottled');
    expect(await tokenRows(userId, 'VERIFY_EMAIL')).toEqual(before.tokens);
    expect(await emailRows(userId)).toEqual(before.mails);
    expect(await userRow(userId)).toEqual(before.user);
    // The last link sent still confirms the address.
    const link = tokenFromEmail((await lastEmailTo(email))!.text);
    expect((await api('POST', '/api/auth/verify-email', { token: link })).status).toBe(200);
  });
});
