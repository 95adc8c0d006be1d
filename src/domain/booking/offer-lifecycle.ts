/** An offer's own life inside its OfferRoom: edited, withdrawn, or expired unbooked. */
import type { Deps } from '../../deps';
import { actingCreator, type CreatorRefusal } from '../creators/standing';
import { applyOfferPatch, type OfferPatch } from '../offers/edit';
import { loadOfferState, type OfferState } from './offer-state';
import type { RoomEffects } from './room';
import { editRefusal, expiryDue, ownerRefusal, withdrawalRefusal } from './rules';
import { writeOfferStatus } from './transitions';

export type EditResult =
  | { ok: true }
  | { ok: false; code: 'OFFER_NOT_FOUND' | 'FORBIDDEN' | 'OFFER_LOCKED' | CreatorRefusal };
export type WithdrawResult =
  | { ok: true }
  | { ok: false; code: 'OFFER_NOT_FOUND' | 'FORBIDDEN' | 'OFFER_HAS_BOOKING' | 'OFFER_CLOSED' | CreatorRefusal };

/** Applies an edit; price, currency and time are frozen once the offer is held or booked (editRefusal). */
export async function editOffer(
  deps: Deps,
  fx: RoomEffects,
  st: OfferState | null,
  input: { actorUserId: string; patch: OfferPatch },
): Promise<EditResult> {
  if (!st) return { ok: false, code: 'OFFER_NOT_FOUND' };
  const forbidden = ownerRefusal(st, input.actorUserId);
  if (forbidden) return { ok: false, code: forbidden };
  // The actor as D1 has them now (demoted or disabled since their page loaded?), before the state checks below.
  const acting = await actingCreator(deps, input.actorUserId, st.offer.creatorId);
  if (!acting.ok) return { ok: false, code: acting.code };
  const locked = editRefusal(st, input.patch);
  if (locked) return { ok: false, code: locked };
  st.busy = true; // bookings wait for the edit's outcome
  try {
    await applyOfferPatch(deps, st.offer.id, input.patch);
    fx.adopt(await loadOfferState(deps, st.offer.id));
  } finally {
    st.busy = false;
  }
  await deps.log.booking.info(
    'OFFER_UPDATED',
    `Offer ${st.offer.id} edited`,
    { fields: Object.keys(input.patch) },
    { actor: 'CREATOR', actorId: input.actorUserId },
  );
  return { ok: true };
}

/** Withdraws an offer that nobody holds or booked; a null actor is the system undoing a slot or request. */
export async function withdrawOffer(
  deps: Deps,
  fx: RoomEffects,
  st: OfferState | null,
  actorUserId: string | null,
): Promise<WithdrawResult> {
  if (!st) return { ok: false, code: 'OFFER_NOT_FOUND' };
  if (actorUserId) {
    const forbidden = ownerRefusal(st, actorUserId);
    if (forbidden) return { ok: false, code: forbidden };
    const acting = await actingCreator(deps, actorUserId, st.offer.creatorId);
    if (!acting.ok) return { ok: false, code: acting.code };
  }
  const refused = withdrawalRefusal(st);
  if (refused) return { ok: false, code: refused };
  st.offer.status = 'CANCELLED'; // before the await: no booking can slip in meanwhile
  await writeOfferStatus(deps, st.offer.id, ['AVAILABLE'], 'CANCELLED');
  fx.broadcast(st);
  await deps.log.booking.info('OFFER_CANCELLED', `Offer ${st.offer.id} withdrawn`, null, {
    actor: 'CREATOR',
    actorId: actorUserId,
  });
  return { ok: true };
}

/** Sweep: an offer whose start has passed without a booking becomes EXPIRED. */
export async function expireOffer(deps: Deps, fx: RoomEffects, st: OfferState | null): Promise<{ expired: boolean }> {
  if (!st || !expiryDue(st, deps.clock.now().getTime())) return { expired: false };
  st.offer.status = 'EXPIRED';
  await writeOfferStatus(deps, st.offer.id, ['AVAILABLE'], 'EXPIRED');
  fx.broadcast(st);
  await deps.log.booking.info('OFFER_EXPIRED', `Offer ${st.offer.id} expired unbooked`, { offerId: st.offer.id });
  return { expired: true };
}
