/** Waiting for something the app does asynchronously (sockets, waitUntil work, alarms) without fixed sleeps. */

export interface UntilOptions {
  /** Give up after this many milliseconds (default 5,000). */
  timeout?: number;
  /** Pause between checks (default 10 ms). */
  interval?: number;
  /** What was awaited, for the timeout's message. */
  what?: string;
}

/**
 * Checks `cond` until it returns a truthy value, and returns that value; throws once `timeout`
 * passes, so a condition that never holds fails the test at the wait rather than at a later assertion.
 */
export async function until<T>(cond: () => T | Promise<T>, opts: UntilOptions = {}): Promise<NonNullable<T>> {
  const { timeout = 5_000, interval = 10, what = 'the condition' } = opts;
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await cond();
    if (value) return value as NonNullable<T>;
    if (Date.now() >= deadline) throw new Error(`until: ${what} did not hold within ${timeout} ms`);
    await new Promise((r) => setTimeout(r, interval));
  }
}
