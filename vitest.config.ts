import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { FAKE_DAILY, FAKE_GOOGLE_CLIENT, FAKE_RESEND, FAKE_STRIPE } from './test/fake-credentials';
import { startFakes } from './test/fakes/server';

// Five projects: `workers` and `workers-keys` run inside workerd (real D1, Durable Objects,
// queues, rate limiters) through the Cloudflare plugin — with the built-in providers, and with
// Stripe, Daily and Resend configured against the local fakes; `client` runs browser-free client
// logic in Node; `repo` checks the repository itself (the layering) in Node; `browser` drives
// headless Chromium against `wrangler dev`.
export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations');
  // Fake Stripe/Daily/Resend/Google APIs for the workers project, on a random local port.
  const fakes = await startFakes();
  // workers-keys gets its own fakes: the built-in project's Stripe contract test would otherwise
  // queue webhook deliveries that a with-keys file, running at the same time, takes and posts.
  const keyFakes = await startFakes();
  const bindings = {
    TEST_MIGRATIONS: migrations,
    APP_ENV: 'test',
    APP_URL: 'http://localhost',
    // Structured logs still go to D1 (tests assert on them); echo them with SHOW_LOGS=1.
    LOG_CONSOLE: process.env.SHOW_LOGS ? 'true' : 'false',
    // Every route() answer is checked against its declared response schema (test/setup.ts).
    CHECK_RESPONSES: 'true',
    FAKES_URL: fakes.url,
    GOOGLE_CLIENT_ID: FAKE_GOOGLE_CLIENT.id,
    GOOGLE_CLIENT_SECRET: FAKE_GOOGLE_CLIENT.secret,
    GOOGLE_OAUTH_BASE: `${fakes.url}/google`,
  };
  const workers = (
    name: string,
    include: string[],
    exclude: string[],
    extra: Record<string, string> = {},
    serial = false,
  ) => ({
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: { bindings: { ...bindings, ...extra } },
      }),
    ],
    test: { name, include, exclude, setupFiles: ['./test/setup.ts'], testTimeout: 30_000, fileParallelism: !serial },
  });
  return {
    test: {
      projects: [
        // Built-in providers (the default, offline mode).
        workers(
          'workers',
          ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
          ['test/browser/**', 'test/with-keys/**', 'test/repo/**'],
        ),
        // The same app with provider keys set: the real Stripe and Resend SDKs and the Daily adapter talk to the local fakes.
        workers(
          'workers-keys',
          ['test/with-keys/**/*.test.ts'],
          [],
          {
            FAKES_URL: keyFakes.url,
            GOOGLE_OAUTH_BASE: `${keyFakes.url}/google`,
            DAILY_API_KEY: FAKE_DAILY.apiKey,
            DAILY_API_BASE: `${keyFakes.url}/daily`,
            DAILY_WEBHOOK_SECRET: FAKE_DAILY.webhookSecret,
            RESEND_API_KEY: FAKE_RESEND.apiKey,
            RESEND_API_BASE: `${keyFakes.url}/resend`,
            RESEND_WEBHOOK_SECRET: FAKE_RESEND.webhookSecret,
            STRIPE_SECRET_KEY: FAKE_STRIPE.secretKey,
            STRIPE_PUBLISHABLE_KEY: FAKE_STRIPE.publishableKey,
            STRIPE_WEBHOOK_SECRET: FAKE_STRIPE.webhookSecret,
            STRIPE_API_BASE: keyFakes.url,
          },
          true,
        ), // one file at a time: they share the fake Stripe's webhook queue and failure switches
        // Client logic that needs no browser (reconnect rules, with fake sockets and timers): plain Node, milliseconds.
        { test: { name: 'client', environment: 'node', include: ['client/**/*.test.ts'] } },
        // Checks of the repository itself (the import rules of the layering), reading the source in Node.
        { test: { name: 'repo', environment: 'node', include: ['test/repo/**/*.test.ts'] } },
        {
          test: {
            name: 'browser',
            environment: 'node',
            include: ['test/browser/**/*.test.ts'],
            globalSetup: ['./test/browser/global-setup.ts'],
            testTimeout: 90_000,
            hookTimeout: 120_000,
            fileParallelism: false,
          },
        },
      ],
    },
  };
});
