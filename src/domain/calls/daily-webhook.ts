/**
 * Daily's webhooks (meeting.started / meeting.ended / participant.joined / participant.left):
 * signature checked (HMAC of `timestamp.body`, 5-minute replay window), each event handled once,
 * recorded as a call event of the booking whose room it names. Presence keys (`daily:<session>:…`)
 * are the ones the outcome job uses for Daily's meeting records, so both sources merge.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { bookings } from '../../db/schema';
import type { Deps } from '../../deps';
import { processWebhookOnce, WebhookSignatureError, type WebhookOutcome } from '../webhooks/once';
import { loadCallParties } from './access';
import { recordCallEvent, type CallEventType } from './events';

const REPLAY_WINDOW_S = 300;

const DailyEvent = z.object({
  id: z.string().min(1).max(200),
  type: z.string().min(1).max(100),
  event_ts: z.number().optional(),
  payload: z
    .object({
      room: z.string().max(200).optional(),
      meeting_id: z.string().max(200).optional(),
      start_ts: z.number().optional(),
      end_ts: z.number().optional(),
      session_id: z.string().max(200).optional(),
      user_id: z.string().max(200).nullable().optional(),
      user_name: z.string().max(200).nullable().optional(),
      joined_at: z.number().optional(),
      duration: z.number().optional(),
    })
    .loose(),
});
type DailyEventT = z.infer<typeof DailyEvent>;

export type DailyWebhookResult = WebhookOutcome | { status: 'test' };

/** `deps.video.webhook` must exist (the route answers 404 without it). */
export async function handleDailyWebhook(
  deps: Deps,
  raw: string,
  headers: { signature: string | null; timestamp: string | null },
): Promise<DailyWebhookResult> {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new WebhookSignatureError('Body is not JSON');
  }
  // Daily checks the endpoint with an unsigned `{"test":"test"}` before creating a webhook: answer 200, do nothing.
  if (body && typeof body === 'object' && 'test' in body && !('type' in body)) return { status: 'test' };
  const rawTs = Number(headers.timestamp);
  // Unix seconds; a value in milliseconds is read as such (the signature covers the header as sent).
  const ts = rawTs > 1e12 ? rawTs / 1000 : rawTs;
  const nowS = Math.floor(deps.clock.now().getTime() / 1000);
  if (
    !headers.signature ||
    !headers.timestamp ||
    !Number.isFinite(ts) ||
    Math.abs(nowS - ts) > REPLAY_WINDOW_S ||
    !(await deps.video.webhook?.verify({ timestamp: headers.timestamp, body: raw, signature: headers.signature }))
  ) {
    await deps.log.webhook.warn('WEBHOOK_REJECTED', 'Daily webhook with an invalid or stale signature refused', null);
    throw new WebhookSignatureError('Invalid or stale Daily signature');
  }
  const parsed = DailyEvent.safeParse(body);
  if (!parsed.success) throw new WebhookSignatureError('Not a Daily event');
  const event = parsed.data;
  return processWebhookOnce(deps, 'daily', event, () => recordDailyEvent(deps, event));
}

const TYPES: Record<string, CallEventType> = {
  'meeting.started': 'CALL_STARTED',
  'meeting.ended': 'CALL_ENDED',
  'participant.joined': 'PARTICIPANT_JOINED',
  'participant.left': 'PARTICIPANT_LEFT',
};

async function recordDailyEvent(deps: Deps, e: DailyEventT): Promise<'processed' | 'ignored'> {
  const type = TYPES[e.type];
  const roomName = e.payload.room;
  if (!type || !roomName) return 'ignored';
  const booking = await deps.db
    .select({ id: bookings.id })
    .from(bookings)
    .where(eq(bookings.videoRoomName, roomName))
    .get();
  if (!booking) return 'ignored'; // another app's room on the same Daily domain
  const parties = (await loadCallParties(deps, booking.id))!;
  const p = e.payload;
  const sec = (s: number | undefined) => (s === undefined ? undefined : new Date(s * 1000));
  if (type === 'CALL_STARTED' || type === 'CALL_ENDED') {
    await recordCallEvent(deps, {
      bookingId: booking.id,
      type,
      source: 'DAILY',
      actorRole: 'SYSTEM',
      dedupeKey: `daily:meeting:${p.meeting_id ?? e.id}:${type === 'CALL_STARTED' ? 'started' : 'ended'}`,
      metadata: { meetingId: p.meeting_id ?? null },
      occurredAt: sec(type === 'CALL_STARTED' ? p.start_ts : p.end_ts) ?? sec(e.event_ts),
    });
    return 'processed';
  }
  const userId = p.user_id ?? null;
  const role = userId === parties.fan.id ? 'FAN' : userId === parties.creator.userId ? 'CREATOR' : null;
  if (!role) return 'ignored'; // not one of the booking's two people (their tokens carry their user id)
  const session = p.session_id ?? e.id;
  const occurredAt =
    type === 'PARTICIPANT_JOINED'
      ? sec(p.joined_at)
      : p.joined_at !== undefined && p.duration !== undefined
        ? sec(p.joined_at + p.duration)
        : sec(e.event_ts);
  await recordCallEvent(deps, {
    bookingId: booking.id,
    type,
    source: 'DAILY',
    actorUserId: userId,
    actorRole: role,
    dedupeKey: `daily:${session}:${type === 'PARTICIPANT_JOINED' ? 'joined' : 'left'}`,
    metadata: { sessionId: session, from: 'webhook' },
    occurredAt,
  });
  return 'processed';
}
