/** The admin's main journey in a real browser, on the seeded demo data: overview, accounts, a booking's timeline, payments and their CSV, review moderation, the audit log. */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, seriousA11yViolations, shot } from './browser';
import { DEMO_PASSWORD, signedIn } from './helpers';

const chromiumPath = inject('chromium');
const base = inject('baseUrl');
const LEA = 'crt_demolea000000';

/** Ids in `data-<attr>` attributes on the page, in order. */
const ids = (page: Page, attr: string) =>
  page.locator(`[data-${attr}]`).evaluateAll((els, a) => els.map((e) => e.getAttribute(`data-${a}`) ?? ''), attr);

describe.skipIf(!chromiumPath)('the admin area in a real browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch(chromiumPath!);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("the admin signs in, reads the overview, finds an account, a booking's timeline, filters payments and downloads them, hides then shows a review", async () => {
    // Signing in lands admins on the overview.
    const ctx = await browser.newContext({ locale: 'en-US', timezoneId: 'Europe/Paris', acceptDownloads: true });
    const admin = await ctx.newPage();
    await admin.goto(`${base}/en/signin`);
    await admin.locator('#f-email').fill('admin@callastar.local');
    await admin.locator('#f-password').fill(DEMO_PASSWORD);
    await admin.locator('form[action$="/signin"] button[type=submit]').click();
    await admin.waitForURL(/\/(fr|en)\/admin$/);
    await admin.goto(`${base}/en/admin`);
    expect(await admin.locator('[data-kpi]').count()).toBeGreaterThanOrEqual(9);
    expect(
      Number(await admin.locator('[data-kpi="callsCompleted"]').getAttribute('data-value')),
    ).toBeGreaterThanOrEqual(6); // seeded calls of the last 30 days
    expect(await admin.locator('[data-currency="EUR"] [data-total="revenue"]').textContent()).toMatch(/€/);
    expect(await admin.locator('[data-currency="CHF"]').count()).toBe(1);
    expect(await admin.locator('[data-currency="EUR"] figure.chart svg').first().locator('rect').count()).toBe(30);
    expect(await seriousA11yViolations(admin, 'admin-01-overview')).toEqual([]);
    await shot(admin, 'admin-01-overview');
    await admin.getByRole('link', { name: 'Last 12 weeks', exact: true }).click();
    await admin.waitForURL(/period=week/);
    expect(await admin.locator('[data-currency="EUR"] figure.chart svg').first().locator('rect').count()).toBe(12);

    // Accounts: search, then Léa's page with her Stripe account state.
    await admin.locator('.section-nav').getByRole('link', { name: 'Accounts', exact: true }).click();
    await admin.locator('#u-q').fill('martin');
    await admin.getByRole('button', { name: 'Filter' }).click();
    await admin.waitForURL(/q=martin/);
    expect(await ids(admin, 'user')).toEqual(['usr_demolea000000']);
    expect(await admin.locator('[data-stripe-state]').textContent()).toContain('acct_local_leamartin');
    expect(await seriousA11yViolations(admin, 'admin-02-users-search')).toEqual([]);
    await shot(admin, 'admin-02-users-search');
    await admin.getByRole('link', { name: 'Léa Martin' }).click();
    expect(await admin.locator('[data-creator] dd.mono').textContent()).toBe('acct_local_leamartin');
    expect(await admin.locator('[data-payouts-blocked]').getAttribute('data-payouts-blocked')).toBe('false');
    expect(await seriousA11yViolations(admin, 'admin-03-user-detail')).toEqual([]);
    await shot(admin, 'admin-03-user-detail');

    // Bookings: Léa's completed calls, then one booking's whole story.
    await admin.goto(`${base}/en/admin/bookings`);
    await admin.locator('#b-creator').selectOption(LEA);
    await admin.locator('#b-status').selectOption('COMPLETED');
    await admin.getByRole('button', { name: 'Filter' }).click();
    await admin.waitForURL(/status=COMPLETED/);
    const completed = await ids(admin, 'booking');
    expect(completed.length).toBeGreaterThanOrEqual(6);
    expect(completed).toContain('bkg_histlea00000');
    await admin.locator('[data-booking="bkg_histlea00000"] a').click();
    await admin.waitForURL(/\/en\/admin\/bookings\/bkg_histlea00000$/);
    const kinds = await admin
      .locator('[data-timeline] li')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
    expect(kinds).toEqual(expect.arrayContaining(['booking', 'payment', 'review']));
    expect(await admin.locator('[data-timeline]').textContent()).toContain('Booking confirmed');
    expect(await admin.locator('[data-refund-form]').count()).toBe(1);
    expect(await seriousA11yViolations(admin, 'admin-04-booking-timeline')).toEqual([]);
    await shot(admin, 'admin-04-booking-timeline');

    // Payments: Léa's, paid; the CSV download holds exactly the listed rows.
    await admin.locator('.section-nav').getByRole('link', { name: 'Payments', exact: true }).click();
    await admin.locator('#p-creator').selectOption(LEA);
    await admin.locator('#p-status').selectOption('SUCCEEDED');
    await admin.getByRole('button', { name: 'Filter' }).click();
    await admin.waitForURL(/status=SUCCEEDED/);
    const listed = await ids(admin, 'payment');
    expect(listed.length).toBeGreaterThanOrEqual(6);
    expect(await admin.locator('[data-payment-totals] [data-currency="EUR"]').count()).toBe(1);
    expect(await seriousA11yViolations(admin, 'admin-05-payments')).toEqual([]);
    await shot(admin, 'admin-05-payments');
    const [download] = await Promise.all([admin.waitForEvent('download'), admin.locator('[data-csv]').click()]);
    expect(download.suggestedFilename()).toMatch(/^payments-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = readFileSync((await download.path())!, 'utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toMatch(/^id,created_at,booking_id,creator_id,creator_name/);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(listed);
    expect(lines.slice(1).every((l) => l.includes(',SUCCEEDED,local,EUR,'))).toBe(true);

    // Reviews: hide Léa's 4-star review; it leaves her public page; show it again.
    await admin.goto(`${base}/en/admin/reviews?creator=${LEA}`);
    const review = admin.locator('[data-review="rev_histlea20000"]');
    expect(await review.getAttribute('data-hidden')).toBe('false');
    await review.locator('input[name=reason]').fill('Test of moderation');
    await review.getByRole('button', { name: 'Hide' }).click();
    await admin.waitForURL(/\/en\/admin\/reviews\?creator=/);
    expect(await admin.locator('.notice').first().textContent()).toContain('Review hidden');
    expect(await admin.locator('[data-review="rev_histlea20000"]').getAttribute('data-hidden')).toBe('true');
    expect(await seriousA11yViolations(admin, 'admin-06-review-hidden')).toEqual([]);
    await shot(admin, 'admin-06-review-hidden');
    const fan = await signedIn(browser, base, 'jordan@callastar.local', { locale: 'fr' });
    await fan.goto(`${base}/fr/c/lea-martin/reviews`);
    expect(await fan.content()).not.toContain('un peu court mais utile');
    await admin.locator('[data-review="rev_histlea20000"]').getByRole('button', { name: 'Show again' }).click();
    await admin.waitForURL(/\/en\/admin\/reviews\?creator=/);
    expect(await admin.locator('[data-review="rev_histlea20000"]').getAttribute('data-hidden')).toBe('false');
    await fan.reload();
    expect(await fan.content()).toContain('un peu court mais utile');
    await shot(admin, 'admin-07-review-shown');

    // The audit log has both, with who and why.
    await admin.goto(`${base}/en/admin/audit?entity=review&entityId=rev_histlea20000`);
    expect(
      await admin.locator('[data-audit-row]').evaluateAll((els) => els.map((e) => e.getAttribute('data-action'))),
    ).toEqual(['REVIEW_UNHIDE', 'REVIEW_HIDE']);
    expect(await admin.locator('[data-audit]').textContent()).toContain('Test of moderation');
    expect(await admin.locator('[data-audit]').textContent()).toContain('Alex Admin');
    expect(await seriousA11yViolations(admin, 'admin-08-audit')).toEqual([]);
    await shot(admin, 'admin-08-audit');

    // The overview on a phone.
    const phone = await browser.newContext({
      locale: 'fr-FR',
      timezoneId: 'Europe/Paris',
      viewport: { width: 390, height: 844 },
    });
    await phone.addCookies(await ctx.cookies());
    const small = await phone.newPage();
    await small.goto(`${base}/fr/admin`);
    expect(await small.locator('[data-kpi]').count()).toBeGreaterThanOrEqual(9);
    const overflow = (await small.evaluate(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    )) as number;
    expect(overflow).toBeLessThanOrEqual(1);
    expect(await seriousA11yViolations(small, 'admin-09-overview-phone')).toEqual([]);
    await shot(small, 'admin-09-overview-phone');
    for (const c of [ctx, phone, fan.context()]) await c.close();
  });
});
