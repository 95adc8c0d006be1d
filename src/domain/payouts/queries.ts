/** Named reads of a creator's own payouts. */
import { and, desc, eq } from 'drizzle-orm';
import { payouts } from '../../db/schema';
import type { Deps } from '../../deps';
import type { Payout } from './engine';

/** A creator's latest payouts, newest first. */
export async function creatorPayouts(deps: Pick<Deps, 'db'>, creatorId: string, limit = 100): Promise<Payout[]> {
  return deps.db
    .select()
    .from(payouts)
    .where(eq(payouts.creatorId, creatorId))
    .orderBy(desc(payouts.createdAt))
    .limit(limit)
    .all();
}

/** One of a creator's own payouts: another creator's is null, like a missing one. */
export async function creatorPayout(deps: Pick<Deps, 'db'>, creatorId: string, id: string): Promise<Payout | null> {
  return (
    (await deps.db
      .select()
      .from(payouts)
      .where(and(eq(payouts.id, id), eq(payouts.creatorId, creatorId)))
      .get()) ?? null
  );
}
