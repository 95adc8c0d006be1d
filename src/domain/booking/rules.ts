/**
 * The OfferRoom's booking rules as pure functions of its state: no I/O, no clock of their own
 * (`now` is passed in), so each rule is unit-tested alone and the object only runs what they decide.
 */
import type { Booking } from '../../db/schema';
import type { OfferStatusMessageT } from '../../shared/offers';
import type { OfferPatch } from '../offers/edit';
import type { BookRefusal, OfferSnapshot, OfferState } from './offer-state';
import type { BookResult, PaymentUnderWay } from './results';
import type { ReleaseReason } from './transitions';

/** How often a hold kept past its deadline for a payment under way is checked again. */
export const PAYING_RECHECK_MS = 15 * 60_000;

/** The terms an edit may not touch once the offer is held or booked: what the fan agreed to pay for. */
const FROZEN_TERMS = ['price', 'currency', 'startsAt', 'durationMinutes'] as const;
const CLOSED: readonly string[] = ['CANCELLED', 'EXPIRED', 'COMPLETED'];

/** An offer occupies its creator's time while AVAILABLE, HELD or BOOKED; slot pickers care only about that and its times. */
export function occupancy(st: OfferState): string {
  const occupied = st.offer.status === 'AVAILABLE' || st.offer.status === 'HELD' || st.offer.status === 'BOOKED';
  return occupied ? `occupied:${st.offer.startsAt}:${st.offer.endsAt}` : 'free';
}

/** What subscribers are told: the status, and while HELD the hold's deadline. */
export function statusMessage(st: OfferState, at: Date): OfferStatusMessageT {
  return {
    type: 'status',
    offerId: st.offer.id,
    status: st.offer.status,
    at: at.toISOString(),
    ...(st.offer.status === 'HELD' && st.live?.holdExpiresAt
      ? { holdExpiresAt: new Date(st.live.holdExpiresAt).toISOString() }
      : {}),
  };
}

/** When the hold alarm must fire (app time): a PENDING hold's deadline, else none. */
export function holdDeadline(st: OfferState | null): number | null {
  const live = st?.live;
  return live?.status === 'PENDING' && live.holdExpiresAt !== null ? live.holdExpiresAt : null;
}

/** Whether `userId` holds this offer now (their retry gets that hold back). */
export function holdsIt(st: OfferState, userId: string): boolean {
  return st.live !== null && st.live.userId === userId && st.live.status === 'PENDING';
}

/** Whether the creator can be paid on the terms this state has. */
export function payable(offer: Pick<OfferSnapshot, 'chargesEnabled' | 'creatorAccountId'> | null): boolean {
  return !!offer?.chargesEnabled && !!offer.creatorAccountId;
}

/** Whether the live booking is `bookingId` in `status` (the guard of every transition but the claim). */
export function liveIs(st: OfferState | null, bookingId: string, status: 'PENDING' | 'CONFIRMED'): boolean {
  return st?.live?.id === bookingId && st.live.status === status;
}

/** A refusal; when another fan holds or booked the offer, says who (for the Worker's cache of taken offers, never sent to clients). */
export function refusal(st: OfferState, userId: string, code: BookRefusal): BookResult {
  const live = st.live;
  if (code !== 'OFFER_UNAVAILABLE' || !live || live.userId === userId) return { ok: false, code };
  return {
    ok: false,
    code,
    taken: {
      holderId: live.userId,
      creatorUserId: st.offer.creatorUserId,
      holdExpiresAt: live.status === 'PENDING' ? live.holdExpiresAt : null,
      since: live.since,
    },
  };
}

/**
 * What a claim found when its three parallel reads settled: the fan's hold limit, the creator's
 * terms of now, and the account the intent was made out to. In this order: over the limit, the
 * terms unreadable, the creator not payable any more, their account changed (intent made again).
 */
export type ClaimCheck = 'RATE_LIMITED' | 'TERMS_UNREADABLE' | 'CREATOR_NOT_PAYABLE' | 'ACCOUNT_CHANGED' | 'PROCEED';

export function checkClaim(input: {
  /** The limiter's answer; undefined when it failed (the hold goes ahead: it guards squatting, not double booking). */
  underLimit: boolean | undefined;
  terms: { ok: true; value: Pick<OfferSnapshot, 'chargesEnabled' | 'creatorAccountId'> | null } | { ok: false };
  paidTo: string | null;
}): ClaimCheck {
  if (input.underLimit === false) return 'RATE_LIMITED';
  if (!input.terms.ok) return 'TERMS_UNREADABLE';
  const fresh = input.terms.value;
  if (!payable(fresh)) return 'CREATOR_NOT_PAYABLE';
  return fresh!.creatorAccountId !== input.paidTo ? 'ACCOUNT_CHANGED' : 'PROCEED';
}

/** A payment the provider reports in one of these is under way: its outcome, not a person or a deadline, ends the hold. */
export function underWay(status: string): PaymentUnderWay | null {
  return status === 'processing' || status === 'succeeded' ? status : null;
}

/**
 * How a release of a PENDING hold asks about its payment first: a person cancelling is told to
 * wait for a payment under way; a deadline keeps the hold while it is; a failed payment just ends it.
 */
export function releaseCheck(reason: ReleaseReason): 'ASK_PAYMENT' | 'KEEP_WHILE_PAYING' | 'NONE' {
  return reason === 'CANCELLED' ? 'ASK_PAYMENT' : reason === 'EXPIRED' ? 'KEEP_WHILE_PAYING' : 'NONE';
}

/** Whether a PENDING hold's deadline has passed (the alarm, or the fan asking again, finds it due). */
export function holdRunOut(st: OfferState, now: number): boolean {
  const at = holdDeadline(st);
  return at !== null && at <= now;
}

/**
 * A payment whose hold already ended (EXPIRED or FAILED row) re-takes the offer only if the offer
 * is still free and ahead: nobody else holds it, it is AVAILABLE, and its start is in the future.
 */
export function lateRetake(st: OfferState, row: Pick<Booking, 'status'>, now: number): boolean {
  return (
    !st.live &&
    st.offer.status === 'AVAILABLE' &&
    st.offer.startsAt > now &&
    (row.status === 'EXPIRED' || row.status === 'FAILED')
  );
}

/** Only the offer's creator edits or withdraws it (the system withdrawing a slot or request names no actor). */
export function ownerRefusal(st: OfferState, actorUserId: string): 'FORBIDDEN' | null {
  return st.offer.creatorUserId !== actorUserId ? 'FORBIDDEN' : null;
}

/** An edit is refused on a closed offer, and one touching the terms is refused once the offer is held or booked. */
export function editRefusal(st: OfferState, patch: OfferPatch): 'OFFER_LOCKED' | null {
  const touchesTerms = FROZEN_TERMS.some((k) => patch[k] !== undefined);
  const closed = CLOSED.includes(st.offer.status);
  return closed || (touchesTerms && (st.live !== null || st.offer.status !== 'AVAILABLE')) ? 'OFFER_LOCKED' : null;
}

/** An offer is withdrawn only while nobody holds or booked it, and only from AVAILABLE. */
export function withdrawalRefusal(st: OfferState): 'OFFER_HAS_BOOKING' | 'OFFER_CLOSED' | null {
  if (st.live) return 'OFFER_HAS_BOOKING';
  return st.offer.status !== 'AVAILABLE' ? 'OFFER_CLOSED' : null;
}

/** The sweep expires an offer whose start has come with nobody on it. */
export function expiryDue(st: OfferState, now: number): boolean {
  return !st.live && st.offer.status === 'AVAILABLE' && st.offer.startsAt <= now;
}
