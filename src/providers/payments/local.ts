/**
 * Built-in payment provider (default without STRIPE_SECRET_KEY): a small offline Stripe. It keeps
 * Stripe-shaped objects in D1 and, like Stripe, reports what happened through signed webhook
 * events delivered to the very same handler as Stripe's — so the whole flow works in `npm run dev`.
 */
import { and, eq, gte, sql } from 'drizzle-orm';
import Stripe from 'stripe';
import type { Db } from '../../db/client';
import { localStripeEvents, localStripeObjects, type Currency } from '../../db/schema';
import type { Clock } from '../../lib/clock';
import { randomId } from '../../lib/ids';
import {
  PaymentProviderError,
  type AccountInfo,
  type IntentInfo,
  type IntentStatus,
  type PaymentEvent,
  type PaymentsPort,
  type PayoutInfo,
  type RefundInfo,
} from './port';

type Obj = Record<string, unknown> & { id: string };

export interface LocalPaymentsDeps {
  db: Db;
  clock: Clock;
  appUrl: string;
  webhookSecret: string;
  /** Delivers a signed event to the webhook handler (the same code path Stripe's deliveries take). */
  dispatch: (rawBody: string, signature: string) => Promise<void>;
}

/** Dev/test controls the local checkout and admin simulations use; not part of the port. */
export interface LocalPaymentsControls {
  /** Pays (or fails) an intent as a card would: `3ds` leaves it waiting for authentication. */
  checkout(intentId: string, outcome: 'succeed' | 'decline' | '3ds'): Promise<IntentInfo>;
  /** Completes or fails the 3-D Secure step of an intent in `requires_action`. */
  authenticate(intentId: string, ok: boolean): Promise<IntentInfo>;
  /** Simulates a fan's bank opening a dispute on a charge. */
  openDispute(chargeId: string, reason: string): Promise<string>;
  /** Moves a dispute to a new status (e.g. won / lost), emitting the Stripe events. */
  updateDispute(disputeId: string, status: 'under_review' | 'won' | 'lost'): Promise<void>;
  /** Completes a simulated Connect onboarding at once. */
  completeOnboarding(accountId: string): Promise<void>;
  /** Settles a payout (the bank answered). */
  settlePayout(accountId: string, payoutId: string, outcome: 'paid' | 'failed'): Promise<void>;
}

export const LOCAL_WEBHOOK_SECRET = 'whsec_local_development_only';
const cryptoProvider = Stripe.createSubtleCryptoProvider();

const lc = (c: string) => c.toLowerCase();
const uc = (c: unknown) => String(c).toUpperCase() as Currency;

export function localPayments(deps: LocalPaymentsDeps): PaymentsPort & LocalPaymentsControls {
  const nowSec = () => Math.floor(deps.clock.now().getTime() / 1000);

  async function get(id: string, type: string): Promise<Obj> {
    const row = await deps.db.select().from(localStripeObjects).where(and(eq(localStripeObjects.id, id), eq(localStripeObjects.type, type))).get();
    if (!row) throw new PaymentProviderError(`No such ${type}: '${id}'`, 404, 'resource_missing', false);
    return row.data as Obj;
  }

  async function put(type: string, data: Obj, opts: { account?: string | null; idempotencyKey?: string } = {}): Promise<Obj> {
    const now = deps.clock.now();
    if (opts.idempotencyKey) {
      const inserted = await deps.db.insert(localStripeObjects)
        .values({ id: data.id, type, account: opts.account ?? null, idempotencyKey: opts.idempotencyKey, data, createdAt: now, updatedAt: now })
        .onConflictDoNothing().returning({ id: localStripeObjects.id });
      if (!inserted.length) {
        // Same idempotency key: Stripe returns the original object.
        const existing = await deps.db.select().from(localStripeObjects)
          .where(and(eq(localStripeObjects.type, type), eq(localStripeObjects.idempotencyKey, opts.idempotencyKey))).get();
        return existing!.data as Obj;
      }
      return data;
    }
    await deps.db.insert(localStripeObjects).values({ id: data.id, type, account: opts.account ?? null, data, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: localStripeObjects.id, set: { data, updatedAt: now } });
    return data;
  }

  async function emit(type: string, object: Obj, account?: string | null): Promise<void> {
    const event = { id: randomId('ltx', 24).replace('ltx_', 'evt_local_'), object: 'event', api_version: '2025-01-01', created: nowSec(), livemode: false, type, account: account ?? undefined, data: { object } };
    await deps.db.insert(localStripeEvents).values({ id: event.id, type, account: account ?? null, data: event, created: event.created });
    const raw = JSON.stringify(event);
    const signature = await Stripe.webhooks.generateTestHeaderStringAsync({ payload: raw, secret: deps.webhookSecret, cryptoProvider });
    await deps.dispatch(raw, signature);
  }

  const intentInfo = (pi: Obj): IntentInfo => ({
    id: pi.id,
    status: pi.status as IntentStatus,
    amount: pi.amount as number,
    currency: uc(pi.currency),
    applicationFeeAmount: (pi.application_fee_amount as number | null) ?? null,
    destination: ((pi.transfer_data as { destination?: string } | null)?.destination) ?? null,
    latestChargeId: (pi.latest_charge as string | null) ?? null,
    metadata: (pi.metadata as Record<string, string>) ?? {},
    lastError: ((pi.last_payment_error as { message?: string } | null)?.message) ?? null,
  });

  const accountInfo = (a: Obj): AccountInfo => ({
    id: a.id,
    chargesEnabled: a.charges_enabled === true,
    payoutsEnabled: a.payouts_enabled === true,
    detailsSubmitted: a.details_submitted === true,
    defaultCurrency: a.default_currency ? uc(a.default_currency) : null,
    payoutInterval: ((a.settings as { payouts?: { schedule?: { interval?: string } } })?.payouts?.schedule?.interval) ?? null,
  });

  async function succeed(pi: Obj): Promise<Obj> {
    const chargeId = randomId('ltx', 24).replace('ltx_', 'ch_local_');
    const destination = (pi.transfer_data as { destination?: string } | null)?.destination ?? null;
    const fee = (pi.application_fee_amount as number | null) ?? 0;
    let transferId: string | null = null;
    if (destination) {
      transferId = randomId('ltx', 24).replace('ltx_', 'tr_local_');
      await put('transfer', { id: transferId, object: 'transfer', amount: (pi.amount as number) - fee, currency: pi.currency, destination, source_transaction: chargeId, amount_reversed: 0, reversed: false, created: nowSec() });
    }
    const charge = await put('charge', {
      id: chargeId, object: 'charge', amount: pi.amount, amount_refunded: 0, currency: pi.currency, payment_intent: pi.id, paid: true, status: 'succeeded',
      refunded: false, disputed: false, transfer: transferId, application_fee_amount: fee, metadata: pi.metadata, created: nowSec(),
    });
    const updated = await put('payment_intent', { ...pi, status: 'succeeded', latest_charge: chargeId, last_payment_error: null });
    await emit('charge.succeeded', charge);
    await emit('payment_intent.succeeded', updated);
    return updated;
  }

  async function fail(pi: Obj, message: string, code: string): Promise<Obj> {
    const updated = await put('payment_intent', { ...pi, status: 'requires_payment_method', last_payment_error: { code, message, type: 'card_error' } });
    await emit('payment_intent.payment_failed', updated);
    return updated;
  }

  const port: PaymentsPort & LocalPaymentsControls = {
    name: 'local',
    publishableKey: null,

    async createConnectedAccount({ email, creatorId, currency, idempotencyKey }) {
      const id = randomId('ltx', 16).replace('ltx_', 'acct_local_');
      const acct = await put('account', {
        id, object: 'account', type: 'express', email, charges_enabled: false, payouts_enabled: false, details_submitted: false,
        default_currency: lc(currency), settings: { payouts: { schedule: { interval: 'manual' } } }, metadata: { creatorId }, created: nowSec(),
      }, { idempotencyKey });
      return { accountId: acct.id };
    },
    async createOnboardingLink({ accountId, returnUrl }) {
      await get(accountId, 'account');
      return { url: `${deps.appUrl}/checkout/local/onboarding/${accountId}?return=${encodeURIComponent(returnUrl)}` };
    },
    async createOnboardingSession() {
      return null;
    },
    async retrieveAccount(accountId) {
      return accountInfo(await get(accountId, 'account'));
    },
    async setManualPayouts(accountId) {
      const a = await get(accountId, 'account');
      await put('account', { ...a, settings: { payouts: { schedule: { interval: 'manual' } } } });
    },

    async createIntent(input) {
      if (input.amount < 1) throw new PaymentProviderError('Amount must be at least 1', 400, 'parameter_invalid_integer', false);
      const id = randomId('ltx', 24).replace('ltx_', 'pi_local_');
      const data = {
        id, object: 'payment_intent', amount: input.amount, currency: lc(input.currency), status: 'requires_payment_method',
        application_fee_amount: input.applicationFeeAmount, transfer_data: { destination: input.destinationAccount }, description: input.description,
        metadata: input.metadata, receipt_email: input.receiptEmail ?? null, latest_charge: null, last_payment_error: null, created: nowSec(),
      };
      const now = deps.clock.now().getTime();
      // One statement: insert only if the destination account can take charges (like Stripe checks).
      const r = await deps.db.run(sql`insert into local_stripe_objects (id, type, account, idempotency_key, data, created_at, updated_at)
        select ${id}, 'payment_intent', null, ${input.idempotencyKey}, ${JSON.stringify(data)}, ${now}, ${now}
        where exists (select 1 from local_stripe_objects a where a.id = ${input.destinationAccount} and a.type = 'account' and json_extract(a.data, '$.charges_enabled') = 1)
        on conflict do nothing`);
      if (!r.meta.changes) {
        const existing = await deps.db.select().from(localStripeObjects)
          .where(and(eq(localStripeObjects.type, 'payment_intent'), eq(localStripeObjects.idempotencyKey, input.idempotencyKey))).get();
        if (existing) return { intentId: existing.id, checkoutUrl: `${deps.appUrl}/checkout/local/${existing.id}` };
        await get(input.destinationAccount, 'account');
        throw new PaymentProviderError('The destination account cannot receive charges yet', 400, 'account_invalid', false);
      }
      return { intentId: id, checkoutUrl: `${deps.appUrl}/checkout/local/${id}` };
    },
    async retrieveIntent(intentId) {
      return intentInfo(await get(intentId, 'payment_intent'));
    },
    async cancelIntent(intentId) {
      const pi = await get(intentId, 'payment_intent');
      if (pi.status === 'canceled') return intentInfo(pi);
      if (pi.status === 'succeeded') throw new PaymentProviderError('This PaymentIntent has already succeeded and cannot be canceled', 400, 'payment_intent_unexpected_state', false);
      const updated = await put('payment_intent', { ...pi, status: 'canceled', cancellation_reason: 'requested_by_customer' });
      await emit('payment_intent.canceled', updated);
      return intentInfo(updated);
    },

    async refund(input) {
      const existing = await deps.db.select().from(localStripeObjects)
        .where(and(eq(localStripeObjects.type, 'refund'), eq(localStripeObjects.idempotencyKey, input.idempotencyKey))).get();
      if (existing) {
        const r = existing.data as Obj;
        return { id: r.id, status: r.status as RefundInfo['status'], amount: r.amount as number, currency: uc(r.currency), chargeId: r.charge as string, intentId: r.payment_intent as string };
      }
      const pi = await get(input.intentId, 'payment_intent');
      if (pi.status !== 'succeeded' || !pi.latest_charge) throw new PaymentProviderError('This PaymentIntent has no successful charge to refund', 400, 'charge_not_refundable', false);
      const charge = await get(pi.latest_charge as string, 'charge');
      const remaining = (charge.amount as number) - (charge.amount_refunded as number);
      if (input.amount < 1 || input.amount > remaining) {
        throw new PaymentProviderError(`Refund amount (${input.amount}) is greater than unrefunded amount on charge (${remaining})`, 400, 'amount_too_large', false);
      }
      const refund = await put('refund', {
        id: randomId('ltx', 24).replace('ltx_', 're_local_'), object: 'refund', amount: input.amount, currency: charge.currency, charge: charge.id,
        payment_intent: pi.id, status: 'succeeded', metadata: input.metadata, reverse_transfer: input.reverseTransfer,
        refund_application_fee: input.refundApplicationFee, created: nowSec(),
      }, { idempotencyKey: input.idempotencyKey });
      if (input.reverseTransfer && charge.transfer) {
        const tr = await get(charge.transfer as string, 'transfer');
        // Stripe reverses the transfer pro rata to the refunded share of the charge.
        const reversal = Math.min((tr.amount as number) - (tr.amount_reversed as number), Math.floor((input.amount * (tr.amount as number)) / (charge.amount as number)));
        await put('transfer', { ...tr, amount_reversed: (tr.amount_reversed as number) + reversal, reversed: (tr.amount_reversed as number) + reversal >= (tr.amount as number) });
      }
      const amountRefunded = (charge.amount_refunded as number) + input.amount;
      const updatedCharge = await put('charge', { ...charge, amount_refunded: amountRefunded, refunded: amountRefunded >= (charge.amount as number), refunds: { data: [refund] } });
      await emit('charge.refunded', updatedCharge);
      await emit('refund.created', refund);
      return { id: refund.id, status: 'succeeded', amount: input.amount, currency: uc(charge.currency), chargeId: charge.id, intentId: pi.id };
    },
    async listRefunds(intentId) {
      const rows = await deps.db.select().from(localStripeObjects).where(eq(localStripeObjects.type, 'refund')).all();
      return rows.map((r) => r.data as Obj).filter((r) => r.payment_intent === intentId)
        .map((r) => ({ id: r.id, status: r.status as RefundInfo['status'], amount: r.amount as number, currency: uc(r.currency), chargeId: r.charge as string, intentId: r.payment_intent as string, metadata: (r.metadata ?? {}) as Record<string, string> }));
    },
    async retrieveDispute(disputeId) {
      const d = await get(disputeId, 'dispute');
      return {
        id: d.id, amount: d.amount as number, currency: uc(d.currency), reason: d.reason as string, status: d.status as string, chargeId: d.charge as string,
        intentId: (d.payment_intent as string | null) ?? null, evidenceDueBy: ((d.evidence_details as { due_by?: number } | undefined)?.due_by) ?? null,
      };
    },
    async submitDisputeEvidence(disputeId, evidence) {
      const d = await get(disputeId, 'dispute');
      const updated = await put('dispute', { ...d, evidence, evidence_details: { submission_count: 1, has_evidence: true }, status: 'under_review' });
      await emit('charge.dispute.updated', updated);
    },

    async createPayout({ accountId, amount, currency, metadata, idempotencyKey }) {
      const acct = await get(accountId, 'account');
      if (acct.payouts_enabled !== true) throw new PaymentProviderError('Payouts are not enabled for this account', 400, 'payouts_not_allowed', false);
      const po = await put('payout', {
        id: randomId('ltx', 24).replace('ltx_', 'po_local_'), object: 'payout', amount, currency: lc(currency), status: 'in_transit',
        failure_message: null, metadata, arrival_date: nowSec() + 86400, created: nowSec(),
      }, { account: accountId, idempotencyKey });
      return { id: po.id, status: po.status as PayoutInfo['status'], amount, currency, failureMessage: null };
    },
    async reverseTransfer({ transferId, amount, metadata, idempotencyKey }) {
      const tr = await get(transferId, 'transfer');
      const left = (tr.amount as number) - (tr.amount_reversed as number);
      if (amount < 1 || amount > left) throw new PaymentProviderError(`Reversal amount ${amount} exceeds what is left on the transfer (${left})`, 400, 'transfer_reversal_too_large', false);
      const rev = await put('transfer_reversal', { id: randomId('ltx', 24).replace('ltx_', 'trr_local_'), object: 'transfer_reversal', amount, currency: tr.currency, transfer: tr.id, metadata, created: nowSec() }, { idempotencyKey });
      if (rev.amount === amount && (tr.amount_reversed as number) + amount <= (tr.amount as number)) {
        await put('transfer', { ...tr, amount_reversed: (tr.amount_reversed as number) + amount, reversed: (tr.amount_reversed as number) + amount >= (tr.amount as number) });
      }
      return { reversalId: rev.id };
    },
    async transferOfCharge(chargeId) {
      return ((await get(chargeId, 'charge')).transfer as string | null) ?? null;
    },

    async listEvents({ sinceSeconds }) {
      const rows = await deps.db.select().from(localStripeEvents).where(gte(localStripeEvents.created, sinceSeconds)).orderBy(localStripeEvents.created).all();
      return rows.map((r) => r.data as unknown as PaymentEvent);
    },
    async verifyWebhook(rawBody, signature) {
      try {
        return (await Stripe.webhooks.constructEventAsync(rawBody, signature, deps.webhookSecret, 300, cryptoProvider)) as unknown as PaymentEvent;
      } catch (e) {
        throw new PaymentProviderError((e as Error).message, 400, 'signature_verification_failed', false);
      }
    },

    // ------------------------------------------------------------------ local controls
    async checkout(intentId, outcome) {
      const pi = await get(intentId, 'payment_intent');
      if (pi.status === 'succeeded' || pi.status === 'canceled') return intentInfo(pi);
      if (outcome === 'decline') return intentInfo(await fail(pi, 'Your card was declined.', 'card_declined'));
      if (outcome === '3ds') {
        const updated = await put('payment_intent', { ...pi, status: 'requires_action', next_action: { type: 'use_stripe_sdk' } });
        await emit('payment_intent.requires_action', updated);
        return intentInfo(updated);
      }
      return intentInfo(await succeed(pi));
    },
    async authenticate(intentId, ok) {
      const pi = await get(intentId, 'payment_intent');
      if (pi.status !== 'requires_action') return intentInfo(pi);
      return intentInfo(ok ? await succeed({ ...pi, next_action: null }) : await fail(pi, 'We are unable to authenticate your payment method.', 'payment_intent_authentication_failure'));
    },
    async openDispute(chargeId, reason) {
      const charge = await get(chargeId, 'charge');
      const dispute = await put('dispute', {
        id: randomId('ltx', 24).replace('ltx_', 'dp_local_'), object: 'dispute', amount: charge.amount, currency: charge.currency, charge: charge.id,
        payment_intent: charge.payment_intent, reason, status: 'needs_response', evidence: {}, created: nowSec(),
        evidence_details: { due_by: nowSec() + 7 * 86400, submission_count: 0, has_evidence: false },
      });
      await put('charge', { ...charge, disputed: true });
      await emit('charge.dispute.created', dispute);
      return dispute.id;
    },
    async updateDispute(disputeId, status) {
      const d = await get(disputeId, 'dispute');
      const updated = await put('dispute', { ...d, status });
      await emit(status === 'won' || status === 'lost' ? 'charge.dispute.closed' : 'charge.dispute.updated', updated);
    },
    async completeOnboarding(accountId) {
      const a = await get(accountId, 'account');
      const updated = await put('account', { ...a, charges_enabled: true, payouts_enabled: true, details_submitted: true });
      await emit('account.updated', updated, accountId);
    },
    async settlePayout(accountId, payoutId, outcome) {
      const po = await get(payoutId, 'payout');
      if (po.status === 'paid' || po.status === 'failed') return;
      const updated = await put('payout', { ...po, status: outcome, failure_message: outcome === 'failed' ? 'The bank account details on file are incorrect.' : null, failure_code: outcome === 'failed' ? 'account_closed' : null }, { account: accountId });
      await emit(outcome === 'paid' ? 'payout.paid' : 'payout.failed', updated, accountId);
    },
  };
  return port;
}
