/** The call: join (access window, room, token), the built-in call's socket, call log, summary, an admin's review of an interrupted call, Daily webhooks. */
import { z } from 'zod';
import type { User } from '../db/schema';
import type { Deps } from '../deps';
import { callRole, joinCall, loadCallParties, type CallParties } from '../domain/calls/access';
import { handleDailyWebhook } from '../domain/calls/daily-webhook';
import { addClientEvent, callEventsOf, toCallEventDto } from '../domain/calls/log';
import { reviewInterruptedCall } from '../domain/calls/review';
import { callSummary } from '../domain/calls/summary';
import { WebhookSignatureError } from '../domain/webhooks/once';
import { AppError, notFound } from '../http/errors';
import { upgradeTo } from '../http/live-socket';
import { enforceLimit } from '../http/rate-limit';
import { refusal } from '../http/refusals';
import { apiApp, route } from '../http/route';
import { DAILY_SIGNATURE_HEADER, DAILY_TIMESTAMP_HEADER } from '../providers/video/daily';
import {
  CallEventDto,
  CallLogBody,
  CallReviewBody,
  CallReviewDto,
  CallSummaryDto,
  JoinResponse,
} from '../shared/calls';
import { IdParam } from '../shared/common';
import { BookingIdParam } from './bookings';

export const callsApi = apiApp('/api');
const tags = ['Calls'];

/** A call's logs and summary are for its fan, its creator and admins. */
async function viewableCall(deps: Deps, user: User, bookingId: string): Promise<CallParties> {
  const parties = await loadCallParties(deps, bookingId);
  if (!parties) throw refusal('BOOKING_NOT_FOUND');
  if (!callRole(parties, user)) throw refusal('NOT_PARTICIPANT');
  return parties;
}

route(
  callsApi,
  {
    method: 'post',
    path: '/bookings/:id/join',
    summary:
      "Enter the call: the room and a short-lived token (the booking's fan or creator, 15 min before start → end + 5 min)",
    tags,
    access: 'user',
    params: BookingIdParam,
    responses: {
      200: { description: 'Room and token', schema: JoinResponse },
      403: {
        description:
          'NOT_PARTICIPANT, BOOKING_NOT_CONFIRMED, CALL_NOT_OPEN (details.opensAt), CALL_OVER (details.closesAt)',
      },
      404: { description: 'BOOKING_NOT_FOUND' },
      429: { description: 'RATE_LIMITED (CALL_LIMITER per person and booking; Retry-After)' },
      502: { description: 'VIDEO_PROVIDER_ERROR' },
    },
  },
  async (c, { user, params }) => {
    const deps = c.get('deps');
    // Before anything is read or written: a flood of joins costs one limiter call each.
    await enforceLimit(deps.limiters.call, `join:${user.id}:${params.id}`);
    let r: Awaited<ReturnType<typeof joinCall>>;
    try {
      r = await joinCall(deps, user, params.id);
    } catch (e) {
      await deps.log.room.error(
        'ROOM_ERROR',
        `Could not open the video room of ${params.id}`,
        { bookingId: params.id, room: null },
        { error: e },
      );
      throw refusal('VIDEO_PROVIDER_ERROR');
    }
    if (!r.ok) {
      const w = r.window;
      throw refusal(
        r.code,
        undefined,
        w
          ? {
              opensAt: w.opensAt.toISOString(),
              startsAt: w.startsAt.toISOString(),
              endsAt: w.endsAt.toISOString(),
              closesAt: w.closesAt.toISOString(),
            }
          : undefined,
      );
    }
    const { window: w, room, role, parties } = r;
    c.header('Cache-Control', 'no-store');
    return c.json({
      provider: room.provider,
      roomUrl: room.url,
      token: r.token,
      socketUrl: room.provider === 'p2p' ? `/api/bookings/${params.id}/call-socket` : null,
      role,
      self: { name: role === 'CREATOR' ? parties.creator.name : parties.fan.name },
      peer: { name: role === 'CREATOR' ? parties.fan.name : parties.creator.name },
      opensAt: w.opensAt.toISOString(),
      startsAt: w.startsAt.toISOString(),
      endsAt: w.endsAt.toISOString(),
      closesAt: w.closesAt.toISOString(),
      serverNow: deps.clock.now().toISOString(),
      iceServers: r.iceServers,
    } satisfies z.infer<typeof JoinResponse>);
  },
);

route(
  callsApi,
  {
    method: 'get',
    path: '/bookings/:id/call-socket',
    summary:
      "The built-in call's signalling WebSocket (?token= from join; the token's person must be the one signed in)",
    tags,
    access: 'user',
    params: BookingIdParam,
    query: z.object({ token: z.string().min(10).max(2000) }),
    responses: {
      101: {
        description:
          'WebSocket: offer/answer/candidate/media/hangup relayed; welcome, peer-joined, peer-left, time-up, closed from the server; ping it ("ping" → "pong") at least every 5 minutes or it is closed (4008)',
      },
      426: { description: 'UPGRADE_REQUIRED' },
      429: {
        description:
          'RATE_LIMITED (CALL_LIMITER per person and booking; Retry-After), or TOO_MANY_SOCKETS: this address holds 200 live sockets in all',
      },
    },
  },
  async (c, { user, params, query }) => {
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket')
      throw new AppError(426, 'UPGRADE_REQUIRED', 'Connect with a WebSocket.');
    // Each connection records a join and a leave: reconnecting in a loop is refused before the CallRoom.
    await enforceLimit(c.get('deps').limiters.call, `socket:${user.id}:${params.id}`);
    const url = new URL(c.req.url);
    url.search = new URLSearchParams({ bookingId: params.id, token: query.token, user: user.id }).toString();
    return upgradeTo(c, c.get('deps').rooms.call(params.id), url.toString());
  },
);

route(
  callsApi,
  {
    method: 'post',
    path: '/call-logs',
    summary:
      "Add an event to a call's log (its fan or creator; from the window's opening until an hour after it closes)",
    tags,
    access: 'user',
    body: CallLogBody,
    responses: {
      201: { description: 'Recorded', schema: z.object({ event: CallEventDto }) },
      200: { description: 'Already recorded (same clientEventId)', schema: z.object({ event: CallEventDto }) },
      403: { description: 'NOT_PARTICIPANT, BOOKING_NOT_CONFIRMED, CALL_NOT_OPEN' },
      409: { description: 'CALL_LOG_CLOSED' },
      429: { description: 'CALL_LOG_FULL' },
    },
  },
  async (c, { user, body }) => {
    const r = await addClientEvent(c.get('deps'), user, body);
    if (!r.ok) throw refusal(r.code);
    return c.json({ event: r.event }, r.duplicate ? 200 : 201);
  },
);

route(
  callsApi,
  {
    method: 'get',
    path: '/call-logs',
    summary: "A call's events, oldest first (its fan, its creator, admins)",
    tags,
    access: 'user',
    query: z.object({ bookingId: IdParam('bkg') }),
    responses: {
      200: { description: 'Events', schema: z.object({ logs: z.array(CallEventDto) }) },
      403: { description: 'NOT_PARTICIPANT' },
      404: { description: 'BOOKING_NOT_FOUND' },
    },
  },
  async (c, { user, query }) => {
    const deps = c.get('deps');
    await viewableCall(deps, user, query.bookingId);
    c.header('Cache-Control', 'no-store');
    return c.json({ logs: (await callEventsOf(deps, query.bookingId)).map(toCallEventDto) });
  },
);

route(
  callsApi,
  {
    method: 'get',
    path: '/call-summary/:bookingId',
    summary: 'Status (completed / interrupted / no_show…), participants, scheduled vs actual times, timeline',
    tags,
    access: 'user',
    params: z.object({ bookingId: IdParam('bkg') }),
    responses: {
      200: { description: 'Summary', schema: z.object({ summary: CallSummaryDto }) },
      403: { description: 'NOT_PARTICIPANT' },
      404: { description: 'BOOKING_NOT_FOUND' },
    },
  },
  async (c, { user, params }) => {
    const deps = c.get('deps');
    const parties = await viewableCall(deps, user, params.bookingId);
    c.header('Cache-Control', 'no-store');
    return c.json({ summary: await callSummary(deps, parties) });
  },
);

route(
  callsApi,
  {
    method: 'post',
    path: '/admin/bookings/:id/call-review',
    summary:
      'Settle an interrupted call: pay the creator, or refund the fan in full or in part (admin; audited; both told). Until then nothing of it is released or refunded',
    tags: ['Admin'],
    access: ['ADMIN'],
    params: BookingIdParam,
    body: CallReviewBody,
    responses: {
      200: {
        description:
          'Decided (refund.status OWED: the provider did not answer, retried automatically; FAILED: refused, see owed refunds)',
        schema: z.object({ review: CallReviewDto }),
      },
      404: { description: 'BOOKING_NOT_FOUND' },
      409: { description: 'CALL_NOT_UNDER_REVIEW, CALL_ALREADY_REVIEWED' },
      422: { description: 'REFUND_TOO_LARGE' },
    },
  },
  async (c, { user, params, body }) => {
    const r = await reviewInterruptedCall(c.get('deps'), user.id, params.id, body, c.get('requestId'));
    if (!r.ok) throw refusal(r.code);
    const b = r.booking;
    return c.json({
      review: {
        bookingId: b.id,
        outcome: b.outcome,
        decision: b.reviewDecision!,
        refund: r.refund,
        reviewedAt: b.reviewedAt!.toISOString(),
      },
    });
  },
);

route(
  callsApi,
  {
    method: 'post',
    path: '/webhooks/daily',
    summary: 'Daily events (X-Webhook-Signature verified; meeting and participant events recorded once)',
    tags: ['Webhooks'],
    access: 'public',
    rawBody: { contentType: 'application/json', description: 'The event exactly as Daily sent it' },
    responses: {
      200: { description: 'Received', schema: z.object({ received: z.literal(true), status: z.string() }) },
      400: { description: 'SIGNATURE_INVALID' },
      404: { description: 'Daily webhooks are not configured' },
    },
  },
  async (c) => {
    if (!c.get('deps').video.webhook) throw notFound('Daily webhook endpoint');
    const raw = await c.req.text();
    if (raw.length > 64 * 1024) throw new AppError(413, 'PAYLOAD_TOO_LARGE', 'Event too large.');
    try {
      const r = await handleDailyWebhook(c.get('deps'), raw, {
        signature: c.req.header(DAILY_SIGNATURE_HEADER) ?? null,
        timestamp: c.req.header(DAILY_TIMESTAMP_HEADER) ?? null,
      });
      return c.json({ received: true as const, status: r.status });
    } catch (e) {
      if (e instanceof WebhookSignatureError)
        throw new AppError(400, 'SIGNATURE_INVALID', 'Invalid or missing Daily signature.');
      throw e;
    }
  },
);
