/**
 * Messaging: every email template — every variant (each reminder, each payout step…) — in fr and en,
 * crossed with a Paris and a New York zone (text parts snapshotted), booking emails end to end in
 * each person's language and zone, the .ics (iTIP REQUEST/CANCEL, UTC times, organizer, attendees,
 * join link, stable UID, SEQUENCE), reminders (exact windows to the millisecond in code and in SQL,
 * once, none after a cancel, catch-up, re-checked at delivery, fan-out counts and chunk runs),
 * in-app notifications, email preferences and one-click unsubscribe, and the admin email / jobs /
 * logs pages and the daily summary.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { and, eq, like, or } from 'drizzle-orm';
import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import {
  bookingReminders,
  bookings,
  callOffers,
  cronRuns,
  devOutbox,
  emailLog,
  logs,
  notifications,
  users,
} from '../src/db/schema';
import type { Deps } from '../src/deps';
import { emailContext, type EmailPayload } from '../src/domain/email/enqueue';
import { deliverEmail } from '../src/domain/email/deliver';
import { unsubscribeUrl } from '../src/domain/email/unsubscribe';
import {
  CHUNK,
  CONFIRM_GRACE,
  dueBookings,
  dueReminder,
  FANOUT_THRESHOLD,
  reminderJob,
  sendReminders,
  type ReminderChunk,
} from '../src/domain/notifications/reminders';
import { notify } from '../src/domain/notifications/notify';
import { sendDailySummary } from '../src/domain/admin/summary';
import { renderEmail, samplesOf, templates } from '../src/emails';
import { handleQueue } from '../src/jobs/queue';
import { DAY, fixedClock, HOUR, MINUTE } from '../src/lib/clock';
import { randomIds } from '../src/lib/ids';
import { LOG_TYPES, type LogType } from '../src/lib/logger';
import type { EmailProvider } from '../src/providers/email/port';
import {
  api,
  bookingRow,
  createAccount,
  deps,
  expectError,
  fetchApp,
  getPage,
  postPage,
  testEnv,
  offerRow,
  userRow,
} from './helpers';
import { book, callAt, confirmedBooking, moveCall, offerFor, onboardedCreator } from './scenarios';

const get = getPage;
const post = postPage;
const emailsOf = (userId: string) => deps().db.select().from(emailLog).where(eq(emailLog.userId, userId)).all();
const outboxOf = async (key: string) =>
  deps().db.select().from(devOutbox).where(eq(devOutbox.idempotencyKey, key)).get();
const remindersOf = (bookingId: string) =>
  deps().db.select().from(bookingReminders).where(eq(bookingReminders.bookingId, bookingId)).all();
/** "6:00 PM" / "18:00": the hour as Intl writes it in that language and zone (independent of the app's formatting code). */
const hm = (d: Date, locale: string, tz: string) =>
  new Intl.DateTimeFormat(locale, { timeZone: tz, hour: 'numeric', minute: '2-digit' }).format(d);
/** RFC 5545 unfolding: continuation lines start with one space. */
const unfold = (ics: string) => ics.replace(/\r\n /g, '');
const icsStamp = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/** Deps whose email queue keeps its messages (nothing is delivered in the background): the test drives delivery. */
const quiet = (d: Deps = deps()): Deps => ({
  ...d,
  queues: {
    ...d.queues,
    email: { send: async () => {}, sendBatch: async () => {} } as unknown as Deps['queues']['email'],
  },
});

/** A confirmed call whose reminders are all "before" its confirmation (confirmed a day earlier). */
async function remindable(startsInMs: number) {
  const s = await callAt(startsInMs);
  await deps()
    .db.update(bookings)
    .set({ confirmedAt: new Date(s.startsAt.getTime() - 2 * DAY) })
    .where(eq(bookings.id, s.bookingId));
  return s;
}

describe('email templates', () => {
  // Crossed on purpose: a bug taking the zone from the language (fr → Paris) fails fr-New_York and en-Paris.
  const recipients = [
    { label: 'fr-Paris', locale: 'fr' as const, timezone: 'Europe/Paris', name: 'Camille Dubois' },
    { label: 'fr-New_York', locale: 'fr' as const, timezone: 'America/New_York', name: 'Camille Dubois' },
    { label: 'en-Paris', locale: 'en' as const, timezone: 'Europe/Paris', name: 'Jordan Lee' },
    { label: 'en-New_York', locale: 'en' as const, timezone: 'America/New_York', name: 'Jordan Lee' },
  ];
  for (const [name, tpl] of Object.entries(templates)) {
    for (const [variant, data] of Object.entries(samplesOf(tpl, 'http://localhost'))) {
      for (const r of recipients) {
        it(`${name} [${variant}] renders for ${r.label} (text part snapshotted)`, () => {
          const unsubscribe = tpl.transactional ? undefined : 'http://localhost/email/unsubscribe?u=usr_x&c=x&s=y';
          const out = renderEmail(
            tpl,
            emailContext(deps(), { locale: r.locale, timezone: r.timezone, name: r.name }, unsubscribe),
            data,
          );
          expect(out.subject.length).toBeGreaterThan(5);
          expect(out.html).toContain(`lang="${r.locale}"`);
          expect(out.text).not.toMatch(/\b(email|notifications)\.[a-z]+\.[a-zA-Z.]+/); // no untranslated key
          expect(out.text).toContain(r.locale === 'fr' ? 'Bonjour' : 'Hello');
          if (unsubscribe) expect(out.text).toContain(unsubscribe);
          expect(out.text).toMatchSnapshot();
        });
      }
    }
  }

  it('has a variant for every reminder kind and every payout step, and the variants read differently', () => {
    expect(Object.keys(samplesOf(templates.booking_reminder, 'http://localhost'))).toEqual(['24h', '1h', '15m']);
    const kinds = (templates.payout_update.data as unknown as z.ZodObject<{ kind: z.ZodEnum }>).shape.kind.options;
    expect(Object.keys(samplesOf(templates.payout_update, 'http://localhost')).sort()).toEqual([...kinds].sort());
    expect(kinds).toContain('failed');
    for (const [name, tpl] of Object.entries(templates)) {
      const variants = Object.values(samplesOf(tpl, 'http://localhost'));
      const texts = variants.map(
        (data) => renderEmail(tpl, emailContext(deps(), { locale: 'en', timezone: 'UTC', name: 'X' }), data).text,
      );
      expect(new Set(texts).size, name).toBe(variants.length);
    }
  });

  it("writes each time in the recipient's zone, whatever their language (the same call at 17:00 UTC)", () => {
    const tpl = templates.booking_confirmed;
    const data = tpl.sample('http://localhost'); // starts 2026-12-03 17:00 UTC
    const text = (locale: 'fr' | 'en', timezone: string) =>
      renderEmail(tpl, emailContext(deps(), { locale, timezone, name: 'X' }), data).text;
    expect(text('fr', 'Europe/Paris')).toContain('jeudi 3 décembre 2026 à 18:00 UTC+1');
    expect(text('fr', 'America/New_York')).toContain('jeudi 3 décembre 2026 à 12:00 UTC−5');
    expect(text('en', 'Europe/Paris')).toContain('Thursday, December 3, 2026 at 6:00 PM GMT+1');
    expect(text('en', 'America/New_York')).toContain('Thursday, December 3, 2026 at 12:00 PM EST');
  });
});

describe('booking emails', () => {
  it('a French fan in Paris and an English creator in New York each get their own language, zone and .ics', async () => {
    const c = await onboardedCreator();
    await deps().db.update(users).set({ locale: 'en', timezone: 'America/New_York' }).where(eq(users.id, c.user.id));
    const fan = await createAccount('USER', { locale: 'fr', timezone: 'Europe/Paris', passwordHash: null });
    const offer = await offerFor(c, { startsInMinutes: 3 * 24 * 60 });
    const out = (await (await book(offer.id, fan.token)).json()) as {
      booking: { id: string };
      payment: { intentId: string };
    };
    await deps().localPayments!.checkout(out.payment.intentId, 'succeed');
    const start = (await bookingRow(out.booking.id)).startsAt;

    const fanMail = (await emailsOf(fan.user.id)).find((e) => e.template === 'booking_confirmed')!;
    const creatorMail = await emailsOf(c.user.id);
    const newBooking = creatorMail.find((e) => e.template === 'new_booking')!;
    expect(creatorMail.map((e) => e.template)).toContain('payment_received');
    expect(fanMail.locale).toBe('fr');
    expect(newBooking.locale).toBe('en');
    // (The queue consumer may have sent them already: either way, once.)
    for (const e of [fanMail, newBooking]) await deliverEmail(deps(), e.id, 1);
    const fanText = (await outboxOf(fanMail.idempotencyKey))!.text;
    const creatorText = (await outboxOf(newBooking.idempotencyKey))!.text;
    expect(fanText).toContain('Bonjour');
    expect(fanText).toContain(hm(start, 'fr-FR', 'Europe/Paris'));
    expect(fanText).not.toContain(hm(start, 'fr-FR', 'America/New_York'));
    expect(creatorText).toContain('Hello');
    expect(creatorText).toContain(hm(start, 'en-US', 'America/New_York'));
    expect(creatorText).not.toContain(hm(start, 'en-US', 'Europe/Paris'));
    expect(fanText).toContain(`http://localhost/fr/call/${out.booking.id}`);
    expect(creatorText).toContain(`http://localhost/en/bookings/${out.booking.id}`);
    // Each .ics: same event (UID, UTC start), the recipient's local time and language in the description.
    const fanIcs = unfold((fanMail.payload as unknown as EmailPayload).data.ics as string);
    const creatorIcs = unfold((newBooking.payload as unknown as EmailPayload).data.ics as string);
    for (const ics of [fanIcs, creatorIcs]) {
      expect(ics).toContain(`UID:${out.booking.id}@localhost`);
      expect(ics).toContain(`DTSTART:${icsStamp(start)}`);
    }
    expect(fanIcs).toContain('(Europe/Paris)');
    expect(creatorIcs).toContain('(America/New_York)');
    expect((await outboxOf(fanMail.idempotencyKey))!.attachments).toEqual([
      expect.objectContaining({ filename: 'call.ics', contentType: 'text/calendar; charset=utf-8; method=REQUEST' }),
    ]);
  });

  it('cancellation emails both people, with the refund for the fan and an .ics that cancels the event', async () => {
    const s = await confirmedBooking({ startsInMinutes: 3 * 24 * 60 });
    expect(
      (await api('POST', `/api/bookings/${s.bookingId}/cancel`, { reason: 'Conflit' }, { token: s.c.token })).status,
    ).toBe(200);
    const mail = (await emailsOf(s.fan.user.id)).filter((e) => e.template === 'booking_cancelled');
    expect(mail).toHaveLength(1);
    expect((mail[0].payload as unknown as EmailPayload).data.refunded).toBe(2500);
    expect((await emailsOf(s.c.user.id)).some((e) => e.template === 'booking_cancelled')).toBe(true);
    expect((await emailsOf(s.fan.user.id)).some((e) => e.template === 'refund_issued')).toBe(true);
    await deliverEmail(deps(), mail[0].id, 1);
    expect((await outboxOf(mail[0].idempotencyKey))!.attachments).toEqual([
      expect.objectContaining({ contentType: 'text/calendar; charset=utf-8; method=CANCEL' }),
    ]);
    expect((mail[0].payload as unknown as EmailPayload).data.ics).toMatch(/METHOD:CANCEL\r\n[\s\S]*SEQUENCE:1\r\n/);
  });
});

describe('.ics export', () => {
  it('one event for both people: iTIP REQUEST with organizer, attendees and join link, UTC times the same for a Paris and a New York viewer, no X-WR-TIMEZONE; strangers get 404', async () => {
    const s = await confirmedBooking({ startsInMinutes: 3 * 24 * 60 });
    await deps()
      .db.update(users)
      .set({ locale: 'en', timezone: 'America/New_York' })
      .where(eq(users.id, s.fan.user.id));
    await deps().db.update(users).set({ locale: 'fr', timezone: 'Europe/Paris' }).where(eq(users.id, s.c.user.id));
    const res = await get(`/api/bookings/${s.bookingId}/calendar.ics`, s.fan.token);
    expect(res.headers.get('content-type')).toContain('text/calendar');
    const raw = await res.text();
    expect(raw.split('\r\n').every((l) => new TextEncoder().encode(l).length <= 75)).toBe(true);
    expect(raw.endsWith('\r\n')).toBe(true);
    const fanIcs = unfold(raw);
    const creatorIcs = unfold(await (await get(`/api/bookings/${s.bookingId}/calendar.ics`, s.c.token)).text());
    const b = await bookingRow(s.bookingId);
    for (const ics of [fanIcs, creatorIcs]) {
      expect(ics).toContain('METHOD:REQUEST\r\n');
      expect(ics).toContain(`UID:${s.bookingId}@localhost\r\n`);
      expect(ics).toContain('SEQUENCE:0\r\n');
      expect(ics).toContain(`DTSTART:${icsStamp(b.startsAt)}\r\n`);
      expect(ics).toContain(`DTEND:${icsStamp(b.endsAt)}\r\n`);
      expect(ics).toMatch(/DTSTART:\d{8}T\d{6}Z\r\n/);
      expect(ics).not.toMatch(/X-WR-TIMEZONE|TZID|VTIMEZONE/);
      expect(ics).toContain('ORGANIZER;CN="Call a Star":mailto:support@callastar.local\r\n');
      const attendees = ics.split('\r\n').filter((l) => l.startsWith('ATTENDEE'));
      expect(attendees).toHaveLength(2);
      expect(attendees.join('\n')).toContain(`:mailto:${s.fan.user.email}`);
      expect(attendees.join('\n')).toContain(`:mailto:${s.c.user.email}`);
      for (const a of attendees) expect(a).toMatch(/PARTSTAT=ACCEPTED;RSVP=FALSE:/);
      expect(ics).toContain('STATUS:CONFIRMED');
      expect(ics).toContain('BEGIN:VALARM');
    }
    // The join link in each person's language, as URL, LOCATION and in the description.
    expect(fanIcs).toContain(`URL:http://localhost/en/call/${s.bookingId}\r\n`);
    expect(creatorIcs).toContain(`URL:http://localhost/fr/call/${s.bookingId}\r\n`);
    expect(fanIcs).toMatch(new RegExp(`DESCRIPTION:[^\\r]*http://localhost/en/call/${s.bookingId}`));
    // The description states the viewer's own local time.
    expect(fanIcs).toContain(hm(b.startsAt, 'en-US', 'America/New_York'));
    expect(fanIcs).toContain('(America/New_York)');
    expect(creatorIcs).toContain(hm(b.startsAt, 'fr-FR', 'Europe/Paris'));
    expect(creatorIcs).toContain('(Europe/Paris)');
    await expectError(
      await get(`/api/bookings/${s.bookingId}/calendar.ics`, (await createAccount('USER')).token),
      404,
      'NOT_FOUND',
    );
  });

  it('keeps its UID through a reschedule (SEQUENCE + 1) and a cancellation (METHOD:CANCEL, SEQUENCE + 1 again, no alarm)', async () => {
    const s = await confirmedBooking({ startsInMinutes: 3 * 24 * 60 });
    const b = await bookingRow(s.bookingId);
    // What a reschedule leaves behind: a new time, the sequence bumped.
    const moved = new Date(b.startsAt.getTime() + HOUR);
    await deps()
      .db.update(bookings)
      .set({ startsAt: moved, endsAt: new Date(moved.getTime() + 30 * MINUTE), icsSequence: 1 })
      .where(eq(bookings.id, s.bookingId));
    const after = unfold(await (await get(`/api/bookings/${s.bookingId}/calendar.ics`, s.fan.token)).text());
    expect(after).toContain(`UID:${s.bookingId}@localhost\r\n`);
    expect(after).toContain('SEQUENCE:1\r\n');
    expect(after).toContain(`DTSTART:${icsStamp(moved)}\r\n`);
    expect((await api('POST', `/api/bookings/${s.bookingId}/cancel`, {}, { token: s.c.token })).status).toBe(200);
    const cancelled = unfold(await (await get(`/api/bookings/${s.bookingId}/calendar.ics`, s.c.token)).text());
    expect(cancelled).toContain('METHOD:CANCEL\r\n');
    expect(cancelled).toContain(`UID:${s.bookingId}@localhost\r\n`);
    expect(cancelled).toContain('SEQUENCE:2\r\n');
    expect(cancelled).toContain('STATUS:CANCELLED\r\n');
    expect(cancelled).not.toContain('BEGIN:VALARM');
    expect(cancelled.split('\r\n').filter((l) => l.startsWith('ATTENDEE'))).toHaveLength(2);
    expect(cancelled).toContain('ORGANIZER;');
  });
});

describe('reminders', () => {
  const start = new Date('2026-12-10T18:00:00Z');
  const at = (ms: number) => new Date(start.getTime() + ms);
  const booked = { startsAt: start, confirmedAt: at(-3 * DAY) };
  // Each boundary and 1 ms on either side.
  const BOUNDARIES = [
    ['24 h − 1 ms before', -24 * HOUR - 1, null],
    ['exactly 24 h before', -24 * HOUR, '24h'],
    ['2 h before', -2 * HOUR, '24h'],
    ['1 h + 1 ms before', -HOUR - 1, '24h'],
    ['exactly 1 h before', -HOUR, '1h'],
    ['30 min before (a run 30 min late still sends the 1 h reminder)', -30 * MINUTE, '1h'],
    ['15 min + 1 ms before', -15 * MINUTE - 1, '1h'],
    ['exactly 15 min before', -15 * MINUTE, '15m'],
    ['1 ms before the start', -1, '15m'],
    ['at the start', 0, null],
    ['1 ms after the start', 1, null],
  ] as const;
  it.each(BOUNDARIES)('%s → %s', (_n, offset, kind) => {
    expect(dueReminder(booked, at(offset))).toBe(kind);
  });
  it("a booking made after a reminder's time (beyond the grace) does not get that reminder", () => {
    expect(dueReminder({ startsAt: start, confirmedAt: at(-20 * HOUR) }, at(-19 * HOUR))).toBeNull();
    expect(dueReminder({ startsAt: start, confirmedAt: at(-20 * HOUR) }, at(-50 * MINUTE))).toBe('1h');
    // The grace, to the millisecond: confirmed at the due time + grace still gets it, 1 ms later does not.
    expect(dueReminder({ startsAt: start, confirmedAt: at(-HOUR + CONFIRM_GRACE) }, at(-50 * MINUTE))).toBe('1h');
    expect(dueReminder({ startsAt: start, confirmedAt: at(-HOUR + CONFIRM_GRACE + 1) }, at(-50 * MINUTE))).toBeNull();
  });

  it('the SQL that lists due bookings has the very same windows, to the millisecond, and skips reminders already sent', async () => {
    const s = await remindable(30 * DAY);
    const S = s.startsAt.getTime();
    for (const [name, offset, kind] of BOUNDARIES) {
      expect((await dueBookings(deps(), new Date(S + offset))).includes(s.bookingId), name).toBe(kind !== null);
    }
    // The confirmation grace, in SQL too.
    await deps()
      .db.update(bookings)
      .set({ confirmedAt: new Date(S - HOUR + CONFIRM_GRACE + 1) })
      .where(eq(bookings.id, s.bookingId));
    expect(await dueBookings(deps(), new Date(S - 50 * MINUTE))).not.toContain(s.bookingId);
    await deps()
      .db.update(bookings)
      .set({ confirmedAt: new Date(S - HOUR + CONFIRM_GRACE) })
      .where(eq(bookings.id, s.bookingId));
    expect(await dueBookings(deps(), new Date(S - 50 * MINUTE))).toContain(s.bookingId);
    // Claimed for one person: still due (the other is missing); for both: no longer listed — until the next kind.
    const tick = new Date(S - 50 * MINUTE);
    await deps()
      .db.insert(bookingReminders)
      .values({ bookingId: s.bookingId, kind: '1h', userId: s.fan.user.id, startsAt: s.startsAt, sentAt: tick });
    expect(await dueBookings(deps(), tick)).toContain(s.bookingId);
    await deps()
      .db.insert(bookingReminders)
      .values({ bookingId: s.bookingId, kind: '1h', userId: s.c.user.id, startsAt: s.startsAt, sentAt: tick });
    expect(await dueBookings(deps(), tick)).not.toContain(s.bookingId);
    expect(await dueBookings(deps(), new Date(S - 10 * MINUTE))).toContain(s.bookingId);
    // Claims for another start (before a reschedule) do not count.
    await deps()
      .db.update(bookings)
      .set({ startsAt: new Date(S + MINUTE) })
      .where(eq(bookings.id, s.bookingId));
    expect(await dueBookings(deps(), tick)).toContain(s.bookingId);
  });

  it('sends each reminder once to both people, even when the job runs twice; none after a cancellation', async () => {
    const s = await remindable(55 * MINUTE);
    const first = await reminderJob(deps(), new Date());
    const second = await reminderJob(deps(), new Date());
    expect(first.sent).toBeGreaterThanOrEqual(2);
    expect(second.sent).toBe(0);
    const rows = await remindersOf(s.bookingId);
    expect(rows.map((r) => `${r.kind}:${r.userId === s.fan.user.id ? 'fan' : 'creator'}`).sort()).toEqual([
      '1h:creator',
      '1h:fan',
    ]);
    expect((await emailsOf(s.fan.user.id)).filter((e) => e.template === 'booking_reminder')).toHaveLength(1);
    expect(
      await deps()
        .db.select()
        .from(notifications)
        .where(and(eq(notifications.userId, s.c.user.id), eq(notifications.type, 'REMINDER')))
        .all(),
    ).toHaveLength(1);

    const cancelled = await remindable(50 * MINUTE);
    await deps().db.update(bookings).set({ status: 'CANCELLED' }).where(eq(bookings.id, cancelled.bookingId));
    expect(await dueBookings(deps(), new Date())).not.toContain(cancelled.bookingId);
    await reminderJob(deps(), new Date());
    expect(await sendReminders(deps(), [cancelled.bookingId], new Date())).toBe(0);
    expect(await remindersOf(cancelled.bookingId)).toHaveLength(0);
  });

  it('catches up after missed runs: two runs 30 minutes apart send the 24 h reminder, then the 1 h one (due 20 minutes before the second run)', async () => {
    const s = await remindable(3 * HOUR);
    const S = s.startsAt.getTime();
    const run1 = new Date(S - 70 * MINUTE);
    const run2 = new Date(run1.getTime() + 30 * MINUTE); // S − 40 min: the runs at S − 65 … S − 45 never happened
    await reminderJob(deps(), run1);
    expect((await remindersOf(s.bookingId)).map((r) => r.kind)).toEqual(['24h', '24h']);
    await reminderJob(deps(), run2);
    expect((await remindersOf(s.bookingId)).map((r) => r.kind).sort()).toEqual(['1h', '1h', '24h', '24h']);
    await reminderJob(deps(), run2);
    expect(await remindersOf(s.bookingId)).toHaveLength(4);
    const kinds = (await emailsOf(s.fan.user.id))
      .filter((e) => e.template === 'booking_reminder')
      .map((e) => (e.payload as unknown as EmailPayload).data.kind);
    expect(kinds.sort()).toEqual(['1h', '24h']);
  });

  it('a reschedule re-arms the reminders (the start is part of the key)', async () => {
    const s = await remindable(10 * MINUTE);
    expect(await sendReminders(deps(), [s.bookingId], new Date())).toBe(2);
    await moveCall(s.bookingId, 12 * MINUTE);
    expect(await sendReminders(deps(), [s.bookingId], new Date())).toBe(2);
  });

  it('a claim is released when telling the person fails, so the next run sends it', async () => {
    const s = await remindable(40 * MINUTE);
    const broken: Deps = {
      ...deps(),
      ids: {
        next: (p) => {
          if (p === 'eml') throw new Error('D1 unavailable');
          return randomIds.next(p);
        },
      },
    };
    await expect(sendReminders(broken, [s.bookingId], new Date())).rejects.toThrow('D1 unavailable');
    expect(await remindersOf(s.bookingId)).toHaveLength(0);
    expect(await dueBookings(deps(), new Date())).toContain(s.bookingId);
    expect(await sendReminders(deps(), [s.bookingId], new Date())).toBe(2);
    expect((await emailsOf(s.c.user.id)).filter((e) => e.template === 'booking_reminder')).toHaveLength(1);
  });

  it('delivery re-checks the call: a retried reminder is skipped after a cancellation, a move, or the start — and still sent when the call is on', async () => {
    const down: EmailProvider = {
      name: 'outbox',
      webhook: null,
      send: async () => ({
        ok: false,
        retryable: true,
        maybeSent: false,
        status: 503,
        message: 'internal_server_error: down',
      }),
    };
    const reminderFor = async (startsInMs: number) => {
      const s = await remindable(startsInMs);
      await sendReminders(quiet(), [s.bookingId], new Date());
      const e = (await emailsOf(s.fan.user.id)).find((x) => x.template === 'booking_reminder')!;
      expect((e.payload as unknown as EmailPayload).data).toMatchObject({
        bookingId: s.bookingId,
        startsAt: s.startsAt.toISOString(),
      });
      // The first attempt fails: the queue will retry it.
      expect((await deliverEmail({ ...deps(), emailProvider: down }, e.id, 1)).action).toBe('retry');
      return { s, e };
    };
    const expectSkipped = async (e: { id: string; idempotencyKey: string }, reason: string, d: Deps = deps()) => {
      expect(await deliverEmail(d, e.id, 2)).toEqual({ action: 'ack', outcome: 'skipped' });
      expect(await deps().db.select().from(emailLog).where(eq(emailLog.id, e.id)).get()).toMatchObject({
        status: 'SKIPPED',
        lastError: expect.stringContaining(reason),
        attempts: 1,
      });
      expect(await outboxOf(e.idempotencyKey)).toBeUndefined();
    };

    const cancelled = await reminderFor(50 * MINUTE);
    expect(
      (await api('POST', `/api/bookings/${cancelled.s.bookingId}/cancel`, {}, { token: cancelled.s.c.token })).status,
    ).toBe(200);
    await expectSkipped(cancelled.e, 'booking cancelled');

    const moved = await reminderFor(52 * MINUTE);
    await moveCall(moved.s.bookingId, 3 * HOUR);
    await expectSkipped(moved.e, 'call moved');

    const started = await reminderFor(54 * MINUTE);
    await expectSkipped(started.e, 'call already started', deps({ clock: fixedClock(started.s.startsAt) }));

    const on = await reminderFor(56 * MINUTE);
    expect(await deliverEmail(deps({ clock: fixedClock(on.s.startsAt.getTime() - 1) }), on.e.id, 2)).toEqual({
      action: 'ack',
      outcome: 'sent',
    });
    expect(await outboxOf(on.e.idempotencyKey)).toBeDefined();
    const skipped = (await deps().db.select().from(logs).where(eq(logs.type, 'EMAIL_SKIPPED')).all()).map(
      (l) => (l.context as { emailId: string }).emailId,
    );
    for (const { e } of [cancelled, moved, started]) expect(skipped.filter((x) => x === e.id)).toHaveLength(1);
    expect(skipped).not.toContain(on.e.id);
  });

  it('fans out only what is really due: 121 due → 3 chunks through the jobs queue, each with its own cron-run row; the next run finds nothing', async () => {
    const s = await remindable(25 * MINUTE);
    const d0 = deps();
    const b = await bookingRow(s.bookingId);
    const offer = await offerRow(b.offerId);
    // 120 more calls due now (clones of this one, each with its own offer).
    const ids = [s.bookingId];
    for (let i = 0; i < 120; i += 20) {
      const stmts = [];
      for (let j = i; j < i + 20; j++) {
        const oid = `off_fanout${String(j).padStart(6, '0')}`;
        const bid = `bkg_fanout${String(j).padStart(6, '0')}`;
        ids.push(bid);
        stmts.push(
          d0.db.insert(callOffers).values({ ...offer, id: oid }),
          d0.db.insert(bookings).values({ ...b, id: bid, offerId: oid, paymentIntentId: null }),
        );
      }
      await d0.db.batch(stmts as [(typeof stmts)[number], ...typeof stmts]);
    }
    const captured: ReminderChunk[] = [];
    const d = {
      ...d0,
      queues: {
        ...d0.queues,
        jobs: {
          sendBatch: async (msgs: { body: ReminderChunk }[]) => {
            captured.push(...msgs.map((m) => m.body));
          },
        } as unknown as Queue<ReminderChunk>,
      },
    };
    const tick = new Date();
    const due = (await dueBookings(d0, tick)).filter((id) => ids.includes(id));
    expect(due).toHaveLength(121);
    const r = await reminderJob(d, tick);
    expect(r.due).toBeGreaterThan(FANOUT_THRESHOLD);
    expect(r.sent).toBe(0);
    expect(r.chunks).toBe(Math.ceil(r.due / CHUNK));
    expect(captured.map((c) => c.part)).toEqual(captured.map((_, i) => i + 1));
    for (const id of ids) expect(captured.filter((c) => c.bookingIds.includes(id))).toHaveLength(1);
    // The consumer handles every chunk, each recorded as its own run.
    const consume = async (chunk: ReminderChunk, id: string) => {
      const batch = createMessageBatch('jobs', [{ id, timestamp: new Date(), attempts: 1, body: chunk }]);
      await handleQueue(batch, testEnv);
      expect((await getQueueResult(batch, createExecutionContext())).explicitAcks).toEqual([id]);
    };
    for (const [i, chunk] of captured.entries()) await consume(chunk, `m${i}`);
    const claimed = async () =>
      d0.db
        .select()
        .from(bookingReminders)
        .where(or(eq(bookingReminders.bookingId, s.bookingId), like(bookingReminders.bookingId, 'bkg_fanout%')))
        .all();
    expect(await claimed()).toHaveLength(2 * ids.length);
    const chunkRuns = () =>
      d0.db
        .select()
        .from(cronRuns)
        .where(and(eq(cronRuns.job, 'reminders'), eq(cronRuns.scheduledAt, tick), eq(cronRuns.trigger, 'QUEUE')))
        .orderBy(cronRuns.part)
        .all();
    const runs = await chunkRuns();
    expect(runs.map((x) => x.part)).toEqual(captured.map((c) => c.part));
    expect(runs.every((x) => x.status === 'SUCCESS' && x.durationMs !== null)).toBe(true);
    expect(runs.reduce((n, x) => n + (x.counts?.bookings ?? 0), 0)).toBe(r.due);
    expect(runs.reduce((n, x) => n + (x.counts?.sent ?? 0), 0)).toBe(2 * r.due);
    // A redelivered chunk (queue retry) sends nothing more; its row records that last attempt.
    await consume(captured[0], 'again');
    expect(await claimed()).toHaveLength(2 * ids.length);
    expect((await chunkRuns())[0]).toMatchObject({
      part: 1,
      status: 'SUCCESS',
      counts: { bookings: captured[0].bookingIds.length, sent: 0 },
    });
    // Due now means due: the next 5-minute run lists none of them and fans nothing out.
    captured.length = 0;
    expect((await dueBookings(d0, tick)).filter((id) => ids.includes(id))).toEqual([]);
    const again = await reminderJob(d, new Date(tick.getTime() + 5 * MINUTE));
    expect(again.chunks).toBe(0);
    expect(captured).toHaveLength(0);
  });
});

describe('in-app notifications', () => {
  it('lists mine unread first, rendered in my language and zone; marks one and all as read; the bell counts them', async () => {
    const me = await createAccount('USER', { locale: 'en', timezone: 'America/New_York' });
    const other = await createAccount('USER');
    const d = deps();
    await notify(
      d,
      me.user.id,
      'BOOKING_CONFIRMED',
      { title: 'Game review', creator: 'Noah Keller', fan: 'Me', startsAt: '2026-12-03T17:00:00.000Z' },
      '/bookings/bkg_x',
    );
    await notify(
      d,
      me.user.id,
      'REFUND_ISSUED',
      { title: 'Game review', amount: 2500, currency: 'EUR', reason: 'ADMIN' },
      '/bookings/bkg_x',
    );
    await notify(
      d,
      other.user.id,
      'REMINDER',
      { kind: '1h', title: 't', other: 'o', startsAt: '2026-12-03T17:00:00.000Z' },
      null,
    );
    const list = (await (await api('GET', '/api/notifications', undefined, { token: me.token })).json()) as {
      items: { id: string; text: string; read: boolean; tone: string }[];
      unread: number;
    };
    expect(list.unread).toBe(2);
    expect(list.items.map((n) => n.text)).toEqual(
      expect.arrayContaining([
        'Booking confirmed: "Game review" with Noah Keller, December 3, 2026 at 12:00 PM.',
        'Refund of €25.00 for "Game review".',
      ]),
    );
    const html = await (await get('/en/notifications', me.token)).text();
    expect(html.match(/data-read="false"/g)).toHaveLength(2);
    expect(html).toMatch(/data-bell-count[^>]*>2</);
    // Not mine: 404, nothing changes.
    await expectError(
      await api('POST', `/api/notifications/${list.items[0].id}/read`, undefined, { token: other.token }),
      404,
      'NOT_FOUND',
    );
    expect(
      (
        (await (
          await api('POST', `/api/notifications/${list.items[0].id}/read`, undefined, { token: me.token })
        ).json()) as { unread: number }
      ).unread,
    ).toBe(1);
    expect((await post('/en/notifications/read-all', me.token)).status).toBe(303);
    expect(
      (
        (await (await api('GET', '/api/notifications/unread-count', undefined, { token: me.token })).json()) as {
          unread: number;
        }
      ).unread,
    ).toBe(0);
    expect(
      (
        (await (await api('GET', '/api/notifications/unread-count', undefined, { token: other.token })).json()) as {
          unread: number;
        }
      ).unread,
    ).toBe(1);
  });

  it('each notification is logged (NOTIFICATION family, in the stats); one that cannot be written is logged as NOTIFICATION_ERROR and thrown', async () => {
    const me = await createAccount('USER');
    const id = await notify(
      deps(),
      me.user.id,
      'PAYOUT_PAID',
      { amount: 100, currency: 'EUR', kind: 'paid' },
      '/creator/payouts',
    );
    const created = await deps().db.select().from(logs).where(eq(logs.type, 'NOTIFICATION_CREATED')).all();
    expect(created.find((l) => (l.context as { notificationId?: string }).notificationId === id)).toMatchObject({
      level: 'INFO',
      context: { userId: me.user.id, type: 'PAYOUT_PAID' },
    });
    // A user that does not exist: the foreign key refuses the row.
    await expect(notify(deps(), 'usr_doesnotexist0000000', 'REMINDER', {}, null)).rejects.toThrow();
    expect(await deps().db.select().from(logs).where(eq(logs.type, 'NOTIFICATION_ERROR')).all()).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        context: expect.objectContaining({ userId: 'usr_doesnotexist0000000', type: 'REMINDER' }),
      }),
    ]);
    const admin = await createAccount('ADMIN');
    const page = await (await get('/en/admin/logs', admin.token)).text();
    expect(page).toMatch(
      /<tr data-family="NOTIFICATION"><td><a [^>]*>NOTIFICATION<\/a><\/td><td>\d+<\/td><td>0<\/td><td>1<\/td>/,
    );
  });
});

describe('typed log helpers', () => {
  it("each family helper writes its own family's types with its typed context; the main call sites use them (payment, booking, cancellation)", async () => {
    const d = deps();
    const writes: [string, string][] = [];
    const LOG_HELPERS = {
      email: () => d.log.email.warn('EMAIL_RETRY', 'h-email', { emailId: 'eml_h', attempt: 2, delaySeconds: 60 }),
      cron: () => d.log.cron.info('CRON_RUN', 'h-cron', { job: 'reminders', trigger: 'QUEUE', part: 2 }),
      room: () => d.log.room.error('ROOM_ERROR', 'h-room', { bookingId: 'bkg_h', room: null }),
      booking: () => d.log.booking.info('BOOKING_RESCHEDULED', 'h-booking', { bookingId: 'bkg_h', by: 'FAN' }),
      payment: () =>
        d.log.payment.warn('PAYMENT_ERROR', 'h-payment', { paymentId: 'pay_h', amount: 100, currency: 'EUR' }),
      payout: () => d.log.payout.error('PAYOUT_FAILED', 'h-payout', { payoutId: 'pyt_h', reason: 'closed' }),
      webhook: () => d.log.webhook.info('WEBHOOK_RECEIVED', 'h-webhook', { provider: 'resend', eventId: 'evt_h' }),
      notification: () =>
        d.log.notification.info('NOTIFICATION_CREATED', 'h-notification', { userId: 'usr_h', type: 'REMINDER' }),
      system: () => d.log.system.critical('SYSTEM_ERROR', 'h-system', { component: 'test', queue: 'x' }),
      api: () => d.log.api.error('API_ERROR', 'h-api', { method: 'GET', path: '/api/x', status: 500 }),
    };
    for (const [family, write] of Object.entries(LOG_HELPERS)) {
      await write();
      writes.push([family, `h-${family}`]);
    }
    const rows = await d.db.select().from(logs).where(like(logs.message, 'h-%')).all();
    for (const [family, message] of writes) {
      const r = rows.find((x) => x.message === message)!;
      expect(r, family).toBeDefined();
      expect(LOG_TYPES[r.type as LogType], family).toBe(family.toUpperCase());
    }
    expect(rows.find((r) => r.message === 'h-payout')).toMatchObject({
      level: 'ERROR',
      type: 'PAYOUT_FAILED',
      context: { payoutId: 'pyt_h', reason: 'closed' },
    });
    expect(rows.find((r) => r.message === 'h-system')).toMatchObject({
      level: 'CRITICAL',
      context: { component: 'test', queue: 'x' },
    });
    // Type checks only (npm run typecheck; never called): a family helper refuses another family's type and a context of another shape.
    const typeChecks = async () => {
      // @ts-expect-error CRON_RUN is not an EMAIL type
      await d.log.email.info('CRON_RUN', 'x', { emailId: null });
      // @ts-expect-error a cron event needs its job
      await d.log.cron.info('CRON_RUN', 'x', {});
      // @ts-expect-error a payment context has no emailId
      await d.log.payment.info('PAYMENT_SUCCEEDED', 'x', { emailId: 'eml_x' });
    };
    void typeChecks;

    // A paid booking logs PAYMENT_SUCCEEDED and BOOKING_CONFIRMED through their helpers (typed contexts); a cancellation BOOKING_CANCELLED.
    const s = await confirmedBooking({ startsInMinutes: 3 * 24 * 60 });
    const ofBooking = async (type: LogType) =>
      (await d.db.select().from(logs).where(eq(logs.type, type)).all()).filter(
        (l) => (l.context as { bookingId?: string } | null)?.bookingId === s.bookingId,
      );
    const [paid] = await ofBooking('PAYMENT_SUCCEEDED');
    expect(paid.context).toEqual({
      bookingId: s.bookingId,
      paymentId: expect.stringMatching(/^pay_/),
      intentId: s.intentId,
      amount: s.offer.price,
      currency: s.offer.currency,
    });
    expect((await ofBooking('BOOKING_CONFIRMED'))[0].context).toEqual({ bookingId: s.bookingId, offerId: s.offer.id });
    expect(
      (await api('POST', `/api/bookings/${s.bookingId}/cancel`, { reason: 'Conflit' }, { token: s.c.token })).status,
    ).toBe(200);
    expect((await ofBooking('BOOKING_CANCELLED'))[0].context).toMatchObject({
      bookingId: s.bookingId,
      offerId: s.offer.id,
      by: 'CREATOR',
    });
  });
});

describe('email preferences and one-click unsubscribe', () => {
  it('turning a category off stops its emails, even those already queued', async () => {
    const fan = await createAccount('USER');
    const res = await post('/en/account/emails', fan.token, { requests: 'on', reviews: 'on' }); // reminders unchecked
    expect(res.status).toBe(303);
    expect((await userRow(fan.user.id)).emailPrefs).toMatchObject({
      reminders: false,
      requests: true,
      reviews: true,
    });
    const id = 'eml_prefstest00001';
    const now = new Date();
    await deps()
      .db.insert(emailLog)
      .values({
        id,
        to: fan.user.email,
        userId: fan.user.id,
        template: 'review_request',
        locale: 'fr',
        subject: 's',
        status: 'PENDING',
        idempotencyKey: `test:${id}`,
        payload: {
          data: templates.review_request.sample('http://localhost'),
          recipient: { name: 'x', timezone: 'Europe/Paris' },
        },
        createdAt: now,
        updatedAt: now,
      });
    expect(await deliverEmail(deps(), id, 1)).toEqual({ action: 'ack', outcome: 'sent' });
    await post('/en/account/emails', fan.token, { requests: 'on' }); // reviews off too
    const id2 = 'eml_prefstest00002';
    await deps()
      .db.insert(emailLog)
      .values({
        id: id2,
        to: fan.user.email,
        userId: fan.user.id,
        template: 'review_request',
        locale: 'fr',
        subject: 's',
        status: 'PENDING',
        idempotencyKey: `test:${id2}`,
        payload: {
          data: templates.review_request.sample('http://localhost'),
          recipient: { name: 'x', timezone: 'Europe/Paris' },
        },
        createdAt: now,
        updatedAt: now,
      });
    expect(await deliverEmail(deps(), id2, 1)).toEqual({ action: 'ack', outcome: 'suppressed' });
  });

  it('the signed link asks first (GET changes nothing), then unsubscribes (POST, also one-click from mail clients); a forged link is refused', async () => {
    const fan = await createAccount('USER');
    const url = new URL(await unsubscribeUrl(deps(), fan.user.id, 'reviews'));
    const page = await fetchApp(url.pathname + url.search);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post"');
    expect((await userRow(fan.user.id)).emailPrefs.reviews).not.toBe(false);
    // A mail client's one-click POST: no cookie, no Origin.
    const one = await fetchApp(url.pathname + url.search, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(one.status).toBe(200);
    expect(await one.text()).toContain('data-unsubscribed="reviews"');
    expect((await userRow(fan.user.id)).emailPrefs.reviews).toBe(false);
    const forged = new URL(url);
    forged.searchParams.set('c', 'reminders');
    expect((await fetchApp(forged.pathname + forged.search, { method: 'POST' })).status).toBe(400);
  });

  it('non-transactional mail carries List-Unsubscribe headers and link; transactional mail does not', async () => {
    const s = await remindable(50 * MINUTE);
    await sendReminders(deps(), [s.bookingId], new Date());
    const reminder = (await emailsOf(s.fan.user.id)).find((e) => e.template === 'booking_reminder')!;
    await deliverEmail(deps(), reminder.id, 1);
    const out = (await outboxOf(reminder.idempotencyKey))!;
    expect((out.headers as Record<string, string>)['List-Unsubscribe']).toMatch(
      /^<http:\/\/localhost\/email\/unsubscribe\?u=usr_/,
    );
    expect((out.headers as Record<string, string>)['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const confirmation = (await emailsOf(s.fan.user.id)).find((e) => e.template === 'booking_confirmed')!;
    await deliverEmail(deps(), confirmation.id, 1);
    const out2 = (await outboxOf(confirmation.idempotencyKey))!;
    expect((out2.headers as Record<string, string>)['List-Unsubscribe']).toBeUndefined();
  });
});

describe('admin operations', () => {
  it('email log with filters, provider id and retry; previews of every template and every variant; jobs with run-now; admins only', async () => {
    const admin = await createAccount('ADMIN');
    const fan = await createAccount('USER');
    for (const path of ['/en/admin/emails', '/en/admin/jobs', '/en/admin/logs', '/en/admin/emails/templates'])
      expect((await get(path, fan.token)).status).toBe(403);
    const id = 'eml_retrytest00001';
    const now = new Date();
    await deps()
      .db.insert(emailLog)
      .values([
        {
          id,
          to: 'dead@example.test',
          userId: null,
          template: 'verify_email',
          locale: 'en',
          subject: 'Verify',
          status: 'DEAD',
          attempts: 6,
          lastError: '500 boom',
          idempotencyKey: `test:${id}`,
          payload: { data: { url: 'http://localhost/x' }, recipient: { name: 'x', timezone: 'UTC' } },
          createdAt: now,
          updatedAt: now,
        },
        {
          id: 'eml_senttest000001',
          to: 'sent@example.test',
          userId: null,
          template: 'verify_email',
          locale: 'en',
          subject: 'Verify',
          status: 'SENT',
          attempts: 1,
          provider: 'resend',
          providerId: '4ef9a417-02e9-4d39-ad75-9611e0fcc33c',
          idempotencyKey: 'test:sent1',
          payload: { data: { url: 'http://localhost/x' }, recipient: { name: 'x', timezone: 'UTC' } },
          createdAt: now,
          updatedAt: now,
        },
      ]);
    const log = await (await get('/en/admin/emails?status=DEAD', admin.token)).text();
    expect(log).toContain(`data-email="${id}"`);
    expect(log).toMatch(new RegExp(`data-email="${id}"[\\s\\S]*?/admin/emails/${id}/retry`));
    const sent = await (await get('/en/admin/emails?status=SENT&to=sent%40example.test', admin.token)).text();
    expect(sent).toMatch(/<td class="mono small" data-provider-id="true">resend 4ef9a417-02e9-4d39-ad75-9611e0fcc33c/);
    expect(sent).not.toContain('/admin/emails/eml_senttest000001/retry');
    expect((await post(`/en/admin/emails/${id}/retry`, admin.token)).status).toBe(303);
    expect((await deps().db.select().from(emailLog).where(eq(emailLog.id, id)).get())!.status).toBe('PENDING');
    expect((await post('/en/admin/emails/eml_senttest000001/retry', admin.token)).status).toBe(303);
    expect((await deps().db.select().from(emailLog).where(eq(emailLog.id, 'eml_senttest000001')).get())!.status).toBe(
      'SENT',
    );
    expect((await post('/en/admin/emails/eml_nosuchemail0000/retry', admin.token)).status).toBe(404);
    for (const [name, tpl] of Object.entries(templates)) {
      const variants = Object.keys(samplesOf(tpl, 'http://localhost'));
      const texts = new Set<string>();
      for (const variant of variants) {
        const html = await (
          await get(
            `/en/admin/emails/templates?name=${name}&locale=fr&tz=America/New_York&variant=${encodeURIComponent(variant)}`,
            admin.token,
          )
        ).text();
        expect(html).toContain(`data-variant="${variant}"`);
        texts.add(/data-preview-text[^>]*>([\s\S]*?)<\/pre>/.exec(html)![1]);
        expect(
          (
            await get(
              `/en/admin/emails/templates/html?name=${name}&locale=en&variant=${encodeURIComponent(variant)}`,
              admin.token,
            )
          ).status,
        ).toBe(200);
      }
      expect(texts.size, name).toBe(variants.length);
    }
    const reminder15 = await (
      await get('/en/admin/emails/templates?name=booking_reminder&locale=en&variant=15m', admin.token)
    ).text();
    expect(reminder15).toContain('in 15 minutes');
    const failed = await (
      await get('/en/admin/emails/templates?name=payout_update&locale=en&variant=failed', admin.token)
    ).text();
    expect(failed).toMatch(/data-preview-subject[^>]*>Payout of €80.75 failed/);
    expect((await post('/en/admin/jobs/log-retention/run', admin.token)).status).toBe(303);
    const jobs = await (await get('/en/admin/jobs', admin.token)).text();
    expect(jobs).toMatch(/data-job="log-retention"[\s\S]*?data-run-status="SUCCESS"/);
    expect(jobs).toContain('data-job="email-sweep"');
  });

  it('logs: filters by level, family, type and date range (UTC days); per-family stats and a per-day breakdown', async () => {
    const admin = await createAccount('ADMIN');
    const d = deps();
    const twoDaysAgo = new Date(Math.floor(Date.now() / DAY) * DAY - 2 * DAY + 3 * HOUR);
    const day = twoDaysAgo.toISOString().slice(0, 10);
    await d.db.insert(logs).values([
      {
        id: d.ids.next('log'),
        level: 'ERROR',
        type: 'EMAIL_FAILED',
        actor: 'SYSTEM',
        message: 'an old email failure',
        createdAt: twoDaysAgo,
      },
      {
        id: d.ids.next('log'),
        level: 'INFO',
        type: 'CRON_RUN',
        actor: 'SYSTEM',
        message: 'an old cron run',
        createdAt: twoDaysAgo,
      },
    ]);
    await d.log.email.error('EMAIL_FAILED', 'a fresh email failure', { emailId: null });
    const page = async (q: string) => (await get(`/en/admin/logs?${q}`, admin.token)).text();
    const errors = await page('level=ERROR');
    expect(errors).toContain('a fresh email failure');
    expect(errors).not.toContain('an old cron run');
    expect(errors).toMatch(/data-family="EMAIL"/);
    const ranged = await page(`from=${day}&to=${day}`);
    expect(ranged).toContain('an old email failure');
    expect(ranged).toContain('an old cron run');
    expect(ranged).not.toContain('a fresh email failure');
    expect(ranged).toContain(`value="${day}"`);
    const typed = await page(`from=${day}&to=${day}&type=CRON_RUN`);
    expect(typed).toContain('an old cron run');
    expect(typed).not.toContain('an old email failure');
    // A type from another family than the one chosen, or a nonsense date, is ignored (not a 500).
    expect(
      (await get('/en/admin/logs?family=CRON&type=EMAIL_FAILED&from=2026-02-31&to=yesterday', admin.token)).status,
    ).toBe(200);
    const week = await page('days=7');
    const row = new RegExp(`<tr data-day="${day}" data-total="(\\d+)" data-errors="(\\d+)">`).exec(week)!;
    expect(Number(row[1])).toBeGreaterThanOrEqual(2);
    expect(Number(row[2])).toBeGreaterThanOrEqual(1);
    expect(week.match(/<tr data-day="/g)).toHaveLength(8); // 7 days back to today, every day present
  });

  it('the daily summary emails every admin once per day from the cron; "run now" sends a fresh copy under its own key', async () => {
    const admin = await createAccount('ADMIN');
    const tick = new Date();
    const first = await sendDailySummary(deps(), tick);
    const again = await sendDailySummary(deps(), tick);
    const mine = async () => (await emailsOf(admin.user.id)).filter((e) => e.template === 'admin_daily_summary');
    expect(await mine()).toHaveLength(1);
    expect(first.emails).toBeGreaterThanOrEqual(1);
    expect(again.emails).toBe(0);
    expect(again.alreadySent).toBe(first.emails);
    expect((await post('/en/admin/jobs/admin-summary/run', admin.token)).status).toBe(303);
    expect(await mine()).toHaveLength(2);
    expect(new Set((await mine()).map((e) => e.idempotencyKey)).size).toBe(2);
  });
});
