/** Timer formatting shared by the call page (client) and the summary (server); no dependencies. */
/** 65 → "1:05", 3725 → "1:02:05" (call timers and durations; negative shown as 0:00). */
export function formatClock(totalSeconds: number): string {
  const t = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = String(t % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
