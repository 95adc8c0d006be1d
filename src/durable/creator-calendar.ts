/**
 * CreatorCalendar — one Durable Object per creator: serializes everything that claims a span of
 * the creator's time (new offers, time edits, accepted requests) so two of them can never
 * overlap, however the requests race. Booking an existing offer goes to its OfferRoom instead.
 */
import { DurableObject } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { creators, users } from '../db/schema';
import { buildDeps } from '../deps';
import {
  createOffer,
  findOverlaps,
  checkTiming,
  type CreateOfferResult,
  type NewOfferInput,
} from '../domain/offers/create';
import type { OfferPatch } from '../domain/offers/edit';
import { requestAnswered } from '../domain/events';
import {
  answerableRequest,
  cancelRequest,
  claimRequest,
  recordAcceptance,
  REQUEST_HOLD_MINUTES,
  unclaimRequest,
  type AnswerRefusal,
} from '../domain/requests/requests';
import {
  accountDisabled,
  actingCreator,
  activeCreator,
  isDisabled,
  type CreatorRefusal,
} from '../domain/creators/standing';
import type { Bindings } from '../env';
import { MINUTE } from '../lib/clock';
import {
  afterReschedule,
  canMoveTo,
  checkReschedule,
  prepareSlot,
  type RescheduleRefusal,
  type SlotRefusal,
} from '../domain/availability/booking';
import { Mutex } from './mutex';
import { offerRoom, type BookResult } from './offer-room';
import { SocketHub } from './socket-hub';

export type AcceptResult =
  | { ok: true; requestId: string; offerId: string; booking: Extract<BookResult, { ok: true }>['booking'] }
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

export type BookSlotResult = BookResult | { ok: false; code: SlotRefusal | 'CREATOR_NOT_FOUND' | 'ACCOUNT_DISABLED' };
export type RescheduleResult =
  | { ok: true; startsAt: string; endsAt: string }
  | { ok: false; code: RescheduleRefusal | 'BOOKING_NOT_RESCHEDULABLE' | CreatorRefusal | 'FORBIDDEN' };

export class CreatorCalendar extends DurableObject<Bindings> {
  private readonly lock = new Mutex();
  /** Slot pickers: capped per client address, idle ones swept by the alarm (see socket-hub.ts). */
  private readonly hub: SocketHub;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    // Keep-alive pings are answered without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
    this.hub = new SocketHub(ctx, env);
  }

  // ------------------------------------------------------------------ live slot pickers

  /** Slot pickers subscribe here (hibernating sockets) and hear whenever the creator's time changes. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket')
      return new Response('Expected a WebSocket upgrade', { status: 426 });
    const admitted = await this.hub.admit(request, {});
    if (!admitted.ok) return admitted.response;
    admitted.server.send(JSON.stringify({ type: 'hello', version: await this.slotsVersion() }));
    await this.hub.arm();
    return admitted.response;
  }

  /** Pickers only listen (their pings are answered by the runtime); anything they send still counts as activity. */
  override async webSocketMessage(ws: WebSocket): Promise<void> {
    this.hub.heard(ws);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 ? 1000 : code, 'bye');
    } catch {
      // already closed
    }
    await this.hub.gone(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.hub.gone(ws);
  }

  /** This object's only alarm: the sweep of idle slot pickers, while any is open. */
  override async alarm(): Promise<void> {
    this.hub.fired();
    await this.hub.sweep();
    await this.hub.arm();
  }

  /** Bumped at every change, so a picker that reconnects (or polls) knows whether it missed one. */
  async slotsVersion(): Promise<number> {
    return (await this.ctx.storage.get<number>('slotsVersion')) ?? 0;
  }

  /** Something took or freed part of the creator's time: slot pickers refresh. */
  async slotsChanged(): Promise<void> {
    const version = (await this.slotsVersion()) + 1;
    await this.ctx.storage.put('slotsVersion', version);
    this.hub.broadcast(JSON.stringify({ type: 'slots-changed', version }));
  }

  // ------------------------------------------------------------------ availability

  /** A fan takes a free slot: checked and created here (one at a time per creator), held by its OfferRoom. */
  async bookSlot(input: {
    creatorId: string;
    typeId: string;
    startsAt: string;
    fanId: string;
  }): Promise<BookSlotResult> {
    const r = await this.lock.run(async (): Promise<BookSlotResult> => {
      const deps = buildDeps(this.env);
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
      const creator = row.creator;
      const prepared = await prepareSlot(deps, creator, {
        typeId: input.typeId,
        startsAt: new Date(input.startsAt),
        fanId: input.fanId,
      });
      if (!prepared.ok) return prepared;
      const booked = await offerRoom(this.env, prepared.offerId).book({
        offerId: prepared.offerId,
        userId: input.fanId,
      });
      // The hold failed (payment provider down…): the slot offer goes, the time is free again.
      if (!booked.ok)
        await offerRoom(this.env, prepared.offerId).cancelOffer({ offerId: prepared.offerId, actorUserId: null });
      return booked;
    });
    await this.slotsChanged();
    return r;
  }

  /** Moves a confirmed booking to another free time (fan or creator, until 24 h before). */
  async reschedule(input: { bookingId: string; actorUserId: string; startsAt: string }): Promise<RescheduleResult> {
    const r = await this.lock.run(async (): Promise<RescheduleResult> => {
      const deps = buildDeps(this.env);
      const checked = await checkReschedule(deps, input.bookingId, input.actorUserId);
      if (!checked.ok) return checked;
      const { booking, creator, by } = checked;
      // The actor as D1 has them now: a creator demoted or disabled, or a fan disabled, since their page loaded.
      const acting = by === 'CREATOR' ? await actingCreator(deps, input.actorUserId, creator.id) : null;
      if (acting && !acting.ok) return { ok: false, code: acting.code };
      if (by === 'FAN' && (await isDisabled(deps, input.actorUserId))) return { ok: false, code: 'ACCOUNT_DISABLED' };
      const startsAt = new Date(input.startsAt);
      if (!(await canMoveTo(deps, booking, creator, startsAt))) return { ok: false, code: 'SLOT_UNAVAILABLE' };
      const endsAt = new Date(startsAt.getTime() + (booking.endsAt.getTime() - booking.startsAt.getTime()));
      const moved = await offerRoom(this.env, booking.offerId).reschedule({
        offerId: booking.offerId,
        bookingId: booking.id,
        startsAt: startsAt.getTime(),
        endsAt: endsAt.getTime(),
      });
      if (!moved.ok) return moved;
      await afterReschedule(deps, booking, by);
      return { ok: true, startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString() };
    });
    if (r.ok) await this.slotsChanged();
    return r;
  }

  /** Publishes an offer for `actorUserId`, who must (still) be this calendar's creator. */
  async createOffer(input: {
    creatorId: string;
    actorUserId: string;
    offer: Omit<NewOfferInput, 'startsAt'> & { startsAt: string };
  }): Promise<CreateOfferResult | { ok: false; code: CreatorRefusal | 'FORBIDDEN' }> {
    const r = await this.lock.run(async () => {
      const deps = buildDeps(this.env);
      const acting = await actingCreator(deps, input.actorUserId, input.creatorId);
      if (!acting.ok) return { ok: false as const, code: acting.code };
      return createOffer(deps, acting.creator, { ...input.offer, startsAt: new Date(input.offer.startsAt) });
    });
    if (r.ok) await this.slotsChanged();
    return r;
  }

  /** Edits an offer; a new time is checked against the creator's other offers first. */
  async updateOffer(input: {
    creatorId: string;
    offerId: string;
    actorUserId: string;
    patch: OfferPatch;
    currentStartsAt: string;
    currentDuration: number;
  }) {
    return this.lock.run(async () => {
      const deps = buildDeps(this.env);
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
      return offerRoom(this.env, input.offerId).update({
        offerId: input.offerId,
        actorUserId: input.actorUserId,
        patch: input.patch,
      });
    });
  }

  /** Accepting a request: a private offer for that fan, held for them to pay. */
  async acceptRequest(input: { requestId: string; actorUserId: string; message?: string }): Promise<AcceptResult> {
    return this.lock.run(async (): Promise<AcceptResult> => {
      const deps = buildDeps(this.env);
      const r = await answerableRequest(deps, input.actorUserId, input.requestId);
      if (!r.ok) return r;
      const req = r.request;
      // Claimed before any offer or payment exists: a withdrawal (here, under this lock), a
      // rejection or the expiry sweep that got in first leaves nothing behind.
      if (!(await claimRequest(deps, req.id, input.message))) return { ok: false, code: 'REQUEST_NOT_PENDING' };
      let held: { offerId: string; booking: Extract<BookResult, { ok: true }>['booking'] } | null = null;
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
        const booked = await offerRoom(this.env, created.offer.id).book({
          offerId: created.offer.id,
          userId: fan.id,
          holdMinutes: REQUEST_HOLD_MINUTES,
          limited: false,
        });
        if (!booked.ok) {
          await offerRoom(this.env, created.offer.id).cancelOffer({ offerId: created.offer.id, actorUserId: null });
          return { ok: false, code: 'BOOKING_FAILED', message: booked.code };
        }
        held = { offerId: created.offer.id, booking: booked.booking };
      } finally {
        if (!held) await unclaimRequest(deps, req.id);
      }
      await recordAcceptance(deps, req.id, held.offerId, held.booking.id);
      await deps.log.info('REQUEST_ANSWERED', `Request ${req.id} accepted: offer ${held.offerId} held for the fan`, {
        actor: 'CREATOR',
        actorId: input.actorUserId,
      });
      await requestAnswered(deps, req.id);
      return { ok: true, requestId: req.id, offerId: held.offerId, booking: held.booking };
    });
  }

  /** A fan withdraws their request: under the lock an acceptance holds (see withdrawRequest). */
  async cancelRequest(input: { requestId: string; fanId: string }): Promise<Awaited<ReturnType<typeof cancelRequest>>> {
    return this.lock.run(() => cancelRequest(buildDeps(this.env), input.fanId, input.requestId));
  }
}

export function creatorCalendar(
  env: Pick<Bindings, 'CREATOR_CALENDAR'>,
  creatorId: string,
): DurableObjectStub<CreatorCalendar> {
  return env.CREATOR_CALENDAR.getByName(creatorId);
}
