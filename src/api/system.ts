/** Health check (the benchmarks' trivial floor route) and the OpenAPI document. */
import { z } from 'zod';
import { buildOpenApi } from '../http/openapi';
import { apiApp, route } from '../http/route';

export const systemApi = apiApp('/api');

route(
  systemApi,
  {
    method: 'get',
    path: '/health',
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
    path: '/openapi.json',
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
