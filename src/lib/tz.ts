/**
 * Wall-clock time in an IANA zone ↔ UTC instants, DST-correct, with Intl only.
 * Ambiguous local times (the repeated hour in autumn) resolve to the first occurrence; times in
 * the spring gap (which do not exist) move forward by the gap, as clocks do.
 */
const fmtCache = new Map<string, Intl.DateTimeFormat>();

function fmt(tz: string): Intl.DateTimeFormat {
  let f = fmtCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
    fmtCache.set(tz, f);
  }
  return f;
}

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** The wall-clock reading of `instant` in `tz`. weekday: 0 = Sunday. */
export function localParts(instant: Date | number, tz: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const p of fmt(tz).formatToParts(new Date(instant))) parts[p.type] = p.value;
  const weekday = WEEKDAYS[parts.weekday ?? ''];
  // fmt() asks for the short weekday in en-US: Intl always gives one of the seven.
  if (weekday === undefined) throw new Error(`No weekday in the ${tz} reading of ${instant}`);
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday,
  };
}

/** Minutes `tz` is ahead of UTC at `instant` (Paris in winter: 60). */
export function offsetMinutes(instant: number, tz: string): number {
  const p = localParts(instant, tz);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - (instant - (((instant % 1000) + 1000) % 1000))) / 60_000);
}

/** The UTC instant of a wall-clock time in `tz` (month 1–12). */
export function zonedToUtc(year: number, month: number, day: number, hour: number, minute: number, tz: string): Date {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const before = offsetMinutes(wall - 36 * 3_600_000, tz);
  const after = offsetMinutes(wall + 36 * 3_600_000, tz);
  const candidates = [...new Set([before, after])]
    .map((o) => wall - o * 60_000)
    .filter((t) => offsetMinutes(t, tz) * 60_000 === wall - t);
  if (candidates.length) return new Date(Math.min(...candidates));
  return new Date(wall - before * 60_000); // in the gap: shifted forward
}

/**
 * Year, month (1–12) and day of "YYYY-MM-DD" ("YYYY-MM": the day is NaN). A missing field is NaN,
 * so a date built from malformed text is invalid rather than some other day.
 */
export function dateFields(date: string): [year: number, month: number, day: number] {
  const [year, month, day] = date.split('-');
  return [Number(year), Number(month), Number(day)];
}

/** "2026-12-01T18:30" read in `tz` → UTC; null when malformed. */
export function parseLocalDateTime(value: string, tz: string): Date | null {
  const v = value.trim();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(v)) return null;
  const [year, month, day] = dateFields(v.slice(0, 10));
  const hour = Number(v.slice(11, 13));
  const minute = Number(v.slice(14, 16));
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return null;
  const d = zonedToUtc(year, month, day, hour, minute, tz);
  return Number.isNaN(d.getTime()) ? null : d;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A UTC instant as the value of an <input type="datetime-local"> in `tz`. */
export function toLocalInput(instant: Date, tz: string): string {
  const p = localParts(instant, tz);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/** "YYYY-MM-DD" of `instant` in `tz`. */
export function localDate(instant: Date | number, tz: string): string {
  const p = localParts(instant, tz);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}
