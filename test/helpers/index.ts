/** Test helpers: call the worker over HTTP, build deps, create accounts in known states. */
import { env, exports } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { creators, devOutbox, emailLog, users, type Role, type User } from '../src/db/schema';
import { buildDeps, type Deps } from '../src/deps';
import { deliverEmail } from '../src/domain/email/deliver';
import { createSession } from '../src/domain/accounts/sessions';
import { ensureCreatorProfile } from '../src/domain/creators/create-profile';
import type { Bindings } from '../src/env';
import type { Clock } from '../src/lib/clock';
import { hashPassword } from '../src/lib/crypto';
import { FAKE_GOOGLE_CLIENT } from './fake-credentials';

export const BASE = 'http://localhost';
export const testEnv = env as unknown as Bindings & { FAKES_URL: string };

export function deps(opts: { clock?: Clock } = {}): Deps {
  return buildDeps(testEnv, opts);
}

/** Sends a request through the Worker's fetch handler (the same path a real request takes). */
export function fetchApp(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(`${BASE}${path}`, { redirect: 'manual', ...init }));
}

export interface CallOptions {
  token?: string;
  cookie?: string;
  origin?: string | null;
  headers?: Record<string, string>;
}

/** JSON API call; `body` is serialized unless it is already a string. */
export function api(method: string, path: string, body?: unknown, opts: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.origin) headers.origin = opts.origin;
  return fetchApp(path, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Posts an urlencoded form like a browser on our own origin would. */
export function postForm(path: string, fields: Record<string, string>, opts: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    ...(opts.headers ?? {}),
  };
  if (opts.origin !== null) headers.origin = opts.origin ?? BASE;
  if (opts.cookie) headers.cookie = opts.cookie;
  return fetchApp(path, { method: 'POST', headers, body: new URLSearchParams(fields).toString() });
}

/** `name=value` of a Set-Cookie header, for replaying cookies. */
export function cookieFrom(res: Response, name: string): string | null {
  const all = res.headers.getSetCookie();
  const hit = all.find((c) => c.startsWith(`${name}=`));
  return hit ? hit.split(';')[0] : null;
}

let counter = 0;
export const uniqueEmail = (tag = 'user') => `${tag}-${Date.now().toString(36)}-${++counter}@example.test`;
export const PASSWORD = 'correct-horse-battery';

export interface TestAccount {
  user: User;
  token: string;
  password: string;
}

/** Creates an account directly (verified email) and a bearer session for it. */
export async function createAccount(
  role: Role = 'USER',
  overrides: Partial<typeof users.$inferInsert> = {},
): Promise<TestAccount> {
  const d = deps();
  const now = new Date();
  const id = d.ids.next('usr');
  await d.db.insert(users).values({
    id,
    email: uniqueEmail(role.toLowerCase()),
    passwordHash: 'passwordHash' in overrides ? overrides.passwordHash : await hashPassword(PASSWORD),
    name: `${role[0]}${role.slice(1).toLowerCase()} ${counter}`,
    role: role === 'CREATOR' ? 'USER' : role,
    locale: 'en',
    timezone: 'Europe/Paris',
    emailVerifiedAt: now,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  });
  let user = (await d.db.select().from(users).where(eq(users.id, id)).get())!;
  if (role === 'CREATOR') {
    await ensureCreatorProfile(d, user);
    user = (await d.db.select().from(users).where(eq(users.id, id)).get())!;
  }
  const { token } = await createSession(d, user, 'BEARER');
  return { user, token, password: PASSWORD };
}

export async function creatorOf(userId: string) {
  return (await deps().db.select().from(creators).where(eq(creators.userId, userId)).get())!;
}

/** Runs the email queue consumer for every pending email to `to` (what the queue would do). */
export async function deliverPendingEmails(to?: string): Promise<void> {
  const d = deps();
  const pending = await d.db.select().from(emailLog).where(eq(emailLog.status, 'PENDING')).all();
  for (const e of pending) if (!to || e.to === to) await deliverEmail(d, e.id, 1);
}

/** The latest email the built-in provider "sent" to `to`. */
export async function lastEmailTo(to: string) {
  await deliverPendingEmails(to);
  const rows = await deps().db.select().from(devOutbox).where(eq(devOutbox.to, to)).all();
  return rows.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0] ?? null;
}

/** Extracts `?token=` from the first link in an email's text part. */
export function tokenFromEmail(text: string): string {
  const m = text.match(/[?&]token=([\w-]+)/);
  if (!m) throw new Error(`no token link in email:\n${text}`);
  return m[1];
}

export async function expectError(res: Response, status: number, code: string) {
  const body = (await res.json()) as { error: { code: string; message: string; requestId: string; details?: unknown } };
  if (res.status !== status || body.error?.code !== code) {
    throw new Error(`expected ${status} ${code}, got ${res.status} ${JSON.stringify(body)}`);
  }
  return body.error;
}

/** A page as the holder of `token` sees it. */
export function getPage(path: string, token?: string): Promise<Response> {
  return fetchApp(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

/** A page form posted by the holder of `token` (same origin, urlencoded). */
export function postPage(
  path: string,
  token: string | undefined,
  form: Record<string, string> = {},
): Promise<Response> {
  return fetchApp(path, {
    method: 'POST',
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      'content-type': 'application/x-www-form-urlencoded',
      origin: BASE,
    },
    body: new URLSearchParams(form).toString(),
  });
}

/**
 * Signs in with Google against the local fake: start, consent with `profile` (sub, email,
 * email_verified, name…), callback. Returns the callback's response (cookies, redirect).
 */
export async function googleSignIn(
  profile: Record<string, string>,
  next = '',
  headers: Record<string, string> = {},
): Promise<Response> {
  const start = await fetchApp(`/auth/google/start?lang=en&next=${encodeURIComponent(next)}`, { headers });
  if (start.status !== 302) throw new Error(`google start: ${start.status}`);
  const authorize = new URL(start.headers.get('location')!);
  if (
    authorize.searchParams.get('client_id') !== FAKE_GOOGLE_CLIENT.id ||
    authorize.searchParams.get('code_challenge_method') !== 'S256'
  )
    throw new Error(`unexpected authorize URL ${authorize}`);
  const oauthCookie = cookieFrom(start, 'g_oauth')!;
  const consent = new URL(`${testEnv.FAKES_URL}/google/__consent`);
  for (const k of ['client_id', 'redirect_uri', 'state', 'code_challenge'])
    consent.searchParams.set(k, authorize.searchParams.get(k)!);
  for (const [k, v] of Object.entries(profile)) consent.searchParams.set(k, v);
  const { code, state } = (await (await fetch(consent)).json()) as { code: string; state: string };
  const cookie = [oauthCookie, headers.cookie].filter(Boolean).join('; ');
  return fetchApp(`/auth/google/callback?code=${code}&state=${state}`, { headers: { ...headers, cookie } });
}
