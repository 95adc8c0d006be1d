/** The Stripe adapter verifies events from both endpoints (platform and Connect), each with its own secret. */
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { stripePayments } from '../src/providers/payments/stripe';

const crypto = Stripe.createSubtleCryptoProvider();
const payload = JSON.stringify({
  id: 'evt_1',
  object: 'event',
  type: 'account.updated',
  created: Math.floor(Date.now() / 1000),
  data: { object: {} },
});
const signed = (secret: string, timestamp?: number) =>
  Stripe.webhooks.generateTestHeaderStringAsync({ payload, secret, cryptoProvider: crypto, timestamp });

describe('Stripe webhook secrets', () => {
  const port = stripePayments({
    secretKey: 'sk_test_x',
    publishableKey: 'pk_test_x',
    webhookSecret: 'whsec_platform, whsec_connect',
  });

  it('accepts an event signed with either endpoint secret, refuses any other or a stale one', async () => {
    expect((await port.verifyWebhook(payload, await signed('whsec_platform'))).id).toBe('evt_1');
    expect((await port.verifyWebhook(payload, await signed('whsec_connect'))).id).toBe('evt_1');
    await expect(port.verifyWebhook(payload, await signed('whsec_other'))).rejects.toMatchObject({
      status: 400,
      code: 'signature_verification_failed',
    });
    await expect(
      port.verifyWebhook(payload, await signed('whsec_connect', Math.floor(Date.now() / 1000) - 3600)),
    ).rejects.toMatchObject({ code: 'signature_verification_failed' });
    await expect(
      port.verifyWebhook(payload.replace('evt_1', 'evt_2'), await signed('whsec_platform')),
    ).rejects.toMatchObject({ code: 'signature_verification_failed' });
  });
});
