import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, shot } from './browser';
import { signedIn } from './helpers';

const chromiumPath = inject('chromium');
const base = inject('baseUrl');

describe.skipIf(!chromiumPath)('booking in a real browser', () => {
  let browser: Browser;
  beforeAll(async () => { browser = await launch(chromiumPath!); });
  afterAll(async () => { await browser?.close(); });

  it('two fans on one offer: one books and pays; the other sees it taken live, without reloading; the creator sees the booking', async () => {
    const camille = await signedIn(browser, base, 'camille@callastar.local', { locale: 'fr' });
    const jordan = await signedIn(browser, base, 'jordan@callastar.local', { locale: 'en', timezoneId: 'America/New_York' });

    await jordan.goto(`${base}/en/c/lea-martin`);
    const offerHref = await jordan.locator('.offer-list a.offer-title').first().getAttribute('href');
    const offerId = offerHref!.split('/').pop()!;
    await jordan.goto(`${base}/en/offers/${offerId}`);
    await camille.goto(`${base}/fr/offers/${offerId}`);
    // Both islands connected live before anyone books.
    await expect.poll(() => jordan.locator('[data-live-mode="live"]').count()).toBe(1);
    await expect.poll(() => camille.locator('[data-live-mode="live"]').count()).toBe(1);
    expect(await jordan.locator('[data-live-status]').getAttribute('data-live-status')).toBe('AVAILABLE');
    await shot(jordan, 'booking-01-available');

    await camille.getByRole('button', { name: 'Réserver ce créneau' }).click();
    await camille.waitForURL(/\/fr\/bookings\/bkg_\w+\/checkout$/);
    // Jordan's page changed by itself: no reload, no button.
    await expect.poll(() => jordan.locator('[data-live-status]').getAttribute('data-live-status'), { timeout: 5000 }).toBe('HELD');
    expect(await jordan.locator('.live .notice').textContent()).toBe('Someone is booking this slot right now.');
    expect(await jordan.getByRole('button', { name: 'Book this slot' }).count()).toBe(0);
    await shot(jordan, 'booking-02-being-booked');
    await shot(camille, 'booking-03-checkout');

    await camille.getByRole('link', { name: 'Payer' }).click();
    await camille.waitForURL(/\/checkout\/local\/pi_local_/);
    await camille.getByRole('button', { name: 'Payer', exact: true }).click();
    await camille.waitForURL(/\/fr\/bookings\/bkg_\w+$/);
    expect(await camille.locator('h1').textContent()).toBe('Réservation confirmée');
    await shot(camille, 'booking-04-confirmed');
    await expect.poll(() => jordan.locator('[data-live-status]').getAttribute('data-live-status'), { timeout: 5000 }).toBe('BOOKED');
    expect(await jordan.locator('.live .notice').textContent()).toBe('This slot has just been booked.');
    expect(await jordan.locator('#other-slots.highlight').count()).toBe(1);

    const lea = await signedIn(browser, base, 'lea@callastar.local', { locale: 'fr' });
    await lea.goto(`${base}/fr/creator/offers`);
    const row = lea.locator('tr', { has: lea.locator(`a[href="/fr/offers/${offerId}"]`) });
    expect(await row.locator('[data-status]').getAttribute('data-status')).toBe('BOOKED');
    await shot(lea, 'booking-05-creator-offers');
    // The creator's bell counts the new booking; the notifications page says it in her language.
    expect(Number(await lea.locator('[data-bell-count]').textContent())).toBeGreaterThan(0);
    await lea.locator('[data-bell]').click();
    await lea.waitForURL(/\/fr\/notifications$/);
    expect(await lea.locator('[data-type="NEW_BOOKING"][data-read="false"]').first().textContent()).toContain('Camille Dubois a réservé');
    await lea.getByRole('button', { name: 'Tout marquer comme lu' }).click();
    await lea.waitForURL(/\/fr\/notifications$/);
    expect(await lea.locator('[data-bell-count]').isHidden()).toBe(true);
    await shot(lea, 'booking-06-creator-notifications');
    for (const p of [camille, jordan, lea]) await p.context().close();
  });
});
