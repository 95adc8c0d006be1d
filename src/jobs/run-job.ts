/**
 * Runs one job once per tick, recording a cron-run row (status, duration, counts, error); and one
 * fanned-out chunk of a job (trigger QUEUE) with its own row (same job and tick, part 1…).
 *
 * Runs of one job never overlap: while a run of the job is RUNNING, another tick is recorded as
 * SKIPPED. A RUNNING row older than KILLED_AFTER_MS belongs to an invocation that was killed (the
 * runtime's limit, a deploy) and never wrote its end: it is marked ERROR, so it blocks nothing.
 */
import { and, eq, lt, ne } from 'drizzle-orm';
import { cronRuns } from '../db/schema';
import { one } from '../db/one';
import type { Deps } from '../deps';
import { describeError } from '../lib/logger';
import { JOBS, type JobName } from './registry';

export type Trigger = 'CRON' | 'MANUAL' | 'QUEUE';
export type RunOutcome =
  | { status: 'SUCCESS'; counts: Record<string, number>; durationMs: number }
  | { status: 'ERROR'; error: string; durationMs: number }
  | { status: 'SKIPPED'; reason: 'DUPLICATE_TICK' | 'STILL_RUNNING' };

/** A scheduled invocation cannot outlive this (Workers: 15 min of wall time for a cron event). */
export const KILLED_AFTER_MS = 15 * 60_000;
export const KILLED_ERROR = 'killed: the run never recorded its end (invocation stopped)';

/** Marks RUNNING rows older than KILLED_AFTER_MS as ERROR; returns how many. */
export async function reapKilledRuns(deps: Deps): Promise<number> {
  const now = deps.clock.now();
  const killed = await deps.db
    .update(cronRuns)
    .set({ status: 'ERROR', finishedAt: now, error: KILLED_ERROR })
    .where(and(eq(cronRuns.status, 'RUNNING'), lt(cronRuns.startedAt, new Date(now.getTime() - KILLED_AFTER_MS))))
    .returning({ id: cronRuns.id, job: cronRuns.job, part: cronRuns.part, scheduledAt: cronRuns.scheduledAt });
  for (const k of killed) {
    await deps.log.cron.error(
      'CRON_ERROR',
      `${k.job} run of ${k.scheduledAt.toISOString()} was killed before it finished`,
      { job: k.job, tick: k.scheduledAt.getTime(), part: k.part },
    );
  }
  return killed.length;
}

export async function runJob(
  deps: Deps,
  job: JobName,
  tick: Date,
  trigger: 'CRON' | 'MANUAL',
  cron: string | null = null,
): Promise<RunOutcome> {
  await reapKilledRuns(deps);
  const id = deps.ids.next('cron');
  const started = Date.now();
  const running = await deps.db
    .select({ id: cronRuns.id })
    .from(cronRuns)
    .where(
      and(eq(cronRuns.job, job), eq(cronRuns.part, 0), eq(cronRuns.status, 'RUNNING'), ne(cronRuns.scheduledAt, tick)),
    )
    .get();
  const inserted = await deps.db
    .insert(cronRuns)
    .values({
      id,
      job,
      cron,
      scheduledAt: tick,
      part: 0,
      trigger,
      status: running ? 'SKIPPED' : 'RUNNING',
      startedAt: deps.clock.now(),
      ...(running
        ? { finishedAt: deps.clock.now(), durationMs: 0, error: `previous run ${running.id} still running` }
        : {}),
    })
    .onConflictDoNothing()
    .returning({ id: cronRuns.id });
  // The same tick delivered twice (cron retries are at-least-once) runs once.
  if (!inserted.length) return { status: 'SKIPPED', reason: 'DUPLICATE_TICK' };
  if (running) {
    await deps.log.cron.warn('CRON_RUN', `${job} skipped: its previous run is still running`, {
      job,
      trigger,
      tick: tick.getTime(),
    });
    return { status: 'SKIPPED', reason: 'STILL_RUNNING' };
  }
  try {
    const counts = await JOBS[job].run(deps, tick, { trigger });
    const durationMs = Date.now() - started;
    await deps.db
      .update(cronRuns)
      .set({ status: 'SUCCESS', finishedAt: deps.clock.now(), durationMs, counts })
      .where(eq(cronRuns.id, id));
    await deps.log.cron.info('CRON_RUN', `${job} done in ${durationMs} ms`, { job, trigger, counts, durationMs });
    return { status: 'SUCCESS', counts, durationMs };
  } catch (e) {
    const durationMs = Date.now() - started;
    const error = describeError(e) ?? 'unknown error';
    await deps.db
      .update(cronRuns)
      .set({ status: 'ERROR', finishedAt: deps.clock.now(), durationMs, error })
      .where(eq(cronRuns.id, id));
    await deps.log.cron.error('CRON_ERROR', `${job} failed`, { job, trigger, durationMs }, { error: e });
    return { status: 'ERROR', error, durationMs };
  }
}

/**
 * One chunk a job fanned out through the jobs queue: its own cron-run row (trigger QUEUE, part ≥ 1)
 * with counts or the error. A redelivered chunk (queue retry) reuses its row: the last attempt wins.
 * Throws what `work` throws, after recording it, so the queue retries the chunk.
 */
export async function runJobChunk(
  deps: Deps,
  job: JobName,
  tick: Date,
  part: number,
  work: () => Promise<Record<string, number>>,
): Promise<Record<string, number>> {
  const started = Date.now();
  const now = deps.clock.now();
  const row = one(
    await deps.db
      .insert(cronRuns)
      .values({
        id: deps.ids.next('cron'),
        job,
        cron: null,
        scheduledAt: tick,
        part,
        trigger: 'QUEUE',
        status: 'RUNNING',
        startedAt: now,
      })
      .onConflictDoUpdate({
        target: [cronRuns.job, cronRuns.scheduledAt, cronRuns.part],
        set: { status: 'RUNNING', startedAt: now, finishedAt: null, durationMs: null, error: null },
      })
      .returning({ id: cronRuns.id }),
    'the cron run just upserted',
  );
  try {
    const counts = await work();
    const durationMs = Date.now() - started;
    await deps.db
      .update(cronRuns)
      .set({ status: 'SUCCESS', finishedAt: deps.clock.now(), durationMs, counts })
      .where(eq(cronRuns.id, row.id));
    await deps.log.cron.info('CRON_RUN', `${job} chunk ${part} done in ${durationMs} ms`, {
      job,
      trigger: 'QUEUE',
      tick: tick.getTime(),
      part,
      counts,
      durationMs,
    });
    return counts;
  } catch (e) {
    const durationMs = Date.now() - started;
    await deps.db
      .update(cronRuns)
      .set({ status: 'ERROR', finishedAt: deps.clock.now(), durationMs, error: describeError(e) ?? 'unknown error' })
      .where(eq(cronRuns.id, row.id));
    await deps.log.cron.error(
      'CRON_ERROR',
      `${job} chunk ${part} failed; the queue retries it`,
      { job, trigger: 'QUEUE', tick: tick.getTime(), part, durationMs },
      { error: e },
    );
    throw e;
  }
}
