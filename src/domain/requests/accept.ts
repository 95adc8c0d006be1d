/**
 * Accepting a request: a private offer for that fan, held for them to pay. The creator's
 * CreatorCalendar runs it under its lock, so a withdrawal (also under that lock) or another claim
 * on the creator's time never interleaves with it.
 */
import { eq } from 'drizzle-orm';
import { creators, users } from '../../db/schema';
import type { Deps } from '../../deps';
import type { BookResult } from '../booking/results';
import { requestAnswered } from '../events';
import { createOffer } from '../offers/create';
import {
  answerableRequest,
  claimRequest,
  recordAcceptance,
  REQUEST_HOLD_MINUTES,
  unclaimRequest,
  type AnswerRefusal,
} from './requests';

type HeldBooking = Extract<BookResult, { ok: true }>['booking'];

export interface AcceptInput {
  requestId: string;
  actorUserId: string;
  message?: string;
}

export type AcceptResult =
  | { ok: true; requestId: string; offerId: string; booking: HeldBooking }
  | {
      ok: false;
      code:
        | AnswerRefusal
        | 'OVERLAPS_ANOTHER_OFFER'
        | 'TOO_SOON'
        | 'TOO_FAR'
        | 'CREATOR_NOT_ONBOARDED'
        | 'CURRENCY_NOT_ACCEPTED'
        | 'BOOKING_FAILED';
      message?: string;
    };

/** Claims the request, creates its offer reserved for the fan and holds it; any failure leaves the request pending. */
export async function acceptRequest(deps: Deps, input: AcceptInput): Promise<AcceptResult> {
  const r = await answerableRequest(deps, input.actorUserId, input.requestId);
  if (!r.ok) return r;
  const req = r.request;
  // Claimed before any offer or payment exists: a withdrawal (under the calendar's lock), a
  // rejection or the expiry sweep that got in first leaves nothing behind.
  if (!(await claimRequest(deps, req.id, input.message))) return { ok: false, code: 'REQUEST_NOT_PENDING' };
  let held: { offerId: string; booking: HeldBooking } | null = null;
  try {
    const creator = (await deps.db.select().from(creators).where(eq(creators.id, r.creatorId)).get())!;
    const fan = (await deps.db.select().from(users).where(eq(users.id, req.userId)).get())!;
    const created = await createOffer(deps, creator, {
      title: `${creator.displayName} × ${fan.name}`.slice(0, 120),
      description: req.message,
      price: req.proposedPrice,
      currency: req.currency,
      startsAt: req.proposedStartsAt,
      durationMinutes: req.durationMinutes,
      source: 'REQUEST',
      reservedForUserId: fan.id,
    });
    if (!created.ok) return { ok: false, code: created.code };
    const booked = await deps.rooms.offer(created.offer.id).book({
      offerId: created.offer.id,
      userId: fan.id,
      holdMinutes: REQUEST_HOLD_MINUTES,
      limited: false,
    });
    if (!booked.ok) {
      await deps.rooms.offer(created.offer.id).cancelOffer({ offerId: created.offer.id, actorUserId: null });
      return { ok: false, code: 'BOOKING_FAILED', message: booked.code };
    }
    held = { offerId: created.offer.id, booking: booked.booking };
  } finally {
    if (!held) await unclaimRequest(deps, req.id);
  }
  await recordAcceptance(deps, req.id, held.offerId, held.booking.id);
  await deps.log.booking.info(
    'REQUEST_ANSWERED',
    `Request ${req.id} accepted: offer ${held.offerId} held for the fan`,
    null,
    { actor: 'CREATOR', actorId: input.actorUserId },
  );
  await requestAnswered(deps, req.id);
  return { ok: true, requestId: req.id, offerId: held.offerId, booking: held.booking };
}
