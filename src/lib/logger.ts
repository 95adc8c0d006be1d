/**
 * Structured logging: a typed event union, written as one JSON line to the console and as a row
 * in the `logs` table (admin log page, stats, retention). Never throws; never logs secrets.
 */
import type { Db } from '../db/client';
import { logs, type LogActor, type LogLevel } from '../db/schema';
import type { Clock } from './clock';
import type { Ids } from './ids';

/** Every log type and the family it belongs to (stats are computed per family). */
export const LOG_TYPES = {
  AUTH_SIGNUP: 'AUTH', AUTH_LOGIN: 'AUTH', AUTH_LOGIN_FAILED: 'AUTH', AUTH_LOGOUT: 'AUTH', AUTH_RATE_LIMITED: 'AUTH',
  AUTH_PASSWORD_CHANGED: 'AUTH', AUTH_PASSWORD_RESET: 'AUTH', AUTH_EMAIL_VERIFIED: 'AUTH', AUTH_GOOGLE: 'AUTH',
  AUTH_SESSIONS_REVOKED: 'AUTH',
  EMAIL_QUEUED: 'EMAIL', EMAIL_SENT: 'EMAIL', EMAIL_FAILED: 'EMAIL', EMAIL_RETRY: 'EMAIL', EMAIL_DEAD: 'EMAIL',
  EMAIL_SUPPRESSED: 'EMAIL', EMAIL_DELIVERY: 'EMAIL',
  CRON_RUN: 'CRON', CRON_ERROR: 'CRON',
  ROOM_CREATED: 'ROOM', ROOM_DELETED: 'ROOM', ROOM_ERROR: 'ROOM',
  OFFER_CREATED: 'BOOKING', OFFER_UPDATED: 'BOOKING', OFFER_CANCELLED: 'BOOKING', OFFER_EXPIRED: 'BOOKING',
  REQUEST_CREATED: 'BOOKING', REQUEST_ANSWERED: 'BOOKING', REQUEST_EXPIRED: 'BOOKING',
  BOOKING_HELD: 'BOOKING', BOOKING_CONFIRMED: 'BOOKING', BOOKING_RELEASED: 'BOOKING', BOOKING_CANCELLED: 'BOOKING',
  BOOKING_RESCHEDULED: 'BOOKING', BOOKING_OUTCOME: 'BOOKING', BOOKING_INVARIANT_VIOLATION: 'BOOKING', BOOKING_ERROR: 'BOOKING',
  PAYMENT_CREATED: 'PAYMENT', PAYMENT_SUCCEEDED: 'PAYMENT', PAYMENT_FAILED: 'PAYMENT', PAYMENT_REFUND: 'PAYMENT',
  PAYMENT_DISPUTE: 'PAYMENT', PAYMENT_ERROR: 'PAYMENT', CONNECT_ACCOUNT: 'PAYMENT',
  PAYOUT_CREATED: 'PAYOUT', PAYOUT_PAID: 'PAYOUT', PAYOUT_FAILED: 'PAYOUT', PAYOUT_SKIPPED: 'PAYOUT', PAYOUT_ERROR: 'PAYOUT',
  WEBHOOK_RECEIVED: 'WEBHOOK', WEBHOOK_DUPLICATE: 'WEBHOOK', WEBHOOK_REJECTED: 'WEBHOOK', WEBHOOK_ERROR: 'WEBHOOK',
  WEBHOOK_UNHANDLED: 'WEBHOOK',
  NOTIFICATION_CREATED: 'NOTIFICATION', NOTIFICATION_ERROR: 'NOTIFICATION',
  CALL_EVENT: 'CALL', CALL_ERROR: 'CALL',
  ADMIN_ACTION: 'ADMIN',
  SYSTEM_ERROR: 'SYSTEM', SYSTEM_INFO: 'SYSTEM', API_ERROR: 'API',
} as const;

export type LogType = keyof typeof LOG_TYPES;
export type LogFamily = (typeof LOG_TYPES)[LogType];
export const LOG_FAMILIES = [...new Set(Object.values(LOG_TYPES))] as LogFamily[];

export interface LogOptions {
  actor?: LogActor;
  actorId?: string | null;
  context?: Record<string, unknown>;
  error?: unknown;
}

export interface Logger {
  info(type: LogType, message: string, opts?: LogOptions): Promise<void>;
  warn(type: LogType, message: string, opts?: LogOptions): Promise<void>;
  error(type: LogType, message: string, opts?: LogOptions): Promise<void>;
  critical(type: LogType, message: string, opts?: LogOptions): Promise<void>;
  /** The same logger tagging every line with a request id. */
  withRequest(requestId: string): Logger;
  /** The log row as a statement to include in a caller's `db.batch` (one round trip); echoes the console line now. */
  statement(level: LogLevel, type: LogType, message: string, opts?: LogOptions): ReturnType<typeof logInsert>;
}

function logInsert(db: Db, row: typeof logs.$inferInsert) {
  return db.insert(logs).values(row);
}

const SECRET_KEY = /pass(word)?|token|secret|authorization|cookie|signature|api[_-]?key|card|cvc|iban/i;

/** Deep-copies `value` with secret-looking keys replaced, so contexts can be logged as they are. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

export function describeError(error: unknown): string | null {
  if (error == null) return null;
  if (error instanceof Error) return `${error.name}: ${error.message}${error.stack ? `\n${error.stack.split('\n').slice(1, 6).join('\n')}` : ''}`;
  return String(error).slice(0, 2000);
}

export function createLogger(deps: { db: Db; clock: Clock; ids: Ids; console?: boolean }, requestId: string | null = null): Logger {
  const row = (level: LogLevel, type: LogType, message: string, opts: LogOptions = {}) => {
    const context = opts.context ? (redact(opts.context) as Record<string, unknown>) : null;
    const error = describeError(opts.error);
    const createdAt = deps.clock.now();
    const line = { level, type, family: LOG_TYPES[type], actor: opts.actor ?? 'SYSTEM', actorId: opts.actorId ?? null, message, context, error, requestId, at: createdAt.toISOString() };
    if (deps.console !== false) (level === 'INFO' ? console.log : console.error)(JSON.stringify(line));
    return { id: deps.ids.next('log'), level, type, actor: opts.actor ?? 'SYSTEM', actorId: opts.actorId ?? null, message: message.slice(0, 2000), context, error, requestId, createdAt };
  };
  const write = async (level: LogLevel, type: LogType, message: string, opts: LogOptions = {}) => {
    const values = row(level, type, message, opts);
    try {
      await logInsert(deps.db, values);
    } catch (e) {
      console.error(JSON.stringify({ level: 'ERROR', type: 'SYSTEM_ERROR', message: 'log write failed', error: describeError(e) }));
    }
  };
  return {
    info: (t, m, o) => write('INFO', t, m, o),
    warn: (t, m, o) => write('WARNING', t, m, o),
    error: (t, m, o) => write('ERROR', t, m, o),
    critical: (t, m, o) => write('CRITICAL', t, m, o),
    withRequest: (rid) => createLogger(deps, rid),
    statement: (level, type, message, opts) => logInsert(deps.db, row(level, type, message, opts)),
  };
}

/** An error's message with its causes (drizzle wraps D1 errors: the constraint name is in `cause`). */
export function errorText(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let i = 0; cur && i < 5; i++) {
    parts.push(cur instanceof Error ? `${cur.name}: ${cur.message}` : String(cur));
    cur = cur instanceof Error ? (cur as Error & { cause?: unknown }).cause : null;
  }
  return parts.join(' <- ');
}
