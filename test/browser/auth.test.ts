import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, shot } from './browser';

const chromiumPath = inject('chromium');
const base = inject('baseUrl');

describe.skipIf(!chromiumPath)('accounts in a real browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch(chromiumPath!);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('signs up in English from New York, confirms the email from the mailbox, signs out and back in', async () => {
    const ctx = await browser.newContext({ locale: 'en-US', timezoneId: 'America/New_York' });
    const page = await ctx.newPage();
    const email = `browser-${Date.now()}@example.test`;

    await page.goto(`${base}/`);
    expect(page.url()).toBe(`${base}/en/`);
    await page.getByRole('link', { name: 'Sign up' }).first().click();
    await page.getByLabel('Name').fill('Brenda Browser');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill('a-browser-password');
    await shot(page, 'auth-01-signup');
    await page.getByRole('button', { name: 'Create my account' }).click();
    // A new fan lands on their dashboard, welcomed; the account page shows what sign-up detected.
    await page.waitForURL(`${base}/en/dashboard`);
    expect(await page.locator('.notice.success').textContent()).toContain('Welcome');
    await page.goto(`${base}/en/account`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('My account');
    // The client script detected the browser's zone at sign-up.
    expect(await page.locator('#f-timezone').inputValue()).toBe('America/New_York');
    expect(await page.locator('.badge.warning').textContent()).toBe('Not verified');
    await shot(page, 'auth-02-account');

    await page.goto(`${base}/dev/mailbox?to=${encodeURIComponent(email)}`);
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.getByRole('link', { name: /Confirm your email address/ }).count();
        },
        { timeout: 15_000 },
      )
      .toBe(1);
    await page.getByRole('link', { name: /Confirm your email address/ }).click();
    const link = await page
      .frameLocator('iframe.mail-frame')
      .getByRole('link', { name: 'Confirm my address' })
      .getAttribute('href');
    expect(link).toContain('/en/verify-email?token=');
    expect(link!.startsWith(base)).toBe(true);
    await page.goto(link!);
    await page.getByRole('button', { name: 'Confirm my address' }).click();
    await page.waitForURL(`${base}/en/account`);
    expect(await page.locator('.badge.success').textContent()).toBe('Verified');

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(`${base}/en/`);
    await page.getByRole('link', { name: 'Sign in' }).first().click();
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill('wrong-password-here');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.locator('.notice.error').textContent()).toBe('Wrong email or password.');
    await page.getByLabel('Password').fill('a-browser-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/en/dashboard`);
    await shot(page, 'auth-03-signed-in');
    await ctx.close();
  });

  it('works in French and switches language from the header', async () => {
    const ctx = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    const page = await ctx.newPage();
    await page.goto(`${base}/fr/signin`);
    expect(await page.locator('h1').textContent()).toBe('Connexion');
    await page.getByLabel('Adresse e-mail').fill('camille@callastar.local');
    await page.getByLabel('Mot de passe').fill('star-demo-2026');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL(`${base}/fr/dashboard`);
    await page.getByRole('link', { name: 'EN', exact: true }).click();
    await page.waitForURL(`${base}/en/dashboard`);
    expect(await page.locator('h1').textContent()).toBe('Hello Camille');
    await ctx.close();
  });
});
