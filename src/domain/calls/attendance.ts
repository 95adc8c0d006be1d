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
export type PresenceRow = Pick<CallEvent, 'type' | 'source' | 'actorRole' | 'occurredAt'> & { sessionId?: string | null };

/** A call that ends less than this before its booked end still counts as completed (goodbyes). */
export const EARLY_END_TOLERANCE_MS = 2 * 60_000;

const trusted = (e: Pick<CallEvent, 'source'>) => e.source === 'SERVER' || e.source === 'DAILY';

export function computeAttendance(
  events: PresenceRow[],
  booking: { startsAt: Date; endsAt: Date },
  now: Date,
): Attendance {
  const w = callWindow(booking);
  const lo = w.opensAt.getTime();
  const hi = Math.min(w.closesAt.getTime(), now.getTime());
  const present: Record<Party, Interval[]> = { FAN: [], CREATOR: [] };
  const since: Record<Party, number | null> = { FAN: null, CREATOR: null };
  const sorted = events.filter((e) => trusted(e) && (e.actorRole === 'FAN' || e.actorRole === 'CREATOR'))
    .sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  for (const e of sorted) {
    const who = e.actorRole as Party;
    const t = Math.min(Math.max(e.occurredAt.getTime(), lo), hi);
    if (e.type === 'PARTICIPANT_JOINED' && since[who] === null) since[who] = t;
    if (e.type === 'PARTICIPANT_LEFT' && since[who] !== null) {
      if (t > since[who]!) present[who].push([since[who]!, t]);
      since[who] = null;
    }
  }
  const ongoing: Record<Party, boolean> = { FAN: false, CREATOR: false };
  for (const who of ['FAN', 'CREATOR'] as Party[]) {
    if (since[who] === null) continue;
    // Still connected (or the leave was never reported): present until now, at most to the window's close.
    if (hi > since[who]!) present[who].push([since[who]!, hi]);
    ongoing[who] = now.getTime() < w.closesAt.getTime();
  }
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

/** The attendance outcome, decided once the window has closed. */
export function decideOutcome(a: Attendance): CallOutcome {
  if (a.togetherMs > 0) return 'COMPLETED';
  if (a.attended.FAN && a.attended.CREATOR) return 'INTERRUPTED'; // both came, never at the same time
  if (a.attended.FAN) return 'CREATOR_NO_SHOW';
  if (a.attended.CREATOR) return 'FAN_NO_SHOW';
  return 'BOTH_NO_SHOW';
}

/** What the summary shows: completed / interrupted / no-show, or not decided yet. */
export function callStatus(a: Attendance, booking: { startsAt: Date; endsAt: Date }, now: Date): CallStatus {
  const w = callWindow(booking);
  if (a.togetherMs > 0) {
    if (a.ongoing.FAN && a.ongoing.CREATOR) return 'in_progress';
    if ((a.actualEnd ?? 0) >= booking.endsAt.getTime() - EARLY_END_TOLERANCE_MS) return 'completed';
    return 'interrupted';
  }
  if (now.getTime() < w.closesAt.getTime()) return a.ongoing.FAN || a.ongoing.CREATOR ? 'in_progress' : 'pending';
  return a.attended.FAN && a.attended.CREATOR ? 'interrupted' : 'no_show';
}
