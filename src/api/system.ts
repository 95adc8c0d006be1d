/** Health check (the benchmarks' trivial floor route) and the OpenAPI document. */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/context';
import { buildOpenApi } from '../http/openapi';
import { route } from '../http/route';

export const systemApi = new Hono<AppEnv>();

route(
  systemApi,
  {
    method: 'get',
    path: '/api/health',
    summary: 'Liveness probe (touches nothing)',
    tags: ['System'],
    access: 'public',
    responses: { 200: { description: 'OK', schema: z.object({ ok: z.literal(true) }) } },
  },
  (c) => c.json({ ok: true as const }),
);

let cached: unknown = null;
route(
  systemApi,
  {
    method: 'get',
    path: '/api/openapi.json',
    summary: 'This API, as OpenAPI 3.1 (generated from the validating zod schemas)',
    tags: ['System'],
    access: 'public',
    responses: {
      200: {
        description: 'OpenAPI document',
        schema: z.looseObject({ openapi: z.literal('3.1.0'), paths: z.record(z.string(), z.unknown()) }),
      },
    },
  },
  (c) => {
    cached ??= buildOpenApi({ title: 'Call a Star API', version: '1.0.0' });
    return c.json(cached);
  },
);
