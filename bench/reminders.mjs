// bench:reminders — the reminder pipeline under `wrangler dev`: N confirmed calls all due for their
// 1-hour reminder in one window → one cron tick → chunks fanned out through the jobs queue → 2N
// emails through the email queue into the outbox. Reports wall times, invocations (cron, job
// chunks, email batches), throughput and the exactly-once check, beside a trivial-route floor.
import { load, machine, percentile, startApp, table } from './lib.mjs';

const N = Number(process.env.BOOKINGS ?? 10_000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const t0 = performance.now();
const app = await startApp({ fans: N, calls: N, callStartsInMs: 50 * 60_000, callConfirmedAgoMs: 2 * 86_400_000 });
const setupMs = performance.now() - t0;
const { base } = app;
const one = (sql) => app.d1(sql)[0];

try {
  await load(100, 10, () => fetch(`${base}/api/health`));
  const floor = await load(300, 1, () => fetch(`${base}/api/health`));
  const rssBefore = app.workerdRssKiB();
  let peakRss = rssBefore;
  const start = performance.now();
  await fetch(`${base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('*/5 * * * *')}`);
  const cronMs = performance.now() - start;
  let enqueuedAt = null;
  let sentAt = null;
  let last = { rows: 0, sent: 0 };
  const deadline = Date.now() + 30 * 60_000;
  while (Date.now() < deadline) {
    const r = one(
      `SELECT count(*) AS rows, sum(CASE WHEN status = 'SENT' THEN 1 ELSE 0 END) AS sent FROM email_log WHERE template = 'booking_reminder'`,
    );
    last = { rows: r.rows, sent: r.sent ?? 0 };
    peakRss = Math.max(peakRss, app.workerdRssKiB());
    if (!enqueuedAt && last.rows >= 2 * N) enqueuedAt = performance.now();
    if (last.sent >= 2 * N) {
      sentAt = performance.now();
      break;
    }
    await sleep(2000);
  }
  const claims = one(
    `SELECT count(*) AS n, count(DISTINCT booking_id || user_id) AS distinct_pairs FROM booking_reminders`,
  );
  const outbox = one(
    `SELECT count(*) AS n, count(DISTINCT idempotency_key) AS keys FROM dev_outbox WHERE subject LIKE '%Reminder%' OR subject LIKE '%Rappel%'`,
  );
  // Each chunk has its own cron-run row (trigger QUEUE, part ≥ 1); the tick's own run is part 0.
  const chunks = one(
    `SELECT count(*) AS n, sum(CASE WHEN status = 'SUCCESS' THEN 1 ELSE 0 END) AS ok, max(duration_ms) AS slowest FROM cron_runs WHERE job = 'reminders' AND part > 0`,
  );
  const cron = one(
    `SELECT duration_ms, counts FROM cron_runs WHERE job = 'reminders' AND part = 0 ORDER BY started_at DESC LIMIT 1`,
  );
  // The next tick, 5 minutes later: nothing left is due (claimed reminders are excluded), nothing fans out.
  await fetch(
    `${base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('*/5 * * * *')}&time=${Date.now() + 5 * 60_000}`,
  );
  const next = one(
    `SELECT counts FROM cron_runs WHERE job = 'reminders' AND part = 0 ORDER BY scheduled_at DESC LIMIT 1`,
  );
  const f = [...floor.lat].sort((a, b) => a - b);
  console.log(`\nbench:reminders — ${new Date().toISOString()} — ${machine()}\n`);
  console.log(
    table([
      {
        measure: 'floor: GET /api/health (sequential)',
        value: `p50 ${percentile(f, 50).toFixed(1)} ms, p99 ${percentile(f, 99).toFixed(1)} ms`,
      },
      { measure: 'bookings due (1 h reminder window)', value: N },
      {
        measure: 'cron tick (reminders job: list due, fan out)',
        value: `${Math.round(cronMs)} ms wall; job ${cron?.duration_ms} ms, counts ${cron?.counts}`,
      },
      {
        measure: 'job chunks consumed (jobs queue invocations, one cron_runs row each)',
        value: `${chunks.n} (${chunks.ok} SUCCESS, slowest ${chunks.slowest} ms)`,
      },
      { measure: 'next tick (5 min later): counts', value: next?.counts },
      {
        measure: `all ${2 * N} reminder emails queued`,
        value: enqueuedAt ? `${((enqueuedAt - start) / 1000).toFixed(1)} s` : `not reached (${last.rows})`,
      },
      {
        measure: `all ${2 * N} reminder emails sent (outbox)`,
        value: sentAt
          ? `${((sentAt - start) / 1000).toFixed(1)} s → ${Math.round((2 * N) / ((sentAt - start) / 1000))} emails/s`
          : `not reached (${last.sent})`,
      },
      {
        measure: 'exactly once: reminder claims / distinct (booking, person)',
        value: `${claims.n} / ${claims.distinct_pairs}`,
      },
      { measure: 'exactly once: outbox emails / distinct idempotency keys', value: `${outbox.n} / ${outbox.keys}` },
      {
        measure: 'workerd RSS (dev proxy + runtime)',
        value: `${Math.round(rssBefore / 1024)} MiB idle → peak ${Math.round(peakRss / 1024)} MiB`,
      },
      { measure: 'fixture setup (migrate + seed SQL + start)', value: `${(setupMs / 1000).toFixed(1)} s` },
    ]),
  );
} finally {
  await app.stop();
}
