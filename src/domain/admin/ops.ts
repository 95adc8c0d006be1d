/** Admin operations: the email log (filter, retry), job runs (run now), logs with per-family stats. */
import { and, count, desc, eq, gte, inArray, lte, sql } from 'drizzle-orm';
import { cronRuns, emailLog, type EMAIL_STATUSES, type LOG_LEVELS, logs, type EmailLogRow } from '../../db/schema';
import { one } from '../../db/one';
import type { Deps } from '../../deps';
import { DAY, HOUR } from '../../lib/clock';
import { LOG_TYPES, type LogFamily } from '../../lib/logger';
import { isStalePending, type EmailQueueMessage } from '../email/enqueue';
import { contains } from './filters';

export const PAGE = 50;

export async function emailLogPage(
  deps: Deps,
  f: { status?: (typeof EMAIL_STATUSES)[number]; to?: string; template?: string; page: number },
) {
  const where = and(
    f.status ? eq(emailLog.status, f.status) : undefined,
    f.to ? contains(emailLog.to, f.to.toLowerCase()) : undefined,
    f.template ? eq(emailLog.template, f.template) : undefined,
  );
  const [rows, counted] = await Promise.all([
    deps.db
      .select()
      .from(emailLog)
      .where(where)
      .orderBy(desc(emailLog.createdAt))
      .limit(PAGE)
      .offset((f.page - 1) * PAGE)
      .all(),
    deps.db.select({ total: count() }).from(emailLog).where(where),
  ]);
  const { total } = one(counted, 'the emails count');
  return { rows, total };
}

/** How long the provider remembers an Idempotency-Key (Resend: 24 hours). */
export const PROVIDER_KEY_WINDOW_MS = 24 * HOUR;

/** Whether an admin may send this email again: it failed, died, or is stuck pending (see isStalePending). */
export function canRetryEmail(row: Pick<EmailLogRow, 'status' | 'attempts' | 'updatedAt'>, now: Date): boolean {
  return row.status === 'FAILED' || row.status === 'DEAD' || isStalePending(row, now);
}

export type RetryOutcome =
  | { ok: true; newKey: boolean }
  | { ok: false; code: 'EMAIL_NOT_FOUND' | 'EMAIL_NOT_RETRYABLE' };

/**
 * Sends a failed, dead or stuck email again. Within the provider's 24 h window the same key is kept:
 * if it had actually gone, the provider will not send it twice. Past the window the old key protects
 * nothing; a fresh key is used only when we know nothing was sent (no attempt ended in doubt), so a
 * re-rendered email is never refused as "same key, other payload" — otherwise the old key is kept.
 */
export async function retryEmail(deps: Deps, emailId: string, adminId: string): Promise<RetryOutcome> {
  const now = deps.clock.now();
  const row = await deps.db.select().from(emailLog).where(eq(emailLog.id, emailId)).get();
  if (!row) return { ok: false, code: 'EMAIL_NOT_FOUND' };
  if (!canRetryEmail(row, now)) return { ok: false, code: 'EMAIL_NOT_RETRYABLE' };
  const newKey = now.getTime() - row.createdAt.getTime() >= PROVIDER_KEY_WINDOW_MS && !row.maybeSent;
  // Guarded by the row as read: two admins clicking at once queue it once.
  const [updated] = await deps.db
    .update(emailLog)
    .set({
      status: 'PENDING',
      lastError: null,
      updatedAt: now,
      ...(newKey ? { providerKey: `${row.idempotencyKey}:retry:${now.getTime()}` } : {}),
    })
    .where(and(eq(emailLog.id, emailId), eq(emailLog.status, row.status), eq(emailLog.updatedAt, row.updatedAt)))
    .returning();
  if (!updated) return { ok: false, code: 'EMAIL_NOT_RETRYABLE' };
  await deps.queues.email.send({ emailId } satisfies EmailQueueMessage);
  await deps.log.email.info(
    'EMAIL_RETRY',
    `${row.template} to ${row.to} (${row.status}) queued again by an admin${newKey ? ' with a new idempotency key' : ''}`,
    { emailId, template: row.template, attempts: row.attempts, newKey },
    { actor: 'ADMIN', actorId: adminId },
  );
  return { ok: true, newKey };
}

export async function recentRuns(deps: Deps, perJob = 5) {
  const rows = await deps.db.select().from(cronRuns).orderBy(desc(cronRuns.startedAt)).limit(500).all();
  const byJob = new Map<string, typeof rows>();
  for (const r of rows) {
    const list = byJob.get(r.job) ?? [];
    if (list.length < perJob) list.push(r);
    byJob.set(r.job, list);
  }
  return byJob;
}

export interface LogFilter {
  level?: (typeof LOG_LEVELS)[number];
  family?: LogFamily;
  type?: string;
  q?: string;
  from?: Date;
  to?: Date;
  page: number;
}

/** Every log type of a family (for the type filter). */
export const typesOf = (family: LogFamily) =>
  Object.entries(LOG_TYPES)
    .filter(([, fam]) => fam === family)
    .map(([t]) => t);

export async function logsPage(deps: Deps, f: LogFilter) {
  const typesOfFamily = f.family ? typesOf(f.family) : null;
  const where = and(
    f.level ? eq(logs.level, f.level) : undefined,
    typesOfFamily ? inArray(logs.type, typesOfFamily) : undefined,
    f.type ? eq(logs.type, f.type) : undefined,
    f.q ? contains(logs.message, f.q) : undefined,
    f.from ? gte(logs.createdAt, f.from) : undefined,
    f.to ? lte(logs.createdAt, f.to) : undefined,
  );
  const [rows, counted] = await Promise.all([
    deps.db
      .select()
      .from(logs)
      .where(where)
      .orderBy(desc(logs.createdAt))
      .limit(PAGE)
      .offset((f.page - 1) * PAGE)
      .all(),
    deps.db.select({ total: count() }).from(logs).where(where),
  ]);
  const { total } = one(counted, 'the logs count');
  return { rows, total };
}

export interface FamilyStats {
  family: LogFamily;
  total: number;
  errors: number;
  warnings: number;
  errorRate: number;
}

/** Per family since `since`: how many events, how many errors (ERROR + CRITICAL), the error rate. */
export async function logStats(deps: Deps, since: Date): Promise<FamilyStats[]> {
  const rows = await deps.db
    .select({ type: logs.type, level: logs.level, n: sql<number>`count(*)` })
    .from(logs)
    .where(gte(logs.createdAt, since))
    .groupBy(logs.type, logs.level)
    .all();
  const acc = new Map<LogFamily, FamilyStats>();
  for (const r of rows) {
    const family = (LOG_TYPES as Record<string, LogFamily>)[r.type] ?? 'SYSTEM';
    const s = acc.get(family) ?? { family, total: 0, errors: 0, warnings: 0, errorRate: 0 };
    s.total += r.n;
    if (r.level === 'ERROR' || r.level === 'CRITICAL') s.errors += r.n;
    if (r.level === 'WARNING') s.warnings += r.n;
    acc.set(family, s);
  }
  return [...acc.values()]
    .map((s) => ({ ...s, errorRate: s.total ? Math.round((s.errors / s.total) * 1000) / 10 : 0 }))
    .sort((a, b) => b.total - a.total);
}

export interface DayStats {
  day: string;
  families: Partial<Record<LogFamily, { total: number; errors: number }>>;
  total: number;
  errors: number;
}

/** Per UTC day since `since` (oldest first, every day present): events and errors of each family. */
export async function logStatsByDay(deps: Deps, since: Date, until: Date = deps.clock.now()): Promise<DayStats[]> {
  // Integer division by a literal (a bound number would be a REAL, and so would the day).
  const dayOf = sql<number>`${logs.createdAt} / ${sql.raw(String(DAY))}`;
  const rows = await deps.db
    .select({ day: dayOf, type: logs.type, level: logs.level, n: sql<number>`count(*)` })
    .from(logs)
    .where(and(gte(logs.createdAt, since), lte(logs.createdAt, until)))
    .groupBy(dayOf, logs.type, logs.level)
    .all();
  const days = new Map<number, DayStats>();
  for (let d = Math.floor(since.getTime() / DAY); d <= Math.floor(until.getTime() / DAY); d++) {
    days.set(d, { day: new Date(d * DAY).toISOString().slice(0, 10), families: {}, total: 0, errors: 0 });
  }
  for (const r of rows) {
    const day = days.get(Number(r.day));
    if (!day) continue;
    const family = (LOG_TYPES as Record<string, LogFamily>)[r.type] ?? 'SYSTEM';
    const f = day.families[family] ?? { total: 0, errors: 0 };
    const errors = r.level === 'ERROR' || r.level === 'CRITICAL' ? r.n : 0;
    f.total += r.n;
    f.errors += errors;
    day.families[family] = f;
    day.total += r.n;
    day.errors += errors;
  }
  return [...days.values()];
}

/** What an email retry changes, for its audit row: the email's state before, or undefined. */
export async function emailRetryState(deps: Pick<Deps, 'db'>, emailId: string) {
  return deps.db
    .select({ status: emailLog.status, attempts: emailLog.attempts, lastError: emailLog.lastError })
    .from(emailLog)
    .where(eq(emailLog.id, emailId))
    .get();
}
