/**
 * The WebSocket side of a Durable Object that many clients watch (OfferRoom, CreatorCalendar; the
 * CallRoom uses its admission and idle parts): admission capped per client address (on this
 * object, and on all objects through the address's SocketQuota), the subscribers kept in memory
 * for broadcasts, and the sweep that closes idle sockets and those older than their lease.
 */
import { buildDeps, type Deps } from '../deps';
import type { Bindings } from '../env';
import { LIVE_SOCKETS, SOCKET_CLOSE } from '../shared/live-sockets';
import { addressKey } from './socket-quota';

/** Set by the Worker on the upgrade it forwards: the client's address (cf-connecting-ip). */
export const SOCKET_IP_HEADER = 'x-socket-ip';
/** Set by the object on a refused upgrade: the refusal code the Worker answers with. */
export const SOCKET_REFUSAL_HEADER = 'x-socket-refusal';

/** How often an object with open sockets sweeps them. */
export const SWEEP_MS = 2 * 60_000;
/** A socket lives this long at most, then reconnects: its lease on the quota can then expire on its own. */
export const MAX_AGE_MS = 2 * 3_600_000;
/** A lease outlives its socket's maximum age by a few sweeps (a late alarm must not free a live socket's place). */
const LEASE_MS = MAX_AGE_MS + 3 * SWEEP_MS;

/** What the hub keeps in each socket's attachment, beside the object's own fields. */
export interface SocketMeta {
  /** The client's address key (see addressKey). */
  ip: string;
  /** Its lease on the address's quota; null once given back (or when the quota could not be asked). */
  lease: string | null;
  /** Accepted at, and last heard from (a message; auto-answered pings are asked of the runtime), ms epoch. */
  at: number;
  seen: number;
}
type WithMeta = { sock?: SocketMeta } & Record<string, unknown>;

/** What an object lets tests do to its sockets, through runInDurableObject (never over RPC). */
export interface SocketTestHook {
  /** Every socket as if accepted, and last heard from, `ms` earlier (idle and maximum-age rules). */
  backdateSockets(ms: number): void;
}

export type Admission = { ok: true; server: WebSocket; response: Response } | { ok: false; response: Response };

const tagOf = (ip: string) => `ip:${ip}`;

export class SocketHub {
  /**
   * Subscribers, kept in memory: asking the runtime for all hibernatable sockets on every change
   * costs more than the sends (1,000 sockets: p99 170 → 107 ms). Rebuilt after a wake-up.
   */
  private sockets: Set<WebSocket> | null = null;
  /** Upgrades of each address between the count and the accept (the quota is asked in between). */
  private readonly pending = new Map<string, number>();
  /** When the next sweep is due (in memory: after a wake-up the next arming picks a new one). */
  private due: number | null = null;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Bindings,
  ) {}

  /** Built once per hub, on first need: the quota's stubs come from deps.rooms like every object's. */
  private depsOnce: Deps | null = null;

  private deps(): Deps {
    this.depsOnce ??= buildDeps(this.env);
    return this.depsOnce;
  }

  subscribers(): Set<WebSocket> {
    this.sockets ??= new Set(this.ctx.getWebSockets());
    return this.sockets;
  }

  broadcast(msg: string): void {
    for (const ws of this.subscribers()) {
      try {
        ws.send(msg);
      } catch {
        this.sockets?.delete(ws); // closed meanwhile
      }
    }
  }

  /**
   * Accepts an upgrade unless its address already holds LIVE_SOCKETS.perObject sockets here or
   * perAddress in all. `attachment` is the object's own (kept beside the hub's fields); `until`:
   * when the lease may lapse (default: the socket's maximum age and some). Refusals write nothing.
   */
  async admit(
    request: Request,
    attachment: Record<string, unknown>,
    opts: { until?: number; tags?: string[] } = {},
  ): Promise<Admission> {
    const ip = addressKey(request.headers.get(SOCKET_IP_HEADER));
    const here = this.ctx.getWebSockets(tagOf(ip)).length + (this.pending.get(ip) ?? 0);
    if (here >= LIVE_SOCKETS.perObject) return refused();
    this.pending.set(ip, (this.pending.get(ip) ?? 0) + 1);
    let lease: string | null = null;
    try {
      const got = await this.deps()
        .rooms.quota(ip)
        .acquire({ until: opts.until ?? Date.now() + LEASE_MS });
      if (!got) return refused();
      lease = got.lease;
    } catch (e) {
      // The quota could not be asked: the per-object cap still bounds this object; the socket goes ahead.
      await this.deps().log.system.warn(
        'SYSTEM_ERROR',
        `The socket quota of ${ip} could not be asked; socket accepted without a lease`,
        null,
        { error: e },
      );
    } finally {
      const n = (this.pending.get(ip) ?? 1) - 1;
      if (n > 0) this.pending.set(ip, n);
      else this.pending.delete(ip);
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [tagOf(ip), ...(opts.tags ?? [])]);
    const now = Date.now();
    server.serializeAttachment({ ...attachment, sock: { ip, lease, at: now, seen: now } satisfies SocketMeta });
    this.subscribers().add(server);
    return { ok: true, server, response: new Response(null, { status: 101, webSocket: client }) };
  }

  /** The client spoke (a message the object handles): it is not idle. Written at most every 30 s. */
  heard(ws: WebSocket): void {
    const a = attachmentOf(ws);
    if (!a?.sock) return;
    const now = Date.now();
    if (now - a.sock.seen < 30_000) return;
    try {
      ws.serializeAttachment({ ...a, sock: { ...a.sock, seen: now } });
    } catch {
      // closing
    }
  }

  /** The socket closed or failed (webSocketClose/Error): forget it and give its lease back. */
  async gone(ws: WebSocket): Promise<void> {
    this.sockets?.delete(ws);
    await this.release([ws]);
  }

  /** Closes a socket from the server side and gives its lease back. */
  async close(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      ws.close(code, reason);
    } catch {
      // already closed
    }
    await this.gone(ws);
  }

  /** Sockets silent for LIVE_SOCKETS.idleMs (and, with `maxAge`, older than MAX_AGE_MS), with the code to close them with. */
  stale(now = Date.now(), opts: { maxAge?: boolean } = {}): { ws: WebSocket; code: number; reason: string }[] {
    const out: { ws: WebSocket; code: number; reason: string }[] = [];
    for (const ws of this.ctx.getWebSockets()) {
      const m = attachmentOf(ws)?.sock;
      if (!m) continue;
      // Keep-alive pings are answered by the runtime without waking the object: it remembers the last one.
      let pinged = 0;
      try {
        pinged = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0;
      } catch {
        // closing
      }
      if (now - Math.max(m.seen, pinged) >= LIVE_SOCKETS.idleMs)
        out.push({ ws, code: SOCKET_CLOSE.idle, reason: 'idle' });
      else if (opts.maxAge !== false && now - m.at >= MAX_AGE_MS)
        out.push({ ws, code: SOCKET_CLOSE.tooOld, reason: 'reconnect' });
    }
    return out;
  }

  /** Closes idle and too old sockets; returns how many. */
  async sweep(now = Date.now()): Promise<number> {
    this.due = null;
    const stale = this.stale(now);
    for (const s of stale) {
      try {
        s.ws.close(s.code, s.reason);
      } catch {
        // already closed
      }
      this.sockets?.delete(s.ws);
    }
    await this.release(stale.map((s) => s.ws));
    return stale.length;
  }

  /** When this object must wake to sweep (null: no socket open). Stable until the sweep runs. */
  private sweepDue(): number | null {
    if (this.subscribers().size === 0) {
      this.due = null;
      return null;
    }
    this.due ??= Date.now() + SWEEP_MS;
    return this.due;
  }

  /** The alarm time last set (undefined: not known since this object started). */
  private armedAt: number | null | undefined = undefined;

  /**
   * Sets the object's one alarm to the earliest of `other` (its own deadline, machine time, or
   * null) and the next sweep; deletes it when there is neither. A sweep is never pushed later: a
   * fresh instance keeps an earlier alarm it finds (else connecting once a minute, each time to a
   * newly woken object, would postpone the sweep for ever).
   */
  async arm(other: number | null = null): Promise<void> {
    if (this.armedAt === undefined) {
      const existing = await this.ctx.storage.getAlarm();
      const due = this.sweepDue();
      if (existing !== null && due !== null && existing < due) this.due = existing;
      this.armedAt = existing;
    }
    const sweep = this.sweepDue();
    const at = other === null ? sweep : sweep === null ? other : Math.min(other, sweep);
    if (at === this.armedAt) return;
    if (at === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(at);
    this.armedAt = at;
  }

  /** Call first in alarm(): the alarm that fired is set no more. */
  fired(): void {
    this.armedAt = null;
  }

  /** Gives the sockets' leases back, one call per address. */
  private async release(sockets: WebSocket[]): Promise<void> {
    const byIp = new Map<string, string[]>();
    for (const ws of sockets) {
      const a = attachmentOf(ws);
      if (!a?.sock?.lease) continue;
      byIp.set(a.sock.ip, [...(byIp.get(a.sock.ip) ?? []), a.sock.lease]);
      try {
        ws.serializeAttachment({ ...a, sock: { ...a.sock, lease: null } });
      } catch {
        // a closed socket may refuse; its lease is still given back below
      }
    }
    await Promise.all(
      [...byIp].map(([ip, leases]) =>
        this.deps()
          .rooms.quota(ip)
          .release({ leases })
          .catch(() => undefined),
      ),
    );
  }
}

/** The hub's side of SocketTestHook: moves the times in every socket's attachment back by `ms`. */
export function backdateSockets(ctx: DurableObjectState, ms: number): void {
  for (const ws of ctx.getWebSockets()) {
    const a = attachmentOf(ws);
    if (!a?.sock) continue;
    ws.serializeAttachment({ ...a, sock: { ...a.sock, at: a.sock.at - ms, seen: a.sock.seen - ms } });
  }
}

function attachmentOf(ws: WebSocket): WithMeta | null {
  try {
    return ws.deserializeAttachment() as WithMeta | null;
  } catch {
    return null;
  }
}

function refused(): { ok: false; response: Response } {
  return {
    ok: false,
    response: new Response('Too many live connections from this address', {
      status: 429,
      headers: { [SOCKET_REFUSAL_HEADER]: 'TOO_MANY_SOCKETS' },
    }),
  };
}
