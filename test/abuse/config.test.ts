/**
 * Attacker stories against the deployed configuration: a staging or production Worker missing a
 * provider's secrets must not serve at all (built-in payments would confirm bookings with a fake
 * card, the public development webhook secret would sign anyone's events), the development
 * surfaces stay out of production even with every key, the test-only host overrides are ignored
 * there, and staging runs a built-in provider only when it says so.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../src/app';
import { users, webhookEvents } from '../../src/db/schema';
import { createSession } from '../../src/domain/accounts/sessions';
import { buildDeps } from '../../src/deps';
import { readConfig, type Bindings } from '../../src/env';
import { LOCAL_WEBHOOK_SECRET } from '../../src/providers/payments/local';
import { deployedEnv, productionEnv } from '../config-envs';
import { APPEND_ONLY, diff, snapshot } from '../db-snapshot';
import { FAKE_STRIPE, FAKE_TURN } from '../fake-credentials';
import { BASE, bookingRow, deps, testEnv, uniqueEmail, paymentOf } from '../helpers';
import { holdOffer, fans, offerFor, onboardedCreator } from '../scenarios';

type Patch = Record<string, string | undefined>;
const app = createApp();
const cryptoProvider = Stripe.createSubtleCryptoProvider();

/** One request through the app with `env` as its bindings (what a Worker deployed with them would answer). */
async function serve(env: Bindings, path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`${BASE}${path}`, { redirect: 'manual', ...init }), env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** A fan's PENDING booking paid through the built-in provider (made in the test env, where it runs). */
async function heldBooking() {
  const c = await onboardedCreator();
  const offer = await offerFor(c, { price: 4200 });
  const [fan] = await fans(1);
  return { fan, ...(await holdOffer(offer.id, fan)) };
}

let eventNo = 0;
/** "payment_intent.succeeded" for `intentId`, signed with the built-in provider's public development secret. */
async function forgedPaymentEvent(intentId: string) {
  const payload = JSON.stringify({
    id: `evt_forged_${++eventNo}`,
    object: 'event',
    type: 'payment_intent.succeeded',
    created: Math.floor(Date.now() / 1000),
    data: {
      object: {
        id: intentId,
        object: 'payment_intent',
        status: 'succeeded',
        amount: 4200,
        currency: 'eur',
        latest_charge: 'ch_forged',
      },
    },
  });
  const signature = await Stripe.webhooks.generateTestHeaderStringAsync({
    payload,
    secret: LOCAL_WEBHOOK_SECRET,
    cryptoProvider,
  });
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    body: payload,
  };
}

/** What changed besides the append-only logs (a refused webhook logs its refusal). */
const changesBesideLogs = async (before: Awaited<ReturnType<typeof snapshot>>) =>
  diff(before, await snapshot()).filter((ch) => !APPEND_ONLY.includes(ch.table));

// Every outbound request is caught here: none of these tests may reach a provider (production
// ignores the fakes' hosts), and the hosts the SDKs asked for are what the override story checks.
let outbound: string[] = [];
let consoleErrors: string[] = [];
beforeEach(() => {
  outbound = [];
  consoleErrors = [];
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL) => {
    outbound.push(input instanceof Request ? input.url : String(input));
    return Response.json(
      { error: { type: 'invalid_request_error', message: 'intercepted by the test' } },
      { status: 400 },
    );
  });
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    consoleErrors.push(args.map(String).join(' '));
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Deployed envs that lack what a provider (or a pair of secrets that only work together) needs. */
const REFUSED: { what: string; patch: Patch; names: string[] }[] = [
  {
    what: 'no payment provider',
    patch: { STRIPE_SECRET_KEY: undefined, STRIPE_PUBLISHABLE_KEY: undefined, STRIPE_WEBHOOK_SECRET: undefined },
    names: ['STRIPE_SECRET_KEY', 'STRIPE_PUBLISHABLE_KEY', 'STRIPE_WEBHOOK_SECRET'],
  },
  {
    what: 'the Stripe key without its webhook secret',
    patch: { STRIPE_WEBHOOK_SECRET: undefined },
    names: ['STRIPE_WEBHOOK_SECRET'],
  },
  {
    what: 'the Stripe key with an empty webhook secret',
    patch: { STRIPE_WEBHOOK_SECRET: '' },
    names: ['STRIPE_WEBHOOK_SECRET'],
  },
  {
    what: 'the Stripe key without the publishable key',
    patch: { STRIPE_PUBLISHABLE_KEY: undefined },
    names: ['STRIPE_PUBLISHABLE_KEY'],
  },
  {
    what: 'the Stripe webhook secret without the key',
    patch: { STRIPE_SECRET_KEY: undefined },
    names: ['STRIPE_SECRET_KEY'],
  },
  {
    what: 'the public development secret as Stripe webhook secret',
    patch: { STRIPE_WEBHOOK_SECRET: LOCAL_WEBHOOK_SECRET },
    names: ['STRIPE_WEBHOOK_SECRET'],
  },
  {
    what: 'the public development secret among the Stripe endpoint secrets',
    patch: { STRIPE_WEBHOOK_SECRET: `${FAKE_STRIPE.webhookSecret}, ${LOCAL_WEBHOOK_SECRET}` },
    names: ['STRIPE_WEBHOOK_SECRET'],
  },
  {
    what: 'no video provider',
    patch: { DAILY_API_KEY: undefined, DAILY_WEBHOOK_SECRET: undefined },
    names: ['DAILY_API_KEY', 'DAILY_WEBHOOK_SECRET'],
  },
  {
    what: 'the Daily key without its webhook secret',
    patch: { DAILY_WEBHOOK_SECRET: undefined },
    names: ['DAILY_WEBHOOK_SECRET'],
  },
  {
    what: 'no email provider',
    patch: { RESEND_API_KEY: undefined, RESEND_WEBHOOK_SECRET: undefined },
    names: ['RESEND_API_KEY', 'RESEND_WEBHOOK_SECRET'],
  },
  {
    what: 'the Resend key without its webhook secret',
    patch: { RESEND_WEBHOOK_SECRET: undefined },
    names: ['RESEND_WEBHOOK_SECRET'],
  },
  {
    what: 'a Google client id without its secret',
    patch: { GOOGLE_CLIENT_SECRET: undefined },
    names: ['GOOGLE_CLIENT_SECRET'],
  },
  {
    what: 'a Google client secret without its id',
    patch: { GOOGLE_CLIENT_ID: undefined },
    names: ['GOOGLE_CLIENT_ID'],
  },
  {
    what: 'a TURN key id without its API token',
    patch: { TURN_KEY_ID: FAKE_TURN.keyId },
    names: ['TURN_KEY_API_TOKEN'],
  },
  {
    what: 'a TURN API token without its key id',
    patch: { TURN_KEY_API_TOKEN: FAKE_TURN.apiToken },
    names: ['TURN_KEY_ID'],
  },
  { what: 'no session secret', patch: { SESSION_SECRET: undefined }, names: ['SESSION_SECRET'] },
  {
    what: 'no provider at all',
    patch: {
      STRIPE_SECRET_KEY: undefined,
      STRIPE_PUBLISHABLE_KEY: undefined,
      STRIPE_WEBHOOK_SECRET: undefined,
      DAILY_API_KEY: undefined,
      DAILY_WEBHOOK_SECRET: undefined,
      RESEND_API_KEY: undefined,
      RESEND_WEBHOOK_SECRET: undefined,
    },
    names: ['STRIPE_SECRET_KEY', 'DAILY_API_KEY', 'RESEND_API_KEY'],
  },
];

describe.each(['staging', 'production'] as const)('%s without what a provider needs', (appEnv) => {
  let held: Awaited<ReturnType<typeof heldBooking>>;
  beforeAll(async () => {
    held = await heldBooking();
  });

  it.each(REFUSED)('$what: refused at start, the app does not serve, nothing is written', async ({ patch, names }) => {
    const env = deployedEnv(appEnv, patch);
    let thrown: unknown = null;
    try {
      readConfig(env);
    } catch (e) {
      thrown = e;
    }
    expect(thrown, 'readConfig must refuse').toBeInstanceOf(Error);
    for (const name of names) expect((thrown as Error).message).toContain(name);

    const before = await snapshot();
    const email = uniqueEmail('misconfigured');
    const requests: [string, RequestInit][] = [
      ['/en/', {}],
      ['/fr/', { headers: { 'accept-language': 'fr' } }],
      ['/api/health', {}],
      [
        '/api/auth/signup',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password: 'correct-horse-battery', name: 'Mallory' }),
        },
      ],
      ['/api/webhooks/stripe', await forgedPaymentEvent(held.intentId)],
      [
        `/checkout/local/${held.intentId}/pay`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${held.fan.token}`,
            'content-type': 'application/x-www-form-urlencoded',
            origin: BASE,
          },
          body: 'outcome=succeed',
        },
      ],
    ];
    for (const [path, init] of requests) {
      const res = await serve(env, path, init);
      expect(res.status, path).toBe(503);
      expect(res.headers.get('cache-control'), path).toBe('no-store');
      const text = await res.text();
      // The reason goes to the logs, never to the visitor.
      for (const name of names) expect(text, path).not.toContain(name);
      if (path.startsWith('/api/')) {
        const body = JSON.parse(text) as { error: { code: string; message: string; requestId: string } };
        expect(body.error.code, path).toBe('MISCONFIGURED');
        expect(body.error.requestId, path).toMatch(/^req_/);
      } else {
        expect(res.headers.get('content-type'), path).toContain('text/html');
        // The page speaks the URL's language, else the visitor's, else French (the default).
        expect(text, path).toContain(
          path.startsWith('/en/')
            ? 'The service is temporarily unavailable'
            : 'Le service est momentanément indisponible',
        );
      }
    }
    // Nothing at all was written: no account, no session, no payment, no webhook record, no log row.
    expect(diff(before, await snapshot())).toEqual([]);
    expect(await deps().db.select().from(users).where(eq(users.email, email)).get()).toBeUndefined();
    expect((await bookingRow(held.bookingId)).status).toBe('PENDING');
    // …and the operator is told why, in the Worker's logs.
    expect(consoleErrors.length).toBeGreaterThanOrEqual(requests.length);
    for (const name of names) expect(consoleErrors.join('\n')).toContain(name);
    expect(outbound).toEqual([]);
  });
});

describe('production never runs a built-in provider', () => {
  it('refuses BUILTIN_PROVIDERS in production, even with every key set, an unknown name in staging, an unknown APP_ENV', async () => {
    const cases: [Bindings, RegExp][] = [
      [deployedEnv('production', { BUILTIN_PROVIDERS: 'payments,video,email' }), /BUILTIN_PROVIDERS/],
      [deployedEnv('production', { BUILTIN_PROVIDERS: 'payments' }), /BUILTIN_PROVIDERS/],
      [deployedEnv('production', { BUILTIN_PROVIDERS: 'email' }), /BUILTIN_PROVIDERS/],
      [deployedEnv('staging', { BUILTIN_PROVIDERS: 'payment' }), /BUILTIN_PROVIDERS/],
      [deployedEnv('staging', { BUILTIN_PROVIDERS: 'payments,sms' }), /BUILTIN_PROVIDERS/],
      // A typo is not "development": it is refused, never read as a local environment.
      [deployedEnv('production', { APP_ENV: 'Production', STRIPE_SECRET_KEY: undefined }), /APP_ENV/],
    ];
    for (const [env, reason] of cases) {
      expect(
        () => readConfig(env),
        JSON.stringify({ APP_ENV: env.APP_ENV, BUILTIN_PROVIDERS: env.BUILTIN_PROVIDERS }),
      ).toThrow(reason);
      const before = await snapshot();
      expect((await serve(env, '/api/health')).status).toBe(503);
      expect(diff(before, await snapshot())).toEqual([]);
    }
  });

  it('with every key: no local checkout, no /dev/* page, no local payment controls', async () => {
    const held = await heldBooking();
    const env = productionEnv();
    const d = buildDeps(env);
    expect([d.payments.name, d.video.name, d.emailProvider.name, d.localPayments]).toEqual([
      'stripe',
      'daily',
      'resend',
      null,
    ]);
    const { token } = await createSession(d, held.fan.user, 'BEARER');
    const before = await snapshot();
    const auth = { authorization: `Bearer ${token}` };
    const form = { ...auth, 'content-type': 'application/x-www-form-urlencoded', origin: BASE };
    const json = { ...auth, 'content-type': 'application/json', origin: BASE };
    const attempts: [string, string, RequestInit][] = [
      ['GET', `/checkout/local/${held.intentId}`, { headers: auth }],
      ['POST', `/checkout/local/${held.intentId}/pay`, { method: 'POST', headers: form, body: 'outcome=succeed' }],
      ['POST', `/checkout/local/${held.intentId}/authenticate`, { method: 'POST', headers: form, body: 'ok=1' }],
      ['GET', '/checkout/local/onboarding/acct_local_abc123', { headers: auth }],
      ['POST', '/checkout/local/onboarding/acct_local_abc123', { method: 'POST', headers: form, body: '' }],
      ['GET', '/dev/mailbox', { headers: auth }],
      ['GET', '/dev/clock', { headers: auth }],
      ['POST', '/dev/clock', { method: 'POST', headers: json, body: JSON.stringify({ advanceMs: 86_400_000 }) }],
      ['GET', '/dev/demo-call', { headers: auth }],
      ['POST', '/dev/demo-call', { method: 'POST', headers: form, body: '' }],
    ];
    for (const [method, path, init] of attempts) {
      const res = await serve(env, path, init);
      expect(res.status, `${method} ${path}`).toBe(404);
      await res.body?.cancel();
    }
    expect((await bookingRow(held.bookingId)).status).toBe('PENDING');
    expect(diff(before, await snapshot())).toEqual([]);
    expect(outbound).toEqual([]);
  });
});

describe('the public development webhook secret', () => {
  it('is never accepted in production: a forged payment event is refused and changes nothing', async () => {
    const held = await heldBooking();
    const before = await snapshot();
    const res = await serve(productionEnv(), '/api/webhooks/stripe', await forgedPaymentEvent(held.intentId));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('SIGNATURE_INVALID');
    expect((await bookingRow(held.bookingId)).status).toBe('PENDING');
    expect((await paymentOf(held.bookingId)).status).not.toBe('SUCCEEDED');
    expect(await changesBesideLogs(before)).toEqual([]);
    expect(outbound).toEqual([]);
  });

  it('is not accepted by staging with built-in payments either, whose own checkout still confirms the booking', async () => {
    const held = await heldBooking();
    const env = deployedEnv('staging', {
      BUILTIN_PROVIDERS: 'payments',
      STRIPE_SECRET_KEY: undefined,
      STRIPE_PUBLISHABLE_KEY: undefined,
      STRIPE_WEBHOOK_SECRET: undefined,
    });
    expect(buildDeps(env).localPayments).not.toBeNull();
    const before = await snapshot();
    const res = await serve(env, '/api/webhooks/stripe', await forgedPaymentEvent(held.intentId));
    expect(res.status).toBe(400);
    expect((await bookingRow(held.bookingId)).status).toBe('PENDING');
    expect(await changesBesideLogs(before)).toEqual([]);
    expect(
      await deps()
        .db.select()
        .from(webhookEvents)
        .where(eq(webhookEvents.eventId, `evt_forged_${eventNo}`))
        .get(),
    ).toBeUndefined();

    // The fan pays on staging's built-in checkout: its events are signed with a secret nobody outside knows.
    const { token } = await createSession(buildDeps(env), held.fan.user, 'BEARER');
    const back = `/en/bookings/${held.bookingId}`;
    const pay = await serve(env, `/checkout/local/${held.intentId}/pay?return=${encodeURIComponent(back)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded', origin: BASE },
      body: 'outcome=succeed',
    });
    expect(pay.status).toBe(303);
    expect((await bookingRow(held.bookingId)).status).toBe('CONFIRMED');
  });

  it('still signs the built-in provider events in development and test (unchanged)', async () => {
    const held = await heldBooking();
    const res = await serve(testEnv, '/api/webhooks/stripe', await forgedPaymentEvent(held.intentId));
    expect(res.status).toBe(200);
  });
});

describe('*_API_BASE overrides', () => {
  const fakes = testEnv.FAKES_URL;
  const OVERRIDES: Patch = {
    STRIPE_API_BASE: fakes,
    DAILY_API_BASE: `${fakes}/daily`,
    RESEND_API_BASE: `${fakes}/resend`,
    TURN_API_BASE: `${fakes}/cloudflare`,
    GOOGLE_OAUTH_BASE: `${fakes}/google`,
    TURN_KEY_ID: FAKE_TURN.keyId,
    TURN_KEY_API_TOKEN: FAKE_TURN.apiToken,
  };
  /** The origins the Stripe SDK, the Daily and Resend adapters, the TURN minting and Google sign-in use in `appEnv`. */
  async function hostsUsed(appEnv: 'staging' | 'production') {
    outbound = [];
    const env = deployedEnv(appEnv, OVERRIDES);
    const d = buildDeps(env);
    const soon = new Date(Date.now() + 3_600_000);
    await d.payments.retrieveIntent('pi_override_check').catch(() => null);
    await d.video
      .ensureRoom({ bookingId: 'bkg_override_check', notBefore: new Date(), expiresAt: soon })
      .catch(() => null);
    await d.emailProvider
      .send(
        { from: 'a@callastar.example', to: 'b@example.test', subject: 's', html: '<p>h</p>', text: 't' },
        'override-check',
      )
      .catch(() => null);
    await d.ice.serversFor({ now: new Date(), until: soon }).catch(() => null);
    const google = await serve(env, '/auth/google/start');
    return {
      api: outbound.map((u) => new URL(u).origin),
      google: new URL(google.headers.get('location') ?? 'about:blank').origin,
    };
  }

  it('are ignored in production: the SDKs and adapters talk to the real hosts', async () => {
    const used = await hostsUsed('production');
    expect(new Set(used.api)).toEqual(
      new Set([
        'https://api.stripe.com',
        'https://api.daily.co',
        'https://api.resend.com',
        'https://rtc.live.cloudflare.com',
      ]),
    );
    expect(used.google).toBe('https://accounts.google.com');
  });

  it('are honoured outside production (staging here; the with-keys tests run against the fakes in test)', async () => {
    const used = await hostsUsed('staging');
    const origin = new URL(fakes).origin;
    expect(used.api.length).toBeGreaterThanOrEqual(4);
    expect(new Set(used.api)).toEqual(new Set([origin]));
    expect(used.google).toBe(origin);
  });
});

describe('staging with built-in providers', () => {
  const NO_KEYS: Patch = {
    STRIPE_SECRET_KEY: undefined,
    STRIPE_PUBLISHABLE_KEY: undefined,
    STRIPE_WEBHOOK_SECRET: undefined,
    DAILY_API_KEY: undefined,
    DAILY_WEBHOOK_SECRET: undefined,
    RESEND_API_KEY: undefined,
    RESEND_WEBHOOK_SECRET: undefined,
  };

  it('runs them only when it opts in explicitly, provider by provider', async () => {
    expect(() => readConfig(deployedEnv('staging', NO_KEYS))).toThrow(/STRIPE_SECRET_KEY/);
    expect(() => readConfig(deployedEnv('staging', { ...NO_KEYS, BUILTIN_PROVIDERS: 'payments,video' }))).toThrow(
      /RESEND_API_KEY/,
    );

    const all = deployedEnv('staging', { ...NO_KEYS, BUILTIN_PROVIDERS: 'payments, video, email' });
    const d = buildDeps(all);
    expect([d.payments.name, d.video.name, d.emailProvider.name, d.localPayments === null]).toEqual([
      'local',
      'p2p',
      'outbox',
      false,
    ]);
    expect((await serve(all, '/api/health')).status).toBe(200);
    // Built-in providers are not the development tools: those stay out of staging.
    for (const path of ['/dev/mailbox', '/dev/clock', '/dev/demo-call'])
      expect((await serve(all, path)).status, path).toBe(404);

    // Only the providers it names: Stripe's keys set, payments are Stripe's even though listed.
    const some = deployedEnv('staging', {
      BUILTIN_PROVIDERS: 'payments,email',
      RESEND_API_KEY: undefined,
      RESEND_WEBHOOK_SECRET: undefined,
    });
    const s = buildDeps(some);
    expect([s.payments.name, s.video.name, s.emailProvider.name]).toEqual(['stripe', 'daily', 'outbox']);
  });

  it('development and test need nothing: without keys everything is built-in (unchanged)', () => {
    const d = buildDeps(testEnv);
    expect([d.payments.name, d.video.name, d.emailProvider.name, d.config.devTools]).toEqual([
      'local',
      'p2p',
      'outbox',
      true,
    ]);
    const dev = buildDeps({ ...testEnv, APP_ENV: 'development' });
    expect([dev.payments.name, dev.video.name, dev.emailProvider.name, dev.config.devTools]).toEqual([
      'local',
      'p2p',
      'outbox',
      true,
    ]);
  });
});
