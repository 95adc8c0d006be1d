/**
 * Payout audit trail: every step of every payout (CREATED, APPROVED, HELD, SEND_RETRY, PROCESSING,
 * PAID, FAILED, CANCELED, REJECTED, CHECKED, STUCK, debt recovered or deducted) and of every
 * creator's payouts (SCHEDULED, ADVANCED, SKIPPED, SETTINGS, BLOCKED, UNBLOCKED), oldest first.
 */
import { asc, eq, sql } from 'drizzle-orm';
import { payoutAudit, type Currency } from '../../db/schema';
import type { Deps } from '../../deps';

export type PayoutAuditRow = typeof payoutAudit.$inferSelect;

/** Records one step of a payout (or of a creator's payouts) in the payout audit log. */
export async function recordPayoutStep(
  deps: Deps,
  a: {
    payoutId?: string | null;
    creatorId: string;
    action: string;
    amount?: number | null;
    currency?: Currency | null;
    status?: string | null;
    actorUserId?: string | null;
    reason?: string | null;
    context?: Record<string, unknown>;
  },
): Promise<void> {
  await deps.db.insert(payoutAudit).values({
    id: deps.ids.next('pya'),
    payoutId: a.payoutId ?? null,
    creatorId: a.creatorId,
    action: a.action,
    amount: a.amount ?? null,
    currency: a.currency ?? null,
    status: a.status ?? null,
    actorUserId: a.actorUserId ?? null,
    reason: a.reason ?? null,
    context: a.context ?? null,
    createdAt: deps.clock.now(),
  });
}

/** One payout's steps in the order they happened (insertion order breaks ties within a millisecond). */
export function payoutTimeline(deps: Pick<Deps, 'db'>, payoutId: string): Promise<PayoutAuditRow[]> {
  return deps.db
    .select()
    .from(payoutAudit)
    .where(eq(payoutAudit.payoutId, payoutId))
    .orderBy(asc(payoutAudit.createdAt), asc(sql`rowid`))
    .all();
}
