/**
 * Joining, the live connection (built-in peer-to-peer or Daily) and the end of the call: the state
 * the in-call view shows and the actions it offers.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CallIslandProps, JoinResponseT } from '../../src/shared/calls';
import { CallStartLog, type CallConnection, connectDaily, connectP2P, type EndReason } from '../lib/call-connection';
import type { Labeler } from './labels';
import { stopStream } from './media';
import type { CallLog } from './use-call-log';
import type { LocalMedia } from './use-local-media';
import type { MicLevel } from './use-mic-level';
import type { PhaseState } from './use-phase';
import type { ServerClock } from './use-server-clock';
import type { CallTimes } from './times';

export type PeerPresence = 'absent' | 'present' | 'left';
export interface Sending {
  camera: boolean;
  mic: boolean;
}

export interface CallSessionDeps {
  p: CallIslandProps;
  L: Labeler;
  t: CallTimes;
  clock: ServerClock;
  phase: PhaseState;
  media: LocalMedia;
  mic: MicLevel;
  events: CallLog;
}

export function useCallSession({ p, L, t, clock, phase, media, mic, events }: CallSessionDeps) {
  const { log, note } = events;
  const [endReason, setEndReason] = useState<EndReason | null>(null);
  const [endedAt, setEndedAt] = useState<number | null>(null);
  const [joining, setJoining] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [remote, setRemote] = useState<MediaStream | null>(null);
  const [peer, setPeer] = useState<PeerPresence>('absent');
  const [peerMedia, setPeerMedia] = useState<Sending>({ camera: true, mic: true });
  const [sending, setSending] = useState<Sending>({ camera: true, mic: true });
  const [reconnecting, setReconnecting] = useState(false);
  const [joinedAt, setJoinedAt] = useState<number | null>(null);
  const conn = useRef<CallConnection | null>(null);

  // Leaving the page releases camera, microphone and connection.
  useEffect(
    () => () => {
      conn.current?.close();
      stopStream(media.current());
    },
    [],
  );

  function finish(reason: EndReason) {
    if (phase.current() === 'ended') return;
    const wasInCall = phase.current() === 'incall';
    phase.setPhase('ended');
    setEndReason(reason);
    setEndedAt(clock.read());
    conn.current?.close();
    conn.current = null;
    media.release();
    setRemote(null);
    if (wasInCall) log('CALL_ENDED', { reason });
    setTimeout(() => location.assign(p.summaryUrl), reason === 'hangup' ? 300 : 2500);
  }

  async function join() {
    mic.resume();
    setJoining(true);
    setError(null);
    try {
      const res = await fetch(`/api/bookings/${p.bookingId}/join`, {
        method: 'POST',
        headers: { accept: 'application/json' },
      });
      const body = (await res.json()) as JoinResponseT & { error?: { code: string; message: string } };
      if (!res.ok) {
        setError(p.labels[`errors.${body.error?.code}`] ?? body.error?.message ?? L('errors.network'));
        if (body.error?.code === 'CALL_OVER') finish('time-up');
        return;
      }
      clock.sync(body.serverNow);
      note(`joined with ${body.provider}`);
      const starts = new CallStartLog(body.provider);
      const handlers = {
        onRemoteStream: setRemote,
        onPeer: (s: PeerPresence) => {
          setPeer(s);
          if (s === 'left') starts.interruption();
        },
        onPeerMedia: setPeerMedia,
        onConnected: () => {
          const m = starts.connected();
          if (m) log('CALL_STARTED', m);
        },
        onInterrupted: () => starts.interruption(),
        onReconnecting: setReconnecting,
        onEnded: (r: EndReason) => finish(r),
        onError: (m: string) => {
          setError(L('errors.media'));
          log('CALL_ERROR', { reason: m.slice(0, 200) });
        },
        debug: note,
      };
      const stream = media.current();
      conn.current =
        body.provider === 'daily'
          ? await connectDaily(body, stream, handlers)
          : connectP2P(body, stream, handlers, () => clock.read() >= t.ends);
      conn.current.setMedia(sending);
      setJoinedAt(clock.read());
      phase.setPhase('incall');
    } catch (e) {
      setError(L('errors.network'));
      log('CALL_ERROR', { reason: String(e).slice(0, 200) });
    } finally {
      setJoining(false);
    }
  }

  function toggle(kind: 'camera' | 'mic') {
    const next = { ...sending, [kind]: !sending[kind] };
    setSending(next);
    const tracks = kind === 'camera' ? media.stream?.getVideoTracks() : media.stream?.getAudioTracks();
    tracks?.forEach((tr) => {
      tr.enabled = next[kind];
    });
    conn.current?.setMedia(next);
    log(kind === 'camera' ? 'CAMERA_TOGGLED' : 'MIC_TOGGLED', { on: next[kind] });
  }

  function hangup() {
    if (conn.current) conn.current.hangup();
    else finish('hangup');
  }

  return {
    endReason,
    endedAt,
    joining,
    error,
    remote,
    peer,
    peerMedia,
    sending,
    reconnecting,
    joinedAt,
    finish,
    join,
    toggle,
    hangup,
  };
}

export type CallSession = ReturnType<typeof useCallSession>;
