/**
 * Availability end to end: settings (types, weekly hours, exceptions), public slots, booking a slot
 * through the same hold → pay → confirm flow, the race (100 fans on overlapping slots), overlap with
 * one-off offers, and rescheduling (payment unchanged, reminders re-armed, old slot freed, live update).
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { bookingReminders, bookings, emailLog, ledgerEntries, payments } from '../src/db/schema';
import { sendReminders } from '../src/domain/notifications/reminders';
import { api, deps, expectError, fetchApp, until, bookingRow, offerRow, paymentOf } from './helpers';
import { bookSlot, fans, onboardedCreator, openCreator, slotsOf, type Slot } from './scenarios';

const DAY = 86_400_000;

describe('availability settings', () => {
  it('gives defaults (inactive types, Mon–Fri 9–12 and 14–18), validates hours and types, keeps exceptions', async () => {
    const c = await onboardedCreator();
    const first = (await (await api('GET', '/api/creators/me/availability', undefined, { token: c.token })).json()) as {
      types: { active: boolean; durationMinutes: number }[];
      weekly: { weekday: number }[];
    };
    expect(first.types.map((t) => [t.durationMinutes, t.active])).toEqual([
      [15, false],
      [30, false],
      [60, false],
    ]);
    expect(first.weekly).toHaveLength(10);
    expect(
      ((await (await api('GET', `/api/creators/${c.creator.slug}/appointment-types`)).json()) as { types: unknown[] })
        .types,
    ).toEqual([]);
    await expectError(
      await api(
        'PUT',
        '/api/creators/me/availability/weekly',
        {
          ranges: [
            { weekday: 1, startMinute: 540, endMinute: 720 },
            { weekday: 1, startMinute: 700, endMinute: 800 },
          ],
        },
        { token: c.token },
      ),
      400,
      'VALIDATION_ERROR',
    );
    await expectError(
      await api(
        'POST',
        '/api/creators/me/appointment-types',
        { name: 'Too cheap', durationMinutes: 30, price: 10 },
        { token: c.token },
      ),
      400,
      'VALIDATION_ERROR',
    );
    await expectError(
      await api(
        'POST',
        '/api/creators/me/availability/exceptions',
        { date: '2026-12-24', kind: 'EXTRA' },
        { token: c.token },
      ),
      400,
      'VALIDATION_ERROR',
    );
    const ex = await api(
      'POST',
      '/api/creators/me/availability/exceptions',
      { date: '2026-12-24', kind: 'OFF', note: 'Christmas Eve' },
      { token: c.token },
    );
    expect(ex.status).toBe(201);
    const [fan] = await fans(1);
    await expectError(
      await api('PUT', '/api/creators/me/availability/weekly', { ranges: [] }, { token: fan.token }),
      403,
      'FORBIDDEN_ROLE',
    );
    const id = ((await ex.json()) as { id: string }).id;
    expect(
      (await api('DELETE', `/api/creators/me/availability/exceptions/${id}`, undefined, { token: c.token })).status,
    ).toBe(200);
  });
});

describe('booking a slot', () => {
  it('holds the slot for the fan, hides it from everyone, confirms on payment; a released hold frees it', async () => {
    const c = await openCreator();
    const slots = await slotsOf(c, c.t30);
    expect(slots.length).toBeGreaterThan(20);
    const target = slots[10];
    const [fan, other] = await fans(2);
    const res = await bookSlot(c, fan.token, c.t30, target.startsAt);
    expect(res.status).toBe(201);
    const { booking, payment } = (await res.json()) as {
      booking: { id: string; status: string; offerId: string };
      payment: { intentId: string };
    };
    expect(booking.status).toBe('PENDING');
    const offer = await offerRow(booking.offerId);
    expect(offer).toMatchObject({
      source: 'SLOT',
      status: 'HELD',
      reservedForUserId: fan.user.id,
      appointmentTypeId: c.t30,
      price: 5000,
    });
    expect((await slotsOf(c, c.t30)).some((s) => s.startsAt === target.startsAt)).toBe(false);
    // The 60-minute type cannot overlap it either.
    expect(
      (await slotsOf(c, c.t60)).some(
        (s) => new Date(s.startsAt) <= new Date(target.startsAt) && new Date(s.endsAt) > new Date(target.startsAt),
      ),
    ).toBe(false);
    await expectError(await bookSlot(c, other.token, c.t30, target.startsAt), 409, 'SLOT_UNAVAILABLE');
    // Not a slot at all (off the half-hour grid, or outside hours).
    await expectError(
      await bookSlot(
        c,
        other.token,
        c.t30,
        new Date(new Date(slots[3].startsAt).getTime() + 10 * 60_000).toISOString(),
      ),
      409,
      'SLOT_UNAVAILABLE',
    );
    // The one-off offer list stays clean: a slot is private to its fan.
    const page = (await (await api('GET', `/api/creators/${c.creator.slug}`)).json()) as { offers: { id: string }[] };
    expect(page.offers.some((o) => o.id === booking.offerId)).toBe(false);

    await deps().localPayments!.checkout(payment.intentId, 'succeed');
    expect((await bookingRow(booking.id)).status).toBe('CONFIRMED');

    // Another fan holds a slot, then lets it go: the slot comes back, its offer is withdrawn.
    const second = slots[14];
    const held = (await (await bookSlot(c, other.token, c.t30, second.startsAt)).json()) as {
      booking: { id: string; offerId: string };
    };
    expect((await api('POST', `/api/bookings/${held.booking.id}/cancel`, {}, { token: other.token })).status).toBe(200);
    expect((await offerRow(held.booking.offerId)).status).toBe('CANCELLED');
    expect((await slotsOf(c, c.t30)).some((s) => s.startsAt === second.startsAt)).toBe(true);
  });

  it('100 fans racing for overlapping slots of one creator: no two live bookings overlap', async () => {
    const c = await openCreator();
    const from = new Date(Date.now() + 3 * DAY);
    const pool30 = (await slotsOf(c, c.t30, from, new Date(from.getTime() + DAY))).slice(0, 6); // 6 adjacent half-hours
    const pool60 = (await slotsOf(c, c.t60, from, new Date(from.getTime() + DAY))).slice(0, 5);
    const racers = await fans(100);
    const attempts = racers.map((_f, i) =>
      i % 2 ? { type: c.t30, slot: pool30[i % pool30.length] } : { type: c.t60, slot: pool60[i % pool60.length] },
    );
    const results = await Promise.all(attempts.map((a, i) => bookSlot(c, racers[i].token, a.type, a.slot.startsAt)));
    const codes = results.map((r) => r.status);
    expect(codes.filter((s) => s >= 500)).toEqual([]);
    expect(codes.filter((s) => s === 201).length).toBeGreaterThanOrEqual(2);
    const live = await deps()
      .db.select({ s: bookings.startsAt, e: bookings.endsAt })
      .from(bookings)
      .where(and(eq(bookings.creatorId, c.creator.id), inArray(bookings.status, ['PENDING', 'CONFIRMED'])))
      .all();
    expect(live.length).toBe(codes.filter((s) => s === 201).length);
    const sorted = live.map((b) => [b.s.getTime(), b.e.getTime()]).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i][0]).toBeGreaterThanOrEqual(sorted[i - 1][1]);
  });

  it('one-off offers and slots never overlap, in either order', async () => {
    const c = await openCreator();
    const from = new Date(Date.now() + 5 * DAY);
    const slot = (await slotsOf(c, c.t30, from, new Date(from.getTime() + DAY)))[4];
    const offer = await api(
      'POST',
      '/api/offers',
      { title: 'One-off', price: 5000, currency: 'EUR', startsAt: slot.startsAt, durationMinutes: 30 },
      { token: c.token },
    );
    expect(offer.status).toBe(201);
    expect(
      (await slotsOf(c, c.t30, from, new Date(from.getTime() + DAY))).some((s) => s.startsAt === slot.startsAt),
    ).toBe(false);
    const next = (await slotsOf(c, c.t30, from, new Date(from.getTime() + DAY)))[6];
    const [fan] = await fans(1);
    expect((await bookSlot(c, fan.token, c.t30, next.startsAt)).status).toBe(201);
    await expectError(
      await api(
        'POST',
        '/api/offers',
        { title: 'Clash', price: 5000, currency: 'EUR', startsAt: next.startsAt, durationMinutes: 30 },
        { token: c.token },
      ),
      409,
      'OVERLAPS_ANOTHER_OFFER',
    );
  });
});

describe('rescheduling', () => {
  async function confirmedSlot() {
    const c = await openCreator();
    const from = new Date(Date.now() + 4 * DAY);
    const slots = await slotsOf(c, c.t30, from, new Date(from.getTime() + DAY));
    const [fan] = await fans(1);
    const { booking, payment } = (await (await bookSlot(c, fan.token, c.t30, slots[2].startsAt)).json()) as {
      booking: { id: string; offerId: string };
      payment: { intentId: string };
    };
    await deps().localPayments!.checkout(payment.intentId, 'succeed');
    return { c, fan, bookingId: booking.id, offerId: booking.offerId, slots };
  }

  it('moves a confirmed booking: payment unchanged, old slot freed, calendar event updated (SEQUENCE + 1), both told, live pickers refreshed', async () => {
    const { c, fan, bookingId, slots } = await confirmedSlot();
    const before = await bookingRow(bookingId);
    const payBefore = await paymentOf(bookingId);
    // A slot picker listening to the creator's calendar.
    const ws = await fetchApp(`/api/creators/${c.creator.slug}/slots/live`, { headers: { upgrade: 'websocket' } });
    expect(ws.status).toBe(101);
    const socket = ws.webSocket!;
    const heard: string[] = [];
    socket.accept();
    socket.addEventListener('message', (e) => {
      heard.push(JSON.parse(String(e.data)).type);
    });
    const version = async () =>
      ((await (await fetchApp(`/api/creators/${c.creator.slug}/slots/live`)).json()) as { version: number }).version;
    const versionBefore = await version();

    const options = (
      (await (
        await api('GET', `/api/bookings/${bookingId}/reschedule-slots`, undefined, { token: fan.token })
      ).json()) as { slots: Slot[] }
    ).slots;
    const target = options.find((s) => new Date(s.startsAt).getTime() > before.startsAt.getTime() + 2 * 3_600_000)!;
    const moved = await api(
      'POST',
      `/api/bookings/${bookingId}/reschedule`,
      { startsAt: target.startsAt },
      { token: fan.token },
    );
    expect(moved.status).toBe(200);
    const after = await bookingRow(bookingId);
    expect([after.startsAt.toISOString(), after.status, after.icsSequence]).toEqual([
      target.startsAt,
      'CONFIRMED',
      before.icsSequence + 1,
    ]);
    const payAfter = await paymentOf(bookingId);
    expect([payAfter.id, payAfter.intentId, payAfter.amount, payAfter.status]).toEqual([
      payBefore.id,
      payBefore.intentId,
      payBefore.amount,
      payBefore.status,
    ]);
    expect(await deps().db.select().from(payments).where(eq(payments.bookingId, bookingId)).all()).toHaveLength(1);
    expect(payAfter.payoutReleaseAt!.getTime() - payBefore.payoutReleaseAt!.getTime()).toBe(
      after.startsAt.getTime() - before.startsAt.getTime(),
    );
    // The creator's share now waits for the new release date (the books still balance).
    const [{ sum }] = await deps()
      .db.select({ sum: sql<number>`sum(${ledgerEntries.amount})` })
      .from(ledgerEntries)
      .where(eq(ledgerEntries.paymentId, payAfter.id));
    expect(sum).toBe(0);
    // The old time is free again; the new one is taken.
    const now = await slotsOf(c, c.t30, new Date(Date.now() + 4 * DAY), new Date(Date.now() + 5 * DAY));
    expect(now.some((s) => s.startsAt === slots[2].startsAt)).toBe(true);
    expect(now.some((s) => s.startsAt === target.startsAt)).toBe(false);
    // Both told, with an updated calendar event.
    const mails = await deps().db.select().from(emailLog).where(eq(emailLog.template, 'booking_rescheduled')).all();
    expect(
      mails.filter((m) => (m.payload as { data: { bookingId: string } }).data.bookingId === bookingId),
    ).toHaveLength(2);
    const ics = await (
      await fetchApp(`/api/bookings/${bookingId}/calendar.ics`, { headers: { authorization: `Bearer ${fan.token}` } })
    ).text();
    expect(ics).toContain(`SEQUENCE:${before.icsSequence + 1}`);
    expect(ics).toContain(`UID:${bookingId}@`);
    await until(() => heard.includes('slots-changed'), { what: "the calendar's slots-changed message" });
    expect(heard).toContain('slots-changed');
    // Polling clients (no WebSocket) see the version move too.
    expect(await version()).toBeGreaterThan(versionBefore);
    socket.close();
  });

  it('re-arms reminders for the new time', async () => {
    const { fan, bookingId } = await confirmedSlot();
    // Pretend the 24 h reminder went out for the old time.
    const b = await bookingRow(bookingId);
    await deps()
      .db.insert(bookingReminders)
      .values({ bookingId, kind: '24h', userId: fan.user.id, startsAt: b.startsAt, sentAt: new Date() });
    const target = (
      (await (
        await api('GET', `/api/bookings/${bookingId}/reschedule-slots`, undefined, { token: fan.token })
      ).json()) as { slots: Slot[] }
    ).slots.at(-1)!;
    expect(
      (await api('POST', `/api/bookings/${bookingId}/reschedule`, { startsAt: target.startsAt }, { token: fan.token }))
        .status,
    ).toBe(200);
    const moved = new Date(target.startsAt);
    await deps()
      .db.update(bookings)
      .set({ confirmedAt: new Date(moved.getTime() - 3 * DAY) })
      .where(eq(bookings.id, bookingId));
    expect(await sendReminders(deps(), [bookingId], new Date(moved.getTime() - 20 * 3_600_000))).toBe(2);
  });

  it('only its fan or creator, only while confirmed and more than 24 h ahead, only to a free slot', async () => {
    const { c, fan, bookingId, slots } = await confirmedSlot();
    const [stranger] = await fans(1);
    await expectError(
      await api(
        'POST',
        `/api/bookings/${bookingId}/reschedule`,
        { startsAt: slots[5].startsAt },
        { token: stranger.token },
      ),
      403,
      'FORBIDDEN',
    );
    await expectError(
      await api(
        'POST',
        `/api/bookings/${bookingId}/reschedule`,
        { startsAt: new Date(Date.now() + 3_600_000).toISOString() },
        { token: fan.token },
      ),
      409,
      'SLOT_UNAVAILABLE',
    );
    // The creator may move it too.
    expect(
      (await api('POST', `/api/bookings/${bookingId}/reschedule`, { startsAt: slots[6].startsAt }, { token: c.token }))
        .status,
    ).toBe(200);
    await deps()
      .db.update(bookings)
      .set({ startsAt: new Date(Date.now() + 3_600_000) })
      .where(eq(bookings.id, bookingId));
    await expectError(
      await api('POST', `/api/bookings/${bookingId}/reschedule`, { startsAt: slots[8].startsAt }, { token: fan.token }),
      409,
      'TOO_LATE_TO_RESCHEDULE',
    );
  });
});
