/** The slot engine (pure): ranges, buffers, notice, exceptions, taken times, DST weekends, zones. */
import { describe, expect, it } from 'vitest';
import {
  computeSlots,
  openRanges,
  partOfDay,
  type Busy,
  type DateException,
  type SlotType,
  type WeeklyRange,
} from '../src/domain/availability/slots';
import { localParts, zonedToUtc } from '../src/lib/tz';

const H = 3_600_000;
const M = 60_000;
const type = (o: Partial<SlotType> = {}): SlotType => ({
  durationMinutes: 30,
  bufferBeforeMinutes: 0,
  bufferAfterMinutes: 0,
  minNoticeMinutes: 0,
  maxAdvanceDays: 400,
  ...o,
});
const weekday = (d: number, ...ranges: [number, number][]): WeeklyRange[] =>
  ranges.map(([s, e]) => ({ weekday: d, startMinute: s * 60, endMinute: e * 60 }));
/** Local "HH:MM" of each slot in `tz`. */
const local = (slots: { startsAt: Date }[], tz: string) =>
  slots.map((s) => {
    const p = localParts(s.startsAt, tz);
    return `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
  });
const day = (
  date: string,
  tz: string,
  weekly: WeeklyRange[],
  o: { type?: SlotType; busy?: Busy[]; exceptions?: DateException[]; now?: Date } = {},
) => {
  // The whole local day, generously (the engine clamps to what is open).
  const from = new Date(`${date}T00:00:00Z`).getTime() - 14 * H;
  return computeSlots({
    timezone: tz,
    weekly,
    exceptions: o.exceptions ?? [],
    type: o.type ?? type(),
    busy: o.busy ?? [],
    now: o.now ?? new Date('2026-01-01T00:00:00Z'),
    from: new Date(from),
    to: new Date(from + 52 * H),
  }).filter((s) => {
    const p = localParts(s.startsAt, tz);
    return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}` === date;
  });
};

describe('slot engine', () => {
  it('steps through several ranges of a day, every 30 minutes, fitting the duration', () => {
    // Thursday 2026-12-03 in Paris: 9–12 and 14–18.
    const slots = day('2026-12-03', 'Europe/Paris', weekday(4, [9, 12], [14, 18]), {
      type: type({ durationMinutes: 60 }),
    });
    expect(local(slots, 'Europe/Paris')).toEqual([
      '09:00',
      '09:30',
      '10:00',
      '10:30',
      '11:00',
      '14:00',
      '14:30',
      '15:00',
      '15:30',
      '16:00',
      '16:30',
      '17:00',
    ]);
  });

  it('keeps buffers clear around taken times, and refuses overlaps', () => {
    const taken = new Date('2026-12-03T09:00:00Z').getTime(); // 10:00–10:30 Paris
    const busy = [{ start: taken, end: taken + 30 * M }];
    const none = day('2026-12-03', 'Europe/Paris', weekday(4, [9, 12]), { busy });
    expect(local(none, 'Europe/Paris')).toEqual(['09:00', '09:30', '10:30', '11:00', '11:30']);
    const buffered = day('2026-12-03', 'Europe/Paris', weekday(4, [9, 12]), {
      busy,
      type: type({ bufferBeforeMinutes: 15, bufferAfterMinutes: 15 }),
    });
    // 09:30 would end at 10:00 + 15 min buffer → overlaps; 10:30 starts right after minus 15 min buffer → overlaps.
    expect(local(buffered, 'Europe/Paris')).toEqual(['09:00', '11:00', '11:30']);
  });

  it('honours minimum notice and how far ahead one may book', () => {
    const now = new Date('2026-12-03T08:10:00Z'); // 09:10 Paris
    const slots = day('2026-12-03', 'Europe/Paris', weekday(4, [9, 12]), { now, type: type({ minNoticeMinutes: 60 }) });
    expect(local(slots, 'Europe/Paris')[0]).toBe('10:30'); // 09:10 + 60 min → first step at or after 10:10
    expect(
      day('2026-12-03', 'Europe/Paris', weekday(4, [9, 12]), {
        now: new Date('2026-11-20T00:00:00Z'),
        type: type({ maxAdvanceDays: 5 }),
      }),
    ).toEqual([]);
    // Past times are never offered.
    expect(day('2026-12-03', 'Europe/Paris', weekday(4, [9, 12]), { now: new Date('2026-12-04T00:00:00Z') })).toEqual(
      [],
    );
  });

  it('applies date exceptions: a day off, a few hours off, extra hours', () => {
    const weekly = weekday(4, [9, 12], [14, 18]);
    expect(
      openRanges('2026-12-03', weekly, [{ date: '2026-12-03', kind: 'OFF', startMinute: null, endMinute: null }]),
    ).toEqual([]);
    expect(
      openRanges('2026-12-03', weekly, [{ date: '2026-12-03', kind: 'OFF', startMinute: 10 * 60, endMinute: 15 * 60 }]),
    ).toEqual([
      [540, 600],
      [900, 1080],
    ]);
    expect(
      openRanges('2026-12-06', weekly, [
        { date: '2026-12-06', kind: 'EXTRA', startMinute: 10 * 60, endMinute: 11 * 60 },
      ]),
    ).toEqual([[600, 660]]); // a Sunday
    // A day off with extra hours keeps only the extra hours.
    expect(
      openRanges('2026-12-03', weekly, [
        { date: '2026-12-03', kind: 'OFF', startMinute: null, endMinute: null },
        { date: '2026-12-03', kind: 'EXTRA', startMinute: 20 * 60, endMinute: 21 * 60 },
      ]),
    ).toEqual([[1200, 1260]]);
  });

  describe('daylight-saving weekends (no missing or duplicated hour)', () => {
    const allNight: WeeklyRange[] = [0, 1, 2, 3, 4, 5, 6].flatMap((d) => weekday(d, [0, 6]));
    it('Europe/Paris, 29 March 2026: 02:00–03:00 does not exist', () => {
      const slots = day('2026-03-29', 'Europe/Paris', allNight, { type: type({ durationMinutes: 30 }) });
      expect(local(slots, 'Europe/Paris')).toEqual([
        '00:00',
        '00:30',
        '01:00',
        '01:30',
        '03:00',
        '03:30',
        '04:00',
        '04:30',
        '05:00',
        '05:30',
      ]);
      expect(new Set(slots.map((s) => s.startsAt.getTime())).size).toBe(slots.length);
    });
    it('Europe/Paris, 25 October 2026: 02:00–03:00 happens twice, as two distinct instants', () => {
      const slots = day('2026-10-25', 'Europe/Paris', allNight);
      expect(slots).toHaveLength(14);
      expect(local(slots, 'Europe/Paris').filter((x) => x.startsWith('02:'))).toEqual([
        '02:00',
        '02:30',
        '02:00',
        '02:30',
      ]);
      expect(new Set(slots.map((s) => s.startsAt.getTime())).size).toBe(14);
      // Consecutive slots are always 30 real minutes apart.
      for (let i = 1; i < slots.length; i++)
        expect(slots[i].startsAt.getTime() - slots[i - 1].startsAt.getTime()).toBe(30 * M);
    });
    it('America/New_York, 8 March and 1 November 2026', () => {
      expect(local(day('2026-03-08', 'America/New_York', allNight), 'America/New_York')).toEqual([
        '00:00',
        '00:30',
        '01:00',
        '01:30',
        '03:00',
        '03:30',
        '04:00',
        '04:30',
        '05:00',
        '05:30',
      ]);
      expect(day('2026-11-01', 'America/New_York', allNight)).toHaveLength(14);
    });
    it('a 9–12 range on a DST Sunday is unaffected (3 real hours either way)', () => {
      const sunday9to12 = weekday(0, [9, 12]);
      for (const d of ['2026-03-29', '2026-10-25'])
        expect(local(day(d, 'Europe/Paris', sunday9to12), 'Europe/Paris')).toEqual([
          '09:00',
          '09:30',
          '10:00',
          '10:30',
          '11:00',
          '11:30',
        ]);
    });
  });

  it('creator and fan in different zones: Paris hours, shown in New York', () => {
    const slots = day('2026-12-03', 'Europe/Paris', weekday(4, [9, 10]));
    expect(local(slots, 'America/New_York')).toEqual(['03:00', '03:30']);
    expect(partOfDay(slots[0].startsAt, 'America/New_York')).toBe('morning');
    expect(partOfDay(slots[0].startsAt, 'Asia/Tokyo')).toBe('afternoon'); // 17:00 in Tokyo
    expect(partOfDay(slots[0].startsAt, 'Australia/Sydney')).toBe('evening'); // 19:00 in Sydney
  });

  it('matches a naive reference (exact conversion of every bound, every taken span checked) on random calendars in eight zones over a year', () => {
    // A small deterministic generator, so a failure is reproducible.
    let seed = 20261121;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const naive = (input: Parameters<typeof computeSlots>[0]) => {
      const out: number[] = [];
      const { type: ty, timezone: tz } = input;
      const earliest = Math.max(input.from.getTime(), input.now.getTime() + ty.minNoticeMinutes * M);
      const latest = Math.min(input.to.getTime(), input.now.getTime() + ty.maxAdvanceDays * 24 * H);
      const first = localParts(earliest - 24 * H, tz);
      for (let t = Date.UTC(first.year, first.month - 1, first.day); t <= latest + 24 * H; t += 24 * H) {
        const date = new Date(t).toISOString().slice(0, 10);
        const [y, mo, d] = date.split('-').map(Number);
        const at = (minute: number) =>
          minute >= 1440
            ? zonedToUtc(y, mo, d + 1, 0, minute - 1440, tz).getTime()
            : zonedToUtc(y, mo, d, Math.floor(minute / 60), minute % 60, tz).getTime();
        for (const [a, b] of openRanges(date, input.weekly, input.exceptions)) {
          for (let s0 = at(a); s0 + ty.durationMinutes * M <= at(b); s0 += 30 * M) {
            if (s0 < earliest || s0 > latest) continue;
            if (
              input.busy.some(
                (x) =>
                  x.start < s0 + (ty.durationMinutes + ty.bufferAfterMinutes) * M &&
                  x.end > s0 - ty.bufferBeforeMinutes * M,
              )
            )
              continue;
            out.push(s0);
          }
        }
      }
      return out;
    };
    const zones = [
      'Europe/Paris',
      'America/New_York',
      'Australia/Sydney',
      'Australia/Lord_Howe',
      'Asia/Kathmandu',
      'Pacific/Chatham',
      'America/Sao_Paulo',
      'UTC',
    ];
    for (let round = 0; round < 64; round++) {
      const tz = zones[round % zones.length];
      const weekly = [0, 1, 2, 3, 4, 5, 6].flatMap((wd) => {
        const start = rnd(6) * 60 + rnd(2) * 30;
        return rnd(7) === 0
          ? []
          : [
              { weekday: wd, startMinute: start, endMinute: start + 120 + rnd(8) * 60 },
              { weekday: wd, startMinute: 1020, endMinute: rnd(2) ? 1440 : 1260 },
            ];
      });
      // Half the rounds start a few days before a DST change of one zone or another.
      const changes = [
        '2026-03-05',
        '2026-03-24',
        '2026-04-01',
        '2026-09-23',
        '2026-09-30',
        '2026-10-21',
        '2026-10-29',
      ];
      const now = rnd(2)
        ? new Date(`${changes[rnd(changes.length)]}T${String(rnd(24)).padStart(2, '0')}:00:00Z`)
        : new Date(Date.UTC(2026, rnd(12), 1 + rnd(28), rnd(24)));
      const from = new Date(now.getTime() + rnd(5) * 24 * H);
      const to = new Date(from.getTime() + 31 * 24 * H);
      const busy = Array.from({ length: 60 }, () => {
        const start = from.getTime() + rnd(31 * 48) * 30 * M - 15 * M * rnd(2);
        return { start, end: start + (15 + rnd(12) * 15) * M };
      });
      const ty = type({
        durationMinutes: [15, 30, 45, 60, 90][rnd(5)],
        bufferBeforeMinutes: [0, 5, 15][rnd(3)],
        bufferAfterMinutes: [0, 10, 30][rnd(3)],
        minNoticeMinutes: [0, 120, 1440][rnd(3)],
        maxAdvanceDays: [20, 60, 60][rnd(3)],
      });
      const exceptions: DateException[] = [
        {
          date: new Date(from.getTime() + 3 * 24 * H).toISOString().slice(0, 10),
          kind: 'OFF',
          startMinute: null,
          endMinute: null,
        },
      ];
      const input = { timezone: tz, weekly, exceptions, type: ty, busy, now, from, to };
      expect(
        computeSlots(input).map((x) => x.startsAt.getTime()),
        `${tz} round ${round}`,
      ).toEqual(naive(input));
    }
  });
});
