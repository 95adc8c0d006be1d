/** Helpers for the Stripe-configured project: drive the fake Stripe and deliver its signed webhooks. */
import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { creators } from '../../src/db/schema';
import { api, createAccount, deps, fetchApp, testEnv } from '../helpers';
import { book, fans, offerFor, type CreatorScenario } from '../scenarios';

export const control = async (path: string, body: Record<string, string> = {}) => {
  const r = await fetch(`${testEnv.FAKES_URL}/__stripe/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body),
  });
  return r.status === 204 ? null : r.json();
};

/** Delivers what the fake Stripe queued as webhooks to the app, like Stripe would. */
export async function deliverWebhooks(): Promise<string[]> {
  const pending = (await control('deliveries')) as { payload: string; signature: string }[];
  for (const d of pending) {
    const res = await fetchApp('/api/webhooks/stripe', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': d.signature },
      body: d.payload,
    });
    expect(res.status).toBe(200);
  }
  return pending.map((d) => JSON.parse(d.payload).type);
}

export async function stripeCreator(): Promise<CreatorScenario> {
  const acc = await createAccount('CREATOR');
  const res = await api('POST', '/api/creators/me/onboarding', undefined, { token: acc.token });
  const { url, accountId } = (await res.json()) as { url: string; accountId: string };
  expect(url).toMatch(/^https:\/\/connect\.stripe\.test\//);
  // The embedded onboarding component gets an Account Session from our API.
  const session = (await (
    await api('POST', '/api/creators/me/onboarding/session', undefined, { token: acc.token })
  ).json()) as { clientSecret: string };
  expect(session.clientSecret).toMatch(/^accs_secret_/);
  await control(`accounts/${accountId}/complete`);
  expect(await deliverWebhooks()).toContain('account.updated');
  const creator = (await deps().db.select().from(creators).where(eq(creators.userId, acc.user.id)).get())!;
  expect(creator).toMatchObject({ stripeAccountId: accountId, chargesEnabled: true, payoutsEnabled: true });
  return { ...acc, creator };
}

/** A booking paid through Stripe (fake) and confirmed by its signed webhook. */
export async function stripePaidBooking(opts: { price?: number } = {}) {
  const c = await stripeCreator();
  const offer = await offerFor(c, { price: opts.price ?? 5000 });
  const [fan] = await fans(1);
  const { booking, payment } = (await (await book(offer.id, fan.token)).json()) as {
    booking: { id: string };
    payment: { intentId: string };
  };
  await control(`confirm/${payment.intentId}`);
  await deliverWebhooks();
  return { c, fan, offer, bookingId: booking.id, intentId: payment.intentId };
}
