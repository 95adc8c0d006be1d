/**
 * Join credentials reused instead of minted on every join: the provider's token (a Daily meeting
 * token is an API call) and the TURN credentials minted with it (each one costs) are kept per
 * (booking, person) and handed back for a few minutes while they stay valid. A join flood, a page
 * reloading in a loop, mints at most once per person per interval. They are stored sealed
 * (AES-GCM, key derived from SESSION_SECRET): the database never holds a usable call credential.
 */
import { and, eq } from 'drizzle-orm';
import { callCredentials } from '../../db/schema';
import type { Deps } from '../../deps';
import { fromBase64Url, toBase64Url } from '../../lib/crypto';
import type { IceServerT, VideoRoom } from '../../providers/video/port';
import type { CallWindow } from './window';

export const CREDENTIALS_REUSE_MS = 10 * 60_000;
/** Credentials about to stop working are not handed out again: the page would lose the call soon after. */
const MIN_VALIDITY_MS = 2 * 60_000;

export interface JoinCredentials {
  token: string;
  iceServers: IceServerT[];
}

/** The room and the call's times the credentials were minted for: any change mints new ones. */
export const windowKeyOf = (room: VideoRoom, w: CallWindow) =>
  `${room.provider}:${room.name}:${w.opensAt.getTime()}:${w.endsAt.getTime()}:${w.closesAt.getTime()}`;

type SealDeps = Pick<Deps, 'db' | 'clock' | 'config'>;
const enc = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();
const keyOf = (secret: string) => {
  let k = keys.get(secret);
  if (!k) {
    k = crypto.subtle
      .digest('SHA-256', enc.encode(`call-credentials:${secret}`))
      .then((raw) => crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']));
    keys.set(secret, k);
  }
  return k;
};

/** Sealed for one (booking, person): a row copied onto another's is not readable there. */
async function seal(secret: string, aad: string, c: JoinCredentials): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: enc.encode(aad) },
    await keyOf(secret),
    enc.encode(JSON.stringify(c)),
  );
  return `${toBase64Url(iv)}.${toBase64Url(new Uint8Array(data))}`;
}

/** Null when it cannot be opened (another secret since, a damaged row): the caller mints anew. */
async function unseal(secret: string, aad: string, sealed: string): Promise<JoinCredentials | null> {
  try {
    const [iv, data] = sealed.split('.');
    if (iv === undefined || data === undefined) return null; // damaged: no separator
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromBase64Url(iv), additionalData: enc.encode(aad) },
      await keyOf(secret),
      fromBase64Url(data),
    );
    return JSON.parse(new TextDecoder().decode(plain)) as JoinCredentials;
  } catch {
    return null;
  }
}

export async function reusableCredentials(
  deps: SealDeps,
  bookingId: string,
  userId: string,
  windowKey: string,
): Promise<JoinCredentials | null> {
  const row = await deps.db
    .select()
    .from(callCredentials)
    .where(and(eq(callCredentials.bookingId, bookingId), eq(callCredentials.userId, userId)))
    .get();
  const now = deps.clock.now().getTime();
  if (
    !row ||
    row.windowKey !== windowKey ||
    row.mintedAt.getTime() <= now - CREDENTIALS_REUSE_MS ||
    row.mintedAt.getTime() > now ||
    row.expiresAt.getTime() <= now + MIN_VALIDITY_MS
  )
    return null;
  return unseal(deps.config.sessionSecret, `${bookingId}:${userId}:${windowKey}`, row.sealed);
}

/** Keeps freshly minted credentials (replacing the person's previous ones); `expiresAt`: when the first of them stops working. */
export async function keepCredentials(
  deps: SealDeps,
  input: { bookingId: string; userId: string; windowKey: string; expiresAt: Date } & JoinCredentials,
): Promise<void> {
  const sealed = await seal(deps.config.sessionSecret, `${input.bookingId}:${input.userId}:${input.windowKey}`, {
    token: input.token,
    iceServers: input.iceServers,
  });
  const values = { windowKey: input.windowKey, sealed, mintedAt: deps.clock.now(), expiresAt: input.expiresAt };
  await deps.db
    .insert(callCredentials)
    .values({ bookingId: input.bookingId, userId: input.userId, ...values })
    .onConflictDoUpdate({ target: [callCredentials.bookingId, callCredentials.userId], set: values });
}

/** The room is gone: its credentials are of no use and are not kept. */
export async function forgetCredentials(deps: Pick<Deps, 'db'>, bookingId: string): Promise<void> {
  await deps.db.delete(callCredentials).where(eq(callCredentials.bookingId, bookingId));
}
