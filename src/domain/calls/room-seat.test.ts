import { describe, expect, it } from 'vitest';
import { checkJoin, seatFor, type CallRole } from './room-seat';

const peer = (userId: string, role: CallRole) => ({ ws: userId, who: { userId, role } });
const fan = { userId: 'usr_f', role: 'FAN' as const, end: 2_000 };

describe('a seat in the built-in call', () => {
  it('refuses a missing token, someone else presenting it, and a call over; admits otherwise', () => {
    expect(checkJoin(null, null, 0)).toEqual({ ok: false, status: 403, message: 'Invalid or expired join token' });
    expect(checkJoin(fan, 'usr_other', 0)).toMatchObject({ ok: false, status: 403 });
    expect(checkJoin(fan, null, 2_000_000)).toMatchObject({ ok: false, status: 410 });
    expect(checkJoin(fan, 'usr_f', 1_999_999)).toEqual({ ok: true, joiner: fan });
    expect(checkJoin(fan, null, 0)).toEqual({ ok: true, joiner: fan });
  });

  it('replaces the same person, introduces the other role, refuses a second of a role or a third person', () => {
    const creator = peer('usr_c', 'CREATOR');
    const oldTab = peer('usr_f', 'FAN');
    expect(seatFor([], fan)).toEqual({ ok: true, replace: [], other: null });
    expect(seatFor([creator, oldTab], fan)).toEqual({ ok: true, replace: [oldTab], other: creator });
    expect(seatFor([peer('usr_f2', 'FAN')], fan)).toMatchObject({ ok: false, status: 409, replace: [] });
    // The replaced connection goes even when the seat is refused (as the room always did).
    expect(seatFor([oldTab, peer('usr_f2', 'FAN')], fan)).toMatchObject({ ok: false, replace: [oldTab] });
    expect(seatFor([creator, peer('usr_x', 'CREATOR')], fan)).toMatchObject({ ok: false, status: 409 });
  });
});
