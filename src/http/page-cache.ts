/**
 * Micro-caching of public pages for anonymous visitors (the creator directory and creator pages,
 * the ones that read the database): the rendered HTML is kept in the Cache API for
 * `PAGE_CACHE_SECONDS` (0 = off, the default locally and in tests; staging/production set it). Keyed by the full URL plus the viewer's time zone
 * (pages show times in it). Never for a signed-in viewer, a pending flash message, a non-200 or a
 * response that sets a cookie. What can be stale is bounded by the TTL and covered by the live parts:
 * the slot picker asks its creator's calendar for the current version on connect and refetches, and
 * an offer's own page (never cached) always shows its real state before anyone pays.
 */
import { getCookie } from 'hono/cookie';
import type { Ctx } from './context';

export async function cachedForAnonymous(c: Ctx, render: () => Promise<Response>): Promise<Response> {
  const ttl = c.get('deps').config.pageCacheSeconds;
  const store = typeof caches === 'undefined' ? null : (caches as unknown as { default: Cache }).default;
  if (!ttl || !store || c.req.method !== 'GET' || c.get('auth') || getCookie(c, 'flash')) return render();
  const url = new URL(c.req.url);
  url.searchParams.set('__viewer_tz', c.get('timezone'));
  const key = new Request(url.toString(), { method: 'GET' });
  const hit = await store.match(key);
  if (hit) {
    // A fresh response: the middleware adds this request's id and headers to it.
    const res = new Response(hit.body, { status: hit.status, headers: hit.headers });
    res.headers.delete('Cache-Control');
    res.headers.set('X-Page-Cache', 'hit');
    return res;
  }
  const res = await render();
  if (res.status !== 200 || res.headers.has('Set-Cookie')) return res;
  const copy = new Response(res.clone().body, { status: 200, headers: res.headers });
  copy.headers.set('Cache-Control', `public, s-maxage=${ttl}`);
  c.executionCtx.waitUntil(store.put(key, copy));
  res.headers.set('X-Page-Cache', 'miss');
  return res;
}
