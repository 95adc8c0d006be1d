/**
 * CreatorCalendar — one Durable Object per creator: serializes everything that claims a span of
 * the creator's time (new offers, time edits, slots, reschedules, accepted requests) so two of them
 * can never overlap, however the requests race. Booking an existing offer goes to its OfferRoom
 * instead. The object keeps the lock, the slot pickers' sockets and their version; each claim is a
 * domain use case (src/domain/…) it runs under the lock.
 */
import { DurableObject } from 'cloudflare:workers';
import { buildDeps, type Deps } from '../deps';
import { bookSlot, type BookSlotInput, type BookSlotResult } from '../domain/availability/book-slot';
import { rescheduleBooking, type RescheduleInput, type RescheduleResult } from '../domain/availability/reschedule';
import { publishOffer, type PublishInput, type PublishResult } from '../domain/offers/publish';
import { reviseOffer, type ReviseInput } from '../domain/offers/revise';
import { acceptRequest, type AcceptInput, type AcceptResult } from '../domain/requests/accept';
import { cancelRequest } from '../domain/requests/requests';
import type { Bindings } from '../env';
import { Mutex } from './mutex';
import { backdateSockets, SocketHub, type SocketTestHook } from './socket-hub';

export class CreatorCalendar extends DurableObject<Bindings> {
  private readonly lock = new Mutex();
  /** Slot pickers: capped per client address, idle ones swept by the alarm (see socket-hub.ts). */
  private readonly hub: SocketHub;

  /** For tests, through runInDurableObject: an instance field, which RPC does not expose. */
  readonly testHook: SocketTestHook = { backdateSockets: (ms) => backdateSockets(this.ctx, ms) };

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    // Keep-alive pings are answered without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
    this.hub = new SocketHub(ctx, env);
  }

  /** Built once per object: its parts are stateless (the clock reads the time, and the dev offset, on every call). */
  private depsOnce: Deps | null = null;

  private deps(): Deps {
    this.depsOnce ??= buildDeps(this.env);
    return this.depsOnce;
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

  // ------------------------------------------------------------------ claims on the creator's time
  // Each is a domain use case, run here one at a time under the lock; the pickers hear of changes.

  /** A fan takes a free slot: checked and created here, held by its OfferRoom. */
  async bookSlot(input: BookSlotInput): Promise<BookSlotResult> {
    const r = await this.lock.run(() => bookSlot(this.deps(), input));
    await this.slotsChanged();
    return r;
  }

  /** Moves a confirmed booking to another free time (fan or creator, until 24 h before). */
  async reschedule(input: RescheduleInput): Promise<RescheduleResult> {
    const r = await this.lock.run(() => rescheduleBooking(this.deps(), input));
    if (r.ok) await this.slotsChanged();
    return r;
  }

  /** Publishes an offer for `actorUserId`, who must (still) be this calendar's creator. */
  async createOffer(input: PublishInput): Promise<PublishResult> {
    const r = await this.lock.run(() => publishOffer(this.deps(), input));
    if (r.ok) await this.slotsChanged();
    return r;
  }

  /** Edits an offer; a new time is checked against the creator's other offers first. */
  async updateOffer(input: ReviseInput) {
    return this.lock.run(() => reviseOffer(this.deps(), input));
  }

  /** Accepting a request: a private offer for that fan, held for them to pay. */
  async acceptRequest(input: AcceptInput): Promise<AcceptResult> {
    return this.lock.run(() => acceptRequest(this.deps(), input));
  }

  /** A fan withdraws their request: under the lock an acceptance holds (see withdrawRequest). */
  async cancelRequest(input: { requestId: string; fanId: string }): Promise<Awaited<ReturnType<typeof cancelRequest>>> {
    return this.lock.run(() => cancelRequest(this.deps(), input.fanId, input.requestId));
  }
}
