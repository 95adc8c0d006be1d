/** Producer side of email: record an email-log row and enqueue it. Nothing is ever sent inline. */
import { eq } from 'drizzle-orm';
import { emailLog, type Locale } from '../../db/schema';
import { getTemplate, renderEmail } from '../../emails';
import type { Deps } from '../../deps';

export interface Recipient {
  email: string;
  name: string;
  locale: Locale;
  timezone: string;
  userId?: string | null;
}

export interface EmailQueueMessage {
  emailId: string;
}

export interface EnqueueInput {
  template: string;
  to: Recipient;
  data: Record<string, unknown>;
  /** Stable key for this logical email (e.g. `verify:<tokenId>`): enqueuing twice sends once. */
  key: string;
}

/** Returns the email-log id (the existing one when `key` was already enqueued). */
export async function enqueueEmail(deps: Deps, input: EnqueueInput): Promise<{ emailId: string; duplicate: boolean }> {
  const template = getTemplate(input.template);
  if (!template) throw new Error(`Unknown email template ${input.template}`);
  // Rendering up front validates the data and gives the subject for the log.
  const rendered = renderEmail(template, emailContext(deps, input.to), input.data);
  const now = deps.clock.now();
  const id = deps.ids.next('eml');
  const inserted = await deps.db.insert(emailLog).values({
    id,
    to: input.to.email,
    userId: input.to.userId ?? null,
    template: template.name,
    locale: input.to.locale,
    subject: rendered.subject,
    status: 'PENDING',
    idempotencyKey: input.key,
    payload: { data: input.data, recipient: { name: input.to.name, timezone: input.to.timezone } },
    createdAt: now,
    updatedAt: now,
  }).onConflictDoNothing().returning({ id: emailLog.id });
  if (!inserted.length) {
    const existing = await deps.db.select({ id: emailLog.id }).from(emailLog).where(eq(emailLog.idempotencyKey, input.key)).get();
    return { emailId: existing!.id, duplicate: true };
  }
  await deps.queues.email.send({ emailId: id } satisfies EmailQueueMessage);
  await deps.log.info('EMAIL_QUEUED', `${template.name} queued for ${input.to.email}`, { context: { emailId: id, template: template.name, locale: input.to.locale } });
  return { emailId: id, duplicate: false };
}

export function emailContext(deps: Deps, to: Pick<Recipient, 'locale' | 'timezone' | 'name'>, unsubscribeUrl?: string) {
  return {
    unsubscribeUrl,
    locale: to.locale,
    timezone: to.timezone,
    appName: deps.config.appName,
    appUrl: deps.config.appUrl,
    supportEmail: deps.config.supportEmail,
    recipientName: to.name,
  };
}
