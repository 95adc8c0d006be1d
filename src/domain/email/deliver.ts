/**
 * Consumer side of email: render and send one logged email through the provider, idempotently.
 * Returns what the queue should do with the message; the queue handler applies it.
 *
 * Before sending, the email is checked against now: a reminder whose call was cancelled, moved or
 * has already started is SKIPPED (with the reason) instead of sent — a retried or late reminder
 * never goes out for a call that is no longer on.
 */
import { eq, sql } from 'drizzle-orm';
import { bookings, emailLog, emailSuppressions, users } from '../../db/schema';
import type { Deps } from '../../deps';
import { headerSafe, type SendResult } from '../../providers/email/port';
import { notifyAdmins } from '../notifications/notify';
import { renderLogged, type EmailPayload } from './enqueue';
import { unsubscribeUrl, wantsEmail, type EmailCategory } from './unsubscribe';

export type DeliveryDecision =
  | { action: 'ack'; outcome: 'sent' | 'skipped' | 'failed' | 'suppressed' }
  | { action: 'retry'; delaySeconds: number };

/** Exponential backoff: 30 s, 60 s, 2 min, 4 min … capped at 1 h, with ±20 % jitter. */
export function backoffSeconds(attempt: number, random = Math.random): number {
  const base = Math.min(30 * 2 ** Math.max(0, attempt - 1), 3600);
  return Math.max(1, Math.round(base * (0.8 + 0.4 * random())));
}

/** Why an email no longer makes sense at `now` (null: send it). One rule per template that can go stale. */
const STALE_CHECKS: Record<string, (deps: Deps, data: Record<string, unknown>, now: Date) => Promise<string | null>> = {
  /** A reminder is for one call at one time: the booking must still be confirmed, at that start, not started yet. */
  async booking_reminder(deps, data, now) {
    const bookingId = typeof data.bookingId === 'string' ? data.bookingId : null;
    const startsAt = typeof data.startsAt === 'string' ? new Date(data.startsAt) : null;
    if (!bookingId || !startsAt) return 'reminder without its booking';
    const b = await deps.db
      .select({ status: bookings.status, startsAt: bookings.startsAt })
      .from(bookings)
      .where(eq(bookings.id, bookingId))
      .get();
    if (!b) return 'booking not found';
    if (b.status !== 'CONFIRMED') return `booking ${b.status.toLowerCase()}`;
    if (b.startsAt.getTime() !== startsAt.getTime()) return `call moved to ${b.startsAt.toISOString()}`;
    if (now.getTime() >= b.startsAt.getTime()) return 'call already started';
    return null;
  },
};

export async function deliverEmail(deps: Deps, emailId: string, attempt: number): Promise<DeliveryDecision> {
  const row = await deps.db.select().from(emailLog).where(eq(emailLog.id, emailId)).get();
  if (!row || row.status !== 'PENDING') return { action: 'ack', outcome: 'skipped' };

  const now = deps.clock.now();
  const payload = row.payload as unknown as EmailPayload;
  const check = STALE_CHECKS[row.template];
  const stale = check ? await check(deps, payload.data, now) : null;
  if (stale) {
    await deps.db
      .update(emailLog)
      .set({ status: 'SKIPPED', lastError: `skipped: ${stale}`, updatedAt: now })
      .where(eq(emailLog.id, emailId));
    await deps.log.email.info('EMAIL_SKIPPED', `${row.template} to ${row.to} not sent: ${stale}`, {
      emailId,
      template: row.template,
      reason: stale,
      attempt,
    });
    return { action: 'ack', outcome: 'skipped' };
  }
  const suppressed = await deps.db.select().from(emailSuppressions).where(eq(emailSuppressions.email, row.to)).get();
  if (suppressed) {
    await deps.db
      .update(emailLog)
      .set({ status: 'SUPPRESSED', lastError: `suppressed: ${suppressed.reason}`, updatedAt: now })
      .where(eq(emailLog.id, emailId));
    await deps.log.email.warn('EMAIL_SUPPRESSED', `${row.template} to ${row.to} not sent`, {
      emailId,
      template: row.template,
      reason: suppressed.reason,
    });
    return { action: 'ack', outcome: 'suppressed' };
  }

  let mail: Awaited<ReturnType<typeof renderLogged>>['rendered'];
  let unsubscribe: string | undefined;
  try {
    const first = await renderLogged(
      deps,
      row.template,
      { locale: row.locale, timezone: payload.recipient.timezone, name: payload.recipient.name },
      payload,
    );
    // Non-transactional mail: the person may have turned this category off since it was queued.
    if (!first.template.transactional && first.template.category && row.userId) {
      const user = await deps.db.select({ prefs: users.emailPrefs }).from(users).where(eq(users.id, row.userId)).get();
      if (!wantsEmail(user?.prefs, first.template.category)) {
        await deps.db
          .update(emailLog)
          .set({ status: 'SUPPRESSED', lastError: `unsubscribed from ${first.template.category}`, updatedAt: now })
          .where(eq(emailLog.id, emailId));
        await deps.log.email.info(
          'EMAIL_SUPPRESSED',
          `${row.template} to ${row.to} not sent: ${first.template.category} turned off`,
          { emailId, template: row.template, reason: 'unsubscribed' },
        );
        return { action: 'ack', outcome: 'suppressed' };
      }
      unsubscribe = await unsubscribeUrl(deps, row.userId, first.template.category as EmailCategory);
    }
    mail = (
      unsubscribe
        ? await renderLogged(
            deps,
            row.template,
            { locale: row.locale, timezone: payload.recipient.timezone, name: payload.recipient.name },
            payload,
            unsubscribe,
          )
        : first
    ).rendered;
  } catch (e) {
    // An unknown template or data that no longer validates: nothing to send, ever.
    await deps.db
      .update(emailLog)
      .set({ status: 'FAILED', lastError: `not renderable: ${(e as Error).message}`.slice(0, 1000), updatedAt: now })
      .where(eq(emailLog.id, emailId));
    await deps.log.email.error(
      'EMAIL_FAILED',
      `${row.template} to ${row.to} cannot be rendered`,
      { emailId, template: row.template },
      { error: e },
    );
    return { action: 'ack', outcome: 'failed' };
  }

  let result: SendResult;
  try {
    result = await deps.emailProvider.send(
      headerSafe({
        from: deps.config.emailFrom,
        to: row.to,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        attachments: mail.attachments,
        headers: {
          'X-Entity-Ref-ID': row.id,
          // RFC 8058 one-click unsubscribe for mail people can turn off.
          ...(unsubscribe
            ? { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
            : {}),
        },
        tags: [{ name: 'template', value: row.template }],
      }),
      row.providerKey ?? row.idempotencyKey,
    );
  } catch (e) {
    // The request may have reached the provider: retried with the same key, never "known not sent".
    result = { ok: false, retryable: true, maybeSent: true, message: `no answer: ${(e as Error).message}` };
  }

  const attempts = sql`${emailLog.attempts} + 1`;
  const maybeSent = !result.ok && result.maybeSent ? { maybeSent: true } : {};
  if (result.ok) {
    await deps.db
      .update(emailLog)
      .set({
        status: 'SENT',
        provider: deps.emailProvider.name,
        providerId: result.providerId,
        attempts,
        sentAt: now,
        lastError: null,
        updatedAt: now,
      })
      .where(eq(emailLog.id, emailId));
    await deps.log.email.info('EMAIL_SENT', `${row.template} sent to ${row.to}`, {
      emailId,
      template: row.template,
      providerId: result.providerId,
      attempt,
    });
    return { action: 'ack', outcome: 'sent' };
  }
  if (!result.retryable) {
    await deps.db
      .update(emailLog)
      .set({
        status: 'FAILED',
        provider: deps.emailProvider.name,
        attempts,
        ...maybeSent,
        lastError: result.message.slice(0, 1000),
        updatedAt: now,
      })
      .where(eq(emailLog.id, emailId));
    await deps.log.email.error(
      'EMAIL_FAILED',
      `${row.template} to ${row.to} rejected permanently (${result.status ?? '?'})`,
      { emailId, template: row.template, status: result.status ?? null, attempt },
      { error: result.message },
    );
    return { action: 'ack', outcome: 'failed' };
  }
  await deps.db
    .update(emailLog)
    .set({
      provider: deps.emailProvider.name,
      attempts,
      ...maybeSent,
      lastError: result.message.slice(0, 1000),
      updatedAt: now,
    })
    .where(eq(emailLog.id, emailId));
  const delaySeconds = Math.max(result.retryAfterSeconds ?? 0, backoffSeconds(attempt));
  await deps.log.email.warn(
    'EMAIL_RETRY',
    `${row.template} to ${row.to} will be retried in ${delaySeconds}s`,
    { emailId, template: row.template, status: result.status ?? null, attempt, delaySeconds },
    { error: result.message },
  );
  return { action: 'retry', delaySeconds };
}

/** Dead-letter consumer: the email exhausted its retries. */
export async function markEmailDead(deps: Deps, emailId: string): Promise<void> {
  const now = deps.clock.now();
  // None when it left PENDING meanwhile (sent, or already dead): nothing to report then.
  const [dead] = await deps.db
    .update(emailLog)
    .set({ status: 'DEAD', updatedAt: now })
    .where(sql`${emailLog.id} = ${emailId} and ${emailLog.status} = 'PENDING'`)
    .returning();
  if (dead) {
    await deps.log.email.error(
      'EMAIL_DEAD',
      `${dead.template} to ${dead.to} is dead after ${dead.attempts} attempts`,
      { emailId, template: dead.template, attempts: dead.attempts },
      { error: dead.lastError },
    );
    await notifyAdmins(
      deps,
      'EMAIL_FAILED',
      { template: dead.template, to: dead.to, attempts: dead.attempts },
      '/admin/emails',
    );
  }
}
