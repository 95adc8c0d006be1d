/**
 * Accessibility (axe-core, WCAG 2.1 A/AA): no serious or critical violation on the dashboard homes,
 * the booking page and the call page. Full reports land in test-results/a11y/.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, seriousA11yViolations, shot } from './browser';
import { signedIn } from './helpers';

const chromiumPath = inject('chromium');
const base = inject('baseUrl');

describe.skipIf(!chromiumPath)('accessibility of the main pages', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch(chromiumPath!, { media: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('the fan dashboard, a booking page and its call page', async () => {
    const jordan = await signedIn(browser, base, 'jordan@callastar.local', {
      locale: 'en',
      timezoneId: 'America/New_York',
    });
    expect(new URL(jordan.url()).pathname).toBe('/en/dashboard');
    expect(await seriousA11yViolations(jordan, 'fan-dashboard')).toEqual([]);

    // A call in 16 minutes: the call page shows its waiting screen.
    await jordan.goto(`${base}/dev/demo-call`);
    await jordan.locator('#dc-creator').selectOption({ label: 'Amelia Hart' });
    await jordan.locator('#dc-duration').fill('20');
    await jordan.locator('#dc-start').selectOption('960');
    await jordan.getByRole('button', { name: 'Create the call' }).click();
    await jordan.waitForURL(/\/call\/bkg_\w+$/);
    const bookingId = jordan.url().split('/').pop()!;
    await expect.poll(() => jordan.locator('.call-app').getAttribute('data-phase')).toBe('waiting');
    expect(await seriousA11yViolations(jordan, 'call-waiting')).toEqual([]);

    await jordan.goto(`${base}/en/bookings/${bookingId}`);
    expect(await jordan.locator('h1').count()).toBe(1);
    expect(await seriousA11yViolations(jordan, 'booking-page')).toEqual([]);
    await shot(jordan, 'a11y-booking-page');
  });

  it('the creator and admin homes', async () => {
    const lea = await signedIn(browser, base, 'lea@callastar.local', { locale: 'fr' });
    expect(new URL(lea.url()).pathname).toBe('/fr/creator');
    expect(await seriousA11yViolations(lea, 'creator-home-fr')).toEqual([]);
    const admin = await signedIn(browser, base, 'admin@callastar.local', { locale: 'fr' });
    expect(new URL(admin.url()).pathname).toBe('/fr/admin');
    expect(await seriousA11yViolations(admin, 'admin-home')).toEqual([]);
    await shot(admin, 'a11y-admin-home');
  });
});
