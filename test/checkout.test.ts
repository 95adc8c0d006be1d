/**
 * Paying for a hold: the hold is re-checked server-side before any charge (local checkout pay step,
 * POST /api/bookings/:id/payment/prepare before Stripe.js confirms), and a hold resumed after the
 * platform fee changed keeps the intent and the fee split it started with.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { prepareThenPay } from '../client/lib/checkout';
import { bookings, localStripeObjects, payments, platformSettings } from '../src/db/schema';
import { forgetSettings } from '../src/domain/settings';
import { api, bookingRow, createAccount, deps, expectError, getPage, postPage, offerRow, paymentOf } from './helpers';
import { book, fans, offerFor, onboardedCreator } from './scenarios';

async function held(price = 10_000) {
  const c = await onboardedCreator();
  const offer = await offerFor(c, { price });
  const [fan] = await fans(1);
  const out = (await (await book(offer.id, fan.token)).json()) as {
    booking: { id: string };
    payment: { intentId: string };
  };
  return { c, offer, fan, bookingId: out.booking.id, intentId: out.payment.intentId };
}
/** The hold ran out (its alarm has not fired yet). */
const expire = (bookingId: string) =>
  deps()
    .db.update(bookings)
    .set({ holdExpiresAt: new Date(Date.now() - 1000) })
    .where(eq(bookings.id, bookingId));
const intentStatus = async (id: string) =>
  (
    (await deps().db.select().from(localStripeObjects).where(eq(localStripeObjects.id, id)).get())!.data as {
      status: string;
    }
  ).status;
const setFee = async (bps: number) => {
  await deps().db.update(platformSettings).set({ platformFeeBps: bps }).where(eq(platformSettings.id, 1));
  forgetSettings();
};

describe('the hold is re-checked before the card is charged', () => {
  it('local checkout: an expired hold gets a clear page, is released, and nothing is charged', async () => {
    const h = await held();
    const pay = () =>
      postPage(
        `/checkout/local/${h.intentId}/pay?return=${encodeURIComponent(`/en/bookings/${h.bookingId}`)}`,
        h.fan.token,
        { outcome: 'succeed' },
      );
    await expire(h.bookingId);
    const res = await pay();
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(html).toContain('data-hold-refusal="HOLD_EXPIRED"');
    expect(html).toContain('This slot is no longer held for you');
    expect(html).toContain(`/en/offers/${h.offer.id}`);
    // Released as the alarm would have: the offer is free again, the intent can no longer be paid.
    expect((await bookingRow(h.bookingId)).status).toBe('EXPIRED');
    expect((await offerRow(h.offer.id)).status).toBe('AVAILABLE');
    expect(await intentStatus(h.intentId)).toBe('canceled');
    expect((await paymentOf(h.bookingId)).status).not.toBe('SUCCEEDED');
    // The card page itself says so too, and paying again is still refused.
    const page = await getPage(`/checkout/local/${h.intentId}?lang=fr`, h.fan.token);
    expect(page.status).toBe(409);
    expect(await page.text()).toContain('Ce créneau ne vous est plus réservé');
    expect((await pay()).status).toBe(409);
  });

  it('local checkout: a hold released by the fan is refused; a paid one says so instead of charging again', async () => {
    const released = await held();
    expect(
      (await api('POST', `/api/bookings/${released.bookingId}/cancel`, {}, { token: released.fan.token })).status,
    ).toBe(200);
    const res = await postPage(`/checkout/local/${released.intentId}/pay`, released.fan.token, { outcome: 'succeed' });
    expect(res.status).toBe(409);
    expect(await intentStatus(released.intentId)).toBe('canceled');

    const paid = await held();
    expect(
      (await postPage(`/checkout/local/${paid.intentId}/pay`, paid.fan.token, { outcome: 'succeed' })).status,
    ).toBe(303);
    expect((await bookingRow(paid.bookingId)).status).toBe('CONFIRMED');
    const again = await postPage(`/checkout/local/${paid.intentId}/pay`, paid.fan.token, { outcome: 'succeed' });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('data-hold-refusal="ALREADY_PAID"');
  });

  it('POST /api/bookings/:id/payment/prepare: 200 while held (its fan only), 409 HOLD_EXPIRED once gone, 409 ALREADY_PAID once paid', async () => {
    const h = await held();
    const prepare = (token: string) =>
      api('POST', `/api/bookings/${h.bookingId}/payment/prepare`, undefined, { token });
    const ok = await prepare(h.fan.token);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({
      ok: true,
      intentId: h.intentId,
      holdExpiresAt: (await bookingRow(h.bookingId)).holdExpiresAt!.toISOString(),
    });
    await expectError(await prepare(h.c.token), 404, 'NOT_FOUND');
    await expectError(await prepare((await createAccount('USER', { passwordHash: null })).token), 404, 'NOT_FOUND');
    await expire(h.bookingId);
    await expectError(await prepare(h.fan.token), 409, 'HOLD_EXPIRED');
    expect((await bookingRow(h.bookingId)).status).toBe('EXPIRED');

    const p = await held();
    await deps().localPayments!.checkout(p.intentId, 'succeed');
    await expectError(
      await api('POST', `/api/bookings/${p.bookingId}/payment/prepare`, undefined, { token: p.fan.token }),
      409,
      'ALREADY_PAID',
    );
  });

  it('the Stripe island asks the server first: confirmPayment is never called on a hold that is gone', async () => {
    const messages = { expired: 'gone', paid: 'paid', failed: 'try again' };
    const h = await held();
    let confirms = 0;
    const steps = (bookingId: string, token: string) => ({
      prepare: () => api('POST', `/api/bookings/${bookingId}/payment/prepare`, undefined, { token }),
      confirm: async () => {
        confirms++;
        return {};
      },
    });
    expect(await prepareThenPay(steps(h.bookingId, h.fan.token), messages)).toEqual({ ok: true });
    expect(confirms).toBe(1);
    await expire(h.bookingId);
    expect(await prepareThenPay(steps(h.bookingId, h.fan.token), messages)).toEqual({
      ok: false,
      final: true,
      code: 'HOLD_EXPIRED',
      message: 'gone',
    });
    expect(confirms).toBe(1);
    // A card error from Stripe.js leaves the form usable; a network failure before the check too.
    const k = await held();
    expect(
      await prepareThenPay(
        {
          ...steps(k.bookingId, k.fan.token),
          confirm: async () => ({ error: { message: 'Your card was declined.' } }),
        },
        messages,
      ),
    ).toEqual({ ok: false, final: false, code: 'card_error', message: 'Your card was declined.' });
    expect(
      await prepareThenPay(
        {
          prepare: () => Promise.reject(new TypeError('offline')),
          confirm: async () => {
            confirms++;
            return {};
          },
        },
        messages,
      ),
    ).toMatchObject({ ok: false, final: false });
    expect(confirms).toBe(1);
  });
});

describe('a bank debit through the local checkout (processing until the bank answers)', () => {
  it("pays by debit, shows the payment as processing with the bank's answers, never charges twice, and the bank's yes confirms the booking", async () => {
    const h = await held();
    const back = encodeURIComponent(`/en/bookings/${h.bookingId}`);
    const debit = await postPage(`/checkout/local/${h.intentId}/pay?return=${back}`, h.fan.token, {
      outcome: 'processing',
    });
    expect(debit.status).toBe(303);
    expect(debit.headers.get('location')).toBe(`/checkout/local/${h.intentId}?return=${back}`);
    expect(await intentStatus(h.intentId)).toBe('processing');
    const page = await getPage(`/checkout/local/${h.intentId}?return=${back}`, h.fan.token);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('data-intent-processing');
    expect(html).toContain(`/checkout/local/${h.intentId}/settle`);
    // Paying again is refused as paid; the hold's deadline passing meanwhile does not release it.
    await expectError(
      await api('POST', `/api/bookings/${h.bookingId}/payment/prepare`, undefined, { token: h.fan.token }),
      409,
      'ALREADY_PAID',
    );
    await expire(h.bookingId);
    await expectError(
      await api('POST', `/api/bookings/${h.bookingId}/payment/prepare`, undefined, { token: h.fan.token }),
      409,
      'ALREADY_PAID',
    );
    expect(await bookingRow(h.bookingId)).toMatchObject({ status: 'PENDING' });
    expect((await bookingRow(h.bookingId)).holdExpiresAt!.getTime()).toBeGreaterThan(Date.now());
    // Only the booking's fan answers for the simulated bank.
    const stranger = await createAccount('USER', { passwordHash: null });
    expect((await postPage(`/checkout/local/${h.intentId}/settle`, stranger.token, { ok: '1' })).status).toBe(404);
    expect(await intentStatus(h.intentId)).toBe('processing');
    const yes = await postPage(`/checkout/local/${h.intentId}/settle?return=${back}`, h.fan.token, { ok: '1' });
    expect(yes.headers.get('location')).toBe(`/en/bookings/${h.bookingId}`);
    expect((await bookingRow(h.bookingId)).status).toBe('CONFIRMED');
  });

  it("the bank's no releases the hold, nothing charged", async () => {
    const h = await held();
    await postPage(`/checkout/local/${h.intentId}/pay`, h.fan.token, { outcome: 'processing' });
    await postPage(`/checkout/local/${h.intentId}/settle`, h.fan.token, { ok: '0' });
    expect((await bookingRow(h.bookingId)).status).toBe('FAILED');
    expect((await offerRow(h.offer.id)).status).toBe('AVAILABLE');
    expect((await paymentOf(h.bookingId)).status).toBe('FAILED');
  });
});

describe('a hold keeps the fee split it started with', () => {
  it('coming back to pay after the platform fee changed hands back the same intent and split', async () => {
    await setFee(1500);
    const h = await held(10_000);
    await setFee(2000);
    try {
      const again = (await (await book(h.offer.id, h.fan.token)).json()) as {
        booking: { id: string };
        payment: { intentId: string; checkoutUrl: string };
      };
      expect(again.booking.id).toBe(h.bookingId);
      expect(again.payment.intentId).toBe(h.intentId);
      expect(again.payment.checkoutUrl).toContain(`/checkout/local/${h.intentId}`);
      expect((await getPage(`/en/bookings/${h.bookingId}/checkout`, h.fan.token)).status).toBe(200);
      await deps().localPayments!.checkout(h.intentId, 'succeed');
      expect(await paymentOf(h.bookingId)).toMatchObject({
        status: 'SUCCEEDED',
        platformFeeBps: 1500,
        platformFee: 1500,
        creatorShare: 8500,
      });
    } finally {
      await setFee(1500);
    }
  });

  it("a charge whose payment row never reached D1 is recorded with the intent's own fee, not today's", async () => {
    await setFee(1500);
    const h = await held(10_000);
    await deps().db.delete(payments).where(eq(payments.bookingId, h.bookingId));
    await setFee(3000);
    try {
      await deps().localPayments!.checkout(h.intentId, 'succeed');
      expect((await bookingRow(h.bookingId)).status).toBe('CONFIRMED');
      expect(await paymentOf(h.bookingId)).toMatchObject({
        status: 'SUCCEEDED',
        platformFeeBps: 1500,
        platformFee: 1500,
        creatorShare: 8500,
      });
    } finally {
      await setFee(1500);
    }
  });
});
