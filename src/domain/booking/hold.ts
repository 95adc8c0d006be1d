/**
 * Taking a hold inside an OfferRoom, in three steps the object runs in order: `prepareClaim`
 * (the reads a possible winner needs), `claim` (decided and taken with no await, so every other
 * attempt is refused from memory) and, under the object's lock, `completeHold` (payment, rate
 * limit and the creator's terms asked at once, then one D1 transaction, or undone).
 */
import type { Booking } from '../../db/schema';
import type { Deps } from '../../deps';
import { toBookingDto } from '../offers/dto';
import { createIntentFor, startPayment, type StartedPayment } from '../payments/checkout';
import { dropIntent, keepWhilePaying, underHoldLimit } from './hold-payment';
import { decideBooking, holdUntil, loadCreatorTerms, type OfferState } from './offer-state';
import { bookingById } from './queries';
import { releaseNow, resync, type Released } from './release';
import type { BookResult } from './results';
import type { ClaimCaches, RoomEffects } from './room';
import { checkClaim, holdRunOut, holdsIt, refusal } from './rules';
import { isLiveBookingIndexViolation, writeHold } from './transitions';

/**
 * `holdMinutes` overrides the platform default (accepted requests). A hold the fan takes counts
 * against their hold rate limit; `limited: false` for one a creator grants them (their request).
 */
export interface HoldInput {
  userId: string;
  holdMinutes?: number;
  limited?: boolean;
}

/** A claim taken in memory, not yet paid for or written. */
export interface Claim {
  bookingId: string;
  holdExpiresAt: number;
}

/**
 * The reads before a claim: the terms of a creator believed unpayable (they may have finished
 * onboarding), and the hold's length, so the very first HELD broadcast carries the real deadline.
 * The length is read only for a fan who could win: losers get their answer without an await.
 */
export async function prepareClaim(deps: Deps, caches: ClaimCaches, st: OfferState, input: HoldInput): Promise<void> {
  if (!holdsIt(st, input.userId)) await caches.recheckUnpayable(deps, st);
  if (
    caches.holdMinutesDue(input.holdMinutes) &&
    !holdsIt(st, input.userId) &&
    decideBooking(st, input.userId, deps.clock.now().getTime()).ok
  ) {
    await caches.readHoldMinutes(deps);
  }
}

/** Decides and takes the claim synchronously: from here on every other attempt sees HELD. */
export function claim(
  deps: Deps,
  caches: ClaimCaches,
  st: OfferState,
  input: HoldInput,
): { ok: true; claim: Claim } | { ok: false; result: BookResult } {
  const now = deps.clock.now().getTime();
  const decision = decideBooking(st, input.userId, now);
  if (!decision.ok) return { ok: false, result: refusal(st, input.userId, decision.code) };
  const holdExpiresAt = holdUntil(now, caches.holdMinutes(input.holdMinutes), st.offer.startsAt);
  const bookingId = deps.ids.next('bkg');
  st.live = {
    id: bookingId,
    userId: input.userId,
    status: 'PENDING',
    holdExpiresAt,
    persisted: false,
    intentId: null,
    since: Date.now(),
  };
  st.offer.status = 'HELD';
  return { ok: true, claim: { bookingId, holdExpiresAt } };
}

const settle = <T>(p: Promise<T>): Promise<PromiseSettledResult<T>> =>
  p.then(
    (value) => ({ status: 'fulfilled' as const, value }),
    (reason: unknown) => ({ status: 'rejected' as const, reason }),
  );

/**
 * Payment first, then one D1 transaction (booking + offer + payment + log): a provider failure
 * leaves nothing behind, and the winner costs a single database round trip. The fan's hold rate
 * limit and the creator's current terms (the object's copy may be older than a change of policy,
 * account or charges) are read while the provider is asked (one wait, not three), so a refused
 * hold is refused before anything is written. Runs under the object's lock.
 */
export async function completeHold(
  deps: Deps,
  fx: RoomEffects,
  caches: ClaimCaches,
  st: OfferState,
  input: HoldInput,
  claimed: Claim,
): Promise<BookResult> {
  let bookingId = claimed.bookingId;
  const undo = () => {
    st.live = null;
    st.offer.status = 'AVAILABLE';
    fx.broadcast(st);
  };
  const draft = () => ({
    id: bookingId,
    offerId: st.offer.id,
    userId: input.userId,
    creatorId: st.offer.creatorId,
    price: st.offer.price,
    currency: st.offer.currency,
  });
  const paidTo = st.offer.creatorAccountId;
  const [intent, allowed, terms] = await Promise.allSettled([
    createIntentFor(deps, draft(), st.offer),
    input.limited === false ? true : underHoldLimit(deps, input.userId),
    loadCreatorTerms(deps, st.offer.creatorId),
  ]);
  const dropIfMade = async () => {
    if (intent.status === 'fulfilled') await dropIntent(deps, bookingId, intent.value);
  };
  const check = checkClaim({
    underLimit: allowed.status === 'fulfilled' ? allowed.value : undefined,
    terms: terms.status === 'fulfilled' ? { ok: true, value: terms.value } : { ok: false },
    paidTo,
  });
  if (check === 'RATE_LIMITED') {
    undo();
    await dropIfMade();
    await deps.log.booking.warn(
      'BOOKING_LIMITED',
      `Hold on ${st.offer.id} refused: ${input.userId} is taking holds too fast`,
      { offerId: st.offer.id },
      { actor: 'USER', actorId: input.userId },
    );
    return { ok: false, code: 'RATE_LIMITED' };
  }
  if (terms.status === 'rejected') {
    undo();
    await dropIfMade();
    throw terms.reason;
  }
  if (terms.value) caches.adoptTerms(st, terms.value); // what the booking is written with: the policy of now
  if (check === 'CREATOR_NOT_PAYABLE') {
    undo();
    await dropIfMade();
    await deps.log.booking.warn(
      'BOOKING_ERROR',
      `Hold on ${st.offer.id} refused: its creator can no longer take payments`,
      { offerId: st.offer.id, creatorId: st.offer.creatorId },
    );
    return { ok: false, code: 'CREATOR_NOT_PAYABLE' };
  }
  let current: PromiseSettledResult<StartedPayment> = intent;
  if (check === 'ACCOUNT_CHANGED') {
    // The creator's payment account changed since the object loaded: the intent is made out to the
    // old one. Drop it and start again on the account of now, under a new booking id (an intent's
    // key always carries the same parameters). Rare: the one case with a second call.
    await dropIfMade();
    await deps.log.payment.warn(
      'PAYMENT_ERROR',
      `Creator ${st.offer.creatorId} changed payment account since offer ${st.offer.id} was loaded: intent made again`,
      { offerId: st.offer.id, bookingId },
    );
    bookingId = deps.ids.next('bkg');
    st.live!.id = bookingId;
    current = await settle(createIntentFor(deps, draft(), st.offer));
  }
  if (current.status === 'rejected') {
    undo();
    await deps.log.payment.error(
      'PAYMENT_ERROR',
      `Could not start the payment for ${st.offer.id}; nothing was held`,
      { bookingId, offerId: st.offer.id },
      { error: current.reason },
    );
    return { ok: false, code: 'PAYMENT_PROVIDER_ERROR', message: (current.reason as Error).message };
  }
  return writeClaim(deps, fx, st, input.userId, { bookingId, holdExpiresAt: claimed.holdExpiresAt }, current.value);
}

/** The paid-for claim becomes durable; D1's backstop index refusing it means the memory was stale. */
async function writeClaim(
  deps: Deps,
  fx: RoomEffects,
  st: OfferState,
  userId: string,
  claimed: Claim,
  payment: StartedPayment,
): Promise<BookResult> {
  const { bookingId } = claimed;
  st.live!.intentId = payment.start.intentId;
  let booking: Booking;
  try {
    booking = await writeHold(deps, st, { bookingId, userId, holdExpiresAt: claimed.holdExpiresAt, payment });
  } catch (e) {
    await dropIntent(deps, bookingId, payment);
    if (isLiveBookingIndexViolation(e)) {
      // The object believed the offer free while D1 holds a live booking: should never happen. D1
      // is right: take its state and tell the subscribers (not our stale claim, not AVAILABLE).
      await deps.log.booking.critical(
        'BOOKING_INVARIANT_VIOLATION',
        `Second live booking for ${st.offer.id} refused by the D1 unique index`,
        { offerId: st.offer.id, bookingId },
        { error: e },
      );
      await resync(deps, fx, st);
      return refusal(st, userId, 'OFFER_UNAVAILABLE');
    }
    st.live = null;
    st.offer.status = 'AVAILABLE';
    fx.broadcast(st);
    throw e;
  }
  st.live!.persisted = true;
  await fx.armAlarm(st.offer.id);
  const started = { booking: toBookingDto(booking), payment: { provider: deps.payments.name, ...payment.start } };
  st.live!.started = started; // a double click gets it back from memory
  return { ok: true, created: true, ...started };
}

/**
 * The same fan asking again (double click, retry): hand back their hold. One whose time ran out
 * (the alarm is due or was missed) ends instead, unless its payment is under way: handing back a
 * payment that must not succeed would be worse. The object cancels that hold's intent afterwards.
 */
export async function resumeHold(
  deps: Deps,
  fx: RoomEffects,
  st: OfferState,
  userId: string,
): Promise<Released<BookResult>> {
  const live = st.live;
  const answer = (result: BookResult) => ({ result, cancelIntent: null });
  if (!live || !holdsIt(st, userId)) return answer(refusal(st, userId, 'OFFER_UNAVAILABLE'));
  if (holdRunOut(st, deps.clock.now().getTime()) && !(await keepWhilePaying(deps, fx, st, live))) {
    await releaseNow(deps, fx, st, live.id, 'EXPIRED', 'SYSTEM');
    return { result: { ok: false, code: 'HOLD_EXPIRED' }, cancelIntent: live.id };
  }
  if (live.started) return answer({ ok: true, created: false, ...live.started });
  // After a restart the payment start is not in memory: from D1 (and the provider) once.
  const booking = await bookingById(deps, live.id);
  if (!booking) return answer({ ok: false, code: 'OFFER_UNAVAILABLE' });
  const payment = await startPayment(deps, booking, st.offer);
  live.started = {
    booking: toBookingDto({ ...booking, paymentIntentId: payment.intentId }),
    payment: { provider: deps.payments.name, ...payment },
  };
  return answer({ ok: true, created: false, ...live.started });
}
