// Attacker stories "socket floods" and the accept/withdraw race (issue 16, items 11 and 15): one
// address opening sockets to one object or to every object it can reach, sockets left idle, and a
// fan withdrawing a request while the creator accepts it (or the creator rejecting it meanwhile).
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { and, count, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  bookings,
  callOffers,
  callRequests,
  emailLog,
  localStripeObjects,
  notifications,
  payments,
} from '../../src/db/schema';
import type { CallRoom } from '../../src/durable/call-room';
import type { CreatorCalendar } from '../../src/durable/creator-calendar';
import { OfferRoom } from '../../src/durable/offer-room';
import { backdateSockets, MAX_AGE_MS } from '../../src/durable/socket-hub';
import { addressKey } from '../../src/durable/socket-quota';
import { createRequest } from '../../src/domain/requests/requests';
import { LIVE_SOCKETS, SOCKET_CLOSE } from '../../src/shared/live-sockets';
import type { JoinResponseT } from '../../src/shared/calls';
import { diff, snapshot, unexpectedChanges } from '../db-snapshot';
import { api, bookingRow, deps, expectError, fetchApp, requestRow, testEnv, until } from '../helpers';
import { book, callAt, fans, offerFor, onboardedCreator, type CreatorScenario } from '../scenarios';

interface Live {
  status: number;
  ws: WebSocket | null;
  messages: string[];
  closed: number | null;
  code: string | null;
}

/** Opens a live socket as a browser at `ip` would (Cloudflare sets cf-connecting-ip). */
async function open(path: string, ip: string, headers: Record<string, string> = {}): Promise<Live> {
  const res = await fetchApp(path, { headers: { upgrade: 'websocket', 'cf-connecting-ip': ip, ...headers } });
  if (res.status !== 101) {
    const text = await res.text();
    let code: string | null = null;
    try {
      code = (JSON.parse(text) as { error: { code: string } }).error.code;
    } catch {
      // a plain-text refusal
    }
    return { status: res.status, ws: null, messages: [], closed: null, code };
  }
  const ws = res.webSocket!;
  const live: Live = { status: 101, ws, messages: [], closed: null, code: null };
  ws.accept();
  ws.addEventListener('message', (e) => {
    live.messages.push(String(e.data));
  });
  ws.addEventListener('close', (e) => {
    live.closed = e.code;
  });
  return live;
}
const openMany = (n: number, path: string, ip: string) => Promise.all(Array.from({ length: n }, () => open(path, ip)));
const held = (ip: string) => testEnv.SOCKET_QUOTA.getByName(addressKey(ip)).held();
const offerLive = (offerId: string) => `/api/offers/${offerId}/live`;
const slotsLive = (c: CreatorScenario) => `/api/creators/${c.creator.slug}/slots/live`;

/**
 * Moves every socket of an object back in time by `ms`: as if it had connected, and last spoken,
 * that long ago. The calendar and the call room through their test hook; the OfferRoom's sockets
 * through the hub's function the hooks use.
 */
const age = (stub: DurableObjectStub, ms: number) =>
  runInDurableObject(stub, (o: CreatorCalendar | CallRoom | OfferRoom, state) =>
    o instanceof OfferRoom ? backdateSockets(state, ms) : o.testHook.backdateSockets(ms),
  );

describe('socket floods: one address opening live sockets', () => {
  const kinds = [
    {
      kind: 'offer status',
      setup: async () => {
        const c = await onboardedCreator();
        const o = await offerFor(c);
        return { path: offerLive(o.id), stub: testEnv.OFFER_ROOM.getByName(o.id) as DurableObjectStub };
      },
    },
    {
      kind: 'slot picker',
      setup: async () => {
        const c = await onboardedCreator();
        return { path: slotsLive(c), stub: testEnv.CREATOR_CALENDAR.getByName(c.creator.id) as DurableObjectStub };
      },
    },
  ];

  for (const { kind, setup } of kinds) {
    it(`${kind}: 25 sockets at once from one address → 20 accepted, 5 refused (429 TOO_MANY_SOCKETS), nothing written; others unaffected; a closed socket frees its place`, async () => {
      const { path } = await setup();
      const ip = kind === 'offer status' ? '198.51.100.1' : '198.51.100.2';
      const before = await snapshot();
      const all = await openMany(25, path, ip);
      const accepted = all.filter((s) => s.status === 101);
      const refused = all.filter((s) => s.status !== 101);
      expect(accepted).toHaveLength(LIVE_SOCKETS.perObject);
      expect(refused.map((s) => [s.status, s.code])).toEqual(Array(5).fill([429, 'TOO_MANY_SOCKETS']));
      await until(() => accepted.every((s) => s.messages.length > 0));
      expect(accepted.every((s) => s.messages.length > 0)).toBe(true); // each got its first message
      expect(await held(ip)).toBe(20);
      // Another address is not concerned.
      const other = await open(path, '203.0.113.7');
      expect(other.status).toBe(101);
      // Refusals (and sockets) wrote nothing: no row, no log.
      expect(unexpectedChanges(diff(before, await snapshot()), [])).toEqual([]);

      accepted[0].ws!.close(1000, 'bye');
      let again: Live | null = null;
      await until(async () => {
        again = await open(path, ip);
        return again.status === 101;
      });
      expect(again!.status).toBe(101);
      expect(await held(ip)).toBe(20);
      for (const s of [...accepted, other, again!]) s.ws?.close();
    });
  }

  it('the same address spread over many objects is held to 200 in all — offer feeds, slot pickers and calls alike; others unaffected; a closed socket frees a place', async () => {
    const ip = '198.51.100.3';
    const c = await onboardedCreator();
    const offers = [];
    for (let i = 0; i < 11; i++) offers.push(await offerFor(c));
    const call = await callAt(5 * 60_000);
    const token = (
      (await (
        await api('POST', `/api/bookings/${call.bookingId}/join`, undefined, { token: call.fan.token })
      ).json()) as JoinResponseT
    ).token;
    const callPath = `/api/bookings/${call.bookingId}/call-socket?token=${encodeURIComponent(token)}`;
    const before = await snapshot();

    const open200: Live[] = [];
    for (const o of offers.slice(0, 10)) open200.push(...(await openMany(20, offerLive(o.id), ip)));
    expect(open200.filter((s) => s.status === 101)).toHaveLength(200);
    expect(await held(ip)).toBe(200);
    // The 201st anywhere: another offer, a slot picker, the call.
    expect(
      [
        await open(offerLive(offers[10].id), ip),
        await open(slotsLive(c), ip),
        await open(callPath, ip, { authorization: `Bearer ${call.fan.token}` }),
      ].map((s) => [s.status, s.code]),
    ).toEqual(Array(3).fill([429, 'TOO_MANY_SOCKETS']));
    // Another address: welcome on the same objects.
    const other = await open(offerLive(offers[10].id), '203.0.113.8');
    expect(other.status).toBe(101);
    expect(unexpectedChanges(diff(before, await snapshot()), [])).toEqual([]);

    // One socket closes: its place goes to the call.
    open200[0].ws!.close(1000, 'bye');
    let joined: Live | null = null;
    await until(async () => {
      joined = await open(callPath, ip, { authorization: `Bearer ${call.fan.token}` });
      return joined.status === 101;
    });
    expect(joined!.status).toBe(101);
    expect(await held(ip)).toBe(200);
    for (const s of [...open200, other, joined!]) s.ws?.close();
  });
});

describe('the quota of an address (all its live sockets, on every object)', () => {
  it('an IPv6 client is counted by its /64 (it owns every address in it)', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:ffff:1:2:3')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::ffff:198.51.100.4')).toBe('198.51.100.4');
    expect(addressKey('198.51.100.4')).toBe('198.51.100.4');
    expect(addressKey('not an address')).toBe('unknown');
  });

  it('leases lapse on their own: a release lost to a crash cannot lock an address out for good', async () => {
    const quota = testEnv.SOCKET_QUOTA.getByName('198.51.100.250');
    const later = Date.now() + 60_000;
    await Promise.all(Array.from({ length: LIVE_SOCKETS.perAddress - 1 }, () => quota.acquire({ until: later })));
    // The last place, on a lease whose holder will never give it back.
    expect(await quota.acquire({ until: Date.now() + 1000 })).not.toBeNull();
    expect(await quota.acquire({ until: later })).toBeNull();
    expect(await quota.held()).toBe(LIVE_SOCKETS.perAddress);
    // The short lease lapses after 1 s: wait for its place to come back rather than sleeping past it.
    let freed: unknown = null;
    await until(
      async () => {
        freed = await quota.acquire({ until: later });
        return freed !== null;
      },
      { what: 'the lapsed lease' },
    );
    expect(freed).not.toBeNull();
    expect(await quota.acquire({ until: later })).toBeNull();
  });
});

describe('idle sockets are closed after the idle limit', () => {
  for (const kind of ['offer status', 'slot picker'] as const) {
    it(`${kind}: silent past the limit → closed (${SOCKET_CLOSE.idle}) at the next sweep and its place freed; a socket that pings stays; past its maximum age it reconnects (${SOCKET_CLOSE.tooOld})`, async () => {
      const c = await onboardedCreator();
      const o = await offerFor(c);
      const path = kind === 'offer status' ? offerLive(o.id) : slotsLive(c);
      const stub = (
        kind === 'offer status' ? testEnv.OFFER_ROOM.getByName(o.id) : testEnv.CREATOR_CALENDAR.getByName(c.creator.id)
      ) as DurableObjectStub;
      const ip = kind === 'offer status' ? '198.51.100.10' : '198.51.100.11';
      const silent = await open(path, ip);
      const pinging = await open(path, ip);
      expect([silent.status, pinging.status]).toEqual([101, 101]);
      await until(() => pinging.messages.length > 0);
      // The sweep is armed as soon as a socket is open.
      expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).not.toBeNull();
      await age(stub, LIVE_SOCKETS.idleMs + 1000);
      pinging.ws!.send('ping'); // answered by the runtime, which remembers when
      await until(() => pinging.messages.includes('pong'));
      expect(await runDurableObjectAlarm(stub)).toBe(true);
      await until(() => silent.closed !== null);
      expect(silent.closed).toBe(SOCKET_CLOSE.idle);
      expect(pinging.closed).toBeNull();
      await until(async () => (await held(ip)) === 1);
      expect(await held(ip)).toBe(1);
      // Still subscribed: the next change reaches it.
      const seen = pinging.messages.length;
      if (kind === 'offer status') expect((await book(o.id, (await fans(1))[0].token)).status).toBe(201);
      else await testEnv.CREATOR_CALENDAR.getByName(c.creator.id).slotsChanged();
      await until(() => pinging.messages.length > seen);
      expect(pinging.messages.length).toBeGreaterThan(seen);

      // Its lease would lapse after the maximum age: it is closed first (the client reconnects).
      await age(stub, MAX_AGE_MS);
      pinging.ws!.send('ping');
      await until(() => pinging.messages.filter((m) => m === 'pong').length === 2);
      expect(await runDurableObjectAlarm(stub)).toBe(true);
      await until(() => pinging.closed !== null);
      expect(pinging.closed).toBe(SOCKET_CLOSE.tooOld);
      await until(async () => (await held(ip)) === 0);
      expect(await held(ip)).toBe(0);
      // Nothing open: no sweep is armed for it any more (a pending hold keeps its own deadline).
      if (kind === 'slot picker')
        expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).toBeNull();
    });
  }

  it('call: a participant silent past the limit is closed when the other one connects, and their leave is recorded', async () => {
    const s = await callAt(5 * 60_000);
    const joinAs = async (token: string) =>
      ((await (await api('POST', `/api/bookings/${s.bookingId}/join`, undefined, { token })).json()) as JoinResponseT)
        .token;
    const path = (t: string) => `/api/bookings/${s.bookingId}/call-socket?token=${encodeURIComponent(t)}`;
    const fan = await open(path(await joinAs(s.fan.token)), '198.51.100.12', {
      authorization: `Bearer ${s.fan.token}`,
    });
    expect(fan.status).toBe(101);
    const stub = testEnv.CALL_ROOM.getByName(s.bookingId) as DurableObjectStub;
    await age(stub, LIVE_SOCKETS.idleMs + 1000);
    const creator = await open(path(await joinAs(s.c.token)), '198.51.100.13', {
      authorization: `Bearer ${s.c.token}`,
    });
    expect(creator.status).toBe(101);
    await until(() => fan.closed !== null);
    expect(fan.closed).toBe(SOCKET_CLOSE.idle);
    expect(await testEnv.CALL_ROOM.getByName(s.bookingId).presence()).toEqual([
      { role: 'CREATOR', userId: s.c.user.id },
    ]);
    expect(await held('198.51.100.12')).toBe(0);
    creator.ws!.close();
  });
});

describe("accept vs. withdraw of a fan's request: never a hold for a request that did not stay accepted", () => {
  const at = (hours: number) => new Date(Date.now() + hours * 3600_000);
  const totals = async (creatorId: string, fanId: string, fanEmail: string) => {
    const d = deps().db;
    const [offers] = await d.select({ n: count() }).from(callOffers).where(eq(callOffers.creatorId, creatorId));
    const [books] = await d.select({ n: count() }).from(bookings).where(eq(bookings.creatorId, creatorId));
    const [pays] = await d.select({ n: count() }).from(payments).where(eq(payments.creatorId, creatorId));
    const [intents] = await d
      .select({ n: count() })
      .from(localStripeObjects)
      .where(eq(localStripeObjects.type, 'payment_intent'));
    const [told] = await d
      .select({ n: count() })
      .from(notifications)
      .where(
        and(eq(notifications.userId, fanId), inArray(notifications.type, ['REQUEST_ACCEPTED', 'REQUEST_REJECTED'])),
      );
    const [mails] = await d
      .select({ n: count() })
      .from(emailLog)
      .where(and(eq(emailLog.to, fanEmail), eq(emailLog.template, 'request_answered')));
    return { offers: offers.n, bookings: books.n, payments: pays.n, intents: intents.n, told: told.n, mails: mails.n };
  };

  /** Runs `rounds` races of the creator's acceptance against `other` (the fan's withdrawal, the creator's rejection). */
  async function race(rounds: number, other: 'withdraw' | 'reject') {
    const c = await onboardedCreator();
    const [fan] = await fans(1);
    const ask = async (hours: number) => {
      const r = await createRequest(deps(), fan.user, c.creator.id, {
        proposedPrice: 6000,
        currency: 'EUR',
        proposedStartsAt: at(hours),
        durationMinutes: 30,
        message: 'Race',
      });
      if (!r.ok) throw new Error(r.code);
      return r.request.id;
    };
    const start = await totals(c.creator.id, fan.user.id, fan.user.email);
    let accepted = 0;
    let ended = 0;
    for (let i = 0; i < rounds; i++) {
      const id = await ask(100 + 2 * i);
      const accept = () => api('POST', `/api/requests/${id}/accept`, {}, { token: c.token });
      const end = () =>
        other === 'withdraw'
          ? api('POST', `/api/requests/${id}/cancel`, undefined, { token: fan.token })
          : api('POST', `/api/requests/${id}/reject`, {}, { token: c.token });
      // The other side lands at a different moment of the acceptance each round (and first, every
      // third round). Waited out with D1 reads: the test's own timers do not fire while the Worker
      // serves its requests here.
      const later = async <T>(fn: () => Promise<T>) => {
        for (let k = 0; k < i; k++)
          await deps().db.select({ id: callRequests.id }).from(callRequests).where(eq(callRequests.id, id)).get();
        return fn();
      };
      const [a, e] =
        i % 3 === 2
          ? await Promise.all([end(), later(accept)]).then(([x, y]) => [y, x])
          : await Promise.all([accept(), later(end)]);
      const row = await requestRow(id);
      if (row.status === 'ACCEPTED') {
        accepted++;
        expect(a.status).toBe(200);
        await expectError(e, 409, 'REQUEST_NOT_PENDING');
        const b = await bookingRow(row.bookingId!);
        expect([b.status, b.offerId, b.userId]).toEqual(['PENDING', row.offerId, fan.user.id]);
      } else {
        ended++;
        expect(row.status).toBe(other === 'withdraw' ? 'CANCELLED' : 'REJECTED');
        expect([row.offerId, row.bookingId]).toEqual([null, null]);
        expect(e.status).toBe(other === 'withdraw' ? 204 : 200);
        await expectError(a, 409, 'REQUEST_NOT_PENDING');
      }
    }
    // Holds, payments, intents and messages: exactly one set per accepted request, none for the others.
    const end = await totals(c.creator.id, fan.user.id, fan.user.email);
    const rejections = other === 'reject' ? ended : 0;
    expect({
      offers: end.offers - start.offers,
      bookings: end.bookings - start.bookings,
      payments: end.payments - start.payments,
      intents: end.intents - start.intents,
      told: end.told - start.told,
      mails: end.mails - start.mails,
    }).toEqual({
      offers: accepted,
      bookings: accepted,
      payments: accepted,
      intents: accepted,
      told: accepted + rejections,
      mails: accepted + rejections,
    });
    const live = await deps()
      .db.select()
      .from(callOffers)
      .where(and(eq(callOffers.creatorId, c.creator.id), inArray(callOffers.status, ['AVAILABLE', 'HELD', 'BOOKED'])))
      .all();
    expect(live).toHaveLength(accepted);
    expect(accepted).toBeGreaterThan(0);
    expect(ended).toBeGreaterThan(0);
  }

  it('the fan withdraws while the creator accepts (18 races): withdrawn and nothing created, or accepted and the withdrawal refused', async () => {
    await race(18, 'withdraw');
  });

  it('the creator rejects while accepting (12 races): one answer wins, a rejected request has no hold', async () => {
    await race(12, 'reject');
  });
});
