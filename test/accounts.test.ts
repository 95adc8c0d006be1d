import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { creators, logs, sessions, users } from '../src/db/schema';
import { expireRevocationSync } from '../src/domain/accounts/session-cache';
import {
  createSession,
  renewIfDue,
  resolveSession,
  SESSION_TTL_MS,
  verifySession,
  writeRevocations,
} from '../src/domain/accounts/sessions';
import { sha256Hex } from '../src/lib/crypto';
import { newSid, SID_LENGTH, signToken, verifyToken } from '../src/lib/session-token';
import { fixedClock, MINUTE } from '../src/lib/clock';
import { api, createAccount, deps, expectError, lastEmailTo, PASSWORD, tokenFromEmail, uniqueEmail } from './helpers';
import { freshWindow } from './rate-limit';

const signupBody = (over: Record<string, unknown> = {}) => ({
  email: uniqueEmail('signup'),
  password: 'a-long-enough-pass',
  name: 'Ada Lovelace',
  ...over,
});

describe('sign-up', () => {
  it('creates a fan account, returns a working bearer token and queues a verification email', async () => {
    const body = signupBody({ locale: 'en', timezone: 'America/New_York' });
    const res = await api('POST', '/api/auth/signup', body);
    expect(res.status).toBe(201);
    const out = (await res.json()) as {
      user: { id: string; role: string; locale: string; timezone: string; emailVerified: boolean };
      token: string;
    };
    expect(out.user).toMatchObject({ role: 'USER', locale: 'en', timezone: 'America/New_York', emailVerified: false });
    const me = await api('GET', '/api/me', undefined, { token: out.token });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { id: string } }).user.id).toBe(out.user.id);
    const mail = await lastEmailTo(body.email as string);
    expect(mail?.subject).toContain('Confirm your email');
    expect(mail?.text).toContain('/en/verify-email?token=');
  });

  it('creates the creator profile with a slug for a creator sign-up', async () => {
    const res = await api('POST', '/api/auth/signup', signupBody({ role: 'CREATOR', name: 'Zoé Ünïcode' }));
    expect(res.status).toBe(201);
    const { user } = (await res.json()) as { user: { id: string; role: string } };
    expect(user.role).toBe('CREATOR');
    const creator = await deps().db.select().from(creators).where(eq(creators.userId, user.id)).get();
    expect(creator?.slug).toMatch(/^zoe-unicode(-\d+)?$/);
  });

  it('refuses a duplicate email (case-insensitive) with 409 EMAIL_TAKEN and creates nothing', async () => {
    const body = signupBody();
    expect((await api('POST', '/api/auth/signup', body)).status).toBe(201);
    const before = (await deps().db.select().from(users).all()).length;
    const dup = await api('POST', '/api/auth/signup', { ...body, email: (body.email as string).toUpperCase() });
    await expectError(dup, 409, 'EMAIL_TAKEN');
    expect((await deps().db.select().from(users).all()).length).toBe(before);
  });

  it.each([
    ['too short', 'short1'],
    ['common', 'password123'],
    ['one repeated character', 'aaaaaaaaaaaa'],
  ])('rejects a weak password (%s) with 400 and field details', async (_label, password) => {
    const res = await api('POST', '/api/auth/signup', signupBody({ password }));
    const err = await expectError(res, 400, 'VALIDATION_ERROR');
    expect(JSON.stringify(err)).toContain('password');
  });

  it('never lets a client self-assign ADMIN', async () => {
    await expectError(await api('POST', '/api/auth/signup', signupBody({ role: 'ADMIN' })), 400, 'VALIDATION_ERROR');
  });
});

describe('sign-in and sign-out', () => {
  it('signs in with the right password and rejects a wrong one with 401', async () => {
    const { user } = await createAccount();
    const ok = await api('POST', '/api/auth/login', { email: user.email, password: PASSWORD });
    expect(ok.status).toBe(200);
    await expectError(
      await api('POST', '/api/auth/login', { email: user.email, password: 'wrong-password!' }),
      401,
      'INVALID_CREDENTIALS',
    );
    await expectError(
      await api('POST', '/api/auth/login', { email: 'nobody@example.test', password: 'whatever-pass' }),
      401,
      'INVALID_CREDENTIALS',
    );
  });

  it('rate limits sign-in per IP and email: the 6th attempt in a minute gets 429 with Retry-After', async () => {
    const { user } = await createAccount();
    const headers = { 'cf-connecting-ip': '203.0.113.77' };
    const statuses: number[] = [];
    await freshWindow();
    for (let i = 0; i < 6; i++) {
      statuses.push(
        (await api('POST', '/api/auth/login', { email: user.email, password: 'wrong-password!' }, { headers })).status,
      );
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses[5]).toBe(429);
    const limited = await api('POST', '/api/auth/login', { email: user.email, password: PASSWORD }, { headers });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    // Another address from another IP is not affected.
    expect(
      (
        await api(
          'POST',
          '/api/auth/login',
          { email: user.email, password: PASSWORD },
          { headers: { 'cf-connecting-ip': '203.0.113.78' } },
        )
      ).status,
    ).toBe(200);
  });

  it('logout revokes the token', async () => {
    const { token } = await createAccount();
    expect((await api('GET', '/api/me', undefined, { token })).status).toBe(200);
    expect((await api('POST', '/api/auth/logout', undefined, { token })).status).toBe(204);
    await expectError(await api('GET', '/api/me', undefined, { token }), 401, 'UNAUTHENTICATED');
  });

  it('logout-all revokes every session of the account', async () => {
    const a = await createAccount();
    const second = (await (
      await api('POST', '/api/auth/login', { email: a.user.email, password: PASSWORD })
    ).json()) as { token: string };
    const res = await api('POST', '/api/auth/logout-all', undefined, { token: a.token });
    expect(((await res.json()) as { revoked: number }).revoked).toBe(2);
    expect((await api('GET', '/api/me', undefined, { token: second.token })).status).toBe(401);
  });

  it('signs tokens: they expire after 30 days, cannot be forged or altered, and only their hash is stored', async () => {
    const { user, token } = await createAccount();
    const sid = token.split('.')[1];
    const rows = await deps().db.select().from(sessions).where(eq(sessions.userId, user.id)).all();
    expect(rows).toHaveLength(1);
    expect(rows[0].id).not.toContain(sid);
    expect(rows[0].id).toBe(await sha256Hex(sid));
    expect(
      await resolveSession(deps({ clock: fixedClock(Date.now() + SESSION_TTL_MS - MINUTE) }), token),
    ).not.toBeNull();
    expect(await resolveSession(deps({ clock: fixedClock(Date.now() + SESSION_TTL_MS + MINUTE) }), token)).toBeNull();
    const other = await createAccount();
    const [, , , exp, sig] = token.split('.');
    const altered = ['v1', sid, other.user.id, exp, sig].join('.');
    await expectError(await api('GET', '/api/me', undefined, { token: altered }), 401, 'UNAUTHENTICATED');
    const forged = await signToken('not-the-server-secret-at-all-1234567890', {
      sid,
      userId: user.id,
      exp: Math.floor(Date.now() / 1000) + 3600,
    });
    await expectError(await api('GET', '/api/me', undefined, { token: forged }), 401, 'UNAUTHENTICATED');
  });

  it('session ids carry at least 256 random bits (52 base32 characters), and tokens minted with the older 24-character ids still parse', async () => {
    const { token } = await createAccount();
    const sid = token.split('.')[1];
    expect(sid).toMatch(/^[0-9abcdefghjkmnpqrstvwxyz]{52}$/);
    expect(SID_LENGTH * Math.log2(32)).toBeGreaterThanOrEqual(256);
    // Every character position takes many values over a few hundred ids (no constant padding).
    const sids = Array.from({ length: 300 }, () => newSid());
    expect(new Set(sids).size).toBe(300);
    for (let i = 0; i < SID_LENGTH; i++)
      expect(new Set(sids.map((s) => s[i])).size, `position ${i}`).toBeGreaterThan(20);
    const secret = deps().config.sessionSecret;
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const old = await signToken(secret, { sid: 'abcdefghjkmnpqrstvwxyz01', userId: 'usr_0123456789abcdefghjk', exp });
    expect(await verifyToken(secret, old)).toEqual({
      sid: 'abcdefghjkmnpqrstvwxyz01',
      userId: 'usr_0123456789abcdefghjk',
      exp,
    });
  });

  it('renews a cookie session that has less than 15 days left (same session, new expiry)', async () => {
    const { user } = await createAccount();
    const d = deps({ clock: fixedClock(Date.now() + 20 * 24 * 3600_000) });
    const s = await createSession(deps(), user, 'COOKIE');
    const id = (await verifySession(d, s.token))!;
    const renewal = await renewIfDue(d, id);
    if (renewal.status !== 'RENEWED') throw new Error(`not renewed: ${renewal.status}`);
    const renewed = renewal.session;
    expect(renewed.sessionId).toBe(s.sessionId);
    expect(renewed.expiresAt.getTime()).toBe(d.clock.now().getTime() + SESSION_TTL_MS);
    expect((await verifySession(d, renewed.token))!.expiresAt.getTime()).toBe(
      Math.floor(renewed.expiresAt.getTime() / 1000) * 1000,
    );
    expect(await renewIfDue(deps(), (await verifySession(deps(), s.token))!)).toEqual({ status: 'NOT_DUE' });
  });

  it('honours a revocation made by another isolate once the revoked list is re-read', async () => {
    const { user, token } = await createAccount();
    expect((await api('GET', '/api/me', undefined, { token })).status).toBe(200);
    const row = (await deps().db.select().from(sessions).where(eq(sessions.userId, user.id)).get())!;
    // Another isolate revoked it: only the D1 rows changed, this isolate's memory does not know yet.
    await writeRevocations(deps(), [row]);
    expireRevocationSync();
    await expectError(await api('GET', '/api/me', undefined, { token }), 401, 'UNAUTHENTICATED');
  });

  it('refuses a disabled account', async () => {
    const { user, token } = await createAccount();
    await deps().db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, user.id));
    await expectError(
      await api('POST', '/api/auth/login', { email: user.email, password: PASSWORD }),
      403,
      'ACCOUNT_DISABLED',
    );
    expect((await api('GET', '/api/me', undefined, { token })).status).toBe(401);
  });
});

describe('profile and password', () => {
  it('updates name, locale and time zone, and rejects an unknown zone', async () => {
    const { token } = await createAccount();
    const res = await api(
      'PATCH',
      '/api/me',
      { name: 'New Name', locale: 'fr', timezone: 'America/New_York' },
      { token },
    );
    expect(((await res.json()) as { user: Record<string, string> }).user).toMatchObject({
      name: 'New Name',
      locale: 'fr',
      timezone: 'America/New_York',
    });
    await expectError(await api('PATCH', '/api/me', { timezone: 'Mars/Olympus' }, { token }), 400, 'VALIDATION_ERROR');
    await expectError(await api('PATCH', '/api/me', {}, { token }), 400, 'VALIDATION_ERROR');
  });

  it('changes the password only with the current one, and signs out the other sessions', async () => {
    const a = await createAccount();
    const other = (await (
      await api('POST', '/api/auth/login', { email: a.user.email, password: PASSWORD })
    ).json()) as { token: string };
    await expectError(
      await api(
        'POST',
        '/api/me/password',
        { currentPassword: 'not-it-at-all', newPassword: 'brand-new-password' },
        { token: a.token },
      ),
      422,
      'WRONG_PASSWORD',
    );
    const ok = await api(
      'POST',
      '/api/me/password',
      { currentPassword: PASSWORD, newPassword: 'brand-new-password' },
      { token: a.token },
    );
    expect(ok.status).toBe(200);
    expect((await api('GET', '/api/me', undefined, { token: a.token })).status).toBe(200);
    expect((await api('GET', '/api/me', undefined, { token: other.token })).status).toBe(401);
    expect((await api('POST', '/api/auth/login', { email: a.user.email, password: 'brand-new-password' })).status).toBe(
      200,
    );
  });
});

describe('email verification and password reset', () => {
  it('verifies the address with the emailed token, once', async () => {
    const body = signupBody();
    const { token: bearer } = (await (await api('POST', '/api/auth/signup', body)).json()) as { token: string };
    const token = tokenFromEmail((await lastEmailTo(body.email as string))!.text);
    const res = await api('POST', '/api/auth/verify-email', { token });
    expect(((await res.json()) as { user: { emailVerified: boolean } }).user.emailVerified).toBe(true);
    await expectError(await api('POST', '/api/auth/verify-email', { token }), 410, 'TOKEN_INVALID');
    expect(
      (
        (await (await api('GET', '/api/me', undefined, { token: bearer })).json()) as {
          user: { emailVerified: boolean };
        }
      ).user.emailVerified,
    ).toBe(true);
  });

  it('resets the password with a single-use token, signs out everything, and does not reveal unknown emails', async () => {
    const a = await createAccount('USER', { locale: 'fr' });
    const unknown = await api('POST', '/api/auth/password-reset/request', { email: 'nobody-here@example.test' });
    expect(unknown.status).toBe(202);
    const res = await api('POST', '/api/auth/password-reset/request', { email: a.user.email });
    expect(res.status).toBe(202);
    const mail = (await lastEmailTo(a.user.email))!;
    expect(mail.subject).toContain('Réinitialisez');
    const token = tokenFromEmail(mail.text);
    const done = await api('POST', '/api/auth/password-reset/confirm', { token, password: 'after-reset-pass' });
    expect(done.status).toBe(200);
    expect((await api('GET', '/api/me', undefined, { token: a.token })).status).toBe(401);
    await expectError(
      await api('POST', '/api/auth/password-reset/confirm', { token, password: 'another-new-pass' }),
      410,
      'TOKEN_INVALID',
    );
    expect((await api('POST', '/api/auth/login', { email: a.user.email, password: 'after-reset-pass' })).status).toBe(
      200,
    );
  });

  it('refuses an expired reset token', async () => {
    const a = await createAccount();
    await api('POST', '/api/auth/password-reset/request', { email: a.user.email });
    const token = tokenFromEmail((await lastEmailTo(a.user.email))!.text);
    const { resetPassword } = await import('../src/domain/accounts/tokens');
    expect(
      await resetPassword(deps({ clock: fixedClock(Date.now() + 61 * MINUTE) }), token, 'too-late-password'),
    ).toBeNull();
  });
});

describe('nothing secret is logged', () => {
  it('keeps passwords and tokens out of the logs table', async () => {
    const body = signupBody({ password: 'very-secret-passphrase-42' });
    const { token } = (await (await api('POST', '/api/auth/signup', body)).json()) as { token: string };
    await api('POST', '/api/auth/login', { email: body.email, password: 'very-secret-passphrase-42' });
    await api('POST', '/api/auth/login', { email: body.email, password: 'wrong-secret-passphrase' });
    const all = JSON.stringify(await deps().db.select().from(logs).all());
    expect(all.length).toBeGreaterThan(100);
    expect(all).not.toContain('very-secret-passphrase-42');
    expect(all).not.toContain('wrong-secret-passphrase');
    expect(all).not.toContain(token);
  });
});
