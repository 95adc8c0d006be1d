import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, shot } from './browser';
import { signedIn } from './helpers';

const chromiumPath = inject('chromium');
const base = inject('baseUrl');
const DAY = 86_400_000;

/** Opens, in the picker, the first free day at least `minDays` ahead (next month if needed). */
async function openDayAtLeast(page: Page, minDays: number, tz: string): Promise<string> {
  const wanted = new Intl.DateTimeFormat('en-CA', { timeZone: tz }).format(new Date(Date.now() + minDays * DAY));
  for (let i = 0; i < 3; i++) {
    const days = await page
      .locator('.month-grid a[data-day]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-day')!));
    const day = days.find((d) => d >= wanted);
    if (day) {
      await page.locator(`.month-grid a[data-day="${day}"]`).click();
      await expect.poll(() => page.locator('.slot-picker').getAttribute('data-day')).toBe(day);
      return day;
    }
    const month = await page.locator('.slot-picker').getAttribute('data-month');
    await page.locator('.month-nav a[rel=next]').click();
    await expect.poll(() => page.locator('.slot-picker').getAttribute('data-month')).not.toBe(month);
  }
  throw new Error(`no free day from ${wanted}`);
}

/**
 * In the picker inside `scope`, the start of the first offered time other than `not`: the day shown
 * first, else each free day of the month in turn (how many times a day offers depends on the hour).
 */
async function firstOtherSlot(scope: Locator, not: string): Promise<string> {
  const pick = async () =>
    (await scope.locator('button.slot').evaluateAll((els) => els.map((e) => e.getAttribute('data-starts-at')!))).find(
      (s) => s !== not,
    );
  const first = await pick();
  if (first) return first;
  const days = await scope
    .locator('.month-grid a[data-day]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-day')!));
  for (const day of days) {
    await scope.locator(`.month-grid a[data-day="${day}"]`).click();
    await expect.poll(() => scope.locator('.slot-picker').getAttribute('data-day')).toBe(day);
    const found = await pick();
    if (found) return found;
  }
  throw new Error('the reschedule picker offers no other time this month');
}

describe.skipIf(!chromiumPath)('booking from availability in a real browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch(chromiumPath!);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('a fan picks a day and a time on the calendar (in their zone), pays with the local checkout, and moves the call; another fan sees the time go live', async () => {
    const jordan = await signedIn(browser, base, 'jordan@callastar.local', {
      locale: 'en',
      timezoneId: 'America/New_York',
    });
    const camille = await signedIn(browser, base, 'camille@callastar.local', { locale: 'fr' });

    await jordan.goto(`${base}/en/c/noah-keller`);
    await expect.poll(() => jordan.locator('.slot-picker[data-live-mode="live"]').count()).toBe(1);
    // Navigation happens in place: the page is never reloaded.
    await jordan.evaluate('window.stay = 1');
    const day = await openDayAtLeast(jordan, 3, 'America/New_York');
    await shot(jordan, 'slots-01-picker');
    const first = jordan.locator('.day-slots button.slot').first();
    const startsAt = (await first.getAttribute('data-starts-at'))!;
    // Shown on Jordan's clock (New York), grouped by part of day.
    const nyTime = new Intl.DateTimeFormat('en', {
      hour: '2-digit',
      minute: '2-digit',
      timeZone: 'America/New_York',
    }).format(new Date(startsAt));
    expect(await first.textContent()).toBe(nyTime);
    expect(await jordan.locator('.slot-group h4').count()).toBeGreaterThan(0);
    expect(await jordan.evaluate('window.stay')).toBe(1);
    expect(new URL(jordan.url()).searchParams.get('day')).toBe(day);

    // Camille looks at the same time (her own clock, Paris).
    const month = new URL(jordan.url()).searchParams.get('month');
    await camille.goto(
      `${base}/fr/c/noah-keller?month=${month}&day=${new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(startsAt))}`,
    );
    await expect.poll(() => camille.locator('.slot-picker[data-live-mode="live"]').count()).toBe(1);
    expect(await camille.locator(`button.slot[data-starts-at="${startsAt}"]`).count()).toBe(1);

    await first.click();
    await jordan.waitForURL(/\/en\/bookings\/bkg_\w+\/checkout$/);
    // Held for Jordan: it disappeared from Camille's picker, without a reload.
    await expect
      .poll(() => camille.locator(`button.slot[data-starts-at="${startsAt}"]`).count(), { timeout: 5000 })
      .toBe(0);
    expect(await camille.locator('.slot-picker .notice').textContent()).toBe(
      "Un horaire vient d'être pris : la liste est à jour.",
    );
    await shot(camille, 'slots-02-taken-live');

    await jordan.getByRole('link', { name: 'Pay', exact: true }).click();
    await jordan.waitForURL(/\/checkout\/local\/pi_local_/);
    await jordan.getByRole('button', { name: 'Pay', exact: true }).click();
    await jordan.waitForURL(/\/en\/bookings\/bkg_\w+$/);
    expect(await jordan.locator('h1').textContent()).toBe('Booking confirmed');
    const bookingUrl = jordan.url();

    // Moving it: another time, same payment.
    await jordan.locator('details.reschedule summary').click();
    await expect.poll(() => jordan.locator('details.reschedule .slot-picker[data-live-mode="live"]').count()).toBe(1);
    // Whatever the hour, from what the picker offers: the first other free time, on whichever day has one.
    const newStart = await firstOtherSlot(jordan.locator('details.reschedule'), startsAt);
    const target = jordan.locator(`details.reschedule button.slot[data-starts-at="${newStart}"]`);
    await shot(jordan, 'slots-03-reschedule');
    await target.click();
    await jordan.waitForURL(bookingUrl);
    expect(await jordan.locator('.notice.success').first().textContent()).toContain('Call moved');
    expect(await jordan.locator('.offer-when time').first().getAttribute('datetime')).toBe(newStart);
    // The first time is free again for Camille (live), the new one is not.
    await expect
      .poll(() => camille.locator(`button.slot[data-starts-at="${startsAt}"]`).count(), { timeout: 5000 })
      .toBe(1);
    for (const p of [jordan, camille]) await p.context().close();
  });

  it('the creator plans the week: turns a type on, sees the booking in the planning', async () => {
    const noah = await signedIn(browser, base, 'noah@callastar.local', { locale: 'en', timezoneId: 'Europe/Zurich' });
    await noah.goto(`${base}/en/creator/availability?tab=hours`);
    expect(await noah.locator('input[name="d1_0_from"]').inputValue()).toBe('09:00');
    await noah.goto(`${base}/en/creator/planning?view=list&status=upcoming`);
    expect(await noah.locator('.planning-list tbody tr').count()).toBeGreaterThan(0);
    expect(await noah.locator('.planning-list').textContent()).toContain('Jordan Lee');
    await shot(noah, 'slots-04-planning');
    await noah.context().close();
  });
});
