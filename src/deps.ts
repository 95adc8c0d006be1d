/**
 * buildDeps(env): the one place that decides which providers run (real vs built-in) and wires
 * the domain's dependencies. Domain code receives `Deps` and never reads `env` itself.
 */
import { createDb, type D1Client, type Db } from './db/client';
import type { EmailQueueMessage } from './domain/email/enqueue';
import { readConfig, type Bindings, type Config } from './env';
import type { Clock } from './lib/clock';
import { appClock } from './lib/dev-clock';
import { randomIds, type Ids } from './lib/ids';
import { createLogger, type Logger } from './lib/logger';
import { outboxProvider } from './providers/email/outbox';
import type { EmailProvider } from './providers/email/port';
import { handleStripeWebhook } from './domain/payments/webhook';
import { LOCAL_WEBHOOK_SECRET, localPayments, type LocalPaymentsControls } from './providers/payments/local';
import type { PaymentsPort } from './providers/payments/port';
import { stripePayments } from './providers/payments/stripe';
import type { CallRoom, CreatorCalendar, OfferRoom, SocketQuota } from './index';
import { dailyVideo } from './providers/video/daily';
import { cloudflareTurn, staticIce, type IcePort } from './providers/video/ice';
import { p2pVideo } from './providers/video/p2p';
import type { VideoPort } from './providers/video/port';
import { resendProvider } from './providers/email/resend';
import type { ReminderChunk } from './domain/notifications/reminders';

export interface Deps {
  config: Config;
  db: Db;
  /** Raw D1 (the binding, or the request's session), for guarded multi-statement transactions (`rawStatement` + `d1.batch`). */
  d1: D1Client;
  clock: Clock;
  ids: Ids;
  log: Logger;
  queues: { email: Queue<EmailQueueMessage>; jobs: Queue<ReminderChunk> };
  emailProvider: EmailProvider;
  payments: PaymentsPort;
  /** Present when the built-in payment provider runs (local checkout, simulations). */
  localPayments: LocalPaymentsControls | null;
  video: VideoPort;
  /** STUN/TURN for the built-in call: static, or with TURN credentials minted per join (Cloudflare). */
  ice: IcePort;
  rooms: {
    offer(offerId: string): DurableObjectStub<OfferRoom>;
    calendar(creatorId: string): DurableObjectStub<CreatorCalendar>;
    call(bookingId: string): DurableObjectStub<CallRoom>;
    /** A client address's live-socket quota, by its addressKey (asked by the objects' socket hubs). */
    quota(address: string): DurableObjectStub<SocketQuota>;
  };
  limiters: {
    login: RateLimit;
    loginIp: RateLimit;
    signup: RateLimit;
    booking: RateLimit;
    request: RateLimit;
    upload: RateLimit;
    call: RateLimit;
  };
  /** Creator images (the resized variants), in R2. */
  media: R2Bucket;
  /** Cloudflare Images: decodes, resizes and encodes uploads (miniflare uses sharp locally). */
  images: ImagesBinding;
}

export interface DepsOptions {
  clock?: Clock;
  requestId?: string;
  /** The request's D1 session (read replicas); without it, the binding: the primary. */
  d1?: D1Client;
}

let isolateWebhookSecret: string | null = null;

/**
 * What the built-in payment provider signs its events with. The public development secret only in
 * development and test: in staging (its opt-in) anyone could forge events with it, so there it is
 * STRIPE_WEBHOOK_SECRET or a secret of this isolate — its events are verified by the same isolate.
 */
function builtinWebhookSecret(env: Bindings, config: Config): string {
  if (env.STRIPE_WEBHOOK_SECRET) return env.STRIPE_WEBHOOK_SECRET;
  if (config.devTools) return LOCAL_WEBHOOK_SECRET;
  isolateWebhookSecret ??= `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`;
  return isolateWebhookSecret;
}

export function buildDeps(env: Bindings, opts: DepsOptions = {}): Deps {
  const config = readConfig(env);
  const d1 = opts.d1 ?? env.DB;
  const db: Db = createDb(d1);
  // The system clock; in development and tests only, shifted by the /dev/clock offset (src/lib/dev-clock.ts).
  const clock = opts.clock ?? appClock(config);
  const ids: Ids = randomIds;
  const log = createLogger({ db, clock, ids, console: env.LOG_CONSOLE !== 'false' }, opts.requestId ?? null);
  const local = config.stripe
    ? null
    : localPayments({
        db,
        clock,
        appUrl: config.appUrl,
        webhookSecret: builtinWebhookSecret(env, config),
        // Local events go through the very handler Stripe's webhooks use.
        dispatch: async (raw, signature) => {
          try {
            await handleStripeWebhook(deps, raw, signature);
          } catch (e) {
            // Like a failed Stripe delivery: the reconciliation job replays it from the event list.
            await log.webhook.error('WEBHOOK_ERROR', 'Local payment event delivery failed', null, { error: e });
          }
        },
      });
  const deps: Deps = {
    config,
    db,
    d1,
    clock,
    ids,
    log,
    queues: { email: env.EMAIL_QUEUE, jobs: env.JOB_QUEUE },
    emailProvider: config.resend
      ? resendProvider({
          apiKey: config.resend.apiKey,
          baseUrl: config.resend.apiBase,
          webhookSecret: config.resend.webhookSecret,
        })
      : outboxProvider({ db, clock, ids }),
    payments: local ?? stripePayments(config.stripe!),
    localPayments: local,
    video: config.daily
      ? dailyVideo(config.daily)
      : p2pVideo({
          secret: config.sessionSecret,
          closeRoom: async (bookingId) => {
            await env.CALL_ROOM.getByName(bookingId).close();
          },
        }),
    ice: config.turnKey ? cloudflareTurn(config.turnKey, config.iceServers) : staticIce(config.iceServers),
    rooms: {
      offer: (offerId) => env.OFFER_ROOM.getByName(offerId),
      calendar: (creatorId) => env.CREATOR_CALENDAR.getByName(creatorId),
      call: (bookingId) => env.CALL_ROOM.getByName(bookingId),
      quota: (address) => env.SOCKET_QUOTA.getByName(address),
    },
    limiters: {
      login: env.LOGIN_LIMITER,
      loginIp: env.LOGIN_IP_LIMITER,
      signup: env.SIGNUP_LIMITER,
      booking: env.BOOKING_LIMITER,
      request: env.REQUEST_LIMITER,
      upload: env.UPLOAD_LIMITER,
      call: env.CALL_LIMITER,
    },
    media: env.MEDIA,
    images: env.IMAGES,
  };
  return deps;
}
