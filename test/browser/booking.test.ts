import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, seriousA11yViolations, shot } from './browser';
import { signedIn } from './helpers';

const chromiumPath = inject('chromium');
const base = inject('baseUrl');

let fanCount = 0;
/** A fresh fan who books through the API (bearer token), standing for "another fan, elsewhere". */
async function apiFan(): Promise<{
  book(offerId: string): Promise<string>;
  release(bookingId: string): Promise<void>;
}> {
  const email = `live-${Date.now().toString(36)}-${++fanCount}@example.test`;
  const res = await fetch(`${base}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'another-fan-password', name: `Other Fan ${fanCount}` }),
  });
  expect(res.status).toBe(201);
  const { token } = (await res.json()) as { token: string };
  const auth = { authorization: `Bearer ${token}` };
  return {
    async book(offerId) {
      const r = await fetch(`${base}/api/offers/${offerId}/bookings`, { method: 'POST', headers: auth });
      expect(r.status).toBe(201);
      return ((await r.json()) as { booking: { id: string } }).booking.id;
    },
    async release(bookingId) {
      const r = await fetch(`${base}/api/bookings/${bookingId}/cancel`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(r.status).toBe(200);
    },
  };
}

/** Léa's offers still free, from her page (the directory of what can be booked right now). */
async function freeOffersOfLea(page: Page): Promise<string[]> {
  await page.goto(`${base}/en/c/lea-martin`);
  const hrefs = await page
    .locator('.offer-list li.status-available a.offer-title')
    .evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
  return hrefs.map((h) => h.split('/').pop()!);
}

describe.skipIf(!chromiumPath)('booking in a real browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch(chromiumPath!);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('two fans on one offer: one books and pays; the other sees it taken live, without reloading; the creator sees the booking', async () => {
    const camille = await signedIn(browser, base, 'camille@callastar.local', { locale: 'fr' });
    const jordan = await signedIn(browser, base, 'jordan@callastar.local', {
      locale: 'en',
      timezoneId: 'America/New_York',
    });

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
    await expect
      .poll(() => jordan.locator('[data-live-status]').getAttribute('data-live-status'), { timeout: 5000 })
      .toBe('HELD');
    expect(await jordan.locator('.live .taken-title').textContent()).toBe('Someone is booking this slot right now.');
    expect(await jordan.getByRole('button', { name: 'Book this slot' }).count()).toBe(0);
    // The notice lists what else Léa has: other offers and her next free times, fetched when it was taken.
    await expect.poll(() => jordan.locator('.live [data-alternatives="list"]').count(), { timeout: 5000 }).toBe(1);
    expect(await jordan.locator('.live [data-alternative="offer"]').count()).toBeGreaterThan(0);
    expect(await jordan.locator('.live [data-alternative="slot"]').count()).toBeGreaterThan(0);
    expect(await jordan.locator('[data-live-announcement]').textContent()).toBe(
      'Someone is booking this slot right now. Other times are listed below.',
    );
    await shot(jordan, 'booking-02-being-booked');
    await shot(camille, 'booking-03-checkout');

    await camille.getByRole('link', { name: 'Payer' }).click();
    await camille.waitForURL(/\/checkout\/local\/pi_local_/);
    await camille.getByRole('button', { name: 'Payer', exact: true }).click();
    await camille.waitForURL(/\/fr\/bookings\/bkg_\w+$/);
    expect(await camille.locator('h1').textContent()).toBe('Réservation confirmée');
    await shot(camille, 'booking-04-confirmed');
    await expect
      .poll(() => jordan.locator('[data-live-status]').getAttribute('data-live-status'), { timeout: 5000 })
      .toBe('BOOKED');
    expect(await jordan.locator('.live .taken-title').textContent()).toBe('This slot has just been booked.');
    expect(await jordan.locator('#other-slots.highlight').count()).toBe(1);
    await shot(jordan, 'booking-02b-taken-alternatives');
    // The alternatives lead to things Jordan can really book: another offer, and a time in Léa's picker.
    const offerLink = await jordan.locator('.live [data-alternative="offer"]').first().getAttribute('href');
    const slot = jordan.locator('.live [data-alternative="slot"]').first();
    const [slotLink, slotStart] = [await slot.getAttribute('href'), await slot.getAttribute('data-starts-at')];
    expect(offerLink).toMatch(/^\/en\/offers\/off_\w+$/);
    expect(offerLink).not.toBe(`/en/offers/${offerId}`);
    const probe = await jordan.context().newPage();
    await probe.goto(`${base}${offerLink}`);
    await expect.poll(() => probe.locator('[data-live-status]').getAttribute('data-live-status')).toBe('AVAILABLE');
    expect(await probe.getByRole('button', { name: 'Book this slot' }).count()).toBe(1);
    await probe.goto(`${base}${slotLink}`);
    expect(await probe.locator(`button.slot[data-starts-at="${slotStart}"]`).count()).toBe(1);
    await probe.close();

    const lea = await signedIn(browser, base, 'lea@callastar.local', { locale: 'fr' });
    await lea.goto(`${base}/fr/creator/offers`);
    const row = lea.locator('tr', { has: lea.locator(`a[href="/fr/offers/${offerId}"]`) });
    expect(await row.locator('[data-status]').getAttribute('data-status')).toBe('BOOKED');
    await shot(lea, 'booking-05-creator-offers');
    // The creator's bell counts the new booking; the notifications page says it in her language.
    expect(Number(await lea.locator('[data-bell-count]').textContent())).toBeGreaterThan(0);
    await lea.locator('[data-bell]').click();
    await lea.waitForURL(/\/fr\/notifications$/);
    expect(await lea.locator('[data-type="NEW_BOOKING"][data-read="false"]').first().textContent()).toContain(
      'Camille Dubois a réservé',
    );
    await lea.getByRole('button', { name: 'Tout marquer comme lu' }).click();
    await lea.waitForURL(/\/fr\/notifications$/);
    expect(await lea.locator('[data-bell-count]').isHidden()).toBe(true);
    await shot(lea, 'booking-06-creator-notifications');
    for (const p of [camille, jordan, lea]) await p.context().close();
  });

  it('taken then free again: the notice and its alternatives go, the book button (and the focus on it) come back', async () => {
    const jordan = await signedIn(browser, base, 'jordan@callastar.local', {
      locale: 'en',
      timezoneId: 'America/New_York',
    });
    const [offerId] = await freeOffersOfLea(jordan);
    expect(offerId).toBeTruthy();
    await jordan.goto(`${base}/en/offers/${offerId}`);
    await expect.poll(() => jordan.locator('[data-live-mode="live"]').count()).toBe(1);
    await jordan.getByRole('button', { name: 'Book this slot' }).focus();

    const other = await apiFan();
    const bookingId = await other.book(offerId);
    await expect
      .poll(() => jordan.locator('[data-live-status]').getAttribute('data-live-status'), { timeout: 5000 })
      .toBe('HELD');
    await expect.poll(() => jordan.locator('.live [data-alternatives="list"]').count(), { timeout: 5000 }).toBe(1);
    // The button Jordan was on is gone: focus moved to the notice rather than falling to the page.
    expect(await jordan.evaluate(`document.activeElement?.classList.contains('taken') ?? false`)).toBe(true);
    expect(await seriousA11yViolations(jordan, 'offer-taken-alternatives')).toEqual([]);

    await other.release(bookingId);
    await expect
      .poll(() => jordan.locator('[data-live-status]').getAttribute('data-live-status'), { timeout: 5000 })
      .toBe('AVAILABLE');
    expect(await jordan.locator('.live .taken, .live [data-alternatives]').count()).toBe(0);
    expect(await jordan.locator('#other-slots.highlight').count()).toBe(0);
    expect(await jordan.locator('[data-live-announcement]').textContent()).toBe('');
    const button = jordan.getByRole('button', { name: 'Book this slot' });
    expect(await button.count()).toBe(1);
    expect(await jordan.evaluate(`document.activeElement?.textContent === 'Book this slot'`)).toBe(true);
    await jordan.context().close();
  });

  it('when WebSockets are blocked, the page falls back to polling and still sees another fan book', async () => {
    const jordan = await signedIn(browser, base, 'jordan@callastar.local', {
      locale: 'en',
      timezoneId: 'America/New_York',
    });
    const [offerId] = await freeOffersOfLea(jordan);
    // Every live socket is accepted and dropped at once — the flapping case that used to retry forever.
    let sockets = 0;
    await jordan.routeWebSocket(/\/api\/offers\/off_\w+\/live/, (ws) => {
      sockets++;
      void ws.close();
    });
    const polls: string[] = [];
    jordan.on('request', (r) => {
      if (r.url().endsWith(`/api/offers/${offerId}/live`) && r.resourceType() === 'fetch') polls.push(r.url());
    });
    await jordan.goto(`${base}/en/offers/${offerId}`);
    await expect
      .poll(() => jordan.locator('[data-live-mode]').getAttribute('data-live-mode'), { timeout: 10_000 })
      .toBe('polling');
    expect(sockets).toBe(3);
    await expect.poll(() => polls.length, { timeout: 7000 }).toBeGreaterThan(0);
    expect(await jordan.locator('[data-live-status]').getAttribute('data-live-status')).toBe('AVAILABLE');

    const other = await apiFan();
    await other.book(offerId);
    // Within a polling period (5 s), no socket involved.
    await expect
      .poll(() => jordan.locator('[data-live-status]').getAttribute('data-live-status'), { timeout: 8000 })
      .toBe('HELD');
    expect(await jordan.locator('[data-live-mode]').getAttribute('data-live-mode')).toBe('polling');
    await expect.poll(() => jordan.locator('.live [data-alternatives="list"]').count(), { timeout: 5000 }).toBe(1);
    await shot(jordan, 'booking-07-polling-taken');
    await jordan.context().close();
  });
});
