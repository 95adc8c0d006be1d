/**
 * Development tool (404 outside development and tests, like /dev/mailbox): the app's clock.
 *   GET  /dev/clock  → { now, offsetMs }
 *   POST /dev/clock  { "advanceMs": n } | { "offsetMs": n } | { "at": ISO date } | { "reset": true } → { now, offsetMs }
 * Moves what `deps.clock` reads everywhere in this `wrangler dev` (pages, API, Durable Objects,
 * crons, queues): e.g. past a payout holding period, then trigger the hourly cron. See src/lib/dev-clock.ts.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, Ctx } from '../http/context';
import { badRequest, notFound } from '../http/errors';
import { devClockOffset, MAX_DEV_CLOCK_OFFSET_MS, setDevClockOffset } from '../lib/dev-clock';

export const devClockRoutes = new Hono<AppEnv>();

devClockRoutes.use('/dev/clock', async (c, next) => {
  if (!c.get('deps').config.devTools) throw notFound('Page');
  await next();
});

const Ms = z.number().int().min(-MAX_DEV_CLOCK_OFFSET_MS).max(MAX_DEV_CLOCK_OFFSET_MS);
const ClockBody = z.union([
  z.object({ advanceMs: Ms }).strict(),
  z.object({ offsetMs: Ms }).strict(),
  z.object({ at: z.iso.datetime({ offset: true }) }).strict(),
  z.object({ reset: z.literal(true) }).strict(),
]);

const state = (c: Ctx) => {
  const deps = c.get('deps');
  c.header('Cache-Control', 'no-store');
  return c.json({ now: deps.clock.now().toISOString(), offsetMs: devClockOffset(deps.config) });
};

devClockRoutes.get('/dev/clock', (c) => state(c));

devClockRoutes.post('/dev/clock', async (c) => {
  const config = c.get('deps').config;
  const parsed = ClockBody.safeParse(await c.req.json().catch(() => null));
  if (!parsed.success)
    throw badRequest(
      'Send one of { advanceMs }, { offsetMs }, { at } (ISO date) or { reset: true }; offsets within 400 days.',
    );
  const b = parsed.data;
  const next =
    'advanceMs' in b
      ? devClockOffset(config) + b.advanceMs
      : 'offsetMs' in b
        ? b.offsetMs
        : 'at' in b
          ? Date.parse(b.at) - Date.now()
          : 0;
  if (Math.abs(next) > MAX_DEV_CLOCK_OFFSET_MS)
    throw badRequest('The clock may move at most 400 days from the machine clock.');
  setDevClockOffset(config, next);
  return state(c);
});
