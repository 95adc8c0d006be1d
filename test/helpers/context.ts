/** The test bindings and the app's deps built from them (what a request's handler gets). */
import { env } from 'cloudflare:workers';
import { buildDeps, type Deps } from '../../src/deps';
import type { Bindings } from '../../src/env';
import type { Clock } from '../../src/lib/clock';

export const testEnv = env as unknown as Bindings & { FAKES_URL: string };

export function deps(opts: { clock?: Clock } = {}): Deps {
  return buildDeps(testEnv, opts);
}
