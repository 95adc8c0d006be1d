/**
 * Payments port: the Stripe-shaped contract the domain uses. Two implementations pass the same
 * contract tests: the Stripe adapter (real SDK) and the built-in local provider (offline, D1).
 * Objects and events keep Stripe's field names so the webhook handler serves both.
 */
import type { Currency } from '../../db/schema';

export type IntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
  | 'canceled'
  | 'succeeded';

export interface IntentInfo {
  id: string;
  status: IntentStatus;
  amount: number;
  currency: Currency;
  applicationFeeAmount: number | null;
  destination: string | null;
  latestChargeId: string | null;
  metadata: Record<string, string>;
  lastError: string | null;
  /** Stripe: for the Payment Element when the fan comes back to pay. */
  clientSecret?: string | null;
  /** Local provider: its checkout page. */
  checkoutUrl?: string | null;
}

export interface IntentStart {
  intentId: string;
  /** Stripe: for the Payment Element. */
  clientSecret?: string;
  /** Local provider: the built-in checkout page. */
  checkoutUrl?: string;
}

export interface CreateIntentInput {
  amount: number;
  currency: Currency;
  applicationFeeAmount: number;
  /** The creator's connected account (destination charge). */
  destinationAccount: string;
  description: string;
  metadata: Record<string, string>;
  receiptEmail?: string;
  idempotencyKey: string;
}

export interface RefundInput {
  intentId: string;
  amount: number;
  /** Pull the creator's share back from their account (destination charges). */
  reverseTransfer: boolean;
  /** Give back the platform fee pro rata. */
  refundApplicationFee: boolean;
  metadata: Record<string, string>;
  idempotencyKey: string;
}

export interface RefundInfo {
  id: string;
  status: 'pending' | 'succeeded' | 'failed' | 'canceled' | 'requires_action';
  amount: number;
  currency: Currency;
  chargeId: string;
  intentId: string;
  /** What we attached when issuing it (initiatedBy, reason…); empty for refunds made elsewhere. */
  metadata?: Record<string, string>;
  /** The reversal of the creator's transfer this refund made (`reverse_transfer`); null when none was made. */
  transferReversal: { id: string; amount: number } | null;
  /** Why it failed or was canceled (the provider's failure_reason), when it did. */
  failureReason?: string | null;
}

export interface DisputeInfo {
  id: string;
  amount: number;
  currency: Currency;
  reason: string;
  /** Stripe's dispute statuses (warning_needs_response, needs_response, under_review, won, lost…). */
  status: string;
  chargeId: string;
  intentId: string | null;
  evidenceDueBy: number | null;
}

export interface AccountInfo {
  id: string;
  chargesEnabled: boolean;
  payoutsEnabled: boolean;
  detailsSubmitted: boolean;
  defaultCurrency: Currency | null;
  payoutInterval: string | null;
}

export interface PayoutInfo {
  id: string;
  status: 'pending' | 'in_transit' | 'paid' | 'failed' | 'canceled';
  amount: number;
  currency: Currency;
  failureMessage: string | null;
}

/** A transfer to a connected account (a destination charge's), and how much of it was reversed. */
export interface TransferInfo {
  id: string;
  amount: number;
  amountReversed: number;
  currency: Currency;
  destination: string | null;
}

/** A Stripe event (both providers produce this shape). */
export interface PaymentEvent {
  id: string;
  type: string;
  created: number;
  account?: string;
  data: { object: Record<string, unknown> };
}

export interface DisputeEvidence {
  productDescription: string;
  serviceDate: string;
  customerEmail?: string;
  customerName?: string;
  /** Booking and call timeline (join/leave times) as text. */
  serviceDocumentation: string;
  uncategorizedText?: string;
}

export class PaymentProviderError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly code: string | null,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'PaymentProviderError';
  }
}

export interface PaymentsPort {
  readonly name: 'stripe' | 'local';
  /** For Stripe.js on the booking page; null for the local provider. */
  readonly publishableKey: string | null;

  createConnectedAccount(input: {
    email: string;
    creatorId: string;
    currency: Currency;
    country?: string;
    idempotencyKey: string;
  }): Promise<{ accountId: string }>;
  /** Hosted onboarding (Stripe Account Link; single use, short-lived). */
  createOnboardingLink(input: { accountId: string; returnUrl: string; refreshUrl: string }): Promise<{ url: string }>;
  /** Embedded onboarding component (Account Session); null when the provider has none. */
  createOnboardingSession(accountId: string): Promise<{ clientSecret: string } | null>;
  retrieveAccount(accountId: string): Promise<AccountInfo>;
  /** The platform decides when creators are paid: connected accounts use manual payouts. */
  setManualPayouts(accountId: string): Promise<void>;

  createIntent(input: CreateIntentInput): Promise<IntentStart>;
  retrieveIntent(intentId: string): Promise<IntentInfo>;
  cancelIntent(intentId: string, idempotencyKey: string): Promise<IntentInfo>;

  refund(input: RefundInput): Promise<RefundInfo>;
  /** Every refund of the intent's charge (re-fetch after charge.refunded). */
  listRefunds(intentId: string): Promise<RefundInfo[]>;
  retrieveDispute(disputeId: string): Promise<DisputeInfo>;
  submitDisputeEvidence(disputeId: string, evidence: DisputeEvidence): Promise<void>;

  /** Pays out from the connected account's balance (refused with `balance_insufficient` beyond it). */
  createPayout(input: {
    accountId: string;
    amount: number;
    currency: Currency;
    metadata: Record<string, string>;
    idempotencyKey: string;
  }): Promise<PayoutInfo>;
  /** A payout of a connected account, as the provider sees it now (settlement checks). */
  retrievePayout(accountId: string, payoutId: string): Promise<PayoutInfo>;
  reverseTransfer(input: {
    transferId: string;
    amount: number;
    metadata: Record<string, string>;
    idempotencyKey: string;
  }): Promise<{ reversalId: string }>;
  /** The transfer a destination charge created (to reverse it later). */
  transferOfCharge(chargeId: string): Promise<string | null>;
  retrieveTransfer(transferId: string): Promise<TransferInfo>;

  /**
   * Events since `sinceSeconds` (Unix), oldest first (reconciliation). Without `account`, the
   * platform's own events; with it, that connected account's (payout.*, account.updated…), which
   * the platform's list does not include.
   */
  listEvents(input: { sinceSeconds: number; account?: string }): Promise<PaymentEvent[]>;
  /** Verifies a webhook's raw body against its Stripe-Signature header; throws when invalid. */
  verifyWebhook(rawBody: string, signature: string): Promise<PaymentEvent>;
}
