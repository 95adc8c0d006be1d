/**
 * The fan's journey through their dashboard in a real browser: sign in lands on /dashboard (cards
 * with counts), upcoming calls with a "Join" button that becomes enabled by itself when the call's
 * window opens, the cancellation step stating its refund (then cancelling), and the history where a
 * past call gets its review and badge. Screenshots at each step (test-results/screenshots/fan-*).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, shot } from './browser';
import { signedIn } from './helpers';

const chromiumPath = inject('chromium');
const base = inject('baseUrl');

const count = async (page: Page, name: string) =>
  Number(await page.locator(`[data-count="${name}"]`).first().textContent());

describe.skipIf(!chromiumPath)('the fan dashboard in a real browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch(chromiumPath!);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('Camille: home cards → live "Join" → cancel with its refund stated → review a past call', async () => {
    const camille = await signedIn(browser, base, 'camille@callastar.local', { locale: 'fr' });
    // Signing in lands on the fan home.
    expect(new URL(camille.url()).pathname).toBe('/fr/dashboard');
    for (const card of ['upcoming', 'history', 'requests', 'notifications', 'account'])
      expect(await camille.locator(`[data-card="${card}"]`).isVisible(), card).toBe(true);
    // Seeded history: four past calls, one not reviewed yet.
    expect(await count(camille, 'history')).toBeGreaterThanOrEqual(4);
    expect(await camille.locator('[data-count="to-review"]').getAttribute('data-n')).toBe('1');
    await shot(camille, 'fan-01-home');

    // A paid booking to cancel later: Amelia's first free one-off offer, paid with the built-in checkout.
    await camille.goto(`${base}/fr/c/amelia-hart`);
    await camille.locator('.offer-row.status-available a.offer-title').first().click();
    await camille.getByRole('button', { name: 'Réserver ce créneau' }).click();
    await camille.waitForURL(/\/fr\/bookings\/bkg_\w+\/checkout$/);
    await camille.getByRole('link', { name: 'Payer' }).click();
    await camille.waitForURL(/\/checkout\/local\/pi_local_/);
    await camille.getByRole('button', { name: 'Payer', exact: true }).click();
    await camille.waitForURL(/\/fr\/bookings\/bkg_\w+$/);
    const paidId = new URL(camille.url()).pathname.split('/').pop()!;

    // A call whose join window opens ~12 s from now (the dev tool, with a start just past the 15 minutes).
    await camille.goto(`${base}/dev/demo-call`);
    await camille.locator('#dc-creator').selectOption({ label: 'Amelia Hart' });
    await camille.locator('#dc-duration').fill('5');
    await camille.evaluate(
      `(() => { const s = document.getElementById('dc-start'); s.add(new Option('soon', '912')); s.value = '912'; })()`,
    );
    await camille.getByRole('button', { name: "Créer l'appel" }).click();
    await camille.waitForURL(/\/fr\/call\/bkg_\w+$/);
    const soonId = new URL(camille.url()).pathname.split('/').pop()!;

    await camille.locator('nav.main-nav a[href="/fr/dashboard"]').click();
    await camille.waitForURL(/\/fr\/dashboard$/);
    await camille.locator('.section-nav a[href="/fr/dashboard/calls"]').click();
    await camille.waitForURL(/\/fr\/dashboard\/calls$/);
    const soon = camille.locator(`[data-booking-id="${soonId}"]`);
    expect(await soon.locator('[data-join="closed"]').isDisabled()).toBe(true);
    await expect.poll(() => soon.locator('.join-hint').textContent()).toMatch(/^Ouvre dans 0:\d\d$/);
    await camille.evaluate('window.__sameDocument = true');
    await shot(camille, 'fan-02-upcoming-join-closed');
    // No reload: the button turns into the link to the call page when the window opens.
    await expect.poll(() => soon.locator('[data-join="open"]').count(), { timeout: 25_000 }).toBe(1);
    expect(await soon.locator('[data-join="open"]').getAttribute('href')).toBe(`/fr/call/${soonId}`);
    expect(await camille.evaluate('window.__sameDocument === true')).toBe(true);
    await shot(camille, 'fan-03-upcoming-join-open');

    // The paid call: .ics link, then the cancellation step with the refund the policy gives now.
    const paid = camille.locator(`[data-booking-id="${paidId}"]`);
    expect(await paid.locator('[data-ics]').getAttribute('href')).toBe(`/api/bookings/${paidId}/calendar.ics`);
    await paid.locator('[data-cancel]').click();
    await camille.waitForURL(new RegExp(`/fr/dashboard/calls/${paidId}/cancel$`));
    const refund = camille.locator('[data-refund-amount]');
    expect(Number(await refund.getAttribute('data-refund-amount'))).toBeGreaterThan(0);
    expect(['50', '100']).toContain(await refund.getAttribute('data-refund-percent'));
    expect(await camille.locator('.fan-refund-statement').textContent()).toMatch(
      /^Si vous annulez maintenant, .+ \((50|100) %\) seront remboursés\.$/,
    );
    await shot(camille, 'fan-04-cancel-confirmation');
    await camille.locator('input[name="confirm"]').check();
    await camille.getByRole('button', { name: 'Annuler la réservation' }).click();
    await camille.waitForURL(/\/fr\/dashboard\/calls$/);
    expect(await camille.locator('.notice').first().textContent()).toContain('Réservation annulée');
    expect(await camille.locator(`[data-booking-id="${paidId}"]`).count()).toBe(0);
    await shot(camille, 'fan-05-cancelled');

    // History: the cancelled call is there; the seeded unreviewed call gets four stars.
    await camille.locator('.section-nav a[href="/fr/dashboard/history"]').click();
    await camille.waitForURL(/\/fr\/dashboard\/history$/);
    expect(await camille.locator(`[data-booking-id="${paidId}"]`).getAttribute('data-past-status')).toBe('cancelled');
    const toReview = camille.locator('li.fan-call', { has: camille.locator('[data-review-form]') }).first();
    const reviewId = (await toReview.getAttribute('data-booking-id'))!;
    expect(await toReview.locator('[data-status-badge]').textContent()).toBe('Terminé');
    await toReview.locator('summary', { hasText: 'Laisser un avis' }).click();
    await toReview.locator('input[name="rating"][value="4"]').check();
    await toReview.locator('textarea[name="comment"]').fill('Très utile, merci Léa !');
    await shot(camille, 'fan-06-history-review-form');
    await toReview.getByRole('button', { name: 'Publier mon avis' }).click();
    await camille.waitForURL(/\/fr\/dashboard\/history$/);
    expect(await camille.locator('.notice').first().textContent()).toContain('Merci pour votre avis');
    const reviewed = camille.locator(`[data-booking-id="${reviewId}"]`);
    expect(await reviewed.locator('[data-reviewed]').textContent()).toBe('Noté ★4');
    expect(await reviewed.locator('[data-review-form]').count()).toBe(0);
    await shot(camille, 'fan-07-history-reviewed');

    // Its summary is one click away; the home has nothing left to review; it holds on a phone too.
    await reviewed.locator('[data-summary]').click();
    await camille.waitForURL(new RegExp(`/fr/call/${reviewId}/summary$`));
    expect(await camille.locator('[data-review="done"]').count()).toBe(1);
    await camille.goto(`${base}/fr/dashboard`);
    expect(await camille.locator('[data-count="to-review"]').count()).toBe(0);
    await camille.setViewportSize({ width: 390, height: 844 });
    expect(await camille.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await shot(camille, 'fan-08-home-mobile');
    await camille.context().close();
  });
});
