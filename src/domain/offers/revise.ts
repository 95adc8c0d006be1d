/**
 * Editing an offer: a new time is checked against the creator's other offers first, then the
 * offer's OfferRoom applies the patch. Run by the creator's CreatorCalendar under its lock.
 */
import type { Deps } from '../../deps';
import { MINUTE } from '../../lib/clock';
import { actingCreator } from '../creators/standing';
import { checkTiming, findOverlaps } from './create';
import type { OfferPatch } from './edit';

export interface ReviseInput {
  creatorId: string;
  offerId: string;
  actorUserId: string;
  patch: OfferPatch;
  currentStartsAt: string;
  currentDuration: number;
}

export async function reviseOffer(deps: Deps, input: ReviseInput) {
  const acting = await actingCreator(deps, input.actorUserId, input.creatorId);
  if (!acting.ok) return { ok: false as const, code: acting.code };
  if (input.patch.startsAt !== undefined || input.patch.durationMinutes !== undefined) {
    const start = new Date(input.patch.startsAt ?? input.currentStartsAt);
    const timing = checkTiming(start, deps.clock.now());
    if (timing) return { ok: false as const, code: timing };
    const end = new Date(start.getTime() + (input.patch.durationMinutes ?? input.currentDuration) * MINUTE);
    const overlaps = await findOverlaps(deps, input.creatorId, start, end, input.offerId);
    if (overlaps.length) return { ok: false as const, code: 'OVERLAPS_ANOTHER_OFFER' as const };
  }
  return deps.rooms.offer(input.offerId).update({
    offerId: input.offerId,
    actorUserId: input.actorUserId,
    patch: input.patch,
  });
}
