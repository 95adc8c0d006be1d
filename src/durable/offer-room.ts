/**
 * OfferRoom — one Durable Object per offer: the only writer of its booking state.
 * Exactly one of any number of racing fans wins the hold (decided in memory, so losers cost no
 * database write); an alarm releases unpaid holds even after eviction; every change is broadcast
 * to hibernating WebSocket subscribers. The object keeps the state, the lock, the alarm and the
 * sockets; every decision is a domain function (src/domain/booking/) that it runs.
 */
import { DurableObject } from 'cloudflare:workers';
import { buildDeps, type Deps } from '../deps';
import {
  cancelBooked,
  completeBooked,
  rescheduleBooked,
  type CancelBookedInput,
  type RescheduleInput,
  type RescheduleResult,
} from '../domain/booking/booked';
import { confirmBooking } from '../domain/booking/confirm';
import { claim, completeHold, prepareClaim, resumeHold, type HoldInput } from '../domain/booking/hold';
import { cancelIntentOf } from '../domain/booking/hold-payment';
import {
  editOffer,
  expireOffer,
  withdrawOffer,
  type EditResult,
  type WithdrawResult,
} from '../domain/booking/offer-lifecycle';
import type { OfferState } from '../domain/booking/offer-state';
import { expireHold, releaseHold, type ReleaseInput, type Released } from '../domain/booking/release';
import { ClaimCaches, type RoomEffects } from '../domain/booking/room';
import { holdDeadline, holdsIt, statusMessage } from '../domain/booking/rules';
import type { OfferPatch } from '../domain/offers/edit';
import type { Bindings } from '../env';
import { wallTime } from '../lib/dev-clock';
import type { OfferStatusMessageT } from '../shared/offers';
import { Mutex } from './mutex';
import { OfferMemory } from './offer-memory';
import { SocketHub } from './socket-hub';

export type { BookResult, ConfirmResult, PaymentUnderWay, ReleaseResult } from '../domain/booking/results';
import type { BookResult, ConfirmResult, ReleaseResult } from '../domain/booking/results';

export class OfferRoom extends DurableObject<Bindings> {
  private readonly lock = new Mutex();
  private readonly caches = new ClaimCaches();
  /** The offer's state, loaded once and kept current here (see offer-memory.ts). */
  private readonly memory: OfferMemory;
  /** Status subscribers: capped per client address, idle ones swept (see socket-hub.ts). */
  private readonly hub: SocketHub;
  /** Built once per object: its parts are stateless (the clock reads the time, and the dev offset, on every call). */
  private depsOnce: Deps | null = null;

  /** What the domain's booking flows ask of this object, run in the order they ask. */
  private readonly fx: RoomEffects = {
    broadcast: (st) => this.broadcast(st),
    armAlarm: (offerId) => this.armAlarm(offerId),
    rearm: () => this.rearm(),
    adopt: (st) => this.memory.adopt(st),
    keep: (st) => {
      this.memory.state = st;
    },
  };

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    // Keep-alive pings are answered without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
    this.hub = new SocketHub(ctx, env);
    this.memory = new OfferMemory(ctx, () => this.deps(), this.caches);
  }

  /** For tests (inside runInDurableObject): the state this object holds, by reference, so a test can age or stale it. */
  static memoryOf(room: OfferRoom): OfferState | null {
    return room.memory.state;
  }

  private deps(): Deps {
    this.depsOnce ??= buildDeps(this.env);
    return this.depsOnce;
  }

  private load(offerId?: string): Promise<OfferState | null> {
    return this.memory.load(offerId);
  }

  /** Sets the hold alarm, with the offer id beside it so a nameless wake-up still knows its offer. */
  private async armAlarm(offerId: string): Promise<void> {
    await this.memory.storeOfferId(offerId);
    await this.rearm();
  }

  /**
   * The one alarm serves the hold deadline and the socket sweep: set it to whichever comes first
   * (no alarm when there is neither a pending hold nor an open socket).
   */
  private async rearm(): Promise<void> {
    const at = holdDeadline(this.memory.state);
    await this.hub.arm(at === null ? null : wallTime(this.deps().config, at));
  }

  private broadcast(st: OfferState): void {
    this.hub.broadcast(JSON.stringify(statusMessage(st, new Date())));
    // The creator's bookable slots depend on every span of their time: tell their calendar's
    // subscribers (slot pickers) too — without making anyone here wait for it — but only when this
    // offer starts or stops occupying that time (or moves): AVAILABLE → HELD → BOOKED changes nothing there.
    if (!this.memory.occupancyMoved(st)) return;
    this.ctx.waitUntil(
      this.deps()
        .rooms.calendar(st.offer.creatorId)
        .slotsChanged()
        .catch(() => undefined),
    );
  }

  /** Runs `fn` under the lock on the loaded state. */
  private locked<T>(offerId: string | undefined, fn: (deps: Deps, st: OfferState | null) => Promise<T>): Promise<T> {
    return this.lock.run(async () => fn(this.deps(), await this.load(offerId)));
  }

  /** A released hold's intent is cancelled once the lock is free: the provider's event comes back here. */
  private async afterLock<R>(out: Released<R>): Promise<R> {
    if (out.cancelIntent) await cancelIntentOf(this.deps(), out.cancelIntent);
    return out.result;
  }

  // ------------------------------------------------------------------ booking

  /** Holds the offer for `userId` and starts the payment (see domain/booking/hold.ts). */
  async book(input: HoldInput & { offerId: string }): Promise<BookResult> {
    const st = await this.load(input.offerId);
    if (!st) return { ok: false, code: 'OFFER_NOT_FOUND' };
    const deps = this.deps();
    await prepareClaim(deps, this.caches, st, input);
    if (holdsIt(st, input.userId))
      return this.afterLock(await this.lock.run(() => resumeHold(deps, this.fx, st, input.userId)));
    // No await between the decision and the claim: every other attempt is refused from memory.
    const claimed = claim(deps, this.caches, st, input);
    if (!claimed.ok) return claimed.result;
    this.broadcast(st);
    return this.lock.run(() => completeHold(deps, this.fx, this.caches, st, input, claimed.claim));
  }

  /** Payment succeeded: the hold becomes a confirmed booking (idempotent), or a late payment re-takes a free offer. */
  confirm(input: { offerId: string; bookingId: string }): Promise<ConfirmResult> {
    return this.locked(input.offerId, (deps, st) => confirmBooking(deps, this.fx, st, input.bookingId));
  }

  /** Ends a PENDING hold unless its payment is under way; a released hold's intent is cancelled outside the lock. */
  async release(input: ReleaseInput & { offerId: string }): Promise<ReleaseResult> {
    return this.afterLock(await this.locked(input.offerId, (deps, st) => releaseHold(deps, this.fx, st, input)));
  }

  /** Cancels a CONFIRMED booking (refunds are the caller's business). */
  cancelConfirmed(input: CancelBookedInput & { offerId: string }): Promise<{ cancelled: boolean }> {
    return this.locked(input.offerId, (deps, st) => cancelBooked(deps, this.fx, st, input));
  }

  /** The call happened: booking and offer become COMPLETED. */
  complete(input: { offerId: string; bookingId: string }): Promise<{ completed: boolean }> {
    return this.locked(input.offerId, (deps, st) => completeBooked(deps, this.fx, st, input.bookingId));
  }

  /** Moves a confirmed booking to a new time already checked free by the creator's calendar. */
  reschedule(input: RescheduleInput & { offerId: string }): Promise<RescheduleResult> {
    return this.locked(input.offerId, (deps, st) => rescheduleBooked(deps, this.fx, st, input));
  }

  // ------------------------------------------------------------------ offer lifecycle

  /** Applies an edit; price, currency and time are frozen once the offer is held or booked. */
  update(input: { offerId: string; actorUserId: string; patch: OfferPatch }): Promise<EditResult> {
    return this.locked(input.offerId, (deps, st) => editOffer(deps, this.fx, st, input));
  }

  /** Withdraws an offer that nobody holds or booked. */
  cancelOffer(input: { offerId: string; actorUserId: string | null }): Promise<WithdrawResult> {
    return this.locked(input.offerId, (deps, st) => withdrawOffer(deps, this.fx, st, input.actorUserId));
  }

  /** Sweep: an offer whose start has passed without a booking becomes EXPIRED. */
  expire(input: { offerId: string }): Promise<{ expired: boolean }> {
    return this.locked(input.offerId, (deps, st) => expireOffer(deps, this.fx, st));
  }

  /** Current status (polling fallback and tests). */
  async status(input: { offerId: string }): Promise<OfferStatusMessageT | null> {
    const st = await this.load(input.offerId);
    return st ? statusMessage(st, new Date()) : null;
  }

  // ------------------------------------------------------------------ alarm & WebSockets

  /**
   * The hold deadline: release an unpaid hold (survives eviction: state reloads from D1). The same
   * alarm sweeps idle sockets while any are open (see rearm()).
   */
  override async alarm(): Promise<void> {
    this.hub.fired();
    await this.hub.sweep();
    const out = await this.locked(undefined, (deps, st) => expireHold(deps, this.fx, st));
    await this.rearm();
    await this.afterLock(out);
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket')
      return new Response('Expected a WebSocket upgrade', { status: 426 });
    const offerId = new URL(request.url).searchParams.get('offerId') ?? '';
    const st = await this.load(offerId);
    if (!st) return new Response('Offer not found', { status: 404 });
    // The offer id survives hibernation in the attachment: see webSocketMessage.
    const admitted = await this.hub.admit(request, { offerId: st.offer.id });
    if (!admitted.ok) return admitted.response;
    admitted.server.send(JSON.stringify(statusMessage(st, new Date())));
    await this.rearm();
    return admitted.response;
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    this.hub.heard(ws);
    // Clients only listen; a "status" message asks for the current state again.
    if (message === 'status') {
      const attached = ws.deserializeAttachment() as { offerId?: string } | null;
      const st = await this.load(attached?.offerId);
      if (st) ws.send(JSON.stringify(statusMessage(st, new Date())));
    }
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.hub.gone(ws);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 ? 1000 : code, 'bye');
    } catch {
      // already closed
    }
    await this.hub.gone(ws);
  }
}
