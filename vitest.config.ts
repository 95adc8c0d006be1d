import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { FAKE_GOOGLE_CLIENT } from './test/fake-credentials';
import { startFakes } from './test/fakes/server';

// Two projects: `workers` runs inside workerd (real D1, DOs, queues, rate limiters) through the
// Cloudflare plugin; `browser` drives headless Chromium against a local `wrangler dev`.
export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations');
  // Fake Stripe/Daily/Resend/Google APIs for the workers project, on a random local port.
  const fakes = await startFakes();
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: './wrangler.toml' },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  APP_ENV: 'test',
                  APP_URL: 'http://localhost',
                  // Structured logs still go to D1 (tests assert on them); echo them with SHOW_LOGS=1.
                  LOG_CONSOLE: process.env.SHOW_LOGS ? 'true' : 'false',
                  FAKES_URL: fakes.url,
                  GOOGLE_CLIENT_ID: FAKE_GOOGLE_CLIENT.id,
                  GOOGLE_CLIENT_SECRET: FAKE_GOOGLE_CLIENT.secret,
                  GOOGLE_OAUTH_BASE: `${fakes.url}/google`,
                },
              },
            }),
          ],
          test: {
            name: 'workers',
            include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
            exclude: ['test/browser/**'],
            setupFiles: ['./test/setup.ts'],
            testTimeout: 30_000,
          },
        },
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
