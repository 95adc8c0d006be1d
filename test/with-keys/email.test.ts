/**
 * Email with Resend configured: the real SDK against the local fake Resend, through the queue
 * consumer (createMessageBatch / getQueueResult): success, 429 with its retry delay, 5xx retried,
 * permanent 4xx not retried, dead letters; exactly-once delivery of 500 emails while 30 % of
 * requests fail; signed delivery webhooks and bounce suppression.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { and, eq, inArray, like } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { emailLog, emailSuppressions, notifications } from '../../src/db/schema';
import { retryEmail } from '../../src/domain/admin/ops';
import { deliverEmail } from '../../src/domain/email/deliver';
import { templates, type TemplateName } from '../../src/emails';
import { handleQueue } from '../../src/jobs/queue';
import { resendProvider } from '../../src/providers/email/resend';
import wranglerToml from '../../wrangler.toml?raw';
import { FAKE_RESEND } from '../fake-credentials';
import { createAccount, deps, expectError, fetchApp, testEnv } from '../helpers';

/** max_retries of the local `emails` consumer in wrangler.toml. */
const EMAIL_MAX_RETRIES = Number(
  /\[\[queues\.consumers\]\]\nqueue = "emails"\n(?:[^[\n][^\n]*\n)*?max_retries = (\d+)/.exec(wranglerToml)![1],
);
const control = (path: string, body: unknown) =>
  fetch(`${testEnv.FAKES_URL}/resend/__resend/${path}`, { method: 'POST', body: JSON.stringify(body) });
const fakeState = async () =>
  (await (await fetch(`${testEnv.FAKES_URL}/__state/resend`)).json()) as {
    sent: { id: string; key: string | null; to: string[]; apiKey: string; headers: Record<string, string> }[];
  };
let n = 0;

/** A logged, pending email (as the producer leaves it), without putting it on the real queue. */
async function pendingEmail(to = `user${++n}-${Date.now()}@example.test`, template: TemplateName = 'verify_email') {
  const id = `eml_withkeys${String(++n).padStart(8, '0')}`;
  const now = new Date();
  await deps()
    .db.insert(emailLog)
    .values({
      id,
      to,
      userId: null,
      template,
      locale: 'en',
      subject: 'Confirm',
      status: 'PENDING',
      idempotencyKey: `test:${id}`,
      payload: {
        data: templates[template].sample('http://localhost'),
        recipient: { name: 'Test', timezone: 'Europe/Paris' },
      },
      createdAt: now,
      updatedAt: now,
    });
  return { id, to };
}
const statusOf = async (id: string) => (await deps().db.select().from(emailLog).where(eq(emailLog.id, id)).get())!;

async function consume(queue: string, emailId: string, attempts = 1) {
  const batch = createMessageBatch(queue, [
    { id: `msg-${emailId}-${attempts}`, timestamp: new Date(), attempts, body: { emailId } },
  ]);
  await handleQueue(batch, testEnv);
  return getQueueResult(batch, createExecutionContext());
}

/** The delay the consumer asks for when it retries (getQueueResult does not report it). */
async function retryDelay(emailId: string, attempts: number): Promise<number | null> {
  let delay: number | null = null;
  const message = {
    id: `spy-${emailId}`,
    timestamp: new Date(),
    attempts,
    body: { emailId },
    ack() {},
    retry(o?: { delaySeconds?: number }) {
      delay = o?.delaySeconds ?? 0;
    },
  };
  await handleQueue(
    { queue: 'emails', messages: [message], ackAll() {}, retryAll() {} } as unknown as MessageBatch<unknown>,
    testEnv,
  );
  return delay;
}

describe('the email queue with Resend', () => {
  it('sends through Resend with the idempotency key and acks', async () => {
    expect(deps().emailProvider.name).toBe('resend');
    const e = await pendingEmail();
    const r = await consume('emails', e.id);
    expect(r.explicitAcks).toEqual([`msg-${e.id}-1`]);
    expect(r.retryMessages).toEqual([]);
    const row = await statusOf(e.id);
    expect(row).toMatchObject({ status: 'SENT', provider: 'resend', attempts: 1 });
    const sent = (await fakeState()).sent.filter((s) => s.key === `test:${e.id}`);
    expect(sent).toHaveLength(1);
    expect(row.providerId).toBe(sent[0].id);
  });

  it('429 → retried after at least Retry-After; 5xx → retried with backoff; 4xx → failed, never retried', async () => {
    const a = await pendingEmail();
    await control('mode', { next: [{ status: 429, retryAfter: 40 }] });
    const r429 = await consume('emails', a.id);
    expect(r429.retryMessages).toEqual([{ msgId: `msg-${a.id}-1` }]);
    expect(r429.explicitAcks).toEqual([]);
    await control('mode', { next: [{ status: 429, retryAfter: 40 }] });
    expect(await retryDelay(a.id, 2)).toBeGreaterThanOrEqual(40);
    expect((await statusOf(a.id)).status).toBe('PENDING');

    const b = await pendingEmail();
    await control('mode', { next: [{ status: 500 }] });
    expect((await consume('emails', b.id, 3)).retryMessages).toHaveLength(1);
    await control('mode', { next: [{ status: 503 }] });
    const delay = await retryDelay(b.id, 3);
    expect(delay).toBeGreaterThanOrEqual(96); // 120 s for a 3rd attempt, ±20 % jitter
    expect(delay).toBeLessThanOrEqual(144);

    const c = await pendingEmail();
    await control('mode', { next: [{ status: 422 }] });
    const r422 = await consume('emails', c.id);
    expect(r422.explicitAcks).toHaveLength(1);
    expect(r422.retryMessages).toEqual([]);
    expect(await statusOf(c.id)).toMatchObject({
      status: 'FAILED',
      lastError: expect.stringContaining('validation_error'),
    });
    await control('mode', {});
    // The retried ones go through now, once each.
    await consume('emails', a.id, 2);
    await consume('emails', b.id, 4);
    expect((await statusOf(a.id)).status).toBe('SENT');
    expect((await fakeState()).sent.filter((s) => s.key === `test:${b.id}`)).toHaveLength(1);
  });

  it('409 concurrent_idempotent_requests is retried (the other request may send it: never "known not sent"); 409 invalid_idempotent_request is not', async () => {
    const a = await pendingEmail();
    await control('mode', { next: [{ status: 409 }] });
    const r = await consume('emails', a.id);
    expect(r.retryMessages).toEqual([{ msgId: `msg-${a.id}-1` }]);
    expect(await statusOf(a.id)).toMatchObject({
      status: 'PENDING',
      attempts: 1,
      maybeSent: true,
      lastError: expect.stringContaining('concurrent_idempotent_requests'),
    });
    await control('mode', {});
    await consume('emails', a.id, 2);
    expect(await statusOf(a.id)).toMatchObject({ status: 'SENT', attempts: 2 });

    const b = await pendingEmail();
    await control('mode', { next: [{ status: 409, name: 'invalid_idempotent_request' }] });
    const rb = await consume('emails', b.id);
    expect(rb.retryMessages).toEqual([]);
    expect(rb.explicitAcks).toEqual([`msg-${b.id}-1`]);
    expect(await statusOf(b.id)).toMatchObject({ status: 'FAILED', maybeSent: true });
    await control('mode', {});
  });

  it("an admin retry past Resend's 24 h key window: a new key when nothing was sent, the old one when it may have been — each then sent once", async () => {
    const admin = await createAccount('ADMIN');
    const quiet = {
      ...deps(),
      queues: { ...deps().queues, email: { send: async () => {} } as unknown as Queue<{ emailId: string }> },
    };
    const refused = await pendingEmail();
    await control('mode', { next: [{ status: 422 }] });
    await consume('emails', refused.id); // a validation error: Resend sent nothing
    const doubtful = await pendingEmail();
    await control('mode', { next: [{ status: 500 }] });
    await consume('emails', doubtful.id); // a 500: it may have gone
    await consume('emails-dlq', doubtful.id, 7);
    await control('mode', {});
    expect(await statusOf(refused.id)).toMatchObject({ status: 'FAILED', maybeSent: false });
    expect(await statusOf(doubtful.id)).toMatchObject({ status: 'DEAD', maybeSent: true });
    await deps()
      .db.update(emailLog)
      .set({ createdAt: new Date(Date.now() - 25 * 3600_000) })
      .where(inArray(emailLog.id, [refused.id, doubtful.id]));
    expect(await retryEmail(quiet, refused.id, admin.user.id)).toEqual({ ok: true, newKey: true });
    expect(await retryEmail(quiet, doubtful.id, admin.user.id)).toEqual({ ok: true, newKey: false });
    await consume('emails', refused.id);
    await consume('emails', doubtful.id);
    const newKey = (await statusOf(refused.id)).providerKey!;
    expect(newKey).toMatch(new RegExp(`^test:${refused.id}:retry:\\d+$`));
    const state = (await fakeState()).sent;
    expect(state.filter((s) => s.key === newKey)).toHaveLength(1);
    expect(state.filter((s) => s.key === `test:${refused.id}`)).toHaveLength(0);
    expect(state.filter((s) => s.key === `test:${doubtful.id}`)).toHaveLength(1);
    expect(await statusOf(refused.id)).toMatchObject({
      status: 'SENT',
      providerId: state.find((s) => s.key === newKey)!.id,
    });
  });

  it('after its retries an email lands in the dead-letter queue: marked DEAD, admins alerted', async () => {
    const admin = await createAccount('ADMIN');
    const e = await pendingEmail();
    const r = await consume('emails-dlq', e.id, 7);
    expect(r.explicitAcks).toHaveLength(1);
    expect((await statusOf(e.id)).status).toBe('DEAD');
    expect(
      await deps()
        .db.select()
        .from(notifications)
        .where(and(eq(notifications.userId, admin.user.id), eq(notifications.type, 'EMAIL_FAILED')))
        .all(),
    ).toHaveLength(1);
  });

  it('delivers 500 emails exactly once while 30 % of requests fail (half of them after Resend accepted the email); at most 1 + max_retries deliveries each, the rest dead-lettered', async () => {
    const admin = await createAccount('ADMIN');
    const d = {
      ...deps(),
      emailProvider: resendProvider({ apiKey: FAKE_RESEND.isolatedApiKey, baseUrl: `${testEnv.FAKES_URL}/resend` }),
    };
    // Three recipients whose mail never goes through: they exhaust their deliveries and go to the dead-letter queue.
    const unreachable = ['bulk7@example.test', 'bulk250@example.test', 'bulk499@example.test'];
    await control('mode', { apiKey: FAKE_RESEND.isolatedApiKey, failRate: 0.3, seed: 7, failTo: unreachable });
    const emails: { id: string; to: string }[] = [];
    for (let i = 0; i < 500; i += 50) {
      const now = new Date();
      const rows = Array.from({ length: 50 }, (_, j) => {
        const id = `eml_bulk${String(i + j).padStart(10, '0')}`;
        return {
          id,
          to: `bulk${i + j}@example.test`,
          userId: null,
          template: 'verify_email',
          locale: 'en' as const,
          subject: 's',
          status: 'PENDING' as const,
          idempotencyKey: `bulk:${id}`,
          payload: { data: { url: 'http://localhost/x' }, recipient: { name: 'B', timezone: 'UTC' } },
          createdAt: now,
          updatedAt: now,
        };
      });
      await d.db.batch(
        rows.map((row) => d.db.insert(emailLog).values(row)) as unknown as Parameters<typeof d.db.batch>[0],
      );
      emails.push(...rows.map((r) => ({ id: r.id, to: r.to })));
    }
    // What the queue does (max_retries from wrangler.toml): deliver, retry when asked, at most 1 + max_retries
    // times; a message still asking to be retried then goes to the dead-letter queue.
    const maxDeliveries = 1 + EMAIL_MAX_RETRIES;
    let pending = emails.map((e) => ({ id: e.id, attempt: 1 }));
    const deadLetters: string[] = [];
    let requests = 0;
    while (pending.length) {
      const next: typeof pending = [];
      for (const p of pending) {
        requests++;
        const decision = await deliverEmail(d, p.id, p.attempt);
        if (decision.action !== 'retry') continue;
        if (p.attempt < maxDeliveries) next.push({ id: p.id, attempt: p.attempt + 1 });
        else deadLetters.push(p.id);
      }
      pending = next;
    }
    for (let i = 0; i < deadLetters.length; i += 10) {
      const batch = createMessageBatch(
        'emails-dlq-production',
        deadLetters
          .slice(i, i + 10)
          .map((id) => ({ id: `dl-${id}`, timestamp: new Date(), attempts: 1, body: { emailId: id } })),
      );
      await handleQueue(batch, testEnv);
      expect((await getQueueResult(batch, createExecutionContext())).explicitAcks).toHaveLength(batch.messages.length);
    }
    await control('mode', { apiKey: FAKE_RESEND.isolatedApiKey });
    const sent = (await fakeState()).sent.filter(
      (s) => s.apiKey === FAKE_RESEND.isolatedApiKey && s.key?.startsWith('bulk:'),
    );
    // Exactly once: no key twice; every email but the unreachable ones went out.
    expect(new Set(sent.map((s) => s.key)).size).toBe(sent.length);
    expect(sent).toHaveLength(497);
    expect(sent.some((s) => s.to.some((a) => unreachable.includes(a)))).toBe(false);
    const rows = await d.db
      .select({
        id: emailLog.id,
        to: emailLog.to,
        status: emailLog.status,
        attempts: emailLog.attempts,
        providerId: emailLog.providerId,
        key: emailLog.idempotencyKey,
        maybeSent: emailLog.maybeSent,
      })
      .from(emailLog)
      .where(like(emailLog.idempotencyKey, 'bulk:%'))
      .all();
    expect(rows).toHaveLength(500);
    const byKey = new Map(sent.map((s) => [s.key, s.id]));
    for (const r of rows) {
      expect(r.attempts, r.id).toBeLessThanOrEqual(maxDeliveries);
      if (unreachable.includes(r.to))
        expect(r, r.id).toMatchObject({ status: 'DEAD', attempts: maxDeliveries, providerId: null, maybeSent: true });
      else expect([r.status, r.providerId], r.id).toEqual(['SENT', byKey.get(r.key)]);
    }
    expect(deadLetters.sort()).toEqual(
      rows
        .filter((r) => unreachable.includes(r.to))
        .map((r) => r.id)
        .sort(),
    );
    expect(
      await deps()
        .db.select()
        .from(notifications)
        .where(and(eq(notifications.userId, admin.user.id), eq(notifications.type, 'EMAIL_FAILED')))
        .all(),
    ).toHaveLength(3);
    // Failures really happened (≈ 30 %), so the retries were exercised.
    expect(requests).toBeGreaterThan(600);
  }, 120_000); // 500 emails through ~700 queue deliveries: seconds on a quiet machine, more under load
});

describe('Resend webhooks', () => {
  async function deliver(
    type: string,
    emailId: string,
    to: string[],
    opts: { secret?: string; timestamp?: number } = {},
  ) {
    const signed = (await (await control('webhook', { type, emailId, to, ...opts })).json()) as {
      body: string;
      headers: Record<string, string>;
    };
    return {
      res: await fetchApp('/api/webhooks/resend', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signed.headers },
        body: signed.body,
      }),
      signed,
    };
  }

  it('records delivery, suppresses bounced and complaining addresses (nothing more is sent to them), refuses bad signatures, handles each event once', async () => {
    const e = await pendingEmail();
    await consume('emails', e.id);
    const providerId = (await statusOf(e.id)).providerId!;
    const ok = await deliver('email.delivered', providerId, [e.to]);
    expect(await ok.res.json()).toEqual({ received: true, status: 'processed' });
    expect((await statusOf(e.id)).deliveryStatus).toBe('DELIVERED');
    // The same event again (Svix retries): a duplicate.
    const again = await fetchApp('/api/webhooks/resend', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...ok.signed.headers },
      body: ok.signed.body,
    });
    expect(await again.json()).toEqual({ received: true, status: 'duplicate' });

    const bounced = await deliver('email.bounced', providerId, [e.to]);
    expect(bounced.res.status).toBe(200);
    expect(
      await deps().db.select().from(emailSuppressions).where(eq(emailSuppressions.email, e.to)).get(),
    ).toMatchObject({ reason: 'BOUNCED' });
    const next = await pendingEmail(e.to);
    await consume('emails', next.id);
    expect((await statusOf(next.id)).status).toBe('SUPPRESSED');

    await expectError(
      (
        await deliver('email.delivered', providerId, [e.to], {
          secret: `whsec_${btoa('another-secret-of-32-bytes-long!')}`,
        })
      ).res,
      400,
      'SIGNATURE_INVALID',
    );
    await expectError(
      (await deliver('email.delivered', providerId, [e.to], { timestamp: Math.floor(Date.now() / 1000) - 3600 })).res,
      400,
      'SIGNATURE_INVALID',
    );
    await expectError(
      await fetchApp('/api/webhooks/resend', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: ok.signed.body,
      }),
      400,
      'SIGNATURE_INVALID',
    );
  });
});
