/**
 * STUN/TURN for the built-in call: ICE_SERVERS parsing (stun:, stuns:, turn:, turns:), short-lived
 * TURN credentials minted per join by Cloudflare Realtime TURN (against the local fake), and the
 * join falling back to the static servers when minting fails.
 */
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { callCredentials, logs } from '../src/db/schema';
import { buildDeps } from '../src/deps';
import { joinCall } from '../src/domain/calls/access';
import { CREDENTIALS_REUSE_MS } from '../src/domain/calls/credentials';
import { callWindow } from '../src/domain/calls/window';
import { parseIceServers, type Bindings } from '../src/env';
import { fixedClock } from '../src/lib/clock';
import { cloudflareTurn, IceError, MAX_TURN_TTL_S } from '../src/providers/video/ice';
import { FAKE_TURN } from './fake-credentials';
import { deps, testEnv, userRow } from './helpers';
import { callAt, moveCall } from './scenarios';

const MIN = 60_000;
const issued = async () =>
  (
    (await (await fetch(`${testEnv.FAKES_URL}/__state/cloudflare`)).json()) as {
      issued: { ttl: number; username: string; credential: string }[];
    }
  ).issued;
const turnKey = (apiToken: string = FAKE_TURN.apiToken) => ({
  keyId: FAKE_TURN.keyId,
  apiToken,
  apiBase: `${testEnv.FAKES_URL}/cloudflare`,
});
/** The app's env with a Cloudflare TURN key (and one static STUN server) configured. */
const turnEnv = (apiToken: string = FAKE_TURN.apiToken): Bindings => ({
  ...testEnv,
  ICE_SERVERS: 'stun:stun.example.org:3478',
  TURN_KEY_ID: FAKE_TURN.keyId,
  TURN_KEY_API_TOKEN: apiToken,
  TURN_API_BASE: `${testEnv.FAKES_URL}/cloudflare`,
});

describe('ICE_SERVERS', () => {
  it.each([
    ['nothing', {}, []],
    [
      'STUN only (stun: and stuns:), no credentials',
      { ICE_SERVERS: 'stun:stun.example.org:3478, stuns:stun.example.org:5349' },
      [{ urls: ['stun:stun.example.org:3478', 'stuns:stun.example.org:5349'] }],
    ],
    [
      'TURN (turn: and turns:) with its credentials, next to STUN',
      {
        ICE_SERVERS:
          'stuns:s.example.org:5349,turn:t.example.org:3478?transport=udp,turns:t.example.org:5349?transport=tcp',
        TURN_USERNAME: 'u',
        TURN_CREDENTIAL: 'p',
      },
      [
        { urls: ['stuns:s.example.org:5349'] },
        {
          urls: ['turn:t.example.org:3478?transport=udp', 'turns:t.example.org:5349?transport=tcp'],
          username: 'u',
          credential: 'p',
        },
      ],
    ],
    [
      'other schemes, blanks and junk ignored',
      {
        ICE_SERVERS: ' ,https://x.example.org,stun:,stunx:a:1, turn:t.example.org:3478 ,',
        TURN_USERNAME: 'u',
        TURN_CREDENTIAL: 'p',
      },
      [{ urls: ['turn:t.example.org:3478'], username: 'u', credential: 'p' }],
    ],
  ] as const)('%s', (_name, env, expected) => {
    expect(parseIceServers(env)).toEqual(expected);
  });
});

describe('Cloudflare Realtime TURN (local fake)', () => {
  const now = new Date('2026-12-01T18:00:00Z');

  it('mints credentials valid until the given time, after the static servers, without the port-53 URLs browsers refuse', async () => {
    const ice = cloudflareTurn(turnKey(), [{ urls: ['stun:stun.example.org:3478'] }]);
    const servers = await ice.serversFor({ now, until: new Date(now.getTime() + 47 * MIN + 500) });
    const mine = (await issued()).at(-1)!;
    expect(mine.ttl).toBe(47 * 60 + 1); // rounded up: never shorter than asked
    expect(servers).toEqual([
      { urls: ['stun:stun.example.org:3478'] },
      { urls: ['stun:stun.cloudflare.com:3478'] },
      {
        urls: [
          'turn:turn.cloudflare.com:3478?transport=udp',
          'turn:turn.cloudflare.com:3478?transport=tcp',
          'turn:turn.cloudflare.com:80?transport=tcp',
          'turns:turn.cloudflare.com:5349?transport=tcp',
          'turns:turn.cloudflare.com:443?transport=tcp',
        ],
        username: mine.username,
        credential: mine.credential,
      },
    ]);
  });

  it("keeps the TTL inside Cloudflare's limits (at most 48 h, at least a minute)", async () => {
    const ice = cloudflareTurn(turnKey(), []);
    await ice.serversFor({ now, until: new Date(now.getTime() + 5 * 24 * 60 * MIN) });
    expect((await issued()).at(-1)!.ttl).toBe(MAX_TURN_TTL_S);
    await ice.serversFor({ now, until: new Date(now.getTime() - MIN) });
    expect((await issued()).at(-1)!.ttl).toBe(60);
  });

  it('throws an IceError when Cloudflare refuses the key (nothing minted)', async () => {
    const before = (await issued()).length;
    const err = await cloudflareTurn(turnKey('not-the-token'), [])
      .serversFor({ now, until: new Date(now.getTime() + MIN) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IceError);
    expect((err as IceError).status).toBe(401);
    expect((await issued()).length).toBe(before);
  });
});

describe('joining the built-in call with a TURN key', () => {
  const fanOf = async (s: Awaited<ReturnType<typeof callAt>>) => await userRow(s.fan.user.id);

  it('mints TURN credentials valid until the access window closes, at most once per person per interval (a second join reuses them)', async () => {
    const s = await callAt(5 * MIN);
    const clock = fixedClock(Date.now());
    const d = buildDeps(turnEnv(), { clock });
    const before = Date.now();
    const mintedBefore = (await issued()).length;
    const first = await joinCall(d, await fanOf(s), s.bookingId);
    const second = await joinCall(d, await fanOf(s), s.bookingId);
    if (!first.ok || !second.ok) throw new Error('join refused');
    expect((await issued()).length).toBe(mintedBefore + 1);
    const a = (await issued()).at(-1)!;
    const closes = callWindow(s).closesAt.getTime();
    expect(a.ttl).toBeGreaterThanOrEqual(Math.floor((closes - Date.now()) / 1000));
    expect(a.ttl).toBeLessThanOrEqual(Math.ceil((closes - before) / 1000));
    expect(first.iceServers[0]).toEqual({ urls: ['stun:stun.example.org:3478'] });
    expect(first.iceServers.find((x) => x.username)).toMatchObject({ username: a.username, credential: a.credential });
    // The same join answer again: same TURN credentials, same call token.
    expect(second.iceServers).toEqual(first.iceServers);
    expect(second.token).toBe(first.token);
    // What is kept in the database is sealed: neither the call token nor the TURN credential is readable there.
    const stored = JSON.stringify(
      await deps().db.select().from(callCredentials).where(eq(callCredentials.bookingId, s.bookingId)).all(),
    );
    expect(stored).toContain('"sealed"');
    for (const secret of [first.token, a.username, a.credential]) expect(stored).not.toContain(secret);
    // The other participant has their own; after the interval the fan gets new ones.
    const creator = await joinCall(d, await userRow(s.c.user.id), s.bookingId);
    if (!creator.ok) throw new Error('join refused');
    expect(creator.iceServers.find((x) => x.username)!.username).not.toBe(a.username);
    clock.advance(CREDENTIALS_REUSE_MS + 1000);
    const later = await joinCall(d, await fanOf(s), s.bookingId);
    if (!later.ok) throw new Error('join refused');
    expect((await issued()).length).toBe(mintedBefore + 3);
    expect(later.iceServers.find((x) => x.username)!.username).toBe((await issued()).at(-1)!.username);
  });

  it('mints again when the call moved (credentials are tied to its times)', async () => {
    const s = await callAt(5 * MIN);
    const d = buildDeps(turnEnv());
    const first = await joinCall(d, await fanOf(s), s.bookingId);
    await moveCall(s.bookingId, 6 * MIN);
    const moved = await joinCall(d, await fanOf(s), s.bookingId);
    if (!first.ok || !moved.ok) throw new Error('join refused');
    expect(moved.token).not.toBe(first.token);
    expect(moved.iceServers.find((x) => x.username)!.username).not.toBe(
      first.iceServers.find((x) => x.username)!.username,
    );
  });

  it('still lets people in with the static servers when Cloudflare refuses, and logs why (and asks again on the next join)', async () => {
    const s = await callAt(5 * MIN);
    const r = await joinCall(buildDeps(turnEnv('revoked-token')), await fanOf(s), s.bookingId);
    if (!r.ok) throw new Error('join refused');
    expect(r.iceServers).toEqual([{ urls: ['stun:stun.example.org:3478'] }]);
    const mintedBefore = (await issued()).length;
    const next = await joinCall(buildDeps(turnEnv()), await fanOf(s), s.bookingId);
    if (!next.ok) throw new Error('join refused');
    expect((await issued()).length).toBe(mintedBefore + 1);
    const warned = await deps()
      .db.select()
      .from(logs)
      .where(and(eq(logs.type, 'ROOM_ERROR'), eq(logs.level, 'WARNING')))
      .all();
    expect(warned.some((l) => (l.context as { bookingId?: string } | null)?.bookingId === s.bookingId)).toBe(true);
  });

  it('without a TURN key, the join answers the static servers and asks Cloudflare nothing', async () => {
    const s = await callAt(5 * MIN);
    const before = (await issued()).length;
    const r = await joinCall(
      buildDeps({ ...testEnv, ICE_SERVERS: 'stun:stun.example.org:3478' }),
      await fanOf(s),
      s.bookingId,
    );
    if (!r.ok) throw new Error('join refused');
    expect(r.iceServers).toEqual([{ urls: ['stun:stun.example.org:3478'] }]);
    expect((await issued()).length).toBe(before);
  });
});
