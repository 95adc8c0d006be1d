import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { inject } from 'vitest';

export const DEMO_PASSWORD = 'star-demo-2026';

/**
 * A signed-in page in its own browser context (own cookies), in the given language and zone.
 * Each demo account signs in once per run and later contexts reuse its session (storage state):
 * signing in afresh in every test would run into the app's own sign-in limits (5 per minute per
 * account and address), making the suite's result depend on how fast it runs.
 */
export async function signedIn(
  browser: Browser,
  base: string,
  email: string,
  opts: { locale?: 'fr' | 'en'; timezoneId?: string } = {},
): Promise<Page> {
  const locale = opts.locale ?? 'en';
  const contextOpts = { locale: locale === 'fr' ? 'fr-FR' : 'en-US', timezoneId: opts.timezoneId ?? 'Europe/Paris' };
  const dir = inject('sessionDir');
  const saved = dir ? join(dir, `${email}.json`) : null;
  if (saved && existsSync(saved)) {
    const ctx = await browser.newContext({ ...contextOpts, storageState: saved });
    const page = await ctx.newPage();
    // The sign-in page sends a signed-in visitor on to their home, as signing in does.
    await page.goto(`${base}/${locale}/signin`);
    if (!new URL(page.url()).pathname.endsWith('/signin')) return page;
    await ctx.close(); // the saved session ended (signed out): sign in again below
  }
  const ctx = await browser.newContext(contextOpts);
  const page = await ctx.newPage();
  await page.goto(`${base}/${locale}/signin`);
  await page.locator('#f-email').fill(email);
  await page.locator('#f-password').fill(DEMO_PASSWORD);
  await page.locator('form[action$="/signin"] button[type=submit]').click();
  await page.waitForURL((u) => !u.pathname.endsWith('/signin'));
  if (saved) writeFileSync(saved, JSON.stringify(await ctx.storageState()));
  return page;
}
