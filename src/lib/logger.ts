/**
 * Structured logging: a typed event union, written as one JSON line to the console and as a row
 * in the `logs` table (admin log page, stats, retention). Never throws; never logs secrets.
 *
 * Every event is written through its family's helper (`log.auth`, `log.email`, `log.cron`,
 * `log.room`, `log.call`, `log.booking`, `log.payment`, `log.payout`, `log.webhook`,
 * `log.notification`, `log.admin`, `log.system`, `log.api`): it accepts only that family's types and
 * a context of that family's shape, so an email event always carries its email id, a cron event its
 * job… There is no untyped `log.info(type, …)`: a type cannot be logged with another family's context.
 */
import type { Db } from '../db/client';
import { logs, type LogActor, type LogLevel } from '../db/schema';
import type { Clock } from './clock';
import type { Ids } from './ids';

/** Every log type and the family it belongs to (stats are computed per family). */
export const LOG_TYPES = {
  AUTH_SIGNUP: 'AUTH',
  AUTH_LOGIN: 'AUTH',
  AUTH_LOGIN_FAILED: 'AUTH',
  AUTH_LOGOUT: 'AUTH',
  AUTH_RATE_LIMITED: 'AUTH',
  AUTH_PASSWORD_CHANGED: 'AUTH',
  AUTH_PASSWORD_RESET: 'AUTH',
  AUTH_EMAIL_VERIFIED: 'AUTH',
  AUTH_GOOGLE: 'AUTH',
  AUTH_SESSIONS_REVOKED: 'AUTH',
  AUTH_ACCOUNT_CLAIMED: 'AUTH',
  EMAIL_QUEUED: 'EMAIL',
  EMAIL_SENT: 'EMAIL',
  EMAIL_FAILED: 'EMAIL',
  EMAIL_RETRY: 'EMAIL',
  EMAIL_DEAD: 'EMAIL',
  EMAIL_SUPPRESSED: 'EMAIL',
  EMAIL_DELIVERY: 'EMAIL',
  EMAIL_SKIPPED: 'EMAIL',
  CRON_RUN: 'CRON',
  CRON_ERROR: 'CRON',
  ROOM_CREATED: 'ROOM',
  ROOM_DELETED: 'ROOM',
  ROOM_ERROR: 'ROOM',
  OFFER_CREATED: 'BOOKING',
  OFFER_UPDATED: 'BOOKING',
  OFFER_CANCELLED: 'BOOKING',
  OFFER_EXPIRED: 'BOOKING',
  REQUEST_CREATED: 'BOOKING',
  REQUEST_ANSWERED: 'BOOKING',
  REQUEST_EXPIRED: 'BOOKING',
  BOOKING_HELD: 'BOOKING',
  BOOKING_CONFIRMED: 'BOOKING',
  BOOKING_RELEASED: 'BOOKING',
  BOOKING_CANCELLED: 'BOOKING',
  BOOKING_RESCHEDULED: 'BOOKING',
  BOOKING_LIMITED: 'BOOKING',
  BOOKING_OUTCOME: 'BOOKING',
  BOOKING_INVARIANT_VIOLATION: 'BOOKING',
  BOOKING_ERROR: 'BOOKING',
  PAYMENT_CREATED: 'PAYMENT',
  PAYMENT_SUCCEEDED: 'PAYMENT',
  PAYMENT_FAILED: 'PAYMENT',
  PAYMENT_REFUND: 'PAYMENT',
  PAYMENT_DISPUTE: 'PAYMENT',
  PAYMENT_ERROR: 'PAYMENT',
  CONNECT_ACCOUNT: 'PAYMENT',
  PAYOUT_CREATED: 'PAYOUT',
  PAYOUT_PAID: 'PAYOUT',
  PAYOUT_FAILED: 'PAYOUT',
  PAYOUT_SKIPPED: 'PAYOUT',
  PAYOUTS_BLOCKED: 'PAYOUT',
  PAYOUTS_UNBLOCKED: 'PAYOUT',
  PAYOUT_ERROR: 'PAYOUT',
  WEBHOOK_RECEIVED: 'WEBHOOK',
  WEBHOOK_DUPLICATE: 'WEBHOOK',
  WEBHOOK_REJECTED: 'WEBHOOK',
  WEBHOOK_ERROR: 'WEBHOOK',
  WEBHOOK_UNHANDLED: 'WEBHOOK',
  WEBHOOK_RECONCILED: 'WEBHOOK',
  NOTIFICATION_CREATED: 'NOTIFICATION',
  NOTIFICATION_ERROR: 'NOTIFICATION',
  CALL_EVENT: 'CALL',
  CALL_ERROR: 'CALL',
  ADMIN_ACTION: 'ADMIN',
  SYSTEM_ERROR: 'SYSTEM',
  SYSTEM_INFO: 'SYSTEM',
  API_ERROR: 'API',
} as const;

export type LogType = keyof typeof LOG_TYPES;
export type LogFamily = (typeof LOG_TYPES)[LogType];
export const LOG_FAMILIES = [...new Set(Object.values(LOG_TYPES))] as LogFamily[];

/** The context each family's events carry (typed: the family helpers accept nothing else). */
export interface FamilyContexts {
  AUTH: {
    ip?: string;
    locale?: string;
    /** Sessions signed out by the event. */
    revoked?: number;
    revokedSessions?: number;
    via?: string;
    payoutReset?: boolean;
  };
  EMAIL: {
    emailId: string | null;
    template?: string;
    locale?: string;
    providerId?: string;
    attempt?: number;
    attempts?: number;
    status?: number | null;
    reason?: string;
    delaySeconds?: number;
    count?: number;
    newKey?: boolean;
  };
  CRON: {
    job: string;
    trigger?: 'CRON' | 'MANUAL' | 'QUEUE';
    tick?: number;
    part?: number;
    counts?: Record<string, number>;
    durationMs?: number;
    messageId?: string;
    bookingIds?: string[];
    count?: number;
  };
  ROOM: { bookingId: string; room?: string | null; provider?: string | null };
  CALL: {
    bookingId: string;
    /** The call event's type (PARTICIPANT_JOINED, CALL_ERROR…), or OUTCOME. */
    event: string;
    source?: 'CLIENT' | 'SERVER' | 'DAILY';
    role?: 'FAN' | 'CREATOR' | 'SYSTEM' | null;
    userId?: string | null;
    /** The outcome decided (event OUTCOME). */
    outcome?: string;
    /** What the page reported with its error. */
    metadata?: Record<string, unknown> | null;
  };
  BOOKING: {
    bookingId?: string;
    offerId?: string;
    requestId?: string;
    creatorId?: string;
    userId?: string;
    status?: string;
    count?: number;
    by?: 'FAN' | 'CREATOR' | 'ADMIN' | 'SYSTEM';
    reason?: string | null;
    /** How the call went (BOOKING_OUTCOME). */
    outcome?: string;
    /** Where an offer came from (OFFER_CREATED). */
    source?: string;
    /** The fields an edit changed (OFFER_UPDATED). */
    fields?: string[];
  };
  PAYMENT: {
    paymentId?: string;
    bookingId?: string;
    offerId?: string;
    intentId?: string;
    refundId?: string;
    disputeId?: string;
    owedRefundId?: string;
    providerRefundId?: string;
    chargeId?: string;
    creatorId?: string;
    amount?: number;
    currency?: string;
    status?: string;
    /** The provider's error code. */
    code?: string | null;
    /** How many call events went out as dispute evidence. */
    events?: number;
    reason?: string | null;
  };
  PAYOUT: {
    payoutId?: string;
    creatorId?: string;
    amount?: number;
    currency?: string;
    reason?: string | null;
    debtDeducted?: number;
    from?: string;
    recoveryId?: string;
    providerPayoutId?: string;
  };
  WEBHOOK: { provider: 'stripe' | 'daily' | 'resend'; eventId?: string; eventType?: string; count?: number };
  NOTIFICATION: { userId: string; type: string; notificationId?: string; link?: string | null };
  ADMIN: {
    userId?: string;
    bookingId?: string;
    reviewId?: string;
    creatorId?: string;
    revokedSessions?: number;
    /** A role change. */
    from?: string;
    to?: string;
    patch?: Record<string, unknown>;
    filter?: Record<string, unknown>;
    /** What closing an account's schedule did (domain/admin/closure.ts). */
    offersWithdrawn?: number;
    holdsReleased?: number;
    bookingsCancelled?: number;
    requestsClosed?: number;
    remaining?: number;
  };
  SYSTEM: { component: string; [detail: string]: string | number | boolean | null };
  API: { method: string; path: string; status?: number; code?: string };
}
/** The log types of one family. */
export type TypesOf<F extends LogFamily> = { [K in LogType]: (typeof LOG_TYPES)[K] extends F ? K : never }[LogType];
export type HelperFamily = keyof FamilyContexts & LogFamily;

/** A context of the family's shape, or null for an event that carries none (stored as null, not `{}`). */
type ContextArg<F extends HelperFamily> = FamilyContexts[F] | null;
type FamilyWrite<F extends HelperFamily> = (
  type: TypesOf<F>,
  message: string,
  context: ContextArg<F>,
  opts?: Omit<LogOptions, 'context'>,
) => Promise<void>;
export interface FamilyLogger<F extends HelperFamily> {
  info: FamilyWrite<F>;
  warn: FamilyWrite<F>;
  error: FamilyWrite<F>;
  critical: FamilyWrite<F>;
  /** The row as a statement for a caller's `db.batch` (one round trip with the change it records). */
  statement(
    level: LogLevel,
    type: TypesOf<F>,
    message: string,
    context: ContextArg<F>,
    opts?: Omit<LogOptions, 'context'>,
  ): ReturnType<typeof logInsert>;
}

export interface LogOptions {
  actor?: LogActor;
  actorId?: string | null;
  context?: Record<string, unknown> | null;
  error?: unknown;
}

export interface Logger {
  /** The same logger tagging every line with a request id. */
  withRequest(requestId: string): Logger;
  auth: FamilyLogger<'AUTH'>;
  email: FamilyLogger<'EMAIL'>;
  cron: FamilyLogger<'CRON'>;
  room: FamilyLogger<'ROOM'>;
  call: FamilyLogger<'CALL'>;
  booking: FamilyLogger<'BOOKING'>;
  payment: FamilyLogger<'PAYMENT'>;
  payout: FamilyLogger<'PAYOUT'>;
  webhook: FamilyLogger<'WEBHOOK'>;
  notification: FamilyLogger<'NOTIFICATION'>;
  admin: FamilyLogger<'ADMIN'>;
  system: FamilyLogger<'SYSTEM'>;
  api: FamilyLogger<'API'>;
}

function logInsert(db: Db, row: typeof logs.$inferInsert) {
  return db.insert(logs).values(row);
}

const SECRET_KEY = /pass(word)?|token|secret|authorization|cookie|signature|api[_-]?key|card|cvc|iban/i;

/** Deep-copies `value` with secret-looking keys replaced and secret-looking strings masked, so contexts can be logged as they are. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

/**
 * drizzle's DrizzleQueryError reads "Failed query: <sql>\nparams: <values>": the values are user data
 * (emails, password hashes, email bodies with one-time links). The SQL stays, the values go.
 */
const QUERY_PARAMS = /\nparams: (?!\[\d+ withheld\](?:\n|$))[\s\S]*?(?=\n\s+at |\nCaused by: |$)/g;
const WITHHELD = '\nparams: [withheld]';

/** Values that are secrets wherever they appear: masked in every stored or printed log field. */
const SECRET_PATTERNS: [RegExp, string][] = [
  [/pbkdf2-sha256\$\d+\$[\w-]+\$[\w-]+/g, '[password-hash]'],
  [/\b(Bearer|Basic)\s+[\w.~+/=-]+/gi, '$1 [redacted]'],
  [/\bv1\.[0-9a-z]{16,60}\.usr_[0-9a-z]+\.[0-9a-z]+\.[\w-]+/g, '[session-token]'],
  [/\beyJ[\w-]+\.[\w-]+\.[\w-]*/g, '[jwt]'],
  [/\b(sk|rk|pk)_(live|test)_\w+/g, '[api-key]'],
  [/\b(whsec|re)_[\w+/=]{8,}/g, '[api-key]'],
  [/\b(pi|seti)_\w+_secret_\w+/g, '[client-secret]'],
  // One-time links and signed URLs: the value of any credential-like query parameter.
  [
    /([?&;](?:token|t|code|key|secret|sig|signature|password|access_token|refresh_token|id_token|state|s)=)[^&\s"'<>]+/gi,
    '$1[redacted]',
  ],
];
/** In error texts only (messages name recipients on purpose): addresses and long random strings. */
const ERROR_ONLY_PATTERNS: [RegExp, string][] = [
  [/[\w.!#$%&'*+/=?^`{|}~-]+@([a-z0-9-]+(?:\.[a-z0-9-]+)+)/gi, '[email]@$1'],
  [
    /\b(?![0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b)(?=[\w-]*\d)(?=[\w-]*[a-z])[\w-]{32,}/gi,
    '[redacted]',
  ],
];

/** A log message or error text with query parameters and secret-looking values removed. */
export function scrubSecrets(text: string, opts: { errorText?: boolean } = {}): string {
  let out = text.replace(QUERY_PARAMS, WITHHELD);
  for (const [re, to] of SECRET_PATTERNS) out = out.replace(re, to);
  if (opts.errorText) for (const [re, to] of ERROR_ONLY_PATTERNS) out = out.replace(re, to);
  return out;
}

const isQueryError = (e: Error): e is Error & { query: string; params: unknown[] } =>
  typeof (e as { query?: unknown }).query === 'string' && Array.isArray((e as { params?: unknown }).params);

/** An error's name and own message; for a DrizzleQueryError (named plain "Error"), the SQL without its bound values. */
function headline(e: Error): string {
  if (isQueryError(e)) return `DrizzleQueryError: Failed query: ${e.query}\nparams: [${e.params.length} withheld]`;
  return `${e.name}: ${e.message}`;
}

/**
 * Error text safe to store: name and message, the first stack frames, then the causes (drizzle
 * wraps D1's error: the constraint is in `cause`) — query values dropped, secrets masked.
 */
export function describeError(error: unknown): string | null {
  if (error == null) return null;
  if (!(error instanceof Error)) return scrubSecrets(String(error), { errorText: true }).slice(0, 2000);
  const lines = [headline(error)];
  // Frames only: a stack starts with the message again, params included.
  lines.push(
    ...(error.stack ?? '')
      .split('\n')
      .filter((l) => /^\s+at /.test(l))
      .slice(0, 5),
  );
  let cause = (error as Error & { cause?: unknown }).cause;
  for (let i = 0; cause != null && i < 3; i++) {
    lines.push(`Caused by: ${cause instanceof Error ? headline(cause) : String(cause)}`);
    cause = cause instanceof Error ? (cause as Error & { cause?: unknown }).cause : null;
  }
  return scrubSecrets(lines.join('\n'), { errorText: true }).slice(0, 4000);
}

export function createLogger(
  deps: { db: Db; clock: Clock; ids: Ids; console?: boolean },
  requestId: string | null = null,
): Logger {
  const row = (level: LogLevel, type: LogType, message: string, opts: LogOptions = {}) => {
    const context = opts.context ? (redact(opts.context) as Record<string, unknown>) : null;
    const error = describeError(opts.error);
    message = scrubSecrets(message);
    const createdAt = deps.clock.now();
    const line = {
      level,
      type,
      family: LOG_TYPES[type],
      actor: opts.actor ?? 'SYSTEM',
      actorId: opts.actorId ?? null,
      message,
      context,
      error,
      requestId,
      at: createdAt.toISOString(),
    };
    if (deps.console !== false) (level === 'INFO' ? console.log : console.error)(JSON.stringify(line));
    return {
      id: deps.ids.next('log'),
      level,
      type,
      actor: opts.actor ?? 'SYSTEM',
      actorId: opts.actorId ?? null,
      message: message.slice(0, 2000),
      context,
      error,
      requestId,
      createdAt,
    };
  };
  const write = async (level: LogLevel, type: LogType, message: string, opts: LogOptions = {}) => {
    const values = row(level, type, message, opts);
    try {
      await logInsert(deps.db, values);
    } catch (e) {
      console.error(
        JSON.stringify({ level: 'ERROR', type: 'SYSTEM_ERROR', message: 'log write failed', error: describeError(e) }),
      );
    }
  };
  const family = <F extends HelperFamily>(): FamilyLogger<F> => {
    const at =
      (level: LogLevel): FamilyWrite<F> =>
      (type, message, context, opts) =>
        write(level, type, message, { ...opts, context });
    return {
      info: at('INFO'),
      warn: at('WARNING'),
      error: at('ERROR'),
      critical: at('CRITICAL'),
      statement: (level, type, message, context, opts) =>
        logInsert(deps.db, row(level, type, message, { ...opts, context })),
    };
  };
  return {
    withRequest: (rid) => createLogger(deps, rid),
    auth: family<'AUTH'>(),
    email: family<'EMAIL'>(),
    cron: family<'CRON'>(),
    room: family<'ROOM'>(),
    call: family<'CALL'>(),
    booking: family<'BOOKING'>(),
    payment: family<'PAYMENT'>(),
    payout: family<'PAYOUT'>(),
    webhook: family<'WEBHOOK'>(),
    notification: family<'NOTIFICATION'>(),
    admin: family<'ADMIN'>(),
    system: family<'SYSTEM'>(),
    api: family<'API'>(),
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
