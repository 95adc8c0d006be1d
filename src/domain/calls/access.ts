/**
 * Entering a call: who the booking's two people are, the access window, the booking's video room
 * (created on the first join, stored on the booking, deleted after the call) and a join token.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { bookings, callOffers, creators, users, type Booking, type User } from '../../db/schema';
import type { Deps } from '../../deps';
import type { IceServerT, VideoRoom } from '../../providers/video/port';
import {
  forgetCredentials,
  keepCredentials,
  reusableCredentials,
  windowKeyOf,
  type JoinCredentials,
} from './credentials';
import { recordCallEvent } from './events';
import { decideJoin, type CallRole, type CallWindow, type JoinRefusal } from './window';

export interface CallParties {
  booking: Booking;
  title: string;
  creator: { id: string; userId: string; name: string; slug: string };
  fan: { id: string; name: string };
}

export async function loadCallParties(deps: Deps, bookingId: string): Promise<CallParties | null> {
  const row = await deps.db
    .select({
      booking: bookings,
      title: callOffers.title,
      creatorUserId: creators.userId,
      creatorName: creators.displayName,
      creatorSlug: creators.slug,
      fanName: users.name,
    })
    .from(bookings)
    .innerJoin(callOffers, eq(callOffers.id, bookings.offerId))
    .innerJoin(creators, eq(creators.id, bookings.creatorId))
    .innerJoin(users, eq(users.id, bookings.userId))
    .where(eq(bookings.id, bookingId))
    .get();
  if (!row) return null;
  return {
    booking: row.booking,
    title: row.title,
    creator: { id: row.booking.creatorId, userId: row.creatorUserId, name: row.creatorName, slug: row.creatorSlug },
    fan: { id: row.booking.userId, name: row.fanName },
  };
}

/** The viewer's part in the call: its fan, its creator, an admin (read-only), or nobody. */
export function callRole(p: CallParties, user: Pick<User, 'id' | 'role'>): CallRole {
  if (p.booking.userId === user.id) return 'FAN';
  if (p.creator.userId === user.id) return 'CREATOR';
  if (user.role === 'ADMIN') return 'ADMIN';
  return null;
}

const sameRoom = (b: Booking, provider: string) =>
  b.videoRoomName && b.videoProvider === provider && !b.videoRoomDeletedAt;

/** The booking's room with the configured provider: created once, then reused from the booking row. */
export async function ensureBookingRoom(deps: Deps, booking: Booking, w: CallWindow): Promise<VideoRoom> {
  if (sameRoom(booking, deps.video.name))
    return { provider: booking.videoProvider!, name: booking.videoRoomName!, url: booking.videoRoomUrl };
  const room = await deps.video.ensureRoom({ bookingId: booking.id, notBefore: w.opensAt, expiresAt: w.closesAt });
  await deps.db
    .update(bookings)
    .set({
      videoProvider: room.provider,
      videoRoomName: room.name,
      videoRoomUrl: room.url,
      videoRoomDeletedAt: null,
      updatedAt: deps.clock.now(),
    })
    .where(eq(bookings.id, booking.id));
  await deps.log.room.info('ROOM_CREATED', `Video room ${room.name} (${room.provider}) for booking ${booking.id}`, {
    bookingId: booking.id,
    room: room.name,
    provider: room.provider,
  });
  return room;
}

/** Repeated joins of one person within this interval are logged once. */
export const JOIN_LOG_INTERVAL_MS = 10 * 60_000;

export type JoinResult =
  | {
      ok: true;
      parties: CallParties;
      role: 'FAN' | 'CREATOR';
      window: CallWindow;
      room: VideoRoom;
      token: string;
      iceServers: IceServerT[];
    }
  | { ok: false; code: JoinRefusal | 'BOOKING_NOT_FOUND'; window?: CallWindow };

export async function joinCall(deps: Deps, user: Pick<User, 'id' | 'role'>, bookingId: string): Promise<JoinResult> {
  const parties = await loadCallParties(deps, bookingId);
  if (!parties) return { ok: false, code: 'BOOKING_NOT_FOUND' };
  const decision = decideJoin(parties.booking, callRole(parties, user), deps.clock.now());
  if (!decision.ok) return { ok: false, code: decision.code, window: decision.window };
  const { role, window } = decision;
  const room = await ensureBookingRoom(deps, parties.booking, window);
  const { token, iceServers } = await credentialsFor(deps, parties, role, room, window, user.id);
  // One CALL_JOINED per person per interval, however often the page (or a script) asks.
  const slot = Math.floor(deps.clock.now().getTime() / JOIN_LOG_INTERVAL_MS);
  await recordCallEvent(deps, {
    bookingId,
    type: 'CALL_JOINED',
    source: 'SERVER',
    actorUserId: user.id,
    actorRole: role,
    dedupeKey: `join:${bookingId}:${user.id}:${slot}`,
    metadata: { provider: room.provider },
  });
  return { ok: true, parties, role, window, room, token, iceServers };
}

/**
 * The person's live credentials when they were minted a few minutes ago and still work; otherwise a
 * new token (and, for the built-in call, TURN credentials), kept for the next join — unless TURN
 * minting failed: the static servers are used once, and the next join asks again.
 */
async function credentialsFor(
  deps: Deps,
  parties: CallParties,
  role: 'FAN' | 'CREATOR',
  room: VideoRoom,
  window: CallWindow,
  userId: string,
): Promise<JoinCredentials> {
  const bookingId = parties.booking.id;
  const windowKey = windowKeyOf(room, window);
  const live = await reusableCredentials(deps, bookingId, userId, windowKey);
  if (live) return live;
  const token = await deps.video.joinToken({
    room,
    bookingId,
    userId,
    userName: role === 'CREATOR' ? parties.creator.name : parties.fan.name,
    isOwner: role === 'CREATOR',
    notBefore: window.opensAt,
    expiresAt: window.closesAt,
    callEndsAt: window.endsAt,
  });
  const ice =
    room.provider === 'p2p'
      ? await iceServersFor(deps, bookingId, window)
      : { servers: deps.config.iceServers, minted: true };
  // Daily's token ends at the booked end; after it neither provider lets anyone in.
  if (ice.minted)
    await keepCredentials(deps, {
      bookingId,
      userId,
      windowKey,
      token,
      iceServers: ice.servers,
      expiresAt: window.endsAt,
    });
  return { token, iceServers: ice.servers };
}

/**
 * STUN/TURN for the built-in call, credentials valid until the window closes. When minting TURN
 * credentials fails, the call still goes ahead with the static servers (peers on one network, or
 * behind friendly NATs, need no relay); the failure is logged.
 */
async function iceServersFor(
  deps: Deps,
  bookingId: string,
  w: CallWindow,
): Promise<{ servers: IceServerT[]; minted: boolean }> {
  try {
    return { servers: await deps.ice.serversFor({ now: deps.clock.now(), until: w.closesAt }), minted: true };
  } catch (e) {
    await deps.log.room.warn(
      'ROOM_ERROR',
      `TURN credentials for ${bookingId} unavailable: static ICE servers only`,
      { bookingId },
      { error: e },
    );
    return { servers: deps.config.iceServers, minted: false };
  }
}

/** Deletes the booking's room once (call over, booking cancelled); a room of another provider is left to expire. */
export async function deleteBookingRoom(
  deps: Deps,
  booking: Pick<Booking, 'id' | 'videoProvider' | 'videoRoomName' | 'videoRoomUrl' | 'videoRoomDeletedAt'>,
): Promise<boolean> {
  if (!booking.videoProvider || !booking.videoRoomName || booking.videoRoomDeletedAt) return false;
  if (booking.videoProvider === deps.video.name) {
    await deps.video.deleteRoom({
      provider: booking.videoProvider,
      name: booking.videoRoomName,
      url: booking.videoRoomUrl,
    });
  } else {
    await deps.log.room.warn(
      'ROOM_ERROR',
      `Room ${booking.videoRoomName} belongs to ${booking.videoProvider}, not configured now: left to expire`,
      { bookingId: booking.id },
    );
  }
  const r = await deps.db
    .update(bookings)
    .set({ videoRoomDeletedAt: deps.clock.now(), updatedAt: deps.clock.now() })
    .where(and(eq(bookings.id, booking.id), isNull(bookings.videoRoomDeletedAt)))
    .returning({ id: bookings.id });
  await forgetCredentials(deps, booking.id);
  if (r.length)
    await deps.log.room.info('ROOM_DELETED', `Video room ${booking.videoRoomName} deleted`, {
      bookingId: booking.id,
      provider: booking.videoProvider,
    });
  return r.length === 1;
}
