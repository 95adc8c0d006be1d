/**
 * A resilient live feed: a WebSocket, reconnected with exponential backoff and jitter; after
 * repeated failures it falls back to polling the same URL (which answers plain GETs with the
 * current state as JSON) and keeps probing the socket now and then, switching back once a socket
 * has stayed up.
 *
 * A failure is a socket that never opened or died within `stableMs` of opening: a proxy or network
 * that accepts the upgrade and then drops the connection must not keep the page reconnecting
 * forever without ever polling (counting only "never opened" did exactly that).
 */
import { LIVE_SOCKETS } from '../../src/shared/live-sockets';

export interface LiveOptions<M> {
  url: string;
  onMessage(message: M): void;
  onMode?(mode: LiveMode): void;
  pollMs?: number;
}

export type LiveMode = 'live' | 'polling' | 'connecting';

/** Tunables (read at each decision, so tests can shorten them). */
export const LIVE_TIMING = {
  /** A socket open this long counts as healthy: the failure count starts again from zero. */
  stableMs: 5_000,
  /** Consecutive failures before falling back to polling. */
  maxFailures: 3,
  /** Reconnect delay after the n-th failure: base × 2^(n−1), capped, then jittered into [½, 1] of it. */
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  /** While polling, try a socket again about this often (jittered the same way). */
  probeMs: 60_000,
  /** Keep-alive ping on an open socket (the server closes one silent for LIVE_SOCKETS.idleMs). */
  pingMs: LIVE_SOCKETS.pingMs as number,
};

/** "Equal jitter": half the delay fixed, half random, so many pages never reconnect in step. */
export function jittered(ms: number, random: () => number = Math.random): number {
  return Math.round(ms / 2 + random() * (ms / 2));
}

/** The reconnect delay after `failures` consecutive failures (before jitter). */
export function backoffMs(failures: number): number {
  const { baseDelayMs, maxDelayMs } = LIVE_TIMING;
  return Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, Math.min(failures - 1, 16)));
}

export function connectLive<M>(opts: LiveOptions<M>): () => void {
  let ws: WebSocket | null = null;
  let failures = 0;
  let stopped = false;
  let mode: LiveMode | null = null;
  let reconnect: ReturnType<typeof setTimeout> | undefined;
  let stable: ReturnType<typeof setTimeout> | undefined;
  let pollTimer: ReturnType<typeof setInterval> | undefined;
  let ping: ReturnType<typeof setInterval> | undefined;

  const setMode = (next: LiveMode) => {
    if (next === mode) return;
    mode = next;
    opts.onMode?.(next);
  };

  const poll = async () => {
    try {
      const res = await fetch(opts.url, { headers: { accept: 'application/json' }, cache: 'no-store' });
      if (res.ok && !stopped) opts.onMessage((await res.json()) as M);
    } catch {
      // offline for a moment; the next tick retries
    }
  };

  const startPolling = () => {
    if (pollTimer) return;
    setMode('polling');
    void poll();
    pollTimer = setInterval(poll, opts.pollMs ?? 5000);
  };

  const stopPolling = () => {
    clearInterval(pollTimer);
    pollTimer = undefined;
  };

  const open = () => {
    if (stopped) return;
    // While polling, a probe socket does not change what the page shows until it proves stable.
    if (!pollTimer) setMode('connecting');
    const wsUrl = new URL(opts.url, location.href);
    wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(wsUrl);
    ws = socket;
    let healthy = false;
    socket.onopen = () => {
      if (!pollTimer) setMode('live');
      ping = setInterval(() => socket.readyState === WebSocket.OPEN && socket.send('ping'), LIVE_TIMING.pingMs);
      stable = setTimeout(() => {
        healthy = true;
        failures = 0;
        if (pollTimer) {
          stopPolling();
          setMode('live');
        }
      }, LIVE_TIMING.stableMs);
    };
    socket.onmessage = (e) => {
      if (e.data === 'pong') return;
      try {
        opts.onMessage(JSON.parse(String(e.data)) as M);
      } catch {
        // ignore malformed frames
      }
    };
    socket.onclose = () => {
      clearInterval(ping);
      clearTimeout(stable);
      if (stopped || ws !== socket) return;
      ws = null;
      // A healthy socket that drops reconnects at once-ish (first step); anything shorter-lived is a failure.
      failures = healthy ? 1 : failures + 1;
      if (failures >= LIVE_TIMING.maxFailures) startPolling();
      else if (!pollTimer) setMode('connecting');
      const wait = pollTimer ? LIVE_TIMING.probeMs : backoffMs(failures);
      reconnect = setTimeout(open, jittered(wait));
    };
  };

  open();
  return () => {
    stopped = true;
    clearTimeout(reconnect);
    clearTimeout(stable);
    clearInterval(pollTimer);
    clearInterval(ping);
    ws?.close();
  };
}
