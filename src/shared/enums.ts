/**
 * The product's enumerations, as const tuples: the database schema (src/db/schema.ts), the zod DTOs
 * and the client islands all take them from here, so shared code never imports the schema.
 */
export const ROLES = ['USER', 'CREATOR', 'ADMIN'] as const;
export const LOCALES = ['fr', 'en'] as const;
export const CURRENCIES = ['EUR', 'CHF', 'USD', 'GBP'] as const;
export const OFFER_STATUSES = ['AVAILABLE', 'HELD', 'BOOKED', 'COMPLETED', 'CANCELLED', 'EXPIRED'] as const;
export const OFFER_SOURCES = ['OFFER', 'REQUEST', 'SLOT'] as const;
export const REQUEST_STATUSES = ['PENDING', 'ACCEPTED', 'REJECTED', 'EXPIRED', 'CANCELLED'] as const;
/** PENDING = held while paying; EXPIRED = hold ran out; FAILED = payment failed or was canceled. */
export const BOOKING_STATUSES = ['PENDING', 'CONFIRMED', 'COMPLETED', 'CANCELLED', 'EXPIRED', 'FAILED'] as const;
/** The statuses that occupy an offer; the partial unique index below allows one per offer. */
export const LIVE_BOOKING_STATUSES = ['PENDING', 'CONFIRMED', 'COMPLETED'] as const;
export const CALL_OUTCOMES = ['COMPLETED', 'CREATOR_NO_SHOW', 'FAN_NO_SHOW', 'BOTH_NO_SHOW', 'INTERRUPTED'] as const;
/** An admin's decision on an INTERRUPTED call: the creator is paid, or the fan refunded (all or part). */
export const CALL_REVIEW_DECISIONS = ['PAY_CREATOR', 'REFUND'] as const;
export const CANCELLATION_POLICIES = ['NONE', 'HALF', 'FULL'] as const;
export const PAYMENT_PROVIDERS = ['stripe', 'local'] as const;
export const VIDEO_PROVIDERS = ['daily', 'p2p'] as const;
export const PAYMENT_STATUSES = [
  'PENDING',
  'SUCCEEDED',
  'FAILED',
  'CANCELED',
  'PARTIALLY_REFUNDED',
  'REFUNDED',
  'DISPUTED',
] as const;
export const REFUND_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED', 'CANCELED'] as const;
export const REFUND_INITIATORS = ['FAN', 'CREATOR', 'ADMIN', 'SYSTEM'] as const;
/** What a refund the app owes comes from (see owedRefunds). */
export const OWED_REFUND_KINDS = ['CANCELLATION', 'NO_SHOW', 'SLOT_LOST', 'ADMIN'] as const;
/**
 * PREPARED = written before the cancellation it depends on (due only once that cancellation is in
 * D1); OWED = due, retried with the same key until ISSUED; FAILED = refused for good (an admin acts);
 * VOID = the cancellation it was prepared for did not happen.
 */
export const OWED_REFUND_STATUSES = ['PREPARED', 'OWED', 'ISSUED', 'FAILED', 'VOID'] as const;
export const DISPUTE_STATUSES = [
  'WARNING_NEEDS_RESPONSE',
  'WARNING_UNDER_REVIEW',
  'WARNING_CLOSED',
  'NEEDS_RESPONSE',
  'UNDER_REVIEW',
  'WON',
  'LOST',
] as const;
export const PAYOUT_STATUSES = [
  'REQUESTED',
  'APPROVED',
  'PROCESSING',
  'PAID',
  'FAILED',
  'REJECTED',
  'CANCELED',
] as const;
export const PAYOUT_SCHEDULES = ['DAILY', 'WEEKLY', 'MANUAL'] as const;
export const PAYOUT_MODES = ['AUTOMATIC', 'APPROVAL'] as const;
export const PAYOUT_ORIGINS = ['SCHEDULE', 'CREATOR', 'ADMIN'] as const;
/** How a creator's debt is taken back from their connected account (see debtRecoveries). */
export const DEBT_RECOVERY_METHODS = ['TRANSFER_REVERSAL', 'PAYOUT_DEDUCTION'] as const;
/** PENDING = written before the provider is asked (a retry replays the same key and amount). */
export const DEBT_RECOVERY_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED'] as const;
export const LOG_LEVELS = ['INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
export const LOG_ACTORS = ['USER', 'CREATOR', 'ADMIN', 'SYSTEM', 'GUEST'] as const;
/** SKIPPED: no longer relevant when its turn came (a reminder for a call cancelled, moved or already started). */
export const EMAIL_STATUSES = ['PENDING', 'SENT', 'FAILED', 'DEAD', 'SUPPRESSED', 'SKIPPED'] as const;
export const EMAIL_DELIVERY = ['DELIVERED', 'BOUNCED', 'COMPLAINED', 'DELAYED'] as const;
export const AUTH_TOKEN_KINDS = ['VERIFY_EMAIL', 'RESET_PASSWORD'] as const;
/** SKIPPED: the job's previous run was still running (runs of one job never overlap). */
export const CRON_STATUSES = ['RUNNING', 'SUCCESS', 'ERROR', 'SKIPPED'] as const;
export const WEBHOOK_PROVIDERS = ['stripe', 'daily', 'resend'] as const;
export const CALL_EVENT_TYPES = [
  'PRE_CALL_ENTERED',
  'CALL_JOINED',
  'CALL_STARTED',
  'CALL_ENDED',
  'CALL_ERROR',
  'PARTICIPANT_JOINED',
  'PARTICIPANT_LEFT',
  'CAMERA_TOGGLED',
  'MIC_TOGGLED',
] as const;
export const CALL_EVENT_SOURCES = ['CLIENT', 'SERVER', 'DAILY'] as const;
export const EXCEPTION_KINDS = ['OFF', 'EXTRA'] as const;

export type Role = (typeof ROLES)[number];
export type Locale = (typeof LOCALES)[number];
export type Currency = (typeof CURRENCIES)[number];
export type OfferStatus = (typeof OFFER_STATUSES)[number];
export type BookingStatus = (typeof BOOKING_STATUSES)[number];
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogActor = (typeof LOG_ACTORS)[number];
export type CancellationPolicy = (typeof CANCELLATION_POLICIES)[number];
