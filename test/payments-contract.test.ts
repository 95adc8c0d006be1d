/**
 * The payments port contract: the built-in provider and the Stripe adapter (real SDK, against the
 * local fake Stripe) pass the same tests.
 */
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { PaymentProviderError, type PaymentsPort } from '../src/providers/payments/port';
import { stripePayments } from '../src/providers/payments/stripe';
import { LOCAL_WEBHOOK_SECRET } from '../src/providers/payments/local';
import { FAKE_STRIPE } from './fake-credentials';
import { deps, testEnv } from './helpers';

interface Harness {
  port: PaymentsPort;
  secret: string;
  completeOnboarding(accountId: string): Promise<void>;
  /** `processing`: a bank debit (SEPA) waiting for the bank; `settle` gives the bank's answer. */
  pay(intentId: string, outcome?: 'succeed' | 'decline' | 'processing'): Promise<void>;
  settle(intentId: string, ok: boolean): Promise<void>;
}

const fake = (path: string, body: Record<string, string> = {}) =>
  fetch(`${testEnv.FAKES_URL}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body),
  }).then(async (r) => {
    if (!r.ok && r.status !== 204) throw new Error(`fake ${path}: ${r.status} ${await r.text()}`);
    return r.status === 204 ? null : r.json();
  });

const harnesses: Record<string, () => Harness> = {
  local: () => {
    const d = deps();
    return {
      port: d.payments,
      secret: LOCAL_WEBHOOK_SECRET,
      completeOnboarding: (id) => d.localPayments!.completeOnboarding(id),
      pay: async (id, o = 'succeed') => {
        await d.localPayments!.checkout(id, o);
      },
      settle: async (id, ok) => {
        await d.localPayments!.settleProcessing(id, ok);
      },
    };
  },
  stripe: () => ({
    port: stripePayments({
      secretKey: FAKE_STRIPE.secretKey,
      publishableKey: FAKE_STRIPE.publishableKey,
      webhookSecret: FAKE_STRIPE.webhookSecret,
      apiBase: testEnv.FAKES_URL,
    }),
    secret: FAKE_STRIPE.webhookSecret,
    completeOnboarding: async (id) => {
      await fake(`/__stripe/accounts/${id}/complete`);
    },
    pay: async (id, o = 'succeed') => {
      await fake(`/__stripe/confirm/${id}`, { outcome: o });
    },
    settle: async (id, ok) => {
      await fake(`/__stripe/confirm/${id}`, { outcome: ok ? 'succeed' : 'decline' });
    },
  }),
};

let n = 0;
const key = (tag: string) => `contract:${tag}:${Date.now()}:${++n}`;

for (const [name, make] of Object.entries(harnesses)) {
  describe(`payments port contract — ${name}`, () => {
    async function payableAccount(h: Harness) {
      const { accountId } = await h.port.createConnectedAccount({
        email: 'c@example.test',
        creatorId: 'crt_contract',
        currency: 'CHF',
        idempotencyKey: key('acct'),
      });
      await h.completeOnboarding(accountId);
      return accountId;
    }

    it('creates connected accounts idempotently, on manual payouts, onboarding flips them to enabled', async () => {
      const h = make();
      const k = key('acct');
      const a = await h.port.createConnectedAccount({
        email: 'c@example.test',
        creatorId: 'crt_contract',
        currency: 'GBP',
        idempotencyKey: k,
      });
      const again = await h.port.createConnectedAccount({
        email: 'c@example.test',
        creatorId: 'crt_contract',
        currency: 'GBP',
        idempotencyKey: k,
      });
      expect(again.accountId).toBe(a.accountId);
      expect(await h.port.retrieveAccount(a.accountId)).toMatchObject({
        chargesEnabled: false,
        payoutsEnabled: false,
        payoutInterval: 'manual',
      });
      const link = await h.port.createOnboardingLink({
        accountId: a.accountId,
        returnUrl: 'http://localhost/r',
        refreshUrl: 'http://localhost/f',
      });
      expect(link.url).toMatch(/^https?:\/\//);
      await h.completeOnboarding(a.accountId);
      expect(await h.port.retrieveAccount(a.accountId)).toMatchObject({
        chargesEnabled: true,
        payoutsEnabled: true,
        detailsSubmitted: true,
      });
    });

    it('refuses a destination charge to an account that cannot take charges (permanent error)', async () => {
      const h = make();
      const { accountId } = await h.port.createConnectedAccount({
        email: 'x@example.test',
        creatorId: 'crt_x',
        currency: 'EUR',
        idempotencyKey: key('acct'),
      });
      const e = await h.port
        .createIntent({
          amount: 1000,
          currency: 'EUR',
          applicationFeeAmount: 150,
          destinationAccount: accountId,
          description: 'd',
          metadata: {},
          idempotencyKey: key('pi'),
        })
        .catch((x: unknown) => x);
      expect(e).toBeInstanceOf(PaymentProviderError);
      expect((e as PaymentProviderError).retryable).toBe(false);
    });

    it('creates intents idempotently with fee, destination and metadata; pays, refunds, never over-refunds', async () => {
      const h = make();
      const acct = await payableAccount(h);
      const k = key('pi');
      const input = {
        amount: 4550,
        currency: 'CHF' as const,
        applicationFeeAmount: 683,
        destinationAccount: acct,
        description: 'A call',
        metadata: { bookingId: 'bkg_contract' },
        idempotencyKey: k,
      };
      const start = await h.port.createIntent(input);
      expect((await h.port.createIntent(input)).intentId).toBe(start.intentId);
      expect(await h.port.retrieveIntent(start.intentId)).toMatchObject({
        status: 'requires_payment_method',
        amount: 4550,
        currency: 'CHF',
        applicationFeeAmount: 683,
        destination: acct,
        metadata: { bookingId: 'bkg_contract' },
      });
      await h.pay(start.intentId);
      const paid = await h.port.retrieveIntent(start.intentId);
      expect(paid.status).toBe('succeeded');
      expect(paid.latestChargeId).toBeTruthy();
      expect(await h.port.transferOfCharge(paid.latestChargeId!)).toBeTruthy();
      const cancelPaid = await h.port.cancelIntent(start.intentId, key('cancel')).catch((x: unknown) => x);
      expect(cancelPaid).toBeInstanceOf(PaymentProviderError);
      const rk = key('re');
      const r = await h.port.refund({
        intentId: start.intentId,
        amount: 1000,
        reverseTransfer: true,
        refundApplicationFee: true,
        metadata: {},
        idempotencyKey: rk,
      });
      expect(r).toMatchObject({ amount: 1000, currency: 'CHF', status: 'succeeded', intentId: start.intentId });
      expect(
        (
          await h.port.refund({
            intentId: start.intentId,
            amount: 1000,
            reverseTransfer: true,
            refundApplicationFee: true,
            metadata: {},
            idempotencyKey: rk,
          })
        ).id,
      ).toBe(r.id);
      const over = await h.port
        .refund({
          intentId: start.intentId,
          amount: 4000,
          reverseTransfer: true,
          refundApplicationFee: true,
          metadata: {},
          idempotencyKey: key('re'),
        })
        .catch((x: unknown) => x);
      expect((over as PaymentProviderError).code).toBe('amount_too_large');
      expect((await h.port.listRefunds(start.intentId)).map((x) => x.amount)).toEqual([1000]);
    });

    it('cancels an unpaid intent; a declined card leaves it payable', async () => {
      const h = make();
      const acct = await payableAccount(h);
      const a = await h.port.createIntent({
        amount: 900,
        currency: 'CHF',
        applicationFeeAmount: 0,
        destinationAccount: acct,
        description: 'd',
        metadata: {},
        idempotencyKey: key('pi'),
      });
      expect((await h.port.cancelIntent(a.intentId, key('c'))).status).toBe('canceled');
      const b = await h.port.createIntent({
        amount: 900,
        currency: 'CHF',
        applicationFeeAmount: 0,
        destinationAccount: acct,
        description: 'd',
        metadata: {},
        idempotencyKey: key('pi'),
      });
      await h.pay(b.intentId, 'decline');
      expect(await h.port.retrieveIntent(b.intentId)).toMatchObject({
        status: 'requires_payment_method',
        lastError: 'Your card was declined.',
      });
    });

    it('a processing payment (bank debit) cannot be canceled, and ends as the bank answers', async () => {
      const h = make();
      const acct = await payableAccount(h);
      const start = () =>
        h.port.createIntent({
          amount: 900,
          currency: 'CHF',
          applicationFeeAmount: 100,
          destinationAccount: acct,
          description: 'd',
          metadata: {},
          idempotencyKey: key('pi'),
        });
      const a = await start();
      await h.pay(a.intentId, 'processing');
      expect((await h.port.retrieveIntent(a.intentId)).status).toBe('processing');
      const refused = await h.port.cancelIntent(a.intentId, key('c')).then(
        () => null,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(PaymentProviderError);
      expect(refused).toMatchObject({ code: 'payment_intent_unexpected_state', retryable: false });
      await h.settle(a.intentId, true);
      expect(await h.port.retrieveIntent(a.intentId)).toMatchObject({
        status: 'succeeded',
        latestChargeId: expect.any(String),
      });
      const b = await start();
      await h.pay(b.intentId, 'processing');
      await h.settle(b.intentId, false);
      expect((await h.port.retrieveIntent(b.intentId)).status).toBe('requires_payment_method');
    });

    it('pays out from a connected account and reverses transfers within limits', async () => {
      const h = make();
      const acct = await payableAccount(h);
      const i = await h.port.createIntent({
        amount: 1000,
        currency: 'CHF',
        applicationFeeAmount: 100,
        destinationAccount: acct,
        description: 'd',
        metadata: {},
        idempotencyKey: key('pi'),
      });
      await h.pay(i.intentId);
      // Like Stripe, a payout is paid from the account's balance (the 900 transferred): never more.
      const broke = await h.port
        .createPayout({
          accountId: acct,
          amount: 2000,
          currency: 'CHF',
          metadata: { payoutId: 'pyt_y' },
          idempotencyKey: key('po'),
        })
        .catch((x: unknown) => x);
      expect(broke).toBeInstanceOf(PaymentProviderError);
      const po = await h.port.createPayout({
        accountId: acct,
        amount: 500,
        currency: 'CHF',
        metadata: { payoutId: 'pyt_x' },
        idempotencyKey: key('po'),
      });
      expect(['pending', 'in_transit']).toContain(po.status);
      const tr = (await h.port.transferOfCharge((await h.port.retrieveIntent(i.intentId)).latestChargeId!))!;
      expect(
        (await h.port.reverseTransfer({ transferId: tr, amount: 300, metadata: {}, idempotencyKey: key('tr') }))
          .reversalId,
      ).toBeTruthy();
      const tooMuch = await h.port
        .reverseTransfer({ transferId: tr, amount: 900, metadata: {}, idempotencyKey: key('tr') })
        .catch((x: unknown) => x);
      expect(tooMuch).toBeInstanceOf(PaymentProviderError);
    });

    it('verifies webhook signatures and lists recent events', async () => {
      const h = make();
      const payload = JSON.stringify({
        id: 'evt_contract',
        object: 'event',
        type: 'ping',
        created: Math.floor(Date.now() / 1000),
        data: { object: { id: 'x' } },
      });
      const sig = await Stripe.webhooks.generateTestHeaderStringAsync({
        payload,
        secret: h.secret,
        cryptoProvider: Stripe.createSubtleCryptoProvider(),
      });
      expect((await h.port.verifyWebhook(payload, sig)).id).toBe('evt_contract');
      const flipped = sig.replace(/v1=(\w)/, (_m, ch: string) => `v1=${ch === '0' ? '1' : '0'}`);
      await expect(h.port.verifyWebhook(payload, flipped)).rejects.toBeInstanceOf(PaymentProviderError);
      const acct = await payableAccount(h);
      const i = await h.port.createIntent({
        amount: 700,
        currency: 'CHF',
        applicationFeeAmount: 70,
        destinationAccount: acct,
        description: 'd',
        metadata: {},
        idempotencyKey: key('pi'),
      });
      await h.pay(i.intentId);
      const events = await h.port.listEvents({ sinceSeconds: Math.floor(Date.now() / 1000) - 60 });
      expect(
        events.some(
          (e) => e.type === 'payment_intent.succeeded' && (e.data.object as { id: string }).id === i.intentId,
        ),
      ).toBe(true);
    });
  });
}

describe('Stripe adapter against the fake: transport behaviour', () => {
  const port = () =>
    stripePayments({
      secretKey: FAKE_STRIPE.secretKey,
      publishableKey: null,
      webhookSecret: FAKE_STRIPE.webhookSecret,
      apiBase: testEnv.FAKES_URL,
    });

  it('retries a 500 with the same Idempotency-Key, and reports 429 as retryable and 4xx as permanent', async () => {
    const p = port();
    await fake('/__stripe/fail-next', { status: '500', count: '1' });
    const before = (
      (await (await fetch(`${testEnv.FAKES_URL}/__state/stripe`)).json()) as { requests: { idempotencyKey?: string }[] }
    ).requests.length;
    const { accountId } = await p.createConnectedAccount({
      email: 'r@example.test',
      creatorId: 'crt_r',
      currency: 'EUR',
      idempotencyKey: `retry-key-1${Date.now()}`,
    });
    expect(accountId).toMatch(/^acct_/);
    const reqs = (
      (await (await fetch(`${testEnv.FAKES_URL}/__state/stripe`)).json()) as { requests: { idempotencyKey?: string }[] }
    ).requests.slice(before);
    expect(reqs).toHaveLength(2);
    expect(reqs[0].idempotencyKey).toBe(reqs[1].idempotencyKey);
    await fake('/__stripe/fail-next', { status: '429', count: '1' });
    const limited = await p.retrieveAccount(accountId).catch((x: unknown) => x);
    expect(limited).toMatchObject({ status: 429, retryable: true });
    const bad = await p.retrieveIntent('pi_doesnotexist').catch((x: unknown) => x);
    expect(bad).toMatchObject({ status: 404, retryable: false, code: 'resource_missing' });
  });

  it('is refused without a valid secret key', async () => {
    const p = stripePayments({
      secretKey: 'rk_live_wrong',
      publishableKey: null,
      webhookSecret: 'x',
      apiBase: testEnv.FAKES_URL,
    });
    await expect(p.retrieveAccount('acct_x')).rejects.toMatchObject({ status: 401, retryable: false });
  });
});
