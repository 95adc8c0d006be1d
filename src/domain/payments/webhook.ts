/**
 * Stripe webhook processing (the local provider's events take the same path). Every event is
 * verified, recorded by id (duplicates are no-ops) and handled so that any delivery order ends in
 * the same state: handlers re-fetch the object when its current state matters.
 */
import { and, eq, sql } from 'drizzle-orm';
import { webhookEvents } from '../../db/schema';
import type { Deps } from '../../deps';
import type { PaymentEvent } from '../../providers/payments/port';
import { EVENT_HANDLERS } from './events';

export type WebhookOutcome = { status: 'processed' | 'duplicate' | 'ignored'; type: string; eventId: string };

export class WebhookSignatureError extends Error {}

export async function handleStripeWebhook(deps: Deps, rawBody: string, signature: string | null): Promise<WebhookOutcome> {
  if (!signature) throw new WebhookSignatureError('Missing Stripe-Signature header');
  let event: PaymentEvent;
  try {
    event = await deps.payments.verifyWebhook(rawBody, signature);
  } catch (e) {
    await deps.log.warn('WEBHOOK_REJECTED', 'Stripe webhook with an invalid signature refused', { error: e });
    throw new WebhookSignatureError((e as Error).message);
  }
  return processPaymentEvent(deps, event);
}

/** Records and handles one event exactly once (also used by the reconciliation job). */
export async function processPaymentEvent(deps: Deps, event: PaymentEvent): Promise<WebhookOutcome> {
  const now = deps.clock.now();
  const base = { type: event.type, eventId: event.id };
  const inserted = await deps.db.insert(webhookEvents)
    .values({ provider: 'stripe', eventId: event.id, type: event.type, status: 'PROCESSING', receivedAt: now })
    .onConflictDoNothing().returning({ eventId: webhookEvents.eventId });
  if (!inserted.length) {
    const prior = await deps.db.select().from(webhookEvents).where(and(eq(webhookEvents.provider, 'stripe'), eq(webhookEvents.eventId, event.id))).get();
    // Processed (or deliberately ignored) before: a duplicate. Failed or stuck: try again.
    const stuck = prior?.status === 'PROCESSING' && now.getTime() - prior.receivedAt.getTime() > 5 * 60_000;
    if (prior && (prior.status === 'PROCESSED' || prior.status === 'IGNORED' || (prior.status === 'PROCESSING' && !stuck))) {
      await deps.log.info('WEBHOOK_DUPLICATE', `Duplicate ${event.type} ${event.id} ignored`);
      return { status: 'duplicate', ...base };
    }
    await deps.db.update(webhookEvents).set({ status: 'PROCESSING', attempts: sql`${webhookEvents.attempts} + 1`, error: null })
      .where(and(eq(webhookEvents.provider, 'stripe'), eq(webhookEvents.eventId, event.id)));
  }
  const handler = EVENT_HANDLERS[event.type];
  try {
    if (!handler) {
      await deps.db.update(webhookEvents).set({ status: 'IGNORED', processedAt: deps.clock.now() }).where(and(eq(webhookEvents.provider, 'stripe'), eq(webhookEvents.eventId, event.id)));
      await deps.log.info('WEBHOOK_UNHANDLED', `Stripe event ${event.type} acknowledged, nothing to do`, { context: { eventId: event.id } });
      return { status: 'ignored', ...base };
    }
    await handler(deps, event);
    await deps.db.update(webhookEvents).set({ status: 'PROCESSED', processedAt: deps.clock.now() }).where(and(eq(webhookEvents.provider, 'stripe'), eq(webhookEvents.eventId, event.id)));
    await deps.log.info('WEBHOOK_RECEIVED', `Stripe ${event.type} processed`, { context: { eventId: event.id } });
    return { status: 'processed', ...base };
  } catch (e) {
    await deps.db.update(webhookEvents).set({ status: 'FAILED', error: String(e).slice(0, 1000) }).where(and(eq(webhookEvents.provider, 'stripe'), eq(webhookEvents.eventId, event.id)));
    await deps.log.error('WEBHOOK_ERROR', `Stripe ${event.type} ${event.id} failed; Stripe will retry`, { error: e });
    throw e;
  }
}
