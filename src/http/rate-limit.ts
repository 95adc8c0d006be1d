import type { Deps } from '../deps';
import { tooManyRequests } from './errors';

/** Throws 429 (with Retry-After = the limiter's period) when `key` is over its limit. */
export async function enforceLimit(limiter: RateLimit, key: string, periodSeconds = 60): Promise<void> {
  const { success } = await limiter.limit({ key });
  if (!success) throw tooManyRequests(periodSeconds);
}

/**
 * A sign-in or password-reset attempt: at most LOGIN_LIMITER per (IP, email) and LOGIN_IP_LIMITER
 * per IP whatever the emails (one address trying many accounts). False when over either.
 */
export async function credentialAttemptAllowed(
  deps: Pick<Deps, 'limiters'>,
  kind: 'login' | 'reset',
  ip: string,
  email: string,
): Promise<boolean> {
  if (!(await deps.limiters.login.limit({ key: `${kind}:${ip}:${email.toLowerCase()}` })).success) return false;
  return (await deps.limiters.loginIp.limit({ key: `${kind}:${ip}` })).success;
}

/** Password changes: LOGIN_LIMITER per account (the current password is checked: a guessing oracle otherwise). */
export async function passwordChangeAllowed(deps: Pick<Deps, 'limiters'>, userId: string): Promise<boolean> {
  return (await deps.limiters.login.limit({ key: `password:${userId}` })).success;
}
