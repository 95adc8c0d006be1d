/** Maps domain refusal codes to HTTP errors (one table, so every route answers alike). */
import { AppError, tooManyRequests, type ErrorStatus } from './errors';

const TABLE: Record<string, [ErrorStatus, string]> = {
  OFFER_NOT_FOUND: [404, 'This offer does not exist.'],
  CREATOR_NOT_FOUND: [404, 'This creator does not exist.'],
  REQUEST_NOT_FOUND: [404, 'This request does not exist.'],
  BOOKING_NOT_FOUND: [404, 'This booking does not exist.'],
  OFFER_UNAVAILABLE: [409, 'Someone else holds or booked this offer.'],
  OFFER_STARTED: [409, 'This offer has already started.'],
  RESERVED_FOR_ANOTHER_FAN: [409, 'This offer is reserved for another fan.'],
  OWN_OFFER: [403, 'You cannot book your own offer.'],
  OWN_PROFILE: [403, 'You cannot send a request to yourself.'],
  FORBIDDEN: [403, 'This is not yours.'],
  NOT_A_CREATOR: [403, 'This needs a creator profile.'],
  CREATOR_ROLE_WITHDRAWN: [403, 'An administrator withdrew your creator role: only an administrator can give it back.'],
  ACCOUNT_DISABLED: [403, 'This account is disabled.'],
  CREATOR_NOT_PAYABLE: [422, 'This creator cannot take payments right now.'],
  CURRENCY_NOT_ACCEPTED: [
    422,
    "Prices must be in the currency the creator's payment account settles in (amounts are never converted).",
  ],
  CREATOR_NOT_ONBOARDED: [422, 'Finish your payment onboarding before publishing paid offers.'],
  OFFER_LOCKED: [409, 'Price and time can no longer change: the offer is held, booked or closed.'],
  OFFER_HAS_BOOKING: [409, 'This offer is held or booked: cancel the booking instead.'],
  OFFER_CLOSED: [409, 'This offer is already closed.'],
  OVERLAPS_ANOTHER_OFFER: [409, 'This time overlaps another of your offers or bookings.'],
  TOO_SOON: [422, 'The call must start at least 30 minutes from now.'],
  TOO_FAR: [422, 'The call must start within a year.'],
  REQUEST_NOT_PENDING: [409, 'This request has already been answered.'],
  REQUEST_EXPIRED: [409, 'This request has expired.'],
  SLUG_TAKEN: [409, 'This address is already taken.'],
  BOOKING_FAILED: [502, 'The booking could not be created; nothing was charged.'],
  PAYMENT_PROVIDER_ERROR: [502, 'The payment provider did not answer; nothing was charged. Try again.'],
  CALL_STARTED: [409, 'The call has started: it can no longer be cancelled.'],
  BOOKING_NOT_CANCELLABLE: [409, 'This booking cannot be cancelled in its current state.'],
  PAYMENT_PROCESSING: [409, 'Your payment is being processed: you can cancel once it completes.'],
  HOLD_EXPIRED: [409, 'The hold on this slot has ended: nothing was charged. Book it again if it is still free.'],
  ALREADY_PAID: [409, 'This booking is already paid.'],
  REFUND_CHANGED: [
    409,
    'The refund changed since it was shown (a cancellation-policy deadline passed): nothing was cancelled.',
  ],
  NOT_PARTICIPANT: [403, 'Only the fan and the creator of this booking can join its call.'],
  BOOKING_NOT_CONFIRMED: [403, 'This booking is not confirmed: there is no call to join.'],
  CALL_NOT_OPEN: [403, 'The call opens 15 minutes before it starts.'],
  CALL_OVER: [403, 'This call is over.'],
  CALL_LOG_CLOSED: [409, "This call's log is closed."],
  CALL_LOG_FULL: [429, 'Too many events for this call.'],
  VIDEO_PROVIDER_ERROR: [502, 'The video provider did not answer. Try again in a moment.'],
  CALL_NOT_UNDER_REVIEW: [
    409,
    'This call is not waiting for a review (only an interrupted call whose outcome is settled is).',
  ],
  CALL_ALREADY_REVIEWED: [409, 'This call has already been reviewed.'],
  REFUND_TOO_LARGE: [422, 'The refund is more than what is left of the payment.'],
  TOO_MANY_SOCKETS: [
    429,
    'Too many live connections from your network (at most 20 on one page, 200 in all): close some pages. This page keeps updating anyway.',
  ],
  REVIEW_NOT_ALLOWED: [403, 'Only the fan of a call that took place can review it.'],
  ALREADY_REVIEWED: [409, 'You have already reviewed this call.'],
  REVIEW_NOT_FOUND: [404, 'This review does not exist.'],
  ALREADY_REPLIED: [409, 'You have already replied to this review.'],
  NOT_ELIGIBLE: [422, 'No payout is possible now.'],
  PAYOUT_CONFLICT: [409, 'Another payout took these funds at the same moment.'],
  PAYOUT_NOT_FOUND: [404, 'This payout does not exist.'],
  PAYOUT_NOT_PENDING: [409, 'This payout is not waiting for approval any more.'],
  DISPUTE_NOT_FOUND: [404, 'This dispute does not exist.'],
  DEBT_NOT_OUTSTANDING: [409, 'This leaves no debt to settle.'],
  DEBT_RECOVERY_IN_PROGRESS: [
    409,
    'A recovery of this debt is in progress at the payment provider: try again in a moment.',
  ],
  REFUND_NOT_FOUND: [404, 'This refund does not exist.'],
  EVIDENCE_REFUSED: [409, 'The payment provider refused the evidence (the dispute may be closed).'],
  SLOT_UNAVAILABLE: [409, 'This slot is not free any more: pick another one.'],
  TYPE_NOT_FOUND: [404, 'This kind of call is not offered.'],
  BOOKING_NOT_RESCHEDULABLE: [409, 'Only a confirmed booking can be moved.'],
  TOO_LATE_TO_RESCHEDULE: [409, 'A call can be moved until 24 hours before it starts.'],
  IMAGE_TOO_LARGE: [413, 'The image is too large.'],
  IMAGE_TYPE_UNSUPPORTED: [415, 'Use a JPEG, PNG or WebP image.'],
  IMAGE_DIMENSIONS: [422, 'The image dimensions are out of range.'],
  IMAGE_UNREADABLE: [422, 'This file cannot be read as an image.'],
};

/** Every domain refusal code (each has its translation under `errors.codes`: a test checks it). */
export const REFUSAL_CODES = Object.keys(TABLE);

/** The period of BOOKING_LIMITER (wrangler.toml): a fan refused a hold by it may try again after this. */
const HOLD_LIMIT_PERIOD_SECONDS = 60;

export function refusal(code: string, message?: string, details?: unknown): AppError {
  // The one rate limit decided inside a Durable Object (the OfferRoom, on taking a hold): a 429 with Retry-After like the others.
  if (code === 'RATE_LIMITED') return tooManyRequests(HOLD_LIMIT_PERIOD_SECONDS);
  const [status, text] = TABLE[code] ?? [409, 'Conflict.'];
  return new AppError(status, code, message ?? text, details);
}
