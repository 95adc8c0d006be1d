/**
 * The call page, the same for fan and creator, in four phases:
 * 1. waiting — more than 15 minutes before: countdown to access, details, tips; moves on by itself;
 * 2. pre-call — camera preview, microphone level, device pickers, clear messages; "Join";
 * 3. in call — remote and local video, camera/mic toggles, hang up, elapsed/remaining timer, a
 *    warning 2 minutes before the end, and the end at the booked time (both sides);
 * 4. summary — the page moves to /call/:id/summary.
 * With ?debug=1 the page shows its event stream and what the server recorded.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CallEventDtoT, CallIslandProps, JoinResponseT } from '../../src/shared/calls';
import { formatClock } from '../../src/shared/clock';
import { CallStartLog, connectDaily, connectP2P, type CallConnection, type EndReason } from '../lib/call-connection';
import { mount } from '../lib/islands';

type Phase = 'waiting' | 'precall' | 'incall' | 'ended';
type MediaProblem = 'denied' | 'noDevice' | 'noCamera' | 'noMic' | 'inUse' | null;
interface DebugLine {
  at: number;
  text: string;
}

const WARN_BEFORE_END_S = 120;

function fill(s: string | undefined, params: Record<string, string> = {}): string {
  return (s ?? '').replace(/\{(\w+)\}/g, (m, k: string) => params[k] ?? m);
}

/** Opens camera and microphone, falling back to what exists; says what is missing. */
async function openMedia(camId: string, micId: string): Promise<{ stream: MediaStream | null; problem: MediaProblem }> {
  const video: MediaTrackConstraints | boolean = camId ? { deviceId: { exact: camId } } : true;
  const audio: MediaTrackConstraints | boolean = micId ? { deviceId: { exact: micId } } : true;
  if (!navigator.mediaDevices?.getUserMedia) return { stream: null, problem: 'noDevice' };
  try {
    return { stream: await navigator.mediaDevices.getUserMedia({ video, audio }), problem: null };
  } catch (e) {
    const name = (e as DOMException).name;
    if (name === 'NotAllowedError' || name === 'SecurityError') return { stream: null, problem: 'denied' };
    if (name === 'NotReadableError' || name === 'AbortError') return { stream: null, problem: 'inUse' };
    // One of the two is missing: keep the other.
    try {
      return { stream: await navigator.mediaDevices.getUserMedia({ audio }), problem: 'noCamera' };
    } catch {
      try {
        return { stream: await navigator.mediaDevices.getUserMedia({ video }), problem: 'noMic' };
      } catch {
        return { stream: null, problem: 'noDevice' };
      }
    }
  }
}

function stopStream(s: MediaStream | null) {
  for (const t of s?.getTracks() ?? []) t.stop();
}

function Video({
  stream,
  muted,
  id,
  label,
}: {
  stream: MediaStream | null;
  muted: boolean;
  id: string;
  label: string;
}) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== stream) ref.current.srcObject = stream;
  }, [stream]);
  return <video id={id} ref={ref} autoPlay playsInline muted={muted} aria-label={label} />;
}

function Countdown({ seconds, locale }: { seconds: number; locale: string }) {
  const s = Math.max(0, seconds);
  const d = Math.floor(s / 86400);
  const days =
    d > 0 ? `${new Intl.NumberFormat(locale, { style: 'unit', unit: 'day', unitDisplay: 'short' }).format(d)} ` : '';
  return (
    <span class="countdown" data-countdown={Math.floor(s)}>
      {days}
      {formatClock(s % 86400)}
    </span>
  );
}

function CallApp(p: CallIslandProps) {
  const L = (key: string, params?: Record<string, string>) => fill(p.labels[key], params);
  const offset = useRef(Date.parse(p.serverNow) - Date.now());
  const [now, setNow] = useState(() => Date.now() + offset.current);
  const t = { opens: Date.parse(p.opensAt), starts: Date.parse(p.startsAt), ends: Date.parse(p.endsAt) };
  const [phase, setPhaseState] = useState<Phase>(p.phase);
  // Connection callbacks outlive renders: they read the phase from here.
  const phaseRef = useRef<Phase>(p.phase);
  const setPhase = (next: Phase) => {
    phaseRef.current = next;
    setPhaseState(next);
  };
  const [attempt, setAttempt] = useState(0);
  const [endReason, setEndReason] = useState<EndReason | null>(null);
  const [endedAt, setEndedAt] = useState<number | null>(null);
  const [local, setLocal] = useState<MediaStream | null>(null);
  const [problem, setProblem] = useState<MediaProblem>(null);
  const [devices, setDevices] = useState<{ cams: MediaDeviceInfo[]; mics: MediaDeviceInfo[] }>({ cams: [], mics: [] });
  const [camId, setCamId] = useState('');
  const [micId, setMicId] = useState('');
  const [level, setLevel] = useState(0);
  const [joining, setJoining] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [remote, setRemote] = useState<MediaStream | null>(null);
  const [peer, setPeer] = useState<'absent' | 'present' | 'left'>('absent');
  const [peerMedia, setPeerMedia] = useState({ camera: true, mic: true });
  const [media, setMedia] = useState({ camera: true, mic: true });
  const [reconnecting, setReconnecting] = useState(false);
  const [joinedAt, setJoinedAt] = useState<number | null>(null);
  const [debug, setDebug] = useState<DebugLine[]>([]);
  const [serverEvents, setServerEvents] = useState<CallEventDtoT[]>([]);
  const conn = useRef<CallConnection | null>(null);
  const localRef = useRef<MediaStream | null>(null);
  const audioCtx = useRef<AudioContext | null>(null);
  const started = useRef(false);

  const note = (text: string) => {
    if (p.debug) setDebug((d) => [...d.slice(-199), { at: Date.now() + offset.current, text }]);
  };

  const log = (event: string, metadata?: Record<string, string | number | boolean | null>) => {
    note(`→ ${event}${metadata ? ` ${JSON.stringify(metadata)}` : ''}`);
    void fetch('/api/call-logs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ bookingId: p.bookingId, event, metadata, clientEventId: crypto.randomUUID() }),
      keepalive: true,
    }).catch(() => undefined);
  };

  // One clock for everything on the page (server time, corrected once at load and at join).
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now() + offset.current), 250);
    return () => clearInterval(id);
  }, []);

  // Phase changes driven by the clock.
  useEffect(() => {
    if (phase === 'waiting' && now >= t.opens) setPhase('precall');
    if ((phase === 'precall' || phase === 'waiting') && now >= t.ends) finish('time-up');
    if (phase === 'incall' && now >= t.ends) finish('time-up');
  }, [now, phase]);

  // Pre-call: camera and microphone, device lists, level meter.
  useEffect(() => {
    if (phase !== 'precall') return;
    if (!started.current) {
      started.current = true;
      log('PRE_CALL_ENTERED');
    }
    let cancelled = false;
    void (async () => {
      const r = await openMedia(camId, micId);
      if (cancelled) return stopStream(r.stream);
      stopStream(localRef.current);
      localRef.current = r.stream;
      setLocal(r.stream);
      setProblem(r.problem);
      if (r.problem) log('CALL_ERROR', { reason: `media:${r.problem}` });
      const all = (await navigator.mediaDevices?.enumerateDevices?.().catch(() => [])) ?? [];
      if (!cancelled)
        setDevices({
          cams: all.filter((d) => d.kind === 'videoinput'),
          mics: all.filter((d) => d.kind === 'audioinput'),
        });
    })();
    return () => {
      cancelled = true;
    };
  }, [phase, camId, micId, attempt]);

  useEffect(() => {
    const track = local?.getAudioTracks()[0];
    if (!track || (phase !== 'precall' && phase !== 'incall')) return;
    const Ctx =
      window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Ctx) return;
    const ctx = new Ctx();
    audioCtx.current = ctx;
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 512;
    ctx.createMediaStreamSource(new MediaStream([track])).connect(analyser);
    const buf = new Uint8Array(analyser.fftSize);
    let raf = 0;
    const tick = () => {
      analyser.getByteTimeDomainData(buf);
      let sum = 0;
      for (const v of buf) sum += ((v - 128) / 128) ** 2;
      setLevel(Math.min(1, Math.sqrt(sum / buf.length) * 4));
      raf = requestAnimationFrame(tick);
    };
    tick();
    // Browsers may start an audio context suspended until the person interacts with the page: try at
    // once (allowed once the page has had a gesture, e.g. after the Join click), on the first
    // pointer or key press, and on Join (a keyboard "click" fires no pointer event).
    const resume = () => {
      if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
    };
    resume();
    document.addEventListener('pointerdown', resume);
    document.addEventListener('keydown', resume);
    return () => {
      cancelAnimationFrame(raf);
      document.removeEventListener('pointerdown', resume);
      document.removeEventListener('keydown', resume);
      if (audioCtx.current === ctx) audioCtx.current = null;
      void ctx.close();
    };
  }, [local, phase]);

  // Debug: what the server recorded, refreshed.
  useEffect(() => {
    if (!p.debug) return;
    const load = () =>
      fetch(`/api/call-logs?bookingId=${p.bookingId}`, { cache: 'no-store' })
        .then((r) => (r.ok ? r.json() : { logs: [] }))
        .then((b: { logs: CallEventDtoT[] }) => setServerEvents(b.logs))
        .catch(() => undefined);
    void load();
    const id = setInterval(load, 3000);
    return () => clearInterval(id);
  }, []);

  // Leaving the page releases camera, microphone and connection.
  useEffect(
    () => () => {
      conn.current?.close();
      stopStream(localRef.current);
    },
    [],
  );

  function finish(reason: EndReason) {
    if (phaseRef.current === 'ended') return;
    const wasInCall = phaseRef.current === 'incall';
    setPhase('ended');
    setEndReason(reason);
    setEndedAt(Date.now() + offset.current);
    conn.current?.close();
    conn.current = null;
    stopStream(localRef.current);
    localRef.current = null;
    setLocal(null);
    setRemote(null);
    if (wasInCall) log('CALL_ENDED', { reason });
    setTimeout(() => location.assign(p.summaryUrl), reason === 'hangup' ? 300 : 2500);
  }

  async function join() {
    if (audioCtx.current?.state === 'suspended') void audioCtx.current.resume().catch(() => undefined);
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
      offset.current = Date.parse(body.serverNow) - Date.now();
      note(`joined with ${body.provider}`);
      const starts = new CallStartLog(body.provider);
      const handlers = {
        onRemoteStream: setRemote,
        onPeer: (s: 'absent' | 'present' | 'left') => {
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
      const stream = localRef.current;
      conn.current =
        body.provider === 'daily'
          ? await connectDaily(body, stream, handlers)
          : connectP2P(body, stream, handlers, () => Date.now() + offset.current >= t.ends);
      conn.current.setMedia(media);
      setJoinedAt(Date.now() + offset.current);
      setPhase('incall');
    } catch (e) {
      setError(L('errors.network'));
      log('CALL_ERROR', { reason: String(e).slice(0, 200) });
    } finally {
      setJoining(false);
    }
  }

  function toggle(kind: 'camera' | 'mic') {
    const next = { ...media, [kind]: !media[kind] };
    setMedia(next);
    const tracks = kind === 'camera' ? local?.getVideoTracks() : local?.getAudioTracks();
    tracks?.forEach((tr) => {
      tr.enabled = next[kind];
    });
    conn.current?.setMedia(next);
    log(kind === 'camera' ? 'CAMERA_TOGGLED' : 'MIC_TOGGLED', { on: next[kind] });
  }

  const remaining = Math.max(0, (t.ends - now) / 1000);
  const elapsed = Math.max(0, (now - Math.max(t.starts, joinedAt ?? t.starts)) / 1000);
  const startsIn = (t.starts - now) / 1000;
  const clockTime = (ms: number) =>
    new Intl.DateTimeFormat(p.locale, { hour: '2-digit', minute: '2-digit', timeZone: p.timezone }).format(ms);
  const planned = (
    <p class="planned" data-duration-minutes={Math.round((t.ends - t.starts) / 60_000)} data-ends-at={p.endsAt}>
      {L('planned', { duration: p.duration, end: clockTime(t.ends) })}
    </p>
  );

  return (
    <div class={`call-app phase-${phase}`} data-phase={phase}>
      <header class="call-head">
        <h1>{p.title}</h1>
        <p class="muted">
          {L('with', { name: p.peerName })} ·{' '}
          <time datetime={p.startsAt}>
            {new Intl.DateTimeFormat(p.locale, { dateStyle: 'full', timeStyle: 'short', timeZone: p.timezone }).format(
              t.starts,
            )}
          </time>
        </p>
      </header>

      {phase === 'waiting' ? (
        <section class="card call-waiting">
          <h2>{L('waiting.heading')}</h2>
          <p class="big">
            {L('waiting.opensIn')} <Countdown seconds={(t.opens - now) / 1000} locale={p.locale} />
          </p>
          <p>{L('waiting.startsAt', { time: clockTime(t.starts) })}</p>
          {planned}
          <Tips L={L} />
        </section>
      ) : null}

      {phase === 'precall' ? (
        <section class="call-precall grid two">
          <div class="card">
            <h2>{L('precall.heading')}</h2>
            <Video id="local-preview" stream={local} muted label={L('precall.preview')} />
            <div
              class="meter"
              role="meter"
              aria-label={L('precall.level')}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={Math.round(level * 100)}
            >
              <span style={{ width: `${Math.round(level * 100)}%` }} />
            </div>
            {problem ? (
              <p
                class={`notice ${problem === 'denied' || problem === 'inUse' ? 'error' : 'warning'}`}
                role="alert"
                data-media-problem={problem}
              >
                {L(`precall.${problem}`)}{' '}
                {problem === 'denied' || problem === 'inUse' ? (
                  <button type="button" class="link-button" onClick={() => setAttempt((n) => n + 1)}>
                    {L('precall.retry')}
                  </button>
                ) : null}
              </p>
            ) : null}
            <div class="devices">
              <label>
                {L('precall.camera')}
                <select
                  value={camId}
                  onChange={(e) => setCamId((e.target as HTMLSelectElement).value)}
                  disabled={!devices.cams.length}
                >
                  {devices.cams.map((d, i) => (
                    <option value={d.deviceId}>{d.label || `${L('precall.camera')} ${i + 1}`}</option>
                  ))}
                </select>
              </label>
              <label>
                {L('precall.mic')}
                <select
                  value={micId}
                  onChange={(e) => setMicId((e.target as HTMLSelectElement).value)}
                  disabled={!devices.mics.length}
                >
                  {devices.mics.map((d, i) => (
                    <option value={d.deviceId}>{d.label || `${L('precall.mic')} ${i + 1}`}</option>
                  ))}
                </select>
              </label>
            </div>
          </div>
          <div class="card">
            <p class="big">
              {startsIn > 0
                ? L('precall.startsIn', { time: formatClock(startsIn) })
                : L('precall.started', { name: p.peerName })}
            </p>
            {planned}
            {error ? (
              <p class="notice error" role="alert">
                {error}
              </p>
            ) : null}
            <button
              type="button"
              class="button block"
              data-action="join"
              disabled={joining}
              onClick={() => void join()}
            >
              {joining ? L('precall.joining') : L('precall.join')}
            </button>
            <Tips L={L} />
          </div>
        </section>
      ) : null}

      {phase === 'incall' ? (
        <section class="call-stage" aria-live="polite">
          <div class="call-timer">
            <span>
              {L('incall.elapsed')} <strong data-elapsed={Math.floor(elapsed)}>{formatClock(elapsed)}</strong>
            </span>
            <span>
              {L('incall.remaining')} <strong data-remaining={Math.floor(remaining)}>{formatClock(remaining)}</strong>
            </span>
          </div>
          {remaining <= WARN_BEFORE_END_S ? (
            <p class="notice warning" role="alert" data-warning>
              {L('incall.warning')}
            </p>
          ) : null}
          {reconnecting ? (
            <p class="notice warning" role="status">
              {L('incall.reconnecting')}
            </p>
          ) : null}
          {error ? (
            <p class="notice error" role="alert">
              {error}
            </p>
          ) : null}
          <div class="videos">
            <div class="remote">
              <Video id="remote-video" stream={remote} muted={false} label={p.peerName} />
              {!remote ? (
                <p class="overlay">
                  {peer === 'left'
                    ? L('incall.peerLeft', { name: p.peerName })
                    : peer === 'present'
                      ? L('incall.connecting', { name: p.peerName })
                      : L('incall.waitingPeer', { name: p.peerName })}
                </p>
              ) : null}
              {remote && !peerMedia.camera ? (
                <p class="overlay">{L('incall.peerCameraOff', { name: p.peerName })}</p>
              ) : null}
              {remote && !peerMedia.mic ? (
                <p class="badge warning peer-muted">{L('incall.peerMuted', { name: p.peerName })}</p>
              ) : null}
            </div>
            <div class="self">
              <Video id="local-video" stream={local} muted label={L('incall.you')} />
            </div>
          </div>
          <div class="controls">
            <button
              type="button"
              class={`button secondary ${media.camera ? '' : 'off'}`}
              data-action="camera"
              aria-pressed={!media.camera}
              onClick={() => toggle('camera')}
            >
              {media.camera ? L('incall.cameraOff') : L('incall.cameraOn')}
            </button>
            <button
              type="button"
              class={`button secondary ${media.mic ? '' : 'off'}`}
              data-action="mic"
              aria-pressed={!media.mic}
              onClick={() => toggle('mic')}
            >
              {media.mic ? L('incall.micOff') : L('incall.micOn')}
            </button>
            <button
              type="button"
              class="button danger"
              data-action="hangup"
              onClick={() => {
                if (conn.current) conn.current.hangup();
                else finish('hangup');
              }}
            >
              {L('incall.hangup')}
            </button>
          </div>
        </section>
      ) : null}

      {phase === 'ended' ? (
        <section
          class="card call-ended"
          data-end-reason={endReason ?? ''}
          data-ended-at={endedAt === null ? '' : new Date(endedAt).toISOString()}
        >
          <h2>{L('ended.heading')}</h2>
          {endReason === 'time-up' ? (
            <p>{L('ended.timeUp')}</p>
          ) : endReason === 'closed' ? (
            <p>{L('ended.closed')}</p>
          ) : null}
          <a class="button" href={p.summaryUrl}>
            {L('ended.toSummary')}
          </a>
        </section>
      ) : null}

      {p.debug ? (
        <details class="card call-debug" open data-debug>
          <summary>{L('debug.heading')}</summary>
          <div class="grid two">
            <div>
              <h3>{L('debug.page')}</h3>
              <ol class="mono small">
                {debug.map((d) => (
                  <li>
                    {new Date(d.at).toISOString().slice(11, 19)} {d.text}
                  </li>
                ))}
              </ol>
            </div>
            <div>
              <h3>{L('debug.server')}</h3>
              <ol class="mono small" data-server-events>
                {serverEvents.map((e) => (
                  <li data-event={e.type}>
                    {e.occurredAt.slice(11, 19)} {e.type} {e.actor.role ?? ''} ({e.source})
                  </li>
                ))}
              </ol>
            </div>
          </div>
        </details>
      ) : null}
    </div>
  );
}

function Tips({ L }: { L: (k: string) => string }) {
  return (
    <div class="tips">
      <h3>{L('tips.heading')}</h3>
      <ul>
        <li>{L('tips.place')}</li>
        <li>{L('tips.headphones')}</li>
        <li>{L('tips.apps')}</li>
        <li>{L('tips.end')}</li>
      </ul>
    </div>
  );
}

mount('call', CallApp);
