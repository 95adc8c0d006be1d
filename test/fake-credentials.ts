/** Credentials the fakes accept; shared by the Node-side fakes, vitest.config.ts and the workers tests. */
export const FAKE_GOOGLE_CLIENT = { id: 'test-google-client.apps.googleusercontent.com', secret: 'test-google-secret' };
export const FAKE_STRIPE = { secretKey: 'sk_test_fake_callastar', publishableKey: 'pk_test_fake_callastar', webhookSecret: 'whsec_fake_callastar_webhooks' };
