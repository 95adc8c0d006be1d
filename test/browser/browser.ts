/** Launching Debian's Chromium through playwright-core, and saving screenshots as test artifacts. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const ARTIFACTS = resolve(__dirname, '../../test-results/screenshots');

export async function launch(executablePath: string, opts: { media?: boolean } = {}): Promise<Browser> {
  const args = [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-gpu',
  ];
  if (opts.media) args.push('--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream');
  return chromium.launch({ executablePath, args, headless: true });
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

export const A11Y_REPORTS = resolve(__dirname, '../../test-results/a11y');
type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

/**
 * Runs axe-core (WCAG 2 A/AA rules) in the page and returns its serious and critical violations;
 * the full report is saved beside the screenshots. An empty list is the expectation.
 */
export async function seriousA11yViolations(page: Page, name: string): Promise<string[]> {
  const { source } = (await import('axe-core')).default as unknown as { source: string };
  // Evaluated through the DevTools protocol: the page's CSP (script-src 'self') rightly forbids inline scripts.
  if ((await page.evaluate('typeof window.axe')) !== 'object') await page.evaluate(source);
  const result = (await page.evaluate(
    `window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })`,
  )) as { violations: AxeViolation[]; passes: unknown[] };
  mkdirSync(A11Y_REPORTS, { recursive: true });
  writeFileSync(
    join(A11Y_REPORTS, `${name}.json`),
    JSON.stringify({ url: page.url(), violations: result.violations, passes: result.passes.length }, null, 2),
  );
  if (!result.passes.length) throw new Error('axe-core ran no check: the page is empty or axe did not load');
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(' | ')}`,
    );
}
