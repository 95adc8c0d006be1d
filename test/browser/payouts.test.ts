/** Creator finances and the admin side of payouts in a real browser, on the seeded demo history. */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, shot } from './browser';
import { signedIn } from './helpers';

const chromiumPath = inject('chromium');
const base = inject('baseUrl');

describe.skipIf(!chromiumPath)('payouts in a real browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch(chromiumPath!);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('Léa sees her earnings chart, asks to be paid what is released; the admin sees it and the bank confirms', async () => {
    const lea = await signedIn(browser, base, 'lea@callastar.local', { locale: 'fr' });
    await lea.goto(`${base}/fr/creator/payments?period=day`);
    expect(await lea.locator('figure.chart svg rect').count()).toBe(30);
    expect(await lea.locator('[data-earnings-total]').textContent()).toMatch(/€/);
    await shot(lea, 'payouts-01-earnings');

    await lea.goto(`${base}/fr/creator/payouts`);
    const card = lea.locator('[data-eligibility="EUR"]');
    expect(await card.getAttribute('data-eligible')).toBe('true');
    expect(await card.textContent()).toContain('80,75');
    // The paid payout from the seed is in the history.
    expect(await lea.locator('[data-payouts] tbody tr').count()).toBe(1);
    await lea.getByRole('button', { name: /Demander le versement de 80,75/ }).click();
    await lea.waitForURL(/\/fr\/creator\/payouts$/);
    expect(await lea.locator('.notice').first().textContent()).toContain('Versement demandé');
    expect(await lea.locator('[data-payouts] tbody tr').count()).toBe(2);
    expect(
      await lea.locator('[data-payouts] tbody tr').first().locator('[data-status]').getAttribute('data-status'),
    ).toBe('PROCESSING');
    // Nothing left to pay: the page explains why (the last call is still in its holding period).
    expect(await lea.locator('[data-reason="FUNDS_ON_HOLD"]').count()).toBe(1);
    await shot(lea, 'payouts-02-requested');

    const admin = await signedIn(browser, base, 'admin@callastar.local', { locale: 'en' });
    await admin.goto(`${base}/en/admin/payouts?status=PROCESSING`);
    // Other journeys may have paid other creators: Léa's rows are the ones under test.
    const row = admin.locator('[data-all-payouts] tbody tr', { hasText: 'Léa Martin' }).first();
    expect(await row.count()).toBe(1);
    await row.getByRole('button', { name: 'paid' }).click();
    await admin.waitForURL(/\/en\/admin\/payouts/);
    await admin.goto(`${base}/en/admin/payouts?status=PAID`);
    expect(await admin.locator('[data-all-payouts] tbody tr', { hasText: 'Léa Martin' }).count()).toBe(2);
    await shot(admin, 'payouts-03-admin');

    await lea.reload();
    expect(
      await lea.locator('[data-payouts] tbody tr').first().locator('[data-status]').getAttribute('data-status'),
    ).toBe('PAID');
    for (const p of [lea, admin]) await p.context().close();
  });
});
