/** Pre-call camera and microphone: the preview stream, what is missing, and the device pickers. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { type MediaProblem, openMedia, stopStream } from './media';
import type { LogEvent } from './use-call-log';
import type { Phase } from './use-phase';

export interface LocalMedia {
  stream: MediaStream | null;
  /** The stream as last opened, for callbacks that outlive renders. */
  current: () => MediaStream | null;
  problem: MediaProblem;
  devices: { cams: MediaDeviceInfo[]; mics: MediaDeviceInfo[] };
  camId: string;
  micId: string;
  setCamId: (id: string) => void;
  setMicId: (id: string) => void;
  /** Asks for the devices again (after a refusal or a busy camera). */
  retry: () => void;
  /** Stops every track and forgets the stream. */
  release: () => void;
}

export function useLocalMedia(phase: Phase, log: LogEvent): LocalMedia {
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [problem, setProblem] = useState<MediaProblem>(null);
  const [devices, setDevices] = useState<LocalMedia['devices']>({ cams: [], mics: [] });
  const [camId, setCamId] = useState('');
  const [micId, setMicId] = useState('');
  const [attempt, setAttempt] = useState(0);
  const ref = useRef<MediaStream | null>(null);
  const started = useRef(false);

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
      stopStream(ref.current);
      ref.current = r.stream;
      setStream(r.stream);
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

  return {
    stream,
    current: () => ref.current,
    problem,
    devices,
    camId,
    micId,
    setCamId,
    setMicId,
    retry: () => setAttempt((n) => n + 1),
    release: () => {
      stopStream(ref.current);
      ref.current = null;
      setStream(null);
    },
  };
}
