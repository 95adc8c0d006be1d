/**
 * A local fake of Cloudflare Realtime TURN's credential API: `POST
 * /v1/turn/keys/:keyId/credentials/generate-ice-servers` with `Authorization: Bearer <key API token>`
 * and `{ ttl }` (seconds, at most 48 h) answers 201 `{ iceServers }` — Cloudflare's STUN and TURN
 * URLs (port 53 ones included, as Cloudflare lists them) with a fresh username/credential pair.
 * Wrong key or token → 401; a missing or out-of-range TTL → 400. Issued credentials are recorded.
 */
import { randomBytes } from 'node:crypto';
import { FAKE_TURN } from '../fake-credentials';
import type { Fake, FakeResponse } from './server';

const MAX_TTL = 172_800;

export function cloudflareTurnFake(): Fake {
  let issued: { keyId: string; ttl: number; username: string; credential: string }[] = [];
  return {
    prefix: '/cloudflare',
    handle(req): FakeResponse {
      const m = req.path.match(/^\/v1\/turn\/keys\/([^/]+)\/credentials\/generate-ice-servers$/);
      if (!m || req.method !== 'POST')
        return { status: 404, body: { success: false, errors: [{ code: 404, message: 'Not found' }] } };
      const keyId = decodeURIComponent(m[1]);
      if (keyId !== FAKE_TURN.keyId || req.headers.authorization !== `Bearer ${FAKE_TURN.apiToken}`) {
        return { status: 401, body: { success: false, errors: [{ code: 10000, message: 'Authentication error' }] } };
      }
      let ttl: unknown;
      try {
        ttl = (JSON.parse(req.rawBody || '{}') as { ttl?: unknown }).ttl;
      } catch {
        return { status: 400, body: { success: false, errors: [{ code: 400, message: 'Invalid JSON' }] } };
      }
      if (!Number.isInteger(ttl) || (ttl as number) < 1 || (ttl as number) > MAX_TTL) {
        return {
          status: 400,
          body: { success: false, errors: [{ code: 400, message: `ttl must be an integer between 1 and ${MAX_TTL}` }] },
        };
      }
      const username = randomBytes(16).toString('hex');
      const credential = randomBytes(24).toString('hex');
      issued.push({ keyId, ttl: ttl as number, username, credential });
      return {
        status: 201,
        body: {
          iceServers: [
            { urls: ['stun:stun.cloudflare.com:3478', 'stun:stun.cloudflare.com:53'] },
            {
              urls: [
                'turn:turn.cloudflare.com:3478?transport=udp',
                'turn:turn.cloudflare.com:53?transport=udp',
                'turn:turn.cloudflare.com:3478?transport=tcp',
                'turn:turn.cloudflare.com:80?transport=tcp',
                'turns:turn.cloudflare.com:5349?transport=tcp',
                'turns:turn.cloudflare.com:443?transport=tcp',
              ],
              username,
              credential,
            },
          ],
        },
      };
    },
    state: () => ({ issued }),
    reset() {
      issued = [];
    },
  };
}
