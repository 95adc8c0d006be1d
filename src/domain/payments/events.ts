/** What each Stripe event does. Handlers are idempotent and tolerate any delivery order. */
import type { Deps } from '../../deps';
import type { PaymentEvent } from '../../providers/payments/port';
import { onIntentReleased, onIntentSucceeded } from './intents';

export type EventHandler = (deps: Deps, event: PaymentEvent) => Promise<void>;

const objectId = (e: PaymentEvent) => String(e.data.object.id);

export const EVENT_HANDLERS: Record<string, EventHandler> = {
  'payment_intent.succeeded': (deps, e) => onIntentSucceeded(deps, objectId(e)),
  'payment_intent.payment_failed': (deps, e) => onIntentReleased(deps, objectId(e), 'FAILED'),
  'payment_intent.canceled': (deps, e) => onIntentReleased(deps, objectId(e), 'FAILED'),
};
