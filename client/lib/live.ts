/**
 * A resilient live feed: WebSocket with exponential backoff; after repeated failures it falls
 * back to polling the same URL (which answers plain GETs with the current state as JSON).
 */
export interface LiveOptions<M> {
  url: string;
  onMessage(message: M): void;
  onMode?(mode: 'live' | 'polling' | 'connecting'): void;
  pollMs?: number;
}

export function connectLive<M>(opts: LiveOptions<M>): () => void {
  let ws: WebSocket | null = null;
  let failures = 0;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pollTimer: ReturnType<typeof setInterval> | undefined;
  let ping: ReturnType<typeof setInterval> | undefined;

  const poll = async () => {
    try {
      const res = await fetch(opts.url, { headers: { accept: 'application/json' }, cache: 'no-store' });
      if (res.ok) opts.onMessage((await res.json()) as M);
    } catch {
      // offline for a moment; the next tick retries
    }
  };

  const startPolling = () => {
    if (pollTimer) return;
    opts.onMode?.('polling');
    void poll();
    pollTimer = setInterval(poll, opts.pollMs ?? 5000);
  };

  const open = () => {
    if (stopped) return;
    opts.onMode?.('connecting');
    const wsUrl = new URL(opts.url, location.href);
    wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';
    ws = new WebSocket(wsUrl);
    ws.onopen = () => {
      failures = 0;
      if (pollTimer) { clearInterval(pollTimer); pollTimer = undefined; }
      opts.onMode?.('live');
      ping = setInterval(() => ws?.readyState === WebSocket.OPEN && ws.send('ping'), 25_000);
    };
    ws.onmessage = (e) => {
      if (e.data === 'pong') return;
      try {
        opts.onMessage(JSON.parse(String(e.data)) as M);
      } catch {
        // ignore malformed frames
      }
    };
    ws.onclose = () => {
      clearInterval(ping);
      if (stopped) return;
      failures++;
      if (failures >= 3) startPolling();
      const delay = Math.min(30_000, 1000 * 2 ** Math.min(failures, 5)) * (0.75 + Math.random() / 2);
      timer = setTimeout(open, delay);
    };
  };

  open();
  return () => {
    stopped = true;
    clearTimeout(timer);
    clearInterval(pollTimer);
    clearInterval(ping);
    ws?.close();
  };
}
