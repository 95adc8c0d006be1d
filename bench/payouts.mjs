// bench:payouts — the payout engine under `wrangler dev`, beside a trivial-route floor from the same
// run: GET /api/creators/me/payouts (eligibility + history) and the hourly payout job paying N
// creators whose payout date has come (one guarded D1 transaction + one provider payout each).
import { createHash } from 'node:crypto';
import { load, machine, mintToken, percentile, startApp, table } from './lib.mjs';
import { memoryLine, sampler } from './proc.mjs';

const CREATORS = Number(process.env.CREATORS ?? 100);
const PER_CREATOR = Number(process.env.PAYMENTS ?? 20);
const app = await startApp({ fans: 1, creatorsCount: CREATORS });
const mem = sampler(app.pid);
const { base, creatorIds } = app;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const stats = (label, lat, wallMs) => {
  const s = [...lat].sort((a, b) => a - b);
  return {
    measure: label,
    n: s.length,
    'p50 ms': +percentile(s, 50).toFixed(1),
    'p99 ms': +percentile(s, 99).toFixed(1),
    'req/s': Math.round((s.length / wallMs) * 1000),
  };
};

try {
  // Released earnings: PER_CREATOR charges per creator, all past their holding period; everyone due now.
  const now = Date.now();
  const rows = [];
  creatorIds.slice(0, CREATORS).forEach((c, i) => {
    for (let k = 0; k < PER_CREATOR; k++) {
      const tx = `charge:bench${i}x${k}`;
      rows.push(
        `('led_bench${i}x${k}a','${tx}','CREATOR_SHARE','creator:${c}','${c}',8500,'EUR',${now - 86_400_000},${now - 10 * 86_400_000})`,
      );
      rows.push(`('led_bench${i}x${k}b','${tx}','CHARGE','fan',NULL,-8500,'EUR',NULL,${now - 10 * 86_400_000})`);
    }
  });
  for (let i = 0; i < rows.length; i += 400)
    app.d1(
      `INSERT INTO ledger_entries (id,tx_id,kind,account,creator_id,amount,currency,available_at,created_at) VALUES ${rows.slice(i, i + 400).join(',')}`,
    );
  const creatorTokens = creatorIds.slice(0, CREATORS).map((_c, i) => {
    const uid = `usr_benchcreator${String(i).padStart(4, '0')}`;
    const { sid, token } = mintToken(uid, Math.floor((now + 86_400_000) / 1000));
    app.d1(
      `INSERT INTO sessions (id,user_id,kind,created_at,last_seen_at,expires_at) VALUES ('${createHash('sha256').update(sid).digest('hex')}','${uid}','BEARER',${now},${now},${now + 86_400_000})`,
    );
    return token;
  });

  await load(100, 10, () => fetch(`${base}/api/health`));
  const floor = await load(300, 1, () => fetch(`${base}/api/health`));
  const page = await load(300, 1, (i) =>
    fetch(`${base}/api/creators/me/payouts`, {
      headers: { authorization: `Bearer ${creatorTokens[i % creatorTokens.length]}` },
    }),
  );
  if (page.statuses.some((s) => s !== 200)) throw new Error(`payouts API answered ${[...new Set(page.statuses)]}`);

  app.d1(`UPDATE creators SET next_payout_at = ${now - 60_000}, payout_schedule = 'DAILY' WHERE id LIKE 'crt_bench%'`);
  await fetch(`${base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('0 * * * *')}`);
  let run = null;
  for (let k = 0; k < 240 && !run; k++) {
    [run] = app.d1(
      `SELECT duration_ms, counts FROM cron_runs WHERE job = 'payouts' AND status IN ('SUCCESS','ERROR') ORDER BY started_at DESC LIMIT 1`,
    );
    if (!run) await sleep(500);
  }
  const paid = app.d1(
    `SELECT count(*) AS n, sum(amount) AS total, sum(CASE WHEN stripe_payout_id IS NOT NULL THEN 1 ELSE 0 END) AS sent FROM payouts`,
  )[0];
  const books = app.d1(`SELECT currency, sum(amount) AS s FROM ledger_entries GROUP BY currency`);
  // Running the job again for the same hour pays nothing more.
  app.d1(`UPDATE creators SET next_payout_at = ${now - 60_000} WHERE id LIKE 'crt_bench%'`);
  await fetch(`${base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('0 * * * *')}`);
  await sleep(3000);
  const again = app.d1(`SELECT count(*) AS n FROM payouts`)[0];

  console.log(`\nbench:payouts — ${new Date().toISOString()} — ${machine()}\n`);
  console.log(
    table([
      stats('floor: GET /api/health (sequential)', floor.lat, floor.wallMs),
      stats('GET /api/creators/me/payouts (sequential)', page.lat, page.wallMs),
    ]),
  );
  const p50 = (r) =>
    percentile(
      [...r.lat].sort((a, b) => a - b),
      50,
    );
  console.log(`\npayouts page p50 / floor p50: ${(p50(page) / p50(floor)).toFixed(2)}×`);
  console.log(
    `payout job: ${CREATORS} creators (${PER_CREATOR} released payments each) paid in ${run?.duration_ms} ms (${run ? (run.duration_ms / CREATORS).toFixed(1) : '?'} ms per creator); counts ${run?.counts}; payouts ${paid.n} (sent ${paid.sent}), total ${paid.total} = expected ${CREATORS * PER_CREATOR * 8500}; ledger sums ${JSON.stringify(books)}; after a second run: ${again.n} payouts.`,
  );
  console.log(memoryLine(mem.stop()));
} finally {
  await app.stop();
}
