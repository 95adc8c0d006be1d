/**
 * Hourly: re-reads the provider's recent events (Stripe keeps 30 days at /v1/events) and processes
 * any our webhook endpoint missed or failed. Processing is idempotent per event id.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { webhookEvents } from '../db/schema';
import type { Deps } from '../deps';
import { processPaymentEvent } from '../domain/payments/webhook';

export const RECONCILE_WINDOW_SECONDS = 3 * 86_400;

export async function reconcilePayments(deps: Deps): Promise<Record<string, number>> {
  const since = Math.floor(deps.clock.now().getTime() / 1000) - RECONCILE_WINDOW_SECONDS;
  const events = await deps.payments.listEvents({ sinceSeconds: since });
  let recovered = 0;
  let failed = 0;
  for (let i = 0; i < events.length; i += 90) {
    const chunk = events.slice(i, i + 90);
    const done = new Set((await deps.db.select({ id: webhookEvents.eventId }).from(webhookEvents)
      .where(and(eq(webhookEvents.provider, 'stripe'), inArray(webhookEvents.eventId, chunk.map((e) => e.id)), inArray(webhookEvents.status, ['PROCESSED', 'IGNORED']))).all()).map((r) => r.id));
    for (const e of chunk) {
      if (done.has(e.id)) continue;
      try {
        const out = await processPaymentEvent(deps, e);
        if (out.status === 'processed') recovered++;
      } catch {
        failed++;
      }
    }
  }
  if (recovered) await deps.log.warn('WEBHOOK_RECEIVED', `Reconciliation recovered ${recovered} missed payment event(s)`);
  return { seen: events.length, recovered, failed };
}
