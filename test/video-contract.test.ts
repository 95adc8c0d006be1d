/**
 * The video port's contract, run against both providers: the built-in peer-to-peer call (CallRoom
 * Durable Objects) and the Daily adapter (against the local fake Daily API). Whatever the provider:
 * one room per booking, created idempotently; a token per participant, the creator's owning the room,
 * each admitting its holder from the window's opening until the booked end and no longer; deleting
 * a room shuts it for everyone and can be repeated; attendance records are null or start empty.
 */
import { describe, expect, it } from 'vitest';
import { dailyRoomName, dailyVideo } from '../src/providers/video/daily';
import { verifyCallToken } from '../src/providers/video/p2p';
import type { VideoPort, VideoRoom } from '../src/providers/video/port';
import { FAKE_DAILY } from './fake-credentials';
import { deps, testEnv } from './helpers';
import { callAt } from './scenarios';

const MIN = 60_000;
const sec = (d: Date) => Math.floor(d.getTime() / 1000);

interface Harness {
  port: () => VideoPort;
  /** What a token lets its holder do, read in the provider's own terms. */
  inspect(
    room: VideoRoom,
    token: string,
    bookingId: string,
  ): Promise<{ userId: string; owner: boolean; from: number; until: number }>;
  /** Whether a participant with this token can still get into the room. */
  isOpen(room: VideoRoom, token: string, bookingId: string): Promise<boolean>;
}

const p2p: Harness = {
  port: () => deps().video,
  async inspect(_room, token, bookingId) {
    const claims = await verifyCallToken(deps().config.sessionSecret, token, bookingId, Math.floor(Date.now() / 1000));
    if (!claims) throw new Error('token not valid now');
    // The CallRoom refuses connections from the booked end on and disconnects everyone then.
    return {
      userId: claims.userId,
      owner: claims.role === 'CREATOR',
      from: claims.nbf,
      until: Math.min(claims.exp, claims.end),
    };
  },
  async isOpen(room, token, bookingId) {
    const res = await testEnv.CALL_ROOM.getByName(room.name).fetch(
      new Request(`http://call/?bookingId=${bookingId}&token=${encodeURIComponent(token)}`, {
        headers: { upgrade: 'websocket' },
      }),
    );
    if (res.status === 101) {
      res.webSocket!.accept();
      res.webSocket!.close(1000, 'contract probe');
    }
    return res.status === 101;
  },
};

const dailyState = async () =>
  (await (await fetch(`${testEnv.FAKES_URL}/__state/daily`)).json()) as {
    rooms: { name: string; config: Record<string, number | boolean> }[];
  };
const daily: Harness = {
  port: () => dailyVideo({ apiKey: FAKE_DAILY.apiKey, apiBase: `${testEnv.FAKES_URL}/daily` }),
  async inspect(room, token) {
    // A Daily meeting token is a JWT: room (r), owner (o), user id (ud), nbf, exp, eject at exp (ejt).
    const c = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as {
      r: string;
      o: boolean;
      ud: string;
      nbf: number;
      exp: number;
      ejt?: boolean;
    };
    expect(c.r).toBe(room.name);
    // Without eject_at_token_exp a holder already inside stays until the room itself expires.
    const roomExp = (await dailyState()).rooms.find((r) => r.name === room.name)!.config.exp as number;
    return { userId: c.ud, owner: c.o, from: c.nbf, until: c.ejt ? c.exp : roomExp };
  },
  async isOpen(room) {
    return (await dailyState()).rooms.some((r) => r.name === room.name);
  },
};

/** A real booking (the built-in call records presence against it). */
const newBooking = async () => (await callAt(-MIN)).bookingId;

describe.each([
  ['p2p (built-in)', p2p],
  ['daily (fake Daily API)', daily],
] as const)('video port contract: %s', (_name, h) => {
  // A call that started a minute ago and lasts 30 minutes; its window opened 15 minutes before the start and closes 5 after the end.
  const window = () => {
    const startsAt = new Date(Math.floor(Date.now() / 1000) * 1000 - MIN);
    const callEndsAt = new Date(startsAt.getTime() + 30 * MIN);
    return {
      notBefore: new Date(startsAt.getTime() - 15 * MIN),
      expiresAt: new Date(callEndsAt.getTime() + 5 * MIN),
      callEndsAt,
    };
  };

  it('creates one room per booking, idempotently, named after the booking and marked with the provider', async () => {
    const port = h.port();
    const [a, b] = [await newBooking(), await newBooking()];
    const w = window();
    const room = await port.ensureRoom({ bookingId: a, notBefore: w.notBefore, expiresAt: w.expiresAt });
    expect(room.provider).toBe(port.name);
    expect(room.name).toBe(port.name === 'daily' ? dailyRoomName(a) : a);
    expect(await port.ensureRoom({ bookingId: a, notBefore: w.notBefore, expiresAt: w.expiresAt })).toEqual(room);
    expect((await port.ensureRoom({ bookingId: b, notBefore: w.notBefore, expiresAt: w.expiresAt })).name).not.toBe(
      room.name,
    );
  });

  it("gives each participant their own token, the creator's owning the room, admitting them from the window's opening until the booked end", async () => {
    const port = h.port();
    const bookingId = await newBooking();
    const w = window();
    const room = await port.ensureRoom({ bookingId, notBefore: w.notBefore, expiresAt: w.expiresAt });
    const common = { room, bookingId, notBefore: w.notBefore, expiresAt: w.expiresAt, callEndsAt: w.callEndsAt };
    const creator = await port.joinToken({ ...common, userId: 'usr_contractcreator', userName: 'Léa', isOwner: true });
    const fan = await port.joinToken({ ...common, userId: 'usr_contractfan', userName: 'Camille', isOwner: false });
    expect(creator).not.toBe(fan);
    expect(await h.inspect(room, creator, bookingId)).toEqual({
      userId: 'usr_contractcreator',
      owner: true,
      from: sec(w.notBefore),
      until: sec(w.callEndsAt),
    });
    expect(await h.inspect(room, fan, bookingId)).toEqual({
      userId: 'usr_contractfan',
      owner: false,
      from: sec(w.notBefore),
      until: sec(w.callEndsAt),
    });
  });

  it('deletes a room for everyone; deleting it again is not an error', async () => {
    const port = h.port();
    const bookingId = await newBooking();
    const w = window();
    const room = await port.ensureRoom({ bookingId, notBefore: w.notBefore, expiresAt: w.expiresAt });
    const token = await port.joinToken({
      room,
      bookingId,
      userId: 'usr_contractfan',
      userName: 'Camille',
      isOwner: false,
      notBefore: w.notBefore,
      expiresAt: w.expiresAt,
      callEndsAt: w.callEndsAt,
    });
    expect(await h.isOpen(room, token, bookingId)).toBe(true);
    await port.deleteRoom(room);
    expect(await h.isOpen(room, token, bookingId)).toBe(false);
    await expect(port.deleteRoom(room)).resolves.toBeUndefined();
    expect(await h.isOpen(room, token, bookingId)).toBe(false);
  });

  it('keeps no attendance for a room nobody entered (null: the provider keeps no records; else an empty list)', async () => {
    const port = h.port();
    const bookingId = await newBooking();
    const w = window();
    const room = await port.ensureRoom({ bookingId, notBefore: w.notBefore, expiresAt: w.expiresAt });
    const records = await port.attendance(room);
    expect(records === null ? null : records.length).toBe(port.name === 'p2p' ? null : 0);
  });
});
