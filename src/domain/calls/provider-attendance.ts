/**
 * The video provider's own meeting records (Daily's /meetings) as call events: they fill in the
 * presence its webhooks may have missed. Each presence is recorded under the same dedupe keys the
 * webhooks use (`daily:<session>:joined|left`), so importing again — from the outcome job, from a
 * summary read — adds nothing twice.
 */
import type { Booking } from '../../db/schema';
import type { Deps } from '../../deps';
import { recordCallEvent } from './events';
import { callWindow } from './window';

type BookingRoom = Pick<Booking, 'id' | 'videoProvider' | 'videoRoomName' | 'videoRoomUrl'>;

/** Imports the provider's records of the booking's room (no-op for the built-in call, which keeps none). */
export async function importProviderAttendance(
  deps: Deps,
  booking: BookingRoom,
  fanUserId: string,
  creatorUserId: string,
): Promise<void> {
  if (!booking.videoProvider || !booking.videoRoomName || booking.videoProvider !== deps.video.name) return;
  const records = await deps.video.attendance({
    provider: booking.videoProvider,
    name: booking.videoRoomName,
    url: booking.videoRoomUrl,
  });
  for (const p of records ?? []) {
    const role: 'FAN' | 'CREATOR' | null =
      p.userId === fanUserId ? 'FAN' : p.userId === creatorUserId ? 'CREATOR' : null;
    if (!role) continue;
    const base = {
      bookingId: booking.id,
      source: 'DAILY' as const,
      actorUserId: p.userId,
      actorRole: role,
      metadata: { sessionId: p.sessionId, from: 'meetings' },
    };
    await recordCallEvent(deps, {
      ...base,
      type: 'PARTICIPANT_JOINED',
      dedupeKey: `daily:${p.sessionId}:joined`,
      occurredAt: p.joinedAt,
    });
    if (p.leftAt)
      await recordCallEvent(deps, {
        ...base,
        type: 'PARTICIPANT_LEFT',
        dedupeKey: `daily:${p.sessionId}:left`,
        occurredAt: p.leftAt,
      });
  }
}

/**
 * Whether reading the call's summary should first import the provider's records: its window has
 * closed (the records are final) but the outcome job has not decided yet (it imports them itself;
 * once it has, the events are complete and nobody needs to ask the provider again).
 */
export function summaryNeedsProviderRecords(
  deps: Deps,
  booking: Pick<Booking, 'status' | 'outcome' | 'startsAt' | 'endsAt' | 'videoProvider' | 'videoRoomName'>,
): boolean {
  return (
    booking.status === 'CONFIRMED' &&
    booking.outcome === null &&
    !!booking.videoRoomName &&
    booking.videoProvider === deps.video.name &&
    deps.clock.now().getTime() >= callWindow(booking).closesAt.getTime()
  );
}
