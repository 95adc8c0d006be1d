import { createExecutionContext } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { notifications } from '../src/db/schema';
import type { AppEnv } from '../src/http/context';
import { route } from '../src/http/route';
import { translate } from '../src/i18n';
import { api, BASE, createAccount, deps, expectError, fetchApp, postForm, testEnv } from './helpers';
import { productionEnv } from './config-envs';
import { apiSpecs, fillPath } from './routes';
import { createApp } from '../src/app';

describe('every API route', () => {
  const specs = apiSpecs();

  it('is documented in /api/openapi.json (OpenAPI 3.1)', async () => {
    const doc = (await (await fetchApp('/api/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    for (const s of specs) {
      const p = s.path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}');
      expect(doc.paths[p]?.[s.method], `${s.method} ${s.path}`).toBeDefined();
    }
    expect(specs.length).toBeGreaterThanOrEqual(12);
  });

  it('answers 401 with the envelope when a protected route is called anonymously', async () => {
    const protectedSpecs = specs.filter((s) => s.access !== 'public');
    expect(protectedSpecs.length).toBeGreaterThan(0);
    for (const s of protectedSpecs) {
      const res = await api(s.method.toUpperCase(), fillPath(s), s.body ? {} : undefined);
      const err = await expectError(res, 401, 'UNAUTHENTICATED');
      expect(err.requestId).toMatch(/^req_/);
    }
  });

  it('answers 400 with the envelope to malformed JSON and to wrong shapes', async () => {
    const accounts = {
      USER: await createAccount('USER'),
      CREATOR: await createAccount('CREATOR'),
      ADMIN: await createAccount('ADMIN'),
    };
    const withBody = specs.filter((s) => s.body);
    expect(withBody.length).toBeGreaterThan(5);
    for (const s of withBody) {
      const role = s.access === 'public' || s.access === 'user' ? 'USER' : s.access[0];
      const token = s.access === 'public' ? undefined : accounts[role as keyof typeof accounts].token;
      await expectError(await api(s.method.toUpperCase(), fillPath(s), '{"broken": ', { token }), 400, 'INVALID_JSON');
      const wrong = await api(s.method.toUpperCase(), fillPath(s), [1, 'two', { three: 3 }], { token });
      expect(wrong.status, `${s.method} ${s.path}`).toBe(400);
      expect(((await wrong.json()) as { error: { code: string } }).error.code).toMatch(/VALIDATION_ERROR/);
    }
  });
});

describe('route access control', () => {
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    const role = c.req.header('x-role');
    c.set(
      'auth',
      role ? { userId: 'usr_test', user: { id: 'usr_test', role } as never, sessionId: 's', via: 'bearer' } : null,
    );
    c.set('requestId', 'req_test');
    await next();
  });
  app.onError((err, c) =>
    c.json({ status: (err as { status?: number }).status, code: (err as { code?: string }).code }, 200),
  );
  route(
    app,
    {
      method: 'get',
      path: '/admin-only',
      summary: 't',
      tags: ['T'],
      access: ['ADMIN'],
      query: z.object({ n: z.coerce.number().int().optional() }),
      responses: { 200: { description: 'ok' } },
    },
    (c, { user, query }) => c.json({ ok: true, id: user.id, n: query.n ?? null }),
  );
  const call = async (role?: string, qs = '') =>
    (await app.request(`/admin-only${qs}`, { headers: role ? { 'x-role': role } : {} })).json();

  it('401 anonymous, 403 wrong role, 200 right role, 400 bad query', async () => {
    expect(await call()).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    expect(await call('USER')).toEqual({ status: 403, code: 'FORBIDDEN_ROLE' });
    expect(await call('CREATOR')).toEqual({ status: 403, code: 'FORBIDDEN_ROLE' });
    expect(await call('ADMIN', '?n=3')).toEqual({ ok: true, id: 'usr_test', n: 3 });
    expect(await call('ADMIN', '?n=abc')).toEqual({ status: 400, code: 'VALIDATION_ERROR' });
  });
});

describe('CSRF', () => {
  it('refuses cookie-authenticated writes from another origin or without an origin', async () => {
    const a = await createAccount();
    const signin = await postForm('/en/signin', { email: a.user.email, password: a.password });
    expect(signin.status).toBe(303);
    const cookie = signin.headers
      .getSetCookie()
      .find((c) => c.startsWith('__Host-cas='))!
      .split(';')[0];
    const patch = (origin?: string) => api('PATCH', '/api/me', { name: 'Renamed' }, { cookie, origin });
    await expectError(await patch('https://evil.example'), 403, 'CSRF_FAILED');
    await expectError(await patch(), 403, 'CSRF_FAILED');
    expect((await patch(BASE)).status).toBe(200);
    // Bearer clients are not exposed to CSRF and need no Origin.
    expect((await api('PATCH', '/api/me', { name: 'Again' }, { token: a.token })).status).toBe(200);
  });

  it('refuses a cross-site form post (login CSRF) even without a session', async () => {
    const res = await postForm(
      '/en/signin',
      { email: 'x@example.test', password: 'whatever-it-is' },
      { origin: 'https://evil.example' },
    );
    expect(res.status).toBe(403);
    expect(await res.text()).toContain(translate('en', 'errors.codes.CSRF_FAILED'));
  });
});

describe('HTTP conventions', () => {
  it('puts security headers and a strict CSP on pages and API responses', async () => {
    for (const path of ['/fr/', '/api/health']) {
      const res = await fetchApp(path);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
      expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    }
  });

  it('answers unknown API routes with a 404 envelope and unknown pages with a localized 404 page', async () => {
    await expectError(await fetchApp('/api/nope'), 404, 'NOT_FOUND');
    const page = await fetchApp('/en/nope');
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('Page not found');
    const fr = await fetchApp('/fr/nope');
    expect(await fr.text()).toContain('Page introuvable');
  });

  it('refuses non-JSON bodies with 415 and oversized bodies with 413', async () => {
    const form = await fetchApp('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: '<x/>',
    });
    await expectError(form, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const huge = await api('POST', '/api/auth/login', { email: 'a@b.co', password: 'x'.repeat(300_000) });
    await expectError(huge, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('refuses a body sent to a route that declares none (400 UNEXPECTED_BODY, nothing done); no body or {} goes through', async () => {
    const a = await createAccount();
    const d = deps();
    await d.db.insert(notifications).values({
      id: d.ids.next('ntf'),
      userId: a.user.id,
      type: 'REMINDER',
      params: {},
      link: null,
      createdAt: new Date(),
    });
    const unread = async () =>
      (await d.db.select().from(notifications).where(eq(notifications.userId, a.user.id)).all()).filter(
        (n) => !n.readAt,
      ).length;
    for (const [type, body] of [
      ['application/json', '{broken'],
      ['application/json', '{"all":false}'],
      ['application/json', 'null'],
      ['application/json', '[]'],
      ['text/plain', 'hello'],
    ]) {
      const res = await fetchApp('/api/notifications/read-all', {
        method: 'POST',
        headers: { authorization: `Bearer ${a.token}`, 'content-type': type },
        body,
      });
      await expectError(res, 400, 'UNEXPECTED_BODY');
      expect(await unread(), `${type} ${body}`).toBe(1);
    }
    // The same on a public route.
    await expectError(
      await api('POST', '/api/auth/logout', { everything: true }, { token: a.token }),
      400,
      'UNEXPECTED_BODY',
    );
    expect((await api('GET', '/api/me', undefined, { token: a.token })).status).toBe(200); // still signed in
    expect((await api('POST', '/api/notifications/read-all', '{}', { token: a.token })).status).toBe(200);
    expect(await unread()).toBe(0);
    expect(
      (
        await fetchApp('/api/notifications/read-all', {
          method: 'POST',
          headers: { authorization: `Bearer ${a.token}` },
        })
      ).status,
    ).toBe(200);
  });

  it('hides the dev mailbox outside development/test', async () => {
    expect((await fetchApp('/dev/mailbox')).status).toBe(200);
    const prodEnv = productionEnv();
    const { buildDeps } = await import('../src/deps');
    expect(() => buildDeps({ ...testEnv, APP_ENV: 'production' })).toThrow(/SESSION_SECRET/);
    const res = await createApp().fetch(new Request(`${BASE}/dev/mailbox`), prodEnv, createExecutionContext());
    expect(res.status).toBe(404);
    expect(res.headers.get('strict-transport-security')).toContain('max-age=');
  });
});
