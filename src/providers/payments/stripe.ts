/**
 * Stripe adapter (when STRIPE_SECRET_KEY is set): the real SDK over fetch + SubtleCrypto.
 * Destination charges with an application fee; connected accounts on manual payouts.
 * STRIPE_API_BASE points the SDK at another host (the tests' local fake).
 */
import Stripe from 'stripe';
import type { Currency } from '../../db/schema';
import {
  PaymentProviderError,
  type AccountInfo,
  type DisputeInfo,
  type IntentInfo,
  type PaymentEvent,
  type PaymentsPort,
  type PayoutInfo,
  type RefundInfo,
  type TransferInfo,
} from './port';

export interface StripeConfig {
  secretKey: string;
  publishableKey: string | null;
  webhookSecret: string;
  apiBase?: string;
}

const cryptoProvider = Stripe.createSubtleCryptoProvider();
const uc = (c: string) => c.toUpperCase() as Currency;

function client(cfg: StripeConfig): Stripe {
  const base = cfg.apiBase ? new URL(cfg.apiBase) : null;
  return new Stripe(cfg.secretKey, {
    httpClient: Stripe.createFetchHttpClient(),
    maxNetworkRetries: 2,
    timeout: 20_000,
    ...(base
      ? {
          host: base.hostname,
          port: base.port || (base.protocol === 'https:' ? 443 : 80),
          protocol: base.protocol.replace(':', '') as 'http' | 'https',
        }
      : {}),
  });
}

/** Stripe errors → provider errors the domain understands (retryable or not). */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof Stripe.errors.StripeError) {
      const status = e.statusCode ?? null;
      const retryable =
        e instanceof Stripe.errors.StripeConnectionError ||
        e instanceof Stripe.errors.StripeRateLimitError ||
        (status !== null && status >= 500);
      throw new PaymentProviderError(e.message, status, e.code ?? e.type ?? null, retryable);
    }
    throw e;
  }
}

const intentInfo = (pi: Stripe.PaymentIntent): IntentInfo => ({
  id: pi.id,
  status: pi.status as IntentInfo['status'],
  amount: pi.amount,
  currency: uc(pi.currency),
  applicationFeeAmount: pi.application_fee_amount ?? null,
  destination:
    typeof pi.transfer_data?.destination === 'string'
      ? pi.transfer_data.destination
      : (pi.transfer_data?.destination?.id ?? null),
  latestChargeId: typeof pi.latest_charge === 'string' ? pi.latest_charge : (pi.latest_charge?.id ?? null),
  metadata: pi.metadata ?? {},
  lastError: pi.last_payment_error?.message ?? null,
  clientSecret: pi.client_secret ?? null,
});

const refundInfo = (r: Stripe.Refund): RefundInfo => ({
  id: r.id,
  status: (r.status ?? 'pending') as RefundInfo['status'],
  amount: r.amount,
  currency: uc(r.currency),
  chargeId: typeof r.charge === 'string' ? r.charge : (r.charge?.id ?? ''),
  intentId: typeof r.payment_intent === 'string' ? r.payment_intent : (r.payment_intent?.id ?? ''),
  metadata: (r.metadata ?? {}) as Record<string, string>,
  transferReversal:
    r.transfer_reversal && typeof r.transfer_reversal === 'object'
      ? { id: r.transfer_reversal.id, amount: r.transfer_reversal.amount }
      : null,
  failureReason: r.failure_reason ?? null,
});

const payoutInfo = (po: Stripe.Payout): PayoutInfo => ({
  id: po.id,
  status: po.status as PayoutInfo['status'],
  amount: po.amount,
  currency: uc(po.currency),
  failureMessage: po.failure_message ?? null,
});

export function stripePayments(cfg: StripeConfig): PaymentsPort {
  const stripe = client(cfg);
  // Refunds are read with their transfer reversal expanded: whether (and how much of) the creator's
  // transfer came back is what the books record.
  const expandedRefund = async (r: Stripe.Refund): Promise<RefundInfo> =>
    refundInfo(
      typeof r.transfer_reversal === 'string'
        ? await stripe.refunds.retrieve(r.id, { expand: ['transfer_reversal'] })
        : r,
    );
  const webhookSecrets = cfg.webhookSecret
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    name: 'stripe',
    publishableKey: cfg.publishableKey,

    createConnectedAccount: ({ email, creatorId, currency, country, idempotencyKey }) =>
      call(async () => {
        const a = await stripe.accounts.create(
          {
            type: 'express',
            email,
            ...(country ? { country } : {}),
            default_currency: currency.toLowerCase(),
            capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
            settings: { payouts: { schedule: { interval: 'manual' } } },
            metadata: { creatorId },
          },
          { idempotencyKey },
        );
        return { accountId: a.id };
      }),
    createOnboardingLink: ({ accountId, returnUrl, refreshUrl }) =>
      call(async () => {
        const link = await stripe.accountLinks.create({
          account: accountId,
          type: 'account_onboarding',
          return_url: returnUrl,
          refresh_url: refreshUrl,
        });
        return { url: link.url };
      }),
    createOnboardingSession: (accountId) =>
      call(async () => {
        const s = await stripe.accountSessions.create({
          account: accountId,
          components: { account_onboarding: { enabled: true } },
        });
        return { clientSecret: s.client_secret };
      }),
    retrieveAccount: (accountId) =>
      call(async () => {
        const a = await stripe.accounts.retrieve(accountId);
        return {
          id: a.id,
          chargesEnabled: a.charges_enabled === true,
          payoutsEnabled: a.payouts_enabled === true,
          detailsSubmitted: a.details_submitted === true,
          defaultCurrency: a.default_currency ? uc(a.default_currency) : null,
          payoutInterval: a.settings?.payouts?.schedule?.interval ?? null,
        } satisfies AccountInfo;
      }),
    setManualPayouts: (accountId) =>
      call(async () => {
        await stripe.accounts.update(accountId, { settings: { payouts: { schedule: { interval: 'manual' } } } });
      }),

    createIntent: (input) =>
      call(async () => {
        const pi = await stripe.paymentIntents.create(
          {
            amount: input.amount,
            currency: input.currency.toLowerCase(),
            application_fee_amount: input.applicationFeeAmount,
            transfer_data: { destination: input.destinationAccount },
            automatic_payment_methods: { enabled: true },
            description: input.description,
            metadata: input.metadata,
            ...(input.receiptEmail ? { receipt_email: input.receiptEmail } : {}),
          },
          { idempotencyKey: input.idempotencyKey },
        );
        return { intentId: pi.id, clientSecret: pi.client_secret ?? undefined };
      }),
    retrieveIntent: (intentId) => call(async () => intentInfo(await stripe.paymentIntents.retrieve(intentId))),
    cancelIntent: (intentId, idempotencyKey) =>
      call(async () => intentInfo(await stripe.paymentIntents.cancel(intentId, {}, { idempotencyKey }))),

    refund: (input) =>
      call(async () =>
        expandedRefund(
          await stripe.refunds.create(
            {
              payment_intent: input.intentId,
              amount: input.amount,
              reverse_transfer: input.reverseTransfer,
              refund_application_fee: input.refundApplicationFee,
              metadata: input.metadata,
              expand: ['transfer_reversal'],
            },
            { idempotencyKey: input.idempotencyKey },
          ),
        ),
      ),
    listRefunds: (intentId) =>
      call(async () => {
        const out: RefundInfo[] = [];
        for await (const r of stripe.refunds.list({
          payment_intent: intentId,
          limit: 100,
          expand: ['data.transfer_reversal'],
        }))
          out.push(await expandedRefund(r));
        return out;
      }),
    retrieveDispute: (disputeId) =>
      call(async () => {
        const d = await stripe.disputes.retrieve(disputeId);
        return {
          id: d.id,
          amount: d.amount,
          currency: uc(d.currency),
          reason: d.reason,
          status: d.status,
          chargeId: typeof d.charge === 'string' ? d.charge : d.charge.id,
          intentId: typeof d.payment_intent === 'string' ? d.payment_intent : (d.payment_intent?.id ?? null),
          evidenceDueBy: d.evidence_details?.due_by ?? null,
        } satisfies DisputeInfo;
      }),
    submitDisputeEvidence: (disputeId, ev) =>
      call(async () => {
        await stripe.disputes.update(disputeId, {
          evidence: {
            product_description: ev.productDescription,
            service_date: ev.serviceDate,
            customer_email_address: ev.customerEmail,
            customer_name: ev.customerName,
            uncategorized_text: `${ev.serviceDocumentation}\n${ev.uncategorizedText ?? ''}`.trim().slice(0, 20_000),
          },
          submit: true,
        });
      }),

    createPayout: ({ accountId, amount, currency, metadata, idempotencyKey }) =>
      call(async () => {
        return payoutInfo(
          await stripe.payouts.create(
            { amount, currency: currency.toLowerCase(), metadata },
            { stripeAccount: accountId, idempotencyKey },
          ),
        );
      }),
    // A connected account's payout is only visible with its Stripe-Account header.
    retrievePayout: (accountId, payoutId) =>
      call(async () => payoutInfo(await stripe.payouts.retrieve(payoutId, {}, { stripeAccount: accountId }))),
    reverseTransfer: ({ transferId, amount, metadata, idempotencyKey }) =>
      call(async () => {
        const r = await stripe.transfers.createReversal(transferId, { amount, metadata }, { idempotencyKey });
        return { reversalId: r.id };
      }),
    transferOfCharge: (chargeId) =>
      call(async () => {
        const ch = await stripe.charges.retrieve(chargeId);
        return typeof ch.transfer === 'string' ? ch.transfer : (ch.transfer?.id ?? null);
      }),
    retrieveTransfer: (transferId) =>
      call(async () => {
        const tr = await stripe.transfers.retrieve(transferId);
        return {
          id: tr.id,
          amount: tr.amount,
          amountReversed: tr.amount_reversed,
          currency: uc(tr.currency),
          destination: typeof tr.destination === 'string' ? tr.destination : (tr.destination?.id ?? null),
        } satisfies TransferInfo;
      }),

    listEvents: ({ sinceSeconds, account }) =>
      call(async () => {
        const out: PaymentEvent[] = [];
        const list = stripe.events.list(
          { created: { gte: sinceSeconds }, limit: 100 },
          account ? { stripeAccount: account } : undefined,
        );
        for await (const e of list) out.push((account ? { ...e, account } : e) as unknown as PaymentEvent);
        return out.sort((a, b) => a.created - b.created);
      }),
    // Stripe signs each endpoint with its own secret, and Connect events (account.updated, payouts of
    // connected accounts) come through a second, Connect endpoint: STRIPE_WEBHOOK_SECRET may list
    // both, comma-separated, and an event is accepted when one of them verifies it.
    verifyWebhook: async (rawBody, signature) => {
      let last: unknown = null;
      for (const secret of webhookSecrets) {
        try {
          return (await stripe.webhooks.constructEventAsync(
            rawBody,
            signature,
            secret,
            300,
            cryptoProvider,
          )) as unknown as PaymentEvent;
        } catch (e) {
          last = e;
        }
      }
      throw new PaymentProviderError(
        (last as Error | null)?.message ?? 'No webhook secret configured',
        400,
        'signature_verification_failed',
        false,
      );
    },
  };
}
