/**
 * Declarative API routes: one spec gives validation (zod), access control and the OpenAPI entry,
 * so the documentation cannot drift from what the code accepts.
 */
import { Hono } from 'hono';
import type { z, ZodType } from 'zod';
import type { Role, User } from '../db/schema';
import type { AppEnv, Ctx } from './context';
import { AppError, forbidden, unauthorized, validationError } from './errors';
import { ensureUser } from './middleware';
import { checkResponse, responseCheckEnabled } from './response-check';

/** public: anyone; user: any signed-in account; [roles]: one of these roles. */
export type Access = 'public' | 'user' | readonly Role[];
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteSpec<
  P extends ZodType | undefined = undefined,
  Q extends ZodType | undefined = undefined,
  B extends ZodType | undefined = undefined,
> {
  method: Method;
  /** Hono path syntax, relative to the sub-app's base (`/:id` in apiApp('/api/offers')); `/` is the base itself. */
  path: string;
  summary: string;
  tags: string[];
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  /** Non-JSON bodies the handler reads itself (webhooks, uploads). */
  rawBody?: { contentType: string; description: string };
  responses: Record<number, { description: string; schema?: ZodType; contentType?: string }>;
  description?: string;
  /**
   * The handler needs only who is asking (`user.id`), not the account row: no database read at
   * all for authentication (the hot booking path). Only with access 'user'.
   */
  identityOnly?: boolean;
}

type Infer<T> = T extends ZodType ? z.infer<T> : undefined;
type UserFor<A extends Access, I> = I extends true ? { id: string } : A extends 'public' ? User | null : User;

export interface RouteInput<P, Q, B, U> {
  params: P;
  query: Q;
  body: B;
  user: U;
}

/** Every registered spec under its full path, for /api/openapi.json and the hostile-input suite. */
export const registry = new Map<string, RouteSpec<ZodType | undefined, ZodType | undefined, ZodType | undefined>>();

const bases = new WeakMap<Hono<AppEnv>, string>();

/** A sub-app of the API whose routes are relative to `base`; app.ts mounts it there (`baseOf`). */
export function apiApp(base: `/api${string}`): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  bases.set(app, base);
  return app;
}

/** Where a sub-app is mounted: its apiApp base, or '' for a plain Hono (whose paths are full). */
export const baseOf = (app: Hono<AppEnv>): string => bases.get(app) ?? '';

async function checkAccess(c: Ctx, access: Access, identityOnly: boolean): Promise<User | { id: string } | null> {
  const auth = c.get('auth');
  if (access === 'public') return auth ? ensureUser(c) : null;
  if (!auth) throw unauthorized();
  if (identityOnly && access === 'user') return { id: auth.userId };
  const user = await ensureUser(c);
  if (!user) throw unauthorized();
  if (access !== 'user' && !access.includes(user.role)) {
    throw forbidden(`This requires the ${access.join(' or ')} role.`, 'FORBIDDEN_ROLE');
  }
  return user;
}

async function readJson(c: Ctx): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!type.toLowerCase().includes('application/json')) {
    throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
  }
  const text = await c.req.text();
  if (text.length === 0) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError(400, 'INVALID_JSON', 'The body is not valid JSON.');
  }
}

/**
 * A route that declares no body takes none: anything but an empty body (or `{}`, which many
 * clients send by default) is refused, so a caller's mistake is not silently ignored. Raw-body
 * routes (webhooks, uploads) read theirs themselves.
 */
async function refuseBody(c: Ctx): Promise<void> {
  if (c.req.raw.body === null) return; // nothing was sent: nothing to read
  const text = (await c.req.text()).replace(/^\uFEFF/, '').trim();
  if (text === '' || /^\{\s*\}$/.test(text)) return;
  throw new AppError(400, 'UNEXPECTED_BODY', 'This route takes no request body.');
}

function parseWith<S extends ZodType>(schema: S, data: unknown, where: string): z.infer<S> {
  const r = schema.safeParse(data);
  if (!r.success) throw validationError(r.error, where);
  return r.data;
}

/** Registers `spec` on `app` with validation and access control in front of `handler`. */
export function route<
  P extends ZodType | undefined,
  Q extends ZodType | undefined,
  B extends ZodType | undefined,
  A extends Access,
  I extends boolean = false,
>(
  app: Hono<AppEnv>,
  spec: RouteSpec<P, Q, B> & { access: A; identityOnly?: I },
  handler: (c: Ctx, input: RouteInput<Infer<P>, Infer<Q>, Infer<B>, UserFor<A, I>>) => Response | Promise<Response>,
): void {
  // Registered now, under the full path the mount will give it, so the registry's order stays the modules' order.
  const path = baseOf(app) + (spec.path === '/' && baseOf(app) ? '' : spec.path);
  registry.set(`${spec.method} ${path}`, {
    ...spec,
    path,
  } as RouteSpec<ZodType | undefined, ZodType | undefined, ZodType | undefined>);
  app.on(spec.method.toUpperCase(), spec.path, async (c) => {
    const user = await checkAccess(c, spec.access, spec.identityOnly === true);
    const params = spec.params ? parseWith(spec.params, c.req.param(), 'path parameters') : undefined;
    const query = spec.query ? parseWith(spec.query, c.req.query(), 'query') : undefined;
    const body = spec.body ? parseWith(spec.body, await readJson(c), 'body') : undefined;
    if (!spec.body && !spec.rawBody && spec.method !== 'get') await refuseBody(c);
    const res = await handler(c, { params, query, body, user } as RouteInput<
      Infer<P>,
      Infer<Q>,
      Infer<B>,
      UserFor<A, I>
    >);
    if (responseCheckEnabled(c.env)) await checkResponse(`${spec.method} ${spec.path}`, spec.responses, res);
    return res;
  });
}
