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
const videoWidth = (page: Page, id: string) =>
  page.evaluate(`document.getElementById(${JSON.stringify(id)})?.videoWidth ?? 0`) as Promise<number>;
const remainingSeconds = async (page: Page) =>
  Number(await page.locator('[data-remaining]').getAttribute('data-remaining'));
/**
 * A strict autoplay policy (Safari-like), installed before the page's scripts: every AudioContext
 * starts suspended, and resume() works only once the page has had a user activation (a click or key).
 */
const STRICT_AUTOPLAY = `(() => {
  const Native = window.AudioContext;
  window.AudioContext = class extends Native {
    constructor(...args) { super(...args); void super.suspend(); }
    resume() { return navigator.userActivation.hasBeenActive ? super.resume() : Promise.resolve(); }
  };
})();`;
/** The microphone level the pre-call meter shows (0–100). */
const micLevel = async (page: Page) => Number(await page.locator('[role="meter"]').getAttribute('aria-valuenow'));
/** The booked end, as the server gave it to the page. */
const bookedEnd = async (page: Page) =>
  Date.parse(
    (JSON.parse((await page.locator('[data-island="call"]').getAttribute('data-props'))!) as { endsAt: string }).endsAt,
  );
/** "Planned duration: … · ends at hh:mm." as the page should word it for a viewer in `timeZone`. */
const plannedText = (duration: string, endsAt: number, locale: string, timeZone: string) =>
  `Planned duration: ${duration} · ends at ${new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', timeZone }).format(endsAt)}.`;

describe.skipIf(!chromiumPath)('the call in a real browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch(chromiumPath!, { media: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('the waiting screen counts down to the access and shows the tips', async () => {
    const jordan = await signedIn(browser, base, 'jordan@callastar.local', {
      locale: 'en',
      timezoneId: 'America/New_York',
    });
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
    await expect
      .poll(async () => Number(await jordan.locator('[data-countdown]').getAttribute('data-countdown')), {
        timeout: 5000,
      })
      .toBeLessThan(first);
    expect(await jordan.getByRole('heading', { name: 'Get ready' }).count()).toBe(1);
    // The waiting screen says how long the call lasts and when it ends (in Jordan's zone).
    const planned = jordan.locator('.call-waiting .planned');
    expect(await planned.getAttribute('data-duration-minutes')).toBe('20');
    expect((await planned.textContent())?.trim()).toBe(
      plannedText('20 min', await bookedEnd(jordan), 'en', 'America/New_York'),
    );
    await shot(jordan, 'call-01-waiting');
    await jordan.context().close();
  });

  it('without camera or microphone access the pre-call check says so clearly, and joining stays possible', async () => {
    const bare = await launch(chromiumPath!); // no fake devices, no auto-granted permission
    try {
      const jordan = await signedIn(bare, base, 'jordan@callastar.local', {
        locale: 'en',
        timezoneId: 'America/New_York',
      });
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
      expect((await jordan.locator('.call-precall .planned').textContent())?.trim()).toBe(
        plannedText('10 min', await bookedEnd(jordan), 'en', 'America/New_York'),
      );
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

    // Léa opens the call in a new tab (as from the link in her reminder email), in a browser with a
    // strict autoplay policy: Chromium lets a page that captures the microphone run audio at once,
    // Safari-like policies do not — an audio context starts suspended and resume() only works once
    // the person has interacted with the page. Emulated here, so the page must resume it itself.
    const signIn = await signedIn(browser, base, 'lea@callastar.local', { locale: 'en' });
    const lea = await signIn.context().newPage();
    await signIn.close();
    await lea.addInitScript(STRICT_AUTOPLAY);
    await lea.goto(`${base}/en/call/${bookingId}?debug=1`);
    // The microphone meter: on Léa's page the audio context starts suspended, so the meter sits at 0
    // until the page resumes it on the first interaction — here a key press, as someone using only
    // the keyboard would make (it fires no pointer event). It then follows the (fake) microphone.
    // (Without resuming it — as the page once did only on a pointer press — this meter stays at 0.)
    for (const p of [camille, lea]) {
      await expect.poll(() => p.locator('.call-app').getAttribute('data-phase')).toBe('precall');
      await p.keyboard.press('Tab');
      await expect.poll(() => micLevel(p), { timeout: 10_000 }).toBeGreaterThan(0);
      // The pre-call check shows the (fake) camera.
      await expect.poll(() => videoWidth(p, 'local-preview'), { timeout: 10_000 }).toBeGreaterThan(0);
    }
    expect(await camille.locator('.call-precall .planned').getAttribute('data-duration-minutes')).toBe('1');
    await shot(camille, 'call-02-precall');

    await camille.locator('[data-action="join"]').click();
    await lea.locator('[data-action="join"]').click();
    for (const p of [camille, lea])
      await expect.poll(() => p.locator('.call-app').getAttribute('data-phase')).toBe('incall');
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
    await expect
      .poll(() => lea.locator('[data-server-events] [data-event="PARTICIPANT_JOINED"]').count(), { timeout: 10_000 })
      .toBe(2);
    await shot(camille, 'call-03-in-call-fan');
    await shot(lea, 'call-04-in-call-creator-debug');

    // Nobody hangs up: the booked minute ends the call on both sides — because time is up, not
    // earlier, and within a few seconds of the booked end.
    const endsAt = await bookedEnd(camille);
    expect(endsAt).toBe(await bookedEnd(lea));
    expect(await camille.locator('.call-app').getAttribute('data-phase')).toBe('incall');
    const ended = await Promise.all(
      [camille, lea].map(async (p) => {
        const section = p.locator('.call-ended[data-end-reason]');
        await section.waitFor({ timeout: 90_000 });
        return {
          reason: await section.getAttribute('data-end-reason'),
          at: Date.parse((await section.getAttribute('data-ended-at'))!),
        };
      }),
    );
    for (const e of ended) {
      expect(e.reason).toBe('time-up');
      // The page stamps the end with its server-corrected clock, whose correction is only as good as
      // the latency it measured (tens of ms): hence the 1-second allowance before the end.
      expect(e.at - endsAt).toBeGreaterThanOrEqual(-1000);
      expect(e.at - endsAt).toBeLessThan(3000);
    }
    await camille.waitForURL(new RegExp(`/fr/call/${bookingId}/summary$`), { timeout: 30_000 });
    await lea.waitForURL(new RegExp(`/en/call/${bookingId}/summary$`), { timeout: 30_000 });
    for (const p of [camille, lea]) {
      expect(await p.locator('[data-call-status]').getAttribute('data-call-status')).toBe('completed');
      expect(await p.locator('[data-participant][data-attended="true"]').count()).toBe(2);
      expect(await p.locator('.timeline [data-event="PARTICIPANT_LEFT"]').count()).toBe(2);
      // One "call connected" per page, however many tracks and renegotiations there were.
      expect(await p.locator('.timeline [data-event="CALL_STARTED"]').count()).toBe(2);
      // The summary's actual end is the booked end (within the seconds the two sockets took to close).
      const scheduledEnd = Date.parse((await p.locator('[data-scheduled="end"] time').getAttribute('datetime'))!);
      const actualEnd = Date.parse((await p.locator('[data-actual="end"] time').getAttribute('datetime'))!);
      expect(scheduledEnd).toBe(endsAt);
      // The server's own record (sockets closing, or its alarm at the booked end): never before the end.
      expect(actualEnd).toBeGreaterThanOrEqual(scheduledEnd);
      expect(actualEnd - scheduledEnd).toBeLessThan(5000);
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
