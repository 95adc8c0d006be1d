/** Call requests: fans propose, creators accept (a held private offer) or reject. */
import { and, desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { callRequests, REQUEST_STATUSES } from '../db/schema';
import { toRequestDto } from '../domain/offers/dto';
import { createRequest, rejectRequest, withdrawRequest } from '../domain/requests/requests';
import { enforceLimit } from '../http/rate-limit';
import { refusal } from '../http/refusals';
import { apiApp, route } from '../http/route';
import { IdParam } from '../shared/common';
import { AnswerRequestBody, BookingDto, CreateRequestBody, RequestDto } from '../shared/offers';
import { creatorOfUser } from './creators';

export const requestsApi = apiApp('/api');
const tags = ['Requests'];
const RequestIdParam = z.object({ id: IdParam('req') });

route(
  requestsApi,
  {
    method: 'post',
    path: '/creators/:id/requests',
    summary: 'Propose a call (price, time, duration, message) to a creator; expires after 72 h unanswered',
    tags,
    access: 'user',
    description:
      'The request stays open for the creator to answer until `expiresAt` = min(sent + 72 h, proposedStartsAt − 30 min): ' +
      'a proposal for a time less than 72 h 30 min away closes 30 minutes before that time, since a later acceptance could not be paid in time. ' +
      'Past `expiresAt` it can no longer be accepted (409 REQUEST_EXPIRED) and the 5-minute sweep marks it EXPIRED.',
    params: z.object({ id: IdParam('crt') }),
    body: CreateRequestBody,
    responses: {
      201: { description: 'Sent', schema: z.object({ request: RequestDto }) },
      404: { description: 'CREATOR_NOT_FOUND' },
      422: { description: 'TOO_SOON, TOO_FAR' },
    },
  },
  async (c, { user, params, body }) => {
    const deps = c.get('deps');
    await enforceLimit(deps.limiters.request, `request:${user.id}`);
    const r = await createRequest(deps, user, params.id, {
      ...body,
      proposedStartsAt: new Date(body.proposedStartsAt),
    });
    if (!r.ok) throw refusal(r.code);
    return c.json({ request: toRequestDto(r.request) }, 201);
  },
);

route(
  requestsApi,
  {
    method: 'get',
    path: '/requests',
    summary: 'My requests: sent (fan) or received (as=creator)',
    tags,
    access: 'user',
    query: z.object({ as: z.enum(['fan', 'creator']).default('fan'), status: z.enum(REQUEST_STATUSES).optional() }),
    responses: { 200: { description: 'Requests, newest first', schema: z.object({ items: z.array(RequestDto) }) } },
  },
  async (c, { user, query }) => {
    const deps = c.get('deps');
    const who =
      query.as === 'creator'
        ? eq(callRequests.creatorId, (await creatorOfUser(deps, user)).id)
        : eq(callRequests.userId, user.id);
    const rows = await deps.db
      .select()
      .from(callRequests)
      .where(and(who, query.status ? eq(callRequests.status, query.status) : undefined))
      .orderBy(desc(callRequests.createdAt))
      .limit(200)
      .all();
    return c.json({ items: rows.map(toRequestDto) });
  },
);

route(
  requestsApi,
  {
    method: 'post',
    path: '/requests/:id/accept',
    summary: 'Accept a request: creates a private offer held for the fan to pay (never overlapping my other offers)',
    tags,
    access: ['CREATOR'],
    params: RequestIdParam,
    body: AnswerRequestBody,
    responses: {
      200: { description: 'Accepted', schema: z.object({ request: RequestDto, booking: BookingDto }) },
      409: { description: 'REQUEST_NOT_PENDING, REQUEST_EXPIRED, OVERLAPS_ANOTHER_OFFER' },
    },
  },
  async (c, { user, params, body }) => {
    const deps = c.get('deps');
    const creator = await creatorOfUser(deps, user);
    const r = await deps.rooms
      .calendar(creator.id)
      .acceptRequest({ requestId: params.id, actorUserId: user.id, message: body.message });
    if (!r.ok) throw refusal(r.code, r.message);
    const request = (await deps.db.select().from(callRequests).where(eq(callRequests.id, params.id)).get())!;
    return c.json({ request: toRequestDto(request), booking: r.booking });
  },
);

route(
  requestsApi,
  {
    method: 'post',
    path: '/requests/:id/reject',
    summary: 'Reject a request (with an optional message)',
    tags,
    access: ['CREATOR'],
    params: RequestIdParam,
    body: AnswerRequestBody,
    responses: { 200: { description: 'Rejected', schema: z.object({ request: RequestDto }) } },
  },
  async (c, { user, params, body }) => {
    const r = await rejectRequest(c.get('deps'), user.id, params.id, body.message);
    if (!r.ok) throw refusal(r.code);
    return c.json({ request: toRequestDto(r.request) });
  },
);

route(
  requestsApi,
  {
    method: 'post',
    path: '/requests/:id/cancel',
    summary: 'Withdraw my pending request',
    tags,
    access: 'user',
    params: RequestIdParam,
    responses: { 204: { description: 'Withdrawn' } },
  },
  async (c, { user, params }) => {
    const r = await withdrawRequest(c.get('deps'), user.id, params.id);
    if (!r.ok) throw refusal(r.code);
    return c.body(null, 204);
  },
);
