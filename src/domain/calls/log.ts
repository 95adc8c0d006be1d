/** The call log: what the pages report (pre-call, media toggles, errors…) next to what the server saw. */
import { asc, count, eq } from 'drizzle-orm';
import { callEvents, type CallEvent, type User } from '../../db/schema';
import { one } from '../../db/one';
import type { Deps } from '../../deps';
import type { CallEventDtoT } from '../../shared/calls';
import { callRole, loadCallParties } from './access';
import { recordCallEvent, type CallEventType } from './events';
import { callWindow } from './window';

/** A page may keep logging a little after the window (its CALL_ENDED, an error report). */
export const LOG_OPEN_AFTER_CLOSE_MS = 60 * 60_000;
export const MAX_EVENTS_PER_CALL = 500;

export type LogRefusal =
  | 'BOOKING_NOT_FOUND'
  | 'NOT_PARTICIPANT'
  | 'BOOKING_NOT_CONFIRMED'
  | 'CALL_NOT_OPEN'
  | 'CALL_LOG_CLOSED'
  | 'CALL_LOG_FULL';

export function toCallEventDto(e: CallEvent): CallEventDtoT {
  return {
    id: e.id,
    bookingId: e.bookingId,
    type: e.type,
    source: e.source,
    actor: { userId: e.actorUserId, role: e.actorRole },
    metadata: e.metadata,
    occurredAt: e.occurredAt.toISOString(),
  };
}

export async function addClientEvent(
  deps: Deps,
  user: Pick<User, 'id' | 'role'>,
  input: {
    bookingId: string;
    event: CallEventType;
    metadata?: Record<string, string | number | boolean | null>;
    clientEventId?: string;
  },
): Promise<{ ok: true; event: CallEventDtoT; duplicate: boolean } | { ok: false; code: LogRefusal }> {
  const parties = await loadCallParties(deps, input.bookingId);
  if (!parties) return { ok: false, code: 'BOOKING_NOT_FOUND' };
  const role = callRole(parties, user);
  // Admins read call logs; only the two participants write them.
  if (role !== 'FAN' && role !== 'CREATOR') return { ok: false, code: 'NOT_PARTICIPANT' };
  const { booking } = parties;
  if (booking.status !== 'CONFIRMED' && booking.status !== 'COMPLETED')
    return { ok: false, code: 'BOOKING_NOT_CONFIRMED' };
  const w = callWindow(booking);
  const now = deps.clock.now().getTime();
  if (now < w.opensAt.getTime()) return { ok: false, code: 'CALL_NOT_OPEN' };
  if (now > w.closesAt.getTime() + LOG_OPEN_AFTER_CLOSE_MS) return { ok: false, code: 'CALL_LOG_CLOSED' };
  const { n } = one(
    await deps.db.select({ n: count() }).from(callEvents).where(eq(callEvents.bookingId, booking.id)),
    'the call events count',
  );
  if (n >= MAX_EVENTS_PER_CALL) return { ok: false, code: 'CALL_LOG_FULL' };
  const r = await recordCallEvent(deps, {
    bookingId: booking.id,
    type: input.event,
    source: 'CLIENT',
    actorUserId: user.id,
    actorRole: role,
    dedupeKey: input.clientEventId ? `client:${user.id}:${input.clientEventId}` : null,
    metadata: input.metadata ?? null,
  });
  const row = (await deps.db.select().from(callEvents).where(eq(callEvents.id, r.id)).get())!;
  return { ok: true, event: toCallEventDto(row), duplicate: r.duplicate };
}

/** The call's log for display (the oldest rows, capped): never what attendance is decided from (presence.ts). */
export async function callEventsOf(deps: Deps, bookingId: string): Promise<CallEvent[]> {
  return deps.db
    .select()
    .from(callEvents)
    .where(eq(callEvents.bookingId, bookingId))
    .orderBy(asc(callEvents.occurredAt), asc(callEvents.createdAt))
    .limit(MAX_EVENTS_PER_CALL * 2)
    .all();
}
