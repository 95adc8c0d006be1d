/**
 * The development clock (/dev/clock, src/lib/dev-clock.ts): it moves deps.clock, the cron tick and
 * Durable Object alarm times in development and tests — and does nothing at all in production.
 */
import { createExecutionContext } from 'cloudflare:test';
import { desc, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { cronRuns } from '../src/db/schema';
import { buildDeps } from '../src/deps';
import { CRON } from '../src/jobs/registry';
import { runScheduled } from '../src/jobs/scheduled';
import { DAY } from '../src/lib/clock';
import { appClock, devClockOffset, setDevClockOffset, wallTime } from '../src/lib/dev-clock';
import { api, BASE, fetchApp, testEnv } from './helpers';
import { productionEnv } from './config-envs';

const prodEnv = productionEnv();
const DEV = { devTools: true };
const PROD = { devTools: false };
const clockOf = async (res: Response) => {
  expect(res.status).toBe(200);
  return (await res.json()) as { now: string; offsetMs: number };
};

describe('the development clock', () => {
  afterEach(() => {
    setDevClockOffset(DEV, 0);
  });

  it('moves deps.clock (pages, API, Durable Objects, jobs all build their deps from it) and reads back', async () => {
    expect((await clockOf(await fetchApp('/dev/clock'))).offsetMs).toBe(0);
    const moved = await clockOf(await api('POST', '/dev/clock', { advanceMs: 8 * DAY }));
    expect(moved.offsetMs).toBe(8 * DAY);
    expect(Math.abs(Date.parse(moved.now) - (Date.now() + 8 * DAY))).toBeLessThan(5_000);
    expect(Math.abs(buildDeps(testEnv).clock.now().getTime() - (Date.now() + 8 * DAY))).toBeLessThan(5_000);
    // Advancing adds up; `at` sets the time; reset goes back to the machine's clock.
    expect((await clockOf(await api('POST', '/dev/clock', { advanceMs: DAY }))).offsetMs).toBe(9 * DAY);
    const at = new Date(Date.now() + 3 * DAY);
    expect(
      Math.abs(
        Date.parse((await clockOf(await api('POST', '/dev/clock', { at: at.toISOString() }))).now) - at.getTime(),
      ),
    ).toBeLessThan(5_000);
    expect((await clockOf(await api('POST', '/dev/clock', { reset: true }))).offsetMs).toBe(0);
  });

  it('refuses what it does not understand, and more than 400 days', async () => {
    for (const body of [
      {},
      { advanceMs: 'soon' },
      { offsetMs: 1.5 },
      { at: 'tomorrow' },
      { reset: false },
      { advanceMs: 1, reset: true },
      { offsetMs: 401 * DAY },
    ]) {
      expect((await api('POST', '/dev/clock', body)).status, JSON.stringify(body)).toBe(400);
    }
    await api('POST', '/dev/clock', { offsetMs: 300 * DAY });
    expect((await api('POST', '/dev/clock', { advanceMs: 200 * DAY })).status).toBe(400);
    expect(devClockOffset(DEV)).toBe(300 * DAY);
  });

  it('shifts the cron tick, so a scheduled job sees the same "now" as everything else', async () => {
    setDevClockOffset(DEV, 8 * DAY);
    const scheduledTime = Date.now();
    await runScheduled(testEnv, { cron: CRON.hourly, scheduledTime });
    const run = await buildDeps(testEnv)
      .db.select()
      .from(cronRuns)
      .where(eq(cronRuns.job, 'payouts'))
      .orderBy(desc(cronRuns.startedAt))
      .get();
    expect(run?.scheduledAt.getTime()).toBe(scheduledTime + 8 * DAY);
    expect(run?.status).toBe('SUCCESS');
  });

  it('converts app instants to machine time for Durable Object alarms', () => {
    setDevClockOffset(DEV, 5 * DAY);
    expect(wallTime(DEV, 1_000_000 + 5 * DAY)).toBe(1_000_000);
    expect(wallTime(PROD, 1_000_000)).toBe(1_000_000);
  });

  it('does not exist in production: 404, the system clock, no tick shift, no alarm shift', async () => {
    setDevClockOffset(DEV, 8 * DAY);
    const app = createApp();
    for (const init of [
      {},
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reset: true }) },
    ]) {
      const res = await app.fetch(new Request(`${BASE}/dev/clock`, init), prodEnv, createExecutionContext());
      expect(res.status).toBe(404);
    }
    // Even with an offset set in this isolate, production reads the machine's clock.
    expect(devClockOffset(PROD)).toBe(0);
    expect(Math.abs(appClock(PROD).now().getTime() - Date.now())).toBeLessThan(1_000);
    expect(Math.abs(buildDeps(prodEnv).clock.now().getTime() - Date.now())).toBeLessThan(1_000);
    expect(() => setDevClockOffset(PROD, DAY)).toThrow(/not available/);
    expect(devClockOffset(DEV)).toBe(8 * DAY);
  });
});
