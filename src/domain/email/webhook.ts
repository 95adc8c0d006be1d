/**
 * Resend delivery webhooks: signature checked (Svix scheme), each message handled once (by its
 * svix-id), the email log updated (delivered / bounced / complained / delayed), and addresses that
 * bounce or complain are suppressed: nothing more is sent to them.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { emailLog, emailSuppressions } from '../../db/schema';
import type { Deps } from '../../deps';
import { processWebhookOnce, WebhookSignatureError, type WebhookOutcome } from '../webhooks/once';

const ResendEvent = z.object({
  type: z.string().max(100),
  created_at: z.string().optional(),
  data: z
    .object({ email_id: z.string().max(200).optional(), to: z.union([z.array(z.string()), z.string()]).optional() })
    .loose(),
});

const STATUS = {
  'email.delivered': 'DELIVERED',
  'email.bounced': 'BOUNCED',
  'email.complained': 'COMPLAINED',
  'email.delivery_delayed': 'DELAYED',
} as const;

/** `deps.emailProvider.webhook` must exist (the route answers 404 without it). */
export async function handleResendWebhook(
  deps: Deps,
  raw: string,
  headers: { id: string | null; timestamp: string | null; signature: string | null },
): Promise<WebhookOutcome> {
  let body: unknown;
  try {
    const verifier = deps.emailProvider.webhook;
    if (!verifier) throw new Error('No email webhook is configured');
    body = verifier.verify(raw, headers);
  } catch (e) {
    await deps.log.webhook.warn(
      'WEBHOOK_REJECTED',
      'Resend webhook with an invalid signature refused',
      { provider: 'resend', eventId: headers.id ?? undefined },
      { error: e },
    );
    throw new WebhookSignatureError((e as Error).message);
  }
  const parsed = ResendEvent.safeParse(body);
  if (!parsed.success || !headers.id) throw new WebhookSignatureError('Not a Resend event');
  const event = parsed.data;
  return processWebhookOnce(deps, 'resend', { id: headers.id, type: event.type }, async () => {
    const status = STATUS[event.type as keyof typeof STATUS];
    if (!status || !event.data.email_id) return 'ignored';
    const now = deps.clock.now();
    const [row] = await deps.db
      .update(emailLog)
      .set({ deliveryStatus: status, updatedAt: now })
      .where(eq(emailLog.providerId, event.data.email_id))
      .returning();
    if (status === 'BOUNCED' || status === 'COMPLAINED') {
      const to = [
        row?.to,
        ...(Array.isArray(event.data.to) ? event.data.to : event.data.to ? [event.data.to] : []),
      ].filter((x): x is string => !!x);
      for (const address of new Set(to.map((a) => a.toLowerCase()))) {
        await deps.db
          .insert(emailSuppressions)
          .values({ email: address, reason: status, createdAt: now })
          .onConflictDoNothing();
        await deps.log.email.warn('EMAIL_SUPPRESSED', `${address} suppressed after ${status.toLowerCase()}`, {
          emailId: row?.id ?? null,
          reason: status,
        });
      }
    }
    await deps.log.email.info('EMAIL_DELIVERY', `Email ${event.data.email_id}: ${status}`, {
      emailId: row?.id ?? null,
      providerId: event.data.email_id,
      reason: status,
    });
    return row ? 'processed' : 'ignored';
  });
}
