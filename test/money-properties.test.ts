import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CURRENCIES, ledgerEntries, localStripeObjects, platformSettings, type Currency } from '../src/db/schema';
import { chargeEntries, creatorAccount, refundEntries } from '../src/domain/ledger/ledger';
import { decideRefund, splitRefund } from '../src/domain/payments/refund-policy';
import { CARD_MINIMUM, MAX_PRICE, splitFee } from '../src/shared/money';
import { deps } from './helpers';
import { book, fans, offerFor, onboardedCreator, type CreatorScenario } from './scenarios';
import { forgetSettings } from '../src/domain/settings';
import { payments } from '../src/db/schema';
import { eq } from 'drizzle-orm';
import { paymentLedgerSum } from '../src/domain/ledger/ledger';
import { issueRefund, refundable } from '../src/domain/payments/refunds';

const currency = fc.constantFrom(...CURRENCIES);
const bps = fc.integer({ min: 0, max: 10_000 });

describe('fee math (property-based)', () => {
  it('platform fee + creator share = amount, both non-negative integers', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_PRICE }), bps, (amount, b) => {
        const { platformFee, creatorShare } = splitFee(amount, b);
        return (
          Number.isInteger(platformFee) &&
          Number.isInteger(creatorShare) &&
          platformFee >= 0 &&
          creatorShare >= 0 &&
          platformFee + creatorShare === amount
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('a charge followed by any refunds keeps the books at zero and never refunds more than the charge', () => {
    fc.assert(
      fc.property(
        currency,
        fc.integer({ min: 0, max: MAX_PRICE }),
        bps,
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant('ADMIN' as const), amount: fc.integer({ min: 0, max: 2 * MAX_PRICE }) }),
            fc.record({
              kind: fc.constant('FAN' as const),
              hoursBefore: fc.integer({ min: 0, max: 100 }),
              policy: fc.constantFrom('NONE' as const, 'HALF' as const, 'FULL' as const),
            }),
            fc.record({ kind: fc.constant('CREATOR' as const) }),
          ),
          { maxLength: 6 },
        ),
        (cur, base, b, steps) => {
          const amount = Math.max(base, CARD_MINIMUM[cur]);
          const { platformFee, creatorShare } = splitFee(amount, b);
          const p = { amount, platformFee, creatorShare, creatorId: 'crt_x', payoutReleaseAt: new Date(0) };
          const entries = [...chargeEntries(p)];
          let refunded = 0;
          const now = new Date('2026-01-01T00:00:00Z');
          for (const s of steps) {
            const left = amount - refunded;
            const d =
              s.kind === 'ADMIN'
                ? decideRefund({ kind: 'ADMIN', amount: s.amount }, left)
                : s.kind === 'CREATOR'
                  ? decideRefund({ kind: 'CREATOR_CANCELLED' }, left)
                  : decideRefund(
                      {
                        kind: 'FAN_CANCELLED',
                        startsAt: new Date(now.getTime() + s.hoursBefore * 3_600_000),
                        now,
                        policy: s.policy,
                      },
                      left,
                    );
            if (d.amount < 0 || d.amount > left) return false;
            const split = splitRefund(d.amount, p, refunded);
            if (split.feeRefund < 0 || split.shareReversal < 0 || split.feeRefund + split.shareReversal !== d.amount)
              return false;
            entries.push(...refundEntries(p, d.amount, split));
            refunded += d.amount;
          }
          const sum = entries.reduce((s2, e) => s2 + e.amount, 0);
          const fees = entries.filter((e) => e.account === 'platform:fees').reduce((s2, e) => s2 + e.amount, 0);
          const share = entries.filter((e) => e.account === 'creator:crt_x').reduce((s2, e) => s2 + e.amount, 0);
          // Pro-rata fee refunds round down: what the platform keeps never goes negative.
          const full = refunded === amount;
          return (
            sum === 0 &&
            refunded <= amount &&
            fees >= 0 &&
            share >= 0 &&
            fees + share === amount - refunded &&
            (!full || (fees === 0 && share === 0))
          );
        },
      ),
      { numRuns: 1500 },
    );
  });
});

describe('payments and refunds on the real provider and D1 (property-based)', () => {
  it('any fee, currency, price and refund sequence: the charge keeps the fee of its hold, the books balance, refunds never exceed the charge', async () => {
    const d = deps();
    const byCurrency = new Map<Currency, CreatorScenario>();
    let n = 0;
    let refundedSome = 0;
    await fc.assert(
      fc.asyncProperty(
        currency,
        bps,
        fc.integer({ min: 0, max: 500_000 }),
        fc.array(fc.integer({ min: 1, max: 600_000 }), { minLength: 1, maxLength: 4 }),
        async (cur, feeBps, base, asked) => {
          const price = Math.max(base, CARD_MINIMUM[cur]);
          const i = n++;
          // The platform fee of this run, then a booking held under it.
          await d.db.update(platformSettings).set({ platformFeeBps: feeBps }).where(eq(platformSettings.id, 1));
          forgetSettings();
          if (!byCurrency.has(cur)) byCurrency.set(cur, await onboardedCreator(cur));
          const c = byCurrency.get(cur)!;
          const offer = await offerFor(c, { price, currency: cur, startsInMinutes: 3 * 24 * 60 + i * 120 });
          const [fan] = await fans(1);
          const { payment: pay } = (await (await book(offer.id, fan.token)).json()) as {
            payment: { intentId: string };
          };
          // The fee changes while the fan pays: the charge keeps the split its hold was created with.
          await d.db
            .update(platformSettings)
            .set({ platformFeeBps: (feeBps + 700) % 10_001 })
            .where(eq(platformSettings.id, 1));
          forgetSettings();
          await d.localPayments!.checkout(pay.intentId, 'succeed');
          const split = splitFee(price, feeBps);
          const charged = (await d.db.select().from(payments).where(eq(payments.intentId, pay.intentId)).get())!;
          expect(charged).toMatchObject({
            status: 'SUCCEEDED',
            amount: price,
            currency: cur,
            platformFeeBps: feeBps,
            ...split,
          });
          expect((await d.payments.retrieveIntent(pay.intentId)).applicationFeeAmount).toBe(split.platformFee);
          let model = 0;
          for (const [j, r] of asked.entries()) {
            const p = (await d.db.select().from(payments).where(eq(payments.intentId, pay.intentId)).get())!;
            await issueRefund(d, p, decideRefund({ kind: 'ADMIN', amount: r }, refundable(p)), {
              initiatedBy: 'ADMIN',
              key: `prop:${pay.intentId}:${j}`,
              kind: 'ADMIN',
            });
            model = Math.min(price, model + r);
          }
          if (model > 0) refundedSome++;
          const p = (await d.db.select().from(payments).where(eq(payments.intentId, pay.intentId)).get())!;
          expect(p.refundedAmount).toBe(model);
          expect(p.status).toBe(model === price ? 'REFUNDED' : 'PARTIALLY_REFUNDED');
          // The provider's charge agrees with our total.
          const charge = (await d.db
            .select()
            .from(localStripeObjects)
            .where(eq(localStripeObjects.id, p.chargeId!))
            .get())!.data as { amount_refunded: number };
          expect(charge.amount_refunded).toBe(model);
          // Per payment: the books balance, and fee + share left are exactly what was not refunded.
          const entries = await d.db.select().from(ledgerEntries).where(eq(ledgerEntries.paymentId, p.id)).all();
          const sum = (pred: (e: (typeof entries)[number]) => boolean) =>
            entries.filter(pred).reduce((s, e) => s + e.amount, 0);
          expect(sum(() => true)).toBe(0);
          expect(sum((e) => e.account === 'fan')).toBe(model - price);
          const fees = sum((e) => e.account === 'platform:fees');
          const share = sum((e) => e.account === creatorAccount(c.creator.id));
          expect(fees).toBeGreaterThanOrEqual(0);
          expect(fees + share).toBe(price - model);
          if (model === price) expect([fees, share]).toEqual([0, 0]);
          expect(await paymentLedgerSum(d, p.id)).toBe(0);
        },
      ),
      { numRuns: 20 },
    );
    // Not vacuous: every run refunded something, in several currencies.
    expect(refundedSome).toBe(n);
    expect(byCurrency.size).toBeGreaterThan(1);
    await d.db.update(platformSettings).set({ platformFeeBps: 1500 }).where(eq(platformSettings.id, 1));
    forgetSettings();
  });
});
