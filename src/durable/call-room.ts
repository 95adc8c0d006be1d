/**
 * CallRoom — one Durable Object per booking, for the built-in peer-to-peer call: admits the
 * booking's two participants (signed, time-boxed join tokens), relays their WebRTC signalling
 * (offer / answer / ICE candidates) over hibernating WebSockets, tells each about the other's
 * presence, records joins and leaves as call events, ends the call for everyone at its booked end
 * (alarm), and closes for good when the room is deleted.
 */
import { DurableObject } from 'cloudflare:workers';
import { buildDeps, type Deps } from '../deps';
import { recordCallEvent } from '../domain/calls/events';
import type { Bindings } from '../env';
import { wallTime } from '../lib/dev-clock';
import { signalToRelay } from '../domain/calls/relay';
import { checkJoin, seatFor, type CallRole } from '../domain/calls/room-seat';
import { verifyCallToken } from '../providers/video/p2p';
import type { CallSignal } from '../shared/calls';
import { SOCKET_CLOSE } from '../shared/live-sockets';
import { backdateSockets, SocketHub, type SocketTestHook } from './socket-hub';

interface Attachment {
  userId: string;
  userName: string;
  role: CallRole;
  /** This connection's own id: its join and its leave are recorded once each under it (older sockets have none). */
  sessionId?: string;
  /** Set when the server ended this connection (its leave is already recorded, or it was replaced). */
  gone?: boolean;
}
const CLOSED_KEY = 'closed';
/** A call socket's lease on its address's quota lasts until the booked end and this much more (the end alarm closes it before). */
const LEASE_AFTER_END_MS = 10 * 60_000;

export class CallRoom extends DurableObject<Bindings> {
  /** Admission per client address and the idle rule (see socket-hub.ts); presence stays here. */
  private readonly hub: SocketHub;

  /** For tests, through runInDurableObject: an instance field, which RPC does not expose. */
  readonly testHook: SocketTestHook = { backdateSockets: (ms) => backdateSockets(this.ctx, ms) };

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
    this.hub = new SocketHub(ctx, env);
  }

  /** Built once per object: its parts are stateless (the clock reads the time, and the dev offset, on every call). */
  private depsOnce: Deps | null = null;

  private deps(): Deps {
    this.depsOnce ??= buildDeps(this.env);
    return this.depsOnce;
  }

  private peers(): { ws: WebSocket; who: Attachment }[] {
    return this.ctx
      .getWebSockets()
      .map((ws) => ({ ws, who: ws.deserializeAttachment() as Attachment }))
      .filter((p) => p.who && !p.who.gone);
  }

  /** Ends one connection from the server side and records its departure (a replaced one too: presence is per connection). */
  private async end(p: { ws: WebSocket; who: Attachment }, code: number, reason: string): Promise<void> {
    p.ws.serializeAttachment({ ...p.who, gone: true } satisfies Attachment);
    await this.hub.close(p.ws, code, reason);
    await this.recordLeft(p.who, code);
  }

  /** A participant silent for the idle limit (no signal, no keep-alive ping) has gone: they leave. */
  private async endIdle(): Promise<void> {
    const idle = new Set(this.hub.stale(Date.now(), { maxAge: false }).map((s) => s.ws));
    for (const p of this.peers()) {
      if (!idle.has(p.ws)) continue;
      for (const o of this.peers())
        if (o.ws !== p.ws) this.send(o.ws, { type: 'peer-left', peer: { name: p.who.userName, role: p.who.role } });
      await this.end(p, SOCKET_CLOSE.idle, 'idle');
    }
  }

  private async recordLeft(who: Attachment, code: number): Promise<void> {
    const bookingId = this.ctx.id.name ?? '';
    if (!bookingId) return;
    await recordCallEvent(this.deps(), {
      bookingId,
      type: 'PARTICIPANT_LEFT',
      source: 'SERVER',
      actorUserId: who.userId,
      actorRole: who.role,
      dedupeKey: who.sessionId ? `p2p:${who.sessionId}:left` : null,
      metadata: { provider: 'p2p', code, ...(who.sessionId ? { sessionId: who.sessionId } : {}) },
    });
  }

  private send(ws: WebSocket, msg: CallSignal): void {
    try {
      ws.send(JSON.stringify(msg));
    } catch {
      // closing: cleaned up by webSocketClose
    }
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket')
      return new Response('Expected a WebSocket upgrade', { status: 426 });
    const url = new URL(request.url);
    const bookingId = url.searchParams.get('bookingId') ?? '';
    const deps = this.deps();
    if (await this.ctx.storage.get<boolean>(CLOSED_KEY))
      return new Response('This call room is closed', { status: 410 });
    const verified = await verifyCallToken(
      deps.config.sessionSecret,
      url.searchParams.get('token') ?? '',
      bookingId,
      Math.floor(deps.clock.now().getTime() / 1000),
    );
    const join = checkJoin(verified, url.searchParams.get('user'), deps.clock.now().getTime());
    if (!join.ok) return new Response(join.message, { status: join.status });
    const claims = join.joiner;
    await this.endIdle();
    const seat = seatFor(this.peers(), claims);
    for (const p of seat.replace) await this.end(p, 4000, 'replaced');
    if (!seat.ok) return new Response(seat.message, { status: seat.status });

    // Alarms fire on the machine clock: the booked end is an instant of the app's clock (the same outside development).
    const endAt = wallTime(deps.config, claims.end * 1000);
    const sessionId = crypto.randomUUID();
    const admitted = await this.hub.admit(
      request,
      { userId: claims.userId, userName: claims.userName, role: claims.role, sessionId } satisfies Attachment,
      { until: endAt + LEASE_AFTER_END_MS, tags: [claims.role] },
    );
    if (!admitted.ok) return admitted.response;
    const server = admitted.server;
    const other = seat.other;
    // The second to arrive starts the WebRTC negotiation (they are the "polite" offerer).
    this.send(server, {
      type: 'welcome',
      role: claims.role,
      peer: other ? { name: other.who.userName, role: other.who.role } : null,
      initiator: !!other,
    });
    if (other) this.send(other.ws, { type: 'peer-joined', peer: { name: claims.userName, role: claims.role } });
    // The booked end ends the call on the server too, whatever the pages do.
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm !== endAt) await this.ctx.storage.setAlarm(endAt);
    await recordCallEvent(deps, {
      bookingId,
      type: 'PARTICIPANT_JOINED',
      source: 'SERVER',
      actorUserId: claims.userId,
      actorRole: claims.role,
      dedupeKey: `p2p:${sessionId}:joined`,
      metadata: { provider: 'p2p', sessionId },
    });
    return admitted.response;
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    this.hub.heard(ws);
    await this.endIdle();
    const msg = signalToRelay(message);
    if (!msg) return;
    for (const p of this.peers()) if (p.ws !== ws) this.send(p.ws, msg);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    const who = ws.deserializeAttachment() as Attachment | null;
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, 'bye');
    } catch {
      // already closed
    }
    await this.hub.gone(ws);
    // Ended by the server: its leave is recorded there.
    if (!who || who.gone) return;
    try {
      ws.serializeAttachment({ ...who, gone: true } satisfies Attachment);
    } catch {
      // closed sockets may refuse; getWebSockets() no longer lists them anyway
    }
    for (const p of this.peers())
      if (p.ws !== ws) this.send(p.ws, { type: 'peer-left', peer: { name: who.userName, role: who.role } });
    await this.recordLeft(who, code);
  }

  /** A participant's socket failed (not a close): logged as the room's error, then handled as a close. */
  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    const who = ws.deserializeAttachment() as Attachment | null;
    const bookingId = this.ctx.id.name ?? '';
    if (bookingId && who && !who.gone)
      await this.deps().log.call.error(
        'CALL_ERROR',
        `Call ${bookingId}: the socket of the ${who.role} failed`,
        { bookingId, event: 'SOCKET_ERROR', source: 'SERVER', role: who.role, userId: who.userId },
        { actorId: who.userId, error },
      );
    await this.webSocketClose(ws, 1006);
  }

  /** The booked end of the call: everyone is told and disconnected (they may not come back: tokens say when it ends). */
  override async alarm(): Promise<void> {
    for (const p of this.peers()) {
      this.send(p.ws, { type: 'time-up' });
      await this.end(p, 4002, 'time is up');
    }
  }

  /** The room is deleted (call over, or booking cancelled): everyone out, nobody back in. */
  async close(): Promise<{ closed: number }> {
    await this.ctx.storage.put(CLOSED_KEY, true);
    const peers = this.peers();
    for (const p of peers) {
      this.send(p.ws, { type: 'closed' });
      await this.end(p, 4001, 'room closed');
    }
    return { closed: peers.length };
  }

  /** Who is connected now (join endpoint, summary). */
  async presence(): Promise<{ role: string; userId: string }[]> {
    return this.peers().map((p) => ({ role: p.who.role, userId: p.who.userId }));
  }
}
