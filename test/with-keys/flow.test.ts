/** The booking and payment flow with Stripe configured (real SDK → local fake Stripe → signed webhooks). */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { refunds } from '../../src/db/schema';
import { paymentLedgerSum } from '../../src/domain/ledger/ledger';
import { api, deps, bookingRow, paymentOf } from '../helpers';
import { book, fans, offerFor } from '../scenarios';
import { control, deliverWebhooks, stripeCreator } from './stripe';

describe('with Stripe configured', () => {
  it('books with a destination charge, confirms on the signed webhook, refunds a creator cancellation', async () => {
    expect(deps().payments.name).toBe('stripe');
    const c = await stripeCreator();
    const offer = await offerFor(c, { price: 5000 });
    const [fan] = await fans(1);
    const res = await book(offer.id, fan.token);
    expect(res.status).toBe(201);
    const { booking, payment } = (await res.json()) as {
      booking: { id: string };
      payment: { provider: string; intentId: string; clientSecret: string };
    };
    expect(payment.provider).toBe('stripe');
    expect(payment.clientSecret).toMatch(new RegExp(`^${payment.intentId}_secret_`));
    const intent = await deps().payments.retrieveIntent(payment.intentId);
    expect(intent).toMatchObject({
      amount: 5000,
      applicationFeeAmount: 750,
      destination: c.creator.stripeAccountId,
      metadata: { bookingId: booking.id },
    });

    await control(`confirm/${payment.intentId}`);
    // Other test files share the fake: only check that ours arrived.
    expect(await deliverWebhooks()).toEqual(expect.arrayContaining(['charge.succeeded', 'payment_intent.succeeded']));
    expect((await bookingRow(booking.id)).status).toBe('CONFIRMED');

    const cancel = await api('POST', `/api/bookings/${booking.id}/cancel`, { reason: 'Conflict' }, { token: c.token });
    expect(((await cancel.json()) as { refunded: number }).refunded).toBe(5000);
    await deliverWebhooks(); // charge.refunded + refund.created: recorded once already
    const p = await paymentOf(booking.id);
    expect(p).toMatchObject({ status: 'REFUNDED', refundedAmount: 5000 });
    expect(await deps().db.select().from(refunds).where(eq(refunds.paymentId, p.id)).all()).toHaveLength(1);
    expect(await paymentLedgerSum(deps(), p.id)).toBe(0);
  });

  it('a declined card releases the hold through payment_intent.payment_failed', async () => {
    const c = await stripeCreator();
    const offer = await offerFor(c);
    const [fan] = await fans(1);
    const { booking, payment } = (await (await book(offer.id, fan.token)).json()) as {
      booking: { id: string };
      payment: { intentId: string };
    };
    await control(`confirm/${payment.intentId}`, { outcome: 'decline' });
    expect(await deliverWebhooks()).toContain('payment_intent.payment_failed');
    expect((await bookingRow(booking.id)).status).toBe('FAILED');
    // The released hold's intent was canceled at Stripe, so it cannot succeed later.
    expect((await deps().payments.retrieveIntent(payment.intentId)).status).toBe('canceled');
  });
});
