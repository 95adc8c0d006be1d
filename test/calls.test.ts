/**
 * The call: access window and who may join, the call log and summary, attendance outcomes and their
 * money effects (exactly once), room cleanup, reviews. Built-in video provider (p2p).
 */
import { and, asc, eq, or } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  auditLog,
  bookings,
  callCredentials,
  callEvents,
  ledgerEntries,
  logs,
  notifications,
  refunds,
} from '../src/db/schema';
import { computeAttendance, callStatus, decideOutcome, tookPlaceThresholdMs } from '../src/domain/calls/attendance';
import { applyCallOutcome, decideCallOutcome, settleCallOutcomes } from '../src/domain/calls/outcome';
import { ACCESS_GRACE_MS, ACCESS_OPENS_BEFORE_MS, decideJoin } from '../src/domain/calls/window';
import { creatorBalances } from '../src/domain/ledger/ledger';
import { cleanUpVideoRooms } from '../src/domain/calls/room-cleanup';
import { verifyCallToken } from '../src/providers/video/p2p';
import type { JoinResponseT } from '../src/shared/calls';
import {
  api,
  callLogRows,
  createAccount,
  deps,
  expectError,
  fetchApp,
  postPage,
  testEnv,
  offerRow,
  paymentOf,
} from './helpers';
import { callAt, confirmedBooking, presence } from './scenarios';

const MIN = 60_000;
const booking = (id: string) =>
  deps()
    .db.select()
    .from(bookings)
    .where(eq(bookings.id, id))
    .get()
    .then((b) => b!);
const join = (id: string, token: string) => api('POST', `/api/bookings/${id}/join`, undefined, { token });

describe('access window (pure rule)', () => {
  const startsAt = new Date('2026-12-01T18:00:00Z');
  const b = { status: 'CONFIRMED' as const, startsAt, endsAt: new Date(startsAt.getTime() + 30 * MIN) };
  const at = (ms: number) => new Date(startsAt.getTime() + ms);
  const cases: [string, Parameters<typeof decideJoin>[1], Date, string][] = [
    ['fan, 16 min before', 'FAN', at(-16 * MIN), 'CALL_NOT_OPEN'],
    ['fan, exactly 15 min before', 'FAN', at(-ACCESS_OPENS_BEFORE_MS), 'ok'],
    ['creator, at start', 'CREATOR', at(0), 'ok'],
    ['fan, during', 'FAN', at(20 * MIN), 'ok'],
    ['creator, in the grace after the end', 'CREATOR', at(30 * MIN + ACCESS_GRACE_MS - 1), 'ok'],
    ['fan, when the grace ends', 'FAN', at(30 * MIN + ACCESS_GRACE_MS), 'CALL_OVER'],
    ['admin, during', 'ADMIN', at(5 * MIN), 'NOT_PARTICIPANT'],
    ['stranger, during', null, at(5 * MIN), 'NOT_PARTICIPANT'],
  ];
  it.each(cases)('%s → %s', (_name, role, now, expected) => {
    const d = decideJoin(b, role, now);
    expect(d.ok ? 'ok' : d.code).toBe(expected);
  });
  it('refuses unconfirmed bookings whatever the time, and says when the window opens', () => {
    for (const status of ['PENDING', 'CANCELLED', 'EXPIRED', 'FAILED', 'COMPLETED'] as const) {
      const d = decideJoin({ ...b, status }, 'FAN', at(0));
      expect(d.ok ? 'ok' : d.code).toBe('BOOKING_NOT_CONFIRMED');
    }
    const early = decideJoin(b, 'FAN', at(-60 * MIN));
    expect(early.window.opensAt.toISOString()).toBe('2026-12-01T17:45:00.000Z');
    expect(early.window.closesAt.toISOString()).toBe('2026-12-01T18:35:00.000Z');
  });
});

describe('POST /api/bookings/:id/join', () => {
  it('lets the fan and the creator in during the window, with a built-in-call token bound to each of them', async () => {
    const s = await callAt(5 * MIN);
    const fan = await join(s.bookingId, s.fan.token);
    expect(fan.status).toBe(200);
    const body = (await fan.json()) as JoinResponseT;
    expect(body).toMatchObject({
      provider: 'p2p',
      roomUrl: null,
      role: 'FAN',
      socketUrl: `/api/bookings/${s.bookingId}/call-socket`,
      startsAt: s.startsAt.toISOString(),
      endsAt: s.endsAt.toISOString(),
    });
    expect(body.opensAt).toBe(new Date(s.startsAt.getTime() - 15 * MIN).toISOString());
    const claims = await verifyCallToken(
      deps().config.sessionSecret,
      body.token,
      s.bookingId,
      Math.floor(Date.now() / 1000),
    );
    expect(claims).toMatchObject({
      userId: s.fan.user.id,
      role: 'FAN',
      exp: Math.floor((s.endsAt.getTime() + 5 * MIN) / 1000),
      end: Math.floor(s.endsAt.getTime() / 1000),
    });

    const creator = (await (await join(s.bookingId, s.c.token)).json()) as JoinResponseT;
    expect(creator.role).toBe('CREATOR');
    expect(creator.peer.name).toBe(s.fan.user.name);
    const b = await booking(s.bookingId);
    expect([b.videoProvider, b.videoRoomName]).toEqual(['p2p', s.bookingId]);
    const joined = await deps()
      .db.select()
      .from(callEvents)
      .where(and(eq(callEvents.bookingId, s.bookingId), eq(callEvents.type, 'CALL_JOINED')))
      .all();
    expect(joined.map((e) => e.actorRole).sort()).toEqual(['CREATOR', 'FAN']);
  });

  it('refuses strangers and admins (403 NOT_PARTICIPANT), too early (403 with opensAt), too late (403 CALL_OVER), unconfirmed (403), unknown (404)', async () => {
    const s = await callAt(5 * MIN);
    const stranger = await createAccount('USER');
    const admin = await createAccount('ADMIN');
    await expectError(await join(s.bookingId, stranger.token), 403, 'NOT_PARTICIPANT');
    await expectError(await join(s.bookingId, admin.token), 403, 'NOT_PARTICIPANT');

    const early = await callAt(60 * MIN);
    const err = await expectError(await join(early.bookingId, early.fan.token), 403, 'CALL_NOT_OPEN');
    expect(err.details).toMatchObject({ opensAt: new Date(early.startsAt.getTime() - 15 * MIN).toISOString() });

    const late = await callAt(-40 * MIN);
    await expectError(await join(late.bookingId, late.c.token), 403, 'CALL_OVER');

    const cancelled = await callAt(5 * MIN);
    await deps().db.update(bookings).set({ status: 'CANCELLED' }).where(eq(bookings.id, cancelled.bookingId));
    await expectError(await join(cancelled.bookingId, cancelled.fan.token), 403, 'BOOKING_NOT_CONFIRMED');

    await expectError(await join('bkg_doesnotexist00', s.fan.token), 404, 'BOOKING_NOT_FOUND');
    await expectError(await api('POST', `/api/bookings/${s.bookingId}/join`), 401, 'UNAUTHENTICATED');
    // Nothing was created for the refused callers.
    expect((await booking(late.bookingId)).videoRoomName).toBeNull();
  });

  it("opens the call's signalling socket only for the signed-in owner of the token", async () => {
    const s = await callAt(0);
    const { token } = (await (await join(s.bookingId, s.fan.token)).json()) as JoinResponseT;
    const ws = (who: string) =>
      fetchApp(`/api/bookings/${s.bookingId}/call-socket?token=${encodeURIComponent(token)}`, {
        headers: { upgrade: 'websocket', authorization: `Bearer ${who}` },
      });
    expect((await ws(s.c.token)).status).toBe(403); // the creator holding the fan's token
    const ok = await ws(s.fan.token);
    expect(ok.status).toBe(101);
    ok.webSocket!.accept();
    ok.webSocket!.close();
    await expectError(
      await fetchApp(`/api/bookings/${s.bookingId}/call-socket?token=${encodeURIComponent(token)}`, {
        headers: { authorization: `Bearer ${s.fan.token}` },
      }),
      426,
      'UPGRADE_REQUIRED',
    );
  });
});

describe('call log', () => {
  it('participants write events (deduplicated by clientEventId); admins read but do not write; strangers do neither', async () => {
    const s = await callAt(2 * MIN);
    const post = (token: string, body: unknown) => api('POST', '/api/call-logs', body, { token });
    const first = await post(s.fan.token, {
      bookingId: s.bookingId,
      event: 'CAMERA_TOGGLED',
      metadata: { on: false },
      clientEventId: 'evt-camera-0001',
    });
    expect(first.status).toBe(201);
    const again = await post(s.fan.token, {
      bookingId: s.bookingId,
      event: 'CAMERA_TOGGLED',
      metadata: { on: false },
      clientEventId: 'evt-camera-0001',
    });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { event: { id: string } }).event.id).toBe(
      ((await first.json()) as { event: { id: string } }).event.id,
    );
    expect((await post(s.c.token, { bookingId: s.bookingId, event: 'PRE_CALL_ENTERED' })).status).toBe(201);

    const admin = await createAccount('ADMIN');
    const stranger = await createAccount('USER');
    await expectError(await post(admin.token, { bookingId: s.bookingId, event: 'CALL_ERROR' }), 403, 'NOT_PARTICIPANT');
    await expectError(
      await post(stranger.token, { bookingId: s.bookingId, event: 'CALL_ERROR' }),
      403,
      'NOT_PARTICIPANT',
    );
    await expectError(await post(s.fan.token, { bookingId: s.bookingId, event: 'DANCED' }), 400, 'VALIDATION_ERROR');
    await expectError(
      await post(s.fan.token, { bookingId: s.bookingId, event: 'CALL_ERROR', metadata: { nested: { no: 1 } } }),
      400,
      'VALIDATION_ERROR',
    );

    const read = async (token: string) => api('GET', `/api/call-logs?bookingId=${s.bookingId}`, undefined, { token });
    const logs = (
      (await (await read(admin.token)).json()) as { logs: { type: string; source: string; actor: { role: string } }[] }
    ).logs;
    expect(logs.map((l) => `${l.type}:${l.actor.role}:${l.source}`)).toEqual([
      'CAMERA_TOGGLED:FAN:CLIENT',
      'PRE_CALL_ENTERED:CREATOR:CLIENT',
    ]);
    await expectError(await read(stranger.token), 403, 'NOT_PARTICIPANT');
  });

  it('logs an error a page reports as one CALL_ERROR (once per clientEventId); other page events and page presence log nothing', async () => {
    const s = await callAt(2 * MIN);
    const post = (body: unknown) =>
      api('POST', '/api/call-logs', { bookingId: s.bookingId, ...(body as object) }, { token: s.fan.token });
    const report = { event: 'CALL_ERROR', metadata: { name: 'NotAllowedError' }, clientEventId: 'evt-error-0001' };
    expect((await post(report)).status).toBe(201);
    expect((await post(report)).status).toBe(200);
    expect((await post({ event: 'CAMERA_TOGGLED', metadata: { on: true } })).status).toBe(201);
    expect((await post({ event: 'PARTICIPANT_JOINED' })).status).toBe(201);
    const rows = await callLogRows(s.bookingId);
    expect(rows.map((r) => [r.type, r.level, r.actor, r.actorId])).toEqual([
      ['CALL_ERROR', 'ERROR', 'USER', s.fan.user.id],
    ]);
    expect(rows[0]!.context).toEqual({
      bookingId: s.bookingId,
      event: 'CALL_ERROR',
      source: 'CLIENT',
      role: 'FAN',
      userId: s.fan.user.id,
      metadata: { name: 'NotAllowedError' },
    });
  });

  it('is closed before the window opens', async () => {
    const s = await callAt(60 * MIN);
    await expectError(
      await api(
        'POST',
        '/api/call-logs',
        { bookingId: s.bookingId, event: 'PRE_CALL_ENTERED' },
        { token: s.fan.token },
      ),
      403,
      'CALL_NOT_OPEN',
    );
  });

  it('cannot make anyone present: attendance counts only what the server or Daily saw', async () => {
    const s = await callAt(-40 * MIN);
    await deps()
      .db.insert(callEvents)
      .values([
        {
          id: 'cev_clientforged01',
          bookingId: s.bookingId,
          type: 'PARTICIPANT_JOINED',
          source: 'CLIENT',
          actorUserId: s.c.user.id,
          actorRole: 'CREATOR',
          occurredAt: s.startsAt,
          createdAt: new Date(),
        },
      ]);
    await presence(s.bookingId, 'FAN', s.fan.user.id, s.startsAt.getTime(), s.endsAt.getTime());
    expect(await decideCallOutcome(deps(), s.bookingId)).toBe('CREATOR_NO_SHOW');
  });
});

describe('attendance (pure)', () => {
  const startsAt = new Date('2026-12-01T18:00:00Z');
  const b = { startsAt, endsAt: new Date(startsAt.getTime() + 30 * MIN) };
  const ev = (
    type: 'PARTICIPANT_JOINED' | 'PARTICIPANT_LEFT',
    role: 'FAN' | 'CREATOR',
    min: number,
    source: 'SERVER' | 'DAILY' | 'CLIENT' = 'SERVER',
  ) => ({ type, source, actorRole: role, occurredAt: new Date(startsAt.getTime() + min * MIN) });
  const after = new Date(startsAt.getTime() + 60 * MIN);

  /** The default rule for a 30-minute call: 10 minutes together. */
  const T = 10 * MIN;

  it('both together until the end → completed; overlap gives actual start, end and duration', () => {
    const a = computeAttendance(
      [
        ev('PARTICIPANT_JOINED', 'CREATOR', -3),
        ev('PARTICIPANT_JOINED', 'FAN', 1),
        ev('PARTICIPANT_LEFT', 'FAN', 30),
        ev('PARTICIPANT_LEFT', 'CREATOR', 30),
      ],
      b,
      after,
    );
    expect([a.actualStart, a.actualEnd, a.togetherMs]).toEqual([
      startsAt.getTime() + MIN,
      startsAt.getTime() + 30 * MIN,
      29 * MIN,
    ]);
    expect(decideOutcome(a, T)).toBe('COMPLETED');
    expect(callStatus(a, b, after, T)).toBe('completed');
  });
  it('together 20 of 30 minutes (ended early) → completed, and the summary says so too', () => {
    const a = computeAttendance(
      [
        ev('PARTICIPANT_JOINED', 'CREATOR', 0),
        ev('PARTICIPANT_JOINED', 'FAN', 0),
        ev('PARTICIPANT_LEFT', 'FAN', 20),
        ev('PARTICIPANT_LEFT', 'CREATOR', 21),
      ],
      b,
      after,
    );
    expect(decideOutcome(a, T)).toBe('COMPLETED');
    expect(callStatus(a, b, after, T)).toBe('completed');
  });
  it('together less than the threshold (two seconds, nine minutes) → interrupted, outcome and summary alike', () => {
    for (const ms of [2000, 9 * MIN]) {
      const a = computeAttendance(
        [
          ev('PARTICIPANT_JOINED', 'CREATOR', 0),
          ev('PARTICIPANT_LEFT', 'CREATOR', 30),
          {
            type: 'PARTICIPANT_JOINED' as const,
            source: 'SERVER' as const,
            actorRole: 'FAN' as const,
            occurredAt: new Date(startsAt.getTime() + MIN),
          },
          {
            type: 'PARTICIPANT_LEFT' as const,
            source: 'SERVER' as const,
            actorRole: 'FAN' as const,
            occurredAt: new Date(startsAt.getTime() + MIN + ms),
          },
        ],
        b,
        after,
      );
      expect(a.togetherMs).toBe(ms);
      expect(decideOutcome(a, T)).toBe('INTERRUPTED');
      expect(callStatus(a, b, after, T)).toBe('interrupted');
    }
  });
  it('one side only → no-show of the other; nobody → both; never at the same time → interrupted', () => {
    expect(
      decideOutcome(
        computeAttendance([ev('PARTICIPANT_JOINED', 'FAN', 0), ev('PARTICIPANT_LEFT', 'FAN', 30)], b, after),
        T,
      ),
    ).toBe('CREATOR_NO_SHOW');
    expect(decideOutcome(computeAttendance([ev('PARTICIPANT_JOINED', 'CREATOR', 0)], b, after), T)).toBe('FAN_NO_SHOW');
    expect(decideOutcome(computeAttendance([], b, after), T)).toBe('BOTH_NO_SHOW');
    const apart = computeAttendance(
      [
        ev('PARTICIPANT_JOINED', 'FAN', -10),
        ev('PARTICIPANT_LEFT', 'FAN', -5),
        ev('PARTICIPANT_JOINED', 'CREATOR', 0),
        ev('PARTICIPANT_LEFT', 'CREATOR', 30),
      ],
      b,
      after,
    );
    expect(decideOutcome(apart, T)).toBe('INTERRUPTED');
    expect(callStatus(apart, b, after, T)).toBe('interrupted');
    expect(callStatus(computeAttendance([], b, after), b, after, T)).toBe('no_show');
  });
  it('follows each connection of a person on its own: one leaving does not end the presence of another still open', () => {
    const s = (
      type: 'PARTICIPANT_JOINED' | 'PARTICIPANT_LEFT',
      role: 'FAN' | 'CREATOR',
      min: number,
      sessionId: string,
    ) => ({ ...ev(type, role, min), sessionId });
    // The fan opens a second tab at 10 and closes the first at 20: present from 0 to 30, not 0 to 20.
    const a = computeAttendance(
      [
        s('PARTICIPANT_JOINED', 'CREATOR', 0, 'c1'),
        s('PARTICIPANT_JOINED', 'FAN', 0, 'f1'),
        s('PARTICIPANT_JOINED', 'FAN', 10, 'f2'),
        s('PARTICIPANT_LEFT', 'FAN', 20, 'f1'),
        s('PARTICIPANT_LEFT', 'FAN', 30, 'f2'),
        s('PARTICIPANT_LEFT', 'CREATOR', 30, 'c1'),
      ],
      b,
      after,
    );
    expect(a.present.FAN).toEqual([[startsAt.getTime(), startsAt.getTime() + 30 * MIN]]);
    expect(a.togetherMs).toBe(30 * MIN);
    // A connection's leave ends it even when recorded before its join (out-of-order webhooks); one never left is still open.
    const b2 = computeAttendance(
      [
        s('PARTICIPANT_LEFT', 'FAN', 12, 'f1'),
        s('PARTICIPANT_JOINED', 'FAN', 2, 'f1'),
        s('PARTICIPANT_JOINED', 'CREATOR', 5, 'c1'),
      ],
      b,
      new Date(startsAt.getTime() + 20 * MIN),
    );
    expect([b2.present.FAN, b2.ongoing]).toEqual([
      [[startsAt.getTime() + 2 * MIN, startsAt.getTime() + 12 * MIN]],
      { FAN: false, CREATOR: true },
    ]);
  });
  it('ignores page-reported presence, and counts a still-open presence up to now (in progress)', () => {
    expect(
      decideOutcome(
        computeAttendance(
          [ev('PARTICIPANT_JOINED', 'CREATOR', 0, 'CLIENT'), ev('PARTICIPANT_JOINED', 'FAN', 0)],
          b,
          after,
        ),
        T,
      ),
    ).toBe('CREATOR_NO_SHOW');
    const during = new Date(startsAt.getTime() + 10 * MIN);
    const live = computeAttendance(
      [ev('PARTICIPANT_JOINED', 'CREATOR', 0, 'DAILY'), ev('PARTICIPANT_JOINED', 'FAN', 2, 'DAILY')],
      b,
      during,
    );
    expect(live.togetherMs).toBe(8 * MIN);
    expect(callStatus(live, b, during, T)).toBe('in_progress');
  });
});

describe('"the call took place": a platform setting', () => {
  it('defaults to 10 minutes or half the booked duration; admins change it (validated, audited); others cannot', async () => {
    const admin = await createAccount('ADMIN');
    const get = async () =>
      (
        (await (await api('GET', '/api/admin/settings', undefined, { token: admin.token })).json()) as {
          settings: Record<string, unknown>;
        }
      ).settings;
    expect(await get()).toMatchObject({ callMinTogetherMinutes: 10, callMinTogetherPct: 50 });
    const audits = async () =>
      await deps()
        .db.select()
        .from(auditLog)
        .where(and(eq(auditLog.action, 'SETTINGS_UPDATE'), eq(auditLog.actorUserId, admin.user.id)))
        .all();
    for (const bad of [
      { callMinTogetherMinutes: -1 },
      { callMinTogetherMinutes: 0 },
      { callMinTogetherMinutes: 1.5 },
      { callMinTogetherPct: 101 },
      { callMinTogetherPct: -5 },
      { callMinTogetherPct: '50' },
    ]) {
      await expectError(await api('PUT', '/api/admin/settings', bad, { token: admin.token }), 400, 'VALIDATION_ERROR');
    }
    expect(await audits()).toHaveLength(0);
    await expectError(
      await api(
        'PUT',
        '/api/admin/settings',
        { callMinTogetherMinutes: 1 },
        { token: (await createAccount('USER')).token },
      ),
      403,
      'FORBIDDEN_ROLE',
    );
    const saved = await api(
      'PUT',
      '/api/admin/settings',
      { callMinTogetherMinutes: 12, callMinTogetherPct: 40 },
      { token: admin.token },
    );
    expect(((await saved.json()) as { settings: Record<string, unknown> }).settings).toMatchObject({
      callMinTogetherMinutes: 12,
      callMinTogetherPct: 40,
    });
    const [row] = await audits();
    expect([
      (row.before as Record<string, unknown>).callMinTogetherMinutes,
      (row.after as Record<string, unknown>).callMinTogetherPct,
    ]).toEqual([10, 40]);
    // The settings page shows and saves them too (a form without them leaves them as they are).
    const html = await (
      await fetchApp('/en/admin/settings', { headers: { authorization: `Bearer ${admin.token}` } })
    ).text();
    expect(html).toContain('name="callMinTogetherMinutes"');
    expect(html).toContain('value="12"');
    const form = {
      platformFeeBps: '1500',
      holdingDays: '7',
      holdMinutes: '10',
      payoutMode: 'AUTOMATIC',
      min_EUR: '10',
      min_CHF: '10',
      min_USD: '10',
      min_GBP: '10',
      callMinTogetherMinutes: '10',
      callMinTogetherPct: '50',
    };
    await postPage('/en/admin/settings', admin.token, form);
    expect(await get()).toMatchObject({ callMinTogetherMinutes: 10, callMinTogetherPct: 50 });
    await postPage('/en/admin/settings', admin.token, { ...form, callMinTogetherPct: '120' });
    expect(await get()).toMatchObject({ callMinTogetherPct: 50 });
  });

  it('is the lesser of the two: a 30-minute call needs 10 minutes together, a 12-minute one 6', () => {
    const s = { callMinTogetherMinutes: 10, callMinTogetherPct: 50 };
    const at = new Date('2026-12-01T18:00:00Z');
    const len = (min: number) => ({ startsAt: at, endsAt: new Date(at.getTime() + min * MIN) });
    expect(tookPlaceThresholdMs(s, len(30))).toBe(10 * MIN);
    expect(tookPlaceThresholdMs(s, len(12))).toBe(6 * MIN);
    expect(tookPlaceThresholdMs({ callMinTogetherMinutes: 45, callMinTogetherPct: 100 }, len(60))).toBe(45 * MIN);
  });
});

describe('call summary', () => {
  it('gives status, both participants, scheduled vs actual, and the timeline — to participants and admins only', async () => {
    const s = await callAt(-40 * MIN);
    await presence(s.bookingId, 'CREATOR', s.c.user.id, s.startsAt.getTime() - 2 * MIN, s.endsAt.getTime());
    await presence(s.bookingId, 'FAN', s.fan.user.id, s.startsAt.getTime() + 30_000, s.endsAt.getTime() - 30_000);
    const res = await api('GET', `/api/call-summary/${s.bookingId}`, undefined, { token: s.fan.token });
    expect(res.status).toBe(200);
    const { summary } = (await res.json()) as {
      summary: {
        status: string;
        actual: { startedAt: string; endedAt: string; durationSeconds: number };
        scheduled: { durationSeconds: number };
        participants: { fan: { attended: boolean }; creator: { attended: boolean } };
        timeline: unknown[];
      };
    };
    expect(summary.status).toBe('completed');
    expect(summary.actual).toEqual({
      startedAt: new Date(s.startsAt.getTime() + 30_000).toISOString(),
      endedAt: new Date(s.endsAt.getTime() - 30_000).toISOString(),
      durationSeconds: 29 * 60,
    });
    expect(summary.scheduled.durationSeconds).toBe(30 * 60);
    expect([summary.participants.fan.attended, summary.participants.creator.attended]).toEqual([true, true]);
    expect(summary.timeline).toHaveLength(4);
    const admin = await createAccount('ADMIN');
    expect((await api('GET', `/api/call-summary/${s.bookingId}`, undefined, { token: admin.token })).status).toBe(200);
    await expectError(
      await api('GET', `/api/call-summary/${s.bookingId}`, undefined, { token: (await createAccount('USER')).token }),
      403,
      'NOT_PARTICIPANT',
    );
  });
});

describe('outcome job (after the window closes, exactly once)', () => {
  async function ended() {
    return callAt(-40 * MIN); // ended 10 minutes ago: the window (end + 5 min) has closed
  }

  it('both came → COMPLETED: booking and offer completed, nothing refunded, the creator keeps their share', async () => {
    const s = await ended();
    await presence(s.bookingId, 'CREATOR', s.c.user.id, s.startsAt.getTime(), s.endsAt.getTime());
    await presence(s.bookingId, 'FAN', s.fan.user.id, s.startsAt.getTime() + MIN, s.endsAt.getTime());
    const before = await creatorBalances(deps(), s.c.creator.id, new Date());
    await settleCallOutcomes(deps());
    await settleCallOutcomes(deps());
    const b = await booking(s.bookingId);
    expect([b.status, b.outcome, !!b.outcomeAppliedAt]).toEqual(['COMPLETED', 'COMPLETED', true]);
    expect((await offerRow(s.offer.id)).status).toBe('COMPLETED');
    expect((await paymentOf(s.bookingId)).refundedAmount).toBe(0);
    expect(await creatorBalances(deps(), s.c.creator.id, new Date())).toEqual(before);
    const notes = await deps().db.select().from(notifications).where(eq(notifications.type, 'CALL_OUTCOME')).all();
    expect(notes.filter((n) => n.link === `/call/${s.bookingId}/summary`)).toHaveLength(2);
  });

  it('the creator never came → CREATOR_NO_SHOW: booking cancelled and the fan refunded in full, once, the creator share reversed', async () => {
    const s = await ended();
    await presence(s.bookingId, 'FAN', s.fan.user.id, s.startsAt.getTime(), s.endsAt.getTime());
    await settleCallOutcomes(deps());
    await settleCallOutcomes(deps());
    const b = await booking(s.bookingId);
    expect([b.status, b.outcome, b.cancelledBy, b.cancelReason]).toEqual([
      'CANCELLED',
      'CREATOR_NO_SHOW',
      'SYSTEM',
      'CREATOR_NO_SHOW',
    ]);
    const p = await paymentOf(s.bookingId);
    expect([p.refundedAmount, p.status]).toEqual([p.amount, 'REFUNDED']);
    const rs = await deps().db.select().from(refunds).where(eq(refunds.bookingId, s.bookingId)).all();
    expect(rs).toHaveLength(1);
    expect(rs[0]).toMatchObject({ amount: p.amount, initiatedBy: 'SYSTEM' });
    const [bal] = await creatorBalances(deps(), s.c.creator.id, new Date());
    expect(bal.total).toBe(0);
  });

  it('the fan never came → FAN_NO_SHOW: the booking completes and the creator is paid', async () => {
    const s = await ended();
    await presence(s.bookingId, 'CREATOR', s.c.user.id, s.startsAt.getTime() - 5 * MIN, s.endsAt.getTime());
    await settleCallOutcomes(deps());
    const b = await booking(s.bookingId);
    expect([b.status, b.outcome]).toEqual(['COMPLETED', 'FAN_NO_SHOW']);
    const p = await paymentOf(s.bookingId);
    expect(p.refundedAmount).toBe(0);
    const [bal] = await creatorBalances(deps(), s.c.creator.id, new Date(p.payoutReleaseAt!.getTime() + 1));
    expect(bal.available).toBe(p.amount - p.platformFee);
  });

  it('logs the outcome decided as one CALL_EVENT, however often the job runs', async () => {
    const s = await ended();
    await settleCallOutcomes(deps());
    await settleCallOutcomes(deps());
    const rows = (await callLogRows(s.bookingId)).filter((r) => (r.context as { event: string }).event === 'OUTCOME');
    expect(rows.map((r) => [r.type, r.level, r.context])).toEqual([
      ['CALL_EVENT', 'INFO', { bookingId: s.bookingId, event: 'OUTCOME', outcome: 'BOTH_NO_SHOW' }],
    ]);
  });

  it('nobody came → BOTH_NO_SHOW: refunded in full', async () => {
    const s = await ended();
    await settleCallOutcomes(deps());
    const b = await booking(s.bookingId);
    expect([b.status, b.outcome]).toEqual(['CANCELLED', 'BOTH_NO_SHOW']);
    expect((await paymentOf(s.bookingId)).status).toBe('REFUNDED');
  });

  // Every outcome's money effect happens on the first run and never again: a second run of the job
  // leaves the ledger, refunds, payment, balances, booking, offer and notifications exactly as they were.
  const outcomes = [
    ['COMPLETED', 'both', 'COMPLETED', 0],
    ['CREATOR_NO_SHOW', 'fan', 'CANCELLED', 1],
    ['FAN_NO_SHOW', 'creator', 'COMPLETED', 0],
    ['BOTH_NO_SHOW', 'nobody', 'CANCELLED', 1],
  ] as const;
  it.each(outcomes)(
    '%s (%s came): the money moves on the first run, a second run changes nothing',
    async (outcome, who, status, refundCount) => {
      const s = await ended();
      if (who === 'both' || who === 'creator')
        await presence(s.bookingId, 'CREATOR', s.c.user.id, s.startsAt.getTime(), s.endsAt.getTime());
      if (who === 'both' || who === 'fan')
        await presence(s.bookingId, 'FAN', s.fan.user.id, s.startsAt.getTime(), s.endsAt.getTime());
      const pay = await paymentOf(s.bookingId);
      const later = new Date(pay.payoutReleaseAt!.getTime() + 1);
      const snapshot = async () => ({
        ledger: await deps()
          .db.select()
          .from(ledgerEntries)
          .where(or(eq(ledgerEntries.paymentId, pay.id), eq(ledgerEntries.creatorId, s.c.creator.id)))
          .orderBy(asc(ledgerEntries.id))
          .all(),
        refunds: await deps()
          .db.select()
          .from(refunds)
          .where(eq(refunds.bookingId, s.bookingId))
          .orderBy(asc(refunds.id))
          .all(),
        payment: await paymentOf(s.bookingId),
        balances: await creatorBalances(deps(), s.c.creator.id, later),
        booking: await booking(s.bookingId),
        offer: await offerRow(s.offer.id),
        notifications: (
          await deps().db.select().from(notifications).where(eq(notifications.type, 'CALL_OUTCOME')).all()
        )
          .filter((n) => n.link === `/call/${s.bookingId}/summary`)
          .map((n) => n.id)
          .sort(),
      });
      const ledgerBefore = (await snapshot()).ledger.length;
      await settleCallOutcomes(deps());
      const first = await snapshot();
      expect([first.booking.outcome, first.booking.status]).toEqual([outcome, status]);
      expect(first.refunds).toHaveLength(refundCount);
      // The first run did move the money (or completed the booking), so "unchanged" below means something.
      if (refundCount) {
        expect(first.payment.refundedAmount).toBe(pay.amount);
        expect(first.ledger.length).toBeGreaterThan(ledgerBefore);
        expect(first.balances.every((b) => b.total === 0)).toBe(true);
      } else {
        expect(first.payment.refundedAmount).toBe(0);
        expect(first.balances.find((b) => b.currency === pay.currency)!.available).toBe(pay.amount - pay.platformFee);
      }
      expect(first.notifications).toHaveLength(2);
      await settleCallOutcomes(deps());
      expect(await snapshot()).toEqual(first);
    },
  );

  it('waits for the window to close; a decided outcome whose effects were interrupted is finished later without paying twice', async () => {
    const open = await callAt(-32 * MIN); // ended 2 min ago: still in the grace
    await settleCallOutcomes(deps());
    expect((await booking(open.bookingId)).outcome).toBeNull();

    const s = await ended();
    await presence(s.bookingId, 'FAN', s.fan.user.id, s.startsAt.getTime(), s.endsAt.getTime());
    // Decision written, effects not run (as if the worker died right after).
    expect(await decideCallOutcome(deps(), s.bookingId)).toBe('CREATOR_NO_SHOW');
    expect(await decideCallOutcome(deps(), s.bookingId)).toBeNull();
    expect((await booking(s.bookingId)).outcomeAppliedAt).toBeNull();
    // Two runners finish it at once: one refund.
    const results = await Promise.all([applyCallOutcome(deps(), s.bookingId), applyCallOutcome(deps(), s.bookingId)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    await settleCallOutcomes(deps());
    expect(await deps().db.select().from(refunds).where(eq(refunds.bookingId, s.bookingId)).all()).toHaveLength(1);
    expect((await paymentOf(s.bookingId)).refundedAmount).toBe((await paymentOf(s.bookingId)).amount);
  });
});

describe('video room cleanup job', () => {
  it("deletes exactly the finished calls' and cancelled bookings' rooms, once; upcoming rooms stay", async () => {
    const finished = await callAt(-40 * MIN);
    const upcoming = await callAt(5 * MIN);
    const cancelled = await callAt(10 * MIN);
    for (const s of [upcoming, cancelled]) expect((await join(s.bookingId, s.fan.token)).status).toBe(200);
    await deps().db.update(bookings).set({ status: 'CANCELLED' }).where(eq(bookings.id, cancelled.bookingId));
    // `finished` could not join (window over): give it the room it had during its call.
    await deps()
      .db.update(bookings)
      .set({ videoProvider: 'p2p', videoRoomName: finished.bookingId })
      .where(eq(bookings.id, finished.bookingId));

    const first = await cleanUpVideoRooms(deps());
    expect(first.deleted).toBeGreaterThanOrEqual(2);
    expect((await booking(finished.bookingId)).videoRoomDeletedAt).not.toBeNull();
    expect((await booking(cancelled.bookingId)).videoRoomDeletedAt).not.toBeNull();
    expect((await booking(upcoming.bookingId)).videoRoomDeletedAt).toBeNull();
    // The deleted room's join credentials are not kept; the upcoming call's are.
    const kept = async (id: string) =>
      (await deps().db.select().from(callCredentials).where(eq(callCredentials.bookingId, id)).all()).length;
    expect([await kept(cancelled.bookingId), await kept(upcoming.bookingId)]).toEqual([0, 1]);
    // Deleted for real: the CallRoom refuses everyone from now on.
    const { token } = (await (await join(upcoming.bookingId, upcoming.fan.token)).json()) as JoinResponseT;
    const refused = await testEnv.CALL_ROOM.getByName(cancelled.bookingId).fetch(
      new Request(`http://call/?bookingId=${cancelled.bookingId}&token=${encodeURIComponent(token)}`, {
        headers: { upgrade: 'websocket' },
      }),
    );
    expect(refused.status).toBe(410);

    const deletedAt = (await booking(finished.bookingId)).videoRoomDeletedAt!.getTime();
    const second = await cleanUpVideoRooms(deps());
    expect(second).toEqual({ deleted: 0, failed: 0 });
    expect((await booking(finished.bookingId)).videoRoomDeletedAt!.getTime()).toBe(deletedAt);
    const logged = await deps().db.select().from(logs).where(eq(logs.type, 'ROOM_DELETED')).all();
    expect(
      logged.filter((l) => (l.context as { bookingId?: string } | null)?.bookingId === finished.bookingId),
    ).toHaveLength(1);
    expect((await booking(upcoming.bookingId)).videoRoomDeletedAt).toBeNull();
  });
});

describe('reviews', () => {
  it('the fan of a call that took place reviews it once; not the creator, not before, not a no-show; public list with the average', async () => {
    const s = await callAt(-31 * MIN);
    const review = (token: string, body: unknown = { rating: 5, comment: 'Super échange !' }) =>
      api('POST', `/api/bookings/${s.bookingId}/review`, body, { token });
    await expectError(await review(s.fan.token), 403, 'REVIEW_NOT_ALLOWED'); // nobody was in the call
    await presence(s.bookingId, 'CREATOR', s.c.user.id, s.startsAt.getTime(), s.endsAt.getTime());
    await presence(s.bookingId, 'FAN', s.fan.user.id, s.startsAt.getTime(), s.endsAt.getTime());
    await expectError(await review(s.c.token), 403, 'REVIEW_NOT_ALLOWED');
    await expectError(await review(s.fan.token, { rating: 6 }), 400, 'VALIDATION_ERROR');
    expect((await review(s.fan.token)).status).toBe(201);
    await expectError(await review(s.fan.token, { rating: 1 }), 409, 'ALREADY_REVIEWED');

    const list = (await (await api('GET', `/api/creators/${s.c.creator.id}/reviews`)).json()) as {
      items: { rating: number; comment: string; author: string }[];
      rating: { average: number; count: number };
    };
    expect(list.items).toEqual([
      expect.objectContaining({ rating: 5, comment: 'Super échange !', author: s.fan.user.name.split(' ')[0] }),
    ]);
    expect(list.rating).toEqual({ average: 5, count: 1 });
  });
});

describe('call pages', () => {
  it('the call page is for the two participants (strangers get 404); a finished call redirects to its summary', async () => {
    const s = await callAt(60 * MIN);
    const page = await fetchApp(`/en/call/${s.bookingId}`, { headers: { authorization: `Bearer ${s.fan.token}` } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('data-island="call"');
    expect(html).toContain('data-initial-phase="waiting"');
    // The built-in call needs no third party: the page's CSP stays closed (Daily's sources only with Daily).
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).not.toContain('daily.co');
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("worker-src 'self';");
    // The island knows the booked duration, shown in the waiting and pre-call phases.
    const props = JSON.parse(
      html
        .match(/data-props="([^"]*)"/)![1]
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&'),
    ) as { duration: string; endsAt: string };
    expect(props).toMatchObject({ duration: '30 min', endsAt: s.endsAt.toISOString() });
    expect(
      (
        await fetchApp(`/en/call/${s.bookingId}`, {
          headers: { authorization: `Bearer ${(await createAccount('USER')).token}` },
        })
      ).status,
    ).toBe(404);

    const over = await callAt(-40 * MIN);
    const r = await fetchApp(`/fr/call/${over.bookingId}`, { headers: { authorization: `Bearer ${over.c.token}` } });
    expect([r.status, r.headers.get('location')]).toEqual([303, `/fr/call/${over.bookingId}/summary`]);
  });

  it('the summary page shows the status and lets the fan post a review from it', async () => {
    const s = await callAt(-31 * MIN);
    await presence(s.bookingId, 'CREATOR', s.c.user.id, s.startsAt.getTime(), s.endsAt.getTime());
    await presence(s.bookingId, 'FAN', s.fan.user.id, s.startsAt.getTime(), s.endsAt.getTime());
    const auth = { authorization: `Bearer ${s.fan.token}` };
    const html = await (await fetchApp(`/en/call/${s.bookingId}/summary`, { headers: auth })).text();
    expect(html).toContain('data-call-status="completed"');
    expect(html).toContain('data-review="form"');
    const posted = await fetchApp(`/en/call/${s.bookingId}/review`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
      body: 'rating=4&comment=Great',
    });
    expect(posted.status).toBe(303);
    const after = await (await fetchApp(`/en/call/${s.bookingId}/summary`, { headers: auth })).text();
    expect(after).toContain('data-review="done"');
    expect(after).not.toContain('data-review="form"');
  });
});

describe('cancelling a booking deletes its room', () => {
  it('closes the built-in room right away', async () => {
    const s = await confirmedBooking({ startsInMinutes: 3 * 24 * 60 });
    await deps()
      .db.update(bookings)
      .set({ videoProvider: 'p2p', videoRoomName: s.bookingId })
      .where(eq(bookings.id, s.bookingId));
    const r = await api('POST', `/api/bookings/${s.bookingId}/cancel`, {}, { token: s.c.token });
    expect(r.status).toBe(200);
    expect((await booking(s.bookingId)).videoRoomDeletedAt).not.toBeNull();
  });
});
