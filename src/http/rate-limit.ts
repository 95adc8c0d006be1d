import { tooManyRequests } from './errors';

/** Throws 429 (with Retry-After = the limiter's period) when `key` is over its limit. */
export async function enforceLimit(limiter: RateLimit, key: string, periodSeconds = 60): Promise<void> {
  const { success } = await limiter.limit({ key });
  if (!success) throw tooManyRequests(periodSeconds);
}
