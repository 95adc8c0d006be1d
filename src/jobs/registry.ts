/**
 * Every scheduled job, the crons that trigger it, and the domain function that does its work (job
 * bodies live in src/domain/<area>/, never here). Each job is idempotent per tick.
 */
import type { Deps } from '../deps';
import { cleanUpSessions } from '../domain/accounts/cleanup';
import { applyLogRetention } from '../domain/admin/log-retention';
import { settleCallOutcomes } from '../domain/calls/outcome';
import { runPayouts } from '../domain/payouts/job';
import { reminderJob } from '../domain/notifications/reminders';
import { sendDailySummary } from '../domain/admin/summary';
import { requeueStalePendingEmails } from '../domain/email/enqueue';
import { bookingSweep } from '../domain/booking/sweep';
import { cleanUpVideoRooms } from '../domain/calls/room-cleanup';
import { reconcilePayments } from '../domain/payments/reconciliation';
import { retryOwedRefunds } from '../domain/payments/refund-retry';

export const CRON = {
  every5min: '*/5 * * * *',
  hourly: '0 * * * *',
  daily: '0 2 * * *',
} as const;

export interface JobContext {
  /** CRON for a Cron Trigger, MANUAL for an admin's "run now". */
  trigger: 'CRON' | 'MANUAL';
}

export interface JobDefinition {
  crons: string[];
  description: string;
  run(deps: Deps, tick: Date, ctx: JobContext): Promise<Record<string, number>>;
}

const jobs = {
  reminders: {
    crons: [CRON.every5min],
    description:
      'Remind both people 24 h, 1 h and 15 min before each call (exact windows, once each; large batches fan out through the jobs queue)',
    run: (deps, tick) => reminderJob(deps, tick),
  },
  'email-sweep': {
    crons: [CRON.every5min],
    description:
      'Queue again the emails whose queue message was lost (still pending, never attempted, 10 minutes after they were recorded)',
    run: (deps) => requeueStalePendingEmails(deps),
  },
  'booking-sweep': {
    crons: [CRON.every5min],
    description: 'Release unpaid holds the alarm missed, expire offers that started unbooked and unanswered requests',
    run: (deps) => bookingSweep(deps),
  },
  // Outcomes before cleanup: Daily's meeting records are read while the room still exists.
  'call-outcomes': {
    crons: [CRON.every5min],
    description:
      'After each call window: decide attendance (completed / no-show) once and apply it (completion, no-show refund)',
    run: (deps) => settleCallOutcomes(deps),
  },
  'video-room-cleanup': {
    crons: [CRON.every5min],
    description: 'Delete the video rooms of finished, cancelled or expired bookings',
    run: (deps) => cleanUpVideoRooms(deps),
  },
  payouts: {
    crons: [CRON.hourly],
    description:
      'Pay creators whose payout date has come (per schedule, once per slot, debt deducted first), send approved payouts, recover due debt, check payouts long in transit',
    run: (deps, tick) => runPayouts(deps, tick),
  },
  'refund-retry': {
    crons: [CRON.every5min],
    description:
      'Ask the provider again for the refunds the app owes (same idempotency key, backing off to 6 h); make prepared refunds of completed cancellations due',
    run: (deps) => retryOwedRefunds(deps),
  },
  'payment-reconciliation': {
    crons: [CRON.hourly],
    description: 'Replay payment events the webhook missed (provider event list, last 3 days)',
    run: (deps) => reconcilePayments(deps),
  },
  'log-retention': {
    crons: [CRON.daily],
    description: 'Delete INFO logs after 30 days, WARNING after 60, ERROR after 90; CRITICAL kept',
    run: (deps) => applyLogRetention(deps),
  },
  'admin-summary': {
    crons: [CRON.daily],
    description:
      'Email admins the last 24 hours: bookings, calls, revenue, refunds, disputes, payouts, failed emails and jobs (once a day; "run now" sends a fresh copy)',
    run: (deps, tick, ctx) => sendDailySummary(deps, tick, { manual: ctx.trigger === 'MANUAL' }),
  },
  'session-cleanup': {
    crons: [CRON.daily],
    description: 'Delete expired sessions and spent email tokens',
    run: (deps) => cleanUpSessions(deps),
  },
} satisfies Record<string, JobDefinition>;

export type JobName = keyof typeof jobs;
export const JOBS: Record<JobName, JobDefinition> = jobs;
export const JOB_NAMES = Object.keys(JOBS) as JobName[];

export function jobsForCron(cron: string): JobName[] {
  return JOB_NAMES.filter((name) => (JOBS[name].crons as string[]).includes(cron));
}
