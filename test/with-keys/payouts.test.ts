/**
 * Payouts with Stripe configured (real SDK → the strict fake Stripe): a payout is made on the
 * connected account (Stripe-Account) with the payout's own idempotency key; a payout.paid whose
 * webhook was lost is found by the reconciliation in the connected account's own event list (the
 * platform's list does not have it); a payout long in transit is asked about with payouts.retrieve
 * under Stripe-Account; a lost dispute's debt is taken back by a transfer reversal with the
 * recovery's own key.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { disputes } from '../../src/db/schema';
import { openPayout } from '../../src/domain/payouts/engine';
import { runPayouts, STUCK_AFTER_MS } from '../../src/domain/payouts/job';
import { reconcilePayments } from '../../src/domain/payments/reconciliation';
import { fixedClock, MINUTE } from '../../src/lib/clock';
import { FAKE_STRIPE } from '../fake-credentials';
import type { StripeRequestRecord } from '../fakes/stripe';
import { deps, testEnv, paymentOf } from '../helpers';
import { completeCalls, creatorRow, payoutRow } from '../payout-helpers';
import { control, deliverWebhooks, stripePaidBooking } from './stripe';

const requests = async () =>
  ((await (await fetch(`${testEnv.FAKES_URL}/__state/stripe`)).json()) as { requests: StripeRequestRecord[] }).requests;
const mark = async () => (await requests()).length;
const since = async (from: number) => (await requests()).slice(from);

/** A Stripe-paid booking whose call took place, and a clock just after its share is released. */
async function releasedBooking() {
  const s = await stripePaidBooking({ price: 5000 });
  await completeCalls([s.bookingId]);
  const p = await paymentOf(s.bookingId);
  return { ...s, payment: p, clock: fixedClock(p.payoutReleaseAt!.getTime() + MINUTE) };
}

async function openCreatorPayout(s: Awaited<ReturnType<typeof releasedBooking>>, key: string) {
  const r = await openPayout(deps({ clock: s.clock }), {
    creator: await creatorRow(s.c.creator.id),
    currency: 'EUR',
    origin: 'CREATOR',
    periodKey: key,
  });
  if (!r.ok) throw new Error(`payout not opened: ${r.code}`);
  return r.payout;
}

describe('payouts through Stripe', () => {
  it("made on the connected account; a lost payout.paid is found in that account's events by the reconciliation", async () => {
    const s = await releasedBooking();
    const before = await mark();
    const p = await openCreatorPayout(s, 'stripe-1');
    expect(p).toMatchObject({ amount: 4250, status: 'PROCESSING' });
    expect(p.stripePayoutId).toMatch(/^po_/);
    const create = (await since(before)).find((q) => q.method === 'POST' && q.path === '/v1/payouts');
    expect(create).toMatchObject({
      account: s.c.creator.stripeAccountId,
      idempotencyKey: `payout:${p.id}`,
      params: { amount: '4250', currency: 'eur' },
    });

    // The bank paid it, but the webhook never arrived.
    await control(`payouts/${p.stripePayoutId}/settle`, { outcome: 'paid', deliver: 'false' });
    expect(await deliverWebhooks()).toEqual([]);
    expect((await payoutRow(p.id)).status).toBe('PROCESSING');
    // The platform's own list does not have the connected account's payout.paid…
    const platform = (await (
      await fetch(`${testEnv.FAKES_URL}/v1/events?limit=100`, {
        headers: { authorization: `Bearer ${FAKE_STRIPE.secretKey}` },
      })
    ).json()) as { data: { type: string; data: { object: { id: string } } }[] };
    expect(platform.data.filter((e) => e.data.object.id === p.stripePayoutId)).toEqual([]);
    // …the reconciliation asks the account's own list (Stripe-Account) and settles it.
    const beforeRecon = await mark();
    const r = await reconcilePayments(deps());
    expect(r.recovered).toBeGreaterThanOrEqual(1);
    const lists = (await since(beforeRecon)).filter((q) => q.method === 'GET' && q.path === '/v1/events');
    expect(lists.some((q) => q.account === s.c.creator.stripeAccountId)).toBe(true);
    expect(lists.some((q) => q.account === undefined)).toBe(true);
    expect((await payoutRow(p.id)).status).toBe('PAID');
  });

  it('a payout in transit for too long is retrieved under Stripe-Account and settled from the answer', async () => {
    const s = await releasedBooking();
    const p = await openCreatorPayout(s, 'stripe-2');
    await control(`payouts/${p.stripePayoutId}/settle`, { outcome: 'failed', deliver: 'false' });
    const before = await mark();
    const tick = new Date(p.updatedAt.getTime() + STUCK_AFTER_MS + MINUTE);
    const counts = await runPayouts(deps({ clock: fixedClock(tick.getTime()) }), tick);
    expect(counts.settled).toBeGreaterThanOrEqual(1);
    const get = (await since(before)).find((q) => q.method === 'GET' && q.path === `/v1/payouts/${p.stripePayoutId}`);
    expect(get?.account).toBe(s.c.creator.stripeAccountId);
    expect(await payoutRow(p.id)).toMatchObject({
      status: 'FAILED',
      failureReason: 'The bank account has been closed.',
    });
  });

  it("a lost dispute's debt is taken back by reversing the charge's transfer, with the recovery's own key", async () => {
    const s = await releasedBooking();
    const dispute = (await control('disputes', { charge: s.payment.chargeId! })) as { id: string };
    await deliverWebhooks();
    const before = await mark();
    await control(`disputes/${dispute.id}/close`, { status: 'lost' });
    await deliverWebhooks();
    const row = (await deps().db.select().from(disputes).where(eq(disputes.stripeDisputeId, dispute.id)).get())!;
    expect(row).toMatchObject({ status: 'LOST', reconciledBy: 'TRANSFER_REVERSAL' });
    const reversal = (await since(before)).find(
      (q) => q.method === 'POST' && /^\/v1\/transfers\/tr_\w+\/reversals$/.test(q.path),
    );
    expect(reversal).toMatchObject({ idempotencyKey: `debt:dispute:${row.id}:1`, params: { amount: '4250' } });
    expect(reversal?.account).toBeUndefined(); // the transfer is the platform's object
  });
});
