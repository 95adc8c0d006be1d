/**
 * A local fake of Resend's email API, strict where it matters: Bearer key, required fields,
 * `Idempotency-Key` (same key + same body → the same email, never a second one; same key +
 * another body → 409), Resend's error shape, and failure modes per API key: the next N requests
 * answer 429 (Retry-After), 409 (`concurrent_idempotent_requests` by default), 500 or 422, or a
 * share of requests fail — half of those AFTER the email was accepted (the response is lost), the
 * hard case for exactly-once — and mail to the `failTo` addresses always fails (503). Deliveries are counted per
 * idempotency key. `/__resend/webhook` signs delivery events the Svix way for the app's webhook.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { FAKE_RESEND } from '../fake-credentials';
import type { Fake, FakeRequest, FakeResponse } from './server';

interface Sent {
  id: string;
  key: string | null;
  to: string[];
  subject: string;
  from: string;
  headers: Record<string, string>;
  attachments: { filename: string }[];
  apiKey: string;
}
type Mode = {
  next: { status: number; retryAfter?: number; name?: string }[];
  failRate: number;
  seed: number;
  failTo: string[];
};

const err = (status: number, name: string, message: string, headers?: Record<string, string>): FakeResponse => ({
  status,
  body: { statusCode: status, name, message },
  headers,
});

export function resendFake(): Fake {
  let sent: Sent[] = [];
  let byKey = new Map<string, { fingerprint: string; id: string }>();
  let modes = new Map<string, Mode>();
  let requests = 0;

  /** Deterministic pseudo-random (per key mode) so failure runs are reproducible. */
  const rand = (m: Mode) => {
    m.seed = (m.seed * 1103515245 + 12345) % 2 ** 31;
    return m.seed / 2 ** 31;
  };

  function send(req: FakeRequest): FakeResponse {
    requests++;
    const apiKey = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (apiKey !== FAKE_RESEND.apiKey && apiKey !== FAKE_RESEND.isolatedApiKey)
      return err(401, 'validation_error', 'API key is invalid');
    const mode = modes.get(apiKey);
    const forced = mode?.next.shift();
    if (forced) {
      if (forced.status === 429)
        return err(429, 'rate_limit_exceeded', 'Too many requests. You can only make 2 requests per second.', {
          'retry-after': String(forced.retryAfter ?? 1),
        });
      if (forced.status === 422) return err(422, 'validation_error', 'The `to` field is invalid.');
      if (forced.status === 409)
        return err(
          409,
          forced.name ?? 'concurrent_idempotent_requests',
          'Another request with the same idempotency key is in progress.',
        );
      return err(forced.status, 'internal_server_error', 'Something went wrong.');
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.rawBody);
    } catch {
      return err(400, 'validation_error', 'Invalid JSON');
    }
    for (const f of ['from', 'to', 'subject'])
      if (!body[f]) return err(422, 'missing_required_field', `Missing \`${f}\` field.`);
    if (!body.html && !body.text) return err(422, 'validation_error', 'Missing `html` or `text` field.');
    const to = Array.isArray(body.to) ? (body.to as string[]) : [String(body.to)];
    if (to.some((a) => !/^[^@\s]+@[^@\s]+$/.test(a))) return err(422, 'validation_error', 'Invalid `to` field.');
    const key = (req.headers['idempotency-key'] as string | undefined) ?? null;
    const fingerprint = createHash('sha256').update(req.rawBody).digest('hex');
    if (mode?.failTo.some((a) => to.includes(a)))
      return err(503, 'internal_server_error', 'Service unavailable for this recipient.');
    // Random failures BEFORE processing: nothing was sent.
    const roll = mode && mode.failRate > 0 ? rand(mode) : 1;
    if (mode && roll < mode.failRate / 2) return err(503, 'internal_server_error', 'Service unavailable.');
    if (key) {
      const prior = byKey.get(key);
      if (prior) {
        if (prior.fingerprint !== fingerprint)
          return err(409, 'invalid_idempotent_request', 'Same idempotency key used with a different request payload.');
        return { status: 200, body: { id: prior.id } };
      }
    }
    const id = randomUUID();
    sent.push({
      id,
      key,
      to,
      subject: String(body.subject),
      from: String(body.from),
      headers: (body.headers as Record<string, string>) ?? {},
      attachments: ((body.attachments as { filename: string }[]) ?? []).map((a) => ({ filename: a.filename })),
      apiKey,
    });
    if (key) byKey.set(key, { fingerprint, id });
    // Random failures AFTER processing: the email went out, the answer is lost.
    if (mode && roll < mode.failRate)
      return err(500, 'internal_server_error', 'Something went wrong after accepting the email.');
    return { status: 200, body: { id } };
  }

  function control(req: FakeRequest): FakeResponse {
    const body = JSON.parse(req.rawBody || '{}') as Record<string, unknown>;
    if (req.path === '/__resend/mode') {
      modes.set(String(body.apiKey ?? FAKE_RESEND.apiKey), {
        next: (body.next as Mode['next']) ?? [],
        failRate: Number(body.failRate ?? 0),
        seed: Number(body.seed ?? 42),
        failTo: (body.failTo as string[]) ?? [],
      });
      return { status: 204 };
    }
    if (req.path === '/__resend/webhook') {
      const event = {
        type: String(body.type),
        created_at: new Date().toISOString(),
        data: { email_id: body.emailId, to: body.to ?? [], subject: 'x', from: 'x' },
      };
      const raw = JSON.stringify(event);
      const id = `msg_${randomUUID().replace(/-/g, '')}`;
      const at = body.timestamp ? new Date(Number(body.timestamp) * 1000) : new Date();
      const signature = new Webhook(String(body.secret ?? FAKE_RESEND.webhookSecret)).sign(id, at, raw);
      return {
        status: 200,
        body: {
          body: raw,
          headers: {
            'svix-id': id,
            'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
            'svix-signature': signature,
          },
        },
      };
    }
    return err(404, 'not_found', 'no such control');
  }

  return {
    prefix: '/resend',
    handle(req) {
      if (req.path.startsWith('/__resend/')) return control(req);
      if (req.method === 'POST' && req.path === '/emails') return send(req);
      return err(404, 'not_found', `no route ${req.method} ${req.path}`);
    },
    state: () => ({ sent, requests, keys: byKey.size }),
    reset() {
      sent = [];
      byKey = new Map();
      modes = new Map();
      requests = 0;
    },
  };
}
