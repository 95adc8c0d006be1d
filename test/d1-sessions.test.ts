/**
 * D1 read replication through the Sessions API (src/http/d1-session.ts): each request opens one D1
 * session, from the visitor's signed bookmark cookie or by method, and visitors with a session get
 * the new bookmark back. Locally miniflare runs ONE database and no replicas: every session reads
 * the primary, so replica lag cannot happen here. These tests check the semantics instead — which
 * session each request opens, the bookmark carried and advanced, who gets the cookie — and that a
 * person sees their own writes across requests, carrying nothing but their cookies.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { buildDeps } from '../src/deps';
import type { Bindings } from '../src/env';
import { CRON } from '../src/jobs/registry';
import { runScheduled } from '../src/jobs/scheduled';
import { BOOKMARK_COOKIE } from '../src/http/cookies';
import { SESSION_COOKIE } from '../src/http/middleware';
import { deployedEnv } from './config-envs';
import { BASE, createAccount, testEnv, uniqueEmail } from './helpers';
import { offerFor, onboardedCreator } from './scenarios';

const app = createApp();

/** What each request passed to `withSession`, in order. */
const opened: string[] = [];
/** Statements prepared on the binding itself, outside any session. */
let onBinding = 0;
const recordingDb = {
  withSession: (start: string) => {
    opened.push(start);
    return testEnv.DB.withSession(start);
  },
  prepare: (query: string) => {
    onBinding++;
    return testEnv.DB.prepare(query);
  },
  batch: (statements: D1PreparedStatement[]) => testEnv.DB.batch(statements),
} as unknown as D1Database;
// One env object per configuration: the config is parsed once per env.
const sessionEnv: Bindings = { ...testEnv, DB: recordingDb };
const cachedEnv: Bindings = { ...sessionEnv, PAGE_CACHE_SECONDS: '30' };

/** The cookies a browser would keep, replayed on every request. */
class Jar {
  readonly cookies = new Map<string, string>();
  header(extra: Record<string, string> = {}): string {
    return [...new Map([...this.cookies, ...Object.entries(extra)])].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i);
      const value = pair.slice(i + 1);
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  /** The bookmark inside the signed cookie (`<bookmark>.<signature>`, URL-encoded). */
  bookmark(): string | null {
    const raw = this.cookies.get(BOOKMARK_COOKIE);
    if (raw === undefined) return null;
    const value = decodeURIComponent(raw);
    return value.slice(0, value.lastIndexOf('.'));
  }
}

interface Sent {
  res: Response;
  body: string;
  /** What this request's own session started from. */
  start: string | undefined;
  /** Every `withSession` of this request. */
  sessions: string[];
}

async function send(
  path: string,
  opts: { jar?: Jar; method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
  env: Bindings = sessionEnv,
): Promise<Sent> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  const cookie = opts.jar?.header() ?? '';
  if (cookie && !headers.cookie) headers.cookie = cookie;
  if (opts.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    headers.origin = BASE;
  }
  const before = opened.length;
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request(`${BASE}${path}`, {
      method: opts.method ?? (opts.form ? 'POST' : 'GET'),
      headers,
      body: opts.form ? new URLSearchParams(opts.form).toString() : undefined,
      redirect: 'manual',
    }),
    env,
    ctx,
  );
  const body = await res.text();
  await waitOnExecutionContext(ctx);
  opts.jar?.take(res);
  // The first is the request's own session (a write by a signed-in visitor then asks the primary where it is).
  return { res, body, start: opened[before], sessions: opened.slice(before) };
}

const bookmarkSet = (res: Response) => res.headers.getSetCookie().find((c) => c.startsWith(`${BOOKMARK_COOKIE}=`));

async function signedIn(): Promise<Jar> {
  const a = await createAccount();
  const jar = new Jar();
  const r = await send('/en/signin', { jar, form: { email: a.user.email, password: a.password } });
  expect(r.res.status).toBe(303);
  expect(jar.cookies.has(SESSION_COOKIE)).toBe(true);
  expect(jar.bookmark()).not.toBeNull();
  return jar;
}

describe('D1 sessions: a person reads their own writes', () => {
  it('sign-up → profile → booking → dashboard: every request starts from the bookmark the last one handed back, which advances with each write', async () => {
    const c = await onboardedCreator();
    const offer = await offerFor(c);
    const jar = new Jar();
    const email = uniqueEmail('replica');

    const signup = await send('/en/signup', {
      jar,
      form: { role: 'USER', name: 'Ada Lovelace', email, password: 'replica-password-1', timezone: 'Europe/Paris' },
    });
    expect(signup.res.status).toBe(303);
    // No bookmark yet: a write starts at the primary.
    expect(signup.start).toBe('first-primary');
    const cookie = bookmarkSet(signup.res)!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    // Local development and tests run on http://localhost: Secure only once deployed.
    expect(cookie).not.toMatch(/Secure/i);
    const afterSignup = jar.bookmark()!;

    const account = await send('/en/account', { jar });
    expect(account.res.status).toBe(200);
    expect(account.start).toBe(afterSignup);
    expect(account.body).toContain(email);
    const afterAccount = jar.bookmark()!;
    expect(afterAccount >= afterSignup).toBe(true);

    const profile = await send('/en/account/profile', {
      jar,
      form: { name: 'Grace Hopper', locale: 'en', timezone: 'Europe/Paris' },
    });
    expect(profile.res.status).toBe(303);
    expect(profile.start).toBe(afterAccount);
    const afterProfile = jar.bookmark()!;
    expect(afterProfile > afterAccount).toBe(true);
    const renamed = await send('/en/account', { jar });
    expect(renamed.start).toBe(afterProfile);
    expect(renamed.body).toContain('Grace Hopper');
    const beforeBooking = jar.bookmark()!;

    // The booking is written by the offer's Durable Object, outside the request's session.
    const booking = await send(`/en/offers/${offer.id}/book`, { jar, form: {} });
    expect(booking.res.status).toBe(303);
    expect(booking.res.headers.get('location')).toMatch(/^\/en\/bookings\/bkg_\w+\/checkout$/);
    expect(booking.start).toBe(beforeBooking);
    // So the request ends by asking the primary where it is, and hands back the later bookmark.
    expect(booking.sessions).toEqual([beforeBooking, 'first-primary']);
    const afterBooking = jar.bookmark()!;
    expect(afterBooking > beforeBooking).toBe(true);

    const dashboard = await send('/en/dashboard', { jar });
    expect(dashboard.res.status).toBe(200);
    expect(dashboard.sessions).toEqual([afterBooking]);
    expect(dashboard.body).toContain('Grace');
    expect(dashboard.body).toContain('data-count="awaiting" data-n="1"');
  });

  it('the cookie is Secure once deployed', async () => {
    const a = await createAccount();
    const staging: Bindings = { ...deployedEnv('staging'), DB: recordingDb };
    const r = await send('/en/signin', { form: { email: a.user.email, password: a.password } }, staging);
    expect(r.res.status).toBe(303);
    expect(bookmarkSet(r.res)).toMatch(/Secure/i);
  });

  it('a browser that kept its session but lost the bookmark starts at the primary, and gets a bookmark again', async () => {
    const jar = await signedIn();
    jar.cookies.delete(BOOKMARK_COOKIE);
    const page = await send('/en/dashboard', { jar });
    expect(page.res.status).toBe(200);
    expect(page.start).toBe('first-primary');
    const handedBack = jar.bookmark();
    expect(handedBack).not.toBeNull();
    expect((await send('/en/dashboard', { jar })).start).toBe(handedBack);
  });

  it('signing out drops the bookmark with the session', async () => {
    const jar = await signedIn();
    const out = await send('/en/signout', { jar, form: {} });
    expect(out.res.status).toBe(303);
    expect(bookmarkSet(out.res)).toMatch(/Max-Age=0/i);
    expect(jar.cookies.has(BOOKMARK_COOKIE)).toBe(false);
  });
});

describe('D1 sessions: anonymous visitors', () => {
  it('never get the cookie, so public pages stay cacheable; their reads start anywhere, their writes at the primary', async () => {
    const c = await onboardedCreator();
    const path = `/en/c/${c.creator.slug}`;
    const first = await send(path, { headers: { cookie: 'tz=Europe/Paris' } }, cachedEnv);
    expect(first.res.status).toBe(200);
    expect(first.start).toBe('first-unconstrained');
    expect(first.res.headers.get('x-page-cache')).toBe('miss');
    expect(first.res.headers.getSetCookie()).toEqual([]);
    const again = await send(path, { headers: { cookie: 'tz=Europe/Paris' } }, cachedEnv);
    expect(again.res.headers.get('x-page-cache')).toBe('hit');
    expect(again.res.headers.getSetCookie()).toEqual([]);

    for (const page of ['/en/', '/en/signin', '/en/creators']) {
      const r = await send(page);
      expect(r.start).toBe('first-unconstrained');
      expect(bookmarkSet(r.res)).toBeUndefined();
    }
    // A refused sign-in is a write request of someone without a session.
    const refused = await send('/en/signin', { form: { email: uniqueEmail('nobody'), password: 'wrong-password-1' } });
    expect(refused.start).toBe('first-primary');
    expect(refused.res.status).toBeLessThan(500);
    expect(bookmarkSet(refused.res)).toBeUndefined();
    // Bearer clients keep no cookies: none is set for them, and to read their own writes they start at the primary.
    const bearer = await send('/api/me', { headers: { authorization: `Bearer ${c.token}` } });
    expect(bearer.res.status).toBe(200);
    expect(bearer.start).toBe('first-primary');
    expect(bookmarkSet(bearer.res)).toBeUndefined();
  });
});

describe('D1 sessions: a bookmark cookie the app did not sign', () => {
  it('is ignored, never a 5xx: the request starts afresh (at the primary, for someone signed in) and a signed-in visitor gets a real bookmark back', async () => {
    const jar = await signedIn();
    const real = decodeURIComponent(jar.cookies.get(BOOKMARK_COOKIE)!);
    const signature = real.slice(real.lastIndexOf('.') + 1);
    const ahead = 'ffffffff-ffffffff-ffffffff-ffffffffffffffffffffffffffffffff';
    const forged = [
      'garbage',
      ahead,
      // Another bookmark under a signature that is not its own.
      encodeURIComponent(`${ahead}.${signature}`),
      encodeURIComponent(`${real.slice(0, -2)}A=`),
      '%E0%A4%A',
      'x'.repeat(4000),
      '',
    ];
    const session = jar.cookies.get(SESSION_COOKIE)!;
    for (const value of forged) {
      const cookie = `${SESSION_COOKIE}=${session}; ${BOOKMARK_COOKIE}=${value}`;
      const page = await send('/en/dashboard', { headers: { cookie } });
      expect(page.res.status).toBe(200);
      expect(page.start).toBe('first-primary');
      const back = new Jar();
      back.take(page.res);
      expect(back.bookmark()).not.toBeNull();
      expect(back.bookmark()).not.toBe(ahead);
      // What comes back is signed: the next request starts from it.
      const next = await send('/en/dashboard', {
        headers: { cookie: `${SESSION_COOKIE}=${session}; ${back.header()}` },
      });
      expect(next.start).toBe(back.bookmark());

      const write = await send('/en/account/profile', {
        headers: { cookie },
        form: { name: 'Still Me', locale: 'en', timezone: 'Europe/Paris' },
      });
      expect(write.res.status).toBe(303);
      expect(write.start).toBe('first-primary');

      const anonymous = await send('/en/', { headers: { cookie: `${BOOKMARK_COOKIE}=${value}` } });
      expect(anonymous.res.status).toBe(200);
      expect(anonymous.start).toBe('first-unconstrained');
      expect(anonymous.res.headers.getSetCookie()).toEqual([]);
    }
  });
});

describe('D1 sessions: what is not a request', () => {
  it('cron jobs (like Durable Objects and queue consumers, which build deps the same way) query the binding: the primary', async () => {
    expect(buildDeps(sessionEnv).d1).toBe(recordingDb);
    const before = { opened: opened.length, onBinding };
    await runScheduled(sessionEnv, { cron: CRON.every5min, scheduledTime: Date.now() });
    expect(opened.length).toBe(before.opened);
    expect(onBinding).toBeGreaterThan(before.onBinding);
  });
});
