/** queue(): consumers for the email queue, the jobs queue (fanned-out job chunks) and their dead-letter queues. */
import { z } from 'zod';
import { buildDeps, type Deps } from '../deps';
import { deliverEmail, markEmailDead } from '../domain/email/deliver';
import { sendReminders } from '../domain/notifications/reminders';
import { notifyAdmins } from '../domain/notifications/notify';
import type { Bindings } from '../env';

const EmailMessage = z.object({ emailId: z.string().min(1) });
const JobChunk = z.object({ job: z.literal('reminders'), tick: z.number().int(), bookingIds: z.array(z.string().min(1)).max(500) });

/** Which consumer a queue's messages go to (names may carry an environment suffix: emails-staging…). */
export function queueKind(name: string): 'email' | 'email-dead' | 'jobs' | 'jobs-dead' {
  const dead = name.endsWith('-dlq');
  if (name.startsWith('jobs')) return dead ? 'jobs-dead' : 'jobs';
  return dead ? 'email-dead' : 'email';
}

export async function handleQueue(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  const deps = buildDeps(env);
  const kind = queueKind(batch.queue);
  for (const msg of batch.messages) {
    if (kind === 'jobs' || kind === 'jobs-dead') await handleJobMessage(deps, msg, kind === 'jobs-dead');
    else await handleEmailMessage(deps, msg, kind === 'email-dead');
  }
}

async function handleEmailMessage(deps: Deps, msg: Message<unknown>, dead: boolean): Promise<void> {
  const body = EmailMessage.safeParse(msg.body);
  if (!body.success) {
    await deps.log.error('EMAIL_FAILED', 'Malformed email message dropped', { context: { messageId: msg.id } });
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
    await deps.log.error('EMAIL_FAILED', 'Email delivery crashed; will retry', { context: { emailId: body.data.emailId }, error: e });
    msg.retry({ delaySeconds: 60 });
  }
}

async function handleJobMessage(deps: Deps, msg: Message<unknown>, dead: boolean): Promise<void> {
  const body = JobChunk.safeParse(msg.body);
  if (!body.success) {
    await deps.log.error('CRON_ERROR', 'Malformed job message dropped', { context: { messageId: msg.id } });
    msg.ack();
    return;
  }
  if (dead) {
    await deps.log.error('CRON_ERROR', `A ${body.data.job} chunk of ${body.data.bookingIds.length} failed for good`, { context: { tick: body.data.tick, bookingIds: body.data.bookingIds.slice(0, 20) } });
    await notifyAdmins(deps, 'EMAIL_FAILED', { job: body.data.job, count: body.data.bookingIds.length }, '/admin/jobs');
    msg.ack();
    return;
  }
  try {
    // Idempotent: reminders already claimed are skipped, so a retried chunk sends only what is missing.
    const sent = await sendReminders(deps, body.data.bookingIds, new Date(body.data.tick));
    await deps.log.info('CRON_RUN', `reminders chunk: ${sent} sent for ${body.data.bookingIds.length} bookings`, { context: { tick: body.data.tick } });
    msg.ack();
  } catch (e) {
    await deps.log.error('CRON_ERROR', 'Reminder chunk failed; will retry', { error: e });
    msg.retry({ delaySeconds: 30 });
  }
}
