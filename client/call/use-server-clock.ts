/** One clock for the whole call page: server time, corrected at load and again at join. */
import { useEffect, useRef, useState } from 'preact/hooks';

export interface ServerClock {
  /** Server time as of the last tick (250 ms). */
  now: number;
  /** Server time right now, between ticks. */
  read: () => number;
  /** Re-aligns the clock on a server timestamp (ISO). */
  sync: (serverNow: string) => void;
}

export function useServerClock(serverNow: string): ServerClock {
  const offset = useRef(Date.parse(serverNow) - Date.now());
  const [now, setNow] = useState(() => Date.now() + offset.current);
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now() + offset.current), 250);
    return () => clearInterval(id);
  }, []);
  return {
    now,
    read: () => Date.now() + offset.current,
    sync: (s) => {
      offset.current = Date.parse(s) - Date.now();
    },
  };
}
