/** The creator's main journey in a real browser: home, reviews (reply), planning, on the seeded demo data. */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, seriousA11yViolations, shot } from './browser';
import { signedIn } from './helpers';

const chromiumPath = inject('chromium');
const base = inject('baseUrl');

describe.skipIf(!chromiumPath)('creator space in a real browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch(chromiumPath!);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('Noah lands on his home, answers a review publicly and finds his past calls with their outcome', async () => {
    const noah = await signedIn(browser, base, 'noah@callastar.local', { locale: 'en', timezoneId: 'Europe/Zurich' });
    // Signing in lands a creator on their home.
    expect(new URL(noah.url()).pathname).toBe('/en/creator');
    expect(await noah.locator('h1').textContent()).toBe('Hello, Noah Keller');
    for (const card of ['requests', 'balance', 'reviews'])
      expect(await noah.locator(`[data-card="${card}"]`).count()).toBe(1);
    expect(await noah.locator('[data-balance="CHF"]').textContent()).toMatch(/CHF/);
    expect(await noah.locator('[data-card="reviews"] .stars').textContent()).toMatch(/★ 4\.5/);
    await shot(noah, 'creator-01-home');
    expect(await seriousA11yViolations(noah, 'creator-home')).toEqual([]);

    // Reviews waiting for a reply: the home links straight to them.
    await noah.locator('[data-card="reviews"] a').click();
    await noah.waitForURL(/\/en\/creator\/reviews/);
    // The spread's bars get their width through the CSSOM (the CSP blocks style attributes).
    const bar = async (r: number) =>
      (await noah.locator(`.rating-spread li[data-rating="${r}"] .bar span`).boundingBox())?.width ?? 0;
    expect(await bar(5)).toBeGreaterThan(0);
    expect(await bar(1)).toBe(0);
    const review = noah.locator('li.review', { hasText: 'Found the exact move' });
    await review.locator('summary').click();
    await review.locator('textarea').fill('Thanks! Keep drilling that endgame.');
    await shot(noah, 'creator-02-reply');
    await review.getByRole('button', { name: 'Publish the reply' }).click();
    await noah.waitForURL(/\/en\/creator\/reviews$/);
    expect(await noah.locator('.notice').first().textContent()).toContain('Reply published.');
    expect(
      await noah.locator('li.review', { hasText: 'Found the exact move' }).locator('[data-reply]').textContent(),
    ).toContain('Keep drilling that endgame.');
    // Replied once: no second form on that review.
    expect(await noah.locator('li.review', { hasText: 'Found the exact move' }).locator('form').count()).toBe(0);
    expect(await seriousA11yViolations(noah, 'creator-reviews')).toEqual([]);

    // Everyone sees the reply on Noah's public page.
    const visitor = await (await browser.newContext({ locale: 'en-US' })).newPage();
    await visitor.goto(`${base}/en/c/noah-keller#reviews`);
    expect(
      await visitor
        .locator('#reviews li.review', { hasText: 'Found the exact move' })
        .locator('[data-reply]')
        .textContent(),
    ).toContain('Reply from Noah Keller');
    await shot(visitor, 'creator-03-public-reviews');

    // Past calls with their outcome and summary.
    await noah.goto(`${base}/en/creator/planning?view=list&status=past`);
    const rows = noah.locator('table.planning-list tbody tr');
    expect(await rows.count()).toBeGreaterThanOrEqual(2);
    expect(await rows.locator('[data-outcome="COMPLETED"]').count()).toBeGreaterThanOrEqual(2);
    await shot(noah, 'creator-04-past-calls');
    await rows.first().getByRole('link', { name: 'Summary' }).click();
    await noah.waitForURL(/\/en\/call\/[^/]+\/summary$/);
    expect(await noah.locator('h1').textContent()).toContain('Call summary');
  });
});
