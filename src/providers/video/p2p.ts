/**
 * Built-in peer-to-peer video (default without a Daily key): the "room" is the booking's CallRoom
 * Durable Object, which relays WebRTC offers, answers and ICE candidates between the two
 * participants. Join tokens are HMAC-signed (booking, user, role, validity window) and checked by
 * the CallRoom when a participant connects.
 */
import { fromBase64Url, toBase64Url } from '../../lib/crypto';
import type { VideoPort, VideoRoom } from './port';

export interface CallClaims {
  bookingId: string;
  userId: string;
  userName: string;
  role: 'CREATOR' | 'FAN';
  /** Unix seconds: the token's validity (the access window)… */
  nbf: number;
  exp: number;
  /** …and the booked end of the call, when the CallRoom ends it. */
  end: number;
}

const enc = new TextEncoder();
const keyCache = new Map<string, Promise<CryptoKey>>();
const key = (secret: string) => {
  let k = keyCache.get(secret);
  if (!k) {
    k = crypto.subtle.importKey('raw', enc.encode(`call:${secret}`), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    keyCache.set(secret, k);
  }
  return k;
};

export async function signCallToken(secret: string, claims: CallClaims): Promise<string> {
  const body = toBase64Url(enc.encode(JSON.stringify(claims)));
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', await key(secret), enc.encode(body)));
  return `${body}.${toBase64Url(sig)}`;
}

/** Claims of a valid token for this booking at `nowSec`, else null. */
export async function verifyCallToken(
  secret: string,
  token: string,
  bookingId: string,
  nowSec: number,
): Promise<CallClaims | null> {
  const [body, sig] = token.split('.');
  if (!body || !sig || token.length > 1000) return null;
  try {
    if (!(await crypto.subtle.verify('HMAC', await key(secret), fromBase64Url(sig), enc.encode(body)))) return null;
    const claims = JSON.parse(new TextDecoder().decode(fromBase64Url(body))) as CallClaims;
    if (claims.bookingId !== bookingId || nowSec < claims.nbf || nowSec >= claims.exp) return null;
    return claims;
  } catch {
    return null;
  }
}

export function p2pVideo(deps: { secret: string; closeRoom: (bookingId: string) => Promise<void> }): VideoPort {
  return {
    name: 'p2p',
    // Presence is seen by the CallRoom itself: no webhooks.
    webhook: null,
    async ensureRoom({ bookingId }) {
      return { provider: 'p2p', name: bookingId, url: null } satisfies VideoRoom;
    },
    async joinToken(input) {
      return signCallToken(deps.secret, {
        bookingId: input.bookingId,
        userId: input.userId,
        userName: input.userName,
        role: input.isOwner ? 'CREATOR' : 'FAN',
        nbf: Math.floor(input.notBefore.getTime() / 1000),
        exp: Math.floor(input.expiresAt.getTime() / 1000),
        end: Math.floor(input.callEndsAt.getTime() / 1000),
      });
    },
    async deleteRoom(room) {
      await deps.closeRoom(room.name);
    },
    async attendance() {
      return null;
    },
  };
}
