/**
 * Join credentials reused instead of minted on every join: the provider's token (a Daily meeting
 * token is an API call) and the TURN credentials minted with it (each one costs) are kept per
 * (booking, person) and handed back for a few minutes while they stay valid. A join flood, a page
 * reloading in a loop, mints at most once per person per interval.
 */
import { and, eq } from 'drizzle-orm';
import { callCredentials } from '../../db/schema';
import type { Deps } from '../../deps';
import type { IceServerT } from '../../providers/video/ice';
import type { VideoRoom } from '../../providers/video/port';
import type { CallWindow } from './window';

export const CREDENTIALS_REUSE_MS = 10 * 60_000;
/** Credentials about to stop working are not handed out again: the page would lose the call soon after. */
const MIN_VALIDITY_MS = 2 * 60_000;

export interface JoinCredentials { token: string; iceServers: IceServerT[] }

/** The room and the call's times the credentials were minted for: any change mints new ones. */
export const windowKeyOf = (room: VideoRoom, w: CallWindow) =>
  `${room.provider}:${room.name}:${w.opensAt.getTime()}:${w.endsAt.getTime()}:${w.closesAt.getTime()}`;

export async function reusableCredentials(deps: Pick<Deps, 'db' | 'clock'>, bookingId: string, userId: string, windowKey: string): Promise<JoinCredentials | null> {
  const row = await deps.db.select().from(callCredentials).where(and(eq(callCredentials.bookingId, bookingId), eq(callCredentials.userId, userId))).get();
  const now = deps.clock.now().getTime();
  if (!row || row.windowKey !== windowKey || row.mintedAt.getTime() <= now - CREDENTIALS_REUSE_MS || row.mintedAt.getTime() > now
    || row.expiresAt.getTime() <= now + MIN_VALIDITY_MS) return null;
  return { token: row.token, iceServers: row.iceServers };
}

/** Keeps freshly minted credentials (replacing the person's previous ones); `expiresAt`: when the first of them stops working. */
export async function keepCredentials(deps: Pick<Deps, 'db' | 'clock'>, input: { bookingId: string; userId: string; windowKey: string; expiresAt: Date } & JoinCredentials): Promise<void> {
  const values = { windowKey: input.windowKey, token: input.token, iceServers: input.iceServers, mintedAt: deps.clock.now(), expiresAt: input.expiresAt };
  await deps.db.insert(callCredentials).values({ bookingId: input.bookingId, userId: input.userId, ...values })
    .onConflictDoUpdate({ target: [callCredentials.bookingId, callCredentials.userId], set: values });
}

/** The room is gone: its credentials are of no use and are not kept. */
export async function forgetCredentials(deps: Pick<Deps, 'db'>, bookingId: string): Promise<void> {
  await deps.db.delete(callCredentials).where(eq(callCredentials.bookingId, bookingId));
}
