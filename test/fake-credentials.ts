/** Credentials the fakes accept; shared by the Node-side fakes, vitest.config.ts and the workers tests. */
export const FAKE_GOOGLE_CLIENT = { id: 'test-google-client.apps.googleusercontent.com', secret: 'test-google-secret' };
