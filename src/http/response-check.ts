/**
 * Test-only check that a route's JSON answer matches the schema it declares for OpenAPI, so the
 * documented contract cannot drift from what handlers send. Off unless the test var is set, and
 * never outside APP_ENV=test, so production pays one property read per request.
 */
import type { ZodType } from 'zod';
import type { Bindings } from '../env';
import { ErrorEnvelopeSchema } from './error-envelope';

type Declared = Record<number, { description: string; schema?: ZodType; contentType?: string }>;

/** One answer that disagrees with its route's declared responses. */
export interface ResponseMismatch {
  route: string;
  status: number;
  problem: string;
}

const mismatches: ResponseMismatch[] = [];

/** The mismatches seen since the last call (test/setup.ts asserts none after each test). */
export function takeResponseMismatches(): ResponseMismatch[] {
  return mismatches.splice(0);
}

/** On only where the test bindings ask for it; any other environment fails closed. */
export function responseCheckEnabled(env: Bindings | undefined): boolean {
  const vars = env as (Bindings & { CHECK_RESPONSES?: string }) | undefined;
  return vars?.CHECK_RESPONSES === 'true' && vars.APP_ENV === 'test';
}

function problemWith(declared: Declared, status: number, body: unknown): string | null {
  const entry = declared[status];
  // Errors carry the envelope whether or not the route lists their status.
  const schema = entry?.schema ?? (status >= 400 ? ErrorEnvelopeSchema : undefined);
  if (!schema) return entry ? 'a JSON body, but the route declares no schema for it' : 'an undeclared status';
  const r = schema.safeParse(body);
  if (r.success) return null;
  return r.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

/** Records (and logs) a mismatch between `res` and `declared`; `res` itself is left unread. */
export async function checkResponse(route: string, declared: Declared, res: Response): Promise<void> {
  const type = res.headers.get('content-type') ?? '';
  if (!type.includes('application/json') || res.body === null) {
    if (res.status < 300 && !declared[res.status])
      mismatches.push({ route, status: res.status, problem: 'an undeclared status' });
    return;
  }
  let body: unknown;
  try {
    body = await res.clone().json();
  } catch {
    mismatches.push({ route, status: res.status, problem: 'a body that is not JSON' });
    return;
  }
  const problem = problemWith(declared, res.status, body);
  if (!problem) return;
  mismatches.push({ route, status: res.status, problem });
  console.error(`response check: ${route} ${res.status}: ${problem}`);
}
