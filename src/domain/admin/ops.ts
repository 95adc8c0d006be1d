/** Admin operations: the email log (filter, retry), job runs (run now), logs with per-family stats. */
import { and, count, desc, eq, gte, inArray, lte, sql } from 'drizzle-orm';
import { cronRuns, emailLog, EMAIL_STATUSES, LOG_LEVELS, logs } from '../../db/schema';
import type { Deps } from '../../deps';
import { LOG_TYPES, type LogFamily } from '../../lib/logger';
import { contains } from './filters';

export const PAGE = 50;

export async function emailLogPage(deps: Deps, f: { status?: (typeof EMAIL_STATUSES)[number]; to?: string; template?: string; page: number }) {
  const where = and(
    f.status ? eq(emailLog.status, f.status) : undefined,
    f.to ? contains(emailLog.to, f.to.toLowerCase()) : undefined,
    f.template ? eq(emailLog.template, f.template) : undefined,
  );
  const [rows, [{ total }]] = await Promise.all([
    deps.db.select().from(emailLog).where(where).orderBy(desc(emailLog.createdAt)).limit(PAGE).offset((f.page - 1) * PAGE).all(),
    deps.db.select({ total: count() }).from(emailLog).where(where),
  ]);
  return { rows, total };
}

/** Sends a failed or dead email again (same idempotency key: if it had actually gone, the provider will not send it twice). */
export async function retryEmail(deps: Deps, emailId: string, adminId: string): Promise<boolean> {
  const now = deps.clock.now();
  const [row] = await deps.db.update(emailLog).set({ status: 'PENDING', lastError: null, updatedAt: now })
    .where(and(eq(emailLog.id, emailId), inArray(emailLog.status, ['FAILED', 'DEAD']))).returning();
  if (!row) return false;
  await deps.queues.email.send({ emailId });
  await deps.log.info('EMAIL_RETRY', `${row.template} to ${row.to} re-queued by an admin`, { actor: 'ADMIN', actorId: adminId, context: { emailId } });
  return true;
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

export interface LogFilter { level?: (typeof LOG_LEVELS)[number]; family?: LogFamily; type?: string; q?: string; from?: Date; to?: Date; page: number }

export async function logsPage(deps: Deps, f: LogFilter) {
  const typesOfFamily = f.family ? Object.entries(LOG_TYPES).filter(([, fam]) => fam === f.family).map(([t]) => t) : null;
  const where = and(
    f.level ? eq(logs.level, f.level) : undefined,
    typesOfFamily ? inArray(logs.type, typesOfFamily) : undefined,
    f.type ? eq(logs.type, f.type) : undefined,
    f.q ? contains(logs.message, f.q) : undefined,
    f.from ? gte(logs.createdAt, f.from) : undefined,
    f.to ? lte(logs.createdAt, f.to) : undefined,
  );
  const [rows, [{ total }]] = await Promise.all([
    deps.db.select().from(logs).where(where).orderBy(desc(logs.createdAt)).limit(PAGE).offset((f.page - 1) * PAGE).all(),
    deps.db.select({ total: count() }).from(logs).where(where),
  ]);
  return { rows, total };
}

export interface FamilyStats { family: LogFamily; total: number; errors: number; warnings: number; errorRate: number }

/** Per family since `since`: how many events, how many errors (ERROR + CRITICAL), the error rate. */
export async function logStats(deps: Deps, since: Date): Promise<FamilyStats[]> {
  const rows = await deps.db.select({ type: logs.type, level: logs.level, n: sql<number>`count(*)` }).from(logs).where(gte(logs.createdAt, since)).groupBy(logs.type, logs.level).all();
  const acc = new Map<LogFamily, FamilyStats>();
  for (const r of rows) {
    const family = (LOG_TYPES as Record<string, LogFamily>)[r.type] ?? 'SYSTEM';
    const s = acc.get(family) ?? { family, total: 0, errors: 0, warnings: 0, errorRate: 0 };
    s.total += r.n;
    if (r.level === 'ERROR' || r.level === 'CRITICAL') s.errors += r.n;
    if (r.level === 'WARNING') s.warnings += r.n;
    acc.set(family, s);
  }
  return [...acc.values()].map((s) => ({ ...s, errorRate: s.total ? Math.round((s.errors / s.total) * 1000) / 10 : 0 })).sort((a, b) => b.total - a.total);
}
