/**
 * Messaging: every email template in fr and en in the recipient's zone (text parts snapshotted),
 * booking emails with their .ics, reminders (windows, once, cancel, catch-up, fan-out), in-app
 * notifications (API, page, bell), email preferences and one-click unsubscribe, .ics export,
 * the admin email / jobs / logs pages and the daily summary.
 */
import { createMessageBatch, getQueueResult, createExecutionContext } from 'cloudflare:test';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { bookingReminders, bookings, callOffers, devOutbox, emailLog, notifications, users } from '../src/db/schema';
import { emailContext } from '../src/domain/email/enqueue';
import { deliverEmail } from '../src/domain/email/deliver';
import { unsubscribeUrl } from '../src/domain/email/unsubscribe';
import { CHUNK, dueBookings as dueBookingsAt, dueReminder, FANOUT_THRESHOLD, reminderJob, sendReminders, type ReminderChunk } from '../src/domain/notifications/reminders';
import { notify } from '../src/domain/notifications/notify';
import { sendDailySummary } from '../src/domain/admin/summary';
import { renderEmail, templates } from '../src/emails';
import { handleQueue } from '../src/jobs/queue';
import { HOUR, MINUTE } from '../src/lib/clock';
import { api, createAccount, deps, expectError, fetchApp, getPage, postPage, testEnv } from './helpers';
import { callAt, confirmedBooking, moveCall } from './scenarios';

const get = getPage;
const post = postPage;
const emailsOf = (userId: string) => deps().db.select().from(emailLog).where(eq(emailLog.userId, userId)).all();

describe('email templates', () => {
  const recipients = [
    { label: 'fr-Paris', locale: 'fr' as const, timezone: 'Europe/Paris', name: 'Camille Dubois' },
    { label: 'en-New_York', locale: 'en' as const, timezone: 'America/New_York', name: 'Jordan Lee' },
  ];
  for (const [name, tpl] of Object.entries(templates)) {
    for (const r of recipients) {
      it(`${name} renders for ${r.label} (text part snapshotted)`, () => {
        const unsubscribe = tpl.transactional ? undefined : 'http://localhost/email/unsubscribe?u=usr_x&c=x&s=y';
        const out = renderEmail(tpl, emailContext(deps(), { locale: r.locale, timezone: r.timezone, name: r.name }, unsubscribe), tpl.sample('http://localhost'));
        expect(out.subject.length).toBeGreaterThan(5);
        expect(out.html).toContain(`lang="${r.locale}"`);
        expect(out.text).not.toMatch(/\b(email|notifications)\.[a-z]+\.[a-zA-Z.]+/); // no untranslated key
        if (unsubscribe) expect(out.text).toContain(unsubscribe);
        expect(out.text).toMatchSnapshot();
      });
    }
  }

  it('shows each person their own time: a Paris fan and a New York creator for the same call', () => {
    const tpl = templates.booking_confirmed;
    const data = tpl.sample('http://localhost'); // starts 2026-12-03 17:00 UTC
    const paris = renderEmail(tpl, emailContext(deps(), { locale: 'fr', timezone: 'Europe/Paris', name: 'Camille' }), data).text;
    const ny = renderEmail(tpl, emailContext(deps(), { locale: 'en', timezone: 'America/New_York', name: 'Jordan' }), data).text;
    expect(paris).toContain('jeudi 3 décembre 2026 à 18:00 UTC+1');
    expect(ny).toContain('Thursday, December 3, 2026 at 12:00 PM EST');
  });
});

describe('booking emails', () => {
  it('payment confirms the booking: the fan gets the confirmation with the .ics, the creator the new booking and a receipt — each in their language', async () => {
    const s = await confirmedBooking();
    await deps().db.update(users).set({ locale: 'en', timezone: 'America/New_York' }).where(eq(users.id, s.c.user.id));
    const fanMail = await emailsOf(s.fan.user.id);
    expect(fanMail.map((e) => e.template)).toContain('booking_confirmed');
    const creatorMail = await emailsOf(s.c.user.id);
    expect(creatorMail.map((e) => e.template).sort()).toEqual(expect.arrayContaining(['new_booking', 'payment_received']));
    const confirmation = fanMail.find((e) => e.template === 'booking_confirmed')!;
    await deliverEmail(deps(), confirmation.id, 1);
    const out = (await deps().db.select().from(devOutbox).where(eq(devOutbox.idempotencyKey, confirmation.idempotencyKey)).get())!;
    expect(out.attachments).toEqual([expect.objectContaining({ filename: 'call.ics' })]);
    expect(out.text).toContain(`/call/${s.bookingId}`);
  });

  it('cancellation emails both people, with the refund for the fan', async () => {
    const s = await confirmedBooking({ startsInMinutes: 3 * 24 * 60 });
    expect((await api('POST', `/api/bookings/${s.bookingId}/cancel`, { reason: 'Conflit' }, { token: s.c.token })).status).toBe(200);
    const mail = (await emailsOf(s.fan.user.id)).filter((e) => e.template === 'booking_cancelled');
    expect(mail).toHaveLength(1);
    expect((mail[0].payload as { data: { refunded: number } }).data.refunded).toBe(2500);
    expect((await emailsOf(s.c.user.id)).some((e) => e.template === 'booking_cancelled')).toBe(true);
    expect((await emailsOf(s.fan.user.id)).some((e) => e.template === 'refund_issued')).toBe(true);
  });
});

describe('.ics export', () => {
  it('gives each participant the event (stable UID, UTC times, call link); strangers get 404; a cancelled booking cancels the event', async () => {
    const s = await confirmedBooking({ startsInMinutes: 3 * 24 * 60 });
    const res = await get(`/api/bookings/${s.bookingId}/calendar.ics`, s.fan.token);
    expect(res.headers.get('content-type')).toContain('text/calendar');
    const ics = await res.text();
    const b = (await deps().db.select().from(bookings).where(eq(bookings.id, s.bookingId)).get())!;
    expect(ics).toContain(`UID:${s.bookingId}@localhost`);
    expect(ics).toContain(`DTSTART:${b.startsAt.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')}`);
    expect(ics).toContain('METHOD:PUBLISH');
    expect(ics).toContain('SEQUENCE:0');
    expect(ics).toMatch(/URL:http:\/\/localhost\/(fr|en)\/call\/bkg_/);
    expect(ics.split('\r\n').every((l) => new TextEncoder().encode(l).length <= 75)).toBe(true);
    await expectError(await get(`/api/bookings/${s.bookingId}/calendar.ics`, (await createAccount('USER')).token), 404, 'NOT_FOUND');
    await api('POST', `/api/bookings/${s.bookingId}/cancel`, {}, { token: s.c.token });
    expect(await (await get(`/api/bookings/${s.bookingId}/calendar.ics`, s.c.token)).text()).toContain('METHOD:CANCEL');
  });
});

describe('reminders', () => {
  const start = new Date('2026-12-10T18:00:00Z');
  const at = (ms: number) => new Date(start.getTime() + ms);
  const booked = { startsAt: start, confirmedAt: at(-3 * 24 * HOUR) };
  it.each([
    ['25 h before', -25 * HOUR, null],
    ['exactly 24 h before', -24 * HOUR, '24h'],
    ['2 h before', -2 * HOUR, '24h'],
    ['exactly 1 h before', -HOUR, '1h'],
    ['30 min before (a run 30 min late still sends the 1 h reminder)', -30 * MINUTE, '1h'],
    ['15 min before', -15 * MINUTE, '15m'],
    ['1 min before', -MINUTE, '15m'],
    ['at the start', 0, null],
  ] as const)('%s → %s', (_n, offset, kind) => {
    expect(dueReminder(booked, at(offset))).toBe(kind);
  });
  it('a booking made after a reminder\'s time does not get that reminder', () => {
    expect(dueReminder({ startsAt: start, confirmedAt: at(-20 * HOUR) }, at(-19 * HOUR))).toBeNull();
    expect(dueReminder({ startsAt: start, confirmedAt: at(-20 * HOUR) }, at(-50 * MINUTE))).toBe('1h');
  });

  it('sends each reminder once to both people, even when the job runs twice; none after a cancellation', async () => {
    const s = await callAt(55 * MINUTE);
    await deps().db.update(bookings).set({ confirmedAt: new Date(Date.now() - 2 * 24 * HOUR) }).where(eq(bookings.id, s.bookingId));
    const first = await reminderJob(deps(), new Date());
    await reminderJob(deps(), new Date());
    expect(first.sent).toBeGreaterThanOrEqual(2);
    const rows = await deps().db.select().from(bookingReminders).where(eq(bookingReminders.bookingId, s.bookingId)).all();
    expect(rows.map((r) => `${r.kind}:${r.userId === s.fan.user.id ? 'fan' : 'creator'}`).sort()).toEqual(['1h:creator', '1h:fan']);
    expect((await emailsOf(s.fan.user.id)).filter((e) => e.template === 'booking_reminder')).toHaveLength(1);
    expect(await deps().db.select().from(notifications).where(and(eq(notifications.userId, s.c.user.id), eq(notifications.type, 'REMINDER'))).all()).toHaveLength(1);

    const cancelled = await callAt(50 * MINUTE);
    await deps().db.update(bookings).set({ status: 'CANCELLED', confirmedAt: new Date(Date.now() - DAY_MS) }).where(eq(bookings.id, cancelled.bookingId));
    await reminderJob(deps(), new Date());
    expect(await deps().db.select().from(bookingReminders).where(eq(bookingReminders.bookingId, cancelled.bookingId)).all()).toHaveLength(0);
  });

  it('catches up after a missed run: 31 minutes before the call, the 1 h reminder (due 29 minutes ago) still goes', async () => {
    const s = await callAt(31 * MINUTE);
    await deps().db.update(bookings).set({ confirmedAt: new Date(Date.now() - DAY_MS) }).where(eq(bookings.id, s.bookingId));
    await reminderJob(deps(), new Date());
    const rows = await deps().db.select().from(bookingReminders).where(eq(bookingReminders.bookingId, s.bookingId)).all();
    expect(rows.map((r) => r.kind)).toEqual(['1h', '1h']);
  });

  it('a reschedule re-arms the reminders (the start is part of the key)', async () => {
    const s = await callAt(10 * MINUTE);
    await deps().db.update(bookings).set({ confirmedAt: new Date(Date.now() - DAY_MS) }).where(eq(bookings.id, s.bookingId));
    expect(await sendReminders(deps(), [s.bookingId], new Date())).toBe(2);
    await moveCall(s.bookingId, 12 * MINUTE);
    expect(await sendReminders(deps(), [s.bookingId], new Date())).toBe(2);
  });

  it('fans out large batches through the jobs queue in chunks, and the consumer sends them', async () => {
    const s = await callAt(25 * MINUTE);
    const d0 = deps();
    const b = (await d0.db.select().from(bookings).where(eq(bookings.id, s.bookingId)).get())!;
    const offer = (await d0.db.select().from(callOffers).where(eq(callOffers.id, b.offerId)).get())!;
    // 120 more calls due now (clones of this one, each with its own offer).
    const ids = [s.bookingId];
    for (let i = 0; i < 120; i += 20) {
      const stmts = [];
      for (let j = i; j < i + 20; j++) {
        const oid = `off_fanout${String(j).padStart(6, '0')}`;
        const bid = `bkg_fanout${String(j).padStart(6, '0')}`;
        ids.push(bid);
        stmts.push(d0.db.insert(callOffers).values({ ...offer, id: oid }), d0.db.insert(bookings).values({ ...b, id: bid, offerId: oid, paymentIntentId: null, confirmedAt: new Date(Date.now() - DAY_MS) }));
      }
      await d0.db.batch(stmts as [typeof stmts[number], ...typeof stmts]);
    }
    await d0.db.update(bookings).set({ confirmedAt: new Date(Date.now() - DAY_MS) }).where(eq(bookings.id, s.bookingId));
    const captured: ReminderChunk[] = [];
    const d = { ...d0, queues: { ...d0.queues, jobs: { sendBatch: async (msgs: { body: ReminderChunk }[]) => { captured.push(...msgs.map((m) => m.body)); } } as unknown as Queue<ReminderChunk> } };
    const tick = new Date();
    const r = await reminderJob(d, tick);
    expect(r.due).toBeGreaterThan(FANOUT_THRESHOLD);
    expect(r.sent).toBe(0);
    expect(captured.length).toBe(Math.ceil(r.due / CHUNK));
    expect(new Set(captured.flatMap((c) => c.bookingIds))).toEqual(new Set(await dueBookingsAt(d0, tick)));
    for (const id of ids) expect(captured.some((c) => c.bookingIds.includes(id))).toBe(true);
    // The consumer handles a chunk (and a redelivered one sends nothing twice).
    const chunk = captured.find((c) => c.bookingIds.includes(s.bookingId))!;
    for (const attempt of [1, 2]) {
      const batch = createMessageBatch('jobs', [{ id: `m${attempt}`, timestamp: new Date(), attempts: attempt, body: chunk }]);
      await handleQueue(batch, testEnv);
      expect((await getQueueResult(batch, createExecutionContext())).explicitAcks).toEqual([`m${attempt}`]);
    }
    for (const id of chunk.bookingIds.filter((x) => ids.includes(x))) {
      const rows = await d0.db.select().from(bookingReminders).where(eq(bookingReminders.bookingId, id)).all();
      expect(rows.map((x) => `${x.kind}:${x.userId}:${x.startsAt.toISOString()}`), id).toHaveLength(2);
    }
  });
});

const DAY_MS = 24 * HOUR;

describe('in-app notifications', () => {
  it('lists mine unread first, rendered in my language and zone; marks one and all as read; the bell counts them', async () => {
    const me = await createAccount('USER', { locale: 'en', timezone: 'America/New_York' });
    const other = await createAccount('USER');
    const d = deps();
    await notify(d, me.user.id, 'BOOKING_CONFIRMED', { title: 'Game review', creator: 'Noah Keller', fan: 'Me', startsAt: '2026-12-03T17:00:00.000Z' }, '/bookings/bkg_x');
    await notify(d, me.user.id, 'REFUND_ISSUED', { title: 'Game review', amount: 2500, currency: 'EUR', reason: 'ADMIN' }, '/bookings/bkg_x');
    await notify(d, other.user.id, 'REMINDER', { kind: '1h', title: 't', other: 'o', startsAt: '2026-12-03T17:00:00.000Z' }, null);
    const list = (await (await api('GET', '/api/notifications', undefined, { token: me.token })).json()) as { items: { id: string; text: string; read: boolean; tone: string }[]; unread: number };
    expect(list.unread).toBe(2);
    expect(list.items.map((n) => n.text)).toEqual(expect.arrayContaining(['Booking confirmed: "Game review" with Noah Keller, December 3, 2026 at 12:00 PM.', 'Refund of €25.00 for "Game review".']));
    const html = await (await get('/en/notifications', me.token)).text();
    expect(html.match(/data-read="false"/g)).toHaveLength(2);
    expect(html).toMatch(/data-bell-count[^>]*>2</);
    // Not mine: 404, nothing changes.
    await expectError(await api('POST', `/api/notifications/${list.items[0].id}/read`, undefined, { token: other.token }), 404, 'NOT_FOUND');
    expect(((await (await api('POST', `/api/notifications/${list.items[0].id}/read`, undefined, { token: me.token })).json()) as { unread: number }).unread).toBe(1);
    expect((await post('/en/notifications/read-all', me.token)).status).toBe(303);
    expect(((await (await api('GET', '/api/notifications/unread-count', undefined, { token: me.token })).json()) as { unread: number }).unread).toBe(0);
    expect(((await (await api('GET', '/api/notifications/unread-count', undefined, { token: other.token })).json()) as { unread: number }).unread).toBe(1);
  });
});

describe('email preferences and one-click unsubscribe', () => {
  it('turning reminders off stops them (even already queued ones); transactional mail still goes', async () => {
    const fan = await createAccount('USER');
    const res = await post('/en/account/emails', fan.token, { requests: 'on', reviews: 'on' }); // reminders unchecked
    expect(res.status).toBe(303);
    expect((await deps().db.select().from(users).where(eq(users.id, fan.user.id)).get())!.emailPrefs).toMatchObject({ reminders: false, requests: true, reviews: true });
    const id = 'eml_prefstest00001';
    const now = new Date();
    await deps().db.insert(emailLog).values({ id, to: fan.user.email, userId: fan.user.id, template: 'booking_reminder', locale: 'fr', subject: 's', status: 'PENDING', idempotencyKey: `test:${id}`, payload: { data: templates.booking_reminder.sample('http://localhost'), recipient: { name: 'x', timezone: 'Europe/Paris' } }, createdAt: now, updatedAt: now });
    expect(await deliverEmail(deps(), id, 1)).toEqual({ action: 'ack', outcome: 'suppressed' });
  });

  it('the signed link asks first (GET changes nothing), then unsubscribes (POST, also one-click from mail clients); a forged link is refused', async () => {
    const fan = await createAccount('USER');
    const url = new URL(await unsubscribeUrl(deps(), fan.user.id, 'reviews'));
    const page = await fetchApp(url.pathname + url.search);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post"');
    expect((await deps().db.select().from(users).where(eq(users.id, fan.user.id)).get())!.emailPrefs.reviews).not.toBe(false);
    // A mail client's one-click POST: no cookie, no Origin.
    const one = await fetchApp(url.pathname + url.search, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(one.status).toBe(200);
    expect(await one.text()).toContain('data-unsubscribed="reviews"');
    expect((await deps().db.select().from(users).where(eq(users.id, fan.user.id)).get())!.emailPrefs.reviews).toBe(false);
    const forged = new URL(url);
    forged.searchParams.set('c', 'reminders');
    expect((await fetchApp(forged.pathname + forged.search, { method: 'POST' })).status).toBe(400);
  });

  it('non-transactional mail carries List-Unsubscribe headers and link; transactional mail does not', async () => {
    const s = await callAt(50 * MINUTE);
    await deps().db.update(bookings).set({ confirmedAt: new Date(Date.now() - DAY_MS) }).where(eq(bookings.id, s.bookingId));
    await sendReminders(deps(), [s.bookingId], new Date());
    const reminder = (await emailsOf(s.fan.user.id)).find((e) => e.template === 'booking_reminder')!;
    await deliverEmail(deps(), reminder.id, 1);
    const out = (await deps().db.select().from(devOutbox).where(eq(devOutbox.idempotencyKey, reminder.idempotencyKey)).get())!;
    expect((out.headers as Record<string, string>)['List-Unsubscribe']).toMatch(/^<http:\/\/localhost\/email\/unsubscribe\?u=usr_/);
    expect((out.headers as Record<string, string>)['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const confirmation = (await emailsOf(s.fan.user.id)).find((e) => e.template === 'booking_confirmed')!;
    await deliverEmail(deps(), confirmation.id, 1);
    const out2 = (await deps().db.select().from(devOutbox).where(eq(devOutbox.idempotencyKey, confirmation.idempotencyKey)).get())!;
    expect((out2.headers as Record<string, string>)['List-Unsubscribe']).toBeUndefined();
  });
});

describe('admin operations', () => {
  it('email log with filters and retry, previews of every template, jobs with run-now, logs with stats; admins only', async () => {
    const admin = await createAccount('ADMIN');
    const fan = await createAccount('USER');
    for (const path of ['/en/admin/emails', '/en/admin/jobs', '/en/admin/logs', '/en/admin/emails/templates']) expect((await get(path, fan.token)).status).toBe(403);
    const id = 'eml_retrytest00001';
    const now = new Date();
    await deps().db.insert(emailLog).values({ id, to: 'dead@example.test', userId: null, template: 'verify_email', locale: 'en', subject: 'Verify', status: 'DEAD', attempts: 6, lastError: '500 boom', idempotencyKey: `test:${id}`, payload: { data: { url: 'http://localhost/x' }, recipient: { name: 'x', timezone: 'UTC' } }, createdAt: now, updatedAt: now });
    const log = await (await get('/en/admin/emails?status=DEAD', admin.token)).text();
    expect(log).toContain(`data-email="${id}"`);
    expect((await post(`/en/admin/emails/${id}/retry`, admin.token)).status).toBe(303);
    expect((await deps().db.select().from(emailLog).where(eq(emailLog.id, id)).get())!.status).toBe('PENDING');
    for (const name of Object.keys(templates)) {
      const html = await (await get(`/en/admin/emails/templates?name=${name}&locale=fr&tz=America/New_York`, admin.token)).text();
      expect(html).toContain('data-preview-text');
      expect((await get(`/en/admin/emails/templates/html?name=${name}&locale=en`, admin.token)).status).toBe(200);
    }
    expect((await post('/en/admin/jobs/log-retention/run', admin.token)).status).toBe(303);
    const jobs = await (await get('/en/admin/jobs', admin.token)).text();
    expect(jobs).toMatch(/data-job="log-retention"[\s\S]*?data-run-status="SUCCESS"/);
    await deps().log.error('EMAIL_FAILED', 'a failure for the stats');
    const logs = await (await get('/en/admin/logs?level=ERROR', admin.token)).text();
    expect(logs).toContain('a failure for the stats');
    expect(logs).toMatch(/data-family="EMAIL"/);
  });

  it('the daily summary emails every admin once per day', async () => {
    const admin = await createAccount('ADMIN');
    const tick = new Date();
    await sendDailySummary(deps(), tick);
    await sendDailySummary(deps(), tick);
    expect((await emailsOf(admin.user.id)).filter((e) => e.template === 'admin_daily_summary')).toHaveLength(1);
  });
});
