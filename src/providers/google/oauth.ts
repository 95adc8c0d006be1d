/** Google sign-in (OAuth 2.0 authorization code + PKCE, OpenID userinfo). Enabled when GOOGLE_CLIENT_ID/SECRET are set. */
import { z } from 'zod';
import { sha256Base64Url } from '../../lib/pkce';
import type { GoogleProfile } from './port';

export type { GoogleProfile };

export interface GoogleConfig {
  clientId: string;
  clientSecret: string;
  /** Empty for Google itself; a base URL for a local fake in tests. */
  base: string;
}

const endpoints = (cfg: GoogleConfig) => ({
  authorize: cfg.base ? `${cfg.base}/o/oauth2/v2/auth` : 'https://accounts.google.com/o/oauth2/v2/auth',
  token: cfg.base ? `${cfg.base}/token` : 'https://oauth2.googleapis.com/token',
  userinfo: cfg.base ? `${cfg.base}/v1/userinfo` : 'https://openidconnect.googleapis.com/v1/userinfo',
});

export async function googleAuthorizeUrl(
  cfg: GoogleConfig,
  p: { state: string; codeVerifier: string; redirectUri: string },
): Promise<string> {
  const url = new URL(endpoints(cfg).authorize);
  url.search = new URLSearchParams({
    client_id: cfg.clientId,
    redirect_uri: p.redirectUri,
    response_type: 'code',
    scope: 'openid email profile',
    state: p.state,
    code_challenge: await sha256Base64Url(p.codeVerifier),
    code_challenge_method: 'S256',
    prompt: 'select_account',
  }).toString();
  return url.toString();
}

const TokenResponse = z.object({ access_token: z.string().min(1) });
const UserInfo = z.object({
  sub: z.string().min(1),
  email: z.email(),
  email_verified: z.boolean().optional(),
  name: z.string().optional(),
  locale: z.string().optional(),
}) satisfies z.ZodType<GoogleProfile>;

export async function exchangeGoogleCode(
  cfg: GoogleConfig,
  p: { code: string; codeVerifier: string; redirectUri: string },
): Promise<GoogleProfile> {
  const ep = endpoints(cfg);
  const tokenRes = await fetch(ep.token, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: p.code,
      code_verifier: p.codeVerifier,
      redirect_uri: p.redirectUri,
      client_id: cfg.clientId,
      client_secret: cfg.clientSecret,
    }),
  });
  if (!tokenRes.ok) throw new Error(`Google token exchange failed (${tokenRes.status})`);
  const { access_token } = TokenResponse.parse(await tokenRes.json());
  const infoRes = await fetch(ep.userinfo, { headers: { authorization: `Bearer ${access_token}` } });
  if (!infoRes.ok) throw new Error(`Google userinfo failed (${infoRes.status})`);
  return UserInfo.parse(await infoRes.json());
}
