/** The microphone level meter (0..1) of the local stream, before and during the call. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Phase } from './use-phase';

export interface MicLevel {
  level: number;
  /** Resumes a suspended audio context (call it from a user gesture, e.g. Join). */
  resume: () => void;
}

export function useMicLevel(local: MediaStream | null, phase: Phase): MicLevel {
  const [level, setLevel] = useState(0);
  const audioCtx = useRef<AudioContext | null>(null);

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

  return {
    level,
    resume: () => {
      if (audioCtx.current?.state === 'suspended') void audioCtx.current.resume().catch(() => undefined);
    },
  };
}
