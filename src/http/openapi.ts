/** Builds the OpenAPI 3.1 document from the route registry (the same zod schemas that validate). */
import { z, type ZodType } from 'zod';
import { ErrorEnvelopeSchema } from './error-envelope';
import { registry, type RouteSpec } from './route';

type Json = Record<string, unknown>;

const toSchema = (schema: ZodType, io: 'input' | 'output'): Json =>
  z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;

const STANDARD_ERRORS: Record<number, string> = {
  400: 'Invalid input (VALIDATION_ERROR, INVALID_JSON; UNEXPECTED_BODY: a body sent to a route that takes none)',
  401: 'Not signed in (UNAUTHENTICATED)',
  403: 'Signed in but not allowed (FORBIDDEN, FORBIDDEN_ROLE, CSRF_FAILED)',
  429: 'Rate limited (RATE_LIMITED); see Retry-After',
};

function parametersOf(spec: RouteSpec<ZodType | undefined, ZodType | undefined, ZodType | undefined>): Json[] {
  const out: Json[] = [];
  const add = (schema: ZodType | undefined, where: 'path' | 'query') => {
    if (!schema) return;
    const js = toSchema(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, s] of Object.entries(js.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: s });
    }
  };
  add(spec.params, 'path');
  add(spec.query, 'query');
  return out;
}

export function buildOpenApi(info: { title: string; version: string; serverUrl?: string }): Json {
  const paths: Record<string, Record<string, Json>> = {};
  const specs = [...registry.values()].sort((a, b) => a.path.localeCompare(b.path));
  for (const spec of specs) {
    const path = spec.path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}');
    const responses: Record<string, Json> = {};
    for (const [status, r] of Object.entries(spec.responses)) {
      responses[status] = r.schema
        ? {
            description: r.description,
            content: { [r.contentType ?? 'application/json']: { schema: toSchema(r.schema, 'output') } },
          }
        : { description: r.description };
    }
    const errorStatuses = [
      400,
      ...(spec.access === 'public' ? [] : [401]),
      ...(Array.isArray(spec.access) ? [403] : []),
    ];
    for (const status of errorStatuses) {
      responses[status] ??= {
        description: STANDARD_ERRORS[status],
        content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } },
      };
    }
    const op: Json = {
      operationId: `${spec.method}_${spec.path.replace(/[^a-zA-Z0-9]+/g, '_').replace(/^_|_$/g, '')}`,
      summary: spec.summary,
      description: spec.description,
      tags: spec.tags,
      parameters: parametersOf(spec),
      responses,
      'x-access': spec.access === 'public' || spec.access === 'user' ? spec.access : [...spec.access],
    };
    if (spec.access !== 'public') op.security = [{ bearerAuth: [] }, { cookieAuth: [] }];
    if (spec.body)
      op.requestBody = { required: true, content: { 'application/json': { schema: toSchema(spec.body, 'input') } } };
    if (spec.rawBody)
      op.requestBody = {
        required: true,
        description: spec.rawBody.description,
        content: { [spec.rawBody.contentType]: {} },
      };
    paths[path] ??= {};
    paths[path][spec.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: info.title,
      version: info.version,
      description: 'Call a Star public API v1. Money: integer minor units + ISO 4217 currency. Times: ISO 8601 UTC.',
    },
    servers: info.serverUrl ? [{ url: info.serverUrl }] : [],
    paths,
    components: {
      schemas: { ErrorEnvelope: toSchema(ErrorEnvelopeSchema, 'output') },
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'Token from /api/auth/login or /api/auth/signup' },
        cookieAuth: {
          type: 'apiKey',
          in: 'cookie',
          name: '__Host-cas',
          description: 'Browser session (writes need a same-origin Origin header)',
        },
      },
    },
  };
}
