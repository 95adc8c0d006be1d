/**
 * The call summary: status, both participants, scheduled vs actual times, the event timeline — with
 * the provider's meeting records imported first when the window has closed and no outcome exists yet.
 */
import type { Deps } from '../../deps';
import type { CallSummaryT } from '../../shared/calls';
import { getSettings } from '../settings';
import type { CallParties } from './access';
import { callStatus, computeAttendance, tookPlaceThresholdMs } from './attendance';
import { callEventsOf, toCallEventDto } from './log';
import { presenceOf } from './presence';
import { importProviderAttendance, summaryNeedsProviderRecords } from './provider-attendance';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export async function callSummary(deps: Deps, p: CallParties): Promise<CallSummaryT> {
  const { booking } = p;
  // Read after the window closed but before the outcome job: Daily's records complete what its
  // webhooks told (idempotent; a provider outage only leaves the summary as the webhooks made it).
  if (summaryNeedsProviderRecords(deps, booking)) {
    try {
      await importProviderAttendance(deps, booking, p.fan.id, p.creator.userId);
    } catch (e) {
      await deps.log.room.warn(
        'ROOM_ERROR',
        `Meeting records of ${booking.videoRoomName} unavailable for the summary`,
        { bookingId: booking.id },
        { error: e },
      );
    }
  }
  // The timeline is a capped slice for display; attendance reads every trusted presence row.
  const [events, presence, settings] = await Promise.all([
    callEventsOf(deps, booking.id),
    presenceOf(deps, booking.id),
    getSettings(deps),
  ]);
  const now = deps.clock.now();
  const a = computeAttendance(presence, booking, now);
  const cancelled = booking.status === 'CANCELLED' && booking.outcome === null;
  return {
    bookingId: booking.id,
    title: p.title,
    status: cancelled
      ? 'cancelled'
      : (outcomeStatus(booking.outcome) ?? callStatus(a, booking, now, tookPlaceThresholdMs(settings, booking))),
    outcome: booking.outcome,
    participants: {
      creator: { id: p.creator.id, userId: p.creator.userId, name: p.creator.name, attended: a.attended.CREATOR },
      fan: { id: p.fan.id, name: p.fan.name, attended: a.attended.FAN },
    },
    scheduled: {
      startsAt: booking.startsAt.toISOString(),
      endsAt: booking.endsAt.toISOString(),
      durationSeconds: Math.round((booking.endsAt.getTime() - booking.startsAt.getTime()) / 1000),
    },
    actual: {
      startedAt: iso(a.actualStart),
      endedAt: iso(a.actualEnd),
      durationSeconds: Math.round(a.togetherMs / 1000),
    },
    timeline: events.map(toCallEventDto),
  };
}

/** Once decided, the outcome is the status (the same rule decided both). */
function outcomeStatus(outcome: CallParties['booking']['outcome']): CallSummaryT['status'] | null {
  if (outcome === 'CREATOR_NO_SHOW' || outcome === 'FAN_NO_SHOW' || outcome === 'BOTH_NO_SHOW') return 'no_show';
  if (outcome === 'INTERRUPTED') return 'interrupted';
  if (outcome === 'COMPLETED') return 'completed';
  return null;
}
