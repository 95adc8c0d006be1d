/**
 * Deployed environments for tests: the test bindings with APP_ENV staging or production and every
 * provider's secrets set (the fakes' values; production ignores the *_API_BASE overrides, so tests
 * using these must not let an SDK reach the network: they stop before, or intercept fetch).
 */
import type { Bindings } from '../src/env';
import { FAKE_DAILY, FAKE_RESEND, FAKE_STRIPE } from './fake-credentials';
import { testEnv } from './helpers';

export const DEPLOYED_SECRETS = {
  SESSION_SECRET: 'a-production-session-secret-of-enough-length',
  STRIPE_SECRET_KEY: FAKE_STRIPE.secretKey,
  STRIPE_PUBLISHABLE_KEY: FAKE_STRIPE.publishableKey,
  STRIPE_WEBHOOK_SECRET: FAKE_STRIPE.webhookSecret,
  DAILY_API_KEY: FAKE_DAILY.apiKey,
  DAILY_WEBHOOK_SECRET: FAKE_DAILY.webhookSecret,
  RESEND_API_KEY: FAKE_RESEND.apiKey,
  RESEND_WEBHOOK_SECRET: FAKE_RESEND.webhookSecret,
};

/** The test env as `appEnv` with every secret set, then `patch` (a value of undefined removes that binding). */
export function deployedEnv(
  appEnv: 'staging' | 'production',
  patch: Record<string, string | undefined> = {},
): Bindings {
  const env: Record<string, unknown> = { ...testEnv, APP_ENV: appEnv, ...DEPLOYED_SECRETS, ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete env[k];
  return env as unknown as Bindings;
}

export const productionEnv = (patch: Record<string, string | undefined> = {}) => deployedEnv('production', patch);
