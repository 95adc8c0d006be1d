/**
 * Property: whatever happens — payments whose calls complete, are refunded as creator no-shows or are
 * not decided yet, partial refunds, disputes won / lost / open, reversals the provider refuses or
 * cannot do now, payouts failing, the bank returning paid payouts, cancellations, the job, creator
 * requests, admin triggers, approvals, rejections, blocking, switches between AUTOMATIC and APPROVAL
 * — a creator is never paid more than an independent model says they are owed and released, what
 * the platform is owed equals the debts not reconciled, and each connected account at the provider
 * holds exactly what the books say (never below zero).
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bookings, debtRecoveries, disputes, ledgerEntries, payments, payouts, refunds } from '../src/db/schema';
import { RECEIVABLE } from '../src/domain/payouts/debt';
import { approvePayout, openPayout, rejectPayout, setPayoutsBlocked } from '../src/domain/payouts/engine';
import { runPayouts } from '../src/domain/payouts/job';
import { getSettings, updateSettings } from '../src/domain/settings';
import { DAY, fixedClock } from '../src/lib/clock';
import { createAccount, deps } from './helpers';
import { booksVsProvider, completeCalls, creatorRow, earn, makeDue, payoutsOf } from './payout-helpers';
import { onboardedCreator } from './scenarios';

type Outcome = 'COMPLETED' | 'NO_SHOW' | 'UNDECIDED';
const step = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('pay' as const),
      price: fc.integer({ min: 500, max: 40_000 }),
      outcome: fc.constantFrom<Outcome>('COMPLETED', 'COMPLETED', 'COMPLETED', 'NO_SHOW', 'UNDECIDED'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('refund' as const), pick: fc.nat(), part: fc.integer({ min: 1, max: 100 }) }),
  },
  // `refused`: how many of the next transfer reversals the provider refuses (the disputed transfer's, at the loss and later).
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('dispute' as const),
      pick: fc.nat(),
      outcome: fc.constantFrom('won' as const, 'lost' as const, 'lost' as const, 'open' as const),
      refused: fc.constantFrom(0, 0, 2, 3),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('faultReversal' as const),
      count: fc.integer({ min: 1, max: 3 }),
      retryable: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('faultPayout' as const), retryable: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('run' as const) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('request' as const) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('trigger' as const) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('review' as const), approve: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('mode' as const) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('block' as const) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('settle' as const),
      outcome: fc.constantFrom(
        'paid' as const,
        'paid' as const,
        'failed' as const,
        'canceled' as const,
        'returned' as const,
      ),
    }),
  },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('time' as const), days: fc.integer({ min: 2, max: 15 }) }) },
);

type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;
/**
 * Sequences always run besides the random ones, so every path is reached whatever the seed: a bank
 * returning a paid payout, a cancellation, an approval in APPROVAL mode, and a lost dispute whose
 * own transfer cannot be reversed (deducted from the other released transfer before the payout).
 */
const EXAMPLES: Step[][] = [
  [
    { k: 'pay', price: 10_000, outcome: 'COMPLETED' },
    { k: 'pay', price: 12_000, outcome: 'COMPLETED' },
    { k: 'time', days: 10 },
    { k: 'request' },
    { k: 'settle', outcome: 'paid' },
    { k: 'settle', outcome: 'returned' },
    { k: 'request' },
    { k: 'settle', outcome: 'canceled' },
    { k: 'mode' },
    { k: 'request' },
    { k: 'review', approve: true },
    { k: 'settle', outcome: 'paid' },
    { k: 'pay', price: 8_000, outcome: 'COMPLETED' },
    { k: 'time', days: 9 },
    { k: 'run' },
    { k: 'review', approve: false },
  ],
  [
    { k: 'pay', price: 10_000, outcome: 'COMPLETED' },
    { k: 'pay', price: 10_000, outcome: 'COMPLETED' },
    { k: 'pay', price: 3_000, outcome: 'UNDECIDED' },
    { k: 'time', days: 10 },
    { k: 'dispute', pick: 0, outcome: 'lost', refused: 2 },
    { k: 'request' },
    { k: 'settle', outcome: 'paid' },
    { k: 'refund', pick: 1, part: 50 },
    { k: 'dispute', pick: 2, outcome: 'won', refused: 0 },
    { k: 'block' },
    { k: 'trigger' },
    { k: 'block' },
    { k: 'run' },
  ],
];
const RUNS = 40;
const isExample = (seq: Step[]) => EXAMPLES.some((e) => e === seq || JSON.stringify(e) === JSON.stringify(seq));

describe('property: payouts never exceed what the creator is owed, and books and provider agree', () => {
  it('random sequences of payments, refunds, disputes, failures and payout decisions', async () => {
    const admin = await createAccount('ADMIN');
    const zero = () => ({
      payouts: 0,
      paid: 0,
      failed: 0,
      returned: 0,
      canceled: 0,
      approved: 0,
      rejected: 0,
      modeSwitches: 0,
      refunds: 0,
      shortRefunds: 0,
      lost: 0,
      won: 0,
      ownReversals: 0,
      deductions: 0,
      refusedReversals: 0,
      blocked: 0,
    });
    // What the examples and the random sequences reached (all runs), and the random ones alone.
    const total = zero();
    const random = zero();
    let seen = total;
    let randomRuns = 0;
    const initialMode = (await getSettings(deps(), { fresh: true })).payoutMode;
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 14, maxLength: 30 }), async (seq) => {
          await updateSettings(deps(), admin.user.id, { payoutMode: 'AUTOMATIC' }, null);
          const fromExample = isExample(seq);
          if (!fromExample) randomRuns++;
          // Counted in a scratch record, added to the totals once the run passed.
          seen = zero();
          const c = await onboardedCreator();
          const clock = fixedClock(Date.now());
          const d = deps({ clock });
          const calls: { intentId: string; bookingId: string; outcome: Outcome }[] = [];
          const open = async () => await creatorRow(c.creator.id);
          const paymentOf = async (intentId: string) =>
            (await d.db.select().from(payments).where(eq(payments.intentId, intentId)).get())!;

          /** The model: what the creator is owed and released now, from the facts of each charge, refund and dispute. */
          async function owedAndReleased(): Promise<number> {
            let owed = 0;
            for (const call of calls) {
              const p = await paymentOf(call.intentId);
              const refunded = (await d.db
                .select({ s: sql<number>`coalesce(sum(${refunds.creatorDebt}), 0)` })
                .from(refunds)
                .where(and(eq(refunds.paymentId, p.id), inArray(refunds.status, ['PENDING', 'SUCCEEDED'])))
                .get())!.s;
              if (call.outcome === 'COMPLETED' && clock.now().getTime() >= p.payoutReleaseAt!.getTime())
                owed += p.creatorShare - refunded;
              const dsp = await d.db.select().from(disputes).where(eq(disputes.paymentId, p.id)).get();
              if (dsp && dsp.status !== 'WON') owed -= dsp.creatorDebt;
            }
            return owed;
          }

          for (const s of seq) {
            const before = (await payoutsOf(c.creator.id)).length;
            const pick = (n: number) => calls[n % calls.length];
            switch (s.k) {
              case 'pay': {
                // Calls an hour or more from now, one after the other (each creator's own calendar).
                const [r] = await earn(c, 1, s.price, { completed: false, startsInMinutes: 60 + 90 * calls.length });
                calls.push({ ...r, outcome: s.outcome });
                if (s.outcome === 'COMPLETED') await completeCalls([r.bookingId]);
                if (s.outcome === 'NO_SHOW') {
                  // What the outcome job does for a creator no-show: cancel and refund in full.
                  await d.db
                    .update(bookings)
                    .set({
                      status: 'CANCELLED',
                      outcome: 'CREATOR_NO_SHOW',
                      cancelledBy: 'SYSTEM',
                      outcomeDecidedAt: clock.now(),
                      outcomeAppliedAt: clock.now(),
                    })
                    .where(eq(bookings.id, r.bookingId));
                  await d.payments.refund({
                    intentId: r.intentId,
                    amount: s.price,
                    reverseTransfer: true,
                    refundApplicationFee: true,
                    metadata: { initiatedBy: 'SYSTEM', reason: 'CREATOR_NO_SHOW' },
                    idempotencyKey: `prop-noshow:${r.intentId}`,
                  });
                }
                break;
              }
              case 'refund': {
                if (!calls.length) break;
                const p = await paymentOf(pick(s.pick).intentId);
                const left = p.amount - p.refundedAmount;
                if (left > 0 && p.status !== 'DISPUTED') {
                  await d.payments.refund({
                    intentId: p.intentId,
                    amount: Math.max(1, Math.floor((left * s.part) / 100)),
                    reverseTransfer: true,
                    refundApplicationFee: true,
                    metadata: { initiatedBy: 'ADMIN', reason: 'ADMIN' },
                    idempotencyKey: `prop-refund:${p.id}:${left}`,
                  });
                }
                break;
              }
              case 'dispute': {
                if (!calls.length) break;
                const p = await paymentOf(pick(s.pick).intentId);
                if (
                  p.refundedAmount > 0 ||
                  (await d.db.select().from(disputes).where(eq(disputes.paymentId, p.id)).get())
                )
                  break;
                const id = await d.localPayments!.openDispute(p.chargeId!, 'fraudulent');
                if (s.outcome === 'lost' && s.refused)
                  await d.localPayments!.failNext('reverseTransfer', s.refused, false);
                if (s.outcome !== 'open') await d.localPayments!.updateDispute(id, s.outcome);
                break;
              }
              case 'faultReversal':
                await d.localPayments!.failNext('reverseTransfer', s.count, s.retryable);
                break;
              case 'faultPayout':
                await d.localPayments!.failNext('createPayout', 1, s.retryable);
                break;
              case 'run':
                await makeDue(c.creator.id, clock.now());
                await runPayouts(d, clock.now());
                break;
              case 'request':
                await openPayout(d, {
                  creator: await open(),
                  currency: 'EUR',
                  origin: 'CREATOR',
                  periodKey: `prop-req-${clock.now().getTime()}-${before}`,
                });
                break;
              case 'trigger':
                await openPayout(d, {
                  creator: await open(),
                  currency: 'EUR',
                  origin: 'ADMIN',
                  periodKey: `prop-adm-${clock.now().getTime()}-${before}`,
                  actorUserId: admin.user.id,
                });
                break;
              case 'review': {
                const waiting = (await payoutsOf(c.creator.id)).find((p) => p.status === 'REQUESTED');
                if (!waiting) break;
                if (s.approve) await approvePayout(d, waiting.id, admin.user);
                else await rejectPayout(d, waiting.id, admin.user, 'Not now');
                break;
              }
              case 'mode': {
                const mode = (await getSettings(d, { fresh: true })).payoutMode;
                await updateSettings(
                  d,
                  admin.user.id,
                  { payoutMode: mode === 'AUTOMATIC' ? 'APPROVAL' : 'AUTOMATIC' },
                  null,
                );
                seen.modeSwitches++;
                break;
              }
              case 'block': {
                const cr = await open();
                await setPayoutsBlocked(d, cr, admin.user.id, !cr.payoutsBlocked, cr.payoutsBlocked ? null : 'Review');
                if (!cr.payoutsBlocked) seen.blocked++;
                break;
              }
              case 'settle': {
                const all = await payoutsOf(c.creator.id);
                const target =
                  s.outcome === 'returned'
                    ? all.find((p) => p.status === 'PAID')
                    : all.find((p) => p.status === 'PROCESSING');
                if (target)
                  await d.localPayments!.settlePayout(
                    c.creator.stripeAccountId!,
                    target.stripePayoutId!,
                    s.outcome === 'returned' ? 'failed' : s.outcome,
                  );
                break;
              }
              case 'time':
                clock.advance(s.days * DAY);
                break;
            }

            // --- Invariants after every step.
            const all = await payoutsOf(c.creator.id);
            const paid = all
              .filter((p) => ['REQUESTED', 'APPROVED', 'PROCESSING', 'PAID'].includes(p.status))
              .reduce((sum, p) => sum + p.amount, 0);
            // A new payout is opened only if the creator is owed it, released: never more than the model allows.
            if (all.length > before && all.some((p) => !['REJECTED', 'FAILED', 'CANCELED'].includes(p.status)))
              expect(paid).toBeLessThanOrEqual(await owedAndReleased());
            // The provider never refused one of our payouts for lack of money.
            expect(all.filter((p) => /insufficient/i.test(p.failureReason ?? ''))).toEqual([]);
            // What the platform is owed, debt by debt = the debt not reconciled, minus what was recovered.
            const recovered = async (col: 'disputeId' | 'refundId', id: string) =>
              (await d.db
                .select({ s: sql<number>`coalesce(sum(${debtRecoveries.amount}), 0)` })
                .from(debtRecoveries)
                .where(and(eq(debtRecoveries[col], id), eq(debtRecoveries.status, 'SUCCEEDED')))
                .get())!.s;
            const receivable = async (col: 'disputeId' | 'refundId', id: string) =>
              (await d.db
                .select({ s: sql<number>`coalesce(sum(${ledgerEntries.amount}), 0)` })
                .from(ledgerEntries)
                .where(and(eq(ledgerEntries[col], id), eq(ledgerEntries.account, RECEIVABLE)))
                .get())!.s;
            for (const dsp of await d.db
              .select()
              .from(disputes)
              .innerJoin(payments, eq(payments.id, disputes.paymentId))
              .where(eq(payments.creatorId, c.creator.id))
              .all()
              .then((r) => r.map((x) => x.disputes))) {
              const owed =
                dsp.status === 'WON'
                  ? 0
                  : dsp.reconciledAt
                    ? 0
                    : dsp.creatorDebt - (await recovered('disputeId', dsp.id));
              expect(await receivable('disputeId', dsp.id)).toBe(owed);
            }
            for (const r of await d.db
              .select()
              .from(refunds)
              .innerJoin(payments, eq(payments.id, refunds.paymentId))
              .where(eq(payments.creatorId, c.creator.id))
              .all()
              .then((x) => x.map((y) => y.refunds))) {
              const owed = r.reconciledAt
                ? 0
                : r.creatorDebt - (r.transferReversed ?? r.creatorDebt) - (await recovered('refundId', r.id));
              expect(await receivable('refundId', r.id)).toBe(owed);
            }
            // At the provider: exactly what the books say, never below zero.
            const v = await booksVsProvider(d, c.creator.id, c.creator.stripeAccountId!);
            expect(v.provider).toBe(v.books);
            expect(v.provider).toBeGreaterThanOrEqual(0);
            // Every transaction balances.
            for (const row of await d.db
              .select({ s: sql<number>`sum(${ledgerEntries.amount})` })
              .from(ledgerEntries)
              .groupBy(ledgerEntries.txId)
              .having(sql`sum(${ledgerEntries.amount}) <> 0`)
              .all())
              expect(row.s).toBe(0);
          }

          // What this run exercised.
          const all = await payoutsOf(c.creator.id);
          seen.payouts += all.length;
          seen.paid += all.filter((p) => p.status === 'PAID').length;
          seen.failed += all.filter((p) => p.status === 'FAILED').length;
          seen.canceled += all.filter((p) => p.status === 'CANCELED').length;
          seen.rejected += all.filter((p) => p.status === 'REJECTED').length;
          seen.approved += all.filter((p) => p.approvedBy === admin.user.id && p.origin !== 'ADMIN').length;
          seen.returned += (
            await d.db
              .select({ id: payouts.id })
              .from(payouts)
              .where(
                and(
                  eq(payouts.creatorId, c.creator.id),
                  eq(payouts.status, 'FAILED'),
                  sql`${payouts.paidAt} is not null`,
                ),
              )
              .all()
          ).length;
          const rs = await d.db
            .select({ r: refunds })
            .from(refunds)
            .innerJoin(payments, eq(payments.id, refunds.paymentId))
            .where(eq(payments.creatorId, c.creator.id))
            .all();
          seen.refunds += rs.length;
          seen.shortRefunds += rs.filter(({ r }) => (r.transferReversed ?? r.creatorDebt) < r.creatorDebt).length;
          const ds = await d.db
            .select({ s: disputes.status })
            .from(disputes)
            .innerJoin(payments, eq(payments.id, disputes.paymentId))
            .where(eq(payments.creatorId, c.creator.id))
            .all();
          seen.lost += ds.filter((x) => x.s === 'LOST').length;
          seen.won += ds.filter((x) => x.s === 'WON').length;
          const rec = await d.db.select().from(debtRecoveries).where(eq(debtRecoveries.creatorId, c.creator.id)).all();
          seen.ownReversals += rec.filter((r) => r.method === 'TRANSFER_REVERSAL' && r.status === 'SUCCEEDED').length;
          seen.deductions += rec.filter((r) => r.method === 'PAYOUT_DEDUCTION' && r.status === 'SUCCEEDED').length;
          seen.refusedReversals += rec.filter((r) => r.status === 'FAILED').length;
          for (const k of Object.keys(seen) as (keyof typeof seen)[]) {
            total[k] += seen[k];
            if (!fromExample) random[k] += seen[k];
          }
        }),
        { numRuns: RUNS, examples: EXAMPLES.map((e) => [e] as [Step[]]) },
      );
    } finally {
      await updateSettings(deps(), admin.user.id, { payoutMode: initialMode }, null);
    }
    // The sampled sequences really reached every path (not a vacuous pass).
    console.log('property coverage', JSON.stringify({ total, random, randomRuns }));
    for (const k of [
      'payouts',
      'paid',
      'failed',
      'returned',
      'canceled',
      'approved',
      'rejected',
      'modeSwitches',
      'refunds',
      'lost',
      'won',
      'ownReversals',
      'deductions',
      'refusedReversals',
      'blocked',
    ] as const) {
      expect(total[k], k).toBeGreaterThan(0);
    }
    // The random sequences themselves are not vacuous: they open payouts, switch modes, refund, win and lose disputes, meet refusals, block.
    expect(randomRuns).toBe(RUNS - EXAMPLES.length); // fast-check counts the examples in numRuns
    for (const k of ['payouts', 'modeSwitches', 'refunds', 'lost', 'won', 'refusedReversals', 'blocked'] as const) {
      expect(random[k], `random ${k}`).toBeGreaterThan(0);
    }
  }, 600_000);
});
