/**
 * The page-route helper's contract on its own (a bare app, no database): access, params → 404,
 * lenient filters, a refused form flashed back, free text → 400, and unknown paths under an area.
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Role, User } from '../src/db/schema';
import type { AppEnv } from '../src/http/context';
import { AppError, notFound } from '../src/http/errors';
import { lenient, pageArea, textField } from '../src/pages/page-route';

const ThingParams = z.object({ id: z.string().regex(/^t_\d+$/) });

function appAs(role: Role | null) {
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    c.set('locale', 'en');
    const user = role ? ({ id: 'usr_1', role } as User) : null;
    c.set('auth', user ? { userId: user.id, sessionId: 's', via: 'cookie', user } : null);
    await next();
  });
  app.onError((e, c) => (e instanceof AppError ? c.text(e.code, e.status) : c.text('unexpected', 500)));
  const area = pageArea('admin');
  area.get(
    '/things/:id',
    { params: ThingParams, notFound: 'Thing', query: z.object({ n: lenient(z.coerce.number().int()) }) },
    (c, { user, params, query }) => c.json({ user: user.id, params, query }),
  );
  area.post(
    '/things/:id',
    {
      params: ThingParams,
      form: z.object({ pick: z.enum(['a', 'b']), note: textField(20) }),
      refused: 'admin.failed',
      back: (_c, { params }) => `/en/admin/things/${params.id}`,
    },
    (_c, { form, back }) => back(form.pick === 'a' ? 'admin.done' : 'admin.failed', 'info'),
  );
  app.route('/:lang{fr|en}/admin', area.app);
  // A user page whose form is parsed after its ownership check, and refused with a page.
  const mine = pageArea('user');
  mine.post(
    '/:lang{fr|en}/mine/:id',
    {
      params: ThingParams,
      form: z.object({ pick: z.enum(['a', 'b']), note: textField(20) }),
      refused: (c, { user, params, raw, error }) =>
        c.json({ who: user.id, refused: params.id, raw, fields: error.issues.map((i) => String(i.path[0])) }, 422),
      deferForm: true,
    },
    async (c, { params, form, raw }) => {
      if (params.id !== 't_1') throw notFound('Thing');
      const data = await form();
      return c.json({ data, raw: await raw() });
    },
  );
  app.route('/', mine.app);
  return app;
}

const post = (app: Hono<AppEnv>, path: string, fields: Record<string, string>) =>
  app.request(path, { method: 'POST', body: new URLSearchParams(fields) });

describe('pageArea', () => {
  it('sends anonymous visitors to sign in (with the way back) and refuses another role (403)', async () => {
    const anon = await appAs(null).request('/en/admin/things/t_1?n=2');
    expect(anon.status).toBe(303);
    expect(anon.headers.get('location')).toBe(`/en/signin?next=${encodeURIComponent('/en/admin/things/t_1?n=2')}`);
    const fan = await appAs('USER').request('/en/admin/things/t_1');
    expect(fan.status).toBe(403);
    expect(await fan.text()).toBe('FORBIDDEN_ROLE');
  });

  it('hands the handler typed params and query; a bad filter is ignored, a bad param is a 404', async () => {
    const app = appAs('ADMIN');
    const ok = await app.request('/en/admin/things/t_7?n=3');
    expect(await ok.json()).toEqual({ user: 'usr_1', params: { id: 't_7' }, query: { n: 3 } });
    expect(await (await app.request('/en/admin/things/t_7?n=three')).json()).toMatchObject({ query: {} });
    const bad = await app.request('/en/admin/things/nope');
    expect(bad.status).toBe(404);
  });

  it('a path no route of the area declares is a 404 for everyone, not a sign-in redirect', async () => {
    expect((await appAs(null).request('/en/admin/elsewhere')).status).toBe(404);
    expect((await appAs('USER').request('/en/admin/elsewhere')).status).toBe(404);
  });

  it('answers a post with a flash and a 303 back; a refused form the same way, with the refusal', async () => {
    const app = appAs('ADMIN');
    const done = await post(app, '/en/admin/things/t_2', { pick: 'a', note: 'fine' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/en/admin/things/t_2');
    expect(done.headers.get('set-cookie')).toContain('info%3Aadmin.done');
    const refused = await post(app, '/en/admin/things/t_2', { pick: 'z', note: 'fine' });
    expect(refused.status).toBe(303);
    expect(refused.headers.get('location')).toBe('/en/admin/things/t_2');
    expect(refused.headers.get('set-cookie')).toContain('error%3Aadmin.failed');
  });

  it('free text with a line break or over its length is a 400, never a flash', async () => {
    const app = appAs('ADMIN');
    for (const note of ['two\nlines', 'x'.repeat(21)]) {
      const res = await post(app, '/en/admin/things/t_2', { pick: 'z', note });
      expect(res.status).toBe(400);
      expect(await res.text()).toBe('VALIDATION_ERROR');
    }
  });

  it('a deferred form is parsed when the handler asks: after its checks, with the same refusals', async () => {
    const app = appAs('USER');
    const ok = await post(app, '/en/mine/t_1', { pick: 'a', note: ' hi ', _csrf: 'x' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ data: { pick: 'a', note: 'hi' }, raw: { pick: 'a', note: ' hi ', _csrf: 'x' } });
    // Someone else's thing with a bad form: the ownership 404, not the form's refusal.
    expect((await post(app, '/en/mine/t_2', { pick: 'z' })).status).toBe(404);
    const refused = await post(app, '/en/mine/t_1', { pick: 'z' });
    expect(refused.status).toBe(422);
    expect(await refused.json()).toEqual({ who: 'usr_1', refused: 't_1', raw: { pick: 'z' }, fields: ['pick'] });
    const hostile = await post(app, '/en/mine/t_1', { pick: 'a', note: 'two\nlines' });
    expect(hostile.status).toBe(400);
    expect(await hostile.text()).toBe('VALIDATION_ERROR');
    expect((await post(appAs(null), '/en/mine/t_1', { pick: 'a' })).status).toBe(303);
  });
});
