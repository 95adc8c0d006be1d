/** queue(): consumers for the email queue, the jobs queue (fanned-out job chunks) and their dead-letter queues. */
import { z } from 'zod';
import { buildDeps, type Deps } from '../deps';
import { deliverEmail, markEmailDead } from '../domain/email/deliver';
import { sendReminders } from '../domain/notifications/reminders';
import { notifyAdmins } from '../domain/notifications/notify';
import type { Bindings } from '../env';
import { runJobChunk } from './run-job';

const EmailMessage = z.object({ emailId: z.string().min(1) });
const JobChunk = z.object({
  job: z.literal('reminders'),
  tick: z.number().int(),
  part: z.number().int().min(1).optional(),
  bookingIds: z.array(z.string().min(1)).max(500),
});

export type QueueKind = 'email' | 'email-dead' | 'jobs' | 'jobs-dead';

/**
 * Which consumer a queue's messages go to, from its name: `emails` or `jobs`, then `-dlq` for the
 * dead-letter queue, then the environment suffix — `emails`, `emails-dlq`, `jobs-staging`,
 * `emails-dlq-production`… (every name in wrangler.toml is checked by a test). Anything else: null.
 */
export function queueKind(name: string): QueueKind | null {
  const m = /^(emails|jobs)(-dlq)?(?:-([a-z0-9]+))?$/.exec(name);
  if (!m || m[3] === 'dlq') return null;
  const family = m[1] === 'jobs' ? 'jobs' : 'email';
  return m[2] ? `${family}-dead` : family;
}

export async function handleQueue(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  const deps = buildDeps(env);
  const kind = queueKind(batch.queue);
  if (!kind) {
    // Not ours to guess: keep the messages (retried, then dead-lettered if configured) and say so.
    await deps.log.system.critical('SYSTEM_ERROR', `Messages from unknown queue ${batch.queue} left unprocessed`, {
      component: 'queue',
      queue: batch.queue,
      messages: batch.messages.length,
    });
    batch.retryAll({ delaySeconds: 300 });
    return;
  }
  for (const msg of batch.messages) {
    if (kind === 'jobs' || kind === 'jobs-dead') await handleJobMessage(deps, msg, kind === 'jobs-dead');
    else await handleEmailMessage(deps, msg, kind === 'email-dead');
  }
}

async function handleEmailMessage(deps: Deps, msg: Message<unknown>, dead: boolean): Promise<void> {
  const body = EmailMessage.safeParse(msg.body);
  if (!body.success) {
    await deps.log.email.error('EMAIL_FAILED', 'Malformed email message dropped', {
      emailId: null,
      reason: `message ${msg.id}`,
    });
    msg.ack();
    return;
  }
  if (dead) {
    await markEmailDead(deps, body.data.emailId);
    msg.ack();
    return;
  }
  try {
    const decision = await deliverEmail(deps, body.data.emailId, msg.attempts);
    if (decision.action === 'ack') msg.ack();
    else msg.retry({ delaySeconds: decision.delaySeconds });
  } catch (e) {
    await deps.log.email.error(
      'EMAIL_FAILED',
      'Email delivery crashed; will retry',
      { emailId: body.data.emailId, attempt: msg.attempts },
      { error: e },
    );
    msg.retry({ delaySeconds: 60 });
  }
}

async function handleJobMessage(deps: Deps, msg: Message<unknown>, dead: boolean): Promise<void> {
  const body = JobChunk.safeParse(msg.body);
  if (!body.success) {
    await deps.log.cron.error('CRON_ERROR', 'Malformed job message dropped', { job: 'unknown', messageId: msg.id });
    msg.ack();
    return;
  }
  const chunk = body.data;
  const tick = new Date(chunk.tick);
  if (dead) {
    await deps.log.cron.error('CRON_ERROR', `A ${chunk.job} chunk of ${chunk.bookingIds.length} failed for good`, {
      job: chunk.job,
      tick: chunk.tick,
      part: chunk.part,
      bookingIds: chunk.bookingIds.slice(0, 20),
      count: chunk.bookingIds.length,
    });
    await notifyAdmins(deps, 'JOB_FAILED', { job: chunk.job, count: chunk.bookingIds.length }, '/admin/jobs');
    msg.ack();
    return;
  }
  // Idempotent: reminders already claimed are skipped, so a retried chunk sends only what is missing.
  const work = async () => ({
    bookings: chunk.bookingIds.length,
    sent: await sendReminders(deps, chunk.bookingIds, tick),
  });
  try {
    // Each chunk has its own cron-run row (trigger QUEUE); a chunk queued before parts existed just runs.
    if (chunk.part) await runJobChunk(deps, chunk.job, tick, chunk.part, work);
    else await work();
    msg.ack();
  } catch (e) {
    if (!chunk.part)
      await deps.log.cron.error(
        'CRON_ERROR',
        'Reminder chunk failed; will retry',
        { job: chunk.job, tick: chunk.tick },
        { error: e },
      );
    msg.retry({ delaySeconds: 30 });
  }
}
