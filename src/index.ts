/** Worker entry: HTTP (Hono), Cron Triggers, queue consumers, Durable Object classes. */
import { createApp } from './app';
import type { Bindings } from './env';
import { handleQueue } from './jobs/queue';
import { runScheduled } from './jobs/scheduled';

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduled(env, controller));
  },
  queue: handleQueue,
} satisfies ExportedHandler<Bindings>;

export { OfferRoom } from './durable/offer-room';
export { CreatorCalendar } from './durable/creator-calendar';
export { CallRoom } from './durable/call-room';
export { SocketQuota } from './durable/socket-quota';
