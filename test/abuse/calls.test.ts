/**
 * Attacker stories against a call's outcome (issue 16, "calls"): a party floods the call's event
 * log before the start to push the other's presence out of what the outcome job reads, or shows up
 * for two seconds to turn the call into a paid one. Each story checks the refusal or the correct
 * outcome AND that no money moved wrongly: refunds, ledger entries, released balances, payout
 * eligibility.
 */
import { asc, eq, or } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { bookings, callEvents, ledgerEntries, payments, refunds } from '../../src/db/schema';
import { settleCallOutcomes } from '../../src/domain/calls/outcome';
import { creatorBalances } from '../../src/domain/ledger/ledger';
import { creatorEligibility } from '../../src/domain/payouts/engine';
import { creatorOf, deps } from '../helpers';
import { callAt, presence } from '../scenarios';

const MIN = 60_000;
const booking = async (id: string) => (await deps().db.select().from(bookings).where(eq(bookings.id, id)).get())!;
const paymentOf = async (bookingId: string) => (await deps().db.select().from(payments).where(eq(payments.bookingId, bookingId)).get())!;

/** What the money of one booking looks like: its refunds, its ledger, the creator's balances and eligibility once the holding period is over. */
async function money(s: Awaited<ReturnType<typeof callAt>>) {
  const pay = await paymentOf(s.bookingId);
  const later = new Date(pay.payoutReleaseAt!.getTime() + MIN);
  const creator = await creatorOf(s.c.user.id);
  return {
    payment: pay,
    refunds: await deps().db.select().from(refunds).where(eq(refunds.bookingId, s.bookingId)).orderBy(asc(refunds.id)).all(),
    ledger: await deps().db.select().from(ledgerEntries).where(or(eq(ledgerEntries.paymentId, pay.id), eq(ledgerEntries.creatorId, s.c.creator.id))).orderBy(asc(ledgerEntries.id)).all(),
    released: (await creatorBalances(deps(), s.c.creator.id, later)).find((b) => b.currency === pay.currency)!,
    eligibility: (await creatorEligibility(deps(), creator, later)).find((e) => e.currency === pay.currency)!,
  };
}

/** `n` trusted rows written for `who` at `at`, as an unbounded flood of joins / reconnections left them. */
async function flood(bookingId: string, who: { id: string; role: 'FAN' | 'CREATOR' }, n: number, at: Date, type: 'CALL_JOINED' | 'PARTICIPANT_JOINED' | 'PARTICIPANT_LEFT' = 'CALL_JOINED') {
  const d = deps();
  const rows = Array.from({ length: n }, () => d.db.insert(callEvents).values({
    id: d.ids.next('cev'), bookingId, type, source: 'SERVER', actorUserId: who.id, actorRole: who.role, metadata: { provider: 'p2p' }, occurredAt: at, createdAt: at,
  }));
  for (let i = 0; i < rows.length; i += 100) await d.db.batch(rows.slice(i, i + 100) as [typeof rows[number], ...typeof rows]);
}

describe('join floods before a call', () => {
  it("a fan's 1,200 joins before the start do not hide the creator's presence: the call completes, nobody is refunded", async () => {
    const s = await callAt(-40 * MIN);
    // The flood lands before everything else (the access window opens 15 minutes before the start).
    await flood(s.bookingId, { id: s.fan.user.id, role: 'FAN' }, 1200, new Date(s.startsAt.getTime() - 15 * MIN));
    await presence(s.bookingId, 'CREATOR', s.c.user.id, s.startsAt.getTime(), s.endsAt.getTime());
    await presence(s.bookingId, 'FAN', s.fan.user.id, s.startsAt.getTime() + MIN, s.endsAt.getTime());
    const before = await money(s);

    await settleCallOutcomes(deps());
    const b = await booking(s.bookingId);
    expect([b.outcome, b.status]).toEqual(['COMPLETED', 'COMPLETED']);
    const after = await money(s);
    // No refund, no new ledger entry; the creator's share is theirs after the holding period.
    expect(after.refunds).toEqual([]);
    expect(after.payment.refundedAmount).toBe(0);
    expect(after.ledger).toEqual(before.ledger);
    expect(after.released.available).toBe(before.payment.creatorShare);
    expect(after.eligibility).toMatchObject({ eligible: true, amount: before.payment.creatorShare });
  });

  it("the creator's 600 reconnections before the start do not hide the fan's presence: not a fan no-show (the creator is not paid for it)", async () => {
    const s = await callAt(-40 * MIN);
    // The creator opens and drops the socket 600 times as the window opens (1,200 trusted rows), then never comes back;
    // the fan waits through the whole call.
    const opens = new Date(s.startsAt.getTime() - 15 * MIN);
    await flood(s.bookingId, { id: s.c.user.id, role: 'CREATOR' }, 600, opens, 'PARTICIPANT_JOINED');
    await flood(s.bookingId, { id: s.c.user.id, role: 'CREATOR' }, 600, new Date(opens.getTime() + 1000), 'PARTICIPANT_LEFT');
    await presence(s.bookingId, 'FAN', s.fan.user.id, s.startsAt.getTime(), s.endsAt.getTime());
    const before = await money(s);

    await settleCallOutcomes(deps());
    // Both came, never together: held for an admin, not a fan no-show paid to the creator.
    expect((await booking(s.bookingId)).outcome).toBe('INTERRUPTED');
    const after = await money(s);
    expect(after.refunds).toEqual([]);
    expect(after.ledger).toEqual(before.ledger);
  });
});
