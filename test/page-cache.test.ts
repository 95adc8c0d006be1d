/** Public pages micro-cached for anonymous visitors (PAGE_CACHE_SECONDS), never for anyone signed in. */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { creators } from '../src/db/schema';
import { BASE, deps, testEnv } from './helpers';
import { onboardedCreator } from './scenarios';

const app = createApp();
const cachedEnv = { ...testEnv, PAGE_CACHE_SECONDS: '30' };

async function get(path: string, headers: Record<string, string> = {}, env: object = cachedEnv) {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`${BASE}${path}`, { headers }), env, ctx);
  const body = await res.text();
  await waitOnExecutionContext(ctx);
  return { res, body };
}

describe('page cache', () => {
  it('serves an anonymous creator page from the cache for the TTL, keyed by time zone; signed-in viewers, flash messages and the default config bypass it', async () => {
    const c = await onboardedCreator();
    const path = `/en/c/${c.creator.slug}`;
    const first = await get(path, { cookie: 'tz=Europe/Paris' });
    expect(first.res.headers.get('x-page-cache')).toBe('miss');
    expect(first.body).toContain(c.creator.displayName);
    await deps().db.update(creators).set({ displayName: 'Renamed Star' }).where(eq(creators.id, c.creator.id));

    const again = await get(path, { cookie: 'tz=Europe/Paris' });
    expect(again.res.headers.get('x-page-cache')).toBe('hit');
    expect(again.body).toBe(first.body);
    // Every response still gets this request's id and the security headers.
    expect(again.res.headers.get('x-request-id')).not.toBe(first.res.headers.get('x-request-id'));
    expect(again.res.headers.get('content-security-policy')).toContain("default-src 'self'");

    // Another zone is another page (times are shown in it).
    const ny = await get(path, { cookie: 'tz=America/New_York' });
    expect(ny.res.headers.get('x-page-cache')).toBe('miss');
    expect(ny.body).toContain('Renamed Star');
    // Signed in: always rendered, never stored.
    const own = await get(path, { authorization: `Bearer ${c.token}`, cookie: 'tz=Europe/Paris' });
    expect(own.res.headers.get('x-page-cache')).toBeNull();
    expect(own.body).toContain('Renamed Star');
    expect(own.res.headers.get('cache-control')).toBe('private, no-store');
    // A pending flash message is personal too.
    expect(
      (await get(path, { cookie: 'tz=Europe/Paris; flash=success:request.sent' })).res.headers.get('x-page-cache'),
    ).toBeNull();
    // Off by default (local development, tests).
    const off = await get(path, { cookie: 'tz=Europe/Paris' }, testEnv);
    expect(off.res.headers.get('x-page-cache')).toBeNull();
    expect(off.body).toContain('Renamed Star');
    // A creator that does not exist is a 404, not cached.
    expect((await get('/en/c/nobody-at-all')).res.status).toBe(404);
    expect((await get('/en/c/nobody-at-all')).res.headers.get('x-page-cache')).toBeNull();
  });
});
