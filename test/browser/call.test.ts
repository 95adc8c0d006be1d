/**
 * The call in two real browsers: a fan and a creator join the same booking with the built-in
 * peer-to-peer provider (fake camera and microphone), see each other, the timer runs, the call
 * ends by itself at the booked minute on both sides, and both land on the summary.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, shot } from './browser';
import { signedIn } from './helpers';

const chromiumPath = inject('chromium');
const base = inject('baseUrl');

/** Width of the frames a <video> receives (0 until it gets some), evaluated in the page. */
const videoWidth = (page: Page, id: string) => page.evaluate(`document.getElementById(${JSON.stringify(id)})?.videoWidth ?? 0`) as Promise<number>;
const remainingSeconds = async (page: Page) => Number(await page.locator('[data-remaining]').getAttribute('data-remaining'));

describe.skipIf(!chromiumPath)('the call in a real browser', () => {
  let browser: Browser;
  beforeAll(async () => { browser = await launch(chromiumPath!, { media: true }); });
  afterAll(async () => { await browser?.close(); });

  it('the waiting screen counts down to the access and shows the tips', async () => {
    const jordan = await signedIn(browser, base, 'jordan@callastar.local', { locale: 'en', timezoneId: 'America/New_York' });
    await jordan.goto(`${base}/dev/demo-call`);
    await jordan.locator('#dc-creator').selectOption({ label: 'Noah Keller' });
    await jordan.locator('#dc-duration').fill('20');
    await jordan.locator('#dc-start').selectOption('960');
    await jordan.getByRole('button', { name: 'Create the call' }).click();
    await jordan.waitForURL(/\/call\/bkg_\w+$/);
    await expect.poll(() => jordan.locator('.call-app').getAttribute('data-phase')).toBe('waiting');
    const first = Number(await jordan.locator('[data-countdown]').getAttribute('data-countdown'));
    expect(first).toBeGreaterThan(30);
    expect(first).toBeLessThanOrEqual(60);
    await expect.poll(async () => Number(await jordan.locator('[data-countdown]').getAttribute('data-countdown')), { timeout: 5000 }).toBeLessThan(first);
    expect(await jordan.getByRole('heading', { name: 'Get ready' }).count()).toBe(1);
    await shot(jordan, 'call-01-waiting');
    await jordan.context().close();
  });

  it('without camera or microphone access the pre-call check says so clearly, and joining stays possible', async () => {
    const bare = await launch(chromiumPath!); // no fake devices, no auto-granted permission
    try {
      const jordan = await signedIn(bare, base, 'jordan@callastar.local', { locale: 'en', timezoneId: 'America/New_York' });
      await jordan.goto(`${base}/dev/demo-call`);
      await jordan.locator('#dc-creator').selectOption({ label: 'Amelia Hart' });
      await jordan.locator('#dc-duration').fill('10');
      await jordan.locator('#dc-start').selectOption('120');
      await jordan.getByRole('button', { name: 'Create the call' }).click();
      await jordan.waitForURL(/\/call\/bkg_\w+$/);
      await expect.poll(() => jordan.locator('.call-app').getAttribute('data-phase')).toBe('precall');
      const problem = jordan.locator('[data-media-problem]');
      await expect.poll(() => problem.count(), { timeout: 10_000 }).toBe(1);
      expect(['denied', 'noDevice']).toContain(await problem.getAttribute('data-media-problem'));
      expect((await problem.textContent())!.length).toBeGreaterThan(30);
      expect(await jordan.locator('[data-action="join"]').isEnabled()).toBe(true);
      expect(await jordan.getByText(/^Starts in \d+:\d\d$/).count()).toBe(1);
      await shot(jordan, 'call-01b-precall-no-devices');
    } finally {
      await bare.close();
    }
  });

  it('fan and creator see each other; the timer runs; the call ends at the booked minute; both land on the summary', async () => {
    const camille = await signedIn(browser, base, 'camille@callastar.local', { locale: 'fr' });
    await camille.goto(`${base}/dev/demo-call`);
    await camille.locator('#dc-creator').selectOption({ label: 'Léa Martin' });
    await camille.locator('#dc-duration').fill('1');
    await camille.locator('#dc-start').selectOption('0');
    await camille.getByRole('button', { name: "Créer l'appel" }).click();
    await camille.waitForURL(/\/fr\/call\/bkg_\w+$/);
    const bookingId = camille.url().split('/').pop()!;

    const lea = await signedIn(browser, base, 'lea@callastar.local', { locale: 'en' });
    await lea.goto(`${base}/en/call/${bookingId}?debug=1`);
    for (const p of [camille, lea]) {
      await expect.poll(() => p.locator('.call-app').getAttribute('data-phase')).toBe('precall');
      // The pre-call check shows the (fake) camera.
      await expect.poll(() => videoWidth(p, 'local-preview'), { timeout: 10_000 }).toBeGreaterThan(0);
    }
    await shot(camille, 'call-02-precall');

    await camille.locator('[data-action="join"]').click();
    await lea.locator('[data-action="join"]').click();
    for (const p of [camille, lea]) await expect.poll(() => p.locator('.call-app').getAttribute('data-phase')).toBe('incall');
    // Each sees the other's video over the peer-to-peer connection.
    await expect.poll(() => videoWidth(camille, 'remote-video'), { timeout: 20_000 }).toBeGreaterThan(0);
    await expect.poll(() => videoWidth(lea, 'remote-video'), { timeout: 20_000 }).toBeGreaterThan(0);

    // The timer runs, and a one-minute call is inside its last two minutes.
    const r1 = await remainingSeconds(camille);
    expect(r1).toBeGreaterThan(0);
    expect(r1).toBeLessThanOrEqual(60);
    await expect.poll(() => remainingSeconds(camille), { timeout: 5000 }).toBeLessThan(r1);
    expect(Number(await camille.locator('[data-elapsed]').getAttribute('data-elapsed'))).toBeGreaterThanOrEqual(0);
    expect(await camille.locator('[data-warning]').count()).toBe(1);
    expect(await lea.locator('[data-warning]').textContent()).toContain('2 minutes left');

    // Camera toggle reaches the other side.
    await camille.locator('[data-action="camera"]').click();
    await expect.poll(() => lea.getByText("Camille Dubois's camera is off").count(), { timeout: 5000 }).toBe(1);
    await camille.locator('[data-action="camera"]').click();

    // ?debug=1 shows the event stream, including what the server recorded.
    await expect.poll(() => lea.locator('[data-server-events] [data-event="PARTICIPANT_JOINED"]').count(), { timeout: 10_000 }).toBe(2);
    await shot(camille, 'call-03-in-call-fan');
    await shot(lea, 'call-04-in-call-creator-debug');

    // Nobody hangs up: the booked minute ends the call on both sides.
    await camille.waitForURL(new RegExp(`/fr/call/${bookingId}/summary$`), { timeout: 90_000 });
    await lea.waitForURL(new RegExp(`/en/call/${bookingId}/summary$`), { timeout: 30_000 });
    for (const p of [camille, lea]) {
      expect(await p.locator('[data-call-status]').getAttribute('data-call-status')).toBe('completed');
      expect(await p.locator('[data-participant][data-attended="true"]').count()).toBe(2);
      expect(await p.locator('.timeline [data-event="PARTICIPANT_LEFT"]').count()).toBe(2);
    }
    expect(await lea.locator('[data-review="form"]').count()).toBe(0);
    await shot(lea, 'call-05-summary-creator');

    // The fan reviews the call from its summary.
    await camille.locator('input[name="rating"][value="5"]').check();
    await camille.locator('#review-comment').fill('Merci Léa, super séance !');
    await camille.getByRole('button', { name: 'Publier mon avis' }).click();
    await camille.waitForURL(new RegExp(`/fr/call/${bookingId}/summary$`));
    expect(await camille.locator('[data-review="done"]').count()).toBe(1);
    await shot(camille, 'call-06-summary-fan-reviewed');
    for (const p of [camille, lea]) await p.context().close();
  });
});
