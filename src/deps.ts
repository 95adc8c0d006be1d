/**
 * buildDeps(env): the one place that decides which providers run (real vs built-in) and wires
 * the domain's dependencies. Domain code receives `Deps` and never reads `env` itself.
 */
import { createDb, type Db } from './db/client';
import type { EmailQueueMessage } from './domain/email/enqueue';
import { readConfig, type Bindings, type Config } from './env';
import { systemClock, type Clock } from './lib/clock';
import { randomIds, type Ids } from './lib/ids';
import { createLogger, type Logger } from './lib/logger';
import { outboxProvider } from './providers/email/outbox';
import type { EmailProvider } from './providers/email/port';

export interface Deps {
  config: Config;
  db: Db;
  clock: Clock;
  ids: Ids;
  log: Logger;
  queues: { email: Queue<EmailQueueMessage> };
  emailProvider: EmailProvider;
  limiters: { login: RateLimit; signup: RateLimit };
  images: R2Bucket;
}

export interface DepsOptions {
  clock?: Clock;
  requestId?: string;
}

export function buildDeps(env: Bindings, opts: DepsOptions = {}): Deps {
  const config = readConfig(env);
  const db: Db = createDb(env.DB);
  const clock = opts.clock ?? systemClock;
  const ids: Ids = randomIds;
  const log = createLogger({ db, clock, ids, console: env.LOG_CONSOLE !== 'false' }, opts.requestId ?? null);
  return {
    config,
    db,
    clock,
    ids,
    log,
    queues: { email: env.EMAIL_QUEUE },
    emailProvider: outboxProvider({ db, clock, ids }),
    limiters: { login: env.LOGIN_LIMITER, signup: env.SIGNUP_LIMITER },
    images: env.IMAGES,
  };
}
