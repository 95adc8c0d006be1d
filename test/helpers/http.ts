/** Calls the Worker over HTTP, as a browser or an API client would, and reads its error envelope. */
import { exports } from 'cloudflare:workers';

export const BASE = 'http://localhost';

/** Sends a request through the Worker's fetch handler (the same path a real request takes). */
export function fetchApp(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(`${BASE}${path}`, { redirect: 'manual', ...init }));
}

export interface CallOptions {
  token?: string;
  cookie?: string;
  origin?: string | null;
  headers?: Record<string, string>;
}

/** JSON API call; `body` is serialized unless it is already a string. */
export function api(method: string, path: string, body?: unknown, opts: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.origin) headers.origin = opts.origin;
  return fetchApp(path, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Posts an urlencoded form like a browser on our own origin would. */
export function postForm(path: string, fields: Record<string, string>, opts: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    ...(opts.headers ?? {}),
  };
  if (opts.origin !== null) headers.origin = opts.origin ?? BASE;
  if (opts.cookie) headers.cookie = opts.cookie;
  return fetchApp(path, { method: 'POST', headers, body: new URLSearchParams(fields).toString() });
}

/** `name=value` of a Set-Cookie header, for replaying cookies. */
export function cookieFrom(res: Response, name: string): string | null {
  const all = res.headers.getSetCookie();
  const hit = all.find((c) => c.startsWith(`${name}=`));
  return hit ? hit.split(';')[0] : null;
}

export async function expectError(res: Response, status: number, code: string) {
  const body = (await res.json()) as { error: { code: string; message: string; requestId: string; details?: unknown } };
  if (res.status !== status || body.error?.code !== code) {
    throw new Error(`expected ${status} ${code}, got ${res.status} ${JSON.stringify(body)}`);
  }
  return body.error;
}

/** A page as the holder of `token` sees it. */
export function getPage(path: string, token?: string): Promise<Response> {
  return fetchApp(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

/** A page form posted by the holder of `token` (same origin, urlencoded). */
export function postPage(
  path: string,
  token: string | undefined,
  form: Record<string, string> = {},
): Promise<Response> {
  return fetchApp(path, {
    method: 'POST',
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      'content-type': 'application/x-www-form-urlencoded',
      origin: BASE,
    },
    body: new URLSearchParams(form).toString(),
  });
}
