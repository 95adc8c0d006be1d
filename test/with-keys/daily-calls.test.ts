/** Calls with Daily configured: rooms and tokens through the adapter, signed webhooks, outcomes from Daily's records, cleanup. */
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { bookings, callEvents } from '../../src/db/schema';
import { settleCallOutcomes } from '../../src/domain/calls/outcome';
import { dailyRoomName } from '../../src/providers/video/daily';
import { cleanUpVideoRooms } from '../../src/jobs/room-cleanup';
import type { JoinResponseT } from '../../src/shared/calls';
import { FAKE_DAILY } from '../fake-credentials';
import { api, deps, expectError, fetchApp, testEnv } from '../helpers';
import { moveCall } from '../scenarios';
import { stripePaidBooking } from './stripe';

const MIN = 60_000;
const daily = (path: string, body: unknown) => fetch(`${testEnv.FAKES_URL}/daily/__daily/${path}`, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.json());
const dailyState = async () => (await (await fetch(`${testEnv.FAKES_URL}/__state/daily`)).json()) as { rooms: { name: string; config: Record<string, number | boolean> }[]; deleted: string[]; tokens: Record<string, unknown>[] };
const booking = async (id: string) => (await deps().db.select().from(bookings).where(eq(bookings.id, id)).get())!;

async function deliver(type: string, payload: Record<string, unknown>, opts: { id?: string; timestamp?: number } = {}) {
  const signed = (await daily('webhook', { type, payload, ...opts })) as { body: string; headers: Record<string, string> };
  return fetchApp('/api/webhooks/daily', { method: 'POST', headers: { 'content-type': 'application/json', ...signed.headers }, body: signed.body });
}

describe('with Daily configured', () => {
  it('gives the two participants a private room and their own tokens (the creator owns the room)', async () => {
    expect(deps().video.name).toBe('daily');
    const s = await stripePaidBooking();
    const { startsAt, endsAt } = await moveCall(s.bookingId, 3 * MIN);
    const fan = (await (await api('POST', `/api/bookings/${s.bookingId}/join`, undefined, { token: s.fan.token })).json()) as JoinResponseT;
    const creator = (await (await api('POST', `/api/bookings/${s.bookingId}/join`, undefined, { token: s.c.token })).json()) as JoinResponseT;
    const name = dailyRoomName(s.bookingId);
    expect(fan).toMatchObject({ provider: 'daily', roomUrl: `https://${FAKE_DAILY.domain}/${name}`, socketUrl: null, role: 'FAN' });
    expect(creator.roomUrl).toBe(fan.roomUrl);
    const state = await dailyState();
    const room = state.rooms.find((r) => r.name === name)!;
    expect(room.config).toMatchObject({ nbf: (startsAt.getTime() - 15 * MIN) / 1000, exp: (endsAt.getTime() + 5 * MIN) / 1000, max_participants: 2, eject_at_room_exp: true });
    const tokens = state.tokens.filter((t) => t.room_name === name);
    expect(tokens.map((t) => [t.user_id, t.is_owner])).toEqual([[s.fan.user.id, false], [s.c.user.id, true]]);
    expect((await booking(s.bookingId))).toMatchObject({ videoProvider: 'daily', videoRoomName: name, videoRoomUrl: fan.roomUrl });
  });

  it('records signed Daily webhooks once, refuses bad or stale signatures, ignores other rooms, answers the endpoint check', async () => {
    const s = await stripePaidBooking();
    await moveCall(s.bookingId, 0);
    expect((await api('POST', `/api/bookings/${s.bookingId}/join`, undefined, { token: s.fan.token })).status).toBe(200);
    const room = dailyRoomName(s.bookingId);
    const joinedAt = Math.floor(Date.now() / 1000);
    const first = await deliver('participant.joined', { room, user_id: s.fan.user.id, session_id: 'sess-fan-1', joined_at: joinedAt }, { id: `evt-${s.bookingId}-1` });
    expect(await first.json()).toEqual({ received: true, status: 'processed' });
    const dup = await deliver('participant.joined', { room, user_id: s.fan.user.id, session_id: 'sess-fan-1', joined_at: joinedAt }, { id: `evt-${s.bookingId}-1` });
    expect(await dup.json()).toEqual({ received: true, status: 'duplicate' });
    const events = await deps().db.select().from(callEvents).where(and(eq(callEvents.bookingId, s.bookingId), eq(callEvents.source, 'DAILY'))).all();
    expect(events.map((e) => [e.type, e.actorRole, e.occurredAt.getTime()])).toEqual([['PARTICIPANT_JOINED', 'FAN', joinedAt * 1000]]);

    expect(await (await deliver('participant.joined', { room: 'someone-elses-room', user_id: 'x', session_id: 'y', joined_at: joinedAt })).json()).toEqual({ received: true, status: 'ignored' });
    await expectError(await deliver('participant.left', { room, user_id: s.fan.user.id }, { timestamp: joinedAt - 600 }), 400, 'SIGNATURE_INVALID');
    const signed = (await daily('webhook', { type: 'meeting.ended', payload: { room } })) as { body: string; headers: Record<string, string> };
    await expectError(await fetchApp('/api/webhooks/daily', { method: 'POST', headers: { 'content-type': 'application/json', ...signed.headers }, body: signed.body.replace('meeting.ended', 'meeting.started') }), 400, 'SIGNATURE_INVALID');
    await expectError(await fetchApp('/api/webhooks/daily', { method: 'POST', headers: { 'content-type': 'application/json' }, body: signed.body }), 400, 'SIGNATURE_INVALID');
    expect(await (await fetchApp('/api/webhooks/daily', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"test":"test"}' })).json()).toEqual({ received: true, status: 'test' });
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
    await daily('meetings', { room, start_time: t0, duration: 1800, participants: [
      { user_id: s.c.user.id, participant_id: 'sess-creator', user_name: 'Creator', join_time: t0, duration: 1800 },
      { user_id: s.fan.user.id, participant_id: 'sess-fan', user_name: 'Fan', join_time: t0 + 60, duration: 1740 },
    ] });
    await settleCallOutcomes(deps());
    const b = await booking(s.bookingId);
    expect([b.status, b.outcome]).toEqual(['COMPLETED', 'COMPLETED']);
    const presence = await deps().db.select().from(callEvents).where(and(eq(callEvents.bookingId, s.bookingId), eq(callEvents.type, 'PARTICIPANT_JOINED'))).all();
    expect(presence.map((e) => e.actorRole).sort()).toEqual(['CREATOR', 'FAN']);
    const summary = (await (await api('GET', `/api/call-summary/${s.bookingId}`, undefined, { token: s.fan.token })).json()) as { summary: { status: string; actual: { durationSeconds: number } } };
    expect(summary.summary).toMatchObject({ status: 'completed', actual: { durationSeconds: 1740 } });
    expect(endsAt.getTime()).toBe(startsAt.getTime() + 30 * MIN);

    await cleanUpVideoRooms(deps());
    expect((await dailyState()).deleted).toContain(room);
    expect((await booking(s.bookingId)).videoRoomDeletedAt).not.toBeNull();
  });

  it('deletes the Daily room at once when the booking is cancelled', async () => {
    const s = await stripePaidBooking();
    await moveCall(s.bookingId, 10 * MIN);
    expect((await api('POST', `/api/bookings/${s.bookingId}/join`, undefined, { token: s.fan.token })).status).toBe(200);
    // Calls already open can only be cancelled by the creator before they start (refund in full).
    expect((await api('POST', `/api/bookings/${s.bookingId}/cancel`, { reason: 'Sick' }, { token: s.c.token })).status).toBe(200);
    expect((await dailyState()).deleted).toContain(dailyRoomName(s.bookingId));
    expect((await booking(s.bookingId)).videoRoomDeletedAt).not.toBeNull();
  });
});
