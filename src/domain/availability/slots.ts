/**
 * The slot engine, pure: from a creator's weekly hours (in THEIR zone), date exceptions, an
 * appointment type and the times already taken, the bookable slots in a range.
 *
 * Each local day's ranges are turned into UTC instants first and slots are stepped in real time
 * from there: on the spring-forward night the missing hour yields no slot, on the fall-back night
 * the repeated hour yields its slots twice as two distinct instants (02:00 CEST then 02:00 CET),
 * never a duplicate or a phantom. Times are shown to the fan in their own zone by the caller.
 */
import { dateFields, localParts, offsetMinutes, zonedToUtc } from '../../lib/tz';

export const SLOT_STEP_MINUTES = 30;
const MIN = 60_000;

export interface WeeklyRange {
  weekday: number;
  startMinute: number;
  endMinute: number;
}
export interface DateException {
  date: string;
  kind: 'OFF' | 'EXTRA';
  startMinute: number | null;
  endMinute: number | null;
}
export interface SlotType {
  durationMinutes: number;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  minNoticeMinutes: number;
  maxAdvanceDays: number;
}
export interface Busy {
  start: number;
  end: number;
}
export interface Slot {
  startsAt: Date;
  endsAt: Date;
}

/** "YYYY-MM-DD" + n days (calendar arithmetic). */
export function addDays(date: string, n: number): string {
  const [y, m, d] = dateFields(date);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}
const weekdayOf = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();
const pad = (n: number) => String(n).padStart(2, '0');
export const localDateOf = (t: number, tz: string) => {
  const p = localParts(t, tz);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
};

/** A local day's open ranges (minutes from midnight), after that date's exceptions. */
export function openRanges(date: string, weekly: WeeklyRange[], exceptions: DateException[]): [number, number][] {
  const ex = exceptions.filter((e) => e.date === date);
  if (ex.some((e) => e.kind === 'OFF' && e.startMinute === null)) {
    return ex
      .filter((e) => e.kind === 'EXTRA' && e.startMinute !== null && e.endMinute !== null)
      .map((e) => [e.startMinute!, e.endMinute!] as [number, number]);
  }
  let ranges: [number, number][] = weekly
    .filter((r) => r.weekday === weekdayOf(date))
    .map((r) => [r.startMinute, r.endMinute]);
  for (const e of ex) {
    if (e.startMinute === null || e.endMinute === null) continue;
    if (e.kind === 'EXTRA') ranges.push([e.startMinute, e.endMinute]);
    else
      ranges = ranges.flatMap(([s, t]): [number, number][] => {
        if (e.endMinute! <= s || e.startMinute! >= t) return [[s, t]];
        const parts: [number, number][] = [
          [s, Math.min(t, e.startMinute!)],
          [Math.max(s, e.endMinute!), t],
        ];
        return parts.filter(([a, b]) => b > a);
      });
  }
  // Merge overlaps so a slot can span two adjoining ranges' boundary only if they touch.
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([...r]);
  }
  return merged.filter(([s, t]) => t > s);
}

/**
 * UTC instants of wall-clock minutes on `date` (1440 = next midnight). Most days have one UTC
 * offset from before their midnight to after the next one: then it is plain arithmetic with that
 * offset (two zone look-ups per day instead of several per range bound). Days with a change
 * (DST nights) go through the exact conversion.
 */
function dayInstants(date: string, tz: string): (minute: number) => number {
  const [y, mo, d] = dateFields(date);
  const wallMidnight = Date.UTC(y, mo - 1, d);
  // Every zone's offset lies within −12 h … +14 h: this window covers the whole local day and the next midnight.
  const a = offsetMinutes(wallMidnight - 14 * 3_600_000, tz);
  const b = offsetMinutes(wallMidnight + 38 * 3_600_000, tz);
  if (a === b) return (minute) => wallMidnight + minute * MIN - a * MIN;
  return (minute) => {
    const day = minute >= 1440 ? addDays(date, 1) : date;
    const m = minute >= 1440 ? minute - 1440 : minute;
    const [yy, mm, dd] = dateFields(day);
    return zonedToUtc(yy, mm, dd, Math.floor(m / 60), m % 60, tz).getTime();
  };
}

export function computeSlots(input: {
  timezone: string;
  weekly: WeeklyRange[];
  exceptions: DateException[];
  type: SlotType;
  busy: Busy[];
  now: Date;
  /** Range of instants to return slots for (clamped to notice and advance limits). */
  from: Date;
  to: Date;
}): Slot[] {
  const { timezone: tz, type } = input;
  const earliest = Math.max(input.from.getTime(), input.now.getTime() + type.minNoticeMinutes * MIN);
  const latest = Math.min(input.to.getTime(), input.now.getTime() + type.maxAdvanceDays * 24 * 60 * MIN);
  if (latest <= earliest) return [];
  const dur = type.durationMinutes * MIN;
  const before = type.bufferBeforeMinutes * MIN;
  const after = type.bufferAfterMinutes * MIN;
  // Candidates come in increasing time: one pass over the taken spans, sorted by end.
  const busy = [...input.busy].sort((a, b) => a.end - b.end);
  const longest = busy.reduce((m, b) => Math.max(m, b.end - b.start), 0);
  let first = 0;
  const free = (s: number) => {
    // Index loops, not slices: this runs for every candidate slot. Each `!` is within busy.length.
    while (first < busy.length && busy[first]!.end <= s - before) first++;
    for (let i = first; i < busy.length; i++) {
      const span = busy[i]!;
      // From here on every span starts after this slot (and its buffer) ends.
      if (span.end - longest >= s + dur + after) break;
      if (span.start < s + dur + after) return false;
    }
    return true;
  };
  const out: Slot[] = [];
  // Local days overlapping the range (one before for ranges running past midnight in UTC terms).
  let date = addDays(localDateOf(earliest, tz), -1);
  const lastDate = localDateOf(latest, tz);
  for (let guard = 0; date <= lastDate && guard < 400; guard++, date = addDays(date, 1)) {
    const ranges = openRanges(date, input.weekly, input.exceptions);
    const instant = ranges.length ? dayInstants(date, tz) : null;
    for (const [s, t] of ranges) {
      const rangeStart = instant!(s);
      const rangeEnd = instant!(t);
      for (let start = rangeStart; start + dur <= rangeEnd; start += SLOT_STEP_MINUTES * MIN) {
        if (start < earliest || start > latest) continue;
        if (free(start)) out.push({ startsAt: new Date(start), endsAt: new Date(start + dur) });
      }
    }
  }
  return out;
}

/** Where a slot sits in the fan's day. */
export function partOfDay(d: Date, tz: string): 'morning' | 'afternoon' | 'evening' {
  const h = localParts(d, tz).hour;
  return h < 12 ? 'morning' : h < 18 ? 'afternoon' : 'evening';
}
