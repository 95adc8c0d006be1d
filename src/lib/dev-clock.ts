/**
 * The app's clock, with a development-only offset so a browser test (or a developer) can move the
 * app's "now" — past a payout holding period, into a booked call — without touching the machine's
 * clock. It exists only where `config.devTools` is true (APP_ENV development or test): elsewhere
 * `appClock` is the system clock whatever was set, `devClockOffset` is 0 and `setDevClockOffset`
 * refuses. The offset is set through `/dev/clock` (404 outside development, like /dev/mailbox).
 *
 * It is isolate state: under `wrangler dev` one isolate runs the Worker, its Durable Objects, the
 * crons and the queue consumers, so every `buildDeps` there reads the same offset. Restarting or
 * reloading `wrangler dev` (it reloads on any change under src/ or public/) resets it to 0.
 * Durable Object alarms fire on the machine clock: `wallTime`
 * converts an instant of the app's clock to the machine time an alarm must be set to.
 */
import type { Config } from '../env';
import { DAY, systemClock, type Clock } from './clock';

/** Far enough for any holding period or payout schedule; bounded so a typo cannot move years. */
export const MAX_DEV_CLOCK_OFFSET_MS = 400 * DAY;

let offsetMs = 0;

type DevGate = Pick<Config, 'devTools'>;

/** The offset (ms) of the app's clock from the machine's: always 0 outside development and tests. */
export function devClockOffset(config: DevGate): number {
  return config.devTools ? offsetMs : 0;
}

/** Sets the offset (development and tests only); returns the offset now in force. */
export function setDevClockOffset(config: DevGate, ms: number): number {
  if (!config.devTools) throw new Error('The development clock is not available in this environment');
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_DEV_CLOCK_OFFSET_MS)
    throw new RangeError(`The clock offset must be within ±${MAX_DEV_CLOCK_OFFSET_MS} ms`);
  offsetMs = Math.round(ms);
  return offsetMs;
}

/** deps.clock: the system clock, shifted by the development offset where (and only where) dev tools are on. */
export function appClock(config: DevGate): Clock {
  return config.devTools ? { now: () => new Date(Date.now() + offsetMs) } : systemClock;
}

/** The machine time (ms) at which the app's clock reads `appTimeMs` — what Durable Object alarms need. */
export function wallTime(config: DevGate, appTimeMs: number): number {
  return appTimeMs - devClockOffset(config);
}
