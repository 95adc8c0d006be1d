/** Global middleware: request id + deps, security headers, session, CSRF, viewer locale/zone. */
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { buildDeps } from '../deps';
import { loadUser, renewIfDue, verifySession } from '../domain/accounts/sessions';
import type { User } from '../db/schema';
import type { Ctx } from './context';
import { clearSessionCookie, setSessionCookie } from './cookies';
import { handBackBookmark, openD1Session } from './d1-session';
import { DEFAULT_LOCALE, localeFromAcceptLanguage } from '../i18n';
import { isValidTimeZone } from '../i18n/format';
import { randomId } from '../lib/ids';
import type { AppEnv } from './context';
import { AppError } from './errors';

export const SESSION_COOKIE = '__Host-cas';
export const TZ_COOKIE = 'tz';

export const clientIp = (req: Request): string => req.headers.get('cf-connecting-ip') ?? 'local';

/** Request id (echoed as X-Request-Id) and the request's dependencies, over its D1 session. */
export const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const incoming = c.req.header('x-request-id');
  const requestId = incoming && /^[\w-]{8,64}$/.test(incoming) ? incoming : randomId('log', 16).replace('log_', 'req_');
  c.set('requestId', requestId);
  const d1 = await openD1Session(c);
  c.set('deps', buildDeps(c.env, { requestId, d1: d1.session }));
  await next();
  await handBackBookmark(c, d1);
  trySetHeader(c.res, 'X-Request-Id', requestId);
};

function trySetHeader(res: Response, name: string, value: string) {
  try {
    res.headers.set(name, value);
  } catch {
    // Immutable headers (e.g. a proxied response or a WebSocket upgrade): leave them.
  }
}

/** CSP and friends on every response; the CSP allows only what the page declared it needs. */
export const securityHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  const extra = c.get('cspExtra') ?? {};
  const list = (xs?: readonly string[]) => (xs?.length ? ` ${xs.join(' ')}` : '');
  const csp = [
    "default-src 'self'",
    `script-src 'self'${list(extra.script)}`,
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${list(extra.connect)}`,
    `frame-src ${extra.frame?.length ? extra.frame.join(' ') : "'none'"}`,
    `worker-src 'self'${list(extra.worker)}`,
    "media-src 'self' blob: mediastream:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  const res = c.res;
  const h: Record<string, string> = {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(self), microphone=(self), geolocation=(), payment=(self "https://js.stripe.com")',
  };
  if (c.get('deps')?.config.isProduction) h['Strict-Transport-Security'] = 'max-age=63072000; includeSubDomains';
  // A response that set its own policy (e.g. the sandboxed mailbox frame) keeps it.
  for (const [k, v] of Object.entries(h)) if (!res.headers.has(k)) trySetHeader(res, k, v);
};

/**
 * Who is asking, from `Authorization: Bearer` or the session cookie: the signed token is checked
 * without a database read. The account row is loaded later, only where needed (ensureUser).
 */
export const session: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set('auth', null);
  const deps = c.get('deps');
  const authz = c.req.header('authorization');
  const bearer = authz?.startsWith('Bearer ') ? authz.slice(7).trim() : null;
  const token = bearer ?? getCookie(c, SESSION_COOKIE) ?? null;
  if (token) {
    const id = await verifySession(deps, token);
    if (id) {
      const via = bearer ? 'bearer' : 'cookie';
      const renewal = via === 'cookie' ? await renewIfDue(deps, id) : null;
      if (renewal?.status === 'RENEWED') setSessionCookie(c, renewal.session.token, renewal.session.expiresAt);
      // Signed out in another isolate (its row is gone): this request is anonymous.
      if (renewal?.status === 'GONE') clearSessionCookie(c);
      else c.set('auth', { userId: id.userId, sessionId: id.sessionId, via, user: null });
    }
  }
  c.set('locale', localeFromAcceptLanguage(c.req.header('accept-language')) ?? DEFAULT_LOCALE);
  const tzCookie = getCookie(c, TZ_COOKIE);
  c.set('timezone', tzCookie && isValidTimeZone(tzCookie) ? tzCookie : 'Europe/Paris');
  await next();
};

/** The signed-in account (loaded once per request, cached briefly per isolate); its language and zone become the viewer's. */
export async function ensureUser(c: Ctx): Promise<User | null> {
  const auth = c.get('auth');
  if (!auth) return null;
  if (auth.user) return auth.user;
  const user = await loadUser(c.get('deps'), auth.userId);
  if (!user) {
    c.set('auth', null); // deleted or disabled account
    return null;
  }
  auth.user = user;
  c.set('locale', user.locale);
  c.set('timezone', user.timezone);
  return user;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/**
 * CSRF: a write that a browser could send on its own (it carries our cookie, or it is a simple
 * form post) must come from our own origin. Bearer-token clients and signed webhooks are exempt.
 */
export const csrf: MiddlewareHandler<AppEnv> = async (c, next) => {
  // Webhooks and one-click unsubscribe (RFC 8058: posted by mail clients) are authenticated by their signatures.
  if (!UNSAFE.has(c.req.method) || c.req.path.startsWith('/api/webhooks/') || c.req.path === '/email/unsubscribe')
    return next();
  if (c.req.header('authorization')?.startsWith('Bearer ')) return next();
  const hasCookie = (c.req.header('cookie') ?? '').includes(`${SESSION_COOKIE}=`);
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  const formLike = FORM_TYPES.some((t) => type.startsWith(t));
  if (!hasCookie && !formLike) return next();
  const self = new URL(c.req.url).origin;
  const allowed = new Set([self, c.get('deps').config.appUrl]);
  const origin = c.req.header('origin') ?? refererOrigin(c.req.header('referer'));
  if (!origin || !allowed.has(origin)) {
    throw new AppError(403, 'CSRF_FAILED', 'Cross-site request refused: the request must come from this site.');
  }
  return next();
};

function refererOrigin(referer: string | undefined): string | null {
  if (!referer) return null;
  try {
    return new URL(referer).origin;
  } catch {
    return null;
  }
}
