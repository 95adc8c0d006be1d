import type { Browser, Page } from 'playwright-core';

export const DEMO_PASSWORD = 'star-demo-2026';

/** A signed-in page in its own browser context (own cookies), in the given language and zone. */
export async function signedIn(browser: Browser, base: string, email: string, opts: { locale?: 'fr' | 'en'; timezoneId?: string } = {}): Promise<Page> {
  const locale = opts.locale ?? 'en';
  const ctx = await browser.newContext({ locale: locale === 'fr' ? 'fr-FR' : 'en-US', timezoneId: opts.timezoneId ?? 'Europe/Paris' });
  const page = await ctx.newPage();
  await page.goto(`${base}/${locale}/signin`);
  await page.locator('#f-email').fill(email);
  await page.locator('#f-password').fill(DEMO_PASSWORD);
  await page.locator('form[action$="/signin"] button[type=submit]').click();
  await page.waitForURL((u) => !u.pathname.endsWith('/signin'));
  return page;
}
