/** What each Stripe event does. Handlers are idempotent and tolerate any delivery order. */
import { eq, or } from 'drizzle-orm';
import { payments } from '../../db/schema';
import type { Deps } from '../../deps';
import type { PaymentEvent } from '../../providers/payments/port';
import { settleProviderPayout } from '../payouts/engine';
import { syncAccount } from './connect';
import { syncDispute } from './disputes';
import { onIntentReleased, onIntentSucceeded } from './intents';
import { metaOfProviderRefund, recordRefund } from './refunds';

export type EventHandler = (deps: Deps, event: PaymentEvent) => Promise<void>;

const obj = (e: PaymentEvent) => e.data.object as Record<string, unknown>;
const objectId = (e: PaymentEvent) => String(obj(e).id);

/**
 * Re-reads every refund of the charge's intent and records each one's current state: made in the
 * Stripe dashboard, ours when this event arrives before our own call returned (the metadata we
 * attached says who and why), or one whose status changed (succeeded, failed, canceled).
 */
async function syncRefunds(deps: Deps, e: PaymentEvent): Promise<void> {
  const o = obj(e);
  const chargeId = o.object === 'charge' ? String(o.id) : String(o.charge ?? '');
  const intentId = String(o.payment_intent ?? '');
  const payment = await deps.db
    .select()
    .from(payments)
    .where(or(eq(payments.chargeId, chargeId), eq(payments.intentId, intentId)))
    .get();
  if (!payment) return;
  for (const r of await deps.payments.listRefunds(payment.intentId))
    await recordRefund(deps, payment.id, r, await metaOfProviderRefund(deps, r));
}

export const EVENT_HANDLERS: Record<string, EventHandler> = {
  'payment_intent.succeeded': (deps, e) => onIntentSucceeded(deps, objectId(e)),
  'payment_intent.payment_failed': (deps, e) => onIntentReleased(deps, objectId(e), 'FAILED'),
  'payment_intent.canceled': (deps, e) => onIntentReleased(deps, objectId(e), 'FAILED'),
  'charge.refunded': syncRefunds,
  'refund.created': syncRefunds,
  'refund.updated': syncRefunds,
  'refund.failed': syncRefunds,
  'charge.dispute.created': (deps, e) => syncDispute(deps, objectId(e)),
  'charge.dispute.updated': (deps, e) => syncDispute(deps, objectId(e)),
  'charge.dispute.closed': (deps, e) => syncDispute(deps, objectId(e)),
  'account.updated': async (deps, e) => {
    await syncAccount(deps, objectId(e));
  },
  'payout.paid': async (deps, e) => {
    await settleProviderPayout(deps, objectId(e), 'paid', null);
  },
  'payout.failed': async (deps, e) => {
    await settleProviderPayout(deps, objectId(e), 'failed', (obj(e).failure_message as string | null) ?? null);
  },
  'payout.canceled': async (deps, e) => {
    await settleProviderPayout(deps, objectId(e), 'canceled', null);
  },
};
