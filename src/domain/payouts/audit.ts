/** Payout audit trail: every step of every payout, and every block/unblock. */
import { payoutAudit, type Currency } from '../../db/schema';
import type { Deps } from '../../deps';

export async function audit(deps: Deps, a: {
  payoutId?: string | null; creatorId: string; action: string; amount?: number | null; currency?: Currency | null; status?: string | null;
  actorUserId?: string | null; reason?: string | null; context?: Record<string, unknown>;
}): Promise<void> {
  await deps.db.insert(payoutAudit).values({
    id: deps.ids.next('pya'), payoutId: a.payoutId ?? null, creatorId: a.creatorId, action: a.action, amount: a.amount ?? null,
    currency: a.currency ?? null, status: a.status ?? null, actorUserId: a.actorUserId ?? null, reason: a.reason ?? null,
    context: a.context ?? null, createdAt: deps.clock.now(),
  });
}
