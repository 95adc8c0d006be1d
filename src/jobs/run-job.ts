/** Runs one job once per tick, recording a cron-run row (status, duration, counts, error). */
import { eq } from 'drizzle-orm';
import { cronRuns } from '../db/schema';
import type { Deps } from '../deps';
import { describeError } from '../lib/logger';
import { JOBS, type JobName } from './registry';

export type RunOutcome = { status: 'SUCCESS'; counts: Record<string, number>; durationMs: number } | { status: 'ERROR'; error: string; durationMs: number } | { status: 'SKIPPED' };

export async function runJob(deps: Deps, job: JobName, tick: Date, trigger: 'CRON' | 'MANUAL' | 'QUEUE', cron: string | null = null): Promise<RunOutcome> {
  const id = deps.ids.next('cron');
  const started = Date.now();
  const inserted = await deps.db.insert(cronRuns).values({
    id, job, cron, scheduledAt: tick, trigger, status: 'RUNNING', startedAt: deps.clock.now(),
  }).onConflictDoNothing().returning({ id: cronRuns.id });
  // The same tick delivered twice (cron retries are at-least-once) runs once.
  if (!inserted.length) return { status: 'SKIPPED' };
  try {
    const counts = await JOBS[job].run(deps, tick);
    const durationMs = Date.now() - started;
    await deps.db.update(cronRuns).set({ status: 'SUCCESS', finishedAt: deps.clock.now(), durationMs, counts }).where(eq(cronRuns.id, id));
    await deps.log.info('CRON_RUN', `${job} done in ${durationMs} ms`, { context: { job, trigger, counts } });
    return { status: 'SUCCESS', counts, durationMs };
  } catch (e) {
    const durationMs = Date.now() - started;
    const error = describeError(e) ?? 'unknown error';
    await deps.db.update(cronRuns).set({ status: 'ERROR', finishedAt: deps.clock.now(), durationMs, error }).where(eq(cronRuns.id, id));
    await deps.log.error('CRON_ERROR', `${job} failed`, { context: { job, trigger }, error: e });
    return { status: 'ERROR', error, durationMs };
  }
}
