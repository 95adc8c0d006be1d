import { deleteCookie, setCookie } from 'hono/cookie';
import type { Ctx } from './context';
import { SESSION_COOKIE } from './middleware';

/** HttpOnly, Secure, SameSite=Lax, host-only (`__Host-` prefix): unreadable by scripts, never sent cross-site on POST. */
export function setSessionCookie(c: Ctx, token: string, expiresAt: Date): void {
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, secure: true, sameSite: 'Lax', path: '/', expires: expiresAt });
}

export function clearSessionCookie(c: Ctx): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: true });
}
