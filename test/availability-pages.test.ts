/**
 * Availability pages: the creator's settings (types, weekly hours, exceptions), the slot picker on
 * the creator page and its booking form, moving a booking from its page, the planning page and
 * the "today" agenda. Server-rendered HTML checked through the Worker, effects checked in D1.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointmentTypes, availabilityExceptions, availabilityRules, bookings } from '../src/db/schema';
import { localDate, localParts } from '../src/lib/tz';
import { cookieFrom, deps, getPage, postPage, bookingRow } from './helpers';
import { bookSlot, callAt, confirmedBooking, fans, onboardedCreator, openCreator, slotsOf } from './scenarios';

const DAY = 86_400_000;
const flashOf = (res: Response) => decodeURIComponent(cookieFrom(res, 'flash') ?? '').replace(/^flash=/, '');
const monthOf = (iso: string) => localDate(new Date(iso), 'Europe/Paris').slice(0, 7);

describe('availability settings page', () => {
  it('is for creators only and opens on the types tab with the defaults', async () => {
    const [fan] = await fans(1);
    expect((await getPage('/en/creator/availability', fan.token)).headers.get('location')).toBe(
      '/en/account#become-creator',
    );
    const c = await onboardedCreator();
    const html = await (await getPage('/en/creator/availability', c.token)).text();
    expect(html).toContain('aria-current="page" class="active">Appointment types</a>');
    expect(html.match(/class="card type-card"/g)).toHaveLength(3);
    expect(html).toContain('No type is active');
  });

  it('adds, edits and removes appointment types; a bad price is explained and saves nothing', async () => {
    const c = await onboardedCreator();
    await getPage('/en/creator/availability', c.token);
    const base = {
      name: 'Deep dive',
      description: 'Long one',
      durationMinutes: '45',
      price: '75',
      currency: 'EUR',
      color: '#123456',
      bufferBeforeMinutes: '5',
      bufferAfterMinutes: '10',
      minNoticeMinutes: '240',
      maxAdvanceDays: '30',
      active: 'on',
    };
    const bad = await postPage('/en/creator/availability/types', c.token, { ...base, price: '0.10' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('The minimum price is');
    const typesOf = () =>
      deps().db.select().from(appointmentTypes).where(eq(appointmentTypes.creatorId, c.creator.id)).all();
    expect(await typesOf()).toHaveLength(3);
    const ok = await postPage('/en/creator/availability/types', c.token, base);
    expect([ok.status, ok.headers.get('location')]).toEqual([303, '/en/creator/availability?tab=types']);
    const created = (await typesOf()).find((t) => t.name === 'Deep dive')!;
    expect(created).toMatchObject({
      durationMinutes: 45,
      price: 7500,
      currency: 'EUR',
      color: '#123456',
      bufferBeforeMinutes: 5,
      bufferAfterMinutes: 10,
      minNoticeMinutes: 240,
      maxAdvanceDays: 30,
      active: true,
    });
    // Unticking "bookable" deactivates it; the public list follows.
    expect(
      (
        await postPage(`/en/creator/availability/types/${created.id}`, c.token, {
          ...base,
          active: undefined as never,
          price: '80',
        })
      ).status,
    ).toBe(303);
    expect((await typesOf()).find((t) => t.id === created.id)).toMatchObject({ active: false, price: 8000 });
    const bogus = await postPage(`/en/creator/availability/types/${created.id}`, c.token, {
      ...base,
      durationMinutes: '7',
    });
    expect(bogus.status).toBe(400);
    expect(await bogus.text()).toMatch(/<details open(="")?>/);
    expect((await postPage(`/en/creator/availability/types/${created.id}/delete`, c.token)).status).toBe(303);
    expect((await typesOf()).some((t) => t.id === created.id)).toBe(false);
  });

  it('saves weekly hours (several ranges a day), refuses overlaps and half-filled ranges without saving', async () => {
    const c = await onboardedCreator();
    const tab = await (await getPage('/en/creator/availability?tab=hours', c.token)).text();
    expect(tab).toContain('name="d1_0_from" value="09:00"');
    expect(tab).toContain('name="d1_1_to" value="18:00"');
    const rulesOf = async () =>
      (await deps().db.select().from(availabilityRules).where(eq(availabilityRules.creatorId, c.creator.id)).all())
        .map((r) => [r.weekday, r.startMinute, r.endMinute])
        .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const before = await rulesOf();
    const overlap = await postPage('/en/creator/availability/hours', c.token, {
      d1_0_from: '09:00',
      d1_0_to: '12:00',
      d1_1_from: '11:00',
      d1_1_to: '13:00',
    });
    expect(overlap.status).toBe(400);
    expect(await overlap.text()).toContain('Ranges of one day must not overlap.');
    const half = await postPage('/en/creator/availability/hours', c.token, { d2_0_from: '09:00' });
    expect(await half.text()).toContain('Give both a start and an end');
    expect(await rulesOf()).toEqual(before);
    const saved = await postPage('/en/creator/availability/hours', c.token, {
      d1_0_from: '08:00',
      d1_0_to: '11:00',
      d1_1_from: '13:00',
      d1_1_to: '17:30',
      d0_0_from: '10:00',
      d0_0_to: '23:59',
    });
    expect(saved.status).toBe(303);
    expect(await rulesOf()).toEqual([
      [0, 600, 1440],
      [1, 480, 660],
      [1, 780, 1050],
    ]);
  });

  it('adds and removes date exceptions; past dates and extra hours without times are refused', async () => {
    const c = await onboardedCreator();
    const day = localDate(Date.now() + 10 * DAY, c.creator.timezone);
    const past = await postPage('/en/creator/availability/exceptions', c.token, { date: '2020-01-01', kind: 'OFF' });
    expect([past.status, (await past.text()).includes('Choose a date to come.')]).toEqual([400, true]);
    const extra = await postPage('/en/creator/availability/exceptions', c.token, { date: day, kind: 'EXTRA' });
    expect([extra.status, (await extra.text()).includes('Extra hours need a start and an end.')]).toEqual([400, true]);
    expect(
      (
        await postPage('/en/creator/availability/exceptions', c.token, {
          date: day,
          kind: 'EXTRA',
          from: '19:00',
          to: '21:00',
          note: 'Late session',
        })
      ).status,
    ).toBe(303);
    const rows = await deps()
      .db.select()
      .from(availabilityExceptions)
      .where(eq(availabilityExceptions.creatorId, c.creator.id))
      .all();
    expect(rows.map((r) => [r.date, r.kind, r.startMinute, r.endMinute, r.note])).toEqual([
      [day, 'EXTRA', 1140, 1260, 'Late session'],
    ]);
    expect(await (await getPage('/en/creator/availability?tab=exceptions', c.token)).text()).toContain(
      '19:00 – 21:00 · Late session',
    );
    expect((await postPage(`/en/creator/availability/exceptions/${rows[0].id}/delete`, c.token)).status).toBe(303);
    expect(
      await deps()
        .db.select()
        .from(availabilityExceptions)
        .where(eq(availabilityExceptions.creatorId, c.creator.id))
        .all(),
    ).toEqual([]);
  });
});

describe('slot picker on the creator page', () => {
  async function pickerMonth() {
    const c = await openCreator();
    const slots = await slotsOf(c, c.t30, new Date(Date.now() + 3 * DAY), new Date(Date.now() + 4 * DAY));
    return { c, slots, month: monthOf(slots[0].startsAt), day: localDate(new Date(slots[0].startsAt), 'Europe/Paris') };
  }

  it("renders the month with free days and the chosen day's times grouped by part of day, as the API computes them", async () => {
    const { c, month, day } = await pickerMonth();
    const html = await (await getPage(`/en/c/${c.creator.slug}?type=${c.t30}&month=${month}&day=${day}`)).text();
    expect(html).toContain('data-island="slot-picker"');
    expect(html).toContain('<script type="module" src="/static/slot-picker.js"></script>');
    const [y, m, d] = day.split('-').map(Number);
    const start = new Date(Date.UTC(y, m - 1, d) - 2 * 3_600_000);
    const api = (await slotsOf(c, c.t30, start, new Date(start.getTime() + 28 * 3_600_000))).filter(
      (s) => localDate(new Date(s.startsAt), 'Europe/Paris') === day,
    );
    const shown = [...html.matchAll(/class="slot" data-starts-at="([^"]+)"/g)].map((x) => x[1]);
    expect(shown).toEqual(api.map((s) => s.startsAt));
    expect(html).toContain('<h4>Morning</h4>');
    expect(html).toContain('<h4>Afternoon</h4>');
    expect(html).toContain('<h4>Evening</h4>'); // 18:00–20:00 Paris
    expect(html).toContain(`aria-current="date"`);
    // The other type is a choice; an unknown month falls back to this one.
    expect(html).toContain(`data-type-id="${c.t60}"`);
    expect(await (await getPage(`/en/c/${c.creator.slug}?month=1999-01`)).text()).toContain(
      'data-island="slot-picker"',
    );
  });

  it('books a time through the page: signed out → sign in; signed in → checkout; taken → back with a message', async () => {
    const { c, slots } = await pickerMonth();
    const form = { typeId: c.t30, startsAt: slots[1].startsAt };
    const anon = await postPage(`/en/c/${c.creator.slug}/slots/book`, undefined, form);
    expect(anon.headers.get('location')).toMatch(/^\/en\/signin\?next=/);
    const [a, b] = await fans(2);
    const res = await postPage(`/en/c/${c.creator.slug}/slots/book`, a.token, form);
    expect(res.status).toBe(303);
    const id = /\/en\/bookings\/(bkg_[0-9a-z]+)\/checkout/.exec(res.headers.get('location') ?? '')![1];
    expect(await bookingRow(id)).toMatchObject({
      status: 'PENDING',
      userId: a.user.id,
      startsAt: new Date(slots[1].startsAt),
    });
    const taken = await postPage(`/en/c/${c.creator.slug}/slots/book`, b.token, form);
    expect(taken.headers.get('location')).toContain(`/en/c/${c.creator.slug}?type=${c.t30}#slot-picker`);
    expect(flashOf(taken)).toBe('error:slots.errors.SLOT_UNAVAILABLE');
    // And it no longer appears on the page.
    const html = await (
      await getPage(
        `/en/c/${c.creator.slug}?type=${c.t30}&month=${monthOf(slots[1].startsAt)}&day=${localDate(new Date(slots[1].startsAt), 'Europe/Paris')}`,
      )
    ).text();
    expect(html).not.toContain(`data-starts-at="${slots[1].startsAt}"`);
    expect(html).toContain(`data-starts-at="${slots[2].startsAt}"`);
  });

  it('is not shown for a creator without active types', async () => {
    const c = await onboardedCreator();
    expect(await (await getPage(`/en/c/${c.creator.slug}`)).text()).not.toContain('data-island="slot-picker"');
  });
});

describe('moving a booking from its page', () => {
  it('offers the free times and moves the call for the fan or the creator; others cannot', async () => {
    const c = await openCreator();
    const slots = await slotsOf(c, c.t30, new Date(Date.now() + 4 * DAY), new Date(Date.now() + 5 * DAY));
    const [fan, stranger] = await fans(2);
    const { booking, payment } = (await (await bookSlot(c, fan.token, c.t30, slots[0].startsAt)).json()) as {
      booking: { id: string };
      payment: { intentId: string };
    };
    await deps().localPayments!.checkout(payment.intentId, 'succeed');
    const page = await (
      await getPage(
        `/en/bookings/${booking.id}?month=${monthOf(slots[3].startsAt)}&day=${localDate(new Date(slots[3].startsAt), 'Europe/Paris')}`,
        fan.token,
      )
    ).text();
    expect(page).toContain('Move this call');
    expect(page).toContain(`data-starts-at="${slots[3].startsAt}"`);
    expect(page).not.toContain(`data-starts-at="${slots[0].startsAt}"`); // its own time
    expect(
      (await postPage(`/en/bookings/${booking.id}/reschedule`, stranger.token, { startsAt: slots[3].startsAt })).status,
    ).toBe(404);
    const moved = await postPage(`/en/bookings/${booking.id}/reschedule`, fan.token, { startsAt: slots[3].startsAt });
    expect([moved.status, flashOf(moved)]).toEqual([303, 'success:reschedule.done']);
    expect((await bookingRow(booking.id)).startsAt.toISOString()).toBe(slots[3].startsAt);
    const byCreator = await postPage(`/en/bookings/${booking.id}/reschedule`, c.token, { startsAt: slots[5].startsAt });
    expect(flashOf(byCreator)).toBe('success:reschedule.done');
    const refused = await postPage(`/en/bookings/${booking.id}/reschedule`, fan.token, {
      startsAt: new Date(Date.now() + 2 * 3_600_000).toISOString(),
    });
    expect(flashOf(refused)).toBe('error:reschedule.errors.SLOT_UNAVAILABLE');
  });

  it('says when it is too late to move', async () => {
    const s = await confirmedBooking({ startsInMinutes: 120 });
    expect(await (await getPage(`/en/bookings/${s.bookingId}`, s.fan.token)).text()).toContain(
      'it can no longer be moved',
    );
  });
});

describe('planning and today', () => {
  it('shows bookings by month and as a list, filters by status, counts total / upcoming / completed / cancelled', async () => {
    const c = await openCreator();
    const slots = await slotsOf(c, c.t30, new Date(Date.now() + 3 * DAY), new Date(Date.now() + 4 * DAY));
    const [f1, f2] = await fans(2);
    const ids: string[] = [];
    for (const [fan, slot] of [
      [f1, slots[0]],
      [f2, slots[4]],
    ] as const) {
      const { booking, payment } = (await (await bookSlot(c, fan.token, c.t30, slot.startsAt)).json()) as {
        booking: { id: string };
        payment: { intentId: string };
      };
      await deps().localPayments!.checkout(payment.intentId, 'succeed');
      ids.push(booking.id);
    }
    await deps().db.update(bookings).set({ status: 'CANCELLED' }).where(eq(bookings.id, ids[1]));
    const stat = (html: string, k: string) =>
      Number(new RegExp(`data-stat="${k}"><strong>(\\d+)</strong>`).exec(html)![1]);
    const month = await (await getPage(`/en/creator/planning?month=${monthOf(slots[0].startsAt)}`, c.token)).text();
    expect([stat(month, 'total'), stat(month, 'upcoming'), stat(month, 'completed'), stat(month, 'cancelled')]).toEqual(
      [2, 1, 0, 1],
    );
    expect(month).toContain(`data-booking-id="${ids[0]}"`);
    expect(month).toContain(`data-booking-id="${ids[1]}"`);
    const upcoming = await (await getPage('/en/creator/planning?view=list&status=upcoming', c.token)).text();
    expect(upcoming).toContain(`data-booking-id="${ids[0]}"`);
    expect(upcoming).not.toContain(`data-booking-id="${ids[1]}"`);
    const cancelled = await (
      await getPage(`/en/creator/planning?view=month&status=cancelled&month=${monthOf(slots[0].startsAt)}`, c.token)
    ).text();
    expect(cancelled).not.toContain(`data-booking-id="${ids[0]}"`);
    expect(cancelled).toContain(`data-booking-id="${ids[1]}"`);
    // Someone else's bookings never show.
    const other = await onboardedCreator();
    expect(await (await getPage('/en/creator/planning?view=list', other.token)).text()).not.toContain(ids[0]);
  });

  it("puts today's calls on the creator home, with a join link while they are on", async () => {
    // Ongoing unless it is just past midnight in Paris, when a call starting in 5 minutes is still "today".
    const early =
      localParts(Date.now(), 'Europe/Paris').hour === 0 && localParts(Date.now(), 'Europe/Paris').minute < 10;
    const s = await callAt(early ? 5 * 60_000 : -5 * 60_000);
    const html = await (await getPage('/en/creator', s.c.token)).text();
    expect(html).toContain('data-today-count="1"');
    expect(html).toContain(`href="/en/call/${s.bookingId}"`);
    const empty = await onboardedCreator();
    expect(await (await getPage('/en/creator', empty.token)).text()).toContain('No calls today.');
  });
});
