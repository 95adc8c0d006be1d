/**
 * Producer side of email: record an email-log row and enqueue it. Nothing is ever sent inline.
 *
 * The row is written first, then the message is put on the queue. If putting it on the queue fails
 * (or the message is lost), the row stays PENDING with no attempt: the `email-sweep` job queues such
 * rows again 10 minutes later, enqueuing the same key again re-sends a stale one, and admins can
 * retry it — an email is never stuck.
 */
import { and, eq, inArray, lt } from 'drizzle-orm';
import { emailLog, type EmailLogRow, type Locale } from '../../db/schema';
import { getTemplate, renderEmail, type TemplateData, type TemplateName } from '../../emails';
import type { Deps } from '../../deps';
import { HOUR, MINUTE } from '../../lib/clock';
import { resolveLinks, type SecretLink } from './links';

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

/** Template `N` with its data, less the fields `L` that are one-time links: a wrong name or field fails typecheck. */
export interface EnqueueInput<N extends TemplateName = TemplateName, L extends LinkField<N> = never> {
  template: N;
  to: Recipient;
  data: Omit<TemplateData<N>, L>;
  /** Stable key for this logical email (e.g. `verify:<tokenId>`): enqueuing twice sends once. */
  key: string;
  /** Template fields that are one-time links: derived when rendering, never stored (see links.ts). */
  links?: Record<L, SecretLink>;
}

type LinkField<N extends TemplateName> = keyof TemplateData<N> & string;

/** What the email log keeps to render the email again at send time. */
export interface EmailPayload {
  data: Record<string, unknown>;
  links?: Record<string, SecretLink>;
  recipient: { name: string; timezone: string };
}

/** A PENDING email never attempted this long after it was recorded (or last queued) lost its queue message. */
export const STALE_PENDING_MS = 10 * MINUTE;
/** A PENDING email whose last attempt is this old is out of the queue's hands (the longest backoff is 1 h + 20 %). */
export const STALE_RETRYING_MS = 2 * HOUR;
const SWEEP_BATCH = 500;

/** Whether a PENDING row is stuck: nothing will send it unless someone queues it again. */
export function isStalePending(row: Pick<EmailLogRow, 'status' | 'attempts' | 'updatedAt'>, now: Date): boolean {
  if (row.status !== 'PENDING') return false;
  return now.getTime() - row.updatedAt.getTime() >= (row.attempts === 0 ? STALE_PENDING_MS : STALE_RETRYING_MS);
}

/** Renders with the links derived (validates the data; gives the subject). */
export async function renderLogged(
  deps: Pick<Deps, 'config'>,
  templateName: string,
  to: Pick<Recipient, 'locale' | 'timezone' | 'name'>,
  payload: Pick<EmailPayload, 'data' | 'links'>,
  unsubscribeUrl?: string,
) {
  const template = getTemplate(templateName);
  if (!template) throw new Error(`Unknown email template ${templateName}`);
  const data = { ...payload.data, ...(await resolveLinks(deps.config, payload.links)) };
  return { template, rendered: renderEmail(template, emailContext(deps, to, unsubscribeUrl), data) };
}

/** Returns the email-log id (the existing one when `key` was already enqueued). */
export async function enqueueEmail<N extends TemplateName, L extends LinkField<N> = never>(
  deps: Deps,
  typed: EnqueueInput<N, L>,
): Promise<{ emailId: string; duplicate: boolean; requeued?: boolean }> {
  // The types checked the caller; from here on the data is the JSON the log stores.
  const input = typed as EnqueueInput<N, L> & Pick<EmailPayload, 'data' | 'links'>;
  // Rendering up front validates the data and gives the subject for the log.
  const { template, rendered } = await renderLogged(deps, input.template, input.to, input);
  const now = deps.clock.now();
  const id = deps.ids.next('eml');
  const payload: EmailPayload = {
    data: input.data,
    ...(input.links ? { links: input.links } : {}),
    recipient: { name: input.to.name, timezone: input.to.timezone },
  };
  const inserted = await deps.db
    .insert(emailLog)
    .values({
      id,
      to: input.to.email,
      userId: input.to.userId ?? null,
      template: template.name,
      locale: input.to.locale,
      subject: rendered.subject,
      status: 'PENDING',
      idempotencyKey: input.key,
      payload: payload as unknown as Record<string, unknown>,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing()
    .returning({ id: emailLog.id });
  if (!inserted.length) {
    const existing = (await deps.db.select().from(emailLog).where(eq(emailLog.idempotencyKey, input.key)).get())!;
    // Recorded before but never attempted and long since: its queue message was lost. Queue it again (once).
    if (existing.attempts === 0 && isStalePending(existing, now)) {
      const claimed = await deps.db
        .update(emailLog)
        .set({ updatedAt: now })
        .where(
          and(
            eq(emailLog.id, existing.id),
            eq(emailLog.status, 'PENDING'),
            eq(emailLog.attempts, 0),
            eq(emailLog.updatedAt, existing.updatedAt),
          ),
        )
        .returning({ id: emailLog.id });
      if (claimed.length && (await queueEmail(deps, existing.id))) {
        await deps.log.email.warn(
          'EMAIL_QUEUED',
          `${existing.template} to ${existing.to} was stuck pending; queued again`,
          { emailId: existing.id, template: existing.template },
        );
        return { emailId: existing.id, duplicate: true, requeued: true };
      }
    }
    return { emailId: existing.id, duplicate: true };
  }
  if (await queueEmail(deps, id)) {
    await deps.log.email.info('EMAIL_QUEUED', `${template.name} queued for ${input.to.email}`, {
      emailId: id,
      template: template.name,
      locale: input.to.locale,
    });
  }
  return { emailId: id, duplicate: false };
}

/** Puts the email on the queue; a failure is logged, not thrown: the row stays PENDING and the sweep queues it again. */
async function queueEmail(deps: Deps, emailId: string): Promise<boolean> {
  try {
    await deps.queues.email.send({ emailId } satisfies EmailQueueMessage);
    return true;
  } catch (e) {
    await deps.log.email.error(
      'EMAIL_FAILED',
      `Email ${emailId} recorded but not queued; the email sweep queues it again`,
      { emailId },
      { error: e },
    );
    return false;
  }
}

/**
 * The `email-sweep` job: PENDING emails never attempted whose row is older than STALE_PENDING_MS
 * lost their queue message — queue them again (at most SWEEP_BATCH per run; the row's updatedAt is
 * bumped, so each is queued again at most every 10 minutes).
 */
export async function requeueStalePendingEmails(deps: Deps): Promise<Record<string, number>> {
  const now = deps.clock.now();
  const stale = deps.db
    .select({ id: emailLog.id })
    .from(emailLog)
    .where(
      and(
        eq(emailLog.status, 'PENDING'),
        eq(emailLog.attempts, 0),
        lt(emailLog.updatedAt, new Date(now.getTime() - STALE_PENDING_MS)),
      ),
    )
    .limit(SWEEP_BATCH);
  const rows = await deps.db
    .update(emailLog)
    .set({ updatedAt: now })
    .where(and(inArray(emailLog.id, stale), eq(emailLog.status, 'PENDING')))
    .returning({ id: emailLog.id });
  let requeued = 0;
  let failed = 0;
  // sendBatch takes at most 100 messages per call.
  for (let i = 0; i < rows.length; i += 100) {
    const part = rows.slice(i, i + 100);
    try {
      await deps.queues.email.sendBatch(part.map((r) => ({ body: { emailId: r.id } satisfies EmailQueueMessage })));
      requeued += part.length;
    } catch (e) {
      failed += part.length;
      await deps.log.email.error(
        'EMAIL_FAILED',
        `${part.length} stale email(s) could not be queued again; next sweep retries`,
        { emailId: part[0]?.id ?? null, count: part.length }, // the first of the part names it
        { error: e },
      );
    }
  }
  if (requeued)
    await deps.log.email.warn('EMAIL_QUEUED', `${requeued} email(s) stuck pending were queued again`, {
      emailId: rows[0]?.id ?? null,
      count: requeued,
    });
  return { requeued, failed };
}

export function emailContext(
  deps: Pick<Deps, 'config'>,
  to: Pick<Recipient, 'locale' | 'timezone' | 'name'>,
  unsubscribeUrl?: string,
) {
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
