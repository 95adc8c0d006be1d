/**
 * The call page's Daily connection (with a fake daily-js call object: daily-js itself needs Daily's
 * CDN) and the CALL_STARTED rule (the `client` vitest project runs this in Node).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JoinResponseT } from '../../src/shared/calls';
import { LIVE_SOCKETS, SOCKET_CLOSE } from '../../src/shared/live-sockets';
import { CallStartLog, connectDaily, connectP2P, dailyCallOptions, type ConnectionHandlers } from './call-connection';

const track = (kind: string) => ({ kind, id: `${kind}-1` }) as unknown as MediaStreamTrack;
const stream = (tracks: MediaStreamTrack[]) =>
  ({
    getVideoTracks: () => tracks.filter((t) => t.kind === 'video'),
    getAudioTracks: () => tracks.filter((t) => t.kind === 'audio'),
  }) as unknown as MediaStream;

describe('dailyCallOptions', () => {
  it('always sets dailyConfig.avoidEval (the CSP has no unsafe-eval) and hands over our own tracks', () => {
    const cam = track('video');
    const mic = track('audio');
    expect(dailyCallOptions(stream([cam, mic]))).toEqual({
      videoSource: cam,
      audioSource: mic,
      dailyConfig: { avoidEval: true },
    });
    expect(dailyCallOptions(null)).toEqual({
      videoSource: false,
      audioSource: false,
      dailyConfig: { avoidEval: true },
    });
    expect(dailyCallOptions(stream([mic]))).toEqual({
      videoSource: false,
      audioSource: mic,
      dailyConfig: { avoidEval: true },
    });
  });
});

/** Just enough of daily-js's call object: options recorded, events emitted by the test. */
class FakeCall {
  static last: FakeCall;
  listeners = new Map<string, ((e: unknown) => void)[]>();
  joined: unknown = null;
  constructor(readonly options: unknown) {
    FakeCall.last = this;
  }
  on(name: string, fn: (e: unknown) => void) {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
    return this;
  }
  emit(name: string, e: unknown) {
    for (const fn of this.listeners.get(name) ?? []) fn(e);
  }
  async join(p: unknown) {
    this.joined = p;
    return {};
  }
  participants() {
    return {};
  }
  setLocalVideo() {
    return this;
  }
  setLocalAudio() {
    return this;
  }
  async leave() {}
  async destroy() {}
}

const remote = (video: string, audio: string) => ({
  local: false,
  tracks: {
    video: { state: video, persistentTrack: track('video') },
    audio: { state: audio, persistentTrack: track('audio') },
  },
});

describe('connectDaily with a fake daily-js', () => {
  const join = {
    provider: 'daily',
    roomUrl: 'https://callastar.daily.co/cas-bkg-1',
    token: 'jwt-token',
  } as JoinResponseT;
  let logged: Record<string, string | number>[];
  let handlers: ConnectionHandlers;

  beforeEach(() => {
    // daily-js hands tracks; the page wraps them in a MediaStream (a browser class).
    vi.stubGlobal(
      'MediaStream',
      class {
        constructor(readonly tracks: MediaStreamTrack[]) {}
      },
    );
    logged = [];
    const starts = new CallStartLog('daily');
    // Wired like the call page does it.
    handlers = {
      onRemoteStream: () => undefined,
      onPeer: (s) => {
        if (s === 'left') starts.interruption();
      },
      onPeerMedia: () => undefined,
      onConnected: () => {
        const m = starts.connected();
        if (m) logged.push(m);
      },
      onInterrupted: () => starts.interruption(),
      onReconnecting: () => undefined,
      onEnded: () => undefined,
      onError: () => undefined,
      debug: () => undefined,
    };
  });
  afterEach(() => vi.unstubAllGlobals());

  const connect = () =>
    connectDaily(join, stream([track('video'), track('audio')]), handlers, async () => ({
      default: { createCallObject: (o) => new FakeCall(o) as never },
    }));

  it('creates the call object with avoidEval and joins the room with the token', async () => {
    await connect();
    expect(FakeCall.last.options).toMatchObject({ dailyConfig: { avoidEval: true } });
    expect(FakeCall.last.joined).toEqual({ url: join.roomUrl, token: join.token });
  });

  it('logs CALL_STARTED once for all the tracks and toggles of one connection, and each real reconnection as its own, numbered', async () => {
    await connect();
    const call = FakeCall.last;
    const started = (video: string, audio: string) => call.emit('track-started', { participant: remote(video, audio) });
    started('playable', 'loading'); // video track
    started('playable', 'playable'); // audio track
    started('off', 'playable'); // the other side turns the camera off…
    started('playable', 'playable'); // …and on again
    expect(logged).toEqual([{ provider: 'daily' }]);

    call.emit('network-connection', { event: 'interrupted' });
    call.emit('network-connection', { event: 'connected' });
    started('playable', 'playable');
    started('playable', 'playable');
    call.emit('participant-left', { participant: { local: false } });
    call.emit('participant-joined', { participant: remote('playable', 'playable') });
    started('playable', 'playable');
    expect(logged).toEqual([
      { provider: 'daily' },
      { provider: 'daily', reconnection: 1 },
      { provider: 'daily', reconnection: 2 },
    ]);
  });
});

describe('CallStartLog', () => {
  it('ignores interruptions before the call started, and repeated media events without one', () => {
    const log = new CallStartLog('p2p');
    log.interruption();
    expect(log.connected()).toEqual({ provider: 'p2p' });
    expect(log.connected()).toBeNull();
    log.interruption();
    log.interruption();
    expect(log.connected()).toEqual({ provider: 'p2p', reconnection: 1 });
    expect(log.connected()).toBeNull();
  });
});

describe('connectP2P signalling socket', () => {
  class FakeSocket {
    static readonly OPEN = 1;
    static all: FakeSocket[] = [];
    readyState = 0;
    sent: string[] = [];
    onopen: (() => void) | null = null;
    onclose: ((e: { code: number }) => void) | null = null;
    onmessage: ((e: { data: unknown }) => void) | null = null;
    constructor(readonly url: URL) {
      FakeSocket.all.push(this);
    }
    send(data: string) {
      this.sent.push(data);
    }
    close() {
      this.readyState = 3;
    }
    accept() {
      this.readyState = 1;
      this.onopen?.();
    }
    drop(code: number) {
      this.readyState = 3;
      this.onclose?.({ code });
    }
    /** The socket opened first: failing here says the client never opened one. */
    static first(): FakeSocket {
      const [socket] = FakeSocket.all;
      if (!socket) throw new Error('No socket was opened');
      return socket;
    }
  }
  const join = {
    provider: 'p2p',
    roomUrl: null,
    token: 'signed-token',
    socketUrl: '/api/bookings/bkg_1/call-socket',
    iceServers: [],
  } as unknown as JoinResponseT;
  const quiet: ConnectionHandlers = {
    onRemoteStream: () => undefined,
    onPeer: () => undefined,
    onPeerMedia: () => undefined,
    onConnected: () => undefined,
    onInterrupted: () => undefined,
    onReconnecting: () => undefined,
    onEnded: () => undefined,
    onError: () => undefined,
    debug: () => undefined,
  };

  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.all = [];
    vi.stubGlobal('WebSocket', FakeSocket);
    vi.stubGlobal('location', { href: 'https://app.test/en/call/bkg_1', protocol: 'https:' });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('pings while the call goes on (the room closes a silent socket as idle), and comes back after such a close', async () => {
    const conn = connectP2P(join, null, quiet, () => false);
    const first = FakeSocket.first();
    first.accept();
    await vi.advanceTimersByTimeAsync(LIVE_SOCKETS.idleMs);
    expect(first.sent.filter((m) => m === 'ping').length).toBeGreaterThanOrEqual(
      LIVE_SOCKETS.idleMs / LIVE_SOCKETS.pingMs - 1,
    );
    first.drop(SOCKET_CLOSE.idle);
    await vi.advanceTimersByTimeAsync(8000);
    expect(FakeSocket.all).toHaveLength(2);
    // The closed socket pings no more.
    const before = first.sent.length;
    await vi.advanceTimersByTimeAsync(LIVE_SOCKETS.pingMs * 2);
    expect(first.sent.length).toBe(before);
    conn.close();
  });
});
