/** Credentials the fakes accept; shared by the Node-side fakes, vitest.config.ts and the workers tests. */
export const FAKE_GOOGLE_CLIENT = { id: 'test-google-client.apps.googleusercontent.com', secret: 'test-google-secret' };
export const FAKE_STRIPE = {
  secretKey: 'sk_test_fake_callastar',
  publishableKey: 'pk_test_fake_callastar',
  webhookSecret: 'whsec_fake_callastar_webhooks',
};
/** Daily: API key, and the webhook's `hmac` secret (base64, as Daily returns it). */
/** `isolatedApiKey`: a second valid key whose rate limiting is controlled separately (parallel tests). */
export const FAKE_DAILY = {
  apiKey: 'daily_test_fake_callastar_key',
  isolatedApiKey: 'daily_test_fake_isolated_key',
  webhookSecret: Buffer.from('fake-daily-webhook-hmac-secret-32b').toString('base64'),
  domain: 'callastar-test.daily.co',
};
/** Resend: API key, a second key whose failures are controlled separately, and the webhook secret (Svix `whsec_…`). */
export const FAKE_RESEND = {
  apiKey: 're_test_fake_callastar',
  isolatedApiKey: 're_test_fake_isolated',
  webhookSecret: `whsec_${Buffer.from('fake-resend-webhook-secret-32by').toString('base64')}`,
};
/** Cloudflare Realtime TURN: the TURN key's id and its API token. */
export const FAKE_TURN = { keyId: 'turnkey_fake_callastar', apiToken: 'turn_api_token_fake_callastar' };
