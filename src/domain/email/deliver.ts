/**
 * Consumer side of email: render and send one logged email through the provider, idempotently.
 * Returns what the queue should do with the message; the queue handler applies it.
 */
import { eq, sql } from 'drizzle-orm';
import { emailLog, emailSuppressions, users } from '../../db/schema';
import type { Deps } from '../../deps';
import { getTemplate, renderEmail } from '../../emails';
import { notifyAdmins } from '../notifications/notify';
import { emailContext } from './enqueue';
import { unsubscribeUrl, wantsEmail, type EmailCategory } from './unsubscribe';

export type DeliveryDecision = { action: 'ack'; outcome: 'sent' | 'skipped' | 'failed' | 'suppressed' } | { action: 'retry'; delaySeconds: number };

/** Exponential backoff: 30 s, 60 s, 2 min, 4 min … capped at 1 h, with ±20 % jitter. */
export function backoffSeconds(attempt: number, random = Math.random): number {
  const base = Math.min(30 * 2 ** Math.max(0, attempt - 1), 3600);
  return Math.max(1, Math.round(base * (0.8 + 0.4 * random())));
}

export async function deliverEmail(deps: Deps, emailId: string, attempt: number): Promise<DeliveryDecision> {
  const row = await deps.db.select().from(emailLog).where(eq(emailLog.id, emailId)).get();
  if (!row || row.status !== 'PENDING') return { action: 'ack', outcome: 'skipped' };

  const now = deps.clock.now();
  const suppressed = await deps.db.select().from(emailSuppressions).where(eq(emailSuppressions.email, row.to)).get();
  const template = getTemplate(row.template);
  if (suppressed || !template) {
    await deps.db.update(emailLog).set({ status: suppressed ? 'SUPPRESSED' : 'FAILED', lastError: suppressed ? `suppressed: ${suppressed.reason}` : 'unknown template', updatedAt: now }).where(eq(emailLog.id, emailId));
    await deps.log.warn(suppressed ? 'EMAIL_SUPPRESSED' : 'EMAIL_FAILED', `${row.template} to ${row.to} not sent`, { context: { emailId, reason: suppressed?.reason ?? 'unknown template' } });
    return { action: 'ack', outcome: suppressed ? 'suppressed' : 'failed' };
  }

  // Non-transactional mail: the person may have turned this category off since it was queued.
  let unsubscribe: string | undefined;
  if (!template.transactional && template.category && row.userId) {
    const user = await deps.db.select({ prefs: users.emailPrefs }).from(users).where(eq(users.id, row.userId)).get();
    if (!wantsEmail(user?.prefs, template.category)) {
      await deps.db.update(emailLog).set({ status: 'SUPPRESSED', lastError: `unsubscribed from ${template.category}`, updatedAt: now }).where(eq(emailLog.id, emailId));
      await deps.log.info('EMAIL_SUPPRESSED', `${row.template} to ${row.to} not sent: ${template.category} turned off`, { context: { emailId } });
      return { action: 'ack', outcome: 'suppressed' };
    }
    unsubscribe = await unsubscribeUrl(deps, row.userId, template.category as EmailCategory);
  }
  const payload = row.payload as { data: unknown; recipient: { name: string; timezone: string } };
  const rendered = renderEmail(template, emailContext(deps, { locale: row.locale, timezone: payload.recipient.timezone, name: payload.recipient.name }, unsubscribe), payload.data);
  const result = await deps.emailProvider.send({
    from: deps.config.emailFrom,
    to: row.to,
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    attachments: rendered.attachments,
    headers: {
      'X-Entity-Ref-ID': row.id,
      // RFC 8058 one-click unsubscribe for mail people can turn off.
      ...(unsubscribe ? { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {}),
    },
    tags: [{ name: 'template', value: row.template }],
  }, row.idempotencyKey);

  const attempts = sql`${emailLog.attempts} + 1`;
  if (result.ok) {
    await deps.db.update(emailLog).set({ status: 'SENT', provider: deps.emailProvider.name, providerId: result.providerId, attempts, sentAt: now, lastError: null, updatedAt: now }).where(eq(emailLog.id, emailId));
    await deps.log.info('EMAIL_SENT', `${row.template} sent to ${row.to}`, { context: { emailId, providerId: result.providerId, attempt } });
    return { action: 'ack', outcome: 'sent' };
  }
  if (!result.retryable) {
    await deps.db.update(emailLog).set({ status: 'FAILED', provider: deps.emailProvider.name, attempts, lastError: result.message.slice(0, 1000), updatedAt: now }).where(eq(emailLog.id, emailId));
    await deps.log.error('EMAIL_FAILED', `${row.template} to ${row.to} rejected permanently (${result.status ?? '?'})`, { context: { emailId, status: result.status }, error: result.message });
    return { action: 'ack', outcome: 'failed' };
  }
  await deps.db.update(emailLog).set({ provider: deps.emailProvider.name, attempts, lastError: result.message.slice(0, 1000), updatedAt: now }).where(eq(emailLog.id, emailId));
  const delaySeconds = Math.max(result.retryAfterSeconds ?? 0, backoffSeconds(attempt));
  await deps.log.warn('EMAIL_RETRY', `${row.template} to ${row.to} will be retried in ${delaySeconds}s`, { context: { emailId, status: result.status, attempt }, error: result.message });
  return { action: 'retry', delaySeconds };
}

/** Dead-letter consumer: the email exhausted its retries. */
export async function markEmailDead(deps: Deps, emailId: string): Promise<void> {
  const now = deps.clock.now();
  const updated = await deps.db.update(emailLog).set({ status: 'DEAD', updatedAt: now }).where(sql`${emailLog.id} = ${emailId} and ${emailLog.status} = 'PENDING'`).returning();
  if (updated.length) {
    await deps.log.error('EMAIL_DEAD', `${updated[0].template} to ${updated[0].to} is dead after ${updated[0].attempts} attempts`, { context: { emailId }, error: updated[0].lastError });
    await notifyAdmins(deps, 'EMAIL_FAILED', { template: updated[0].template, to: updated[0].to, attempts: updated[0].attempts }, '/admin/emails');
  }
}
