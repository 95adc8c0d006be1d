/**
 * The one check for every redirect that takes a user value (`next`, `return`, `back`): only a place
 * on this origin gets through, anything else falls back to the route's default page.
 */

import type { Ctx } from './context';

/**
 * Control characters (C0, DEL, C1), every Unicode space and line break, the byte order mark and
 * backslashes: browsers drop or rewrite them in URLs (`/\t/evil` and `/\evil` become `//evil`),
 * and CR/LF would split the Location header.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\s\u2028\u2029\ufeff\\]/;
/** Percent-decoding layers looked through besides the value itself (double encoding included). */
const LAYERS = 2;
const MAX_LENGTH = 2000;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/**
 * `raw` as a path + query + fragment on `origin` when it resolves there (`new URL(raw, origin)`);
 * `fallback` otherwise. Refused before resolving: any control or whitespace character or backslash,
 * and a leading `//`, in the value or after one or two percent-decodings; broken percent-encoding.
 * Refused after: another origin, userinfo, and a path a browser reads as protocol-relative
 * (`/.//evil` resolves to `//evil`). `within` (a path) also requires the target to lie under it.
 */
export function safeRedirectTarget(
  raw: string | null | undefined,
  origin: string,
  fallback: string,
  within?: string,
): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_LENGTH) return fallback;
  let layer = raw;
  for (let i = 0; i <= LAYERS; i++) {
    if (UNSAFE.test(layer) || layer.startsWith('//')) return fallback;
    if (i === LAYERS) break;
    try {
      layer = decodeURIComponent(layer);
    } catch {
      return fallback;
    }
  }
  let url: URL;
  try {
    // A value with a scheme is read on its own: `https:evil` is evil.example, whatever the base.
    url = SCHEME.test(raw) ? new URL(raw) : new URL(raw, origin);
  } catch {
    return fallback;
  }
  if (url.origin !== origin || url.username || url.password) return fallback;
  const target = `${url.pathname}${url.search}${url.hash}`;
  if (target.startsWith('//')) return fallback;
  if (within !== undefined && !(url.pathname === within || url.pathname.startsWith(`${within.replace(/\/$/, '')}/`)))
    return fallback;
  return target;
}

/** `safeRedirectTarget` on the origin the request came to. */
export const redirectTarget = (c: Ctx, raw: string | null | undefined, fallback: string, within?: string): string =>
  safeRedirectTarget(raw, new URL(c.req.url).origin, fallback, within);
