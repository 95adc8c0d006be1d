/**
 * Every 5 minutes: delete the video rooms of finished calls (window closed) and of bookings that
 * are no longer live (cancelled, expired, failed), once each. Daily rooms would otherwise stay open
 * on the account; the built-in call's CallRoom closes for good.
 */
import { and, inArray, isNotNull, isNull, lt, or } from 'drizzle-orm';
import { bookings } from '../../db/schema';
import type { Deps } from '../../deps';
import { deleteBookingRoom } from './access';
import { ACCESS_GRACE_MS } from './window';

const BATCH = 200;

export async function cleanUpVideoRooms(deps: Deps): Promise<Record<string, number>> {
  const closedBefore = new Date(deps.clock.now().getTime() - ACCESS_GRACE_MS);
  const rows = await deps.db
    .select({
      id: bookings.id,
      videoProvider: bookings.videoProvider,
      videoRoomName: bookings.videoRoomName,
      videoRoomUrl: bookings.videoRoomUrl,
      videoRoomDeletedAt: bookings.videoRoomDeletedAt,
    })
    .from(bookings)
    .where(
      and(
        isNotNull(bookings.videoRoomName),
        isNull(bookings.videoRoomDeletedAt),
        or(lt(bookings.endsAt, closedBefore), inArray(bookings.status, ['CANCELLED', 'EXPIRED', 'FAILED'])),
      ),
    )
    .limit(BATCH)
    .all();
  let deleted = 0;
  let failed = 0;
  for (const b of rows) {
    try {
      if (await deleteBookingRoom(deps, b)) deleted++;
    } catch (e) {
      failed++;
      await deps.log.room.warn(
        'ROOM_ERROR',
        `Could not delete room ${b.videoRoomName}; retried next run`,
        { bookingId: b.id, room: b.videoRoomName, provider: b.videoProvider },
        { error: e },
      );
    }
  }
  return { deleted, failed };
}
