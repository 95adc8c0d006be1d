/**
 * The whole journey in a real browser, with accounts created through the UI:
 *   a creator signs up (creator role), sets up payments (local onboarding), profile, payout schedule,
 *   availability, and publishes a 10-minute offer → a fan (en-US, New York) signs up, finds the
 *   creator in the directory, books and pays through the local checkout, and reads the confirmation
 *   email (English, New York time) in the dev outbox → both join the call with fake media, see each
 *   other, and the call ends by itself at the booked end → the fan reviews it → past the holding
 *   period the payout cron pays the creator → the admin finds the booking, payment, review and payout.
 *
 * Time: the app's rules forbid a call sooner than 30 minutes ahead or shorter than 10 minutes, so
 * the test moves the app's clock (development-only `/dev/clock`, src/lib/dev-clock.ts) instead of
 * waiting: to the last ~50 s of the booked call before both join (the call then really runs, in real
 * time, until its booked end), to just after the call window for the 5-minute cron, and past the
 * holding period (admin settings) for the hourly payout cron. The offset is put back at the end.
 * Screenshots: test-results/screenshots/journey-*.png.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, seriousA11yViolations, shot } from './browser';
import { DEMO_PASSWORD } from './helpers';

const chromiumPath = inject('chromium');
const base = inject('baseUrl');
const MINUTE = 60_000;
const DAY = 86_400_000;

/** The app's clock under `wrangler dev` (GET, or POST to move it). */
async function appClock(body?: Record<string, unknown>): Promise<{ now: string; offsetMs: number }> {
  const res = await fetch(
    `${base}/dev/clock`,
    body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : undefined,
  );
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { now: string; offsetMs: number };
}

type Threshold = { callMinTogetherMinutes: number; callMinTogetherPct: number };

/** Sets the platform's "the call took place" minimum as the demo admin (API); returns what it was. */
async function setThreshold(next: Threshold): Promise<Threshold> {
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@callastar.local', password: DEMO_PASSWORD }),
  });
  expect(login.status).toBe(200);
  const headers = {
    authorization: `Bearer ${((await login.json()) as { token: string }).token}`,
    'content-type': 'application/json',
  };
  const before = ((await (await fetch(`${base}/api/admin/settings`, { headers })).json()) as { settings: Threshold })
    .settings;
  const res = await fetch(`${base}/api/admin/settings`, { method: 'PUT', headers, body: JSON.stringify(next) });
  expect(res.status, await res.clone().text()).toBe(200);
  return { callMinTogetherMinutes: before.callMinTogetherMinutes, callMinTogetherPct: before.callMinTogetherPct };
}

/** Fires a Cron Trigger the way Cloudflare would (wrangler dev's scheduled handler); its jobs run in the background. */
async function cron(expression: string): Promise<void> {
  const res = await fetch(`${base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(expression)}`);
  expect(res.status).toBe(200);
}

/** "2026-11-21T18:05" in a zone: what a datetime-local input takes. */
const localInput = (d: Date, timeZone: string) =>
  new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .format(d)
    .replace(' ', 'T');
/** Whitespace as one plain space (Intl uses narrow no-break spaces before AM/PM). */
const squash = (s: string) => s.replace(/[\s\u202f\u00a0]+/g, ' ').trim();
const videoWidth = (page: Page, id: string) =>
  page.evaluate(`document.getElementById(${JSON.stringify(id)})?.videoWidth ?? 0`) as Promise<number>;
const phase = (page: Page) => page.locator('.call-app').getAttribute('data-phase');

describe.skipIf(!chromiumPath)('the full journey in a real browser', () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const suffix = Math.random().toString(36).slice(2, 7);
  const creatorName = `Quinn Journey ${suffix}`;
  const creatorEmail = `quinn-${suffix}@example.test`;
  const fanEmail = `riley-${suffix}@example.test`;
  const offerTitle = `Journey session ${suffix}`;
  let creator: Page;
  let fan: Page;
  let admin: Page;
  let bookingId = '';
  let startsAt: Date;
  let endsAt: Date;
  let threshold: Threshold | null = null;
  // The app's clock before this file moved it (0, or the shift scripts/browser-at.sh gave the run).
  let clockBefore = 0;

  const newPage = async (locale: string, timezoneId: string) => {
    const ctx = await browser.newContext({ locale, timezoneId });
    contexts.push(ctx);
    return ctx.newPage();
  };

  beforeAll(async () => {
    browser = await launch(chromiumPath!, { media: true });
    clockBefore = (await appClock()).offsetMs;
  });
  afterAll(async () => {
    // Whatever happened, the app's clock and settings are as before for the other test files.
    if (base) await appClock({ offsetMs: clockBefore }).catch(() => undefined);
    if (base && threshold) await setThreshold(threshold).catch(() => undefined);
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
  });

  it('a creator signs up, sets up payments, profile, payouts, availability and publishes an offer', async () => {
    creator = await newPage('en-US', 'Europe/London');
    await creator.goto(`${base}/en/`);
    await creator.getByRole('link', { name: 'Sign up' }).first().click();
    await creator.waitForURL(/\/en\/signup/);
    await creator.locator('input[name="role"][value="CREATOR"]').check();
    await creator.getByLabel('Name').fill(creatorName);
    await creator.getByLabel('Email address').fill(creatorEmail);
    await creator.getByLabel('Password').fill('a-creator-password');
    await shot(creator, 'journey-01-creator-signup');
    await creator.getByRole('button', { name: 'Create my account' }).click();
    // A new creator lands on their home, with the set-up checklist.
    await creator.waitForURL(`${base}/en/creator`);
    expect(await creator.locator('h1').textContent()).toBe(`Hello, ${creatorName}`);
    expect(await creator.getByText('Getting set up: 0/3').count()).toBe(1);

    // Payments: the built-in provider's simulated Connect onboarding.
    await creator.locator('.section-nav').getByRole('link', { name: 'Payments', exact: true }).click();
    await creator.waitForURL(/\/en\/creator\/payments$/);
    await creator.getByRole('button', { name: 'Set up payments' }).click();
    await creator.waitForURL(/\/checkout\/local\/onboarding\/acct_local_/);
    await shot(creator, 'journey-02-creator-onboarding');
    expect(await seriousA11yViolations(creator, 'journey-local-onboarding')).toEqual([]);
    await creator.getByRole('button', { name: 'Finish setup' }).click();
    await creator.waitForURL(/\/en\/creator\/payments$/);
    expect(await creator.locator('.notice.success').first().textContent()).toContain('Payments set up');

    // Public profile.
    await creator.goto(`${base}/en/creator/profile`);
    await creator.locator('#f-expertise').fill('Journey tester · end-to-end calls');
    await creator.locator('#f-bio').fill('I test the whole journey, from sign-up to payout, in a real browser.');
    await creator.locator('form[action="/en/creator/profile"] button[type=submit]').click();
    await creator.waitForURL(/\/en\/creator\/profile$/);

    // Paid every day (06:00 in their zone) once the holding period has passed.
    await creator.goto(`${base}/en/creator/payouts`);
    await creator.locator('#po-schedule').selectOption('DAILY');
    await creator.locator('form[action="/en/creator/payouts/settings"] button[type=submit]').click();
    await creator.waitForURL(/\/en\/creator\/payouts$/);
    expect(await creator.locator('#po-schedule').inputValue()).toBe('DAILY');

    // Availability: weekly hours saved, and an appointment type turned on.
    await creator.goto(`${base}/en/creator/availability?tab=hours`);
    expect(await creator.locator('input[name="d1_0_from"]').inputValue()).toBe('09:00');
    await creator.locator('form[action="/en/creator/availability/hours"] button[type=submit]').click();
    await creator.waitForURL(/\/en\/creator\/availability\?tab=hours$/);
    await creator.goto(`${base}/en/creator/availability?tab=types`);
    const type = creator.locator('li.type-card').first();
    const typeId = (await type.getAttribute('data-type-id'))!;
    await type.locator('summary').click();
    await type.locator('form.type-form input[name="active"]').check();
    await type.locator('form.type-form button[type=submit]').click();
    await creator.waitForURL(/\/en\/creator\/availability\?tab=types$/);
    expect(await creator.locator(`li.type-card[data-type-id="${typeId}"] summary .badge`).textContent()).toBe('Active');
    await shot(creator, 'journey-03-creator-availability');

    // A one-off offer: 10 minutes (the shortest allowed), ~35 minutes ahead (the rules ask ≥ 30).
    const now = Date.parse((await appClock()).now);
    startsAt = new Date(Math.ceil((now + 35 * MINUTE) / (5 * MINUTE)) * 5 * MINUTE);
    endsAt = new Date(startsAt.getTime() + 10 * MINUTE);
    await creator.goto(`${base}/en/creator/offers`);
    await creator.locator('#f-title').fill(offerTitle);
    await creator.locator('#f-description').fill('Ten minutes to try the whole journey.');
    await creator.locator('#f-startsAt').fill(localInput(startsAt, 'Europe/London'));
    await creator.locator('#f-durationMinutes').selectOption('10');
    await creator.locator('#f-price').fill('25.00');
    await creator.getByRole('button', { name: 'Publish' }).click();
    await creator.waitForURL(/\/en\/creator\/offers$/);
    expect(await creator.locator('.notice.success').first().textContent()).toBeTruthy();
    const row = creator.locator('tr', { hasText: offerTitle });
    expect(await row.locator('[data-status]').getAttribute('data-status')).toBe('AVAILABLE');
    await shot(creator, 'journey-04-creator-offer-published');

    // The creator's home: payments on and something bookable.
    await creator.goto(`${base}/en/creator`);
    for (const step of ['payments', 'bookable'])
      expect(await creator.locator(`[data-step="${step}"]`).getAttribute('class')).toBe('done');
  }, 60_000);

  it('a fan signs up in English from New York, finds the creator, books and pays; the confirmation email shows New York time', async () => {
    fan = await newPage('en-US', 'America/New_York');
    await fan.goto(`${base}/`);
    expect(fan.url()).toBe(`${base}/en/`);
    await shot(fan, 'journey-05-landing');
    await fan.getByRole('link', { name: 'Sign up' }).first().click();
    await fan.waitForURL(/\/en\/signup/);
    expect(await fan.locator('input[name="role"][value="USER"]').isChecked()).toBe(true);
    await fan.getByLabel('Name').fill(`Riley Fan ${suffix}`);
    await fan.getByLabel('Email address').fill(fanEmail);
    await fan.getByLabel('Password').fill('a-fan-password-2026');
    await fan.getByRole('button', { name: 'Create my account' }).click();
    await fan.waitForURL(`${base}/en/dashboard`);
    await fan.goto(`${base}/en/account`);
    expect(await fan.locator('#f-timezone').inputValue()).toBe('America/New_York');

    // The directory: search by name.
    await fan.locator('nav.main-nav').getByRole('link', { name: 'Creators' }).click();
    await fan.waitForURL(/\/en\/creators/);
    await fan.locator('#q').fill(`Quinn Journey ${suffix}`);
    await fan.locator('form[role="search"] button[type=submit]').click();
    await fan.waitForURL(/q=Quinn/);
    const card = fan.locator('.creator-card', { hasText: creatorName });
    expect(await card.count()).toBe(1);
    await shot(fan, 'journey-06-directory-search');
    await card.locator('a.creator-link').click();
    await fan.waitForURL(/\/en\/c\/quinn-journey/);
    expect(await fan.locator('h1').textContent()).toBe(creatorName);
    // The appointment type turned on gives the page its slot calendar, beside the one-off offer.
    expect(await fan.locator('.slot-picker').count()).toBe(1);
    await shot(fan, 'journey-07-creator-page');

    // The offer, held then paid through the built-in checkout.
    await fan.locator('.offer-list a.offer-title', { hasText: offerTitle }).click();
    await fan.waitForURL(/\/en\/offers\/off_\w+$/);
    await shot(fan, 'journey-08-offer');
    await fan.getByRole('button', { name: 'Book this slot' }).click();
    await fan.waitForURL(/\/en\/bookings\/bkg_\w+\/checkout$/);
    await shot(fan, 'journey-09-checkout');
    await fan.getByRole('link', { name: 'Pay', exact: true }).click();
    await fan.waitForURL(/\/checkout\/local\/pi_local_/);
    await shot(fan, 'journey-10-local-checkout');
    await fan.getByRole('button', { name: 'Pay', exact: true }).click();
    await fan.waitForURL(/\/en\/bookings\/bkg_\w+$/);
    expect(await fan.locator('h1').textContent()).toBe('Booking confirmed');
    bookingId = new URL(fan.url()).pathname.split('/').pop()!;
    expect(await fan.locator('.offer-when time').first().getAttribute('datetime')).toBe(startsAt.toISOString());
    await shot(fan, 'journey-11-booking-confirmed');

    // The confirmation email, in English and on New York time (computed here with Intl).
    const when = `${new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', dateStyle: 'full', timeStyle: 'short' }).format(startsAt)} ${
      new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', timeZoneName: 'short' })
        .formatToParts(startsAt)
        .find((p) => p.type === 'timeZoneName')!.value
    }`;
    await fan.goto(`${base}/dev/mailbox?to=${encodeURIComponent(fanEmail)}`);
    const subject = `Confirmed: ${offerTitle} with ${creatorName}`;
    await expect
      .poll(
        async () => {
          await fan.reload();
          return fan.getByRole('link', { name: subject }).count();
        },
        { timeout: 15_000 },
      )
      .toBe(1);
    await fan.getByRole('link', { name: subject }).click();
    const mail = fan.frameLocator('iframe.mail-frame');
    const text = squash((await mail.locator('body').textContent())!);
    expect(text).toContain(`Your call with ${creatorName} is confirmed.`);
    expect(text).toContain(squash(when));
    expect(text).toContain('€25.00');
    expect(await fan.locator('pre.mail-text').textContent()).toContain(`/en/call/${bookingId}`);
    await shot(fan, 'journey-12-confirmation-email');
  }, 60_000);

  it('both join the call with fake media, see each other, and the call ends at the booked end', async () => {
    // The call runs for 50 s of real time: the platform's took-place minimum is lowered to fit it
    // (by default 5 of these 10 minutes together; below it a call is interrupted: test/abuse/calls.test.ts).
    threshold = await setThreshold({ callMinTogetherMinutes: 1, callMinTogetherPct: 1 });
    // The app's clock moves to the last 50 s of the booked call (the call itself then runs in real time).
    const { offsetMs } = await appClock({ at: new Date(endsAt.getTime() - 50_000).toISOString() });

    // The fan joins from the upcoming calls (the Join button is live); the creator from the planning.
    await fan.goto(`${base}/en/dashboard/calls`);
    const upcoming = fan.locator(`[data-booking-id="${bookingId}"]`);
    await expect.poll(() => upcoming.locator('[data-join="open"]').count(), { timeout: 5000 }).toBe(1);
    await upcoming.locator('[data-join="open"]').click();
    await fan.waitForURL(new RegExp(`/en/call/${bookingId}$`));
    await creator.goto(`${base}/en/creator/planning?view=list&status=all`);
    await creator.locator(`a[href="/en/call/${bookingId}"]`).first().click();
    await creator.waitForURL(new RegExp(`/en/call/${bookingId}$`));
    for (const p of [fan, creator]) {
      await expect.poll(() => phase(p)).toBe('precall');
      await expect.poll(() => videoWidth(p, 'local-preview'), { timeout: 10_000 }).toBeGreaterThan(0);
    }
    await shot(fan, 'journey-13-precall-fan');
    await fan.locator('[data-action="join"]').click();
    await creator.locator('[data-action="join"]').click();
    for (const p of [fan, creator]) await expect.poll(() => phase(p)).toBe('incall');
    await expect.poll(() => videoWidth(fan, 'remote-video'), { timeout: 20_000 }).toBeGreaterThan(0);
    await expect.poll(() => videoWidth(creator, 'remote-video'), { timeout: 20_000 }).toBeGreaterThan(0);
    const remaining = Number(await fan.locator('[data-remaining]').getAttribute('data-remaining'));
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThanOrEqual(50);
    await shot(fan, 'journey-14-in-call-fan');
    expect(await seriousA11yViolations(fan, 'journey-in-call')).toEqual([]);
    await shot(creator, 'journey-15-in-call-creator');

    // Nobody hangs up: the booked end ends the call on both sides.
    await fan.waitForURL(new RegExp(`/en/call/${bookingId}/summary$`), { timeout: 120_000 });
    await creator.waitForURL(new RegExp(`/en/call/${bookingId}/summary$`), { timeout: 30_000 });
    // The offset lives in wrangler dev's isolate: a reload (a source or public/ file changed mid-run,
    // e.g. someone's `npm run build:client`) resets it, and drops the call's sockets too.
    expect((await appClock()).offsetMs, 'wrangler dev reloaded during the call and lost the clock offset').toBe(
      offsetMs,
    );
    for (const p of [fan, creator]) {
      expect(await p.locator('[data-call-status]').getAttribute('data-call-status')).toBe('completed');
      expect(await p.locator('[data-participant][data-attended="true"]').count()).toBe(2);
    }
    await shot(creator, 'journey-16-summary-creator');
  }, 180_000);

  it('the fan reviews the call from its summary', async () => {
    expect(await seriousA11yViolations(fan, 'journey-summary-review-form')).toEqual([]);
    await fan.locator('input[name="rating"][value="5"]').check();
    await fan.locator('#review-comment').fill('Clear, kind and right on time. Thank you!');
    await fan.locator('[data-review="form"] button[type=submit]').click();
    await fan.waitForURL(new RegExp(`/en/call/${bookingId}/summary$`));
    expect(await fan.locator('[data-review="done"]').textContent()).toContain('Clear, kind and right on time.');
    await shot(fan, 'journey-17-summary-reviewed');
  }, 30_000);

  it('after the holding period, the payout job pays the creator', async () => {
    admin = await newPage('en-US', 'Europe/Paris');
    await admin.goto(`${base}/en/signin`);
    await admin.locator('#f-email').fill('admin@callastar.local');
    await admin.locator('#f-password').fill(DEMO_PASSWORD);
    await admin.locator('form[action$="/signin"] button[type=submit]').click();
    await admin.waitForURL((u) => !u.pathname.endsWith('/signin'));
    await admin.goto(`${base}/en/admin/settings`);
    const holdingDays = Number(await admin.locator('#s-hold').inputValue());
    expect(holdingDays).toBeGreaterThan(0);

    // The window closes 5 minutes after the end: the 5-minute cron decides the outcome (completed).
    await appClock({ at: new Date(endsAt.getTime() + 6 * MINUTE).toISOString() });
    await cron('*/5 * * * *');
    await fan.goto(`${base}/en/dashboard/history`);
    await expect
      .poll(
        async () => {
          await fan.reload();
          return fan.locator(`[data-booking-id="${bookingId}"]`).getAttribute('data-past-status');
        },
        { timeout: 15_000 },
      )
      .toBe('completed');
    await shot(fan, 'journey-18-history-completed');

    // Still in the holding period: nothing to pay, and the page says why.
    await creator.goto(`${base}/en/creator/payouts`);
    expect(await creator.locator('[data-reason="FUNDS_ON_HOLD"]').count()).toBe(1);
    expect(await creator.locator('[data-payouts] tbody tr').count()).toBe(0);

    // Past the holding period (and the creator's 06:00 payout slot): the hourly cron's payout job pays.
    await appClock({ at: new Date(endsAt.getTime() + (holdingDays + 1) * DAY).toISOString() });
    await cron('0 * * * *');
    await expect
      .poll(
        async () => {
          await creator.reload();
          return creator.locator('[data-payouts] tbody tr').count();
        },
        { timeout: 15_000 },
      )
      .toBe(1);
    const payoutRow = creator.locator('[data-payouts] tbody tr').first();
    expect(await payoutRow.locator('[data-status]').getAttribute('data-status')).toBe('PROCESSING');
    expect(await payoutRow.textContent()).toContain('€21.25'); // €25.00 less the platform's 15 %
    await shot(creator, 'journey-19-payout-in-transit');

    // The bank confirms (simulated for the built-in provider): paid.
    await admin.goto(`${base}/en/admin/payouts?status=PROCESSING`);
    const adminRow = admin.locator('[data-all-payouts] tbody tr', { hasText: creatorName });
    expect(await adminRow.count()).toBe(1);
    await adminRow.getByRole('button', { name: 'paid' }).click();
    await admin.waitForURL(/\/en\/admin\/payouts/);
    await creator.reload();
    expect(
      await creator.locator('[data-payouts] tbody tr').first().locator('[data-status]').getAttribute('data-status'),
    ).toBe('PAID');
    await shot(creator, 'journey-20-payout-paid');
  }, 60_000);

  it('the admin sees the booking, the payment, the review and the payout in the dashboards', async () => {
    await admin.goto(`${base}/en/admin`);
    expect(await admin.locator('[data-currency="EUR"] [data-total="revenue"]').count()).toBe(1);
    await shot(admin, 'journey-21-admin-overview');

    await admin.goto(`${base}/en/admin/bookings`);
    await admin.locator('#b-creator').selectOption({ label: creatorName });
    await admin.getByRole('button', { name: 'Filter' }).click();
    await admin.waitForURL(/creator=crt_/);
    expect(
      await admin.locator('[data-booking]').evaluateAll((els) => els.map((e) => e.getAttribute('data-booking'))),
    ).toEqual([bookingId]);
    await admin.locator(`[data-booking="${bookingId}"] a`).first().click();
    await admin.waitForURL(new RegExp(`/en/admin/bookings/${bookingId}$`));
    const kinds = await admin
      .locator('[data-timeline] li')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
    expect(kinds).toEqual(expect.arrayContaining(['booking', 'payment', 'review']));
    expect(await admin.locator('[data-timeline]').textContent()).toContain('Clear, kind and right on time.');
    await shot(admin, 'journey-22-admin-booking-timeline');

    await admin.goto(`${base}/en/admin/payments`);
    await admin.locator('#p-creator').selectOption({ label: creatorName });
    await admin.getByRole('button', { name: 'Filter' }).click();
    await admin.waitForURL(/creator=crt_/);
    const payments = admin.locator('[data-payment]');
    expect(await payments.count()).toBe(1);
    expect(await payments.first().textContent()).toContain('€25.00');
    await shot(admin, 'journey-23-admin-payments');

    await admin.goto(`${base}/en/admin/payouts?status=PAID`);
    expect(await admin.locator('[data-all-payouts] tbody tr', { hasText: creatorName }).count()).toBe(1);
    await shot(admin, 'journey-24-admin-payouts');

    await admin.goto(`${base}/en/admin/reviews`);
    expect(await admin.locator('[data-review]', { hasText: 'Clear, kind and right on time.' }).count()).toBe(1);
    await shot(admin, 'journey-25-admin-reviews');
  }, 60_000);
});
