/**
 * A local fake of Daily's REST API (the subset Call a Star uses), strict like Daily: Bearer API
 * key, JSON bodies, room name rules, unknown room properties refused, "already exists" on a
 * second POST /rooms, 404 `not-found`, meeting tokens as HS256 JWTs signed with the API key,
 * meeting records (`GET /meetings?room=`), and 429 `rate-limit-error` with Retry-After on demand.
 * Under /daily/__daily/: make the next requests rate-limited, add meeting records, sign a webhook.
 * Every room belongs to one booking (unique names), so tests running in parallel never collide.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { FAKE_DAILY } from '../fake-credentials';
import type { Fake, FakeRequest, FakeResponse } from './server';

interface Room {
  id: string;
  name: string;
  api_created: true;
  privacy: string;
  url: string;
  created_at: string;
  config: Record<string, unknown>;
}
interface Meeting {
  id: string;
  room: string;
  start_time: number;
  duration: number;
  ongoing: boolean;
  max_participants: number;
  participants: {
    user_id: string | null;
    participant_id: string;
    user_name: string;
    join_time: number;
    duration: number;
  }[];
}

const ROOM_PROPERTIES = new Set([
  'nbf',
  'exp',
  'eject_at_room_exp',
  'eject_after_elapsed',
  'max_participants',
  'enable_prejoin_ui',
  'enable_chat',
  'enable_screenshare',
  'start_video_off',
  'start_audio_off',
  'lang',
  'enable_knocking',
]);
const TOKEN_PROPERTIES = new Set([
  'room_name',
  'is_owner',
  'user_name',
  'user_id',
  'nbf',
  'exp',
  'eject_at_token_exp',
  'eject_after_elapsed',
  'enable_screenshare',
  'start_video_off',
  'start_audio_off',
  'lang',
]);

const err = (status: number, error: string, info: string, headers?: Record<string, string>): FakeResponse => ({
  status,
  body: { error, info },
  headers,
});
const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url');

/** Signs a webhook body the way Daily does: base64 HMAC-SHA256 of `timestamp.body` with the decoded secret. */
export function signDailyWebhook(body: string, timestamp: number, secret = FAKE_DAILY.webhookSecret): string {
  return createHmac('sha256', Buffer.from(secret, 'base64')).update(`${timestamp}.${body}`).digest('base64');
}

export function dailyFake(): Fake {
  let rooms = new Map<string, Room>();
  let deleted: string[] = [];
  let tokens: Record<string, unknown>[] = [];
  let meetings: Meeting[] = [];
  /** Per API key: the next `count` requests with that key answer 429. */
  let rateLimited = new Map<string, { count: number; retryAfter: number }>();
  let requests: { method: string; path: string; query: string }[] = [];

  function api(req: FakeRequest): FakeResponse {
    const key = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (key !== FAKE_DAILY.apiKey && key !== FAKE_DAILY.isolatedApiKey)
      return err(401, 'authentication-error', 'Invalid API key');
    const limit = rateLimited.get(key);
    if (limit && limit.count > 0) {
      limit.count--;
      return err(429, 'rate-limit-error', 'Too many requests', { 'retry-after': String(limit.retryAfter) });
    }
    let body: Record<string, unknown> = {};
    if (req.method === 'POST') {
      if (!String(req.headers['content-type'] ?? '').includes('application/json'))
        return err(400, 'invalid-request-error', 'Content-Type must be application/json');
      try {
        body = JSON.parse(req.rawBody || '{}');
      } catch {
        return err(400, 'invalid-request-error', 'Invalid JSON');
      }
    }
    const path = req.path.replace(/^\/v1/, '');
    let m: RegExpMatchArray | null;
    if (req.method === 'POST' && path === '/rooms') {
      const name = String(body.name ?? randomUUID().slice(0, 12));
      if (!/^[A-Za-z0-9_-]{1,128}$/.test(name))
        return err(400, 'invalid-request-error', 'name must be 1-128 characters of A-Z a-z 0-9 - _');
      if (rooms.has(name)) return err(400, 'invalid-request-error', `a room named ${name} already exists`);
      const props = (body.properties ?? {}) as Record<string, unknown>;
      for (const k of Object.keys(props))
        if (!ROOM_PROPERTIES.has(k)) return err(400, 'invalid-request-error', `unknown property: ${k}`);
      for (const k of ['nbf', 'exp'])
        if (props[k] !== undefined && !Number.isInteger(props[k]))
          return err(400, 'invalid-request-error', `${k} must be a unix timestamp in seconds`);
      if (
        props.max_participants !== undefined &&
        !(Number.isInteger(props.max_participants) && (props.max_participants as number) >= 1)
      )
        return err(400, 'invalid-request-error', 'max_participants must be a positive integer');
      if (body.privacy !== undefined && body.privacy !== 'public' && body.privacy !== 'private')
        return err(400, 'invalid-request-error', 'privacy must be public or private');
      const room: Room = {
        id: randomUUID(),
        name,
        api_created: true,
        privacy: String(body.privacy ?? 'public'),
        url: `https://${FAKE_DAILY.domain}/${name}`,
        created_at: new Date().toISOString(),
        config: props,
      };
      rooms.set(name, room);
      return { status: 200, body: room };
    }
    m = path.match(/^\/rooms\/([^/]+)$/);
    if (m) {
      const room = rooms.get(m[1]);
      if (req.method === 'GET')
        return room ? { status: 200, body: room } : err(404, 'not-found', `room ${m[1]} not found`);
      if (req.method === 'DELETE') {
        if (!room) return err(404, 'not-found', `room ${m[1]} not found`);
        rooms.delete(m[1]);
        deleted.push(m[1]);
        return { status: 200, body: { deleted: true, name: m[1] } };
      }
    }
    if (req.method === 'POST' && path === '/meeting-tokens') {
      const props = (body.properties ?? {}) as Record<string, unknown>;
      for (const k of Object.keys(props))
        if (!TOKEN_PROPERTIES.has(k)) return err(400, 'invalid-request-error', `unknown property: ${k}`);
      if (props.is_owner !== undefined && typeof props.is_owner !== 'boolean')
        return err(400, 'invalid-request-error', 'is_owner must be a boolean');
      if (
        props.exp !== undefined &&
        (!Number.isInteger(props.exp) || (props.nbf !== undefined && (props.exp as number) <= (props.nbf as number)))
      )
        return err(400, 'invalid-request-error', 'exp must be a unix timestamp after nbf');
      tokens.push(props);
      const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
      const payload = b64url(
        JSON.stringify({
          r: props.room_name,
          o: props.is_owner,
          u: props.user_name,
          ud: props.user_id,
          nbf: props.nbf,
          exp: props.exp,
          ejt: props.eject_at_token_exp,
          d: 'fake-domain-id',
          iat: Math.floor(Date.now() / 1000),
        }),
      );
      const sig = createHmac('sha256', FAKE_DAILY.apiKey).update(`${head}.${payload}`).digest('base64url');
      return { status: 200, body: { token: `${head}.${payload}.${sig}` } };
    }
    if (req.method === 'GET' && path === '/meetings') {
      const room = req.query.get('room');
      const data = meetings.filter((x) => !room || x.room === room);
      return { status: 200, body: { total_count: data.length, data } };
    }
    return err(404, 'not-found', `no route ${req.method} ${req.path}`);
  }

  function control(req: FakeRequest): FakeResponse {
    const body = JSON.parse(req.rawBody || '{}') as Record<string, unknown>;
    if (req.path === '/__daily/rate-limit') {
      const limit = { count: Number(body.count ?? 1), retryAfter: Number(body.retryAfter ?? 1) };
      rateLimited.set(String(body.apiKey ?? FAKE_DAILY.apiKey), limit);
      return { status: 200, body: limit };
    }
    if (req.path === '/__daily/meetings') {
      const meeting: Meeting = {
        id: randomUUID(),
        room: String(body.room),
        start_time: Number(body.start_time),
        duration: Number(body.duration),
        ongoing: false,
        max_participants: 2,
        participants: (body.participants as Meeting['participants']) ?? [],
      };
      meetings.push(meeting);
      return { status: 200, body: meeting };
    }
    if (req.path === '/__daily/webhook') {
      const event = {
        version: '1.0.0',
        type: String(body.type),
        id: String(body.id ?? randomUUID()),
        payload: body.payload ?? {},
        event_ts: Date.now() / 1000,
      };
      const raw = JSON.stringify(event);
      const ts = Number(body.timestamp ?? Math.floor(Date.now() / 1000));
      return {
        status: 200,
        body: {
          body: raw,
          headers: { 'x-webhook-signature': signDailyWebhook(raw, ts), 'x-webhook-timestamp': String(ts) },
        },
      };
    }
    return err(404, 'not-found', 'no such control');
  }

  return {
    prefix: '/daily',
    handle(req) {
      requests.push({ method: req.method, path: req.path, query: req.query.toString() });
      return req.path.startsWith('/__daily/') ? control(req) : api(req);
    },
    state: () => ({ rooms: [...rooms.values()], deleted, tokens, meetings, requests }),
    reset() {
      rooms = new Map();
      deleted = [];
      tokens = [];
      meetings = [];
      rateLimited = new Map();
      requests = [];
    },
  };
}
