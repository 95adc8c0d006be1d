/**
 * Attendance from call events, one pure function. Only presence the server saw (the CallRoom's
 * sockets) or Daily reported (webhooks, meeting records) counts: a page can post what it likes to
 * the call log, but it cannot make its owner present.
 */
import type { CallEvent } from '../../db/schema';
import { callWindow } from './window';

export type Party = 'FAN' | 'CREATOR';
export type Interval = [number, number];
export type CallOutcome = 'COMPLETED' | 'CREATOR_NO_SHOW' | 'FAN_NO_SHOW' | 'BOTH_NO_SHOW' | 'INTERRUPTED';
/** `pending`: nothing decisive yet (before or during the window); the rest as in the API contract. */
export type CallStatus = 'pending' | 'in_progress' | 'completed' | 'interrupted' | 'no_show';

export interface Attendance {
  present: Record<Party, Interval[]>;
  /** Both in the call at once. */
  together: Interval[];
  attended: Record<Party, boolean>;
  actualStart: number | null;
  actualEnd: number | null;
  togetherMs: number;
  /** Someone is in the call right now. */
  ongoing: Record<Party, boolean>;
}

/** One trusted presence row (see presence.ts); `sessionId` tells one connection of a person from another. */
export type PresenceRow = Pick<CallEvent, 'type' | 'source' | 'actorRole' | 'occurredAt'> & {
  sessionId?: string | null;
};

const trusted = (e: Pick<CallEvent, 'source'>) => e.source === 'SERVER' || e.source === 'DAILY';

/** Intervals merged where they overlap or touch (a person's connections, as one presence). */
function union(list: Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const [s, e] of [...list].sort((x, y) => x[0] - y[0])) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/**
 * Each connection (session) is followed on its own — its join, its leave (in whatever order they
 * were recorded) — and a person's presence is the union of their connections: one tab closing does
 * not end the presence of another still open. Rows without a session id (older rows) are read as one
 * sequence per person, joins before leaves at the same instant.
 */
export function computeAttendance(
  events: PresenceRow[],
  booking: { startsAt: Date; endsAt: Date },
  now: Date,
): Attendance {
  const w = callWindow(booking);
  const lo = w.opensAt.getTime();
  const hi = Math.min(w.closesAt.getTime(), now.getTime());
  const clip = (t: number) => Math.min(Math.max(t, lo), hi);
  const sessions = new Map<string, { who: Party; sid: string | null; rows: PresenceRow[] }>();
  for (const e of events) {
    if (!trusted(e) || (e.actorRole !== 'FAN' && e.actorRole !== 'CREATOR')) continue;
    const key = `${e.actorRole}:${e.sessionId ?? ''}`;
    const group = sessions.get(key) ?? { who: e.actorRole, sid: e.sessionId ?? null, rows: [] };
    group.rows.push(e);
    sessions.set(key, group);
  }
  const raw: Record<Party, Interval[]> = { FAN: [], CREATOR: [] };
  const open: Record<Party, boolean> = { FAN: false, CREATOR: false };
  const add = (who: Party, from: number, to: number | null) => {
    // Still connected (or the leave was never reported): present until now, at most to the window's close.
    if (to === null) open[who] = true;
    const end = to ?? hi;
    if (end > from) raw[who].push([from, end]);
  };
  for (const { who, sid, rows } of sessions.values()) {
    const times = (type: PresenceRow['type']) =>
      rows.filter((r) => r.type === type).map((r) => clip(r.occurredAt.getTime()));
    if (sid !== null) {
      const joins = times('PARTICIPANT_JOINED');
      const leaves = times('PARTICIPANT_LEFT');
      if (joins.length) add(who, Math.min(...joins), leaves.length ? Math.max(...leaves) : null);
      continue;
    }
    rows.sort(
      (a, b) =>
        a.occurredAt.getTime() - b.occurredAt.getTime() ||
        (a.type === b.type ? 0 : a.type === 'PARTICIPANT_JOINED' ? -1 : 1),
    );
    let since: number | null = null;
    for (const e of rows) {
      const t = clip(e.occurredAt.getTime());
      if (e.type === 'PARTICIPANT_JOINED' && since === null) since = t;
      else if (e.type === 'PARTICIPANT_LEFT' && since !== null) {
        add(who, since, t);
        since = null;
      }
    }
    if (since !== null) add(who, since, null);
  }
  const present: Record<Party, Interval[]> = { FAN: union(raw.FAN), CREATOR: union(raw.CREATOR) };
  const stillOpen = now.getTime() < w.closesAt.getTime();
  const ongoing: Record<Party, boolean> = { FAN: open.FAN && stillOpen, CREATOR: open.CREATOR && stillOpen };
  const together: Interval[] = [];
  for (const [a0, a1] of present.FAN) {
    for (const [b0, b1] of present.CREATOR) {
      const s = Math.max(a0, b0);
      const e = Math.min(a1, b1);
      if (e > s) together.push([s, e]);
    }
  }
  together.sort((x, y) => x[0] - y[0]);
  return {
    present,
    together,
    attended: { FAN: present.FAN.length > 0 || ongoing.FAN, CREATOR: present.CREATOR.length > 0 || ongoing.CREATOR },
    actualStart: together[0]?.[0] ?? null,
    actualEnd: together.length ? Math.max(...together.map((i) => i[1])) : null,
    togetherMs: together.reduce((sum, [s, e]) => sum + (e - s), 0),
    ongoing,
  };
}

/**
 * How long both must have been in the call together for it to count as held (platform settings):
 * the lesser of a number of minutes and a share of the booked duration.
 */
export function tookPlaceThresholdMs(
  s: { callMinTogetherMinutes: number; callMinTogetherPct: number },
  booking: { startsAt: Date; endsAt: Date },
): number {
  const booked = booking.endsAt.getTime() - booking.startsAt.getTime();
  return Math.min(s.callMinTogetherMinutes * 60_000, Math.floor((booked * s.callMinTogetherPct) / 100));
}

/** Together long enough (`thresholdMs`, see tookPlaceThresholdMs): the call took place. */
const tookPlace = (a: Attendance, thresholdMs: number) => a.togetherMs > 0 && a.togetherMs >= thresholdMs;

/**
 * The attendance outcome, decided once the window has closed. Both came but were not together long
 * enough (two seconds, or never at once) → INTERRUPTED: an admin decides, nothing is automatic.
 */
export function decideOutcome(a: Attendance, thresholdMs: number): CallOutcome {
  if (tookPlace(a, thresholdMs)) return 'COMPLETED';
  if (a.attended.FAN && a.attended.CREATOR) return 'INTERRUPTED';
  if (a.attended.FAN) return 'CREATOR_NO_SHOW';
  if (a.attended.CREATOR) return 'FAN_NO_SHOW';
  return 'BOTH_NO_SHOW';
}

/** What the summary shows: the outcome rule's verdict as far as it is known, `in_progress` / `pending` before. */
export function callStatus(
  a: Attendance,
  booking: { startsAt: Date; endsAt: Date },
  now: Date,
  thresholdMs: number,
): CallStatus {
  const w = callWindow(booking);
  if (a.togetherMs > 0) {
    if (a.ongoing.FAN && a.ongoing.CREATOR) return 'in_progress';
    return tookPlace(a, thresholdMs) ? 'completed' : 'interrupted';
  }
  if (now.getTime() < w.closesAt.getTime()) return a.ongoing.FAN || a.ongoing.CREATOR ? 'in_progress' : 'pending';
  return a.attended.FAN && a.attended.CREATOR ? 'interrupted' : 'no_show';
}
