/**
 * Every 5 minutes: refunds the app owes and the provider has not taken yet are asked again, with
 * the same idempotency key (so never twice), backing off 5 min → 6 h between attempts; prepared
 * refunds whose cancellation happened (a crash in between) become owed, those whose cancellation did
 * not happen are voided.
 */
import { and, asc, eq, lte } from 'drizzle-orm';
import { owedRefunds } from '../../db/schema';
import type { Deps } from '../../deps';
import { attemptOwedRefund, settlePreparedRefunds } from './refunds';

const BATCH = 50;
/** A cancellation in progress finishes within seconds; a prepared refund older than this was orphaned. */
export const PREPARED_STALE_MS = 15 * 60_000;

export async function retryOwedRefunds(deps: Deps): Promise<Record<string, number>> {
  const { activated, voided } = await settlePreparedRefunds(deps, PREPARED_STALE_MS);
  const due = await deps.db
    .select()
    .from(owedRefunds)
    .where(and(eq(owedRefunds.status, 'OWED'), lte(owedRefunds.nextAttemptAt, deps.clock.now())))
    .orderBy(asc(owedRefunds.nextAttemptAt))
    .limit(BATCH)
    .all();
  const counts = { activated, voided, issued: 0, stillOwed: 0, failed: 0 };
  for (const owed of due) {
    const out = await attemptOwedRefund(deps, owed);
    if (out.status === 'ISSUED') counts.issued++;
    else if (out.status === 'OWED') counts.stillOwed++;
    else counts.failed++;
  }
  return counts;
}
