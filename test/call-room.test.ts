import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { callEvents } from '../src/db/schema';
import { eq } from 'drizzle-orm';
import { computeAttendance } from '../src/domain/calls/attendance';
import { presenceOf } from '../src/domain/calls/presence';
import { signCallToken } from '../src/providers/video/p2p';
import { callLogRows, deps, testEnv, until } from './helpers';
import { confirmedBooking } from './scenarios';

const SECRET = () => deps().config.sessionSecret;
const now = () => Math.floor(Date.now() / 1000);

async function token(
  bookingId: string,
  userId: string,
  role: 'CREATOR' | 'FAN',
  window: [number, number] = [now() - 60, now() + 3600],
  end = window[1],
) {
  return signCallToken(SECRET(), {
    bookingId,
    userId,
    userName: `${role} ${userId}`,
    role,
    nbf: window[0],
    exp: window[1],
    end,
  });
}

async function join(bookingId: string, tok: string, user?: string) {
  const qs = new URLSearchParams({ bookingId, token: tok, ...(user ? { user } : {}) });
  const res = await testEnv.CALL_ROOM.getByName(bookingId).fetch(
    new Request(`http://call/ws?${qs}`, { headers: { upgrade: 'websocket' } }),
  );
  if (res.status !== 101) return { status: res.status, ws: null, inbox: [] as Record<string, unknown>[] };
  const ws = res.webSocket!;
  const inbox: Record<string, unknown>[] = [];
  ws.accept();
  ws.addEventListener('message', (e) => {
    inbox.push(JSON.parse(String(e.data)));
  });
  return { status: 101, ws, inbox };
}

describe('CallRoom signalling (built-in peer-to-peer call)', () => {
  it('admits the fan and the creator, relays offer/answer/candidates, refuses a third and bad tokens', async () => {
    const b = (await confirmedBooking()).bookingId;
    const creator = await join(b, await token(b, 'usr_creator', 'CREATOR'));
    expect(creator.status).toBe(101);
    await until(() => creator.inbox.length > 0);
    expect(creator.inbox[0]).toMatchObject({ type: 'welcome', role: 'CREATOR', peer: null, initiator: false });
    const fan = await join(b, await token(b, 'usr_fan', 'FAN'));
    await until(() => fan.inbox.length > 0 && creator.inbox.length > 1);
    expect(fan.inbox[0]).toMatchObject({ type: 'welcome', role: 'FAN', initiator: true, peer: { role: 'CREATOR' } });
    expect(creator.inbox[1]).toMatchObject({ type: 'peer-joined', peer: { role: 'FAN' } });

    fan.ws!.send(JSON.stringify({ type: 'offer', sdp: 'v=0 offer' }));
    await until(() => creator.inbox.some((m) => m.type === 'offer'));
    creator.ws!.send(JSON.stringify({ type: 'answer', sdp: 'v=0 answer' }));
    creator.ws!.send(
      JSON.stringify({
        type: 'candidate',
        candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0' },
      }),
    );
    fan.ws!.send(JSON.stringify({ type: 'evil', payload: 'not relayed' }));
    await until(() => fan.inbox.some((m) => m.type === 'candidate'));
    expect(creator.inbox.find((m) => m.type === 'offer')).toEqual({ type: 'offer', sdp: 'v=0 offer' });
    expect(fan.inbox.find((m) => m.type === 'answer')).toEqual({ type: 'answer', sdp: 'v=0 answer' });
    expect(creator.inbox.some((m) => m.type === 'evil')).toBe(false);

    expect((await join(b, await token(b, 'usr_intruder', 'FAN'))).status).toBe(409);
    expect((await join(b, await token('bkg_someothercall01', 'usr_fan', 'FAN'))).status).toBe(403);
    expect((await join(b, await token(b, 'usr_fan', 'FAN', [now() + 600, now() + 3600]))).status).toBe(403); // not open yet
    expect((await join(b, 'forged.token')).status).toBe(403);
    // Through the API the signed-in person must be the token's own.
    expect((await join(b, await token(b, 'usr_fan', 'FAN'), 'usr_somebodyelse')).status).toBe(403);

    fan.ws!.close(1000, 'bye');
    await until(() => creator.inbox.some((m) => m.type === 'peer-left'));
    const events = await deps().db.select().from(callEvents).where(eq(callEvents.bookingId, b)).all();
    expect(events.map((e) => `${e.type}:${e.actorRole}`).sort()).toEqual([
      'PARTICIPANT_JOINED:CREATOR',
      'PARTICIPANT_JOINED:FAN',
      'PARTICIPANT_LEFT:FAN',
    ]);
    creator.ws!.close();
  });

  it('ends the call for everyone at the booked end (alarm), records the leaves, and refuses late joiners', async () => {
    const b = (await confirmedBooking()).bookingId;
    const end = now() + 60;
    const creator = await join(b, await token(b, 'usr_c3', 'CREATOR', [now() - 60, now() + 600], end));
    const fan = await join(b, await token(b, 'usr_f3', 'FAN', [now() - 60, now() + 600], end));
    expect([creator.status, fan.status]).toEqual([101, 101]);
    const stub = testEnv.CALL_ROOM.getByName(b);
    expect(await runInDurableObject(stub, async (_o, state) => state.storage.getAlarm())).toBe(end * 1000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await until(() => creator.inbox.some((m) => m.type === 'time-up') && fan.inbox.some((m) => m.type === 'time-up'));
    expect(await stub.presence()).toEqual([]);
    const events = await deps().db.select().from(callEvents).where(eq(callEvents.bookingId, b)).all();
    expect(
      events
        .filter((e) => e.type === 'PARTICIPANT_LEFT')
        .map((e) => e.actorRole)
        .sort(),
    ).toEqual(['CREATOR', 'FAN']);
    // A token whose call has ended opens nothing.
    expect((await join(b, await token(b, 'usr_f3', 'FAN', [now() - 600, now() + 600], now() - 1))).status).toBe(410);
  });

  it('records one join and one leave per connection, a replaced connection included, so presence ends when the last one does', async () => {
    const s = await confirmedBooking();
    const b = s.bookingId;
    const fanId = s.fan.user.id;
    const first = await join(b, await token(b, fanId, 'FAN'));
    const second = await join(b, await token(b, fanId, 'FAN')); // a new tab: the first connection is replaced
    expect([first.status, second.status]).toEqual([101, 101]);
    second.ws!.close(1000, 'bye');
    const rows = async () =>
      (await deps().db.select().from(callEvents).where(eq(callEvents.bookingId, b)).all()).filter(
        (e) => e.type === 'PARTICIPANT_JOINED' || e.type === 'PARTICIPANT_LEFT',
      );
    await until(async () => (await rows()).length >= 4, { what: 'both joins and both leaves' });
    const events = await rows();
    const sessions = new Map<string, string[]>();
    for (const e of events) {
      const sid = String((e.metadata as { sessionId?: string }).sessionId);
      sessions.set(sid, [...(sessions.get(sid) ?? []), e.type].sort());
      expect(e.dedupeKey).toBe(`p2p:${sid}:${e.type === 'PARTICIPANT_JOINED' ? 'joined' : 'left'}`);
    }
    expect([...sessions.values()]).toEqual([
      ['PARTICIPANT_JOINED', 'PARTICIPANT_LEFT'],
      ['PARTICIPANT_JOINED', 'PARTICIPANT_LEFT'],
    ]);
    // Nobody is still counted as in the call.
    const a = computeAttendance(
      await presenceOf(deps(), b),
      { startsAt: new Date(Date.now() - 60_000), endsAt: new Date(Date.now() + 3_600_000) },
      new Date(),
    );
    expect(a.ongoing).toEqual({ FAN: false, CREATOR: false });
  });

  it('logs one CALL_EVENT per join and per leave of each connection, and a CALL_ERROR when a socket fails', async () => {
    const s = await confirmedBooking();
    const b = s.bookingId;
    const first = await join(b, await token(b, s.fan.user.id, 'FAN'));
    const second = await join(b, await token(b, s.fan.user.id, 'FAN')); // replaces the first
    const creator = await join(b, await token(b, s.c.user.id, 'CREATOR'));
    expect([first.status, second.status, creator.status]).toEqual([101, 101, 101]);
    second.ws!.close(1000, 'bye');
    const presence = async () => (await callLogRows(b)).filter((r) => r.type === 'CALL_EVENT');
    for (let i = 0; i < 100 && (await presence()).length < 5; i++) await new Promise((r) => setTimeout(r, 10));
    const seen = (await presence()).map((r) => {
      const c = r.context as { event: string; role: string; userId: string; source: string };
      return `${c.event}:${c.role}:${c.source}:${c.userId === (c.role === 'FAN' ? s.fan.user.id : s.c.user.id)}`;
    });
    expect(seen.sort()).toEqual([
      'PARTICIPANT_JOINED:CREATOR:SERVER:true',
      'PARTICIPANT_JOINED:FAN:SERVER:true',
      'PARTICIPANT_JOINED:FAN:SERVER:true',
      'PARTICIPANT_LEFT:FAN:SERVER:true',
      'PARTICIPANT_LEFT:FAN:SERVER:true',
    ]);
    // The creator's socket fails: the room logs the error once, and the leave as for a close.
    await runInDurableObject(testEnv.CALL_ROOM.getByName(b), async (room, state) => {
      const [ws] = state.getWebSockets('CREATOR');
      await room.webSocketError(ws!, new Error('socket reset'));
    });
    const errors = (await callLogRows(b)).filter((r) => r.type === 'CALL_ERROR');
    expect(errors.map((r) => [r.level, (r.context as { event: string; role: string }).event, r.actorId])).toEqual([
      ['ERROR', 'SOCKET_ERROR', s.c.user.id],
    ]);
    expect(errors[0]!.error).toContain('socket reset');
    expect((await presence()).filter((r) => (r.context as { role: string }).role === 'CREATOR')).toHaveLength(2);
  });

  it('closes for good when the room is deleted', async () => {
    const b = (await confirmedBooking()).bookingId;
    const fan = await join(b, await token(b, 'usr_fan2', 'FAN'));
    expect(fan.status).toBe(101);
    await deps().video.deleteRoom({ provider: 'p2p', name: b, url: null });
    await until(() => fan.inbox.some((m) => m.type === 'closed'));
    expect((await join(b, await token(b, 'usr_fan2', 'FAN'))).status).toBe(410);
  });
});
