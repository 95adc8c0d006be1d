/**
 * Publishing an offer for someone who must (still) be that creator. The creator's CreatorCalendar
 * runs it under its lock, so two new offers can never overlap however the requests race.
 */
import type { Deps } from '../../deps';
import { actingCreator, type CreatorRefusal } from '../creators/standing';
import { createOffer, type CreateOfferResult, type NewOfferInput } from './create';

export interface PublishInput {
  creatorId: string;
  actorUserId: string;
  offer: Omit<NewOfferInput, 'startsAt'> & { startsAt: string };
}

export type PublishResult = CreateOfferResult | { ok: false; code: CreatorRefusal | 'FORBIDDEN' };

export async function publishOffer(deps: Deps, input: PublishInput): Promise<PublishResult> {
  const acting = await actingCreator(deps, input.actorUserId, input.creatorId);
  if (!acting.ok) return { ok: false, code: acting.code };
  return createOffer(deps, acting.creator, { ...input.offer, startsAt: new Date(input.offer.startsAt) });
}
