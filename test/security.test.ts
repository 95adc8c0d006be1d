/**
 * Security: headers on every page (as every role), on API answers, redirects and error pages; CSRF
 * on every cookie-authenticated write; session fixation; signing out everywhere; single-use,
 * expiring reset tokens; rate limits (numbers read from wrangler.toml); uploads decided by their
 * bytes; no secret in any log row, stored row or app-generated URL after a full flow; webhooks
 * (Stripe, Daily, Resend) refused without a valid signature, with nothing recorded.
 *
 * Already covered elsewhere (not repeated here): http.test.ts — headers on two URLs, CSRF on PATCH
 * /api/me, login CSRF; pages.test.ts — a second sign-in replaces the session, Google state check;
 * accounts.test.ts — API logout / logout-all with bearer tokens, reset single use and expiry through
 * the domain clock, sign-in rate limit on the API, no password in logs after sign-up/sign-in;
 * booking.test.ts — the 21st hold is refused with 429 before anything is written; requests-creators.test.ts — SVG/dimension/5 MB
 * upload refusals; payments.test.ts, daily.test.ts, with-keys/*.test.ts — signature refusals.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { and, eq, like } from 'drizzle-orm';
import Stripe from 'stripe';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import {
  authTokens,
  bookings,
  callEvents,
  emailSuppressions,
  logs,
  sessions,
  users,
  webhookEvents,
} from '../src/db/schema';
import { LOCAL_WEBHOOK_SECRET } from '../src/providers/payments/local';
import { translate } from '../src/i18n';
import { sha256Hex } from '../src/lib/crypto';
import { diff, snapshot, unexpectedChanges } from './db-snapshot';
import { pngImage } from './images';
import { FAKE_DAILY, FAKE_GOOGLE_CLIENT, FAKE_RESEND, FAKE_STRIPE } from './fake-credentials';
import {
  api,
  BASE,
  cookieFrom,
  createAccount,
  deps,
  fetchApp,
  getPage,
  lastEmailTo,
  PASSWORD,
  postForm,
  testEnv,
  tokenFromEmail,
  uniqueEmail,
  type TestAccount,
  bookingRow,
  userRow,
} from './helpers';
import { productionEnv } from './config-envs';
import { limitOf, untilLimited } from './rate-limit';
import { apiSpecs, app, fillPath, pagePaths } from './routes';
import { book, fans, moveCall, offerFor, onboardedCreator, reviewedCall } from './scenarios';

const SESSION = '__Host-cas';
const EVIL = 'https://evil.example';

let signIns = 0;
/** Signs in through the page form (each from its own address: the sign-in limit is per IP and email). */
async function signIn(a: TestAccount, extra: { cookie?: string; ip?: string } = {}): Promise<string> {
  const res = await postForm(
    '/en/signin',
    { email: a.user.email, password: a.password },
    { cookie: extra.cookie, headers: { 'cf-connecting-ip': extra.ip ?? `203.0.113.${(signIns++ % 250) + 1}` } },
  );
  expect(res.status, `sign-in of ${a.user.email}`).toBe(303);
  return cookieFrom(res, SESSION)!;
}
const me = async (auth: { cookie?: string; token?: string }) => {
  const res = await api('GET', '/api/me', undefined, auth);
  return res.status === 200 ? ((await res.json()) as { user: { id: string } }).user.id : res.status;
};

// ------------------------------------------------------------------------------------------------ headers

function headerProblems(res: Response, where: string): string[] {
  const out: string[] = [];
  const csp = res.headers.get('content-security-policy') ?? '';
  const directives = Object.fromEntries(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([k, ...v]) => [k, v]),
  );
  if (!csp) out.push('no CSP');
  if (/unsafe-inline|unsafe-eval|unsafe-hashes|\*/.test(csp)) out.push(`unsafe CSP: ${csp}`);
  if (directives['default-src']?.join(' ') !== "'self'") out.push(`default-src: ${directives['default-src']}`);
  if (directives['object-src']?.join(' ') !== "'none'") out.push('object-src not none');
  if (directives['frame-ancestors']?.join(' ') !== "'none'") out.push('frame-ancestors not none');
  if (directives['base-uri']?.join(' ') !== "'self'") out.push('base-uri not self');
  if (directives['form-action']?.join(' ') !== "'self'") out.push('form-action not self');
  if (!directives['script-src']?.includes("'self'")) out.push('script-src without self');
  if (res.headers.get('x-content-type-options') !== 'nosniff') out.push('no nosniff');
  if (res.headers.get('x-frame-options') !== 'DENY') out.push('no X-Frame-Options DENY');
  if (res.headers.get('referrer-policy') !== 'strict-origin-when-cross-origin')
    out.push(`referrer-policy ${res.headers.get('referrer-policy')}`);
  if (res.headers.get('cross-origin-opener-policy') !== 'same-origin') out.push('no COOP');
  if (!/geolocation=\(\)/.test(res.headers.get('permissions-policy') ?? '')) out.push('no Permissions-Policy');
  if (!/^req_/.test(res.headers.get('x-request-id') ?? '')) out.push('no X-Request-Id');
  if (res.headers.get('strict-transport-security')) out.push('HSTS outside production');
  return out.map((p) => `${where}: ${p}`);
}

/**
 * No page carries `style="…"` attributes (which `style-src 'self'` blocks in browsers): per-element
 * values (type colours, bar widths) travel as data attributes read by CSS `attr()`.
 */

/** Markup that a CSP without 'unsafe-inline' would break (or that would need it). */
function inlineProblems(html: string, where: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    if (!/\bsrc=/.test(m[1]) && m[2].trim() && !/type=["']application\/(ld\+)?json["']/.test(m[1]))
      out.push(`${where}: inline <script>${m[2].slice(0, 60)}`);
  }
  for (const m of html.matchAll(/<[a-z][^>]*\s(on[a-z]+)=/gi)) out.push(`${where}: inline handler ${m[1]}`);
  for (const m of html.matchAll(/<[a-z][^>]*\sstyle=/gi))
    out.push(`${where}: inline style attribute ${m[0].slice(0, 60)}`);
  if (/(href|src|action)=["']\s*javascript:/i.test(html)) out.push(`${where}: javascript: URL`);
  return out;
}

describe('security headers', () => {
  it('on every page from pagePaths() as anonymous, fan, creator and admin (CSP without unsafe-inline, nosniff, frame-ancestors/X-Frame-Options, Referrer-Policy); no inline script, handler or style in the HTML', async () => {
    const tokens: Record<string, string | undefined> = {
      anonymous: undefined,
      fan: (await fans(1))[0].token,
      creator: (await onboardedCreator()).token,
      admin: (await createAccount('ADMIN', { passwordHash: null })).token,
    };
    // Plus pages showing real objects (pagePaths() fills ids that exist nowhere): a reviewed call, its creator's public pages.
    const s = await reviewedCall();
    const real: [string, string | undefined][] = [
      [`/en/c/${s.c.creator.slug}`, undefined],
      [`/en/c/${s.c.creator.slug}/reviews`, undefined],
      [`/en/offers/${s.offer.id}`, undefined],
      [`/en/bookings/${s.bookingId}`, s.fan.token],
      [`/en/call/${s.bookingId}/summary`, s.fan.token],
      ['/en/dashboard/history', s.fan.token],
      ['/en/creator/reviews', s.c.token],
      ['/en/creator/planning', s.c.token],
      [`/en/admin/bookings/${s.bookingId}`, tokens.admin],
    ];
    const problems: string[] = [];
    let pages = 0;
    for (const [path, token] of real) {
      const res = await getPage(path, token);
      expect(res.status, path).toBe(200);
      problems.push(...headerProblems(res, `GET ${path}`));
      problems.push(...inlineProblems(await res.text(), `real ${path}`));
    }
    for (const path of pagePaths()) {
      for (const [who, token] of Object.entries(tokens)) {
        const res = await getPage(path, token);
        problems.push(...headerProblems(res, `${who} GET ${path} (${res.status})`));
        if (res.status === 200 && (res.headers.get('content-type') ?? '').includes('text/html')) {
          pages++;
          // A page rendered for someone signed in is theirs: no shared or back/forward caching.
          const cache = res.headers.get('cache-control') ?? '';
          if (token && cache !== 'private, no-store') problems.push(`${who} GET ${path}: cache-control "${cache}"`);
          if (!token && cache.includes('private')) problems.push(`anonymous GET ${path}: cache-control "${cache}"`);
          problems.push(...inlineProblems(await res.text(), `${who} ${path}`));
        } else await res.body?.cancel();
      }
    }
    expect(problems).toEqual([]);
    expect(pages).toBeGreaterThan(50);
  }, 40_000);

  it('on API answers (2xx, 4xx, 404, 413, ics, csv), redirects, error pages and 500s — and a 500 shows no stack', async () => {
    const fan = (await fans(1))[0];
    const admin = await createAccount('ADMIN', { passwordHash: null });
    const problems: string[] = [];
    const probes: [string, Promise<Response>][] = [
      ['GET /api/health', fetchApp('/api/health')],
      ['GET /api/me (401)', fetchApp('/api/me')],
      ['GET /api/me', api('GET', '/api/me', undefined, { token: fan.token })],
      ['GET /api/nope (404)', fetchApp('/api/nope')],
      ['POST /api/auth/login (400)', api('POST', '/api/auth/login', { email: 'x' })],
      [
        'POST /api/auth/login (413)',
        api('POST', '/api/auth/login', { email: 'a@b.co', password: 'x'.repeat(300_000) }),
      ],
      ['GET /api/admin/users (403)', api('GET', '/api/admin/users', undefined, { token: fan.token })],
      ['GET /api/openapi.json', fetchApp('/api/openapi.json')],
      ['GET / (302)', fetchApp('/')],
      ['GET /signin (302)', fetchApp('/signin')],
      ['GET /en/account (303)', fetchApp('/en/account')],
      ['GET /en/nope (404 page)', fetchApp('/en/nope')],
      ['GET /en/admin (403 page)', getPage('/en/admin', fan.token)],
      ['GET /en/admin/payments.csv', getPage('/en/admin/payments.csv', admin.token)],
      ['POST /en/signin (403 CSRF page)', postForm('/en/signin', { email: 'a@b.co', password: 'x' }, { origin: EVIL })],
      ['GET /dev/mailbox', fetchApp('/dev/mailbox')],
    ];
    for (const [label, p] of probes) {
      const res = await p;
      problems.push(...headerProblems(res, label));
      await res.body?.cancel();
    }
    // Unexpected errors: the same app with a route that throws.
    const boom = createApp();
    boom.get('/en/__boom', () => {
      throw new Error('secret detail at /work/src/x.ts:1:1');
    });
    boom.get('/api/__boom', () => {
      throw new Error('secret detail at /work/src/x.ts:1:1');
    });
    for (const path of ['/en/__boom', '/api/__boom']) {
      const ctx = createExecutionContext();
      const res = await boom.fetch(new Request(`${BASE}${path}`), testEnv, ctx);
      await waitOnExecutionContext(ctx);
      expect(res.status).toBe(500);
      problems.push(...headerProblems(res, `GET ${path} (500)`));
      const text = await res.text();
      expect(text).not.toContain('secret detail');
      expect(text).not.toMatch(/\.ts:\d+/);
    }
    expect(problems).toEqual([]);
  });

  it('adds HSTS (≥ 1 year, subdomains) in production, on pages and API', async () => {
    const prodEnv = productionEnv();
    for (const path of ['/en/', '/api/health', '/en/nope']) {
      const ctx = createExecutionContext();
      const res = await createApp().fetch(new Request(`${BASE}${path}`), prodEnv, ctx);
      await waitOnExecutionContext(ctx);
      const hsts = res.headers.get('strict-transport-security') ?? '';
      expect(Number(/max-age=(\d+)/.exec(hsts)?.[1] ?? 0), path).toBeGreaterThanOrEqual(31_536_000);
      expect(hsts).toContain('includeSubDomains');
      await res.body?.cancel();
    }
  });
});

// ------------------------------------------------------------------------------------------------ CSRF

/** Write routes that are authenticated by a signature, not the cookie: exempt from the Origin check by design. */
const SIGNED_WRITES = ['/api/webhooks/stripe', '/api/webhooks/daily', '/api/webhooks/resend', '/email/unsubscribe'];

describe('CSRF', () => {
  it('the session cookie is __Host-, HttpOnly, Secure, SameSite=Lax, Path=/ and has no Domain', async () => {
    const a = await createAccount();
    const res = await postForm('/en/signin', { email: a.user.email, password: a.password });
    const set = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION}=`))!;
    expect(set).toMatch(/;\s*HttpOnly/i);
    expect(set).toMatch(/;\s*Secure/i);
    expect(set).toMatch(/;\s*SameSite=Lax/i);
    expect(set).toMatch(/;\s*Path=\//i);
    expect(set).not.toMatch(/;\s*Domain=/i);
  });

  it('refuses every cookie-authenticated write (every non-GET page and API route) from a foreign, missing, null or look-alike origin — nothing changes', async () => {
    const cookies = {
      fan: await signIn(await createAccount('USER')),
      creator: await signIn(await onboardedCreator()),
      admin: await signIn(await createAccount('ADMIN')),
    };
    const cookieFor = (path: string) =>
      /\/admin(\/|$)/.test(path)
        ? cookies.admin
        : /\/creator(\/|s\/me)|\/api\/offers|\/api\/requests\/.+\/(accept|reject)/.test(path)
          ? cookies.creator
          : cookies.fan;
    const apiWrites = apiSpecs()
      .filter((s) => s.method !== 'get')
      .map((s) => ({ method: s.method.toUpperCase(), path: fillPath(s), json: true }));
    const pageWrites = app.routes
      .filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) && !r.path.startsWith('/api/'))
      .map((r) => ({
        method: r.method,
        json: false,
        path: r.path.replace(/:(\w+)(\{([^}]*)\})?/g, (_m, name: string, _g, alt?: string) =>
          name === 'lang'
            ? 'en'
            : alt && !alt.includes('[')
              ? alt.split('|')[0]
              : name === 'intentId'
                ? 'pi_local_aaaa'
                : name === 'accountId'
                  ? 'acct_local_aaaa'
                  : 'x_aaaaaaaaaaaaaaaaaaaa',
        ),
      }));
    const writes = [...apiWrites, ...pageWrites].filter((w) => !SIGNED_WRITES.some((p) => w.path.startsWith(p)));
    expect(apiWrites.length).toBeGreaterThan(40);
    expect(pageWrites.length).toBeGreaterThan(50);
    const variants: [string, Record<string, string>][] = [
      ['foreign Origin', { origin: EVIL }],
      ['no Origin, no Referer', {}],
      ['Origin: null', { origin: 'null' }],
      ['foreign Referer only', { referer: `${EVIL}/page` }],
      ['look-alike host', { origin: 'http://localhost.evil.example' }],
      ['other port', { origin: 'http://localhost:8787' }],
      ['other scheme', { origin: 'https://localhost' }],
    ];
    const before = await snapshot();
    const failures: string[] = [];
    for (const w of writes) {
      for (const [label, h] of variants) {
        const headers: Record<string, string> = {
          cookie: cookieFor(w.path),
          'content-type': w.json ? 'application/json' : 'application/x-www-form-urlencoded',
          ...h,
        };
        const res = await fetchApp(w.path, { method: w.method, headers, body: w.json ? '{}' : 'a=1' });
        const text = await res.text();
        if (
          res.status !== 403 ||
          !(w.json ? text.includes('"CSRF_FAILED"') : text.includes(translate('en', 'errors.codes.CSRF_FAILED')))
        )
          failures.push(`${w.method} ${w.path} [${label}] → ${res.status} ${text.slice(0, 120)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(unexpectedChanges(diff(before, await snapshot()), [])).toEqual([]);
    // The same cookie from our own origin gets through the check (here: a real change).
    expect((await api('PATCH', '/api/me', { name: 'Same Origin' }, { cookie: cookies.fan, origin: BASE })).status).toBe(
      200,
    );
    expect(
      (
        await postForm(
          '/en/account/profile',
          { name: 'Form Same Origin', locale: 'en', timezone: 'Europe/Paris' },
          { cookie: cookies.fan },
        )
      ).status,
    ).toBe(303);
  }, 40_000);
});

// ------------------------------------------------------------------------------------------------ sessions

describe('sessions', () => {
  it("no session fixation: a planted session (the attacker's own, or a made-up value) is replaced at sign-in and sign-up, and never becomes the victim's", async () => {
    const attacker = await createAccount();
    const victim = await createAccount();
    const planted = await signIn(attacker);
    const afterSignIn = await signIn(victim, { cookie: planted });
    expect(afterSignIn).not.toBe(planted);
    expect(await me({ cookie: afterSignIn })).toBe(victim.user.id);
    expect(await me({ cookie: planted })).toBe(401); // revoked at the victim's sign-in, never promoted to the victim
    const sid = (c: string) => c.split('=')[1].split('.')[1];
    expect(sid(afterSignIn)).not.toBe(sid(planted));

    const madeUp = `${SESSION}=v1.attacker-chosen-session-id.${victim.user.id}.9999999999.forged`;
    expect(await me({ cookie: madeUp })).toBe(401);
    const fresh = await signIn(victim, { cookie: madeUp });
    expect(fresh).not.toBe(madeUp);
    expect(fresh).not.toContain('attacker-chosen');

    const planted2 = await signIn(attacker);
    const signup = await postForm(
      '/en/signup',
      { name: 'New Person', email: uniqueEmail('fixation'), password: 'a-long-enough-pass', role: 'USER' },
      { cookie: planted2, headers: { 'cf-connecting-ip': '192.0.2.77' } },
    );
    expect(signup.status).toBe(303);
    const signupCookie = cookieFrom(signup, SESSION)!;
    expect(signupCookie).not.toBe(planted2);
    expect(await me({ cookie: signupCookie })).not.toBe(attacker.user.id);
    expect(await me({ cookie: planted2 })).toBe(401);
    expect(signup.headers.get('location') ?? '').not.toMatch(/token|session|cas=/i);
  });

  it('signing out everywhere (page form, or the API with a bearer token) ends every cookie and bearer session of the account; signing out once ends only that one; a password change keeps only the current one', async () => {
    const a = await createAccount();
    const [c1, c2, c3] = [await signIn(a), await signIn(a), await signIn(a)];
    const bearer = (
      (await (
        await api(
          'POST',
          '/api/auth/login',
          { email: a.user.email, password: PASSWORD },
          { headers: { 'cf-connecting-ip': '192.0.2.11' } },
        )
      ).json()) as { token: string }
    ).token;
    for (const s of [{ cookie: c1 }, { cookie: c2 }, { cookie: c3 }, { token: bearer }, { token: a.token }])
      expect(await me(s)).toBe(a.user.id);

    const one = await postForm('/en/signout', {}, { cookie: c3 });
    expect(one.status).toBe(303);
    expect(await me({ cookie: c3 })).toBe(401);
    expect(await me({ cookie: c1 })).toBe(a.user.id);

    const all = await postForm('/en/account/signout-all', {}, { cookie: c1 });
    expect(all.status).toBe(303);
    expect(all.headers.get('location')).toBe('/en/signin');
    expect(all.headers.getSetCookie().find((c) => c.startsWith(`${SESSION}=`))).toMatch(
      /Max-Age=0|Expires=Thu, 01 Jan 1970/i,
    );
    for (const s of [{ cookie: c1 }, { cookie: c2 }, { token: bearer }, { token: a.token }])
      expect(await me(s), JSON.stringify(s).slice(0, 40)).toBe(401);
    expect((await fetchApp('/en/account', { headers: { cookie: c2 } })).headers.get('location')).toMatch(
      /^\/en\/signin/,
    );
    expect(await deps().db.select().from(sessions).where(eq(sessions.userId, a.user.id)).all()).toHaveLength(0);

    // The API's sign-out-everywhere, called with a bearer token, ends the browser (cookie) sessions too.
    const [k1, b1] = [
      await signIn(a),
      (
        (await (
          await api(
            'POST',
            '/api/auth/login',
            { email: a.user.email, password: PASSWORD },
            { headers: { 'cf-connecting-ip': '192.0.2.12' } },
          )
        ).json()) as { token: string }
      ).token,
    ];
    expect(
      ((await (await api('POST', '/api/auth/logout-all', undefined, { token: b1 })).json()) as { revoked: number })
        .revoked,
    ).toBe(2);
    expect(await me({ cookie: k1 })).toBe(401);
    expect(await me({ token: b1 })).toBe(401);

    // Changing the password through the page signs out the other sessions, not this one.
    const [p1, p2] = [await signIn(a), await signIn(a)];
    const change = await postForm(
      '/en/account/password',
      { currentPassword: PASSWORD, newPassword: 'a-brand-new-password' },
      { cookie: p1 },
    );
    expect(change.status).toBe(303);
    expect(await me({ cookie: p1 })).toBe(a.user.id);
    expect(await me({ cookie: p2 })).toBe(401);
  });
});

// ------------------------------------------------------------------------------------------------ reset tokens

describe('password reset and verification tokens', () => {
  const requestReset = async (email: string, ip = '192.0.2.30') => {
    expect(
      (await api('POST', '/api/auth/password-reset/request', { email }, { headers: { 'cf-connecting-ip': ip } }))
        .status,
    ).toBe(202);
    return tokenFromEmail((await lastEmailTo(email))!.text);
  };
  const confirm = (token: string, password: string) =>
    api('POST', '/api/auth/password-reset/confirm', { token, password });

  it('are stored hashed, single use, voided by a newer link, and refused once expired (expiry set in D1) — the password stays unchanged', async () => {
    const a = await createAccount();
    const t1 = await requestReset(a.user.email);
    const t2 = await requestReset(a.user.email, '192.0.2.31');
    expect(t2).not.toBe(t1);
    const rows = await deps().db.select().from(authTokens).where(eq(authTokens.userId, a.user.id)).all();
    expect(rows.map((r) => r.tokenHash)).toContain(await sha256Hex(t2));
    expect(JSON.stringify(rows)).not.toContain(t1);
    expect(JSON.stringify(rows)).not.toContain(t2);
    // The older link no longer works; the newer one works once.
    expect((await confirm(t1, 'first-new-password')).status).toBe(410);
    expect((await confirm(t2, 'second-new-password')).status).toBe(200);
    expect((await confirm(t2, 'third-new-password')).status).toBe(410);

    // Expired: pushed an hour into the past in D1.
    const t3 = await requestReset(a.user.email, '192.0.2.32');
    await deps()
      .db.update(authTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(and(eq(authTokens.tokenHash, await sha256Hex(t3)), eq(authTokens.kind, 'RESET_PASSWORD')));
    const before = (await userRow(a.user.id)).passwordHash;
    expect((await confirm(t3, 'too-late-password')).status).toBe(410);
    const page = await postForm('/en/reset-password', { token: t3, password: 'too-late-password' });
    expect([400, 410]).toContain(page.status);
    expect((await userRow(a.user.id)).passwordHash).toBe(before);
    expect(
      (
        await api(
          'POST',
          '/api/auth/login',
          { email: a.user.email, password: 'second-new-password' },
          { headers: { 'cf-connecting-ip': '192.0.2.33' } },
        )
      ).status,
    ).toBe(200);
  });

  it('email verification links expire too (48 h, set in D1) and work once', async () => {
    const email = uniqueEmail('verify');
    expect(
      (
        await api(
          'POST',
          '/api/auth/signup',
          { email, password: 'a-long-enough-pass', name: 'Veri Fy' },
          { headers: { 'cf-connecting-ip': '192.0.2.40' } },
        )
      ).status,
    ).toBe(201);
    const token = tokenFromEmail((await lastEmailTo(email))!.text);
    await deps()
      .db.update(authTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(authTokens.tokenHash, await sha256Hex(token)));
    expect((await api('POST', '/api/auth/verify-email', { token })).status).toBe(410);
    expect((await deps().db.select().from(users).where(eq(users.email, email)).get())!.emailVerifiedAt).toBeNull();
  });
});

// ------------------------------------------------------------------------------------------------ rate limits

describe('rate limits (numbers from wrangler.toml)', () => {
  it('wrangler.toml has the documented limits, per minute', () => {
    expect(limitOf('LOGIN_LIMITER')).toEqual({ limit: 5, period: 60 });
    expect(limitOf('LOGIN_IP_LIMITER')).toEqual({ limit: 30, period: 60 });
    expect(limitOf('SIGNUP_LIMITER')).toEqual({ limit: 10, period: 60 });
    expect(limitOf('BOOKING_LIMITER')).toEqual({ limit: 20, period: 60 });
    expect(limitOf('REQUEST_LIMITER')).toEqual({ limit: 10, period: 60 });
    expect(limitOf('UPLOAD_LIMITER')).toEqual({ limit: 20, period: 60 });
  });

  it('sign-in through the page form: 429 with Retry-After after LOGIN_LIMITER attempts (per IP and email)', async () => {
    const a = await createAccount();
    const { limit, period } = limitOf('LOGIN_LIMITER');
    const r = await untilLimited(() =>
      postForm(
        '/en/signin',
        { email: a.user.email, password: 'wrong-password!' },
        { headers: { 'cf-connecting-ip': '198.51.100.21' } },
      ),
    );
    expect(r.at).toBe(limit);
    expect(r.res.headers.get('retry-after')).toBe(String(period));
    // Even the right password is refused while limited; nothing was signed in.
    const right = await postForm(
      '/en/signin',
      { email: a.user.email, password: a.password },
      { headers: { 'cf-connecting-ip': '198.51.100.21' } },
    );
    expect(right.status).toBe(429);
    expect(cookieFrom(right, SESSION)).toBeNull();
  });

  it('sign-in per IP, whatever the emails: the (LOGIN_IP_LIMITER + 1)th attempt from one IP in a minute is 429 with Retry-After — API and page, even with the right password', async () => {
    const { limit, period } = limitOf('LOGIN_IP_LIMITER');
    expect(limit).toBeGreaterThan(limitOf('LOGIN_LIMITER').limit);
    const victim = await createAccount();
    const ip = { 'cf-connecting-ip': '198.51.100.31' };
    // Each email is tried once: the per-(IP, email) limit never trips, the per-IP one does.
    const r = await untilLimited(
      (i) =>
        i % 2
          ? postForm('/en/signin', { email: uniqueEmail('spray'), password: 'wrong-password!' }, { headers: ip })
          : api(
              'POST',
              '/api/auth/login',
              { email: uniqueEmail('spray'), password: 'wrong-password!' },
              { headers: ip },
            ),
      limit + 5,
      { needMs: 20_000 },
    );
    expect(r.at).toBe(limit);
    expect(r.statuses.slice(0, limit).every((s) => s === 401)).toBe(true);
    expect(r.res.headers.get('retry-after')).toBe(String(period));
    // The right password of a real account is refused too while that address is limited; no session.
    const api429 = await api(
      'POST',
      '/api/auth/login',
      { email: victim.user.email, password: victim.password },
      { headers: ip },
    );
    expect(api429.status).toBe(429);
    expect(api429.headers.get('retry-after')).toBe(String(period));
    expect(((await api429.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    const page429 = await postForm(
      '/en/signin',
      { email: victim.user.email, password: victim.password },
      { headers: ip },
    );
    expect(page429.status).toBe(429);
    expect(page429.headers.get('retry-after')).toBe(String(period));
    expect(cookieFrom(page429, SESSION)).toBeNull();
    // Another address signs in normally.
    expect(
      (
        await api(
          'POST',
          '/api/auth/login',
          { email: victim.user.email, password: victim.password },
          { headers: { 'cf-connecting-ip': '198.51.100.32' } },
        )
      ).status,
    ).toBe(200);
  });

  it('password change (API and page): the (LOGIN_LIMITER + 1)th attempt in a minute per account is 429 with Retry-After, and the password stays', async () => {
    const { limit, period } = limitOf('LOGIN_LIMITER');
    const a = await createAccount();
    const hashBefore = (await userRow(a.user.id)).passwordHash;
    const r = await untilLimited(
      (i) =>
        i % 2
          ? api(
              'POST',
              '/api/me/password',
              { currentPassword: `wrong-guess-${i}-pass`, newPassword: 'a-brand-new-passphrase' },
              { token: a.token },
            )
          : postForm(
              '/en/account/password',
              { currentPassword: `wrong-guess-${i}-pass`, newPassword: 'a-brand-new-passphrase' },
              { headers: { authorization: `Bearer ${a.token}` } },
            ),
      limit + 3,
    );
    expect(r.at).toBe(limit);
    expect(r.statuses.slice(0, limit).every((s) => s === 422)).toBe(true);
    expect(r.res.headers.get('retry-after')).toBe(String(period));
    // Even the right current password is refused now, on both.
    const viaApi = await api(
      'POST',
      '/api/me/password',
      { currentPassword: a.password, newPassword: 'a-brand-new-passphrase' },
      { token: a.token },
    );
    expect(viaApi.status).toBe(429);
    expect(viaApi.headers.get('retry-after')).toBe(String(period));
    const viaPage = await postForm(
      '/en/account/password',
      { currentPassword: a.password, newPassword: 'a-brand-new-passphrase' },
      { headers: { authorization: `Bearer ${a.token}` } },
    );
    expect(viaPage.status).toBe(429);
    expect(viaPage.headers.get('retry-after')).toBe(String(period));
    expect(await viaPage.text()).toContain(translate('en', 'auth.errors.rateLimited'));
    expect((await userRow(a.user.id)).passwordHash).toBe(hashBefore);
    // Per account: someone else changes theirs.
    const b = await createAccount();
    expect(
      (
        await api(
          'POST',
          '/api/me/password',
          { currentPassword: b.password, newPassword: 'another-new-passphrase' },
          { token: b.token },
        )
      ).status,
    ).toBe(200);
  });

  it('password-reset requests share the sign-in limit', async () => {
    const a = await createAccount('USER', { passwordHash: null });
    const r = await untilLimited(() =>
      api(
        'POST',
        '/api/auth/password-reset/request',
        { email: a.user.email },
        { headers: { 'cf-connecting-ip': '198.51.100.22' } },
      ),
    );
    expect(r.at).toBe(limitOf('LOGIN_LIMITER').limit);
    expect(r.res.headers.get('retry-after')).toBe('60');
  });

  it('sign-up: the (SIGNUP_LIMITER + 1)th account from one IP in a minute gets 429 with Retry-After, and is not created', async () => {
    const { limit, period } = limitOf('SIGNUP_LIMITER');
    const emails: string[] = [];
    const r = await untilLimited((i) => {
      emails[i] = uniqueEmail('burst');
      return api(
        'POST',
        '/api/auth/signup',
        { email: emails[i], password: 'a-long-enough-pass', name: 'Burst' },
        { headers: { 'cf-connecting-ip': '198.51.100.23' } },
      );
    });
    expect(r.at).toBe(limit);
    expect(r.res.headers.get('retry-after')).toBe(String(period));
    expect(await deps().db.select().from(users).where(eq(users.email, emails[r.at])).get()).toBeUndefined();
    // Another IP is not affected.
    expect(
      (
        await api(
          'POST',
          '/api/auth/signup',
          { email: uniqueEmail('other-ip'), password: 'a-long-enough-pass', name: 'Other' },
          { headers: { 'cf-connecting-ip': '198.51.100.24' } },
        )
      ).status,
    ).toBe(201);
  });

  it('booking: the (BOOKING_LIMITER + 1)th hold in a minute is 429 with Retry-After and never held', async () => {
    const c = await onboardedCreator();
    const { limit, period } = limitOf('BOOKING_LIMITER');
    const offers: { id: string }[] = [];
    for (let i = 0; i <= limit; i++) offers.push(await offerFor(c));
    const [fan] = await fans(1);
    const r = await untilLimited((i) => book(offers[i].id, fan.token), limit + 1);
    expect(r.at).toBe(limit);
    expect(r.res.headers.get('retry-after')).toBe(String(period));
    const live = await deps()
      .db.select()
      .from(bookings)
      .where(and(eq(bookings.offerId, offers[limit].id), eq(bookings.status, 'PENDING')))
      .all();
    expect(live).toHaveLength(0);
  });

  it('call requests: the (REQUEST_LIMITER + 1)th in a minute is 429 with Retry-After and not created', async () => {
    const c = await onboardedCreator();
    const [fan] = await fans(1);
    const { limit, period } = limitOf('REQUEST_LIMITER');
    const r = await untilLimited((i) =>
      api(
        'POST',
        `/api/creators/${c.creator.id}/requests`,
        {
          proposedPrice: 3000,
          currency: 'EUR',
          proposedStartsAt: new Date(Date.now() + (3 + i) * 86_400_000).toISOString(),
          durationMinutes: 30,
          message: `Request ${i}`,
        },
        { token: fan.token },
      ),
    );
    expect(r.at).toBe(limit);
    expect(r.res.headers.get('retry-after')).toBe(String(period));
    const sent = (await (await api('GET', '/api/requests', undefined, { token: fan.token })).json()) as {
      items: unknown[];
    };
    expect(sent.items).toHaveLength(limit);
  });

  it('uploads: the (UPLOAD_LIMITER + 1)th in a minute is 429, before the bytes are even looked at', async () => {
    const c = await onboardedCreator();
    const r = await untilLimited(() =>
      fetchApp('/api/creators/me/images/profile', {
        method: 'PUT',
        headers: { authorization: `Bearer ${c.token}`, 'content-type': 'image/png' },
        body: 'not an image at all, padded to be long enough',
      }),
    );
    expect(r.at).toBe(limitOf('UPLOAD_LIMITER').limit);
    expect(r.statuses.slice(0, -1).every((s) => s === 415)).toBe(true);
  });
});

// ------------------------------------------------------------------------------------------------ uploads

describe('uploads', () => {
  it('the bytes decide, not the declared type: a PNG sent as text/plain is stored (re-encoded as WebP) and served as image/webp with nosniff; HTML sent as image/png is refused', async () => {
    const c = await onboardedCreator();
    const png = await pngImage(400, 400);
    const put = (body: Uint8Array, type: string) =>
      fetchApp('/api/creators/me/images/profile', {
        method: 'PUT',
        headers: { authorization: `Bearer ${c.token}`, 'content-type': type },
        body: body as unknown as BodyInit,
      });
    const ok = await put(png, 'text/plain');
    expect(ok.status).toBe(200);
    const { url } = (await ok.json()) as { url: string };
    expect(url).toMatch(/-256\.webp$/);
    const served = await fetchApp(url);
    expect(served.headers.get('content-type')).toBe('image/webp');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(served.headers.get('content-security-policy')).toContain("default-src 'self'");
    await served.body?.cancel();
    const html = new TextEncoder().encode('<html><script>alert(document.cookie)</script></html>'.padEnd(64));
    expect((await put(html, 'image/png')).status).toBe(415);
    const big = await put(new Uint8Array(6 * 1024 * 1024), 'image/png');
    expect(big.status).toBe(413);
  });
});

// ------------------------------------------------------------------------------------------------ secrets

describe('no secret in any URL or log line', () => {
  it('after a full flow (sign-up, verify, sign-in, reset, book, pay, join a call, sign out): no password, session token, call token or provider secret in any table, log row or app-generated URL; one-time email links only in the emails', async () => {
    const d = deps();
    const secrets: Record<string, string> = {};
    const emailOnly: Record<string, string> = {};
    const urls: string[] = [];
    const record = (res: Response) => {
      const l = res.headers.get('location');
      if (l) urls.push(l);
      return res;
    };
    const links = async (res: Response) => {
      const html = await res.text();
      for (const m of html.matchAll(/\b(?:href|src|action|data-[a-z-]+)=["']([^"']*)["']/g)) urls.push(m[1]);
      return html;
    };
    const ip = { 'cf-connecting-ip': '192.0.2.99' };

    // Sign-up and verification.
    const email = uniqueEmail('flow');
    secrets.password1 = 'first-Secret-passphrase-1';
    const signup = (await (
      await api('POST', '/api/auth/signup', { email, password: secrets.password1, name: 'Flow Fan' }, { headers: ip })
    ).json()) as { token: string; user: { id: string } };
    secrets.bearer1 = signup.token;
    emailOnly.verify = tokenFromEmail((await lastEmailTo(email))!.text);
    expect((await api('POST', '/api/auth/verify-email', { token: emailOnly.verify })).status).toBe(200);
    // A failed sign-in with a (wrong) password, then a good one (API and page).
    secrets.wrongPassword = 'wrong-Secret-passphrase-2';
    await api('POST', '/api/auth/login', { email, password: secrets.wrongPassword }, { headers: ip });
    secrets.bearer2 = (
      (await (
        await api('POST', '/api/auth/login', { email, password: secrets.password1 }, { headers: ip })
      ).json()) as { token: string }
    ).token;
    secrets.cookie1 = cookieFrom(
      record(await postForm('/en/signin', { email, password: secrets.password1 }, { headers: ip })),
      SESSION,
    )!.split('=')[1];
    // Reset.
    await api('POST', '/api/auth/password-reset/request', { email }, { headers: ip });
    emailOnly.reset = tokenFromEmail((await lastEmailTo(email))!.text);
    // The reset page itself links to its other language with the same query: the link the user already holds (by design).
    const resetPage = await fetchApp(`/en/reset-password?token=${emailOnly.reset}`);
    const resetLinks = [
      ...(await resetPage.text()).matchAll(/\b(?:href|src|action)=["']([^"']*token=[^"']*)["']/g),
    ].map((m) => m[1]);
    expect(
      resetLinks.every(
        (u) =>
          u === `/fr/reset-password?token=${emailOnly.reset}` || u === `/en/reset-password?token=${emailOnly.reset}`,
      ),
    ).toBe(true);
    secrets.password2 = 'second-Secret-passphrase-3';
    record(await postForm('/en/reset-password', { token: emailOnly.reset, password: secrets.password2 }));
    const signin = record(await postForm('/en/signin', { email, password: secrets.password2 }, { headers: ip }));
    secrets.cookie2 = cookieFrom(signin, SESSION)!.split('=')[1];
    const cookie = `${SESSION}=${secrets.cookie2}`;
    secrets.bearer3 = (
      (await (
        await api('POST', '/api/auth/login', { email, password: secrets.password2 }, { headers: ip })
      ).json()) as { token: string }
    ).token;
    for (const t of ['bearer1', 'bearer2', 'bearer3', 'cookie1', 'cookie2'])
      secrets[`${t}.sid`] = secrets[t].split('.')[1];

    // Book and pay through the pages, then join the call.
    const c = await onboardedCreator();
    const offer = await offerFor(c);
    const booked = record(await postForm(`/en/offers/${offer.id}/book`, {}, { cookie }));
    await links(await fetchApp(booked.headers.get('location')!, { headers: { cookie } }));
    const bookingId = (await d.db.select().from(bookings).where(eq(bookings.offerId, offer.id)).get())!.id;
    const checkout = record(
      await fetchApp(`/en/bookings/${bookingId}/checkout`, { headers: { cookie }, redirect: 'manual' }),
    );
    const checkoutUrl =
      checkout.headers.get('location') ?? (await links(checkout)).match(/\/checkout\/local\/pi_local_[0-9a-z]+/)?.[0];
    const intentPath = /\/checkout\/local\/pi_local_[0-9a-z]+/.exec(checkoutUrl ?? '')?.[0];
    expect(intentPath).toBeTruthy();
    await links(await fetchApp(intentPath!, { headers: { cookie } }));
    record(await postForm(`${intentPath}/pay`, {}, { cookie }));
    expect((await bookingRow(bookingId)).status).toBe('CONFIRMED');
    await moveCall(bookingId, 60_000);
    const join = (await (
      await api('POST', `/api/bookings/${bookingId}/join`, undefined, { token: secrets.bearer3 })
    ).json()) as { token: string; socketUrl: string | null; roomUrl: string | null };
    secrets.callToken = join.token;
    urls.push(join.socketUrl ?? '', join.roomUrl ?? '');
    for (const p of [
      '/en/dashboard',
      '/en/dashboard/calls',
      `/en/bookings/${bookingId}`,
      `/en/call/${bookingId}`,
      '/en/account',
      '/en/notifications',
      '/en/creators',
      `/en/c/${c.creator.slug}`,
    ]) {
      await links(record(await fetchApp(p, { headers: { cookie } })));
    }
    record(await fetchApp('/auth/google/start'));
    record(await postForm('/en/signout', {}, { cookie }));

    // Provider and app secrets configured for this project (and the fakes' ones, which must appear nowhere either).
    Object.assign(secrets, {
      sessionSecret: d.config.sessionSecret,
      localWebhookSecret: LOCAL_WEBHOOK_SECRET,
      googleSecret: FAKE_GOOGLE_CLIENT.secret,
      stripeKey: FAKE_STRIPE.secretKey,
      stripeWebhook: FAKE_STRIPE.webhookSecret,
      dailyKey: FAKE_DAILY.apiKey,
      dailyWebhook: FAKE_DAILY.webhookSecret,
      resendKey: FAKE_RESEND.apiKey,
      resendWebhook: FAKE_RESEND.webhookSecret,
    });

    // Every table; only the built-in provider's outbox (the sent email itself, development only) may carry
    // the one-time links — not the email log, which keeps a reference and derives the link at send time.
    const all = await snapshot();
    const found: string[] = [];
    for (const [table, rows] of all) {
      const text = [...rows].join('\n');
      for (const [name, value] of Object.entries(secrets))
        if (value && text.includes(value)) found.push(`${table} contains ${name}`);
      if (table !== 'dev_outbox')
        for (const [name, value] of Object.entries(emailOnly))
          if (text.includes(value)) found.push(`${table} contains the ${name} token`);
    }
    expect([...all.get('email_log')!].join('\n')).toMatch(/tokenId\\?":\\?"tok_/); // the reference is there
    expect(found).toEqual([]);
    expect([...all.get('logs')!].length).toBeGreaterThan(5);
    expect([...all.get('dev_outbox')!].join('\n')).toContain(emailOnly.reset); // by design: the reset email carries its link

    // URLs the app generated (redirects, links, forms, data attributes, the join answer).
    expect(urls.length).toBeGreaterThan(50);
    const leaks: string[] = [];
    for (const u of urls) {
      for (const [name, value] of Object.entries({ ...secrets, ...emailOnly }))
        if (value && u.includes(value)) leaks.push(`${u.slice(0, 120)} contains ${name}`);
      if (/[?&](token|session|sid|password|secret|api[_-]?key|key|client_secret)=/i.test(u))
        leaks.push(`secret-looking parameter in ${u.slice(0, 160)}`);
    }
    expect(leaks).toEqual([]);
    expect(join.socketUrl).toBe(`/api/bookings/${bookingId}/call-socket`); // the call token travels in the WebSocket URL only when the client opens it
  }, 40_000);

  it("a crash in a query logs the SQL and the database's reason, never the bound values: no email, password hash, one-time link or token in the logs row (API and page)", async () => {
    const a = await createAccount();
    const hash = (await userRow(a.user.id)).passwordHash!;
    const leakEmail = uniqueEmail('leaky');
    const resetToken = 'Zq9'.repeat(15);
    const body = `Reset your password: http://localhost/en/reset-password?token=${resetToken}\nThanks`;
    const boom = createApp();
    // A duplicate primary key: drizzle throws "Failed query: insert into users … params: <every value>".
    const failingInsert = (c: { get(k: 'deps'): ReturnType<typeof deps> }) =>
      c.get('deps').db.insert(users).values({
        id: a.user.id,
        email: leakEmail,
        passwordHash: hash,
        name: body,
        role: 'USER',
        locale: 'en',
        timezone: 'Europe/Paris',
        createdAt: new Date(),
        updatedAt: new Date(),
      });
    boom.get('/api/__leak', async (c) => {
      await failingInsert(c);
      return c.body(null, 204);
    });
    boom.get('/en/__leak', async (c) => {
      await failingInsert(c);
      return c.body(null, 204);
    });
    // An error whose own text echoes credentials (as a provider's error might).
    boom.get('/api/__echo', () => {
      throw new Error(
        `upstream refused Bearer ${a.token} for ${leakEmail} (${hash}) at /en/reset-password?token=${resetToken}`,
      );
    });
    for (const path of ['/api/__leak', '/en/__leak', '/api/__echo']) {
      const ctx = createExecutionContext();
      const res = await boom.fetch(new Request(`${BASE}${path}`), testEnv, ctx);
      await waitOnExecutionContext(ctx);
      expect(res.status, path).toBe(500);
      const row = (await deps()
        .db.select()
        .from(logs)
        .where(like(logs.message, `%${path}`))
        .get())!;
      expect(row, path).toBeDefined();
      const stored = `${row.message}\n${row.error}\n${JSON.stringify(row.context)}`;
      for (const [name, secret] of Object.entries({
        email: leakEmail,
        hash,
        salt: hash.split('$')[2],
        resetToken,
        token: a.token,
        sid: a.token.split('.')[1],
        body: 'Reset your password',
      })) {
        expect(stored.includes(secret), `${path}: the log row contains the ${name}`).toBe(false);
      }
      if (path.endsWith('__leak')) {
        // What an operator needs stays: the statement, how many values there were, and D1's reason.
        expect(row.error).toMatch(
          /^DrizzleQueryError: Failed query: insert into "users" \(.*"email".*\) values \(\?, \?/,
        );
        expect(row.error).toMatch(/params: \[\d+ withheld\]/);
        expect(row.error).toMatch(/Caused by: .*UNIQUE constraint failed: users\.id/);
        expect(row.error).toMatch(/\n\s+at /);
      } else {
        expect(row.error).toContain(
          'upstream refused Bearer [redacted] for [email]@example.test ([password-hash]) at /en/reset-password?token=[redacted]',
        );
      }
    }
  });
});

// ------------------------------------------------------------------------------------------------ webhooks

describe('webhooks refuse missing, wrong and stale signatures, and record nothing', () => {
  const stripeSign = (payload: string, secret = LOCAL_WEBHOOK_SECRET, timestamp?: number) =>
    Stripe.webhooks.generateTestHeaderStringAsync({
      payload,
      secret,
      cryptoProvider: Stripe.createSubtleCryptoProvider(),
      timestamp,
    });

  // (A timestamp in the future is accepted, as by Stripe's SDK: only the age is bounded, and `t` is inside the signed string.)
  it('Stripe: a payment_intent.succeeded for a real held booking is refused unsigned, wrongly signed, stale, tampered or v0-only — the booking stays held, no event recorded; signed, it confirms', async () => {
    const c = await onboardedCreator();
    const offer = await offerFor(c);
    const [fan] = await fans(1);
    const held = (await (await book(offer.id, fan.token)).json()) as {
      booking: { id: string };
      payment: { intentId: string };
    };
    const local = await deps().payments.retrieveIntent(held.payment.intentId);
    const eventId = `evt_security_${Date.now()}`;
    const payload = JSON.stringify({
      id: eventId,
      object: 'event',
      type: 'payment_intent.succeeded',
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: held.payment.intentId,
          object: 'payment_intent',
          status: 'succeeded',
          amount: local.amount,
          currency: local.currency.toLowerCase(),
          metadata: local.metadata,
          latest_charge: null,
        },
      },
    });
    const now = Math.floor(Date.now() / 1000);
    const good = await stripeSign(payload);
    const bad: [string, string | null, string][] = [
      ['no signature', null, payload],
      ['another secret', await stripeSign(payload, 'whsec_not_ours_at_all'), payload],
      ['stale (6 minutes)', await stripeSign(payload, LOCAL_WEBHOOK_SECRET, now - 360), payload],
      ['tampered body', good, payload.replace('"succeeded"', '"succeeded" ')],
      ['v0 only', good.replace('v1=', 'v0='), payload],
      ['garbage header', 't=abc,v1=zz', payload],
      ['empty body', good, ''],
    ];
    const before = await snapshot();
    for (const [label, sig, body] of bad) {
      const res = await fetchApp('/api/webhooks/stripe', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(sig ? { 'stripe-signature': sig } : {}) },
        body,
      });
      expect(res.status, label).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code, label).toBe('SIGNATURE_INVALID');
    }
    expect(unexpectedChanges(diff(before, await snapshot()), ['WEBHOOK_REJECTED'])).toEqual([]);
    expect(
      await deps().db.select().from(webhookEvents).where(eq(webhookEvents.eventId, eventId)).get(),
    ).toBeUndefined();
    expect((await bookingRow(held.booking.id)).status).toBe('PENDING');
    // The control: the same event, signed, is accepted.
    const ok = await fetchApp('/api/webhooks/stripe', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': good },
      body: payload,
    });
    expect(ok.status).toBe(200);
    expect(await deps().db.select().from(webhookEvents).where(eq(webhookEvents.eventId, eventId)).get()).toBeDefined();
  });

  /** The app with Daily and Resend configured, webhook secrets included (as in production; their APIs are the fakes). */
  async function withWebhookSecrets(path: string, body: string, headers: Record<string, string>): Promise<Response> {
    const env = {
      ...testEnv,
      DAILY_API_KEY: FAKE_DAILY.apiKey,
      DAILY_API_BASE: `${testEnv.FAKES_URL}/daily`,
      DAILY_WEBHOOK_SECRET: FAKE_DAILY.webhookSecret,
      RESEND_API_KEY: FAKE_RESEND.apiKey,
      RESEND_API_BASE: `${testEnv.FAKES_URL}/resend`,
      RESEND_WEBHOOK_SECRET: FAKE_RESEND.webhookSecret,
    };
    const ctx = createExecutionContext();
    const res = await createApp().fetch(
      new Request(`${BASE}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return res;
  }

  async function dailySign(body: string, ts: number, secret = FAKE_DAILY.webhookSecret): Promise<string> {
    const key = await crypto.subtle.importKey(
      'raw',
      Uint8Array.from(atob(secret), (ch) => ch.charCodeAt(0)),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    const sig = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${ts}.${body}`)));
    return btoa(String.fromCharCode(...sig));
  }

  it('Daily: refused unsigned, wrongly signed, stale or tampered — no webhook event, no call event; signed, it is recorded', async () => {
    const eventId = `daily-security-${Date.now()}`;
    const body = JSON.stringify({
      version: '1.0.0',
      type: 'participant.joined',
      id: eventId,
      event_ts: Date.now() / 1000,
      payload: { room: 'not-one-of-ours', user_id: 'x', session_id: 's', joined_at: Date.now() / 1000 },
    });
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, Record<string, string>, string][] = [
      ['no signature', {}, body],
      [
        'wrong secret',
        {
          'x-webhook-signature': await dailySign(body, now, btoa('another-secret-of-32-bytes-long!')),
          'x-webhook-timestamp': String(now),
        },
        body,
      ],
      [
        'stale',
        { 'x-webhook-signature': await dailySign(body, now - 600), 'x-webhook-timestamp': String(now - 600) },
        body,
      ],
      [
        'tampered',
        { 'x-webhook-signature': await dailySign(body, now), 'x-webhook-timestamp': String(now) },
        body.replace('participant.joined', 'participant.left'),
      ],
      [
        'timestamp not signed',
        { 'x-webhook-signature': await dailySign(body, now), 'x-webhook-timestamp': String(now + 1) },
        body,
      ],
    ];
    const before = await snapshot();
    for (const [label, headers, b] of cases) {
      const res = await withWebhookSecrets('/api/webhooks/daily', b, headers);
      expect(res.status, label).toBe(400);
      expect(await res.text(), label).toContain('SIGNATURE_INVALID');
    }
    expect(unexpectedChanges(diff(before, await snapshot()), ['WEBHOOK_REJECTED'])).toEqual([]);
    const ok = await withWebhookSecrets('/api/webhooks/daily', body, {
      'x-webhook-signature': await dailySign(body, now),
      'x-webhook-timestamp': String(now),
    });
    expect(ok.status).toBe(200);
    expect(
      await deps()
        .db.select()
        .from(webhookEvents)
        .where(and(eq(webhookEvents.provider, 'daily'), eq(webhookEvents.eventId, eventId)))
        .get(),
    ).toBeDefined();
    expect(
      await deps()
        .db.select()
        .from(callEvents)
        .all()
        .then((r) => r.filter((e) => JSON.stringify(e).includes(eventId))),
    ).toEqual([]);
  });

  it('Resend (Svix): refused unsigned, with another secret, stale or tampered — no webhook event, no suppression; signed, it is recorded', async () => {
    const to = uniqueEmail('bounce');
    const msgId = `msg_security_${Date.now()}`;
    const body = JSON.stringify({
      type: 'email.bounced',
      created_at: new Date().toISOString(),
      data: { email_id: 'not-one-of-ours', to: [to], created_at: new Date().toISOString() },
    });
    const sign = (secret: string, at: Date, b = body) => new Webhook(secret).sign(msgId, at, b);
    const now = new Date();
    const headers = (sig: string, at = now) => ({
      'svix-id': msgId,
      'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
      'svix-signature': sig,
    });
    const stale = new Date(Date.now() - 3600_000);
    const cases: [string, Record<string, string>, string][] = [
      ['no signature', {}, body],
      ['another secret', headers(sign(`whsec_${btoa('another-secret-of-32-bytes-long!')}`, now)), body],
      ['stale', headers(sign(FAKE_RESEND.webhookSecret, stale), stale), body],
      ['tampered', headers(sign(FAKE_RESEND.webhookSecret, now)), body.replace('bounced', 'delivered')],
      ['another message id', { ...headers(sign(FAKE_RESEND.webhookSecret, now)), 'svix-id': `${msgId}-x` }, body],
    ];
    const before = await snapshot();
    for (const [label, h, b] of cases) {
      const res = await withWebhookSecrets('/api/webhooks/resend', b, h);
      expect(res.status, label).toBe(400);
      expect(await res.text(), label).toContain('SIGNATURE_INVALID');
    }
    expect(unexpectedChanges(diff(before, await snapshot()), ['WEBHOOK_REJECTED'])).toEqual([]);
    expect(
      await deps().db.select().from(emailSuppressions).where(eq(emailSuppressions.email, to)).get(),
    ).toBeUndefined();
    const ok = await withWebhookSecrets('/api/webhooks/resend', body, headers(sign(FAKE_RESEND.webhookSecret, now)));
    expect(ok.status).toBe(200);
    expect(
      await deps()
        .db.select()
        .from(webhookEvents)
        .where(and(eq(webhookEvents.provider, 'resend'), eq(webhookEvents.eventId, msgId)))
        .get(),
    ).toBeDefined();
  });
});
