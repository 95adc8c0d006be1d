/**
 * connectLive's reconnect and fallback rules, with a fake WebSocket, a fake fetch and fake timers
 * (the `client` vitest project runs this in Node).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LIVE_SOCKETS } from '../../src/shared/live-sockets';
import { backoffMs, connectLive, jittered, LIVE_TIMING, type LiveMode } from './live';

class FakeSocket {
  static readonly OPEN = 1;
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  constructor(readonly url: URL) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.drop();
  }
  // What the server / network does:
  accept() {
    this.readyState = 1;
    this.onopen?.();
  }
  drop() {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.();
  }
  deliver(m: unknown) {
    this.onmessage?.({ data: JSON.stringify(m) });
  }
  /** The socket opened last: failing here says the client never opened one. */
  static last(): FakeSocket {
    const socket = FakeSocket.all.at(-1);
    if (!socket) throw new Error('No socket was opened');
    return socket;
  }
}

const fetchMock = vi.fn(
  async () =>
    new Response(JSON.stringify({ type: 'status', status: 'HELD' }), {
      headers: { 'content-type': 'application/json' },
    }),
);

function start(pollMs = 5000) {
  const modes: LiveMode[] = [];
  const messages: unknown[] = [];
  const stop = connectLive<unknown>({
    url: '/api/offers/off_x/live',
    pollMs,
    onMessage: (m) => messages.push(m),
    onMode: (m) => modes.push(m),
  });
  return { modes, messages, stop, mode: () => modes[modes.length - 1] };
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.all = [];
  fetchMock.mockClear();
  vi.stubGlobal('WebSocket', FakeSocket);
  vi.stubGlobal('location', { href: 'https://app.test/en/offers/off_x' });
  vi.stubGlobal('fetch', fetchMock);
  // Jitter at its midpoint: delays are ¾ of the backoff step.
  vi.spyOn(Math, 'random').mockReturnValue(0.5);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('connectLive', () => {
  it('opens the socket on the same origin (wss for https) and delivers its messages', () => {
    const live = start();
    expect(String(FakeSocket.last().url)).toBe('wss://app.test/api/offers/off_x/live');
    expect(live.mode()).toBe('connecting');
    FakeSocket.last().accept();
    expect(live.mode()).toBe('live');
    FakeSocket.last().deliver({ type: 'status', status: 'BOOKED' });
    expect(live.messages).toEqual([{ type: 'status', status: 'BOOKED' }]);
    live.stop();
  });

  it('counts a socket that opens then dies within a few seconds as a failure, and falls back to polling after three', async () => {
    const live = start();
    for (let i = 1; i <= LIVE_TIMING.maxFailures; i++) {
      expect(FakeSocket.all).toHaveLength(i);
      FakeSocket.last().accept();
      expect(live.mode()).toBe('live');
      await vi.advanceTimersByTimeAsync(LIVE_TIMING.stableMs - 1000); // not long enough to count as healthy
      FakeSocket.last().drop();
      if (i < LIVE_TIMING.maxFailures) {
        expect(live.mode()).toBe('connecting');
        expect(fetchMock).not.toHaveBeenCalled();
        // Backoff: ¾ of 1 s, then of 2 s (jitter at its midpoint); nothing sooner.
        await vi.advanceTimersByTimeAsync(jittered(backoffMs(i)) - 1);
        expect(FakeSocket.all).toHaveLength(i);
        await vi.advanceTimersByTimeAsync(1);
      }
    }
    expect(live.mode()).toBe('polling');
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(fetchMock.mock.calls[0]).toEqual([
      '/api/offers/off_x/live',
      { headers: { accept: 'application/json' }, cache: 'no-store' },
    ]);
    await vi.advanceTimersByTimeAsync(4999);
    expect(live.messages).toEqual([{ type: 'status', status: 'HELD' }]);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetchMock).toHaveBeenCalledTimes(2);
    live.stop();
  });

  it('resets the failure count once a socket has stayed up, so an occasional drop never means polling', async () => {
    const live = start();
    for (let i = 0; i < 6; i++) {
      FakeSocket.last().accept();
      await vi.advanceTimersByTimeAsync(LIVE_TIMING.stableMs + 1000);
      FakeSocket.last().drop();
      expect(live.mode()).toBe('connecting');
      // The first backoff step every time: 750 ms.
      await vi.advanceTimersByTimeAsync(750);
    }
    expect(FakeSocket.all).toHaveLength(7);
    expect(fetchMock).not.toHaveBeenCalled();
    live.stop();
  });

  it('backs off exponentially with jitter, capped', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(backoffMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(jittered(8000, () => 0)).toBe(4000);
    expect(jittered(8000, () => 0.999999)).toBe(8000);
  });

  it('keeps probing the socket while polling, and goes live again once a probe stays up', async () => {
    const live = start(5000);
    for (let i = 1; i <= LIVE_TIMING.maxFailures; i++) {
      FakeSocket.last().drop(); // refused before opening
      if (i < LIVE_TIMING.maxFailures) await vi.advanceTimersByTimeAsync(jittered(backoffMs(i)));
    }
    expect(live.mode()).toBe('polling');
    expect(FakeSocket.all).toHaveLength(LIVE_TIMING.maxFailures);
    // The next socket attempt comes after the probe interval, not the short backoff.
    await vi.advanceTimersByTimeAsync(jittered(LIVE_TIMING.probeMs) - 1);
    expect(FakeSocket.all).toHaveLength(LIVE_TIMING.maxFailures);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all).toHaveLength(LIVE_TIMING.maxFailures + 1);
    // A probe that opens and drops quickly leaves the page polling.
    FakeSocket.last().accept();
    expect(live.mode()).toBe('polling');
    FakeSocket.last().drop();
    expect(live.mode()).toBe('polling');
    await vi.advanceTimersByTimeAsync(jittered(LIVE_TIMING.probeMs));
    // One that stays up takes over: polling stops.
    FakeSocket.last().accept();
    await vi.advanceTimersByTimeAsync(LIVE_TIMING.stableMs);
    expect(live.mode()).toBe('live');
    const polls = fetchMock.mock.calls.length;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(fetchMock.mock.calls.length).toBe(polls);
    live.stop();
  });

  it("pings far more often than the server's idle limit, and replaces at once a socket the server closes (idle, too old)", async () => {
    const live = start();
    FakeSocket.last().accept();
    await vi.advanceTimersByTimeAsync(LIVE_SOCKETS.idleMs);
    // Even at a background tab's one timer a minute, several pings land inside the limit.
    expect(FakeSocket.last().sent.filter((m) => m === 'ping').length).toBeGreaterThanOrEqual(
      LIVE_SOCKETS.idleMs / LIVE_TIMING.pingMs - 1,
    );
    expect(Math.max(LIVE_TIMING.pingMs, 60_000) * 4).toBeLessThanOrEqual(LIVE_SOCKETS.idleMs);
    FakeSocket.last().drop(); // the server's close (4008 / 4009)
    expect(live.mode()).toBe('connecting');
    await vi.advanceTimersByTimeAsync(jittered(backoffMs(1)));
    expect(FakeSocket.all).toHaveLength(2);
    FakeSocket.last().accept();
    expect(live.mode()).toBe('live');
    expect(fetchMock).not.toHaveBeenCalled();
    live.stop();
  });

  it('stops everything when stopped', async () => {
    const live = start();
    FakeSocket.last().accept();
    live.stop();
    expect(FakeSocket.last().readyState).toBe(3);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(fetchMock).not.toHaveBeenCalled();
  });
});
