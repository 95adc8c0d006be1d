/** Scenario builders for the payout suites: earnings whose call took place, release clocks, provider balances. */
import { and, eq, inArray, sql } from 'drizzle-orm';
import {
  bookings,
  creators,
  emailLog,
  ledgerEntries,
  localStripeObjects,
  notifications,
  payoutAudit,
  payouts,
  payments,
} from '../src/db/schema';
import type { Deps } from '../src/deps';
import { fixedClock, MINUTE } from '../src/lib/clock';
import { deps } from './helpers';
import { book, fans, offerFor, type CreatorScenario } from './scenarios';

export const accountBalance = async (d: Deps, account: string, currency?: string) =>
  (await d.db
    .select({ s: sql<number>`coalesce(sum(${ledgerEntries.amount}), 0)` })
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.account, account), currency ? sql`${ledgerEntries.currency} = ${currency}` : undefined))
    .get())!.s;

/** The call of these bookings took place: the outcome job decided COMPLETED (what releases the share). */
export async function completeCalls(bookingIds: string[]) {
  if (!bookingIds.length) return;
  const now = new Date();
  await deps()
    .db.update(bookings)
    .set({ status: 'COMPLETED', outcome: 'COMPLETED', outcomeDecidedAt: now, outcomeAppliedAt: now })
    .where(inArray(bookings.id, bookingIds));
}

/**
 * `n` paid bookings for creator `c` (10,000 minor units each: share 8,500 at the default 15 % fee),
 * their calls completed unless `completed: false`.
 */
export async function earn(
  c: CreatorScenario,
  n = 1,
  price = 10_000,
  opts: { completed?: boolean; currency?: CreatorScenario['creator']['currency']; startsInMinutes?: number } = {},
) {
  const [fan] = await fans(1);
  const out: { bookingId: string; intentId: string }[] = [];
  for (let i = 0; i < n; i++) {
    const offer = await offerFor(c, {
      price,
      currency: opts.currency,
      startsInMinutes: opts.startsInMinutes === undefined ? undefined : opts.startsInMinutes + i * 90,
    });
    const r = (await (await book(offer.id, fan.token)).json()) as {
      booking: { id: string };
      payment: { intentId: string };
    };
    await deps().localPayments!.checkout(r.payment.intentId, 'succeed');
    out.push({ bookingId: r.booking.id, intentId: r.payment.intentId });
  }
  if (opts.completed !== false) await completeCalls(out.map((o) => o.bookingId));
  return out;
}

/** A clock just after all of `c`'s funds are past their release date. */
export async function afterRelease(c: CreatorScenario) {
  const [{ last }] = await deps()
    .db.select({ last: sql<number>`max(${payments.payoutReleaseAt})` })
    .from(payments)
    .where(eq(payments.creatorId, c.creator.id));
  return fixedClock(last + MINUTE);
}

export const creatorRow = async (id: string) =>
  (await deps().db.select().from(creators).where(eq(creators.id, id)).get())!;
export const payoutsOf = (creatorId: string) =>
  deps().db.select().from(payouts).where(eq(payouts.creatorId, creatorId)).orderBy(payouts.createdAt, sql`rowid`).all();
export const payoutRow = async (id: string) =>
  (await deps().db.select().from(payouts).where(eq(payouts.id, id)).get())!;
/** Due now for the job (schedule slot reached). */
export const makeDue = (creatorId: string, at: Date) =>
  deps().db.update(creators).set({ nextPayoutAt: at }).where(eq(creators.id, creatorId));
/** A payout's audit actions in the order they were written (tests move clocks back and forth). */
export const auditActions = async (payoutId: string) =>
  (
    await deps()
      .db.select({ a: payoutAudit.action })
      .from(payoutAudit)
      .where(eq(payoutAudit.payoutId, payoutId))
      .orderBy(sql`rowid`)
      .all()
  ).map((r) => r.a);
export const notificationsOf = (userId: string, type: string) =>
  deps()
    .db.select()
    .from(notifications)
    .where(and(eq(notifications.userId, userId), eq(notifications.type, type as never)))
    .all();
/** The payout emails queued for a user (their `kind`, in order). */
export async function payoutEmailKinds(userId: string): Promise<string[]> {
  const rows = await deps()
    .db.select()
    .from(emailLog)
    .where(and(eq(emailLog.userId, userId), eq(emailLog.template, 'payout_update')))
    .orderBy(emailLog.createdAt, sql`rowid`)
    .all();
  return rows.map((r) => String((r.payload as { data: { kind: string } }).data.kind));
}

/**
 * The connected account's balance as the built-in provider keeps it (its own objects, not our books):
 * transfers in, minus reversals and payouts that did not fail or get canceled.
 */
export async function providerBalance(accountId: string, currency = 'eur'): Promise<number> {
  const objs = (
    await deps()
      .db.select()
      .from(localStripeObjects)
      .where(inArray(localStripeObjects.type, ['transfer', 'payout']))
      .all()
  ).map((o) => ({ ...o, d: o.data as Record<string, unknown> }));
  const transfers = objs
    .filter((o) => o.type === 'transfer' && o.d.destination === accountId && o.d.currency === currency)
    .reduce((s, o) => s + (o.d.amount as number) - (o.d.amount_reversed as number), 0);
  const out = objs
    .filter(
      (o) =>
        o.type === 'payout' &&
        o.account === accountId &&
        o.d.currency === currency &&
        o.d.status !== 'failed' &&
        o.d.status !== 'canceled',
    )
    .reduce((s, o) => s + (o.d.amount as number), 0);
  return transfers - out;
}

/** How much of a payment's transfer the built-in provider has reversed. */
export async function transferReversed(d: Deps, intentId: string): Promise<number> {
  const p = (await d.db.select().from(payments).where(eq(payments.intentId, intentId)).get())!;
  const tr = await d.payments.retrieveTransfer((await d.payments.transferOfCharge(p.chargeId!))!);
  return tr.amountReversed;
}

/**
 * The books agree with the provider, per creator: the connected account holds exactly the creator's
 * balance in our ledger, plus what their debts still hold back (the platform has not taken it back
 * yet), plus the payouts opened but not at the provider yet.
 */
export async function booksVsProvider(d: Deps, creatorId: string, accountId: string, currency = 'EUR') {
  const { RECEIVABLE } = await import('../src/domain/payouts/debt');
  const ledger = await accountBalance(d, `creator:${creatorId}`, currency);
  const receivable = (await d.db.get<{ s: number }>(sql`select coalesce(sum(le.amount), 0) as s from ledger_entries le
    left join disputes dd on dd.id = le.dispute_id left join refunds rr on rr.id = le.refund_id
    join payments p on p.id = coalesce(dd.payment_id, rr.payment_id)
    where le.account = ${RECEIVABLE} and le.currency = ${currency} and p.creator_id = ${creatorId}`))!.s;
  const unsent = (await d.db.get<{
    s: number;
  }>(sql`select coalesce(sum(amount), 0) as s from payouts where creator_id = ${creatorId} and currency = ${currency}
    and status in ('REQUESTED', 'APPROVED') and stripe_payout_id is null`))!.s;
  return {
    provider: await providerBalance(accountId, currency.toLowerCase()),
    books: ledger + receivable + unsent,
    ledger,
    receivable,
    unsent,
  };
}
