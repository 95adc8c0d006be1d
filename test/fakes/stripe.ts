/**
 * A local fake of the Stripe API (the subset Call a Star uses), strict like Stripe: Bearer secret
 * key, form-encoded bodies (every POST) with bracket notation, unknown parameters refused (400
 * parameter_unknown), required parameters, Idempotency-Key replay (same key + different body →
 * idempotency_error), Stripe-Account required for connected-account payouts and refused on the
 * platform's own objects, evidence refused on closed disputes, Stripe's error shape, amount limits.
 * Every API request is recorded with its Idempotency-Key and parameters (`GET /__state/stripe`):
 * stripe-node adds its own `stripe-node-retry-…` key when the app passes none, so tests check the
 * app's keys there. Events are signed like Stripe's webhooks; tests collect them from
 * `/__stripe/deliveries` and post them to the app.
 * Controls under /__stripe/: confirm a payment (or leave it processing, like SEPA), have the next
 * cancel of an intent find it paid (a race with the fan's confirmation), finish onboarding,
 * open/close disputes, settle payouts, pending refunds and their later outcome, make the next
 * requests fail (429/500) or lose their responses (the request happened, the answer never came back).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { FAKE_STRIPE } from '../fake-credentials';
import type { Fake, FakeRequest, FakeResponse } from './server';

type Obj = Record<string, unknown> & { id: string; object: string };

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const now = () => Math.floor(Date.now() / 1000);
const MIN_CHARGE: Record<string, number> = { eur: 50, usd: 50, chf: 50, gbp: 30 };

/** Parses Stripe's form encoding (`a[b][c]=1`, `a[0]=x`) into nested objects. */
export function parseForm(body: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.replace(/\]/g, '').split('[');
    let node = out as Record<string, unknown>;
    path.forEach((p, i) => {
      if (i === path.length - 1) node[p] = value;
      else {
        node[p] ??= {};
        node = node[p] as Record<string, unknown>;
      }
    });
  }
  return out;
}

const err = (status: number, type: string, message: string, code?: string, param?: string): FakeResponse => ({
  status,
  body: { error: { type, message, ...(code ? { code } : {}), ...(param ? { param } : {}) } },
});

/** What the fake saw of one API request (tests assert the app's own keys and parameters reached it). */
export interface StripeRequestRecord {
  method: string;
  path: string;
  idempotencyKey?: string;
  account?: string;
  contentType?: string;
  /** The parsed form body (POST) or query (GET). */
  params: Record<string, unknown>;
}

/**
 * The parameters each endpoint the app calls accepts (a `*` segment matches any key or index, e.g.
 * `metadata[*]`, `expand[*]`). Anything else is refused like Stripe does: 400 parameter_unknown.
 */
const EVIDENCE_FIELDS = [
  'access_activity_log',
  'billing_address',
  'cancellation_policy',
  'cancellation_policy_disclosure',
  'cancellation_rebuttal',
  'customer_communication',
  'customer_email_address',
  'customer_name',
  'customer_purchase_ip',
  'customer_signature',
  'duplicate_charge_documentation',
  'duplicate_charge_explanation',
  'duplicate_charge_id',
  'product_description',
  'receipt',
  'refund_policy',
  'refund_policy_disclosure',
  'refund_refusal_explanation',
  'service_date',
  'service_documentation',
  'shipping_address',
  'shipping_carrier',
  'shipping_date',
  'shipping_documentation',
  'shipping_tracking_number',
  'uncategorized_file',
  'uncategorized_text',
];
/** Evidence fields that take an uploaded file's id, not text. */
const EVIDENCE_FILES = [
  'cancellation_policy',
  'customer_communication',
  'customer_signature',
  'duplicate_charge_documentation',
  'receipt',
  'refund_policy',
  'service_documentation',
  'shipping_documentation',
  'uncategorized_file',
];
const LIST = ['limit', 'starting_after', 'ending_before', 'expand[*]'];
const ACCEPTS: [string, RegExp, string[]][] = [
  [
    'POST',
    /^\/v1\/accounts$/,
    [
      'type',
      'country',
      'email',
      'default_currency',
      'business_type',
      'capabilities[*][requested]',
      'controller[*]',
      'controller[*][*]',
      'settings[payouts][schedule][interval]',
      'settings[payouts][schedule][delay_days]',
      'metadata[*]',
      'expand[*]',
    ],
  ],
  [
    'POST',
    /^\/v1\/accounts\/acct_\w+$/,
    [
      'email',
      'default_currency',
      'settings[payouts][schedule][interval]',
      'settings[payouts][schedule][delay_days]',
      'metadata[*]',
      'expand[*]',
    ],
  ],
  [
    'POST',
    /^\/v1\/account_links$/,
    ['account', 'type', 'return_url', 'refresh_url', 'collect', 'collection_options[fields]', 'expand[*]'],
  ],
  [
    'POST',
    /^\/v1\/account_sessions$/,
    ['account', 'components[*][enabled]', 'components[*][features][*]', 'expand[*]'],
  ],
  [
    'POST',
    /^\/v1\/payment_intents$/,
    [
      'amount',
      'currency',
      'application_fee_amount',
      'transfer_data[destination]',
      'transfer_data[amount]',
      'automatic_payment_methods[enabled]',
      'automatic_payment_methods[allow_redirects]',
      'description',
      'metadata[*]',
      'receipt_email',
      'customer',
      'on_behalf_of',
      'capture_method',
      'statement_descriptor_suffix',
      'transfer_group',
      'expand[*]',
    ],
  ],
  ['POST', /^\/v1\/payment_intents\/pi_\w+\/cancel$/, ['cancellation_reason', 'expand[*]']],
  [
    'POST',
    /^\/v1\/refunds$/,
    [
      'payment_intent',
      'charge',
      'amount',
      'reason',
      'reverse_transfer',
      'refund_application_fee',
      'metadata[*]',
      'expand[*]',
    ],
  ],
  [
    'POST',
    /^\/v1\/disputes\/dp_\w+$/,
    [...EVIDENCE_FIELDS.map((f) => `evidence[${f}]`), 'submit', 'metadata[*]', 'expand[*]'],
  ],
  [
    'POST',
    /^\/v1\/payouts$/,
    ['amount', 'currency', 'metadata[*]', 'description', 'method', 'statement_descriptor', 'destination', 'expand[*]'],
  ],
  [
    'POST',
    /^\/v1\/transfers\/tr_\w+\/reversals$/,
    ['amount', 'metadata[*]', 'description', 'refund_application_fee', 'expand[*]'],
  ],
  ['GET', /^\/v1\/refunds$/, ['payment_intent', 'charge', 'created[*]', ...LIST]],
  ['GET', /^\/v1\/events$/, ['created[*]', 'type', 'types[*]', 'delivery_success', ...LIST]],
  ['GET', /^\/v1\/\w+\/\w+$/, ['expand[*]']],
];

/** Stripe's form keys (`a[b][0]`) as segments (`a`, `b`, `0`). */
const segments = (key: string) => key.replace(/\]/g, '').split('[');
const accepts = (pattern: string, key: string) => {
  const p = segments(pattern);
  const k = segments(key);
  return p.length === k.length && p.every((s, i) => s === '*' || s === k[i]);
};

/**
 * Endpoints where Stripe needs the connected account's Stripe-Account header (the payout is made on
 * its balance), and the platform's own objects, which a Stripe-Account header would look for on the
 * connected account instead (destination charges live on the platform).
 */
const NEEDS_ACCOUNT = [/^\/v1\/payouts/];
const PLATFORM_ONLY = [
  /^\/v1\/payment_intents/,
  /^\/v1\/refunds/,
  /^\/v1\/charges/,
  /^\/v1\/disputes/,
  /^\/v1\/transfers/,
  /^\/v1\/account_links/,
  /^\/v1\/account_sessions/,
  /^\/v1\/accounts/,
];

/** Checks an API request like Stripe before any route runs: form encoding, known parameters, Stripe-Account. */
function refusedRequest(req: FakeRequest): FakeResponse | null {
  const account = req.headers['stripe-account'] as string | undefined;
  if (
    req.method === 'POST' &&
    !String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
  ) {
    return err(
      400,
      'invalid_request_error',
      'Invalid request: Stripe accepts application/x-www-form-urlencoded bodies only.',
    );
  }
  const allowed = ACCEPTS.find(([m, re]) => m === req.method && re.test(req.path));
  if (allowed) {
    const keys = req.method === 'POST' ? [...new URLSearchParams(req.rawBody).keys()] : [...req.query.keys()];
    const unknown = keys.find((k) => !allowed[2].some((p) => accepts(p, k)));
    if (unknown)
      return err(400, 'invalid_request_error', `Received unknown parameter: ${unknown}`, 'parameter_unknown', unknown);
    if (req.method === 'POST' && /^\/v1\/disputes\//.test(req.path)) {
      const body = new URLSearchParams(req.rawBody);
      const notAFile = EVIDENCE_FILES.find(
        (f) => body.has(`evidence[${f}]`) && !/^file_\w+$/.test(body.get(`evidence[${f}]`) ?? ''),
      );
      if (notAFile)
        return err(
          400,
          'invalid_request_error',
          `Invalid file id for evidence[${notAFile}]: upload the file first and pass its id.`,
          'resource_missing',
          `evidence[${notAFile}]`,
        );
    }
  }
  if (req.method === 'POST' && NEEDS_ACCOUNT.some((re) => re.test(req.path)) && !account) {
    return err(
      400,
      'invalid_request_error',
      'Payouts of a connected account are made with its Stripe-Account header.',
      'parameter_missing',
      'Stripe-Account',
    );
  }
  if (account && PLATFORM_ONLY.some((re) => re.test(req.path))) {
    // The object (or the charge to create) belongs to the platform: under Stripe-Account it does not exist.
    return err(
      404,
      'invalid_request_error',
      `No such object on account '${account}': this request acts on the platform, without Stripe-Account.`,
      'resource_missing',
    );
  }
  return null;
}

export function stripeFake(): Fake {
  let objects = new Map<string, Obj>();
  let idem = new Map<string, { fingerprint: string; response: FakeResponse }>();
  let events: Obj[] = [];
  let deliveries: { payload: string; signature: string }[] = [];
  let failNext: { status: number; count: number } = { status: 0, count: 0 };
  /** Responses lost on the way back (the request did happen at "Stripe"): the next `count` POSTs to `path`. */
  let lose: { path: string; count: number } = { path: '', count: 0 };
  const answer = (req: FakeRequest, res: FakeResponse): FakeResponse => {
    if (req.method !== 'POST' || lose.count <= 0 || req.path !== lose.path) return res;
    lose.count--;
    return err(500, 'api_error', 'The connection was reset before the response arrived.');
  };
  let requests: StripeRequestRecord[] = [];
  /** Intents whose next cancel finds them paid (see /__stripe/pay-before-cancel). */
  let payBeforeCancel = new Set<string>();
  /** Refunds created from now on start with this status (`pending`: like some bank refunds). */
  let refundStatus: 'succeeded' | 'pending' = 'succeeded';

  const put = (o: Obj) => {
    objects.set(o.id, o);
    return o;
  };
  const get = (oid: string, type: string) => {
    const o = objects.get(oid);
    return o && o.object === type ? o : null;
  };
  const missing = (type: string, oid: string, param = 'id') =>
    err(404, 'invalid_request_error', `No such ${type}: '${oid}'`, 'resource_missing', param);
  /** `expand[]` paths asked for (form body or query), e.g. `transfer_reversal` or `data.transfer_reversal`. */
  const expands = (req: FakeRequest, b: Record<string, unknown>) => [
    ...Object.values((b.expand as Record<string, string> | undefined) ?? {}),
    ...[...req.query.entries()].filter(([k]) => k.startsWith('expand')).map(([, v]) => v),
  ];
  const withReversal = (refund: Obj, expand: boolean) =>
    expand && typeof refund.transfer_reversal === 'string'
      ? { ...refund, transfer_reversal: objects.get(refund.transfer_reversal) }
      : refund;
  /** A connected account's balance: transfers in, minus reversals and payouts that did not fail or get canceled. */
  const balanceOf = (account: string, currency: string) =>
    [...objects.values()]
      .filter((o) => o.object === 'transfer' && o.destination === account && o.currency === currency)
      .reduce((s, t) => s + (t.amount as number) - (t.amount_reversed as number), 0) -
    [...objects.values()]
      .filter(
        (o) =>
          o.object === 'payout' &&
          o.account === account &&
          o.currency === currency &&
          o.status !== 'failed' &&
          o.status !== 'canceled',
      )
      .reduce((s, p) => s + (p.amount as number), 0);
  function reverse(tr: Obj, amount: number, extra: Record<string, unknown>): Obj {
    const rev = put({
      id: id('trr'),
      object: 'transfer_reversal',
      amount,
      currency: tr.currency,
      transfer: tr.id,
      metadata: {},
      created: now(),
      ...extra,
    });
    tr.amount_reversed = (tr.amount_reversed as number) + amount;
    tr.reversed = tr.amount_reversed === tr.amount;
    (tr.reversals as { data: Obj[] }).data.unshift(rev);
    return rev;
  }

  function emit(type: string, object: Obj, account?: string) {
    const event: Obj = {
      id: id('evt'),
      object: 'event',
      api_version: '2026-10-28.endive',
      created: now(),
      livemode: false,
      type,
      data: { object: structuredClone(object) },
      ...(account ? { account } : {}),
    };
    events.push(event);
    const payload = JSON.stringify(event);
    const t = now();
    const v1 = createHmac('sha256', FAKE_STRIPE.webhookSecret).update(`${t}.${payload}`).digest('hex');
    deliveries.push({ payload, signature: `t=${t},v1=${v1}` });
  }

  function require(body: Record<string, unknown>, ...params: string[]): FakeResponse | null {
    for (const p of params)
      if (body[p] === undefined || body[p] === '')
        return err(400, 'invalid_request_error', `Missing required param: ${p}.`, 'parameter_missing', p);
    return null;
  }

  function succeed(pi: Obj) {
    const dest = (pi.transfer_data as { destination?: string } | null)?.destination;
    const chargeId = id('ch');
    let transfer: string | null = null;
    if (dest) {
      transfer = id('tr');
      put({
        id: transfer,
        object: 'transfer',
        amount: (pi.amount as number) - ((pi.application_fee_amount as number) ?? 0),
        currency: pi.currency,
        destination: dest,
        amount_reversed: 0,
        reversals: { data: [] },
        source_transaction: chargeId,
        created: now(),
      });
    }
    const charge = put({
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
      transfer,
      created: now(),
    });
    Object.assign(pi, { status: 'succeeded', latest_charge: chargeId, last_payment_error: null });
    emit('charge.succeeded', charge);
    emit('payment_intent.succeeded', pi);
  }

  const routes: [
    string,
    RegExp,
    (req: FakeRequest, m: RegExpMatchArray, body: Record<string, unknown>) => FakeResponse,
  ][] = [
    [
      'POST',
      /^\/v1\/accounts$/,
      (_r, _m, b) => {
        if (b.type !== 'express' && !b.controller)
          return err(
            400,
            'invalid_request_error',
            'You must specify either type or controller.',
            'parameter_missing',
            'type',
          );
        return {
          status: 200,
          body: put({
            id: id('acct'),
            object: 'account',
            type: 'express',
            email: b.email ?? null,
            charges_enabled: false,
            payouts_enabled: false,
            details_submitted: false,
            default_currency: b.default_currency ?? 'eur',
            capabilities: {},
            settings: {
              payouts: {
                schedule: {
                  interval:
                    (b.settings as { payouts?: { schedule?: { interval?: string } } })?.payouts?.schedule?.interval ??
                    'daily',
                },
              },
            },
            metadata: b.metadata ?? {},
            created: now(),
          }),
        };
      },
    ],
    [
      'GET',
      /^\/v1\/accounts\/(acct_\w+)$/,
      (_r, m) => {
        const a = get(m[1], 'account');
        return a ? { status: 200, body: a } : missing('account', m[1], 'account');
      },
    ],
    [
      'POST',
      /^\/v1\/accounts\/(acct_\w+)$/,
      (_r, m, b) => {
        const a = get(m[1], 'account');
        if (!a) return missing('account', m[1], 'account');
        const interval = (b.settings as { payouts?: { schedule?: { interval?: string } } })?.payouts?.schedule
          ?.interval;
        if (interval)
          (a.settings as { payouts: { schedule: { interval: string } } }).payouts.schedule.interval = interval;
        return { status: 200, body: a };
      },
    ],
    [
      'POST',
      /^\/v1\/account_links$/,
      (_r, _m, b) => {
        const miss = require(b, 'account', 'type', 'return_url', 'refresh_url');
        if (miss) return miss;
        if (!get(String(b.account), 'account')) return missing('account', String(b.account), 'account');
        if (b.type !== 'account_onboarding' && b.type !== 'account_update')
          return err(400, 'invalid_request_error', 'Invalid type', 'parameter_invalid_string', 'type');
        return {
          status: 200,
          body: {
            object: 'account_link',
            url: `https://connect.stripe.test/setup/e/${b.account}/${randomBytes(8).toString('hex')}`,
            expires_at: now() + 300,
            created: now(),
          },
        };
      },
    ],
    [
      'POST',
      /^\/v1\/account_sessions$/,
      (_r, _m, b) => {
        const miss = require(b, 'account', 'components');
        if (miss) return miss;
        return {
          status: 200,
          body: {
            object: 'account_session',
            account: b.account,
            client_secret: `accs_secret_${randomBytes(12).toString('hex')}`,
            expires_at: now() + 1800,
          },
        };
      },
    ],
    [
      'POST',
      /^\/v1\/payment_intents$/,
      (_r, _m, b) => {
        const miss = require(b, 'amount', 'currency');
        if (miss) return miss;
        const amount = Number(b.amount);
        const currency = String(b.currency).toLowerCase();
        if (!Number.isInteger(amount) || amount < 1)
          return err(400, 'invalid_request_error', 'Invalid integer: amount', 'parameter_invalid_integer', 'amount');
        if (amount < (MIN_CHARGE[currency] ?? 50))
          return err(
            400,
            'invalid_request_error',
            `Amount must be at least ${MIN_CHARGE[currency] ?? 50} ${currency}`,
            'amount_too_small',
            'amount',
          );
        const fee = b.application_fee_amount === undefined ? null : Number(b.application_fee_amount);
        if (fee !== null && (fee < 0 || fee > amount))
          return err(
            400,
            'invalid_request_error',
            'application_fee_amount must be less than or equal to amount',
            'parameter_invalid_integer',
            'application_fee_amount',
          );
        const dest = (b.transfer_data as { destination?: string } | undefined)?.destination;
        if (dest) {
          const acct = get(dest, 'account');
          if (!acct) return missing('account', dest, 'transfer_data[destination]');
          if (acct.charges_enabled !== true)
            return err(
              400,
              'invalid_request_error',
              'Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments',
              'insufficient_capabilities_for_transfer',
              'transfer_data[destination]',
            );
        }
        const pid = id('pi');
        return {
          status: 200,
          body: put({
            id: pid,
            object: 'payment_intent',
            amount,
            currency,
            status: 'requires_payment_method',
            client_secret: `${pid}_secret_${randomBytes(8).toString('hex')}`,
            application_fee_amount: fee,
            transfer_data: dest ? { destination: dest } : null,
            metadata: b.metadata ?? {},
            description: b.description ?? null,
            latest_charge: null,
            last_payment_error: null,
            receipt_email: b.receipt_email ?? null,
            created: now(),
          }),
        };
      },
    ],
    [
      'GET',
      /^\/v1\/payment_intents\/(pi_\w+)$/,
      (_r, m) => {
        const pi = get(m[1], 'payment_intent');
        return pi ? { status: 200, body: pi } : missing('payment_intent', m[1], 'intent');
      },
    ],
    [
      'POST',
      /^\/v1\/payment_intents\/(pi_\w+)\/cancel$/,
      (_r, m) => {
        const pi = get(m[1], 'payment_intent');
        if (!pi) return missing('payment_intent', m[1], 'intent');
        // The fan's confirmation landed between the app's retrieve and this cancel (see /__stripe/pay-before-cancel).
        if (payBeforeCancel.delete(pi.id) && pi.status !== 'succeeded' && pi.status !== 'canceled') succeed(pi);
        // Like Stripe: a processing payment (the bank is settling it) can no longer be called off.
        if (pi.status === 'succeeded' || pi.status === 'canceled' || pi.status === 'processing')
          return err(
            400,
            'invalid_request_error',
            `You cannot cancel this PaymentIntent because it has a status of ${pi.status}.`,
            'payment_intent_unexpected_state',
          );
        Object.assign(pi, { status: 'canceled', cancellation_reason: 'requested_by_customer' });
        emit('payment_intent.canceled', pi);
        return { status: 200, body: pi };
      },
    ],
    [
      'POST',
      /^\/v1\/refunds$/,
      (r, _m, b) => {
        const miss = require(b, 'payment_intent');
        if (miss) return miss;
        const pi = get(String(b.payment_intent), 'payment_intent');
        if (!pi) return missing('payment_intent', String(b.payment_intent), 'payment_intent');
        if (pi.status !== 'succeeded')
          return err(
            400,
            'invalid_request_error',
            'This PaymentIntent does not have a successful charge to refund.',
            'charge_not_refundable',
          );
        const charge = get(String(pi.latest_charge), 'charge')!;
        const left = (charge.amount as number) - (charge.amount_refunded as number);
        const amount = b.amount === undefined ? left : Number(b.amount);
        if (amount > left)
          return err(
            400,
            'invalid_request_error',
            `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`,
            'amount_too_large',
            'amount',
          );
        if (amount < 1)
          return err(400, 'invalid_request_error', 'Invalid positive integer', 'parameter_invalid_integer', 'amount');
        const refund = put({
          id: id('re'),
          object: 'refund',
          amount,
          currency: charge.currency,
          charge: charge.id,
          payment_intent: pi.id,
          status: refundStatus,
          metadata: b.metadata ?? {},
          transfer_reversal: null,
          created: now(),
        });
        if (b.reverse_transfer === 'true' && charge.transfer) {
          // Pro rata to the refunded share of the charge, and never more than is left on the transfer.
          const tr = get(String(charge.transfer), 'transfer')!;
          // Like the built-in provider, never below a zero balance: what cannot be taken back, the creator owes.
          const back = Math.min(
            (tr.amount as number) - (tr.amount_reversed as number),
            Math.floor((amount * (tr.amount as number)) / (charge.amount as number)),
            Math.max(0, balanceOf(String(tr.destination), String(tr.currency))),
          );
          if (back > 0) refund.transfer_reversal = reverse(tr, back, { source_refund: refund.id }).id;
        }
        Object.assign(charge, {
          amount_refunded: (charge.amount_refunded as number) + amount,
          refunded: (charge.amount_refunded as number) + amount >= (charge.amount as number),
        });
        emit('charge.refunded', charge);
        emit('refund.created', refund);
        return { status: 200, body: withReversal(refund, expands(r, b).includes('transfer_reversal')) };
      },
    ],
    [
      'GET',
      /^\/v1\/refunds\/(re_\w+)$/,
      (r, m) => {
        const re = get(m[1], 'refund');
        return re
          ? { status: 200, body: withReversal(re, expands(r, {}).includes('transfer_reversal')) }
          : missing('refund', m[1], 'refund');
      },
    ],
    [
      'GET',
      /^\/v1\/refunds$/,
      (r) => {
        const pi = r.query.get('payment_intent');
        const expand = expands(r, {}).includes('data.transfer_reversal');
        const data = [...objects.values()]
          .filter((o) => o.object === 'refund' && (!pi || o.payment_intent === pi))
          .map((o) => withReversal(o, expand));
        return { status: 200, body: { object: 'list', url: '/v1/refunds', has_more: false, data } };
      },
    ],
    [
      'GET',
      /^\/v1\/charges\/(ch_\w+)$/,
      (_r, m) => {
        const ch = get(m[1], 'charge');
        return ch ? { status: 200, body: ch } : missing('charge', m[1], 'charge');
      },
    ],
    [
      'GET',
      /^\/v1\/disputes\/(dp_\w+)$/,
      (_r, m) => {
        const d = get(m[1], 'dispute');
        return d ? { status: 200, body: d } : missing('dispute', m[1], 'dispute');
      },
    ],
    [
      'POST',
      /^\/v1\/disputes\/(dp_\w+)$/,
      (_r, m, b) => {
        const d = get(m[1], 'dispute');
        if (!d) return missing('dispute', m[1], 'dispute');
        if (['won', 'lost', 'warning_closed', 'charge_refunded'].includes(String(d.status)))
          return err(
            400,
            'invalid_request_error',
            `This dispute is already closed (${d.status}): evidence can no longer be submitted.`,
          );
        Object.assign(d, { evidence: { ...(d.evidence as object), ...(b.evidence as object) } });
        if (b.submit === 'true')
          Object.assign(d, {
            status: 'under_review',
            evidence_details: { ...(d.evidence_details as object), submission_count: 1, has_evidence: true },
          });
        emit('charge.dispute.updated', d);
        return { status: 200, body: d };
      },
    ],
    [
      'POST',
      /^\/v1\/payouts$/,
      (r, _m, b) => {
        const account = r.headers['stripe-account'] as string | undefined;
        if (!account)
          return err(
            400,
            'invalid_request_error',
            'Payouts on a connected account need the Stripe-Account header in this integration.',
            'parameter_missing',
          );
        const acct = get(account, 'account');
        if (!acct)
          return err(
            403,
            'invalid_request_error',
            'The provided key does not have access to account',
            'account_invalid',
          );
        const miss = require(b, 'amount', 'currency');
        if (miss) return miss;
        if (acct.payouts_enabled !== true)
          return err(400, 'invalid_request_error', 'Payouts are not enabled for this account', 'payouts_not_allowed');
        const amount = Number(b.amount);
        const currency = String(b.currency).toLowerCase();
        if (!Number.isInteger(amount) || amount < 1)
          return err(400, 'invalid_request_error', 'Invalid positive integer', 'parameter_invalid_integer', 'amount');
        if (amount > balanceOf(account, currency))
          return err(
            400,
            'invalid_request_error',
            'You have insufficient funds in your Stripe account for this transfer. Your card balance is too low.',
            'balance_insufficient',
            'amount',
          );
        const po = put({
          id: id('po'),
          object: 'payout',
          amount,
          currency,
          status: 'pending',
          failure_message: null,
          metadata: b.metadata ?? {},
          account,
          arrival_date: now() + 86400,
          created: now(),
        });
        return { status: 200, body: po };
      },
    ],
    // A connected account's payout exists only under its Stripe-Account header.
    [
      'GET',
      /^\/v1\/payouts\/(po_\w+)$/,
      (r, m) => {
        const po = get(m[1], 'payout');
        return po && po.account === r.headers['stripe-account']
          ? { status: 200, body: po }
          : missing('payout', m[1], 'payout');
      },
    ],
    [
      'GET',
      /^\/v1\/transfers\/(tr_\w+)$/,
      (_r, m) => {
        const tr = get(m[1], 'transfer');
        return tr ? { status: 200, body: tr } : missing('transfer', m[1], 'transfer');
      },
    ],
    [
      'POST',
      /^\/v1\/transfers\/(tr_\w+)\/reversals$/,
      (_r, m, b) => {
        const tr = get(m[1], 'transfer');
        if (!tr) return missing('transfer', m[1], 'id');
        const amount = Number(b.amount ?? (tr.amount as number) - (tr.amount_reversed as number));
        if (!Number.isInteger(amount) || amount < 1)
          return err(400, 'invalid_request_error', 'Invalid positive integer', 'parameter_invalid_integer', 'amount');
        if (amount > (tr.amount as number) - (tr.amount_reversed as number))
          return err(
            400,
            'invalid_request_error',
            'Reversal amount exceeds transfer amount remaining',
            'transfer_reversal_too_large',
            'amount',
          );
        if (amount > balanceOf(String(tr.destination), String(tr.currency)))
          return err(
            400,
            'invalid_request_error',
            'Insufficient funds in the connected account to cover this reversal.',
            'balance_insufficient',
            'amount',
          );
        return { status: 200, body: reverse(tr, amount, { metadata: b.metadata ?? {} }) };
      },
    ],
    [
      'GET',
      /^\/v1\/events$/,
      (r) => {
        const gte = Number(r.query.get('created[gte]') ?? 0);
        const limit = Math.min(100, Number(r.query.get('limit') ?? 10));
        const after = r.query.get('starting_after');
        // The platform's list leaves out connected accounts' events; Stripe-Account lists that account's.
        const account = r.headers['stripe-account'] as string | undefined;
        // Stripe lists newest first and pages with starting_after.
        let list = events
          .filter((e) => (e.created as number) >= gte && e.account === account)
          .slice()
          .reverse();
        if (after) list = list.slice(list.findIndex((e) => e.id === after) + 1);
        return {
          status: 200,
          body: { object: 'list', url: '/v1/events', has_more: list.length > limit, data: list.slice(0, limit) },
        };
      },
    ],
    // ------------------------------------------------------------------ test controls
    [
      'POST',
      /^\/__stripe\/confirm\/(pi_\w+)$/,
      (_r, m, b) => {
        const pi = get(m[1], 'payment_intent');
        if (!pi) return missing('payment_intent', m[1]);
        if (pi.status === 'succeeded' || pi.status === 'canceled')
          return err(
            400,
            'invalid_request_error',
            `This PaymentIntent's status is ${pi.status}: it cannot be confirmed.`,
            'payment_intent_unexpected_state',
          );
        if (b.outcome === 'processing') {
          // SEPA Debit, or a card whose confirmation takes a while: the bank answers later (confirm again with the outcome).
          Object.assign(pi, { status: 'processing', last_payment_error: null });
          emit('payment_intent.processing', pi);
        } else if (b.outcome === 'decline') {
          Object.assign(pi, {
            status: 'requires_payment_method',
            last_payment_error: { type: 'card_error', code: 'card_declined', message: 'Your card was declined.' },
          });
          emit('payment_intent.payment_failed', pi);
        } else succeed(pi);
        return { status: 200, body: pi };
      },
    ],
    // The next cancel of this intent finds it paid: the fan's confirmation raced the app's release.
    [
      'POST',
      /^\/__stripe\/pay-before-cancel\/(pi_\w+)$/,
      (_r, m) => {
        payBeforeCancel.add(m[1]);
        return { status: 204 };
      },
    ],
    [
      'POST',
      /^\/__stripe\/accounts\/(acct_\w+)\/complete$/,
      (_r, m) => {
        const a = get(m[1], 'account');
        if (!a) return missing('account', m[1]);
        Object.assign(a, { charges_enabled: true, payouts_enabled: true, details_submitted: true });
        emit('account.updated', a, a.id);
        return { status: 200, body: a };
      },
    ],
    [
      'POST',
      /^\/__stripe\/disputes$/,
      (_r, _m, b) => {
        const charge = get(String(b.charge), 'charge');
        if (!charge) return missing('charge', String(b.charge));
        const d = put({
          id: id('dp'),
          object: 'dispute',
          amount: charge.amount,
          currency: charge.currency,
          charge: charge.id,
          payment_intent: charge.payment_intent,
          reason: b.reason ?? 'fraudulent',
          status: 'needs_response',
          evidence: {},
          evidence_details: { due_by: now() + 7 * 86400, submission_count: 0 },
          created: now(),
        });
        charge.disputed = true;
        emit('charge.dispute.created', d);
        return { status: 200, body: d };
      },
    ],
    [
      'POST',
      /^\/__stripe\/disputes\/(dp_\w+)\/close$/,
      (_r, m, b) => {
        const d = get(m[1], 'dispute');
        if (!d) return missing('dispute', m[1]);
        d.status = b.status === 'lost' ? 'lost' : 'won';
        emit('charge.dispute.closed', d);
        return { status: 200, body: d };
      },
    ],
    // outcome paid | failed (also after paid: the bank returned it) | canceled; deliver=false: the webhook is lost.
    [
      'POST',
      /^\/__stripe\/payouts\/(po_\w+)\/settle$/,
      (_r, m, b) => {
        const po = get(m[1], 'payout');
        if (!po) return missing('payout', m[1]);
        const outcome = b.outcome === 'failed' ? 'failed' : b.outcome === 'canceled' ? 'canceled' : 'paid';
        if (po.status === 'failed' || po.status === 'canceled' || (po.status === 'paid' && outcome !== 'failed'))
          return err(400, 'invalid_request_error', `This payout is ${po.status}.`);
        Object.assign(
          po,
          outcome === 'failed'
            ? { status: 'failed', failure_message: 'The bank account has been closed.', failure_code: 'account_closed' }
            : { status: outcome },
        );
        const before = deliveries.length;
        emit(`payout.${outcome}`, po, po.account as string);
        if (b.deliver === 'false') deliveries.splice(before);
        return { status: 200, body: po };
      },
    ],
    // Refunds created from now on start `pending` or `succeeded` (the default).
    [
      'POST',
      /^\/__stripe\/refund-mode$/,
      (_r, _m, b) => {
        refundStatus = b.status === 'pending' ? 'pending' : 'succeeded';
        return { status: 204 };
      },
    ],
    // The bank's later answer on a refund: succeeded, or failed / canceled (the amount goes back on the charge).
    [
      'POST',
      /^\/__stripe\/refunds\/(re_\w+)\/update$/,
      (_r, m, b) => {
        const re = get(m[1], 'refund');
        if (!re) return missing('refund', m[1]);
        const status = b.status === 'failed' ? 'failed' : b.status === 'canceled' ? 'canceled' : 'succeeded';
        if (re.status === 'failed' || re.status === 'canceled')
          return err(400, 'invalid_request_error', `This refund is ${re.status}.`);
        if (status !== 'succeeded') {
          const charge = get(String(re.charge), 'charge')!;
          charge.amount_refunded = Math.max(0, (charge.amount_refunded as number) - (re.amount as number));
          charge.refunded = false;
        }
        Object.assign(re, {
          status,
          failure_reason: status === 'succeeded' ? null : String(b.failure_reason ?? 'expired_or_canceled_card'),
        });
        emit('refund.updated', re);
        if (status === 'failed') emit('refund.failed', re);
        return { status: 200, body: re };
      },
    ],
    [
      'POST',
      /^\/__stripe\/lose-responses$/,
      (_r, _m, b) => {
        lose = { path: String(b.path ?? ''), count: Number(b.count ?? 1) };
        return { status: 204 };
      },
    ],
    [
      'POST',
      /^\/__stripe\/fail-next$/,
      (_r, _m, b) => {
        failNext = { status: Number(b.status ?? 500), count: Number(b.count ?? 1) };
        return { status: 204 };
      },
    ],
    [
      'POST',
      /^\/__stripe\/deliveries$/,
      () => {
        const out = deliveries;
        deliveries = [];
        return { status: 200, body: out };
      },
    ],
  ];

  return {
    prefix: '/v1',
    prefixes: ['/v1', '/__stripe'],
    state: () => ({ objects: objects.size, events: events.length, requests }),
    reset: () => {
      objects = new Map();
      idem = new Map();
      events = [];
      deliveries = [];
      requests = [];
      failNext = { status: 0, count: 0 };
      refundStatus = 'succeeded';
      lose = { path: '', count: 0 };
      payBeforeCancel = new Set();
    },
    handle(req: FakeRequest) {
      const path = req.path;
      const control = path.startsWith('/__stripe/');
      if (!control) {
        const auth = String(req.headers.authorization ?? '');
        if (!auth.startsWith('Bearer sk_test_'))
          return err(
            401,
            'invalid_request_error',
            `Invalid API Key provided: ${auth.slice(7, 15)}…`,
            'api_key_invalid',
          );
        const key = req.headers['idempotency-key'] as string | undefined;
        requests.push({
          method: req.method,
          path,
          idempotencyKey: key,
          account: req.headers['stripe-account'] as string | undefined,
          contentType: req.headers['content-type'] as string | undefined,
          params: req.method === 'POST' ? parseForm(req.rawBody) : parseForm(req.query.toString()),
        });
        if (failNext.count > 0) {
          failNext.count--;
          return failNext.status === 429
            ? {
                status: 429,
                headers: { 'retry-after': '1' },
                body: {
                  error: {
                    type: 'invalid_request_error',
                    code: 'rate_limit',
                    message: 'Too many requests hit the API too quickly.',
                  },
                },
              }
            : err(failNext.status, 'api_error', 'An unknown error occurred');
        }
        const refused = refusedRequest(req);
        if (refused) return refused;
        if (req.method === 'POST' && key) {
          const fingerprint = `${path}|${req.rawBody}`;
          const prior = idem.get(`${req.headers['stripe-account'] ?? ''}|${key}`);
          if (prior) {
            if (prior.fingerprint !== fingerprint)
              return err(
                400,
                'idempotency_error',
                `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
              );
            return answer(req, {
              ...prior.response,
              headers: { ...(prior.response.headers ?? {}), 'idempotent-replayed': 'true' },
            });
          }
          if (
            req.headers['content-type'] &&
            !String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')
          ) {
            return err(400, 'invalid_request_error', 'Stripe accepts form-encoded bodies only.');
          }
        }
      }
      const body = req.method === 'POST' ? parseForm(req.rawBody) : {};
      for (const [method, re, fn] of routes) {
        const m = path.match(re);
        if (m && method === req.method) {
          const res = fn(req, m, body);
          const key = req.headers['idempotency-key'] as string | undefined;
          if (!control && req.method === 'POST' && key && res.status < 500)
            idem.set(`${req.headers['stripe-account'] ?? ''}|${key}`, {
              fingerprint: `${path}|${req.rawBody}`,
              response: res,
            });
          return control ? res : answer(req, res);
        }
      }
      return err(404, 'invalid_request_error', `Unrecognized request URL (${req.method}: ${path}).`);
    },
  };
}
