/**
 * CreatorCalendar — one Durable Object per creator: serializes everything that claims a span of
 * the creator's time (new offers, time edits, accepted requests) so two of them can never
 * overlap, however the requests race. Booking an existing offer goes to its OfferRoom instead.
 */
import { DurableObject } from 'cloudflare:workers';
import { and, eq } from 'drizzle-orm';
import { callRequests, creators, users } from '../db/schema';
import { buildDeps } from '../deps';
import { createOffer, findOverlaps, checkTiming, type CreateOfferResult, type NewOfferInput } from '../domain/offers/create';
import type { OfferPatch } from '../domain/offers/edit';
import { requestAnswered } from '../domain/events';
import { answerableRequest, REQUEST_HOLD_MINUTES, type AnswerRefusal } from '../domain/requests/requests';
import type { Bindings } from '../env';
import { MINUTE } from '../lib/clock';
import { Mutex } from './mutex';
import { offerRoom, type BookResult } from './offer-room';

export type AcceptResult =
  | { ok: true; requestId: string; offerId: string; booking: Extract<BookResult, { ok: true }>['booking'] }
  | { ok: false; code: AnswerRefusal | 'OVERLAPS_ANOTHER_OFFER' | 'TOO_SOON' | 'TOO_FAR' | 'CREATOR_NOT_ONBOARDED' | 'BOOKING_FAILED'; message?: string };

export class CreatorCalendar extends DurableObject<Bindings> {
  private readonly lock = new Mutex();

  async createOffer(input: { creatorId: string; offer: Omit<NewOfferInput, 'startsAt'> & { startsAt: string } }): Promise<CreateOfferResult | { ok: false; code: 'CREATOR_NOT_FOUND' }> {
    return this.lock.run(async () => {
      const deps = buildDeps(this.env);
      const creator = await deps.db.select().from(creators).where(eq(creators.id, input.creatorId)).get();
      if (!creator) return { ok: false as const, code: 'CREATOR_NOT_FOUND' as const };
      return createOffer(deps, creator, { ...input.offer, startsAt: new Date(input.offer.startsAt) });
    });
  }

  /** Edits an offer; a new time is checked against the creator's other offers first. */
  async updateOffer(input: { creatorId: string; offerId: string; actorUserId: string; patch: OfferPatch; currentStartsAt: string; currentDuration: number }) {
    return this.lock.run(async () => {
      const deps = buildDeps(this.env);
      if (input.patch.startsAt !== undefined || input.patch.durationMinutes !== undefined) {
        const start = new Date(input.patch.startsAt ?? input.currentStartsAt);
        const timing = checkTiming(start, deps.clock.now());
        if (timing) return { ok: false as const, code: timing };
        const end = new Date(start.getTime() + (input.patch.durationMinutes ?? input.currentDuration) * MINUTE);
        const overlaps = await findOverlaps(deps, input.creatorId, start, end, input.offerId);
        if (overlaps.length) return { ok: false as const, code: 'OVERLAPS_ANOTHER_OFFER' as const };
      }
      return offerRoom(this.env, input.offerId).update({ offerId: input.offerId, actorUserId: input.actorUserId, patch: input.patch });
    });
  }

  /** Accepting a request: a private offer for that fan, held for them to pay. */
  async acceptRequest(input: { requestId: string; actorUserId: string; message?: string }): Promise<AcceptResult> {
    return this.lock.run(async (): Promise<AcceptResult> => {
      const deps = buildDeps(this.env);
      const r = await answerableRequest(deps, input.actorUserId, input.requestId);
      if (!r.ok) return r;
      const req = r.request;
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
      const booked = await offerRoom(this.env, created.offer.id).book({ offerId: created.offer.id, userId: fan.id, holdMinutes: REQUEST_HOLD_MINUTES });
      if (!booked.ok) {
        await offerRoom(this.env, created.offer.id).cancelOffer({ offerId: created.offer.id, actorUserId: null });
        return { ok: false, code: 'BOOKING_FAILED', message: booked.code };
      }
      const now = deps.clock.now();
      await deps.db.update(callRequests).set({
        status: 'ACCEPTED', responseMessage: input.message ?? null, offerId: created.offer.id, bookingId: booked.booking.id, respondedAt: now, updatedAt: now,
      }).where(and(eq(callRequests.id, req.id), eq(callRequests.status, 'PENDING')));
      await deps.log.info('REQUEST_ANSWERED', `Request ${req.id} accepted: offer ${created.offer.id} held for the fan`, { actor: 'CREATOR', actorId: input.actorUserId });
      await requestAnswered(deps, req.id);
      return { ok: true, requestId: req.id, offerId: created.offer.id, booking: booked.booking };
    });
  }
}

export function creatorCalendar(env: Pick<Bindings, 'CREATOR_CALENDAR'>, creatorId: string): DurableObjectStub<CreatorCalendar> {
  return env.CREATOR_CALENDAR.getByName(creatorId);
}
