/** Call events (join/leave, camera/mic, errors…), from the page, the server and Daily's webhooks. */
import { eq } from 'drizzle-orm';
import { callEvents, type CALL_EVENT_TYPES, type CALL_EVENT_SOURCES } from '../../db/schema';
import type { Deps } from '../../deps';
import { logCallEvent } from './call-log';

export type CallEventType = (typeof CALL_EVENT_TYPES)[number];

export interface NewCallEvent {
  bookingId: string;
  type: CallEventType;
  source: (typeof CALL_EVENT_SOURCES)[number];
  actorUserId?: string | null;
  actorRole?: 'FAN' | 'CREATOR' | 'SYSTEM' | null;
  /** Provider event id or client-generated id: the same event recorded twice is kept once. */
  dedupeKey?: string | null;
  metadata?: Record<string, unknown> | null;
  occurredAt?: Date;
}

export async function recordCallEvent(deps: Deps, e: NewCallEvent): Promise<{ id: string; duplicate: boolean }> {
  const id = deps.ids.next('cev');
  const now = deps.clock.now();
  const inserted = await deps.db
    .insert(callEvents)
    .values({
      id,
      bookingId: e.bookingId,
      type: e.type,
      source: e.source,
      actorUserId: e.actorUserId ?? null,
      actorRole: e.actorRole ?? null,
      dedupeKey: e.dedupeKey ?? null,
      metadata: e.metadata ?? null,
      occurredAt: e.occurredAt ?? now,
      createdAt: now,
    })
    .onConflictDoNothing()
    .returning({ id: callEvents.id });
  if (inserted.length) await logCallEvent(deps, e);
  if (inserted.length || !e.dedupeKey) return { id: inserted[0]?.id ?? id, duplicate: inserted.length === 0 };
  const first = await deps.db
    .select({ id: callEvents.id })
    .from(callEvents)
    .where(eq(callEvents.dedupeKey, e.dedupeKey))
    .get();
  return { id: first?.id ?? id, duplicate: true };
}
