/** scheduled(): dispatches a Cron Trigger to the jobs registered for that cron expression. */
import { buildDeps } from '../deps';
import type { Bindings } from '../env';
import { devClockOffset } from '../lib/dev-clock';
import { jobsForCron } from './registry';
import { runJob, type RunOutcome } from './run-job';

export async function runScheduled(
  env: Bindings,
  controller: Pick<ScheduledController, 'cron' | 'scheduledTime'>,
): Promise<Record<string, RunOutcome>> {
  const deps = buildDeps(env);
  // The tick on the app's clock (development and tests may shift it with /dev/clock; 0 elsewhere).
  const tick = new Date(controller.scheduledTime + devClockOffset(deps.config));
  const results: Record<string, RunOutcome> = {};
  // Jobs of one tick are independent: one failing does not stop the others.
  for (const job of jobsForCron(controller.cron)) results[job] = await runJob(deps, job, tick, 'CRON', controller.cron);
  return results;
}
