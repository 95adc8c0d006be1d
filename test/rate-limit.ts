/**
 * Counting to a rate limit in tests. The local Rate Limiting binding (miniflare) counts in windows
 * aligned to the wall clock (`floor(now / period)`), so attempts that straddle a minute boundary
 * see limit + 1 successes. Every count-to-the-limit test starts in a window with time to spare.
 */
import wranglerToml from '../wrangler.toml?raw';

/** `limit` and `period` of a [[ratelimits]] entry of wrangler.toml (the local, top-level one). */
export function limitOf(name: string): { limit: number; period: number } {
  const m = new RegExp(`name = "${name}"[^\\[]*?simple = \\{ limit = (\\d+), period = (\\d+) \\}`).exec(
    wranglerToml.split('[env.')[0],
  );
  if (!m) throw new Error(`${name} not in wrangler.toml`);
  return { limit: Number(m[1]), period: Number(m[2]) };
}

/** Time left in the current window of a `periodSeconds` limiter, in ms. */
export function windowLeftMs(periodSeconds = 60, now = Date.now()): number {
  const period = periodSeconds * 1000;
  return period - (now % period);
}

/** Waits for the next window when fewer than `needMs` remain in this one (the attempts must all fit in one window). */
export async function freshWindow(periodSeconds = 60, needMs = 10_000): Promise<void> {
  const left = windowLeftMs(periodSeconds);
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

/**
 * Starts in a fresh enough window, then calls `attempt` until the first 429; returns its index,
 * the response and every status. `periodSeconds`/`needMs`: see freshWindow.
 */
export async function untilLimited(
  attempt: (i: number) => Promise<Response>,
  max = 40,
  opts: { periodSeconds?: number; needMs?: number } = {},
): Promise<{ at: number; res: Response; statuses: number[] }> {
  await freshWindow(opts.periodSeconds ?? 60, opts.needMs ?? 10_000);
  const statuses: number[] = [];
  for (let i = 0; i < max; i++) {
    const res = await attempt(i);
    statuses.push(res.status);
    if (res.status === 429) return { at: i, res, statuses };
    await res.body?.cancel();
  }
  throw new Error(`never limited: ${statuses.join(',')}`);
}
