/**
 * The test-only check that every route() answer matches the response it declares for OpenAPI
 * (src/http/response-check.ts): it catches drift in tests, and is off in any other environment.
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AppEnv } from '../src/http/context';
import { responseCheckEnabled, takeResponseMismatches } from '../src/http/response-check';
import { route } from '../src/http/route';
import { productionEnv } from './config-envs';
import { testEnv } from './helpers';

const app = new Hono<AppEnv>();
route(
  app,
  {
    method: 'get',
    path: '/checked/:kind',
    summary: 'answers as asked',
    tags: ['T'],
    access: 'public',
    params: z.object({ kind: z.enum(['right', 'wrong', 'undeclared', 'error', 'bad-error', 'text']) }),
    responses: {
      200: { description: 'ok', schema: z.object({ n: z.number().int() }) },
      404: { description: 'NOT_FOUND' },
    },
  },
  (c, { params }) => {
    if (params.kind === 'right') return c.json({ n: 1 });
    if (params.kind === 'wrong') return c.json({ n: 'one' });
    if (params.kind === 'undeclared') return c.json({ n: 1 }, 201);
    if (params.kind === 'error')
      return c.json({ error: { code: 'NOT_FOUND', message: 'no', requestId: 'req_1' } }, 404);
    if (params.kind === 'bad-error') return c.json({ message: 'no' }, 404);
    return c.text('plain', 200);
  },
);
const call = (kind: string, env: object = testEnv) => app.request(`/checked/${kind}`, {}, env);

describe('response check', () => {
  it('is on in the test bindings, and fails closed everywhere else', () => {
    expect(responseCheckEnabled(testEnv)).toBe(true);
    expect(responseCheckEnabled(productionEnv({ CHECK_RESPONSES: 'true' }))).toBe(false);
    expect(responseCheckEnabled({ ...testEnv, APP_ENV: 'development' } as never)).toBe(false);
    expect(responseCheckEnabled({ ...testEnv, CHECK_RESPONSES: undefined } as never)).toBe(false);
    expect(responseCheckEnabled(undefined)).toBe(false);
  });

  it('records an answer that differs from its declared schema, an undeclared status, and a bad error envelope', async () => {
    for (const kind of ['right', 'error', 'text']) expect((await call(kind)).status).toBeLessThan(500);
    expect(takeResponseMismatches()).toEqual([]);
    await call('wrong');
    await call('undeclared');
    await call('bad-error');
    const found = takeResponseMismatches();
    expect(found.map((m) => [m.route, m.status])).toEqual([
      ['get /checked/:kind', 200],
      ['get /checked/:kind', 201],
      ['get /checked/:kind', 404],
    ]);
    expect(found[0].problem).toMatch(/^n: /);
    expect(found[1].problem).toBe('an undeclared status');
  });

  it('leaves the answer itself untouched, and checks nothing in production', async () => {
    const res = await call('wrong');
    expect(await res.json()).toEqual({ n: 'one' });
    takeResponseMismatches();
    const prod = await call('wrong', productionEnv({ CHECK_RESPONSES: 'true' }));
    expect(await prod.json()).toEqual({ n: 'one' });
    expect(takeResponseMismatches()).toEqual([]);
  });
});
