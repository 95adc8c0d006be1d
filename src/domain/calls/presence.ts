/**
 * A call's trusted presence: every PARTICIPANT_JOINED / PARTICIPANT_LEFT row the server (CallRoom
 * sockets) or Daily recorded — never a capped slice of the whole log, where a flood of other rows
 * (joins, page events) could push one party's presence out and decide the outcome. Read by keyset
 * pages on the partial index `call_events_presence_idx`.
 */
import { and, asc, eq, gt, inArray, or } from 'drizzle-orm';
import { callEvents } from '../../db/schema';
import type { Deps } from '../../deps';
import type { PresenceRow } from './attendance';

const PAGE = 500;

export async function presenceOf(deps: Pick<Deps, 'db'>, bookingId: string): Promise<PresenceRow[]> {
  const out: PresenceRow[] = [];
  let after: { at: Date; id: string } | null = null;
  for (;;) {
    const page: {
      id: string;
      type: string;
      source: string;
      actorRole: string | null;
      occurredAt: Date;
      metadata: Record<string, unknown> | null;
    }[] = await deps.db
      .select({
        id: callEvents.id,
        type: callEvents.type,
        source: callEvents.source,
        actorRole: callEvents.actorRole,
        occurredAt: callEvents.occurredAt,
        metadata: callEvents.metadata,
      })
      .from(callEvents)
      .where(
        and(
          eq(callEvents.bookingId, bookingId),
          inArray(callEvents.source, ['SERVER', 'DAILY']),
          inArray(callEvents.type, ['PARTICIPANT_JOINED', 'PARTICIPANT_LEFT']),
          after
            ? or(
                gt(callEvents.occurredAt, after.at),
                and(eq(callEvents.occurredAt, after.at), gt(callEvents.id, after.id)),
              )
            : undefined,
        ),
      )
      .orderBy(asc(callEvents.occurredAt), asc(callEvents.id))
      .limit(PAGE)
      .all();
    for (const r of page) {
      const session = r.metadata?.sessionId;
      out.push({
        type: r.type as PresenceRow['type'],
        source: r.source as PresenceRow['source'],
        actorRole: r.actorRole as PresenceRow['actorRole'],
        occurredAt: r.occurredAt,
        sessionId: typeof session === 'string' ? session : null,
      });
    }
    const last = page.at(-1);
    if (!last || page.length < PAGE) return out;
    after = { at: last.occurredAt, id: last.id };
  }
}
