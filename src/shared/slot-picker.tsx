/**
 * The slot picker — rendered twice from this one component: on the server (plain links and forms,
 * works without JavaScript) and in the browser by the `slot-picker` island (same markup, plus live
 * updates and navigation without reloads). Times are shown in the viewer's zone; the month grid and
 * the morning / afternoon / evening groups are in that zone too.
 */
import { formatMoney, formatTime } from '../i18n/format';
import { dateFields, localDate, localParts, zonedToUtc } from '../lib/tz';

export interface PickerType {
  id: string;
  name: string;
  description: string;
  durationMinutes: number;
  price: number;
  currency: string;
  color: string;
}
export interface PickerSlot {
  startsAt: string;
  endsAt: string;
}

export interface PickerLabels {
  chooseType: string;
  prev: string;
  next: string;
  noSlotsMonth: string;
  pickDay: string;
  zone: string;
  morning: string;
  afternoon: string;
  evening: string;
  bookAt: string;
  taken: string;
  live: string;
  polling: string;
  updating: string;
  submit: string;
}

export interface SlotPickerProps {
  mode: 'book' | 'reschedule';
  locale: 'fr' | 'en';
  /** The viewer's zone. */
  timezone: string;
  types: PickerType[];
  typeId: string | null;
  /** "YYYY-MM" shown, in the viewer's zone. */
  month: string;
  /** "YYYY-MM-DD" selected (viewer's zone), or null for the first free day. */
  day: string | null;
  slots: PickerSlot[];
  minMonth: string;
  maxMonth: string;
  /** Where a chosen slot is posted (fields: typeId, startsAt). */
  action: string;
  /** The page's own path, for the no-JavaScript links. */
  pageHref: string;
  labels: PickerLabels;
  /** Island only: live mode and notices. */
  mode_live?: 'live' | 'polling' | 'connecting';
  notice?: string | null;
  busy?: boolean;
  onNavigate?: (to: { typeId?: string | null; month?: string; day?: string | null }) => void;
}

export const PART_OF_DAY = ['morning', 'afternoon', 'evening'] as const;
export type PartOfDay = (typeof PART_OF_DAY)[number];
/** Before noon, before 18:00, the rest — on the viewer's clock. */
export const partOf = (hour: number): PartOfDay => (hour < 12 ? 'morning' : hour < 18 ? 'afternoon' : 'evening');

const pad = (n: number) => String(n).padStart(2, '0');

export function shiftMonth(month: string, by: number): string {
  const [y, m] = dateFields(month);
  const d = new Date(Date.UTC(y, m - 1 + by, 1));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
}

/** The UTC span of a calendar month on the viewer's clock. */
export function monthSpan(month: string, tz: string): { from: Date; to: Date } {
  const [y, m] = dateFields(month);
  const [ny, nm] = dateFields(shiftMonth(month, 1));
  return { from: zonedToUtc(y, m, 1, 0, 0, tz), to: zonedToUtc(ny, nm, 1, 0, 0, tz) };
}

export const monthOf = (instant: Date | number, tz: string) => localDate(instant, tz).slice(0, 7);

/** Free slots per local day. */
export function slotsByDay(slots: PickerSlot[], tz: string): Map<string, PickerSlot[]> {
  const out = new Map<string, PickerSlot[]>();
  for (const s of slots) {
    const d = localDate(new Date(s.startsAt), tz);
    const list = out.get(d);
    if (list) list.push(s);
    else out.set(d, [s]);
  }
  return out;
}

/** The day to show: the asked one when it has free times, else the first one that does. */
export function pickDay(byDay: Map<string, PickerSlot[]>, wanted: string | null): string | null {
  if (wanted && byDay.has(wanted)) return wanted;
  return [...byDay.keys()].sort()[0] ?? null;
}

export function SlotPicker(p: SlotPickerProps) {
  const byDay = slotsByDay(p.slots, p.timezone);
  const day = pickDay(byDay, p.day && p.day.startsWith(p.month) ? p.day : null);
  const [y, m] = dateFields(p.month);
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const lead = (new Date(Date.UTC(y, m - 1, 1)).getUTCDay() + 6) % 7; // weeks start on Monday
  const weekdayFmt = new Intl.DateTimeFormat(p.locale, { weekday: 'short', timeZone: 'UTC' });
  const weekdays = Array.from({ length: 7 }, (_, i) => weekdayFmt.format(new Date(Date.UTC(2024, 0, 1 + i)))); // 2024-01-01 was a Monday
  const monthTitle = new Intl.DateTimeFormat(p.locale, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(Date.UTC(y, m - 1, 1)),
  );
  const dayFmt = new Intl.DateTimeFormat(p.locale, { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' });
  const type = p.types.find((t) => t.id === p.typeId) ?? null;

  const link = (to: { typeId?: string | null; month?: string; day?: string | null }) => {
    const q = new URLSearchParams();
    const typeId = to.typeId !== undefined ? to.typeId : p.typeId;
    if (typeId) q.set('type', typeId);
    q.set('month', to.month ?? p.month);
    const d = to.day !== undefined ? to.day : day;
    if (d) q.set('day', d);
    return `${p.pageHref}?${q}#slot-picker`;
  };
  const nav = (to: Parameters<typeof link>[0]) => (e: MouseEvent) => {
    if (!p.onNavigate) return;
    e.preventDefault();
    p.onNavigate(to);
  };

  const daySlots = day ? (byDay.get(day) ?? []) : [];
  const groups = PART_OF_DAY.map((part) => ({
    part,
    slots: daySlots.filter((s) => partOf(localParts(new Date(s.startsAt), p.timezone).hour) === part),
  })).filter((g) => g.slots.length);
  const canPrev = p.month > p.minMonth;
  const canNext = p.month < p.maxMonth;

  return (
    <div
      class="slot-picker"
      data-month={p.month}
      data-day={day ?? ''}
      data-busy={p.busy ? 'true' : undefined}
      data-live-mode={p.mode_live}
    >
      {p.mode === 'book' && p.types.length > 1 ? (
        <div class="type-choice" role="group" aria-label={p.labels.chooseType}>
          {p.types.map((t) => (
            <a
              href={link({ typeId: t.id, day: null })}
              onClick={nav({ typeId: t.id, day: null })}
              class={`type-option${t.id === p.typeId ? ' active' : ''}`}
              aria-current={t.id === p.typeId ? 'true' : undefined}
              data-type-color={t.color}
              data-type-id={t.id}
            >
              <strong>{t.name}</strong>
              <span class="muted small">
                {t.durationMinutes} min · {formatMoney(t.price, t.currency, p.locale)}
              </span>
            </a>
          ))}
        </div>
      ) : null}
      {type?.description ? <p class="muted small">{type.description}</p> : null}
      <div class="month-nav">
        {canPrev ? (
          <a
            href={link({ month: shiftMonth(p.month, -1), day: null })}
            onClick={nav({ month: shiftMonth(p.month, -1), day: null })}
            rel="prev"
            aria-label={p.labels.prev}
          >
            ‹
          </a>
        ) : (
          <span aria-hidden="true">‹</span>
        )}
        <strong class="month-title" aria-live="polite">
          {monthTitle}
        </strong>
        {canNext ? (
          <a
            href={link({ month: shiftMonth(p.month, 1), day: null })}
            onClick={nav({ month: shiftMonth(p.month, 1), day: null })}
            rel="next"
            aria-label={p.labels.next}
          >
            ›
          </a>
        ) : (
          <span aria-hidden="true">›</span>
        )}
      </div>
      <table class="month-grid">
        <thead>
          <tr>
            {weekdays.map((w) => (
              <th scope="col">{w}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {Array.from({ length: Math.ceil((lead + daysInMonth) / 7) }, (_, w) => (
            <tr>
              {Array.from({ length: 7 }, (_, i) => {
                const n = w * 7 + i - lead + 1;
                if (n < 1 || n > daysInMonth) return <td />;
                const date = `${p.month}-${pad(n)}`;
                const free = byDay.get(date)?.length ?? 0;
                return (
                  <td class={`${free ? 'has-slots' : 'no-slots'}${date === day ? ' selected' : ''}`}>
                    {free ? (
                      <a
                        href={link({ day: date })}
                        onClick={nav({ day: date })}
                        data-day={date}
                        aria-current={date === day ? 'date' : undefined}
                        aria-label={`${dayFmt.format(new Date(`${date}T12:00:00Z`))} (${free})`}
                      >
                        {n}
                      </a>
                    ) : (
                      <span>{n}</span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted small">{p.labels.zone}</p>
      {p.notice ? (
        <p class="notice warning" role="status">
          {p.notice}
        </p>
      ) : null}
      {day ? (
        <div class="day-slots" aria-live="polite">
          <h3>{dayFmt.format(new Date(`${day}T12:00:00Z`))}</h3>
          {groups.map((g) => (
            <div class={`slot-group ${g.part}`}>
              <h4>{p.labels[g.part]}</h4>
              <ul class="slot-list">
                {g.slots.map((s) => {
                  const time = formatTime(new Date(s.startsAt), p.locale, p.timezone);
                  return (
                    <li>
                      <form method="post" action={p.action}>
                        {p.typeId ? <input type="hidden" name="typeId" value={p.typeId} /> : null}
                        <input type="hidden" name="startsAt" value={s.startsAt} />
                        <button
                          type="submit"
                          class="slot"
                          data-starts-at={s.startsAt}
                          aria-label={p.labels.bookAt.replace('{time}', time)}
                        >
                          {time}
                        </button>
                      </form>
                    </li>
                  );
                })}
              </ul>
            </div>
          ))}
        </div>
      ) : (
        <p class="empty">{p.labels.noSlotsMonth}</p>
      )}
    </div>
  );
}
