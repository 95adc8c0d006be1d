/** The booking and payment flow with Stripe configured (real SDK → local fake Stripe → signed webhooks). */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { bookings, creators, payments, refunds } from '../../src/db/schema';
import { paymentLedgerSum } from '../../src/domain/ledger/ledger';
import { api, createAccount, deps, fetchApp, testEnv } from '../helpers';
import { book, fans, offerFor, type CreatorScenario } from '../scenarios';

const control = async (path: string, body: Record<string, string> = {}) => {
  const r = await fetch(`${testEnv.FAKES_URL}/__stripe/${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) });
  return r.status === 204 ? null : r.json();
};

/** Delivers what the fake Stripe queued as webhooks to the app, like Stripe would. */
async function deliverWebhooks(): Promise<string[]> {
  const pending = (await control('deliveries')) as { payload: string; signature: string }[];
  for (const d of pending) {
    const res = await fetchApp('/api/webhooks/stripe', { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': d.signature }, body: d.payload });
    expect(res.status).toBe(200);
  }
  return pending.map((d) => JSON.parse(d.payload).type);
}

async function stripeCreator(): Promise<CreatorScenario> {
  const acc = await createAccount('CREATOR');
  const res = await api('POST', '/api/creators/me/onboarding', undefined, { token: acc.token });
  const { url, accountId } = (await res.json()) as { url: string; accountId: string };
  expect(url).toMatch(/^https:\/\/connect\.stripe\.test\//);
  // The embedded onboarding component gets an Account Session from our API.
  const session = (await (await api('POST', '/api/creators/me/onboarding/session', undefined, { token: acc.token })).json()) as { clientSecret: string };
  expect(session.clientSecret).toMatch(/^accs_secret_/);
  await control(`accounts/${accountId}/complete`);
  expect(await deliverWebhooks()).toContain('account.updated');
  const creator = (await deps().db.select().from(creators).where(eq(creators.userId, acc.user.id)).get())!;
  expect(creator).toMatchObject({ stripeAccountId: accountId, chargesEnabled: true, payoutsEnabled: true });
  return { ...acc, creator };
}

describe('with Stripe configured', () => {
  it('books with a destination charge, confirms on the signed webhook, refunds a creator cancellation', async () => {
    expect(deps().payments.name).toBe('stripe');
    const c = await stripeCreator();
    const offer = await offerFor(c, { price: 5000 });
    const [fan] = await fans(1);
    const res = await book(offer.id, fan.token);
    expect(res.status).toBe(201);
    const { booking, payment } = (await res.json()) as { booking: { id: string }; payment: { provider: string; intentId: string; clientSecret: string } };
    expect(payment.provider).toBe('stripe');
    expect(payment.clientSecret).toMatch(new RegExp(`^${payment.intentId}_secret_`));
    const intent = await deps().payments.retrieveIntent(payment.intentId);
    expect(intent).toMatchObject({ amount: 5000, applicationFeeAmount: 750, destination: c.creator.stripeAccountId, metadata: { bookingId: booking.id } });

    await control(`confirm/${payment.intentId}`);
    // Other test files share the fake: only check that ours arrived.
    expect(await deliverWebhooks()).toEqual(expect.arrayContaining(['charge.succeeded', 'payment_intent.succeeded']));
    expect((await deps().db.select().from(bookings).where(eq(bookings.id, booking.id)).get())!.status).toBe('CONFIRMED');

    const cancel = await api('POST', `/api/bookings/${booking.id}/cancel`, { reason: 'Conflict' }, { token: c.token });
    expect(((await cancel.json()) as { refunded: number }).refunded).toBe(5000);
    await deliverWebhooks(); // charge.refunded + refund.created: recorded once already
    const p = (await deps().db.select().from(payments).where(eq(payments.bookingId, booking.id)).get())!;
    expect(p).toMatchObject({ status: 'REFUNDED', refundedAmount: 5000 });
    expect(await deps().db.select().from(refunds).where(eq(refunds.paymentId, p.id)).all()).toHaveLength(1);
    expect(await paymentLedgerSum(deps(), p.id)).toBe(0);
  });

  it('a declined card releases the hold through payment_intent.payment_failed', async () => {
    const c = await stripeCreator();
    const offer = await offerFor(c);
    const [fan] = await fans(1);
    const { booking, payment } = (await (await book(offer.id, fan.token)).json()) as { booking: { id: string }; payment: { intentId: string } };
    await control(`confirm/${payment.intentId}`, { outcome: 'decline' });
    expect(await deliverWebhooks()).toContain('payment_intent.payment_failed');
    expect((await deps().db.select().from(bookings).where(eq(bookings.id, booking.id)).get())!.status).toBe('FAILED');
    // The released hold's intent was canceled at Stripe, so it cannot succeed later.
    expect((await deps().payments.retrieveIntent(payment.intentId)).status).toBe('canceled');
  });
});
