/**
 * Stripe webhook processing (the local provider's events take the same path). Every event is
 * verified, recorded by id (duplicates are no-ops) and handled so that any delivery order ends in
 * the same state: handlers re-fetch the object when its current state matters.
 */
import type { Deps } from '../../deps';
import type { PaymentEvent } from '../../providers/payments/port';
import { processWebhookOnce, WebhookSignatureError, type WebhookOutcome } from '../webhooks/once';
import { EVENT_HANDLERS } from './events';

export { WebhookSignatureError, type WebhookOutcome };

export async function handleStripeWebhook(
  deps: Deps,
  rawBody: string,
  signature: string | null,
): Promise<WebhookOutcome> {
  if (!signature) throw new WebhookSignatureError('Missing Stripe-Signature header');
  let event: PaymentEvent;
  try {
    event = await deps.payments.verifyWebhook(rawBody, signature);
  } catch (e) {
    await deps.log.webhook.warn(
      'WEBHOOK_REJECTED',
      'Stripe webhook with an invalid signature refused',
      { provider: 'stripe' },
      { error: e },
    );
    throw new WebhookSignatureError((e as Error).message);
  }
  return processPaymentEvent(deps, event);
}

/** Records and handles one event exactly once (also used by the reconciliation job). */
export async function processPaymentEvent(deps: Deps, event: PaymentEvent): Promise<WebhookOutcome> {
  return processWebhookOnce(deps, 'stripe', event, async () => {
    const handler = EVENT_HANDLERS[event.type];
    if (!handler) return 'ignored';
    await handler(deps, event);
    return 'processed';
  });
}
