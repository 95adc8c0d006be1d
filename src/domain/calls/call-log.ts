/**
 * The CALL rows of the `logs` table: what happened to a call, for the admin log page and stats
 * (the call's own timeline stays in `call_events`). Written once per newly recorded event, never
 * for a duplicate, so a flood of repeated joins or reconnections adds no rows.
 */
import type { Deps } from '../../deps';
import type { LogActor } from '../../db/schema';
import type { NewCallEvent } from './events';

/** Presence a person cannot forge: the server's sockets, its join endpoint and Daily (a page's own rows are not trusted). */
const PRESENCE = new Set<NewCallEvent['type']>(['CALL_JOINED', 'PARTICIPANT_JOINED', 'PARTICIPANT_LEFT']);

const actorOf = (role: NewCallEvent['actorRole']): LogActor =>
  role === 'FAN' ? 'USER' : role === 'CREATOR' ? 'CREATOR' : 'SYSTEM';

/** Logs a call event just recorded: CALL_ERROR for an error a page reports, CALL_EVENT for a trusted presence change. */
export async function logCallEvent(deps: Deps, e: NewCallEvent): Promise<void> {
  const who = e.actorRole ?? e.source;
  const context = {
    bookingId: e.bookingId,
    event: e.type,
    source: e.source,
    role: e.actorRole ?? null,
    userId: e.actorUserId ?? null,
  };
  const opts = { actor: actorOf(e.actorRole), actorId: e.actorUserId ?? null };
  if (e.type === 'CALL_ERROR')
    await deps.log.call.error(
      'CALL_ERROR',
      `Call ${e.bookingId}: error reported by ${who}`,
      { ...context, metadata: e.metadata ?? null },
      opts,
    );
  else if (e.source !== 'CLIENT' && PRESENCE.has(e.type))
    await deps.log.call.info('CALL_EVENT', `Call ${e.bookingId}: ${e.type} (${who})`, context, opts);
}
