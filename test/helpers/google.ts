/** Google sign-in through the local fake OAuth server. */
import { FAKE_GOOGLE_CLIENT } from '../fake-credentials';
import { testEnv } from './context';
import { cookieFrom, fetchApp } from './http';

/**
 * Signs in with Google against the local fake: start, consent with `profile` (sub, email,
 * email_verified, name…), callback. Returns the callback's response (cookies, redirect).
 */
export async function googleSignIn(
  profile: Record<string, string>,
  next = '',
  headers: Record<string, string> = {},
): Promise<Response> {
  const start = await fetchApp(`/auth/google/start?lang=en&next=${encodeURIComponent(next)}`, { headers });
  if (start.status !== 302) throw new Error(`google start: ${start.status}`);
  const authorize = new URL(start.headers.get('location')!);
  if (
    authorize.searchParams.get('client_id') !== FAKE_GOOGLE_CLIENT.id ||
    authorize.searchParams.get('code_challenge_method') !== 'S256'
  )
    throw new Error(`unexpected authorize URL ${authorize}`);
  const oauthCookie = cookieFrom(start, 'g_oauth')!;
  const consent = new URL(`${testEnv.FAKES_URL}/google/__consent`);
  for (const k of ['client_id', 'redirect_uri', 'state', 'code_challenge'])
    consent.searchParams.set(k, authorize.searchParams.get(k)!);
  for (const [k, v] of Object.entries(profile)) consent.searchParams.set(k, v);
  const { code, state } = (await (await fetch(consent)).json()) as { code: string; state: string };
  const cookie = [oauthCookie, headers.cookie].filter(Boolean).join('; ');
  return fetchApp(`/auth/google/callback?code=${code}&state=${state}`, { headers: { ...headers, cookie } });
}
