/** Call events sent to the server (/api/call-logs) and, with ?debug=1, the page's own event lines. */
import { useState } from 'preact/hooks';

export interface DebugLine {
  at: number;
  text: string;
}

export type LogEvent = (event: string, metadata?: Record<string, string | number | boolean | null>) => void;

export interface CallLog {
  /** The page's debug lines (empty unless debugging). */
  lines: DebugLine[];
  /** Adds a debug line. */
  note: (text: string) => void;
  /** Records a call event on the server (fire and forget: it must not hold up the call). */
  log: LogEvent;
}

export function useCallLog(bookingId: string, debug: boolean, now: () => number): CallLog {
  const [lines, setLines] = useState<DebugLine[]>([]);
  const note = (text: string) => {
    if (debug) setLines((d) => [...d.slice(-199), { at: now(), text }]);
  };
  const log: LogEvent = (event, metadata) => {
    note(`→ ${event}${metadata ? ` ${JSON.stringify(metadata)}` : ''}`);
    void fetch('/api/call-logs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ bookingId, event, metadata, clientEventId: crypto.randomUUID() }),
      keepalive: true,
    }).catch(() => undefined);
  };
  return { lines, note, log };
}
