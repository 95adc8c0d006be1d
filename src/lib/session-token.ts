/**
 * Signed session tokens: `v1.<sid>.<userId>.<exp>.<sig>`, HMAC-SHA256 with SESSION_SECRET. The sid
 * carries 260 random bits (52 base32 characters; ids minted before were 24 characters and still parse).
 * They verify with no database read (the hot booking path), while the session itself stays a row
 * in D1 (stored by the hash of its sid) so it can be listed and revoked.
 */
import { fromBase64Url, toBase64Url } from './crypto';
import { randomId } from './ids';

const keys = new Map<string, Promise<CryptoKey>>();
const enc = new TextEncoder();

function key(secret: string): Promise<CryptoKey> {
  let k = keys.get(secret);
  if (!k) {
    k = crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    keys.set(secret, k);
  }
  return k;
}

export interface TokenClaims {
  sid: string;
  userId: string;
  /** Expiry, Unix seconds. */
  exp: number;
}

/** Characters of a session id: 52 × 5 random bits = 260 bits (at least 256). */
export const SID_LENGTH = 52;

/** A fresh session id: 52 lowercase base32 characters, each 5 uniformly random bits. */
export function newSid(): string {
  return randomId('tok', SID_LENGTH).slice(4);
}

export async function signToken(secret: string, claims: TokenClaims): Promise<string> {
  const body = `v1.${claims.sid}.${claims.userId}.${claims.exp.toString(36)}`;
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', await key(secret), enc.encode(body)));
  return `${body}.${toBase64Url(sig)}`;
}

/** The claims of a token whose signature is valid (expiry is the caller's business), else null. */
export async function verifyToken(secret: string, token: string): Promise<TokenClaims | null> {
  if (token.length > 300) return null;
  const parts = token.split('.');
  if (parts.length !== 5) return null;
  // Five parts, so no default below applies; an empty one would fail its check anyway.
  const [version, sid = '', userId = '', exp = '', sig64 = ''] = parts;
  if (
    version !== 'v1' ||
    !/^[0-9a-z]{16,64}$/.test(sid) ||
    !/^usr_[0-9a-z]{6,40}$/.test(userId) ||
    !/^[0-9a-z]{1,10}$/.test(exp)
  )
    return null;
  let sig: Uint8Array<ArrayBuffer>;
  try {
    sig = fromBase64Url(sig64);
  } catch {
    return null;
  }
  const ok = await crypto.subtle.verify(
    'HMAC',
    await key(secret),
    sig,
    enc.encode(`${version}.${sid}.${userId}.${exp}`),
  );
  return ok ? { sid, userId, exp: parseInt(exp, 36) } : null;
}
