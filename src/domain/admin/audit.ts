/**
 * The admin audit trail: every admin write records who did what to which entity, when, with the
 * state before and after and the reason given. One helper for every admin route (API and pages).
 */
import { and, count, desc, eq, inArray, or, type SQL } from 'drizzle-orm';
import { auditLog, users } from '../../db/schema';
import { one } from '../../db/one';
import type { Deps } from '../../deps';

export const AUDIT_ENTITIES = [
  'user',
  'creator',
  'booking',
  'payment',
  'refund',
  'payout',
  'dispute',
  'review',
  'email',
  'job',
  'platform_settings',
] as const;
export type AuditEntity = (typeof AUDIT_ENTITIES)[number];

export interface AuditInput {
  /** The admin who acted. */
  actor: string;
  /** What was done, UPPER_SNAKE (ROLE_CHANGE, PAYOUT_APPROVE, REVIEW_HIDE…). */
  action: string;
  entity: AuditEntity;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
  requestId?: string | null;
}

type AuditDeps = Pick<Deps, 'db' | 'ids' | 'clock'>;

function row(deps: AuditDeps, a: AuditInput): typeof auditLog.$inferInsert {
  return {
    id: deps.ids.next('aud'),
    actorUserId: a.actor,
    action: a.action,
    entity: a.entity,
    entityId: a.entityId ?? null,
    before: a.before ?? null,
    after: a.after ?? null,
    reason: a.reason ?? null,
    requestId: a.requestId ?? null,
    createdAt: deps.clock.now(),
  };
}

/** Records one admin write. */
export async function audit(deps: AuditDeps, a: AuditInput): Promise<void> {
  await deps.db.insert(auditLog).values(row(deps, a));
}

/** The same row as a statement, to commit with the write itself in one `db.batch`. */
export function auditStatement(deps: AuditDeps, a: AuditInput) {
  return deps.db.insert(auditLog).values(row(deps, a));
}

export const AUDIT_PAGE = 50;

export interface AuditFilter {
  entity?: AuditEntity;
  entityId?: string;
  actor?: string;
  action?: string;
  page: number;
}

/** The audit log, newest first, with the acting admin's name and email. */
export async function auditPage(deps: Pick<Deps, 'db'>, f: AuditFilter) {
  const where = and(
    f.entity ? eq(auditLog.entity, f.entity) : undefined,
    f.entityId ? eq(auditLog.entityId, f.entityId) : undefined,
    f.actor ? eq(auditLog.actorUserId, f.actor) : undefined,
    f.action ? eq(auditLog.action, f.action) : undefined,
  );
  const [rows, counted] = await Promise.all([
    deps.db
      .select({ a: auditLog, actorName: users.name, actorEmail: users.email })
      .from(auditLog)
      .leftJoin(users, eq(users.id, auditLog.actorUserId))
      .where(where)
      .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
      .limit(AUDIT_PAGE)
      .offset((f.page - 1) * AUDIT_PAGE)
      .all(),
    deps.db.select({ total: count() }).from(auditLog).where(where),
  ]);
  const { total } = one(counted, 'the audit count');
  return { rows, total };
}

/** Every audit row about any of these entities (a booking's timeline: the booking, its payment, review, disputes). */
export async function auditOf(deps: Pick<Deps, 'db'>, refs: { entity: AuditEntity; ids: string[] }[]) {
  const parts = refs
    .filter((r) => r.ids.length)
    .map((r) => and(eq(auditLog.entity, r.entity), inArray(auditLog.entityId, r.ids)) as SQL);
  if (!parts.length) return [];
  return deps.db
    .select({ a: auditLog, actorName: users.name })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorUserId))
    .where(or(...parts))
    .orderBy(desc(auditLog.createdAt))
    .limit(200)
    .all();
}

/** The latest changes to the platform settings, with who made them (the settings page's history). */
export function settingsHistory(deps: Pick<Deps, 'db'>, limit = 20) {
  return deps.db
    .select({ a: auditLog, name: users.name })
    .from(auditLog)
    .innerJoin(users, eq(users.id, auditLog.actorUserId))
    .where(eq(auditLog.entity, 'platform_settings'))
    .orderBy(desc(auditLog.createdAt))
    .limit(limit)
    .all();
}
