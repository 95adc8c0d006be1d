/**
 * Admin — what the payouts page reads: requests waiting for approval, payouts by status, the
 * creators who can be paid, the due debts, and one payout with its steps and who took them.
 */
import { asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { creators, type PAYOUT_STATUSES, payouts, users, type Creator } from '../../db/schema';
import type { Deps } from '../../deps';
import { creatorById } from '../creators/queries';
import { payoutTimeline } from '../payouts/audit';
import { RECEIVABLE } from '../payouts/debt';
import { deductionsOf } from '../payouts/engine';

/** The payouts page: pending requests, the latest payouts (of one status), payable creators and due debts. */
export async function payoutsOverview(deps: Deps, status: (typeof PAYOUT_STATUSES)[number] | null) {
  const [pending, all, creatorRows, debts] = await Promise.all([
    deps.db
      .select({ p: payouts, name: creators.displayName })
      .from(payouts)
      .innerJoin(creators, eq(creators.id, payouts.creatorId))
      .where(eq(payouts.status, 'REQUESTED'))
      .orderBy(asc(payouts.createdAt))
      .all(),
    deps.db
      .select({ p: payouts, name: creators.displayName })
      .from(payouts)
      .innerJoin(creators, eq(creators.id, payouts.creatorId))
      .where(status ? inArray(payouts.status, [status]) : undefined)
      .orderBy(desc(payouts.createdAt))
      .limit(200)
      .all(),
    deps.db
      .select()
      .from(creators)
      .where(eq(creators.chargesEnabled, true))
      .orderBy(asc(creators.displayName))
      .limit(200)
      .all(),
    // Due debts: lost disputes and refunds whose transfer reversal fell short, with what is still owed.
    deps.db.all<{
      kind: 'dispute' | 'refund';
      id: string;
      currency: Creator['currency'];
      name: string;
      owed: number;
      pending: number;
      recovered: number;
    }>(sql`
      select 'dispute' as kind, d.id, d.currency, c.display_name as name,
        (select coalesce(sum(amount), 0) from ledger_entries where account = ${RECEIVABLE} and dispute_id = d.id) as owed,
        (select coalesce(sum(amount), 0) from debt_recoveries where dispute_id = d.id and status = 'PENDING') as pending,
        (select coalesce(sum(amount), 0) from debt_recoveries where dispute_id = d.id and status = 'SUCCEEDED') as recovered
      from disputes d join payments p on p.id = d.payment_id join creators c on c.id = p.creator_id
      where d.status = 'LOST' and d.reconciled_at is null and owed > 0
      union all
      select 'refund' as kind, r.id, r.currency, c.display_name as name,
        (select coalesce(sum(amount), 0) from ledger_entries where account = ${RECEIVABLE} and refund_id = r.id) as owed,
        (select coalesce(sum(amount), 0) from debt_recoveries where refund_id = r.id and status = 'PENDING') as pending,
        (select coalesce(sum(amount), 0) from debt_recoveries where refund_id = r.id and status = 'SUCCEEDED') as recovered
      from refunds r join payments p on p.id = r.payment_id join creators c on c.id = p.creator_id
      where r.reconciled_at is null and owed > 0
      limit 200`),
  ]);
  return { pending, all, creatorRows, debts };
}

/** One payout with its creator's name, its steps, its deductions and the names of those who acted. */
export async function payoutDetail(deps: Deps, payoutId: string) {
  const row = await deps.db
    .select({ p: payouts, name: creators.displayName })
    .from(payouts)
    .innerJoin(creators, eq(creators.id, payouts.creatorId))
    .where(eq(payouts.id, payoutId))
    .get();
  if (!row) return null;
  const [steps, deductions] = await Promise.all([payoutTimeline(deps, row.p.id), deductionsOf(deps, row.p.id)]);
  const actorIds = [...new Set(steps.map((s) => s.actorUserId).filter((x): x is string => !!x))];
  const actors = new Map(
    (actorIds.length
      ? await deps.db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, actorIds)).all()
      : []
    ).map((u) => [u.id, u.name]),
  );
  return { ...row, steps, deductions, actors };
}

/** A payout and its creator (the built-in bank's simulation needs both), or missing parts. */
export async function payoutAndCreator(deps: Pick<Deps, 'db'>, payoutId: string) {
  const p = await deps.db.select().from(payouts).where(eq(payouts.id, payoutId)).get();
  const cr = p ? await creatorById(deps, p.creatorId) : null;
  return { p, cr };
}

/** One payout by id, or undefined. */
export async function payoutRow(deps: Pick<Deps, 'db'>, payoutId: string) {
  return deps.db.select().from(payouts).where(eq(payouts.id, payoutId)).get();
}
