/**
 * Built-in payment provider (default without STRIPE_SECRET_KEY): a small offline Stripe. It keeps
 * Stripe-shaped objects in D1 and, like Stripe, reports what happened through signed webhook
 * events delivered to the very same handler as Stripe's — so the whole flow works in `npm run dev`.
 */
import { and, eq, gte, isNull, sql } from 'drizzle-orm';
import Stripe from 'stripe';
import type { Db } from '../../db/client';
import { localStripeEvents, localStripeObjects, type Currency } from '../../db/schema';
import type { Clock } from '../../lib/clock';
import { randomChars } from '../../lib/ids';
import {
  PaymentProviderError,
  type AccountInfo,
  type IntentInfo,
  type IntentStatus,
  type PaymentEvent,
  type PaymentsPort,
  type PayoutInfo,
  type RefundInfo,
  type TransferInfo,
} from './port';

type Obj = Record<string, unknown> & { id: string };

/** A Stripe-looking id of this provider (`pi_local_…`, `acct_local_…`): Stripe's prefix, marked local. */
const localId = (kind: string, length = 24) => `${kind}_local_${randomChars(length)}`;

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
  /**
   * Pays (or fails) an intent as a card would: `3ds` leaves it waiting for authentication;
   * `processing` leaves it waiting for the bank (SEPA Debit, a slow card confirmation), as Stripe does.
   */
  checkout(intentId: string, outcome: 'succeed' | 'decline' | '3ds' | 'processing'): Promise<IntentInfo>;
  /** Completes or fails the 3-D Secure step of an intent in `requires_action`. */
  authenticate(intentId: string, ok: boolean): Promise<IntentInfo>;
  /** The bank's answer on an intent in `processing`: it succeeds, or fails (back to `requires_payment_method`). */
  settleProcessing(intentId: string, ok: boolean): Promise<IntentInfo>;
  /** Simulates a fan's bank opening a dispute on a charge. */
  openDispute(chargeId: string, reason: string): Promise<string>;
  /** Moves a dispute to a new status (e.g. won / lost), emitting the Stripe events. */
  updateDispute(disputeId: string, status: 'under_review' | 'won' | 'lost'): Promise<void>;
  /** Completes a simulated Connect onboarding at once. */
  completeOnboarding(accountId: string): Promise<void>;
  /** Refunds created from now on start `pending` (like some bank refunds) or `succeeded` (cards, the default). */
  setRefundMode(status: 'pending' | 'succeeded'): Promise<void>;
  /** The bank's later answer on a refund: it succeeds, or fails / is canceled (the money comes back to the platform). */
  updateRefund(refundId: string, status: 'succeeded' | 'failed' | 'canceled', failureReason?: string): Promise<void>;
  /**
   * Settles a payout (the bank answered): `failed` after `paid` is the bank returning it, `canceled`
   * stops one still in transit. `deliver: false` records the event without delivering it (a missed
   * webhook, for the reconciliation job to find).
   */
  settlePayout(
    accountId: string,
    payoutId: string,
    outcome: 'paid' | 'failed' | 'canceled',
    opts?: { deliver?: boolean },
  ): Promise<void>;
  /** Makes the next `count` calls of `op` fail (a provider outage when `retryable`, else a refusal), after any failures already queued. */
  failNext(
    op: 'reverseTransfer' | 'createPayout' | 'refund' | 'cancelIntent',
    count: number,
    retryable: boolean,
  ): Promise<void>;
}

export const LOCAL_WEBHOOK_SECRET = 'whsec_local_development_only';
const cryptoProvider = Stripe.createSubtleCryptoProvider();

const lc = (c: string) => c.toLowerCase();
const uc = (c: unknown) => String(c).toUpperCase() as Currency;

export function localPayments(deps: LocalPaymentsDeps): PaymentsPort & LocalPaymentsControls {
  const nowSec = () => Math.floor(deps.clock.now().getTime() / 1000);

  async function get(id: string, type: string): Promise<Obj> {
    const row = await deps.db
      .select()
      .from(localStripeObjects)
      .where(and(eq(localStripeObjects.id, id), eq(localStripeObjects.type, type)))
      .get();
    if (!row) throw new PaymentProviderError(`No such ${type}: '${id}'`, 404, 'resource_missing', false);
    return row.data as Obj;
  }

  async function put(
    type: string,
    data: Obj,
    opts: { account?: string | null; idempotencyKey?: string } = {},
  ): Promise<Obj> {
    const now = deps.clock.now();
    if (opts.idempotencyKey) {
      const inserted = await deps.db
        .insert(localStripeObjects)
        .values({
          id: data.id,
          type,
          account: opts.account ?? null,
          idempotencyKey: opts.idempotencyKey,
          data,
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing()
        .returning({ id: localStripeObjects.id });
      if (!inserted.length) {
        // Same idempotency key: Stripe returns the original object.
        const existing = await deps.db
          .select()
          .from(localStripeObjects)
          .where(and(eq(localStripeObjects.type, type), eq(localStripeObjects.idempotencyKey, opts.idempotencyKey)))
          .get();
        return existing!.data as Obj;
      }
      return data;
    }
    await deps.db
      .insert(localStripeObjects)
      .values({ id: data.id, type, account: opts.account ?? null, data, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: localStripeObjects.id, set: { data, updatedAt: now } });
    return data;
  }

  async function emit(type: string, object: Obj, account?: string | null, deliver = true): Promise<void> {
    const event = {
      id: localId('evt'),
      object: 'event',
      api_version: '2025-01-01',
      created: nowSec(),
      livemode: false,
      type,
      account: account ?? undefined,
      data: { object },
    };
    await deps.db
      .insert(localStripeEvents)
      .values({ id: event.id, type, account: account ?? null, data: event, created: event.created });
    if (!deliver) return;
    const raw = JSON.stringify(event);
    const signature = await Stripe.webhooks.generateTestHeaderStringAsync({
      payload: raw,
      secret: deps.webhookSecret,
      cryptoProvider,
    });
    await deps.dispatch(raw, signature);
  }

  const intentInfo = (pi: Obj): IntentInfo => ({
    id: pi.id,
    status: pi.status as IntentStatus,
    amount: pi.amount as number,
    currency: uc(pi.currency),
    applicationFeeAmount: (pi.application_fee_amount as number | null) ?? null,
    destination: (pi.transfer_data as { destination?: string } | null)?.destination ?? null,
    latestChargeId: (pi.latest_charge as string | null) ?? null,
    metadata: (pi.metadata as Record<string, string>) ?? {},
    lastError: (pi.last_payment_error as { message?: string } | null)?.message ?? null,
    checkoutUrl: `${deps.appUrl}/checkout/local/${pi.id}`,
  });

  const accountInfo = (a: Obj): AccountInfo => ({
    id: a.id,
    chargesEnabled: a.charges_enabled === true,
    payoutsEnabled: a.payouts_enabled === true,
    detailsSubmitted: a.details_submitted === true,
    defaultCurrency: a.default_currency ? uc(a.default_currency) : null,
    payoutInterval:
      (a.settings as { payouts?: { schedule?: { interval?: string } } })?.payouts?.schedule?.interval ?? null,
  });

  const payoutInfo = (po: Obj): PayoutInfo => ({
    id: po.id,
    status: po.status as PayoutInfo['status'],
    amount: po.amount as number,
    currency: uc(po.currency),
    failureMessage: (po.failure_message as string | null) ?? null,
  });

  /** A fault set by `failNext` (kept in D1: every request builds its own provider). */
  async function takeFault(op: string): Promise<void> {
    const id = `fault_${op}`;
    const row = await deps.db
      .select()
      .from(localStripeObjects)
      .where(and(eq(localStripeObjects.id, id), eq(localStripeObjects.type, 'fault')))
      .get();
    const queue = (row?.data as { queue?: boolean[] } | undefined)?.queue ?? [];
    if (!queue.length) return;
    const [retryable, ...rest] = queue;
    await put('fault', { id, queue: rest });
    throw retryable
      ? new PaymentProviderError('An error occurred with our connection to the provider.', 500, 'api_error', true)
      : new PaymentProviderError(`The provider refused this ${op}.`, 400, 'provider_refused', false);
  }

  /** Like Stripe's connected-account balance: transfers in, minus reversals and payouts not failed or canceled. */
  async function accountBalance(accountId: string, currency: string): Promise<number> {
    const row = await deps.db.get<{ b: number }>(sql`select
      coalesce((select sum(json_extract(data, '$.amount') - json_extract(data, '$.amount_reversed')) from local_stripe_objects
        where type = 'transfer' and json_extract(data, '$.destination') = ${accountId} and json_extract(data, '$.currency') = ${currency}), 0)
      - coalesce((select sum(json_extract(data, '$.amount')) from local_stripe_objects
        where type = 'payout' and account = ${accountId} and json_extract(data, '$.currency') = ${currency} and json_extract(data, '$.status') not in ('failed', 'canceled')), 0) as b`);
    return row?.b ?? 0;
  }

  async function reversalOf(r: Obj): Promise<RefundInfo['transferReversal']> {
    if (!r.transfer_reversal) return null;
    const rev = await get(r.transfer_reversal as string, 'transfer_reversal');
    return { id: rev.id, amount: rev.amount as number };
  }
  const refundInfo = async (r: Obj): Promise<RefundInfo> => ({
    id: r.id,
    status: r.status as RefundInfo['status'],
    amount: r.amount as number,
    currency: uc(r.currency),
    chargeId: r.charge as string,
    intentId: r.payment_intent as string,
    metadata: (r.metadata ?? {}) as Record<string, string>,
    transferReversal: await reversalOf(r),
    failureReason: (r.failure_reason as string | null | undefined) ?? null,
  });

  async function refundMode(): Promise<'pending' | 'succeeded' | null> {
    const row = await deps.db
      .select()
      .from(localStripeObjects)
      .where(and(eq(localStripeObjects.id, 'setting_refund_mode'), eq(localStripeObjects.type, 'setting')))
      .get();
    return (row?.data as { status?: 'pending' | 'succeeded' } | undefined)?.status ?? null;
  }

  async function succeed(pi: Obj): Promise<Obj> {
    const chargeId = localId('ch');
    const destination = (pi.transfer_data as { destination?: string } | null)?.destination ?? null;
    const fee = (pi.application_fee_amount as number | null) ?? 0;
    let transferId: string | null = null;
    if (destination) {
      transferId = localId('tr');
      await put('transfer', {
        id: transferId,
        object: 'transfer',
        amount: (pi.amount as number) - fee,
        currency: pi.currency,
        destination,
        source_transaction: chargeId,
        amount_reversed: 0,
        reversed: false,
        created: nowSec(),
      });
    }
    const charge = await put('charge', {
      id: chargeId,
      object: 'charge',
      amount: pi.amount,
      amount_refunded: 0,
      currency: pi.currency,
      payment_intent: pi.id,
      paid: true,
      status: 'succeeded',
      refunded: false,
      disputed: false,
      transfer: transferId,
      application_fee_amount: fee,
      metadata: pi.metadata,
      created: nowSec(),
    });
    const updated = await put('payment_intent', {
      ...pi,
      status: 'succeeded',
      latest_charge: chargeId,
      last_payment_error: null,
    });
    await emit('charge.succeeded', charge);
    await emit('payment_intent.succeeded', updated);
    return updated;
  }

  async function fail(pi: Obj, message: string, code: string): Promise<Obj> {
    const updated = await put('payment_intent', {
      ...pi,
      status: 'requires_payment_method',
      last_payment_error: { code, message, type: 'card_error' },
    });
    await emit('payment_intent.payment_failed', updated);
    return updated;
  }

  const port: PaymentsPort & LocalPaymentsControls = {
    name: 'local',
    publishableKey: null,

    async createConnectedAccount({ email, creatorId, currency, idempotencyKey }) {
      const id = localId('acct', 16);
      const acct = await put(
        'account',
        {
          id,
          object: 'account',
          type: 'express',
          email,
          charges_enabled: false,
          payouts_enabled: false,
          details_submitted: false,
          default_currency: lc(currency),
          settings: { payouts: { schedule: { interval: 'manual' } } },
          metadata: { creatorId },
          created: nowSec(),
        },
        { idempotencyKey },
      );
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
      if (input.amount < 1)
        throw new PaymentProviderError('Amount must be at least 1', 400, 'parameter_invalid_integer', false);
      const id = localId('pi');
      const data = {
        id,
        object: 'payment_intent',
        amount: input.amount,
        currency: lc(input.currency),
        status: 'requires_payment_method',
        application_fee_amount: input.applicationFeeAmount,
        transfer_data: { destination: input.destinationAccount },
        description: input.description,
        metadata: input.metadata,
        receipt_email: input.receiptEmail ?? null,
        latest_charge: null,
        last_payment_error: null,
        created: nowSec(),
      };
      const now = deps.clock.now().getTime();
      // One statement: insert only if the destination account can take charges (like Stripe checks).
      const r =
        await deps.db.run(sql`insert into local_stripe_objects (id, type, account, idempotency_key, data, created_at, updated_at)
        select ${id}, 'payment_intent', null, ${input.idempotencyKey}, ${JSON.stringify(data)}, ${now}, ${now}
        where exists (select 1 from local_stripe_objects a where a.id = ${input.destinationAccount} and a.type = 'account' and json_extract(a.data, '$.charges_enabled') = 1)
        on conflict do nothing`);
      if (!r.meta.changes) {
        const existing = await deps.db
          .select()
          .from(localStripeObjects)
          .where(
            and(
              eq(localStripeObjects.type, 'payment_intent'),
              eq(localStripeObjects.idempotencyKey, input.idempotencyKey),
            ),
          )
          .get();
        if (existing) return { intentId: existing.id, checkoutUrl: `${deps.appUrl}/checkout/local/${existing.id}` };
        await get(input.destinationAccount, 'account');
        throw new PaymentProviderError(
          'The destination account cannot receive charges yet',
          400,
          'account_invalid',
          false,
        );
      }
      return { intentId: id, checkoutUrl: `${deps.appUrl}/checkout/local/${id}` };
    },
    async retrieveIntent(intentId) {
      return intentInfo(await get(intentId, 'payment_intent'));
    },
    async cancelIntent(intentId) {
      await takeFault('cancelIntent');
      const pi = await get(intentId, 'payment_intent');
      if (pi.status === 'canceled') return intentInfo(pi);
      // Like Stripe: the bank is settling a processing payment, it can no longer be called off.
      if (pi.status === 'succeeded' || pi.status === 'processing')
        throw new PaymentProviderError(
          `You cannot cancel this PaymentIntent because it has a status of ${pi.status}.`,
          400,
          'payment_intent_unexpected_state',
          false,
        );
      const updated = await put('payment_intent', {
        ...pi,
        status: 'canceled',
        cancellation_reason: 'requested_by_customer',
      });
      await emit('payment_intent.canceled', updated);
      return intentInfo(updated);
    },

    async refund(input) {
      const existing = await deps.db
        .select()
        .from(localStripeObjects)
        .where(and(eq(localStripeObjects.type, 'refund'), eq(localStripeObjects.idempotencyKey, input.idempotencyKey)))
        .get();
      if (existing) return refundInfo(existing.data as Obj);
      await takeFault('refund');
      const pi = await get(input.intentId, 'payment_intent');
      if (pi.status !== 'succeeded' || !pi.latest_charge)
        throw new PaymentProviderError(
          'This PaymentIntent has no successful charge to refund',
          400,
          'charge_not_refundable',
          false,
        );
      const charge = await get(pi.latest_charge as string, 'charge');
      const remaining = (charge.amount as number) - (charge.amount_refunded as number);
      if (input.amount < 1 || input.amount > remaining) {
        throw new PaymentProviderError(
          `Refund amount (${input.amount}) is greater than unrefunded amount on charge (${remaining})`,
          400,
          'amount_too_large',
          false,
        );
      }
      const refundId = localId('re');
      // Stripe reverses the transfer pro rata to the refunded share of the charge — only what is left of
      // it (a transfer already reversed, e.g. to recover a debt, gives back less or nothing), and this
      // provider never takes a connected account below zero (what it cannot take back, the creator owes).
      const tr = input.reverseTransfer && charge.transfer ? await get(charge.transfer as string, 'transfer') : null;
      const reversal = tr
        ? Math.min(
            (tr.amount as number) - (tr.amount_reversed as number),
            Math.floor((input.amount * (tr.amount as number)) / (charge.amount as number)),
            Math.max(0, await accountBalance(tr.destination as string, tr.currency as string)),
          )
        : 0;
      const reversalId = reversal > 0 ? localId('trr') : null;
      const refund = await put(
        'refund',
        {
          id: refundId,
          object: 'refund',
          amount: input.amount,
          currency: charge.currency,
          charge: charge.id,
          payment_intent: pi.id,
          status: (await refundMode()) ?? 'succeeded',
          metadata: input.metadata,
          reverse_transfer: input.reverseTransfer,
          refund_application_fee: input.refundApplicationFee,
          transfer_reversal: reversalId,
          created: nowSec(),
        },
        { idempotencyKey: input.idempotencyKey },
      );
      if (tr && reversalId && refund.id === refundId) {
        await put('transfer_reversal', {
          id: reversalId,
          object: 'transfer_reversal',
          amount: reversal,
          currency: tr.currency,
          transfer: tr.id,
          source_refund: refundId,
          metadata: {},
          created: nowSec(),
        });
        await put('transfer', {
          ...tr,
          amount_reversed: (tr.amount_reversed as number) + reversal,
          reversed: (tr.amount_reversed as number) + reversal >= (tr.amount as number),
        });
      }
      const amountRefunded = (charge.amount_refunded as number) + input.amount;
      const updatedCharge = await put('charge', {
        ...charge,
        amount_refunded: amountRefunded,
        refunded: amountRefunded >= (charge.amount as number),
        refunds: { data: [refund] },
      });
      await emit('charge.refunded', updatedCharge);
      await emit('refund.created', refund);
      return refundInfo(refund);
    },
    async listRefunds(intentId) {
      const rows = await deps.db.select().from(localStripeObjects).where(eq(localStripeObjects.type, 'refund')).all();
      return Promise.all(
        rows
          .map((r) => r.data as Obj)
          .filter((r) => r.payment_intent === intentId)
          .map(refundInfo),
      );
    },
    async retrieveDispute(disputeId) {
      const d = await get(disputeId, 'dispute');
      return {
        id: d.id,
        amount: d.amount as number,
        currency: uc(d.currency),
        reason: d.reason as string,
        status: d.status as string,
        chargeId: d.charge as string,
        intentId: (d.payment_intent as string | null) ?? null,
        evidenceDueBy: (d.evidence_details as { due_by?: number } | undefined)?.due_by ?? null,
      };
    },
    async submitDisputeEvidence(disputeId, evidence) {
      const d = await get(disputeId, 'dispute');
      // Like Stripe: a closed dispute takes no more evidence.
      if (['won', 'lost', 'warning_closed', 'charge_refunded'].includes(String(d.status)))
        throw new PaymentProviderError(
          `This dispute is already closed (${d.status}): evidence can no longer be submitted.`,
          400,
          null,
          false,
        );
      const updated = await put('dispute', {
        ...d,
        evidence,
        evidence_details: { submission_count: 1, has_evidence: true },
        status: 'under_review',
      });
      await emit('charge.dispute.updated', updated);
    },

    async createPayout({ accountId, amount, currency, metadata, idempotencyKey }) {
      const replay = await deps.db
        .select()
        .from(localStripeObjects)
        .where(and(eq(localStripeObjects.type, 'payout'), eq(localStripeObjects.idempotencyKey, idempotencyKey)))
        .get();
      if (replay) return payoutInfo(replay.data as Obj);
      await takeFault('createPayout');
      const acct = await get(accountId, 'account');
      if (acct.payouts_enabled !== true)
        throw new PaymentProviderError('Payouts are not enabled for this account', 400, 'payouts_not_allowed', false);
      if (amount < 1)
        throw new PaymentProviderError('Amount must be at least 1', 400, 'parameter_invalid_integer', false);
      const balance = await accountBalance(accountId, lc(currency));
      if (amount > balance)
        throw new PaymentProviderError(
          `You have insufficient funds in the account's balance (${balance}) for this payout.`,
          400,
          'balance_insufficient',
          false,
        );
      const po = await put(
        'payout',
        {
          id: localId('po'),
          object: 'payout',
          amount,
          currency: lc(currency),
          status: 'in_transit',
          failure_message: null,
          metadata,
          arrival_date: nowSec() + 86400,
          created: nowSec(),
        },
        { account: accountId, idempotencyKey },
      );
      return payoutInfo(po);
    },
    async retrievePayout(accountId, payoutId) {
      const row = await deps.db
        .select()
        .from(localStripeObjects)
        .where(and(eq(localStripeObjects.id, payoutId), eq(localStripeObjects.type, 'payout')))
        .get();
      // Like Stripe: another account's payout does not exist for this Stripe-Account.
      if (!row || row.account !== accountId)
        throw new PaymentProviderError(`No such payout: '${payoutId}'`, 404, 'resource_missing', false);
      return payoutInfo(row.data as Obj);
    },
    async reverseTransfer({ transferId, amount, metadata, idempotencyKey }) {
      const replay = await deps.db
        .select()
        .from(localStripeObjects)
        .where(
          and(eq(localStripeObjects.type, 'transfer_reversal'), eq(localStripeObjects.idempotencyKey, idempotencyKey)),
        )
        .get();
      if (replay) return { reversalId: replay.id };
      await takeFault('reverseTransfer');
      const tr = await get(transferId, 'transfer');
      const left = (tr.amount as number) - (tr.amount_reversed as number);
      if (amount < 1 || amount > left)
        throw new PaymentProviderError(
          `Reversal amount ${amount} exceeds what is left on the transfer (${left})`,
          400,
          'transfer_reversal_too_large',
          false,
        );
      const balance = await accountBalance(tr.destination as string, tr.currency as string);
      if (amount > balance)
        throw new PaymentProviderError(
          `The connected account's balance (${balance}) does not cover this reversal.`,
          400,
          'balance_insufficient',
          false,
        );
      const rev = await put(
        'transfer_reversal',
        {
          id: localId('trr'),
          object: 'transfer_reversal',
          amount,
          currency: tr.currency,
          transfer: tr.id,
          metadata,
          created: nowSec(),
        },
        { idempotencyKey },
      );
      if (rev.amount === amount && (tr.amount_reversed as number) + amount <= (tr.amount as number)) {
        await put('transfer', {
          ...tr,
          amount_reversed: (tr.amount_reversed as number) + amount,
          reversed: (tr.amount_reversed as number) + amount >= (tr.amount as number),
        });
      }
      return { reversalId: rev.id };
    },
    async transferOfCharge(chargeId) {
      return ((await get(chargeId, 'charge')).transfer as string | null) ?? null;
    },
    async retrieveTransfer(transferId): Promise<TransferInfo> {
      const tr = await get(transferId, 'transfer');
      return {
        id: tr.id,
        amount: tr.amount as number,
        amountReversed: tr.amount_reversed as number,
        currency: uc(tr.currency),
        destination: (tr.destination as string | null) ?? null,
      };
    },

    async listEvents({ sinceSeconds, account }) {
      // Like Stripe: a connected account's events are listed only with its Stripe-Account.
      const rows = await deps.db
        .select()
        .from(localStripeEvents)
        .where(
          and(
            gte(localStripeEvents.created, sinceSeconds),
            account ? eq(localStripeEvents.account, account) : isNull(localStripeEvents.account),
          ),
        )
        .orderBy(localStripeEvents.created)
        .all();
      return rows.map((r) => r.data as unknown as PaymentEvent);
    },
    async verifyWebhook(rawBody, signature) {
      try {
        return (await Stripe.webhooks.constructEventAsync(
          rawBody,
          signature,
          deps.webhookSecret,
          300,
          cryptoProvider,
        )) as unknown as PaymentEvent;
      } catch (e) {
        throw new PaymentProviderError((e as Error).message, 400, 'signature_verification_failed', false);
      }
    },

    // ------------------------------------------------------------------ local controls
    async checkout(intentId, outcome) {
      const pi = await get(intentId, 'payment_intent');
      if (pi.status === 'succeeded' || pi.status === 'canceled' || pi.status === 'processing') return intentInfo(pi);
      if (outcome === 'decline') return intentInfo(await fail(pi, 'Your card was declined.', 'card_declined'));
      if (outcome === '3ds') {
        const updated = await put('payment_intent', {
          ...pi,
          status: 'requires_action',
          next_action: { type: 'use_stripe_sdk' },
        });
        await emit('payment_intent.requires_action', updated);
        return intentInfo(updated);
      }
      if (outcome === 'processing') {
        const updated = await put('payment_intent', {
          ...pi,
          status: 'processing',
          last_payment_error: null,
          next_action: null,
        });
        await emit('payment_intent.processing', updated);
        return intentInfo(updated);
      }
      return intentInfo(await succeed(pi));
    },
    async settleProcessing(intentId, ok) {
      const pi = await get(intentId, 'payment_intent');
      if (pi.status !== 'processing') return intentInfo(pi);
      return intentInfo(
        ok ? await succeed(pi) : await fail(pi, 'The bank refused the debit.', 'payment_method_provider_decline'),
      );
    },
    async authenticate(intentId, ok) {
      const pi = await get(intentId, 'payment_intent');
      if (pi.status !== 'requires_action') return intentInfo(pi);
      return intentInfo(
        ok
          ? await succeed({ ...pi, next_action: null })
          : await fail(
              pi,
              'We are unable to authenticate your payment method.',
              'payment_intent_authentication_failure',
            ),
      );
    },
    async openDispute(chargeId, reason) {
      const charge = await get(chargeId, 'charge');
      const dispute = await put('dispute', {
        id: localId('dp'),
        object: 'dispute',
        amount: charge.amount,
        currency: charge.currency,
        charge: charge.id,
        payment_intent: charge.payment_intent,
        reason,
        status: 'needs_response',
        evidence: {},
        created: nowSec(),
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
      const updated = await put('account', {
        ...a,
        charges_enabled: true,
        payouts_enabled: true,
        details_submitted: true,
      });
      await emit('account.updated', updated, accountId);
    },
    async settlePayout(accountId, payoutId, outcome, opts = {}) {
      const po = await get(payoutId, 'payout');
      // Failed and canceled are final; a paid payout can still come back (the bank returns it).
      const from = po.status as string;
      if (from === 'failed' || from === 'canceled' || from === outcome || (from === 'paid' && outcome !== 'failed'))
        return;
      const updated = await put(
        'payout',
        {
          ...po,
          status: outcome,
          failure_message: outcome === 'failed' ? 'The bank account details on file are incorrect.' : null,
          failure_code: outcome === 'failed' ? 'account_closed' : null,
        },
        { account: accountId },
      );
      await emit(`payout.${outcome}`, updated, accountId, opts.deliver !== false);
    },
    async setRefundMode(status) {
      await put('setting', { id: 'setting_refund_mode', status });
    },
    async updateRefund(refundId, status, failureReason) {
      const r = await get(refundId, 'refund');
      const from = r.status as string;
      if (from === status || from === 'failed' || from === 'canceled') return;
      const updated = await put('refund', {
        ...r,
        status,
        failure_reason:
          status === 'succeeded' ? null : (failureReason ?? (status === 'failed' ? 'expired_or_canceled_card' : null)),
      });
      if (status !== 'succeeded') {
        // Like Stripe: the refunded amount goes back onto the charge (the money returned to the platform).
        const charge = await get(r.charge as string, 'charge');
        const amountRefunded = Math.max(0, (charge.amount_refunded as number) - (r.amount as number));
        await put('charge', {
          ...charge,
          amount_refunded: amountRefunded,
          refunded: amountRefunded >= (charge.amount as number),
        });
      }
      await emit('refund.updated', updated);
      if (status === 'failed') await emit('refund.failed', updated);
    },
    async failNext(op, count, retryable) {
      const row = await deps.db
        .select()
        .from(localStripeObjects)
        .where(and(eq(localStripeObjects.id, `fault_${op}`), eq(localStripeObjects.type, 'fault')))
        .get();
      const queue = (row?.data as { queue?: boolean[] } | undefined)?.queue ?? [];
      await put('fault', { id: `fault_${op}`, queue: [...queue, ...Array.from({ length: count }, () => retryable)] });
    },
  };
  return port;
}
