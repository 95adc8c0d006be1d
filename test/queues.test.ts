/**
 * The queues and the jobs around them: which consumer every queue name of wrangler.toml reaches
 * (dead-letter queues of staging and production included), emails that lost their queue message
 * (the sweep, a re-enqueue, an admin retry), the admin retry's idempotency key after the provider's
 * 24 h window, cron runs killed mid-way and overlapping runs, failed job chunks, and email logs that
 * hold no usable one-time link.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import wranglerToml from '../wrangler.toml?raw';
import { authTokens, cronRuns, devOutbox, emailLog, logs, notifications } from '../src/db/schema';
import type { Deps } from '../src/deps';
import { PROVIDER_KEY_WINDOW_MS, retryEmail } from '../src/domain/admin/ops';
import { requestPasswordReset, resetPassword, sendVerificationEmail, verifyEmail } from '../src/domain/accounts/tokens';
import { deliverEmail } from '../src/domain/email/deliver';
import {
  enqueueEmail,
  requeueStalePendingEmails,
  STALE_PENDING_MS,
  STALE_RETRYING_MS,
  type EmailPayload,
  type EmailQueueMessage,
} from '../src/domain/email/enqueue';
import { resolveLinks } from '../src/domain/email/links';
import { handleQueue, queueKind } from '../src/jobs/queue';
import { KILLED_AFTER_MS, KILLED_ERROR, runJob, runJobChunk } from '../src/jobs/run-job';
import { fixedClock, HOUR, MINUTE } from '../src/lib/clock';
import { sha256Hex } from '../src/lib/crypto';
import { isRetryable, mayHaveBeenSent } from '../src/providers/email/resend';
import { createAccount, deps, getPage, testEnv, tokenFromEmail, userRow } from './helpers';

// ------------------------------------------------------------------------------------------------ wrangler.toml

type Entry = {
  role: 'producers' | 'consumers';
  binding?: string;
  queue?: string;
  dead_letter_queue?: string;
  max_retries?: string;
};
const fields = (text: string) =>
  Object.fromEntries([...text.matchAll(/(\w+)\s*=\s*(?:"([^"]*)"|(\d+))/g)].map((m) => [m[1], m[2] ?? m[3]]));
/** Every queue producer and consumer of every environment: [[queues.*]] blocks and the environments' inline tables. */
function queueEntries(toml: string): Entry[] {
  const out: Entry[] = [];
  for (const m of toml.matchAll(/^\[\[queues\.(producers|consumers)\]\]\n((?:[^\n[#][^\n]*\n?)*)/gm))
    out.push({ role: m[1] as Entry['role'], ...fields(m[2]) });
  for (const m of toml.matchAll(/^queues\.(producers|consumers)\s*=\s*\[([^\]]*)\]/gm)) {
    for (const t of m[2].matchAll(/\{([^}]*)\}/g)) out.push({ role: m[1] as Entry['role'], ...fields(t[1]) });
  }
  return out;
}

describe('queue names (every one in wrangler.toml)', () => {
  const entries = queueEntries(wranglerToml);
  const consumers = entries.filter((e) => e.role === 'consumers');
  const producers = entries.filter((e) => e.role === 'producers');
  const names = new Set(entries.flatMap((e) => [e.queue, e.dead_letter_queue]).filter((n): n is string => !!n));
  const familyOf = (queue: string) => {
    const binding = producers.find((p) => p.queue === queue)?.binding;
    return binding === 'EMAIL_QUEUE' ? 'email' : binding === 'JOB_QUEUE' ? 'jobs' : null;
  };

  it('finds the queues of development, staging and production', () => {
    expect(producers.length).toBe(6);
    expect(consumers.length).toBe(12);
    expect([...names].sort()).toEqual([
      'emails',
      'emails-dlq',
      'emails-dlq-production',
      'emails-dlq-staging',
      'emails-production',
      'emails-staging',
      'jobs',
      'jobs-dlq',
      'jobs-dlq-production',
      'jobs-dlq-staging',
      'jobs-production',
      'jobs-staging',
    ]);
  });

  it('routes each queue to its consumer and each dead-letter queue to the dead-letter consumer', () => {
    for (const c of consumers.filter((x) => x.dead_letter_queue)) {
      const family = familyOf(c.queue!);
      expect(family, c.queue).not.toBeNull();
      expect(queueKind(c.queue!), c.queue).toBe(family);
      expect(queueKind(c.dead_letter_queue!), c.dead_letter_queue).toBe(`${family}-dead`);
      // The dead-letter queue has a consumer (else dead letters would never be marked).
      expect(
        consumers.some((x) => x.queue === c.dead_letter_queue),
        c.dead_letter_queue,
      ).toBe(true);
    }
    for (const name of names) expect(queueKind(name), name).not.toBeNull();
    expect(queueKind('notifications')).toBeNull();
    expect(queueKind('emails-dlq-dlq')).toBeNull();
  });

  it('every email consumer allows the documented 6 retries', () => {
    for (const c of consumers.filter((x) => x.queue && familyOf(x.queue) === 'email'))
      expect(c.max_retries, c.queue).toBe('6');
  });
});

describe('queue consumers in deployed environments', () => {
  const pending = async (id: string) => {
    const now = new Date();
    await deps()
      .db.insert(emailLog)
      .values({
        id,
        to: `${id}@example.test`,
        userId: null,
        template: 'verify_email',
        locale: 'en',
        subject: 's',
        status: 'PENDING',
        attempts: 6,
        idempotencyKey: `test:${id}`,
        payload: { data: { url: 'http://localhost/x' }, recipient: { name: 'x', timezone: 'UTC' } },
        createdAt: now,
        updatedAt: now,
      });
  };

  it('a dead letter from emails-dlq-staging / -production is marked DEAD and admins are alerted (not re-sent)', async () => {
    const admin = await createAccount('ADMIN');
    for (const [queue, id] of [
      ['emails-dlq-staging', 'eml_dlqstaging00001'],
      ['emails-dlq-production', 'eml_dlqproduction01'],
    ] as const) {
      await pending(id);
      const batch = createMessageBatch(queue, [
        { id: `m-${id}`, timestamp: new Date(), attempts: 1, body: { emailId: id } },
      ]);
      await handleQueue(batch, testEnv);
      expect((await getQueueResult(batch, createExecutionContext())).explicitAcks).toEqual([`m-${id}`]);
      expect((await deps().db.select().from(emailLog).where(eq(emailLog.id, id)).get())!.status).toBe('DEAD');
      expect(
        await deps()
          .db.select()
          .from(devOutbox)
          .where(eq(devOutbox.idempotencyKey, `test:${id}`))
          .all(),
      ).toHaveLength(0);
    }
    const alerts = await deps()
      .db.select()
      .from(notifications)
      .where(and(eq(notifications.userId, admin.user.id), eq(notifications.type, 'EMAIL_FAILED')))
      .all();
    expect(alerts).toHaveLength(2);
  });

  it('a reminder chunk that failed for good (jobs-dlq-production) alerts admins as JOB_FAILED, and is not run', async () => {
    const admin = await createAccount('ADMIN');
    const batch = createMessageBatch('jobs-dlq-production', [
      {
        id: 'j1',
        timestamp: new Date(),
        attempts: 1,
        body: { job: 'reminders', tick: Date.now(), part: 2, bookingIds: ['bkg_a', 'bkg_b', 'bkg_c'] },
      },
    ]);
    await handleQueue(batch, testEnv);
    expect((await getQueueResult(batch, createExecutionContext())).explicitAcks).toEqual(['j1']);
    const mine = await deps().db.select().from(notifications).where(eq(notifications.userId, admin.user.id)).all();
    expect(mine.map((n) => n.type)).toEqual(['JOB_FAILED']);
    expect(mine[0]).toMatchObject({ params: { job: 'reminders', count: 3 }, link: '/admin/jobs' });
    const page = await (await getPage('/en/notifications', admin.token)).text();
    expect(page).toContain('A batch of the reminders job (3 items) failed after several attempts.');
  });

  it('messages from a queue it does not know are kept (retried), with a CRITICAL log', async () => {
    const batch = createMessageBatch('notifications-production', [
      { id: 'x1', timestamp: new Date(), attempts: 1, body: { emailId: 'eml_x' } },
    ]);
    await handleQueue(batch, testEnv);
    const r = await getQueueResult(batch, createExecutionContext());
    expect(r.retryBatch.retry).toBe(true);
    expect(r.explicitAcks).toEqual([]);
    expect(
      await deps()
        .db.select()
        .from(logs)
        .where(and(eq(logs.type, 'SYSTEM_ERROR'), eq(logs.level, 'CRITICAL')))
        .all(),
    ).toHaveLength(1);
  });
});

// ------------------------------------------------------------------------------------------------ lost queue messages

/** Deps whose email queue records what is sent (and may refuse it). */
function capturing(d: Deps = deps(), fail = false) {
  const sent: string[] = [];
  const queue = {
    send: async (m: EmailQueueMessage) => {
      if (fail) throw new Error('queue unavailable');
      sent.push(m.emailId);
    },
    sendBatch: async (ms: { body: EmailQueueMessage }[]) => {
      if (fail) throw new Error('queue unavailable');
      sent.push(...ms.map((m) => m.body.emailId));
    },
  };
  return { d: { ...d, queues: { ...d.queues, email: queue as unknown as Deps['queues']['email'] } } as Deps, sent };
}
const row = async (id: string) => (await deps().db.select().from(emailLog).where(eq(emailLog.id, id)).get())!;
async function insertEmail(
  id: string,
  over: Partial<typeof emailLog.$inferInsert> & { ageMs?: number; touchedMs?: number } = {},
) {
  const { ageMs = 0, touchedMs = ageMs, ...rest } = over;
  const now = Date.now();
  await deps()
    .db.insert(emailLog)
    .values({
      id,
      to: `${id}@example.test`,
      userId: null,
      template: 'verify_email',
      locale: 'en',
      subject: 's',
      status: 'PENDING',
      attempts: 0,
      idempotencyKey: `key:${id}`,
      payload: { data: { url: 'http://localhost/x' }, recipient: { name: 'x', timezone: 'UTC' } },
      createdAt: new Date(now - ageMs),
      updatedAt: new Date(now - touchedMs),
      ...rest,
    });
}

describe('an email whose queue message was lost is never stuck', () => {
  it('enqueue: the queue refusing the message leaves the row pending (logged, not thrown); the same key, later, queues it again — once', async () => {
    const a = await createAccount();
    const input = {
      template: 'password_reset' as const,
      to: { email: a.user.email, name: a.user.name, locale: 'en' as const, timezone: 'UTC', userId: a.user.id },
      data: { url: 'http://localhost/en/reset-password?token=x', expiresMinutes: 60 },
      key: `lost:${a.user.id}`,
    };
    const down = capturing(deps(), true);
    const first = await enqueueEmail(down.d, input);
    expect(first.duplicate).toBe(false);
    expect(await row(first.emailId)).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect(
      (await deps().db.select().from(logs).where(eq(logs.type, 'EMAIL_FAILED')).all()).some(
        (l) => (l.context as { emailId: string }).emailId === first.emailId,
      ),
    ).toBe(true);
    // Right away: a duplicate, not queued again (its message may just be slow).
    const soon = capturing();
    expect(await enqueueEmail(soon.d, input)).toEqual({ emailId: first.emailId, duplicate: true });
    expect(soon.sent).toEqual([]);
    // 10 minutes later, never attempted: queued again, once.
    const later = capturing(deps({ clock: fixedClock(Date.now() + STALE_PENDING_MS) }));
    expect(await enqueueEmail(later.d, input)).toEqual({ emailId: first.emailId, duplicate: true, requeued: true });
    expect(await enqueueEmail(later.d, input)).toEqual({ emailId: first.emailId, duplicate: true });
    expect(later.sent).toEqual([first.emailId]);
  });

  it('the email-sweep job queues again what is pending, never attempted and 10 minutes old — nothing else, and not twice in a row', async () => {
    await insertEmail('eml_sweepstale00001', { ageMs: STALE_PENDING_MS + MINUTE });
    await insertEmail('eml_sweepfresh00001', { ageMs: STALE_PENDING_MS - MINUTE });
    await insertEmail('eml_sweepretry00001', { ageMs: 30 * MINUTE, attempts: 2 });
    await insertEmail('eml_sweepsent000001', { ageMs: HOUR, status: 'SENT', attempts: 1 });
    const { d, sent } = capturing();
    const counts = await requeueStalePendingEmails(d);
    expect(sent).toContain('eml_sweepstale00001');
    for (const id of ['eml_sweepfresh00001', 'eml_sweepretry00001', 'eml_sweepsent000001'])
      expect(sent).not.toContain(id);
    expect(counts).toMatchObject({ requeued: sent.length, failed: 0 });
    expect((await row('eml_sweepstale00001')).updatedAt.getTime()).toBeGreaterThan(Date.now() - MINUTE);
    const again = capturing();
    await requeueStalePendingEmails(again.d);
    expect(again.sent).not.toContain('eml_sweepstale00001');
    // Registered as a 5-minute job; the requeued email is then delivered by the consumer.
    await insertEmail('eml_sweepjob000001', { ageMs: STALE_PENDING_MS + MINUTE });
    const viaJob = capturing();
    expect(
      await runJob(viaJob.d, 'email-sweep', new Date(Date.UTC(2026, 10, 20, 10, 5)), 'CRON', '*/5 * * * *'),
    ).toMatchObject({ status: 'SUCCESS', counts: { requeued: 1, failed: 0 } });
    expect(viaJob.sent).toEqual(['eml_sweepjob000001']);
    expect(await deliverEmail(deps(), 'eml_sweepjob000001', 1)).toEqual({ action: 'ack', outcome: 'sent' });
  });
});

// ------------------------------------------------------------------------------------------------ admin retry

describe('admin retry', () => {
  it('retries failed, dead and stuck-pending emails — not fresh pending, sent, skipped or suppressed ones', async () => {
    const admin = await createAccount('ADMIN');
    await insertEmail('eml_retryfresh0001', { ageMs: MINUTE });
    await insertEmail('eml_retrystuck0001', { ageMs: STALE_PENDING_MS + MINUTE });
    await insertEmail('eml_retrystuck0002', { ageMs: 5 * HOUR, touchedMs: STALE_RETRYING_MS + MINUTE, attempts: 3 });
    await insertEmail('eml_retryinflight1', { ageMs: 5 * HOUR, touchedMs: 20 * MINUTE, attempts: 3 });
    await insertEmail('eml_retryfailed001', { ageMs: HOUR, status: 'FAILED', attempts: 1 });
    for (const status of ['SENT', 'SKIPPED', 'SUPPRESSED'] as const)
      await insertEmail(`eml_retry${status.toLowerCase().padEnd(10, '0')}`, { ageMs: HOUR, status });
    const { d, sent } = capturing();
    const r = (id: string) => retryEmail(d, id, admin.user.id);
    expect(await r('eml_retryfresh0001')).toEqual({ ok: false, code: 'EMAIL_NOT_RETRYABLE' });
    expect(await r('eml_retryinflight1')).toEqual({ ok: false, code: 'EMAIL_NOT_RETRYABLE' });
    expect(await r('eml_retrystuck0001')).toEqual({ ok: true, newKey: false });
    expect(await r('eml_retrystuck0002')).toEqual({ ok: true, newKey: false });
    expect(await r('eml_retryfailed001')).toEqual({ ok: true, newKey: false });
    for (const status of ['sent', 'skipped', 'suppressed'])
      expect(await r(`eml_retry${status.padEnd(10, '0')}`)).toEqual({ ok: false, code: 'EMAIL_NOT_RETRYABLE' });
    expect(await r('eml_nosuchemail000')).toEqual({ ok: false, code: 'EMAIL_NOT_FOUND' });
    expect(sent).toEqual(['eml_retrystuck0001', 'eml_retrystuck0002', 'eml_retryfailed001']);
    expect(await row('eml_retryfailed001')).toMatchObject({ status: 'PENDING', lastError: null, providerKey: null });
    // The log page offers the button on a stuck one and says it is stuck.
    await insertEmail('eml_retrystuckpage', { ageMs: STALE_PENDING_MS + MINUTE });
    const page = await (await getPage('/en/admin/emails?status=PENDING', admin.token)).text();
    expect(page).toMatch(
      /data-email="eml_retrystuckpage"[\s\S]*?data-stuck[\s\S]*?\/admin\/emails\/eml_retrystuckpage\/retry/,
    );
    expect(page).not.toContain('/admin/emails/eml_retryinflight1/retry');
  });

  it("past the provider's 24 h key window: a new key only when nothing can have been sent; the old one otherwise", async () => {
    const admin = await createAccount('ADMIN');
    const old = PROVIDER_KEY_WINDOW_MS + HOUR;
    await insertEmail('eml_keyoldnotsent01', { ageMs: old, status: 'FAILED', attempts: 1, maybeSent: false });
    await insertEmail('eml_keyoldmaybe0001', { ageMs: old, status: 'DEAD', attempts: 7, maybeSent: true });
    await insertEmail('eml_keyrecent00001', {
      ageMs: PROVIDER_KEY_WINDOW_MS - HOUR,
      status: 'FAILED',
      attempts: 1,
      maybeSent: false,
    });
    const { d } = capturing();
    expect(await retryEmail(d, 'eml_keyoldnotsent01', admin.user.id)).toEqual({ ok: true, newKey: true });
    expect(await retryEmail(d, 'eml_keyoldmaybe0001', admin.user.id)).toEqual({ ok: true, newKey: false });
    expect(await retryEmail(d, 'eml_keyrecent00001', admin.user.id)).toEqual({ ok: true, newKey: false });
    const fresh = await row('eml_keyoldnotsent01');
    expect(fresh.providerKey).toMatch(/^key:eml_keyoldnotsent01:retry:\d+$/);
    expect(fresh.idempotencyKey).toBe('key:eml_keyoldnotsent01'); // the logical key is unchanged: enqueuing it again is still a duplicate
    expect((await row('eml_keyoldmaybe0001')).providerKey).toBeNull();
    // The send uses the new key.
    await deliverEmail(deps(), 'eml_keyoldnotsent01', 1);
    expect(
      await deps().db.select().from(devOutbox).where(eq(devOutbox.idempotencyKey, fresh.providerKey!)).all(),
    ).toHaveLength(1);
    expect(
      await deps().db.select().from(devOutbox).where(eq(devOutbox.idempotencyKey, 'key:eml_keyoldnotsent01')).all(),
    ).toHaveLength(0);
  });

  it('classifies provider answers: 429, 5xx, no answer and 409 concurrent_idempotent_requests are retried; others are not; only 5xx, 409 and no answer may have sent', () => {
    expect([429, 500, 503, null].map((s) => isRetryable(s, 'x'))).toEqual([true, true, true, true]);
    expect(isRetryable(409, 'concurrent_idempotent_requests')).toBe(true);
    expect(isRetryable(409, 'invalid_idempotent_request')).toBe(false);
    expect([400, 401, 403, 422].map((s) => isRetryable(s, 'validation_error'))).toEqual([false, false, false, false]);
    expect([null, 500, 409].map(mayHaveBeenSent)).toEqual([true, true, true]);
    expect([429, 422, 400].map(mayHaveBeenSent)).toEqual([false, false, false]);
  });
});

// ------------------------------------------------------------------------------------------------ cron runs

describe('cron runs', () => {
  const running = async (job: string, startedAgoMs: number, tick: number) => {
    const d = deps();
    const id = d.ids.next('cron');
    await d.db.insert(cronRuns).values({
      id,
      job,
      cron: '*/5 * * * *',
      scheduledAt: new Date(tick),
      trigger: 'CRON',
      status: 'RUNNING',
      startedAt: new Date(Date.now() - startedAgoMs),
    });
    return id;
  };
  const runRow = async (id: string) => (await deps().db.select().from(cronRuns).where(eq(cronRuns.id, id)).get())!;

  it('a run killed mid-way (RUNNING for more than 15 minutes) is marked ERROR and blocks nothing', async () => {
    const killed = await running('video-room-cleanup', KILLED_AFTER_MS + MINUTE, Date.UTC(2026, 10, 20, 9, 0));
    const r = await runJob(deps(), 'video-room-cleanup', new Date(Date.UTC(2026, 10, 20, 9, 20)), 'CRON');
    expect(r.status).toBe('SUCCESS');
    expect(await runRow(killed)).toMatchObject({ status: 'ERROR', error: KILLED_ERROR });
    expect((await runRow(killed)).finishedAt).not.toBeNull();
    expect(
      (await deps().db.select().from(logs).where(eq(logs.type, 'CRON_ERROR')).all()).some(
        (l) => (l.context as { job: string }).job === 'video-room-cleanup',
      ),
    ).toBe(true);
  });

  it('a job still running (under 15 minutes) makes the next tick SKIPPED, recorded; the same tick twice is skipped once', async () => {
    const other = await running('log-retention', 2 * MINUTE, Date.UTC(2026, 10, 20, 2, 0));
    const tick = new Date(Date.UTC(2026, 10, 21, 2, 0));
    expect(await runJob(deps(), 'log-retention', tick, 'CRON')).toEqual({ status: 'SKIPPED', reason: 'STILL_RUNNING' });
    const rows = await deps()
      .db.select()
      .from(cronRuns)
      .where(and(eq(cronRuns.job, 'log-retention'), eq(cronRuns.scheduledAt, tick)))
      .all();
    expect(rows).toEqual([
      expect.objectContaining({ status: 'SKIPPED', error: `previous run ${other} still running` }),
    ]);
    expect(await runJob(deps(), 'log-retention', tick, 'CRON')).toEqual({
      status: 'SKIPPED',
      reason: 'DUPLICATE_TICK',
    });
    expect(await runRow(other)).toMatchObject({ status: 'RUNNING' });
    // Once it is over, the next tick runs.
    await deps().db.update(cronRuns).set({ status: 'SUCCESS' }).where(eq(cronRuns.id, other));
    expect((await runJob(deps(), 'log-retention', new Date(Date.UTC(2026, 10, 22, 2, 0)), 'CRON')).status).toBe(
      'SUCCESS',
    );
  });

  it('a fanned-out chunk records its own run: the error when it fails, the counts when its retry succeeds', async () => {
    const tick = new Date(Date.UTC(2026, 10, 20, 12, 5));
    await expect(
      runJobChunk(deps(), 'reminders', tick, 3, async () => {
        throw new Error('D1 overloaded');
      }),
    ).rejects.toThrow('D1 overloaded');
    const rowsOf = () =>
      deps()
        .db.select()
        .from(cronRuns)
        .where(and(eq(cronRuns.job, 'reminders'), eq(cronRuns.scheduledAt, tick)))
        .all();
    expect(await rowsOf()).toEqual([
      expect.objectContaining({
        part: 3,
        trigger: 'QUEUE',
        status: 'ERROR',
        error: expect.stringContaining('D1 overloaded'),
      }),
    ]);
    expect(await runJobChunk(deps(), 'reminders', tick, 3, async () => ({ bookings: 50, sent: 100 }))).toEqual({
      bookings: 50,
      sent: 100,
    });
    expect(await rowsOf()).toEqual([
      expect.objectContaining({ part: 3, status: 'SUCCESS', error: null, counts: { bookings: 50, sent: 100 } }),
    ]);
  });
});

// ------------------------------------------------------------------------------------------------ one-time links

describe('one-time links are not stored in the email log', () => {
  it('email verification and password reset: the log keeps the token id; the link is derived at send time and works', async () => {
    const a = await createAccount('USER', { emailVerifiedAt: null });
    const d = capturing().d; // delivered by hand below
    expect(await sendVerificationEmail(d, a.user)).toBe(true);
    await requestPasswordReset(d, a.user.email);
    const rows = await deps().db.select().from(emailLog).where(eq(emailLog.userId, a.user.id)).all();
    expect(rows.map((r) => r.template).sort()).toEqual(['password_reset', 'verify_email']);
    const tokens = await deps().db.select().from(authTokens).where(eq(authTokens.userId, a.user.id)).all();
    for (const r of rows) {
      const payload = r.payload as unknown as EmailPayload;
      expect(JSON.stringify(r)).not.toMatch(/token=/);
      expect(payload.data.url).toBeUndefined();
      expect(tokens.map((t) => t.id)).toContain(payload.links!.url.tokenId);
      await deliverEmail(deps(), r.id, 1);
    }
    const textOf = async (template: string) =>
      (await deps()
        .db.select()
        .from(devOutbox)
        .where(eq(devOutbox.idempotencyKey, rows.find((r) => r.template === template)!.idempotencyKey))
        .get())!.text;
    const verifyToken = tokenFromEmail(await textOf('verify_email'));
    const resetToken = tokenFromEmail(await textOf('password_reset'));
    // Only the hash is in auth_tokens; the link works once.
    expect(tokens.map((t) => t.tokenHash).sort()).toEqual(
      [await sha256Hex(verifyToken), await sha256Hex(resetToken)].sort(),
    );
    expect((await verifyEmail(deps(), verifyToken))?.id).toBe(a.user.id);
    expect(await verifyEmail(deps(), verifyToken)).toBeNull();
    expect((await resetPassword(deps(), resetToken, 'a-brand-new-password'))?.user.id).toBe(a.user.id);
    // The database alone does not give the link: the same token id under another secret is another token.
    const verifyRow = rows.find((r) => r.template === 'verify_email')!;
    const forged = await resolveLinks(
      { ...deps().config, sessionSecret: 'not-the-secret-of-this-deployment-0000' },
      (verifyRow.payload as unknown as EmailPayload).links,
    );
    expect(forged.url).not.toContain(verifyToken);
    expect((await userRow(a.user.id)).emailVerifiedAt).not.toBeNull();
  });
});
