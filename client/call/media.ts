/** Camera and microphone access, falling back to whichever of the two exists. */
export type MediaProblem = 'denied' | 'noDevice' | 'noCamera' | 'noMic' | 'inUse' | null;

/** Opens camera and microphone, falling back to what exists; says what is missing. */
export async function openMedia(
  camId: string,
  micId: string,
): Promise<{ stream: MediaStream | null; problem: MediaProblem }> {
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

/** Releases every track of `s` (the camera light goes off). */
export function stopStream(s: MediaStream | null) {
  for (const t of s?.getTracks() ?? []) t.stop();
}
