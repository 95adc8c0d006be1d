/**
 * Slot picker island: the server-rendered picker, now navigable without reloads and live — when
 * another fan takes a time (or the creator changes their hours), the creator's calendar says so
 * over a WebSocket (polling its version when sockets fail) and the free times are fetched again.
 */
import { Component } from 'preact';
import {
  monthSpan,
  pickDay,
  SlotPicker,
  slotsByDay,
  type PickerSlot,
  type SlotPickerProps,
} from '../../src/shared/slot-picker';
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

type Where = { typeId: string | null; month: string; day: string | null };
interface State extends Where {
  slots: PickerSlot[];
  mode: 'live' | 'polling' | 'connecting';
  notice: string | null;
  busy: boolean;
}

/**
 * A class, not hooks: the creator page loads only this island, and leaving `preact/hooks` out keeps
 * its JavaScript under the 10 KB budget (bench:weight).
 */
class SlotPickerIsland extends Component<Props, State> {
  private version: number;
  private stop: (() => void) | null = null;

  constructor(p: Props) {
    super(p);
    this.version = p.version;
    this.state = {
      typeId: p.typeId,
      month: p.month,
      day: p.day,
      slots: p.slots,
      mode: 'connecting',
      notice: null,
      busy: false,
    };
  }

  override componentDidMount() {
    const p = this.props;
    this.stop = connectLive<{ type: string; version: number }>({
      url: `/api/creators/${encodeURIComponent(p.creatorSlug)}/slots/live`,
      pollMs: 10_000,
      onMode: (mode) => this.setState({ mode }),
      onMessage: (m) => {
        if (typeof m.version !== 'number' || m.version === this.version) return;
        this.version = m.version;
        const { typeId, month, day } = this.state;
        void this.load({ typeId, month, day }, 'live');
      },
    });
  }

  override componentWillUnmount() {
    this.stop?.();
  }

  async load(to: Where, reason: 'navigate' | 'live') {
    const p = this.props;
    this.setState({ busy: true });
    try {
      const res = await fetch(slotsUrl(p, to.typeId, to.month), {
        headers: { accept: 'application/json' },
        cache: 'no-store',
      });
      if (!res.ok) return;
      const { slots } = (await res.json()) as { slots: PickerSlot[] };
      let notice: string | null = null;
      if (reason === 'live') {
        // Tell the viewer when a time they were looking at just went.
        const before = slotsByDay(this.state.slots, p.timezone);
        const shown = pickDay(before, this.state.day);
        const after = new Set(slots.map((s) => s.startsAt));
        notice =
          shown && (before.get(shown) ?? []).some((s) => !after.has(s.startsAt)) ? p.labels.taken : this.state.notice;
      }
      this.setState({ ...to, slots, notice });
      if (reason === 'navigate') syncUrl(to);
    } catch {
      // offline: keep what is shown; the next change retries
    } finally {
      this.setState({ busy: false });
    }
  }

  render(p: Props, s: State) {
    return (
      <SlotPicker
        {...p}
        typeId={s.typeId}
        month={s.month}
        day={s.day}
        slots={s.slots}
        mode_live={s.mode}
        notice={s.notice}
        busy={s.busy}
        onNavigate={(to) => {
          const next = {
            typeId: to.typeId !== undefined ? to.typeId : s.typeId,
            month: to.month ?? s.month,
            day: to.day !== undefined ? to.day : s.day,
          };
          // Same month and type: only the selected day changes, nothing to fetch.
          if (next.typeId === s.typeId && next.month === s.month) {
            this.setState({ notice: null, day: next.day });
            syncUrl(next);
            return;
          }
          void this.load(next, 'navigate');
        }}
      />
    );
  }
}

mount('slot-picker', SlotPickerIsland);
