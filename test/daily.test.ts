/** The Daily adapter against the local fake Daily API, and Daily's webhook signature check. */
import { describe, expect, it } from 'vitest';
import {
  DAILY_SIGNATURE_HEADER,
  DAILY_TIMESTAMP_HEADER,
  DailyError,
  dailyRoomName,
  dailyVideo,
  verifyDailySignature,
} from '../src/providers/video/daily';
import { FAKE_DAILY } from './fake-credentials';
import { testEnv } from './helpers';

const base = () => `${testEnv.FAKES_URL}/daily`;
const control = (path: string, body: unknown) =>
  fetch(`${base()}/__daily/${path}`, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.json());
const state = async () =>
  (await (await fetch(`${testEnv.FAKES_URL}/__state/daily`)).json()) as {
    rooms: { name: string; privacy: string; url: string; config: Record<string, unknown> }[];
    deleted: string[];
    tokens: Record<string, unknown>[];
  };
let n = 0;
const bookingId = () => `bkg_dailytest${Date.now().toString(36)}${++n}`;
const sec = (d: Date) => Math.floor(d.getTime() / 1000);

describe('Daily adapter (against the local fake Daily API)', () => {
  const window = () => ({ notBefore: new Date(Date.now() - 60_000), expiresAt: new Date(Date.now() + 3_600_000) });

  it('creates one private 2-person room per booking, open around the call, everyone ejected at expiry; a second call reuses it', async () => {
    const video = dailyVideo({ apiKey: FAKE_DAILY.apiKey, apiBase: base() });
    const id = bookingId();
    const w = window();
    const room = await video.ensureRoom({ bookingId: id, ...w });
    expect(room).toEqual({
      provider: 'daily',
      name: dailyRoomName(id),
      url: `https://${FAKE_DAILY.domain}/${dailyRoomName(id)}`,
    });
    const stored = (await state()).rooms.find((r) => r.name === room.name)!;
    expect(stored.privacy).toBe('private');
    expect(stored.config).toMatchObject({
      nbf: sec(w.notBefore),
      exp: sec(w.expiresAt),
      eject_at_room_exp: true,
      max_participants: 2,
    });
    // A second join (or a retry) finds the room instead of failing on "already exists".
    expect(await video.ensureRoom({ bookingId: id, ...w })).toEqual(room);
    expect((await state()).rooms.filter((r) => r.name === room.name)).toHaveLength(1);
  });

  it('issues meeting tokens that expire, and eject their holder, at the booked end (the room keeps its grace); the creator owns the room', async () => {
    const video = dailyVideo({ apiKey: FAKE_DAILY.apiKey, apiBase: base() });
    const id = bookingId();
    const w = window();
    const callEndsAt = new Date(w.expiresAt.getTime() - 5 * 60_000); // the room closes 5 minutes after the booked end
    const room = await video.ensureRoom({ bookingId: id, ...w });
    const common = { room, bookingId: id, notBefore: w.notBefore, expiresAt: w.expiresAt, callEndsAt };
    const owner = await video.joinToken({ ...common, userId: 'usr_creator1', userName: 'Léa', isOwner: true });
    const fan = await video.joinToken({ ...common, userId: 'usr_fan1', userName: 'Camille', isOwner: false });
    const claims = (t: string) =>
      JSON.parse(Buffer.from(t.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    expect(claims(owner)).toMatchObject({
      r: room.name,
      o: true,
      ud: 'usr_creator1',
      nbf: sec(w.notBefore),
      exp: sec(callEndsAt),
      ejt: true,
    });
    expect(claims(fan)).toMatchObject({
      r: room.name,
      o: false,
      ud: 'usr_fan1',
      u: 'Camille',
      nbf: sec(w.notBefore),
      exp: sec(callEndsAt),
      ejt: true,
    });
    // What Daily was asked for, property by property.
    const asked = (await state()).tokens.filter((t) => t.room_name === room.name);
    expect(asked.map((t) => [t.user_id, t.exp, t.eject_at_token_exp])).toEqual([
      ['usr_creator1', sec(callEndsAt), true],
      ['usr_fan1', sec(callEndsAt), true],
    ]);
    expect((await state()).rooms.find((r) => r.name === room.name)!.config).toMatchObject({
      exp: sec(w.expiresAt),
      eject_at_room_exp: true,
    });
  });

  it('deletes the room, and deleting again is not an error (idempotent)', async () => {
    const video = dailyVideo({ apiKey: FAKE_DAILY.apiKey, apiBase: base() });
    const room = await video.ensureRoom({ bookingId: bookingId(), ...window() });
    await video.deleteRoom(room);
    await video.deleteRoom(room);
    const s = await state();
    expect(s.rooms.some((r) => r.name === room.name)).toBe(false);
    expect(s.deleted.filter((d) => d === room.name)).toHaveLength(1);
  });

  it('waits and retries on 429 (Retry-After), and gives up with a DailyError after its retries', async () => {
    const waits: number[] = [];
    const video = dailyVideo(
      { apiKey: FAKE_DAILY.isolatedApiKey, apiBase: base() },
      {
        sleep: async (ms) => {
          waits.push(ms);
        },
        maxRetries: 3,
      },
    );
    await control('rate-limit', { apiKey: FAKE_DAILY.isolatedApiKey, count: 2, retryAfter: 2 });
    const room = await video.ensureRoom({ bookingId: bookingId(), ...window() });
    expect(room.provider).toBe('daily');
    expect(waits).toEqual([2000, 4000]);

    await control('rate-limit', { apiKey: FAKE_DAILY.isolatedApiKey, count: 10, retryAfter: 1 });
    const err = await video.deleteRoom(room).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DailyError);
    expect((err as DailyError).status).toBe(429);
    await control('rate-limit', { apiKey: FAKE_DAILY.isolatedApiKey, count: 0 });
  });

  it('refuses a wrong API key with a DailyError (401), never a silent success', async () => {
    const video = dailyVideo({ apiKey: 'not-the-key', apiBase: base() });
    const err = await video.ensureRoom({ bookingId: bookingId(), ...window() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DailyError);
    expect((err as DailyError).status).toBe(401);
  });

  it("reads who attended from Daily's meeting records", async () => {
    const video = dailyVideo({ apiKey: FAKE_DAILY.apiKey, apiBase: base() });
    const room = await video.ensureRoom({ bookingId: bookingId(), ...window() });
    const t0 = Math.floor(Date.now() / 1000) - 1800;
    await control('meetings', {
      room: room.name,
      start_time: t0,
      duration: 1500,
      participants: [
        { user_id: 'usr_a', participant_id: 'sess-a', user_name: 'A', join_time: t0, duration: 1500 },
        { user_id: 'usr_b', participant_id: 'sess-b', user_name: 'B', join_time: t0 + 60, duration: 1400 },
      ],
    });
    expect(await video.attendance(room)).toEqual([
      { sessionId: 'sess-a', userId: 'usr_a', joinedAt: new Date(t0 * 1000), leftAt: new Date((t0 + 1500) * 1000) },
      {
        sessionId: 'sess-b',
        userId: 'usr_b',
        joinedAt: new Date((t0 + 60) * 1000),
        leftAt: new Date((t0 + 1460) * 1000),
      },
    ]);
  });
});

describe('Daily webhook signature', () => {
  it('reads the headers Daily sends (X-Webhook-Signature, X-Webhook-Timestamp)', () => {
    expect([DAILY_SIGNATURE_HEADER, DAILY_TIMESTAMP_HEADER]).toEqual(['x-webhook-signature', 'x-webhook-timestamp']);
  });

  it('verifies a known-answer vector computed outside this code (Python hmac and openssl agree)', async () => {
    // secret = base64("call-a-star known-answer daily hmac key"); signature = base64(HMAC-SHA256(
    // base64decode(secret), timestamp + "." + body)), computed with Python's hmac module and checked
    // with `openssl dgst -sha256 -mac HMAC` — not with the helper under test.
    const secret = 'Y2FsbC1hLXN0YXIga25vd24tYW5zd2VyIGRhaWx5IGhtYWMga2V5';
    const timestamp = '1767225600';
    const body =
      '{"version":"1.0.0","type":"participant.joined","id":"ptcpt-join-6497c79b","payload":{"room":"cas-bkg-kat1","user_id":"usr_fan_kat","session_id":"5b2e2f3a-1d4c-4e0f-9a65-0c1a2b3c4d5e","joined_at":1767225590},"event_ts":1767225600.123}';
    const signature = '5PN53jAKhcZiof65Wt5gEfi6o2+KEyVA9tGX4B6zq2g=';
    expect(await verifyDailySignature(secret, timestamp, body, signature)).toBe(true);
    // The same vector under the schemes one might wrongly assume, each refused:
    expect(await verifyDailySignature(secret, timestamp, body, '1VYwtE7cyGqzM3hMhqNeZ9U4ErWu9V4I7iA5RuUsvRU=')).toBe(
      false,
    ); // HMAC of the body alone
    expect(await verifyDailySignature(secret, timestamp, body, 'ob8Ja/hjOWLhbFCIdUANPwuXQLxCZO8M8tJpWxQLWqo=')).toBe(
      false,
    ); // key = the base64 text, not its bytes
    expect(await verifyDailySignature(secret, timestamp, body.replace('1767225590', '1767225591'), signature)).toBe(
      false,
    );
  });

  it('accepts what Daily signs and refuses a changed body, timestamp or secret, and garbage', async () => {
    const signed = (await control('webhook', { type: 'meeting.started', payload: { room: 'x', start_ts: 1 } })) as {
      body: string;
      headers: Record<string, string>;
    };
    const sig = signed.headers['x-webhook-signature'];
    const ts = signed.headers['x-webhook-timestamp'];
    expect(await verifyDailySignature(FAKE_DAILY.webhookSecret, ts, signed.body, sig)).toBe(true);
    expect(
      await verifyDailySignature(
        FAKE_DAILY.webhookSecret,
        ts,
        signed.body.replace('meeting.started', 'meeting.ended'),
        sig,
      ),
    ).toBe(false);
    expect(await verifyDailySignature(FAKE_DAILY.webhookSecret, String(Number(ts) + 1), signed.body, sig)).toBe(false);
    expect(await verifyDailySignature(btoa('another-secret-entirely'), ts, signed.body, sig)).toBe(false);
    expect(await verifyDailySignature(FAKE_DAILY.webhookSecret, ts, signed.body, 'not base64 !!')).toBe(false);
  });
});
