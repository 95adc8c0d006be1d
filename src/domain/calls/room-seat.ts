/**
 * Who may take a seat in a booking's built-in call, decided over the CallRoom's present
 * participants: pure, so the object only runs what it is told (end the replaced connections,
 * refuse, or admit and introduce the other participant).
 */

export type CallRole = 'CREATOR' | 'FAN';

/** What a verified join token says, as far as the seat is concerned. */
export interface Joiner {
  userId: string;
  role: CallRole;
  /** Unix seconds: the booked end of the call. */
  end: number;
}

export type JoinCheck<J> = { ok: true; joiner: J } | { ok: false; status: 403 | 410; message: string };

/**
 * Checks a join before any seat is looked at: no valid token, a token someone else presents
 * (`expectedUser`, from the API's signed-in person; null when not asked), or a call already over.
 */
export function checkJoin<J extends Joiner>(
  joiner: J | null,
  expectedUser: string | null,
  nowMs: number,
): JoinCheck<J> {
  if (!joiner) return { ok: false, status: 403, message: 'Invalid or expired join token' };
  // Through the API, the signed-in person must be the token's (a leaked link is not enough).
  if (expectedUser !== null && expectedUser !== joiner.userId)
    return { ok: false, status: 403, message: "This join token is someone else's" };
  if (nowMs >= joiner.end * 1000) return { ok: false, status: 410, message: 'This call is over' };
  return { ok: true, joiner };
}

export type Seat<P> =
  /** `replace`: the joiner's own older connections, ended first either way; `other`: who to introduce. */
  { ok: true; replace: P[]; other: P | null } | { ok: false; replace: P[]; status: 409; message: string };

/**
 * The joiner's seat among `present`: the same person reconnecting (new tab, network change)
 * replaces their old connection; the call has two seats, one per role.
 */
export function seatFor<P extends { who: { userId: string; role: CallRole } }>(present: P[], joiner: Joiner): Seat<P> {
  const replace = present.filter((p) => p.who.userId === joiner.userId);
  const others = present.filter((p) => p.who.userId !== joiner.userId);
  if (others.some((p) => p.who.role === joiner.role) || others.length >= 2)
    return { ok: false, replace, status: 409, message: 'This call already has its two participants' };
  return { ok: true, replace, other: others[0] ?? null };
}
