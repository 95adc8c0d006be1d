/**
 * Slot picker island: the server-rendered picker, now navigable without reloads and live — when
 * another fan takes a time (or the creator changes their hours), the creator's calendar says so
 * over a WebSocket (polling its version when sockets fail) and the free times are fetched again.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { monthSpan, pickDay, SlotPicker, slotsByDay, type PickerSlot, type SlotPickerProps } from '../../src/shared/slot-picker';
import { mount } from '../lib/islands';
import { connectLive } from '../lib/live';

interface Props extends Omit<SlotPickerProps, 'onNavigate' | 'mode_live' | 'notice' | 'busy'> {
  creatorSlug: string;
  /** Reschedule mode: the booking being moved. */
  bookingId?: string;
  /** The calendar version the server rendered. */
  version: number;
}

function slotsUrl(p: Props, typeId: string | null, month: string): string {
  const { from, to } = monthSpan(month, p.timezone);
  const range = `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`;
  return p.mode === 'reschedule'
    ? `/api/bookings/${p.bookingId}/reschedule-slots?${range}`
    : `/api/creators/${encodeURIComponent(p.creatorSlug)}/slots?type=${typeId}&${range}`;
}

/** The address bar follows the picker, so a reload or a shared link opens the same day. */
function syncUrl(to: { typeId: string | null; month: string; day: string | null }) {
  const url = new URL(location.href);
  if (to.typeId) url.searchParams.set('type', to.typeId);
  url.searchParams.set('month', to.month);
  if (to.day) url.searchParams.set('day', to.day);
  else url.searchParams.delete('day');
  history.replaceState(null, '', url);
}

function SlotPickerIsland(p: Props) {
  const [state, setState] = useState({ typeId: p.typeId, month: p.month, day: p.day, slots: p.slots });
  const [mode, setMode] = useState<'live' | 'polling' | 'connecting'>('connecting');
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const current = useRef(state);
  current.current = state;
  const version = useRef(p.version);

  const load = async (to: { typeId: string | null; month: string; day: string | null }, reason: 'navigate' | 'live') => {
    setBusy(true);
    try {
      const res = await fetch(slotsUrl(p, to.typeId, to.month), { headers: { accept: 'application/json' }, cache: 'no-store' });
      if (!res.ok) return;
      const { slots } = (await res.json()) as { slots: PickerSlot[] };
      if (reason === 'live') {
        // Tell the viewer when a time they were looking at just went.
        const before = slotsByDay(current.current.slots, p.timezone);
        const shown = pickDay(before, current.current.day);
        const after = new Set(slots.map((s) => s.startsAt));
        if (shown && (before.get(shown) ?? []).some((s) => !after.has(s.startsAt))) setNotice(p.labels.taken);
      } else setNotice(null);
      setState({ ...to, slots });
      if (reason === 'navigate') syncUrl(to);
    } catch {
      // offline: keep what is shown; the next change retries
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => connectLive<{ type: string; version: number }>({
    url: `/api/creators/${encodeURIComponent(p.creatorSlug)}/slots/live`,
    pollMs: 10_000,
    onMode: setMode,
    onMessage: (m) => {
      if (typeof m.version !== 'number' || m.version === version.current) return;
      version.current = m.version;
      const { typeId, month, day } = current.current;
      void load({ typeId, month, day }, 'live');
    },
  }), [p.creatorSlug]);

  return (
    <SlotPicker
      {...p}
      {...state}
      mode_live={mode}
      notice={notice}
      busy={busy}
      onNavigate={(to) => {
        const s = current.current;
        const next = { typeId: to.typeId !== undefined ? to.typeId : s.typeId, month: to.month ?? s.month, day: to.day !== undefined ? to.day : s.day };
        // Same month and type: only the selected day changes, nothing to fetch.
        if (next.typeId === s.typeId && next.month === s.month) {
          setNotice(null);
          setState({ ...s, day: next.day });
          syncUrl(next);
          return;
        }
        void load(next, 'navigate');
      }}
    />
  );
}

mount('slot-picker', SlotPickerIsland);
