import { deleteCookie, getCookie, getSignedCookie, setCookie, setSignedCookie } from 'hono/cookie';
import type { Ctx } from './context';
import { SESSION_COOKIE } from './middleware';

/** The visitor's D1 bookmark (src/http/d1-session.ts): where their next request's reads must start. */
export const BOOKMARK_COOKIE = 'x-d1-bookmark';

/** HttpOnly, Secure, SameSite=Lax, host-only (`__Host-` prefix): unreadable by scripts, never sent cross-site on POST. */
export function setSessionCookie(c: Ctx, token: string, expiresAt: Date): void {
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, secure: true, sameSite: 'Lax', path: '/', expires: expiresAt });
  c.set('keepBookmark', true);
}

/** Signs the visitor out of this browser; their bookmark goes with the session it was kept for. */
export function clearSessionCookie(c: Ctx): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: true });
  c.set('keepBookmark', false);
  if (getCookie(c, BOOKMARK_COOKIE) !== undefined) deleteCookie(c, BOOKMARK_COOKIE, { path: '/' });
}

// Its own key, derived from SESSION_SECRET: a bookmark's signature can never pass for a session token's.
const bookmarkKey = (secret: string) => `${secret}/d1-bookmark`;

/** The bookmark this app signed for the visitor, or null (none, forged, tampered or malformed). */
export async function readBookmarkCookie(c: Ctx, secret: string): Promise<string | null> {
  // No key import for the many requests without the cookie.
  if (getCookie(c, BOOKMARK_COOKIE) === undefined) return null;
  const value = await getSignedCookie(c, bookmarkKey(secret), BOOKMARK_COOKIE);
  return typeof value === 'string' ? value : null;
}

/**
 * Signed (a forged bookmark far ahead of the database would stall or fail the forger's queries),
 * HttpOnly, SameSite=Lax; Secure outside local development. It lives as long as the browser
 * session: a bookmark only matters for the seconds a replica may lag behind the primary.
 */
export async function setBookmarkCookie(c: Ctx, bookmark: string, opts: { secret: string; secure: boolean }) {
  await setSignedCookie(c, BOOKMARK_COOKIE, bookmark, bookmarkKey(opts.secret), {
    httpOnly: true,
    secure: opts.secure,
    sameSite: 'Lax',
    path: '/',
  });
}
