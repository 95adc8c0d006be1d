/** Debug only: what the server recorded for this call, refreshed every 3 s. */
import { useEffect, useState } from 'preact/hooks';
import type { CallEventDtoT } from '../../src/shared/calls';

export function useServerEvents(bookingId: string, debug: boolean): CallEventDtoT[] {
  const [events, setEvents] = useState<CallEventDtoT[]>([]);
  useEffect(() => {
    if (!debug) return;
    const load = () =>
      fetch(`/api/call-logs?bookingId=${bookingId}`, { cache: 'no-store' })
        .then((r) => (r.ok ? r.json() : { logs: [] }))
        .then((b: { logs: CallEventDtoT[] }) => setEvents(b.logs))
        .catch(() => undefined);
    void load();
    const id = setInterval(load, 3000);
    return () => clearInterval(id);
  }, []);
  return events;
}
