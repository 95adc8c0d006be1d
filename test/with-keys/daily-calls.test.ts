/** Calls with Daily configured: rooms and tokens through the adapter, signed webhooks, outcomes from Daily's records, cleanup. */
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { bookings, callEvents } from '../../src/db/schema';
import { settleCallOutcomes } from '../../src/domain/calls/outcome';
import { dailyRoomName } from '../../src/providers/video/daily';
import { cleanUpVideoRooms } from '../../src/domain/calls/room-cleanup';
import type { JoinResponseT } from '../../src/shared/calls';
import { FAKE_DAILY } from '../fake-credentials';
import { api, callLogRows, deps, expectError, fetchApp, testEnv, bookingRow } from '../helpers';
import { moveCall } from '../scenarios';
import { stripePaidBooking } from './stripe';

const MIN = 60_000;
const daily = (path: string, body: unknown) =>
  fetch(`${testEnv.FAKES_URL}/daily/__daily/${path}`, { method: 'POST', body: JSON.stringify(body) }).then((r) =>
    r.json(),
  );
const dailyState = async () =>
  (await (await fetch(`${testEnv.FAKES_URL}/__state/daily`)).json()) as {
    rooms: { name: string; config: Record<string, number | boolean> }[];
    deleted: string[];
    tokens: Record<string, unknown>[];
    requests: { method: string; path: string; query: string }[];
  };
/** Requests made to the fake Daily since `from` (an index into its request log). */
const dailyRequestsSince = async (from: number) => (await dailyState()).requests.slice(from);
/** A CSP header as directive → sources. */
const cspOf = (res: Response) =>
  Object.fromEntries(
    (res.headers.get('content-security-policy') ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([k, ...v]) => [k, v]),
  );
const booking = async (id: string) => await bookingRow(id);

async function deliver(type: string, payload: Record<string, unknown>, opts: { id?: string; timestamp?: number } = {}) {
  const signed = (await daily('webhook', { type, payload, ...opts })) as {
    body: string;
    headers: Record<string, string>;
  };
  return fetchApp('/api/webhooks/daily', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signed.headers },
    body: signed.body,
  });
}

describe('with Daily configured', () => {
  it('gives the two participants a private room and their own tokens (the creator owns the room)', async () => {
    expect(deps().video.name).toBe('daily');
    const s = await stripePaidBooking();
    const { startsAt, endsAt } = await moveCall(s.bookingId, 3 * MIN);
    const fan = (await (
      await api('POST', `/api/bookings/${s.bookingId}/join`, undefined, { token: s.fan.token })
    ).json()) as JoinResponseT;
    const creator = (await (
      await api('POST', `/api/bookings/${s.bookingId}/join`, undefined, { token: s.c.token })
    ).json()) as JoinResponseT;
    const name = dailyRoomName(s.bookingId);
    expect(fan).toMatchObject({
      provider: 'daily',
      roomUrl: `https://${FAKE_DAILY.domain}/${name}`,
      socketUrl: null,
      role: 'FAN',
    });
    expect(creator.roomUrl).toBe(fan.roomUrl);
    const state = await dailyState();
    const room = state.rooms.find((r) => r.name === name)!;
    expect(room.config).toMatchObject({
      nbf: (startsAt.getTime() - 15 * MIN) / 1000,
      exp: (endsAt.getTime() + 5 * MIN) / 1000,
      max_participants: 2,
      eject_at_room_exp: true,
    });
    const tokens = state.tokens.filter((t) => t.room_name === name);
    expect(tokens.map((t) => [t.user_id, t.is_owner])).toEqual([
      [s.fan.user.id, false],
      [s.c.user.id, true],
    ]);
    // Each token ends at the booked end, and Daily ejects its holder then, whatever their page does
    // (a background tab, a modified client); the room keeps the 5-minute grace for late reconnections.
    for (const t of tokens)
      expect([t.nbf, t.exp, t.eject_at_token_exp]).toEqual([
        (startsAt.getTime() - 15 * MIN) / 1000,
        endsAt.getTime() / 1000,
        true,
      ]);
    expect(await booking(s.bookingId)).toMatchObject({
      videoProvider: 'daily',
      videoRoomName: name,
      videoRoomUrl: fan.roomUrl,
    });
    // Joining again (a reload, or a script in a loop) hands back the live token: Daily is not asked for another.
    const asked = (await dailyState()).requests.length;
    const again = (await (
      await api('POST', `/api/bookings/${s.bookingId}/join`, undefined, { token: s.fan.token })
    ).json()) as JoinResponseT;
    expect(again.token).toBe(fan.token);
    expect((await dailyRequestsSince(asked)).filter((r) => r.path.includes('meeting-tokens'))).toEqual([]);
    expect((await dailyState()).tokens.filter((t) => t.room_name === name)).toHaveLength(2);
  });

  it('records signed Daily webhooks once, refuses bad or stale signatures, ignores other rooms, answers the endpoint check', async () => {
    const s = await stripePaidBooking();
    await moveCall(s.bookingId, 0);
    expect((await api('POST', `/api/bookings/${s.bookingId}/join`, undefined, { token: s.fan.token })).status).toBe(
      200,
    );
    const room = dailyRoomName(s.bookingId);
    const joinedAt = Math.floor(Date.now() / 1000);
    const first = await deliver(
      'participant.joined',
      { room, user_id: s.fan.user.id, session_id: 'sess-fan-1', joined_at: joinedAt },
      { id: `evt-${s.bookingId}-1` },
    );
    expect(await first.json()).toEqual({ received: true, status: 'processed' });
    const dup = await deliver(
      'participant.joined',
      { room, user_id: s.fan.user.id, session_id: 'sess-fan-1', joined_at: joinedAt },
      { id: `evt-${s.bookingId}-1` },
    );
    expect(await dup.json()).toEqual({ received: true, status: 'duplicate' });
    const events = await deps()
      .db.select()
      .from(callEvents)
      .where(and(eq(callEvents.bookingId, s.bookingId), eq(callEvents.source, 'DAILY')))
      .all();
    expect(events.map((e) => [e.type, e.actorRole, e.occurredAt.getTime()])).toEqual([
      ['PARTICIPANT_JOINED', 'FAN', joinedAt * 1000],
    ]);

    expect(
      await (
        await deliver('participant.joined', {
          room: 'someone-elses-room',
          user_id: 'x',
          session_id: 'y',
          joined_at: joinedAt,
        })
      ).json(),
    ).toEqual({ received: true, status: 'ignored' });
    await expectError(
      await deliver('participant.left', { room, user_id: s.fan.user.id }, { timestamp: joinedAt - 600 }),
      400,
      'SIGNATURE_INVALID',
    );
    const signed = (await daily('webhook', { type: 'meeting.ended', payload: { room } })) as {
      body: string;
      headers: Record<string, string>;
    };
    await expectError(
      await fetchApp('/api/webhooks/daily', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signed.headers },
        body: signed.body.replace('meeting.ended', 'meeting.started'),
      }),
      400,
      'SIGNATURE_INVALID',
    );
    await expectError(
      await fetchApp('/api/webhooks/daily', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: signed.body,
      }),
      400,
      'SIGNATURE_INVALID',
    );
    expect(
      await (
        await fetchApp('/api/webhooks/daily', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"test":"test"}',
        })
      ).json(),
    ).toEqual({ received: true, status: 'test' });
  });

  it("decides the outcome from webhooks and Daily's meeting records together (no double counting), then deletes the room", async () => {
    const s = await stripePaidBooking();
    await moveCall(s.bookingId, 0);
    expect((await api('POST', `/api/bookings/${s.bookingId}/join`, undefined, { token: s.c.token })).status).toBe(200);
    const { startsAt, endsAt } = await moveCall(s.bookingId, -40 * MIN);
    const room = dailyRoomName(s.bookingId);
    const t0 = startsAt.getTime() / 1000;
    // The fan's join came by webhook; the creator's webhook was lost, Daily's records have both.
    await deliver('participant.joined', { room, user_id: s.fan.user.id, session_id: 'sess-fan', joined_at: t0 + 60 });
    await daily('meetings', {
      room,
      start_time: t0,
      duration: 1800,
      participants: [
        { user_id: s.c.user.id, participant_id: 'sess-creator', user_name: 'Creator', join_time: t0, duration: 1800 },
        { user_id: s.fan.user.id, participant_id: 'sess-fan', user_name: 'Fan', join_time: t0 + 60, duration: 1740 },
      ],
    });
    await settleCallOutcomes(deps());
    const b = await booking(s.bookingId);
    expect([b.status, b.outcome]).toEqual(['COMPLETED', 'COMPLETED']);
    const presence = await deps()
      .db.select()
      .from(callEvents)
      .where(and(eq(callEvents.bookingId, s.bookingId), eq(callEvents.type, 'PARTICIPANT_JOINED')))
      .all();
    expect(presence.map((e) => e.actorRole).sort()).toEqual(['CREATOR', 'FAN']);
    // One CALL_EVENT per session's join, though the fan's came twice (webhook, then Daily's records).
    const logged = (await callLogRows(s.bookingId))
      .map((r) => r.context as { event: string; source: string; role: string })
      .filter((c) => c.event === 'PARTICIPANT_JOINED');
    expect(logged.map((c) => `${c.source}:${c.role}`).sort()).toEqual(['DAILY:CREATOR', 'DAILY:FAN']);
    const summary = (await (
      await api('GET', `/api/call-summary/${s.bookingId}`, undefined, { token: s.fan.token })
    ).json()) as { summary: { status: string; actual: { durationSeconds: number } } };
    expect(summary.summary).toMatchObject({ status: 'completed', actual: { durationSeconds: 1740 } });
    expect(endsAt.getTime()).toBe(startsAt.getTime() + 30 * MIN);

    await cleanUpVideoRooms(deps());
    expect((await dailyState()).deleted).toContain(room);
    expect((await booking(s.bookingId)).videoRoomDeletedAt).not.toBeNull();
  });

  it('serves the call page with the CSP daily-js needs in call-object mode with avoidEval — and no unsafe-eval', async () => {
    const s = await stripePaidBooking();
    await moveCall(s.bookingId, 3 * MIN);
    const res = await fetchApp(`/en/call/${s.bookingId}`, { headers: { authorization: `Bearer ${s.fan.token}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('data-island="call"');
    const csp = cspOf(res);
    expect(csp['script-src']).toEqual(["'self'", 'https://*.daily.co', 'blob:']);
    expect(csp['connect-src']).toEqual([
      "'self'",
      'https://*.daily.co',
      'https://*.pluot.blue',
      'wss://*.wss.daily.co',
    ]);
    expect(csp['worker-src']).toEqual(["'self'", 'blob:']);
    expect(csp['media-src']).toEqual(["'self'", 'blob:', 'mediastream:']);
    expect(csp['frame-src']).toEqual(["'none'"]); // call-object mode: no Daily iframe
    expect(csp['default-src']).toEqual(["'self'"]);
    expect(res.headers.get('content-security-policy')).not.toMatch(/unsafe-eval|unsafe-inline/);
    // Only the call page opens up to Daily.
    const other = cspOf(
      await fetchApp(`/en/bookings/${s.bookingId}`, { headers: { authorization: `Bearer ${s.fan.token}` } }),
    );
    expect(other['script-src']?.join(' ')).not.toContain('daily.co');
    expect(other['connect-src']?.join(' ')).not.toContain('daily.co');
    expect(other['worker-src']).toEqual(["'self'"]);
  });

  it("reads Daily's meeting records when the summary is asked for after the window, before the outcome job — once each, never twice", async () => {
    const s = await stripePaidBooking();
    await moveCall(s.bookingId, 0);
    expect((await api('POST', `/api/bookings/${s.bookingId}/join`, undefined, { token: s.fan.token })).status).toBe(
      200,
    );
    const { startsAt } = await moveCall(s.bookingId, -40 * MIN); // over; the window closed 5 minutes ago
    const room = dailyRoomName(s.bookingId);
    const t0 = startsAt.getTime() / 1000;
    // Every webhook was lost: only Daily's records know who came.
    await daily('meetings', {
      room,
      start_time: t0,
      duration: 1800,
      participants: [
        {
          user_id: s.c.user.id,
          participant_id: `sess-c-${s.bookingId}`,
          user_name: 'Creator',
          join_time: t0,
          duration: 1800,
        },
        {
          user_id: s.fan.user.id,
          participant_id: `sess-f-${s.bookingId}`,
          user_name: 'Fan',
          join_time: t0 + 120,
          duration: 1680,
        },
      ],
    });
    const meetingsAsked = (reqs: { method: string; path: string; query: string }[]) =>
      reqs.filter(
        (r) => r.method === 'GET' && r.path === '/v1/meetings' && new URLSearchParams(r.query).get('room') === room,
      ).length;
    const summary = async () =>
      (
        (await (await api('GET', `/api/call-summary/${s.bookingId}`, undefined, { token: s.fan.token })).json()) as {
          summary: {
            status: string;
            outcome: string | null;
            participants: { fan: { attended: boolean }; creator: { attended: boolean } };
            actual: { startedAt: string; durationSeconds: number };
          };
        }
      ).summary;
    const presenceRows = () =>
      deps()
        .db.select()
        .from(callEvents)
        .where(and(eq(callEvents.bookingId, s.bookingId), eq(callEvents.source, 'DAILY')))
        .all();

    const mark = (await dailyState()).requests.length;
    const first = await summary();
    expect(first).toMatchObject({
      status: 'completed',
      outcome: null,
      participants: { fan: { attended: true }, creator: { attended: true } },
      actual: { startedAt: new Date((t0 + 120) * 1000).toISOString(), durationSeconds: 1680 },
    });
    expect((await presenceRows()).map((e) => `${e.type}:${e.actorRole}`).sort()).toEqual([
      'PARTICIPANT_JOINED:CREATOR',
      'PARTICIPANT_JOINED:FAN',
      'PARTICIPANT_LEFT:CREATOR',
      'PARTICIPANT_LEFT:FAN',
    ]);
    // Read again (and by the creator's summary page): the same four events, nothing twice.
    expect(await summary()).toEqual(first);
    expect(
      (await fetchApp(`/en/call/${s.bookingId}/summary`, { headers: { authorization: `Bearer ${s.c.token}` } })).status,
    ).toBe(200);
    expect(await presenceRows()).toHaveLength(4);
    expect(meetingsAsked(await dailyRequestsSince(mark))).toBe(3);

    // The outcome job imports them too (no duplicates) and decides; from then on the summary asks Daily nothing.
    await settleCallOutcomes(deps());
    expect((await booking(s.bookingId)).outcome).toBe('COMPLETED');
    expect(await presenceRows()).toHaveLength(4);
    const afterJob = (await dailyState()).requests.length;
    expect((await summary()).status).toBe('completed');
    expect(meetingsAsked(await dailyRequestsSince(afterJob))).toBe(0);
  });

  it('a summary read during the call asks Daily nothing (its records are not final yet)', async () => {
    const s = await stripePaidBooking();
    await moveCall(s.bookingId, 0);
    expect((await api('POST', `/api/bookings/${s.bookingId}/join`, undefined, { token: s.fan.token })).status).toBe(
      200,
    );
    const mark = (await dailyState()).requests.length;
    expect(
      await (await api('GET', `/api/call-summary/${s.bookingId}`, undefined, { token: s.fan.token })).json(),
    ).toMatchObject({ summary: { status: 'pending' } });
    expect(
      (await dailyRequestsSince(mark)).filter(
        (r) => r.path === '/v1/meetings' && r.query.includes(dailyRoomName(s.bookingId)),
      ),
    ).toEqual([]);
  });

  it("the cleanup job deletes exactly the finished and the cancelled bookings' rooms, once each; a second run sends Daily no DELETE", async () => {
    const finished = await stripePaidBooking();
    const upcoming = await stripePaidBooking();
    const cancelled = await stripePaidBooking();
    for (const s of [finished, upcoming, cancelled]) {
      await moveCall(s.bookingId, 10 * MIN);
      expect((await api('POST', `/api/bookings/${s.bookingId}/join`, undefined, { token: s.fan.token })).status).toBe(
        200,
      );
    }
    await moveCall(finished.bookingId, -40 * MIN); // ended 10 minutes ago
    // Cancelled while Daily was unreachable (the immediate deletion failed): the job catches up.
    await deps().db.update(bookings).set({ status: 'CANCELLED' }).where(eq(bookings.id, cancelled.bookingId));
    const rooms = {
      finished: dailyRoomName(finished.bookingId),
      upcoming: dailyRoomName(upcoming.bookingId),
      cancelled: dailyRoomName(cancelled.bookingId),
    };
    const mine = new Set(Object.values(rooms));
    const deletes = (reqs: { method: string; path: string }[]) =>
      reqs
        .filter((r) => r.method === 'DELETE' && mine.has(r.path.replace('/v1/rooms/', '')))
        .map((r) => r.path.replace('/v1/rooms/', ''))
        .sort();

    const mark = (await dailyState()).requests.length;
    const first = await cleanUpVideoRooms(deps());
    const sent = await dailyRequestsSince(mark);
    expect(deletes(sent)).toEqual([rooms.cancelled, rooms.finished].sort());
    // Whatever else this file left finished is deleted too, and the job counts exactly what it sent.
    const known = new Set(
      (await deps().db.select({ name: bookings.videoRoomName }).from(bookings).all()).map((r) => r.name),
    );
    expect(first).toEqual({
      deleted: sent.filter((r) => r.method === 'DELETE' && known.has(r.path.replace('/v1/rooms/', ''))).length,
      failed: 0,
    });
    const state = await dailyState();
    expect(state.rooms.map((r) => r.name).filter((n) => mine.has(n))).toEqual([rooms.upcoming]);
    expect(state.deleted.filter((n) => mine.has(n)).sort()).toEqual([rooms.cancelled, rooms.finished].sort());
    expect((await booking(upcoming.bookingId)).videoRoomDeletedAt).toBeNull();

    const again = (await dailyState()).requests.length;
    expect(await cleanUpVideoRooms(deps())).toEqual({ deleted: 0, failed: 0 });
    expect(
      (await dailyRequestsSince(again)).filter(
        (r) => r.method === 'DELETE' && mine.has(r.path.replace('/v1/rooms/', '')),
      ),
    ).toEqual([]);
    expect((await dailyState()).deleted.filter((n) => mine.has(n))).toHaveLength(2);
  });

  it('deletes the Daily room at once when the booking is cancelled', async () => {
    const s = await stripePaidBooking();
    await moveCall(s.bookingId, 10 * MIN);
    expect((await api('POST', `/api/bookings/${s.bookingId}/join`, undefined, { token: s.fan.token })).status).toBe(
      200,
    );
    // Calls already open can only be cancelled by the creator before they start (refund in full).
    expect(
      (await api('POST', `/api/bookings/${s.bookingId}/cancel`, { reason: 'Sick' }, { token: s.c.token })).status,
    ).toBe(200);
    expect((await dailyState()).deleted).toContain(dailyRoomName(s.bookingId));
    expect((await booking(s.bookingId)).videoRoomDeletedAt).not.toBeNull();
  });
});
