/**
 * Fake Google OAuth 2.0 / OpenID: authorization codes bound to client, redirect URI and PKCE
 * challenge; token exchange checks them like Google does (invalid_grant, invalid_client).
 * Tests obtain a code by calling `/google/__consent` (what a user clicking "Allow" would do).
 */
import { createHash, randomBytes } from 'node:crypto';
import { FAKE_GOOGLE_CLIENT } from '../fake-credentials';
import type { Fake, FakeRequest } from './server';

interface Grant {
  clientId: string;
  redirectUri: string;
  challenge: string;
  profile: Record<string, unknown>;
  used: boolean;
}

const b64url = (b: Buffer) => b.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

export function googleFake(): Fake {
  let codes = new Map<string, Grant>();
  let tokens = new Map<string, Record<string, unknown>>();
  let exchanges = 0;
  return {
    prefix: '/google',
    state: () => ({ exchanges, codes: codes.size, tokens: tokens.size }),
    reset: () => {
      codes = new Map();
      tokens = new Map();
      exchanges = 0;
    },
    handle(req: FakeRequest) {
      if (req.path === '/__consent') {
        const q = req.query;
        const code = b64url(randomBytes(16));
        codes.set(code, {
          clientId: q.get('client_id') ?? '',
          redirectUri: q.get('redirect_uri') ?? '',
          challenge: q.get('code_challenge') ?? '',
          profile: {
            sub: q.get('sub'),
            email: q.get('email'),
            email_verified: q.get('email_verified') === 'true',
            name: q.get('name') ?? undefined,
            locale: q.get('locale') ?? undefined,
          },
          used: false,
        });
        return { status: 200, body: { code, state: q.get('state') } };
      }
      if (req.path === '/token' && req.method === 'POST') {
        exchanges++;
        const f = new URLSearchParams(req.rawBody);
        if (f.get('client_id') !== FAKE_GOOGLE_CLIENT.id || f.get('client_secret') !== FAKE_GOOGLE_CLIENT.secret) {
          return { status: 401, body: { error: 'invalid_client' } };
        }
        const grant = codes.get(f.get('code') ?? '');
        const verifier = f.get('code_verifier') ?? '';
        if (
          !grant ||
          grant.used ||
          grant.redirectUri !== f.get('redirect_uri') ||
          grant.clientId !== f.get('client_id') ||
          b64url(createHash('sha256').update(verifier).digest()) !== grant.challenge
        ) {
          return { status: 400, body: { error: 'invalid_grant' } };
        }
        grant.used = true;
        const access = `ya29.${b64url(randomBytes(24))}`;
        tokens.set(access, grant.profile);
        return {
          status: 200,
          body: { access_token: access, token_type: 'Bearer', expires_in: 3599, scope: 'openid email profile' },
        };
      }
      if (req.path === '/v1/userinfo') {
        const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
        const profile = tokens.get(token);
        return profile ? { status: 200, body: profile } : { status: 401, body: { error: 'invalid_token' } };
      }
      return { status: 404, body: { error: 'not found' } };
    },
  };
}
