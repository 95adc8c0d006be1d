/** The call's API shapes (join, call log, summary, an admin's review) and the built-in call's signalling messages. */
import { z } from 'zod';
import { CALL_EVENT_SOURCES, CALL_EVENT_TYPES, CALL_OUTCOMES, CALL_REVIEW_DECISIONS } from './enums';
import { IdParam, MinorAmount, SingleLineText } from './common';

/** Messages of the built-in call's signalling channel (CallRoom WebSocket), both directions. */
export type CallSignal =
  | { type: 'welcome'; role: 'CREATOR' | 'FAN'; peer: { name: string; role: string } | null; initiator: boolean }
  | { type: 'peer-joined'; peer: { name: string; role: string } }
  | { type: 'peer-left'; peer: { name: string; role: string } }
  | { type: 'offer'; sdp: string }
  | { type: 'answer'; sdp: string }
  | { type: 'candidate'; candidate: unknown }
  | { type: 'media'; camera: boolean; mic: boolean }
  | { type: 'hangup' }
  | { type: 'closed' }
  | { type: 'time-up' };

export const IceServer = z.object({
  urls: z.array(z.string()),
  username: z.string().optional(),
  credential: z.string().optional(),
});

export const JoinResponse = z.object({
  provider: z.enum(['daily', 'p2p']),
  /** Daily's room URL; null for the built-in call. */
  roomUrl: z.string().nullable(),
  /** Daily meeting token, or the built-in call's signed token (valid inside the access window only). */
  token: z.string(),
  /** The built-in call's signalling WebSocket (same origin), null with Daily. */
  socketUrl: z.string().nullable(),
  role: z.enum(['FAN', 'CREATOR']),
  self: z.object({ name: z.string() }),
  peer: z.object({ name: z.string() }),
  opensAt: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  closesAt: z.string(),
  serverNow: z.string(),
  iceServers: z.array(IceServer),
});
export type JoinResponseT = z.infer<typeof JoinResponse>;

/** Events a page may add to the call log. Presence (PARTICIPANT_*) counts only from the server or Daily. */
export const CallLogBody = z.object({
  bookingId: IdParam('bkg'),
  event: z.enum(CALL_EVENT_TYPES),
  metadata: z
    .record(z.string().max(60), z.union([z.string().max(500), z.number(), z.boolean(), z.null()]))
    .refine((m) => Object.keys(m).length <= 20, 'At most 20 metadata fields.')
    .optional(),
  /** A client-made id (e.g. a UUID): the same event sent twice is kept once. */
  clientEventId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,64}$/)
    .optional(),
});

export const CallEventDto = z.object({
  id: z.string(),
  bookingId: z.string(),
  type: z.enum(CALL_EVENT_TYPES),
  source: z.enum(CALL_EVENT_SOURCES),
  actor: z.object({ userId: z.string().nullable(), role: z.enum(['FAN', 'CREATOR', 'SYSTEM']).nullable() }),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  occurredAt: z.string(),
});
export type CallEventDtoT = z.infer<typeof CallEventDto>;

export const CALL_STATUSES = ['pending', 'in_progress', 'completed', 'interrupted', 'no_show', 'cancelled'] as const;

export const CallSummaryDto = z.object({
  bookingId: z.string(),
  title: z.string(),
  /** completed | interrupted | no_show once known; pending / in_progress before; cancelled if the booking was. */
  status: z.enum(CALL_STATUSES),
  /** The attendance outcome decided after the window closed (null until then). */
  outcome: z.enum(CALL_OUTCOMES).nullable(),
  participants: z.object({
    creator: z.object({ id: z.string(), userId: z.string(), name: z.string(), attended: z.boolean() }),
    fan: z.object({ id: z.string(), name: z.string(), attended: z.boolean() }),
  }),
  scheduled: z.object({ startsAt: z.string(), endsAt: z.string(), durationSeconds: z.number().int() }),
  actual: z.object({
    startedAt: z.string().nullable(),
    endedAt: z.string().nullable(),
    durationSeconds: z.number().int(),
  }),
  timeline: z.array(CallEventDto),
});
export type CallSummaryT = z.infer<typeof CallSummaryDto>;

/** An admin's decision on an interrupted call: pay the creator, or refund the fan (`amount`, minor units, up to what is left). */
export const CallReviewBody = z.discriminatedUnion('decision', [
  z.object({ decision: z.literal('PAY_CREATOR'), reason: SingleLineText(3, 500) }),
  z.object({ decision: z.literal('REFUND'), amount: MinorAmount.min(1), reason: SingleLineText(3, 500) }),
]);
export const CallReviewDto = z.object({
  bookingId: z.string(),
  outcome: z.enum(CALL_OUTCOMES).nullable(),
  decision: z.enum(CALL_REVIEW_DECISIONS),
  refund: z.object({ status: z.enum(['ISSUED', 'OWED', 'FAILED']), amount: z.number().int() }).nullable(),
  reviewedAt: z.string(),
});

/** Props of the call page island (server: src/pages/call.tsx; client: client/islands/call.tsx). */
export interface CallIslandProps {
  bookingId: string;
  title: string;
  role: 'FAN' | 'CREATOR';
  selfName: string;
  peerName: string;
  phase: 'waiting' | 'precall';
  opensAt: string;
  startsAt: string;
  endsAt: string;
  closesAt: string;
  /** The booked duration, formatted in the page's language ("30 min", "1 h 30 min"). */
  duration: string;
  serverNow: string;
  summaryUrl: string;
  debug: boolean;
  locale: 'fr' | 'en';
  timezone: string;
  /** Messages under `call.` in the page's language, by their key below it ("waiting.heading"…). */
  labels: Record<string, string>;
}
