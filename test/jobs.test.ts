import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { authTokens, cronRuns, emailLog, logs, sessions } from '../src/db/schema';
import { enqueueEmail } from '../src/domain/email/enqueue';
import { backoffSeconds } from '../src/domain/email/deliver';
import worker from '../src/index';
import { runScheduled } from '../src/jobs/scheduled';
import { CRON, jobsForCron } from '../src/jobs/registry';
import { DAY } from '../src/lib/clock';
import { createAccount, deps, testEnv } from './helpers';

async function insertLog(level: 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL', ageDays: number) {
  const d = deps();
  const id = d.ids.next('log');
  await d.db.insert(logs).values({
    id,
    level,
    type: 'SYSTEM_INFO',
    actor: 'SYSTEM',
    message: `${level} ${ageDays}d`,
    createdAt: new Date(Date.now() - ageDays * DAY),
  });
  return id;
}

describe('scheduled jobs', () => {
  it('dispatches each cron to its jobs and records a cron-run row with counts', async () => {
    expect(jobsForCron(CRON.daily)).toEqual(expect.arrayContaining(['log-retention', 'session-cleanup']));
    const keep = await Promise.all([
      insertLog('INFO', 29),
      insertLog('WARNING', 59),
      insertLog('ERROR', 89),
      insertLog('CRITICAL', 400),
    ]);
    const drop = await Promise.all([insertLog('INFO', 31), insertLog('WARNING', 61), insertLog('ERROR', 91)]);
    const a = await createAccount();
    await deps()
      .db.update(sessions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(sessions.userId, a.user.id));

    const tick = Date.UTC(2026, 10, 21, 2, 0);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: CRON.daily, scheduledTime: tick }), testEnv, ctx);
    await waitOnExecutionContext(ctx);

    const remaining = new Set((await deps().db.select({ id: logs.id }).from(logs).all()).map((r) => r.id));
    for (const id of keep) expect(remaining.has(id)).toBe(true);
    for (const id of drop) expect(remaining.has(id)).toBe(false);
    expect(await deps().db.select().from(sessions).where(eq(sessions.userId, a.user.id)).all()).toHaveLength(0);

    const runs = await deps()
      .db.select()
      .from(cronRuns)
      .where(eq(cronRuns.scheduledAt, new Date(tick)))
      .all();
    const retention = runs.find((r) => r.job === 'log-retention')!;
    expect(retention).toMatchObject({ status: 'SUCCESS', trigger: 'CRON', counts: { info: 1, warning: 1, error: 1 } });
    expect(retention.durationMs).toBeGreaterThanOrEqual(0);
    expect(runs.find((r) => r.job === 'session-cleanup')!.counts).toMatchObject({ sessions: 1 });
  });

  it('runs a tick once even when the cron is delivered twice', async () => {
    const tick = Date.UTC(2026, 10, 22, 2, 0);
    const first = await runScheduled(testEnv, { cron: CRON.daily, scheduledTime: tick });
    const second = await runScheduled(testEnv, { cron: CRON.daily, scheduledTime: tick });
    expect(first['log-retention'].status).toBe('SUCCESS');
    expect(second['log-retention'].status).toBe('SKIPPED');
    expect(
      await deps()
        .db.select()
        .from(cronRuns)
        .where(and(eq(cronRuns.job, 'log-retention'), eq(cronRuns.scheduledAt, new Date(tick))))
        .all(),
    ).toHaveLength(1);
  });

  it('drops spent email tokens a day after use or expiry', async () => {
    const a = await createAccount();
    const d = deps();
    await d.db.insert(authTokens).values([
      {
        id: d.ids.next('tok'),
        userId: a.user.id,
        kind: 'RESET_PASSWORD',
        tokenHash: 'h1',
        expiresAt: new Date(Date.now() - 2 * DAY),
        createdAt: new Date(),
      },
      {
        id: d.ids.next('tok'),
        userId: a.user.id,
        kind: 'RESET_PASSWORD',
        tokenHash: 'h2',
        expiresAt: new Date(Date.now() + DAY),
        createdAt: new Date(),
      },
    ]);
    await runScheduled(testEnv, { cron: CRON.daily, scheduledTime: Date.UTC(2026, 10, 23, 2, 0) });
    expect(
      (await d.db.select().from(authTokens).where(eq(authTokens.userId, a.user.id)).all()).map((t) => t.tokenHash),
    ).toEqual(['h2']);
  });
});

describe('email queue consumer', () => {
  it('sends a queued email once through the provider and acks; a redelivery is a no-op', async () => {
    const a = await createAccount();
    const d = deps();
    const { emailId } = await enqueueEmail(d, {
      template: 'password_reset',
      to: { email: a.user.email, name: a.user.name, locale: 'en', timezone: 'UTC', userId: a.user.id },
      data: { url: 'http://localhost/en/reset-password?token=abcdefghijklmnopqrstuvwxyz', expiresMinutes: 60 },
      key: `test:${a.user.id}`,
    });
    const again = await enqueueEmail(d, {
      template: 'password_reset',
      to: { email: a.user.email, name: a.user.name, locale: 'en', timezone: 'UTC', userId: a.user.id },
      data: { url: 'http://localhost/en/reset-password?token=abcdefghijklmnopqrstuvwxyz', expiresMinutes: 60 },
      key: `test:${a.user.id}`,
    });
    expect(again).toEqual({ emailId, duplicate: true });

    for (let i = 0; i < 2; i++) {
      const batch = createMessageBatch('emails', [
        { id: `m${i}`, timestamp: new Date(), attempts: 1 + i, body: { emailId } },
      ]);
      const ctx = createExecutionContext();
      await worker.queue(batch, testEnv);
      const result = await getQueueResult(batch, ctx);
      expect(result.explicitAcks).toEqual([`m${i}`]);
      expect(result.retryMessages).toEqual([]);
    }
    const row = (await d.db.select().from(emailLog).where(eq(emailLog.id, emailId)).get())!;
    expect(row).toMatchObject({ status: 'SENT', attempts: 1, provider: 'outbox' });
    expect(row.providerId).toMatch(/^out_/);
  });

  it('marks an email DEAD from the dead-letter queue and acks malformed messages', async () => {
    const a = await createAccount();
    const d = deps();
    const { emailId } = await enqueueEmail(d, {
      template: 'verify_email',
      to: { email: a.user.email, name: a.user.name, locale: 'fr', timezone: 'Europe/Paris' },
      data: { url: 'http://localhost/fr/verify-email?token=abcdefghijklmnopqrstuvwxyz' },
      key: `dead:${a.user.id}`,
    });
    const batch = createMessageBatch('emails-dlq', [
      { id: 'd1', timestamp: new Date(), attempts: 1, body: { emailId } },
      { id: 'd2', timestamp: new Date(), attempts: 1, body: { nope: true } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, testEnv);
    expect((await getQueueResult(batch, ctx)).explicitAcks.sort()).toEqual(['d1', 'd2']);
    expect((await d.db.select().from(emailLog).where(eq(emailLog.id, emailId)).get())!.status).toBe('DEAD');
  });

  it('backs off exponentially, capped at an hour', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4].map((n) => backoffSeconds(n, mid))).toEqual([30, 60, 120, 240]);
    expect(backoffSeconds(20, mid)).toBe(3600);
    expect(backoffSeconds(1, () => 0)).toBe(24);
    expect(backoffSeconds(1, () => 0.999)).toBe(36);
  });
});
