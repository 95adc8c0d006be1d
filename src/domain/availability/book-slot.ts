/**
 * A fan takes a free slot: checked and its offer created, then held through the offer's OfferRoom.
 * The creator's CreatorCalendar runs it under its lock (one claim on the creator's time at a time).
 */
import { eq } from 'drizzle-orm';
import { creators } from '../../db/schema';
import type { Deps } from '../../deps';
import type { BookResult } from '../booking/results';
import { accountDisabled, activeCreator } from '../creators/standing';
import { prepareSlot, type SlotRefusal } from './booking';

export interface BookSlotInput {
  creatorId: string;
  typeId: string;
  startsAt: string;
  fanId: string;
}

export type BookSlotResult = BookResult | { ok: false; code: SlotRefusal | 'CREATOR_NOT_FOUND' | 'ACCOUNT_DISABLED' };

export async function bookSlot(deps: Deps, input: BookSlotInput): Promise<BookSlotResult> {
  // The fan's account as D1 has it, in the same read (no extra round trip): a session another isolate has not yet learnt is revoked takes nothing.
  const row = await deps.db
    .select({
      creator: creators,
      open: activeCreator().mapWith(Boolean),
      fanDisabled: accountDisabled(input.fanId),
    })
    .from(creators)
    .where(eq(creators.id, input.creatorId))
    .get();
  if (!row?.open) return { ok: false, code: 'CREATOR_NOT_FOUND' };
  if (row.fanDisabled) return { ok: false, code: 'ACCOUNT_DISABLED' };
  const prepared = await prepareSlot(deps, row.creator, {
    typeId: input.typeId,
    startsAt: new Date(input.startsAt),
    fanId: input.fanId,
  });
  if (!prepared.ok) return prepared;
  const booked = await deps.rooms.offer(prepared.offerId).book({
    offerId: prepared.offerId,
    userId: input.fanId,
  });
  // The hold failed (payment provider down…): the slot offer goes, the time is free again.
  if (!booked.ok)
    await deps.rooms.offer(prepared.offerId).cancelOffer({ offerId: prepared.offerId, actorUserId: null });
  return booked;
}
