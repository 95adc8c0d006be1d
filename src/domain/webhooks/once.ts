/**
 * Incoming provider events (Stripe, Daily, Resend) are handled exactly once per (provider, event id):
 * recorded first, duplicates answered as such, failures marked so the provider's retry (or our
 * reconciliation) tries again, and a delivery stuck mid-way for 5 minutes may be retried.
 */
import { and, eq, sql } from 'drizzle-orm';
import { webhookEvents, type WEBHOOK_PROVIDERS } from '../../db/schema';
import type { Deps } from '../../deps';
import { describeError } from '../../lib/logger';

export type WebhookProvider = (typeof WEBHOOK_PROVIDERS)[number];
export type WebhookOutcome = { status: 'processed' | 'duplicate' | 'ignored'; type: string; eventId: string };

const STUCK_MS = 5 * 60_000;

/** A delivery whose signature does not verify: answered 400, nothing recorded. */
export class WebhookSignatureError extends Error {}

/** `handle` returns 'ignored' when the event needs nothing from us (unknown type, unknown room…). */
export async function processWebhookOnce(
  deps: Deps,
  provider: WebhookProvider,
  event: { id: string; type: string },
  handle: () => Promise<'processed' | 'ignored'>,
): Promise<WebhookOutcome> {
  const now = deps.clock.now();
  const base = { type: event.type, eventId: event.id };
  const key = and(eq(webhookEvents.provider, provider), eq(webhookEvents.eventId, event.id));
  const inserted = await deps.db
    .insert(webhookEvents)
    .values({ provider, eventId: event.id, type: event.type, status: 'PROCESSING', receivedAt: now })
    .onConflictDoNothing()
    .returning({ eventId: webhookEvents.eventId });
  if (!inserted.length) {
    const prior = await deps.db.select().from(webhookEvents).where(key).get();
    // Processed (or deliberately ignored) before: a duplicate. Failed or stuck: try again.
    const stuck = prior?.status === 'PROCESSING' && now.getTime() - prior.receivedAt.getTime() > STUCK_MS;
    if (
      prior &&
      (prior.status === 'PROCESSED' || prior.status === 'IGNORED' || (prior.status === 'PROCESSING' && !stuck))
    ) {
      await deps.log.webhook.info('WEBHOOK_DUPLICATE', `Duplicate ${provider} ${event.type} ${event.id} ignored`, {
        provider,
        eventId: event.id,
        eventType: event.type,
      });
      return { status: 'duplicate', ...base };
    }
    await deps.db
      .update(webhookEvents)
      .set({ status: 'PROCESSING', attempts: sql`${webhookEvents.attempts} + 1`, error: null })
      .where(key);
  }
  try {
    const result = await handle();
    await deps.db
      .update(webhookEvents)
      .set({ status: result === 'processed' ? 'PROCESSED' : 'IGNORED', processedAt: deps.clock.now() })
      .where(key);
    if (result === 'processed')
      await deps.log.webhook.info('WEBHOOK_RECEIVED', `${provider} ${event.type} processed`, {
        provider,
        eventId: event.id,
        eventType: event.type,
      });
    else
      await deps.log.webhook.info('WEBHOOK_UNHANDLED', `${provider} event ${event.type} acknowledged, nothing to do`, {
        provider,
        eventId: event.id,
        eventType: event.type,
      });
    return { status: result, ...base };
  } catch (e) {
    await deps.db
      .update(webhookEvents)
      .set({ status: 'FAILED', error: (describeError(e) ?? 'unknown error').slice(0, 1000) })
      .where(key);
    await deps.log.webhook.error(
      'WEBHOOK_ERROR',
      `${provider} ${event.type} ${event.id} failed; it will be retried`,
      { provider, eventId: event.id, eventType: event.type },
      { error: e },
    );
    throw e;
  }
}
