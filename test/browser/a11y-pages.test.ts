/**
 * Accessibility of every main page (axe-core, WCAG 2.1 A/AA: no serious or critical violation) —
 * public pages, the fan's, the creator's, the admin's, checkout, booking, call and summary — and a
 * booking made with the keyboard only (Tab / Enter / Space, no click) from the creator page to the
 * confirmed booking, with a visible focus indicator on every element focused on the way.
 * Reports: test-results/a11y/pages-*.json; screenshots: test-results/screenshots/keyboard-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, seriousA11yViolations, shot } from './browser';
import { signedIn } from './helpers';

const chromiumPath = inject('chromium');
const base = inject('baseUrl');

/** Runs axe on each page (a path to open, or the page as it is when `path` is null); returns the failures by page. */
async function audit(
  page: Page,
  pages: [name: string, path: string | null, status?: number][],
): Promise<Record<string, string[]>> {
  const failures: Record<string, string[]> = {};
  for (const [name, path, status] of pages) {
    if (path !== null) {
      const res = await page.goto(path.startsWith('http') ? path : `${base}${path}`);
      if (status) expect(res?.status(), `${name}: ${path}`).toBe(status);
      else expect(res?.status(), `${name}: ${path}`).toBeLessThan(400);
    }
    const found = await seriousA11yViolations(page, `pages-${name}`);
    if (found.length) failures[`${name} (${new URL(page.url()).pathname})`] = found;
  }
  return failures;
}

interface Focused {
  what: string;
  hit: boolean;
  focusVisible: boolean;
  outlineContrast: number;
  boxShadow: boolean;
}

/**
 * The focused element, whether it is the one wanted (`test`: a JS expression on `el`), and how its
 * focus shows: `:focus-visible`, the contrast of its outline (≥ 2 px) against what is behind it,
 * or a box shadow. Evaluated as a string: the browser tests have no DOM types.
 */
const focusedState = (page: Page, test: string) =>
  page.evaluate(`(() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const cs = getComputedStyle(el);
  const rgba = (c) => { const n = (c.match(/[\\d.]+/g) || []).map(Number); return [n[0] ?? 0, n[1] ?? 0, n[2] ?? 0, n.length > 3 ? n[3] : 1]; };
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }).reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  let bg = [255, 255, 255, 1];
  for (let n = el.parentElement; n; n = n.parentElement) { const c = rgba(getComputedStyle(n).backgroundColor); if (c[3] > 0.5) { bg = c; break; } }
  const oc = rgba(cs.outlineColor);
  const hasOutline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2 && oc[3] > 0;
  const [hi, lo] = [lum(oc), lum(bg)].sort((a, b) => b - a);
  return {
    what: el.tagName.toLowerCase() + ' "' + (el.textContent || el.getAttribute('aria-label') || '').trim().replace(/\\s+/g, ' ').slice(0, 50) + '"',
    hit: ((el) => ${test})(el),
    focusVisible: el.matches(':focus-visible'),
    outlineContrast: hasOutline ? Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100 : 0,
    boxShadow: cs.boxShadow !== 'none',
  };
})()`) as Promise<Focused | null>;

/** Tab until the wanted element has the focus; every element focused on the way must show it (≥ 3:1 outline or a shadow). */
async function tabTo(page: Page, test: string, seen: string[], max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focusedState(page, test);
    if (!f) continue;
    if (!f.focusVisible || (f.outlineContrast < 3 && !f.boxShadow))
      seen.push(
        `${new URL(page.url()).pathname}: ${f.what} (focus-visible ${f.focusVisible}, outline contrast ${f.outlineContrast}, shadow ${f.boxShadow})`,
      );
    if (f.hit) return;
  }
  throw new Error(`Tab never reached ${test} on ${page.url()}`);
}

/** The first Tab lands on "Skip to content"; Enter takes the keyboard to the page's main content. */
async function skipToMain(page: Page, seen: string[]): Promise<void> {
  await tabTo(page, `el.matches('a.skip-link')`, seen, 1);
  await page.keyboard.press('Enter');
}

describe.skipIf(!chromiumPath)('accessibility of every main page, and booking with the keyboard only', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch(chromiumPath!, { media: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('public pages: landing, directory, creator pages, offer, sign-in, sign-up, password reset, API docs', async () => {
    const ctx = await browser.newContext({ locale: 'en-US', timezoneId: 'America/New_York' });
    const page = await ctx.newPage();
    await page.goto(`${base}/en/c/amelia-hart`);
    const offer = await page.locator('.offer-row.status-available a.offer-title').first().getAttribute('href');
    const failures = await audit(page, [
      ['landing', '/en/'],
      ['landing-fr', '/fr/'],
      ['directory', '/en/creators'],
      ['directory-search', '/en/creators?q=martin'],
      ['creator-page', '/en/c/lea-martin'],
      ['creator-reviews', '/en/c/lea-martin/reviews'],
      ['creator-page-offers', '/en/c/amelia-hart'],
      ['offer', offer!],
      ['signin', '/en/signin'],
      ['signup', '/en/signup'],
      ['signup-creator-fr', '/fr/signup?as=creator'],
      ['forgot-password', '/en/forgot-password'],
      ['api-docs', '/en/docs/api'],
      ['not-found', '/en/no-such-page', 404],
    ]);
    // The slot calendar with a day open (its times), and forms showing their errors.
    await page.goto(`${base}/en/c/lea-martin`);
    await page.locator('.month-grid a[data-day]').first().click();
    await expect.poll(() => page.locator('.slot-picker').getAttribute('data-day')).not.toBeNull();
    Object.assign(failures, await audit(page, [['creator-page-day', null]]));
    await page.goto(`${base}/en/signup`);
    await page.getByRole('button', { name: 'Create my account' }).click();
    await page.waitForLoadState();
    Object.assign(failures, await audit(page, [['signup-errors', null]]));
    expect(failures).toEqual({});
    await ctx.close();
  });

  it('fan pages: dashboard, upcoming calls, history, requests, notifications, account, a past booking and its call summary', async () => {
    const jordan = await signedIn(browser, base, 'jordan@callastar.local', {
      locale: 'en',
      timezoneId: 'America/New_York',
    });
    const failures = await audit(jordan, [
      ['fan-dashboard', '/en/dashboard'],
      ['fan-calls', '/en/dashboard/calls'],
      ['fan-history', '/en/dashboard/history'],
      ['fan-requests', '/en/dashboard/requests'],
      ['notifications', '/en/notifications'],
      ['account', '/en/account'],
    ]);
    const camille = await signedIn(browser, base, 'camille@callastar.local', { locale: 'fr' });
    await camille.goto(`${base}/fr/dashboard/history`);
    const past = camille.locator('li.fan-call', { has: camille.locator('[data-summary]') }).first();
    const pastId = (await past.getAttribute('data-booking-id'))!;
    Object.assign(
      failures,
      await audit(camille, [
        ['fan-history-fr', null],
        ['past-booking-fr', `/fr/bookings/${pastId}`],
        ['call-summary-fan-fr', `/fr/call/${pastId}/summary`],
      ]),
    );
    expect(failures).toEqual({});
    for (const p of [jordan, camille]) await p.context().close();
  });

  it('creator pages: home, offers, planning, availability, requests, reviews, payments, payouts, profile', async () => {
    const noah = await signedIn(browser, base, 'noah@callastar.local', { locale: 'en', timezoneId: 'Europe/Zurich' });
    await noah.goto(`${base}/en/creator/offers`);
    const edit = await noah.locator('a[href*="/creator/offers/"][href$="/edit"]').first().getAttribute('href');
    await noah.goto(`${base}/en/creator/planning?view=list&status=past`);
    const summary = await noah.getByRole('link', { name: 'Summary' }).first().getAttribute('href');
    const failures = await audit(noah, [
      ['creator-home', '/en/creator'],
      ['creator-offers', '/en/creator/offers'],
      ['creator-offer-edit', edit!],
      ['creator-planning-month', '/en/creator/planning?view=month'],
      ['creator-planning-list', '/en/creator/planning?view=list&status=all'],
      ['creator-availability-types', '/en/creator/availability?tab=types'],
      ['creator-availability-hours', '/en/creator/availability?tab=hours'],
      ['creator-availability-exceptions', '/en/creator/availability?tab=exceptions'],
      ['creator-requests', '/en/creator/requests'],
      ['creator-reviews', '/en/creator/reviews'],
      ['creator-payments', '/en/creator/payments'],
      ['creator-payouts', '/en/creator/payouts'],
      ['creator-profile', '/en/creator/profile'],
      ['call-summary-creator', summary!],
    ]);
    // A form with its errors (an offer without title or price).
    await noah.goto(`${base}/en/creator/offers`);
    await noah.getByRole('button', { name: 'Publish' }).click();
    await noah.waitForLoadState();
    Object.assign(failures, await audit(noah, [['creator-offer-errors', null]]));
    const lea = await signedIn(browser, base, 'lea@callastar.local', { locale: 'fr' });
    Object.assign(
      failures,
      await audit(lea, [
        ['creator-home-fr', '/fr/creator'],
        ['creator-planning-fr', '/fr/creator/planning'],
      ]),
    );
    expect(failures).toEqual({});
    for (const p of [noah, lea]) await p.context().close();
  });

  it('admin pages: overview, accounts, bookings, payments, disputes, payouts, settings, emails, jobs, logs, reviews, audit', async () => {
    const admin = await signedIn(browser, base, 'admin@callastar.local', { locale: 'en' });
    const failures = await audit(admin, [
      ['admin-overview', '/en/admin'],
      ['admin-overview-weeks', '/en/admin?period=week'],
      ['admin-users', '/en/admin/users'],
      ['admin-user', '/en/admin/users/usr_demolea000000'],
      ['admin-bookings', '/en/admin/bookings'],
      ['admin-booking', '/en/admin/bookings/bkg_histlea00000'],
      ['admin-payments', '/en/admin/payments'],
      ['admin-disputes', '/en/admin/disputes'],
      ['admin-payouts', '/en/admin/payouts'],
      ['admin-settings', '/en/admin/settings'],
      ['admin-emails', '/en/admin/emails'],
      ['admin-email-templates', '/en/admin/emails/templates'],
      ['admin-jobs', '/en/admin/jobs'],
      ['admin-logs', '/en/admin/logs'],
      ['admin-reviews', '/en/admin/reviews'],
      ['admin-audit', '/en/admin/audit'],
      ['admin-overview-fr', '/fr/admin'],
    ]);
    expect(failures).toEqual({});
    await admin.context().close();
  });

  it('a fan books and pays with the keyboard only, focus always visible; checkout, booking, cancel step and call pages pass axe', async () => {
    const ctx = await browser.newContext({ locale: 'en-US', timezoneId: 'America/New_York' });
    const fan = await ctx.newPage();
    await fan.goto(`${base}/en/signup`);
    await fan.getByLabel('Name').fill('Kim Keys');
    await fan.getByLabel('Email address').fill(`kim-keys-${Date.now()}@example.test`);
    await fan.getByLabel('Password').fill('a-keyboard-password');
    await fan.getByRole('button', { name: 'Create my account' }).click();
    await fan.waitForURL(`${base}/en/dashboard`);

    // From here on: no click, no fill — Tab, Enter and Space only.
    const seen: string[] = [];
    await fan.goto(`${base}/en/c/amelia-hart`);
    // The last free one-off offer (other journeys take the first).
    const href = (await fan.locator('.offer-row.status-available a.offer-title').last().getAttribute('href'))!;
    await skipToMain(fan, seen);
    await tabTo(fan, `el.matches('a.offer-title[href=${JSON.stringify(href)}]')`, seen);
    await shot(fan, 'keyboard-01-creator-page-offer-focused');
    await fan.keyboard.press('Enter');
    await fan.waitForURL(`${base}${href}`);

    await skipToMain(fan, seen);
    await tabTo(fan, `el.matches('button') && el.textContent.trim() === 'Book this slot'`, seen);
    await shot(fan, 'keyboard-02-offer-book-focused');
    await fan.keyboard.press('Enter');
    await fan.waitForURL(/\/en\/bookings\/bkg_\w+\/checkout$/);
    const checkoutFailures = await audit(fan, [['checkout', null]]);

    await skipToMain(fan, seen);
    await tabTo(fan, `el.matches('a') && el.textContent.trim() === 'Pay'`, seen);
    await shot(fan, 'keyboard-03-checkout-pay-focused');
    await fan.keyboard.press('Enter');
    await fan.waitForURL(/\/checkout\/local\/pi_local_/);
    Object.assign(checkoutFailures, await audit(fan, [['checkout-local', null]]));

    await skipToMain(fan, seen);
    await tabTo(fan, `el.matches('button') && el.textContent.trim() === 'Pay'`, seen);
    await shot(fan, 'keyboard-04-local-checkout-pay-focused');
    await fan.keyboard.press('Space');
    await fan.waitForURL(/\/en\/bookings\/bkg_\w+$/);
    expect(await fan.locator('h1').textContent()).toBe('Booking confirmed');
    await shot(fan, 'keyboard-05-booking-confirmed');
    expect(seen, 'elements focused without a visible focus indicator').toEqual([]);

    // The booking, its cancel step and a call page (pre-call check) pass axe too.
    const bookingId = new URL(fan.url()).pathname.split('/').pop()!;
    Object.assign(
      checkoutFailures,
      await audit(fan, [
        ['booking', null],
        ['cancel-step', `/en/dashboard/calls/${bookingId}/cancel`],
        ['call-waiting', `/en/call/${bookingId}`],
      ]),
    );
    await fan.goto(`${base}/dev/demo-call`);
    await fan.locator('#dc-creator').selectOption({ label: 'Amelia Hart' });
    await fan.locator('#dc-duration').fill('10');
    await fan.locator('#dc-start').selectOption('120');
    await fan.getByRole('button', { name: 'Create the call' }).click();
    await fan.waitForURL(/\/en\/call\/bkg_\w+$/);
    await expect.poll(() => fan.locator('.call-app').getAttribute('data-phase')).toBe('precall');
    Object.assign(checkoutFailures, await audit(fan, [['call-precall', null]]));
    expect(checkoutFailures).toEqual({});
    await ctx.close();
  });
});
