/**
 * The two ways a call page connects, behind one small interface:
 * - p2p: WebRTC between the two browsers, signalled through the booking's CallRoom WebSocket
 *   (the second to arrive makes the offer; a peer that leaves and returns renegotiates from scratch);
 * - daily: daily-js call object (loaded only then), with our own UI around its tracks.
 */
import type { DailyCall, DailyFactoryOptions } from '@daily-co/daily-js';
import type { CallSignal, JoinResponseT } from '../../src/shared/calls';
import { LIVE_SOCKETS } from '../../src/shared/live-sockets';

export type EndReason = 'hangup' | 'time-up' | 'closed' | 'replaced' | 'error';

export interface ConnectionHandlers {
  onRemoteStream(stream: MediaStream | null): void;
  onPeer(state: 'absent' | 'present' | 'left'): void;
  onPeerMedia(media: { camera: boolean; mic: boolean }): void;
  /** Media flows between the two (first time and after each renegotiation; may repeat: see CallStartLog). */
  onConnected(): void;
  /** Media stopped flowing (the connection to the other side failed or dropped). */
  onInterrupted(): void;
  onReconnecting(on: boolean): void;
  onEnded(reason: EndReason): void;
  onError(message: string): void;
  debug(text: string): void;
}

export interface CallConnection {
  setMedia(media: { camera: boolean; mic: boolean }): void;
  /** Leave (tells the other side); the page then shows the end. */
  hangup(): void;
  /** Releases everything without a word (time up, page leaving). */
  close(): void;
}

export function connectP2P(
  join: JoinResponseT,
  local: MediaStream | null,
  h: ConnectionHandlers,
  isOver: () => boolean,
): CallConnection {
  let ws: WebSocket | null = null;
  let pc: RTCPeerConnection | null = null;
  let pending: RTCIceCandidateInit[] = [];
  let closed = false;
  let attempts = 0;
  let media = { camera: true, mic: true };

  const send = (m: CallSignal) => {
    if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(m));
  };

  function newPeer(initiator: boolean): RTCPeerConnection {
    pc?.close();
    pending = [];
    const peer = new RTCPeerConnection({ iceServers: join.iceServers });
    for (const track of local?.getTracks() ?? []) peer.addTrack(track, local!);
    // Without a camera or a microphone, still receive the other side's.
    if (initiator) {
      if (!local?.getVideoTracks().length) peer.addTransceiver('video', { direction: 'recvonly' });
      if (!local?.getAudioTracks().length) peer.addTransceiver('audio', { direction: 'recvonly' });
    }
    peer.onicecandidate = (e) => {
      if (e.candidate) send({ type: 'candidate', candidate: e.candidate.toJSON() });
    };
    peer.ontrack = (e) => h.onRemoteStream(e.streams[0] ?? new MediaStream([e.track]));
    peer.onconnectionstatechange = () => {
      h.debug(`webrtc ${peer.connectionState}`);
      if (pc !== peer) return; // a replaced connection closing
      if (peer.connectionState === 'connected') h.onConnected();
      if (peer.connectionState === 'disconnected' || peer.connectionState === 'failed') h.onInterrupted();
      // A connection that failed (network change): the offerer starts a fresh one, the other side follows.
      if (peer.connectionState === 'failed' && initiator && pc === peer) {
        newPeer(true);
        void offer();
      }
    };
    pc = peer;
    return peer;
  }

  async function offer() {
    if (!pc) return;
    const o = await pc.createOffer();
    await pc.setLocalDescription(o);
    send({ type: 'offer', sdp: o.sdp ?? '' });
  }

  async function flush() {
    const list = pending;
    pending = [];
    for (const c of list) await pc?.addIceCandidate(c).catch((e) => h.debug(`candidate refused: ${e}`));
  }

  async function handle(msg: CallSignal) {
    h.debug(`← ${msg.type}`);
    switch (msg.type) {
      case 'welcome':
        h.onPeer(msg.peer ? 'present' : 'absent');
        newPeer(msg.initiator);
        if (msg.initiator) await offer();
        send({ type: 'media', ...media });
        break;
      case 'peer-joined':
        h.onPeer('present');
        newPeer(false); // the newcomer makes the offer
        send({ type: 'media', ...media });
        break;
      case 'peer-left':
        h.onPeer('left');
        h.onRemoteStream(null);
        newPeer(false);
        break;
      case 'offer': {
        const peer = pc && pc.signalingState === 'stable' && !pc.remoteDescription ? pc : newPeer(false);
        await peer.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
        await flush();
        const answer = await peer.createAnswer();
        await peer.setLocalDescription(answer);
        send({ type: 'answer', sdp: answer.sdp ?? '' });
        break;
      }
      case 'answer':
        await pc?.setRemoteDescription({ type: 'answer', sdp: msg.sdp });
        await flush();
        break;
      case 'candidate':
        if (pc?.remoteDescription)
          await pc
            .addIceCandidate(msg.candidate as RTCIceCandidateInit)
            .catch((e) => h.debug(`candidate refused: ${e}`));
        else pending.push(msg.candidate as RTCIceCandidateInit);
        break;
      case 'media':
        h.onPeerMedia({ camera: msg.camera, mic: msg.mic });
        break;
      case 'hangup':
        h.onPeer('left');
        break;
      case 'time-up':
        finish('time-up');
        break;
      case 'closed':
        finish('closed');
        break;
    }
  }

  function finish(reason: EndReason) {
    if (closed) return;
    closed = true;
    try {
      ws?.close(1000, reason);
    } catch {
      /* closing */
    }
    pc?.close();
    pc = null;
    h.onEnded(reason);
  }

  function open() {
    const url = new URL(join.socketUrl ?? '', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('token', join.token);
    const socket = new WebSocket(url);
    ws = socket;
    // Once the media flows the socket carries nothing: keep-alive pings (answered by the server
    // without waking the room) tell it this participant is still here, or it closes the socket as idle.
    let ping: ReturnType<typeof setInterval> | undefined;
    socket.onopen = () => {
      attempts = 0;
      h.onReconnecting(false);
      h.debug('socket open');
      ping = setInterval(() => {
        if (socket.readyState === WebSocket.OPEN) socket.send('ping');
      }, LIVE_SOCKETS.pingMs);
    };
    socket.onmessage = (e) => {
      try {
        void handle(JSON.parse(String(e.data)) as CallSignal).catch((err) => h.debug(`signal error: ${err}`));
      } catch {
        // not JSON: ignore
      }
    };
    socket.onclose = (e) => {
      clearInterval(ping);
      if (ws !== socket || closed) return;
      h.debug(`socket closed ${e.code}`);
      if (e.code === 4002) return finish('time-up');
      if (e.code === 4001 || e.code === 1008) return finish('closed');
      if (e.code === 4000) return finish('replaced');
      if (isOver()) return finish('time-up');
      // Network hiccup: come back (the token stays valid until the window closes).
      h.onReconnecting(true);
      attempts++;
      setTimeout(
        () => {
          if (!closed) open();
        },
        Math.min(8000, 500 * 2 ** Math.min(attempts, 4)),
      );
    };
  }

  open();
  return {
    setMedia(m) {
      media = m;
      send({ type: 'media', ...m });
    },
    hangup() {
      send({ type: 'hangup' });
      finish('hangup');
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        ws?.close(1000, 'bye');
      } catch {
        /* closing */
      }
      pc?.close();
    },
  };
}

/**
 * The daily-js call object's options: our own (already opened) camera and microphone tracks, and
 * `avoidEval` — daily-js then loads its call bundle with a <script> tag from Daily's CDN instead of
 * running it through Function(), which the page's CSP (no 'unsafe-eval') would refuse.
 */
export function dailyCallOptions(
  local: Pick<MediaStream, 'getVideoTracks' | 'getAudioTracks'> | null,
): DailyFactoryOptions {
  return {
    videoSource: local?.getVideoTracks()[0] ?? false,
    audioSource: local?.getAudioTracks()[0] ?? false,
    dailyConfig: { avoidEval: true },
  };
}

type DailyModule = { default: { createCallObject(options: DailyFactoryOptions): DailyCall } };

/** Daily (when the platform has a Daily key): daily-js call object, tracks shown in our own UI. */
export async function connectDaily(
  join: JoinResponseT,
  local: MediaStream | null,
  h: ConnectionHandlers,
  load: () => Promise<DailyModule> = () => import('@daily-co/daily-js'),
): Promise<CallConnection> {
  const { default: Daily } = await load();
  const call = Daily.createCallObject(dailyCallOptions(local));
  let ended = false;
  const remote = (p: {
    local: boolean;
    tracks: {
      video: { persistentTrack?: MediaStreamTrack; state: string };
      audio: { persistentTrack?: MediaStreamTrack; state: string };
    };
  }) => {
    if (p.local) return;
    const tracks = [p.tracks.video.persistentTrack, p.tracks.audio.persistentTrack].filter(
      (x): x is MediaStreamTrack => !!x,
    );
    h.onRemoteStream(tracks.length ? new MediaStream(tracks) : null);
    h.onPeerMedia({ camera: p.tracks.video.state === 'playable', mic: p.tracks.audio.state === 'playable' });
  };
  call.on('participant-joined', (e) => {
    if (e && !e.participant.local) {
      h.onPeer('present');
      remote(e.participant);
    }
  });
  call.on('participant-updated', (e) => {
    if (e) remote(e.participant);
  });
  call.on('track-started', (e) => {
    if (e?.participant && !e.participant.local) {
      remote(e.participant);
      h.onConnected();
    }
  });
  call.on('participant-left', (e) => {
    if (e && !e.participant.local) {
      h.onPeer('left');
      h.onRemoteStream(null);
      h.onInterrupted();
    }
  });
  call.on('left-meeting', () => {
    if (!ended) {
      ended = true;
      h.onEnded('closed');
    }
  });
  call.on('error', (e) => h.onError(e?.errorMsg ?? 'Daily error'));
  call.on('network-connection', (e) => {
    const lost = e?.event === 'interrupted';
    h.onReconnecting(lost);
    if (lost) h.onInterrupted();
  });
  await call.join({ url: join.roomUrl ?? '', token: join.token });
  const others = Object.values(call.participants()).filter((p) => !p.local);
  h.onPeer(others.length ? 'present' : 'absent');
  for (const p of others) remote(p);
  const leave = () => {
    void call.leave().finally(() => call.destroy());
  };
  return {
    setMedia(m) {
      call.setLocalVideo(m.camera);
      call.setLocalAudio(m.mic);
    },
    hangup() {
      if (ended) return;
      ended = true;
      leave();
      h.onEnded('hangup');
    },
    close() {
      if (ended) return;
      ended = true;
      leave();
    },
  };
}

/**
 * When a page logs CALL_STARTED: once per connection, the first time media flows — not on every
 * track that starts (Daily fires `track-started` per track and after each camera/mic toggle) nor on
 * every WebRTC renegotiation. Media flowing again after an interruption (network loss, the other
 * side leaving and coming back) is logged as its own CALL_STARTED, numbered in its metadata
 * (`reconnection: 1, 2…`), so the timeline shows one start and each real reconnection.
 */
export class CallStartLog {
  private started = false;
  private interrupted = false;
  private reconnections = 0;

  constructor(private readonly provider: string) {}

  /** Media flows: the metadata of the CALL_STARTED to log, or null when there is nothing new. */
  connected(): Record<string, string | number> | null {
    if (!this.started) {
      this.started = true;
      return { provider: this.provider };
    }
    if (!this.interrupted) return null;
    this.interrupted = false;
    return { provider: this.provider, reconnection: ++this.reconnections };
  }

  /** Media stopped flowing (only counts once the call has started). */
  interruption(): void {
    if (this.started) this.interrupted = true;
  }
}
