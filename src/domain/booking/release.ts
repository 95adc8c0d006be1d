/**
 * Ending a PENDING hold inside its OfferRoom (a person, a failed payment, its deadline), and
 * taking D1's word when a write shows the object's memory was stale. Run under the object's lock;
 * the intent of a released hold is cancelled after it (`cancelIntent`), outside the lock.
 */
import type { Deps } from '../../deps';
import { keepWhilePaying, paymentUnderWay } from './hold-payment';
import { loadOfferState, type OfferState } from './offer-state';
import type { ReleaseResult } from './results';
import type { RoomEffects } from './room';
import { holdRunOut, liveIs, releaseCheck } from './rules';
import { writeRelease, type ReleaseReason } from './transitions';

type Actor = 'FAN' | 'CREATOR' | 'ADMIN' | 'SYSTEM';

export interface ReleaseInput {
  bookingId: string;
  reason: ReleaseReason;
  cancelledBy?: Actor;
}

/** What a release did, and the booking whose intent the object cancels once the lock is free. */
export interface Released<R> {
  result: R;
  cancelIntent: string | null;
}

/** Writes the release, then tells the object: new alarm, new status. */
export async function releaseNow(
  deps: Deps,
  fx: RoomEffects,
  st: OfferState,
  bookingId: string,
  reason: ReleaseReason,
  cancelledBy?: Actor,
): Promise<void> {
  const status = await writeRelease(deps, st, bookingId, reason, { cancelledBy });
  st.live = null;
  st.offer.status = status;
  await fx.rearm();
  fx.broadcast(st);
  await deps.log.booking.info('BOOKING_RELEASED', `Hold ${bookingId} released (${reason})`, {
    bookingId,
    offerId: st.offer.id,
    reason,
  });
}

/**
 * Ends a PENDING hold (payment failed or canceled, fan abandoned, hold expired). Idempotent. A
 * hold whose payment is under way is neither cancelled by a person (`paying`: they are told to
 * wait for it) nor dropped at its deadline (kept until the payment's outcome, at most until the
 * call's start): its outcome ends it.
 */
export async function releaseHold(
  deps: Deps,
  fx: RoomEffects,
  st: OfferState | null,
  input: ReleaseInput,
): Promise<Released<ReleaseResult>> {
  const live = st?.live;
  if (!st || !live || !liveIs(st, input.bookingId, 'PENDING'))
    return { result: { released: false }, cancelIntent: null };
  const check = releaseCheck(input.reason);
  const paying =
    check === 'ASK_PAYMENT'
      ? await paymentUnderWay(deps, live)
      : check === 'KEEP_WHILE_PAYING'
        ? await keepWhilePaying(deps, fx, st, live)
        : null;
  if (paying) return { result: { released: false, paying }, cancelIntent: null };
  await releaseNow(deps, fx, st, input.bookingId, input.reason, input.cancelledBy);
  return { result: { released: true }, cancelIntent: input.bookingId };
}

/** The alarm: a PENDING hold past its deadline goes, unless its payment is under way. */
export async function expireHold(deps: Deps, fx: RoomEffects, st: OfferState | null): Promise<Released<void>> {
  if (!st?.live || !holdRunOut(st, deps.clock.now().getTime())) return { result: undefined, cancelIntent: null };
  const id = st.live.id;
  if (await keepWhilePaying(deps, fx, st, st.live)) return { result: undefined, cancelIntent: null };
  await releaseNow(deps, fx, st, id, 'EXPIRED', 'SYSTEM');
  return { result: undefined, cancelIntent: id };
}

/**
 * D1 refused a write that the object's memory allowed (the backstop index): D1 is the truth.
 * Reload it into `st` (in place: pending calls hold it), broadcast what it says, and make sure
 * the live hold found there has its alarm.
 */
export async function resync(deps: Deps, fx: RoomEffects, st: OfferState): Promise<void> {
  const fresh = await loadOfferState(deps, st.offer.id);
  if (!fresh) {
    fx.adopt(null);
    return;
  }
  st.offer = fresh.offer;
  st.live = fresh.live;
  fx.keep(st);
  fx.broadcast(st);
  if (st.live?.status === 'PENDING' && st.live.holdExpiresAt !== null) await fx.armAlarm(st.offer.id);
}
