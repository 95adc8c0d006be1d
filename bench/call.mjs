// bench:call — the call's server side under `wrangler dev`, beside a trivial-route floor measured in
// the same run: POST /api/bookings/:id/join (access check, room, signed token, call event), the
// built-in call's signalling relay through CallRoom objects (one-way latency, 50 calls at once),
// and the outcome job settling a batch of finished calls.
import WebSocket from 'ws';
import { load, machine, percentile, startApp, table } from './lib.mjs';
import { memoryLine, sampler } from './proc.mjs';

const CALLS = Number(process.env.CALLS ?? 100);
const RELAY_CALLS = Math.min(CALLS, 50);
const MESSAGES = 20;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const stats = (label, lat, wallMs, extra = {}) => {
  const s = [...lat].sort((a, b) => a - b);
  return {
    measure: label,
    n: s.length,
    'p50 ms': +percentile(s, 50).toFixed(1),
    'p99 ms': +percentile(s, 99).toFixed(1),
    ...(wallMs ? { 'req/s': Math.round((s.length / wallMs) * 1000) } : {}),
    ...extra,
  };
};

const app = await startApp({ fans: CALLS, calls: CALLS, callStartsInMs: 2 * 60_000 });
const mem = sampler(app.pid);
const { base, tokens, creatorTokens, bookingIds } = app;
const fanToken = (i) => tokens[i % tokens.length];
const creatorToken = (i) => creatorTokens[i % creatorTokens.length];
const join = (i, who) =>
  fetch(`${base}/api/bookings/${bookingIds[i % CALLS]}/join`, {
    method: 'POST',
    headers: { authorization: `Bearer ${who === 'fan' ? fanToken(i % CALLS) : creatorToken(i % CALLS)}` },
  });

try {
  await load(100, 10, () => fetch(`${base}/api/health`));
  // Every call's room once (first joins create the booking's room), then the measured joins.
  const first = await load(CALLS, 10, (i) => join(i, 'fan'));
  if (first.statuses.some((s) => s !== 200)) throw new Error(`first joins: ${[...new Set(first.statuses)]}`);

  const floorSeq = await load(300, 1, () => fetch(`${base}/api/health`));
  const joinSeq = await load(300, 1, (i) => join(i, i % 2 ? 'creator' : 'fan'));
  const floorConc = await load(1000, 20, () => fetch(`${base}/api/health`));
  const joinConc = await load(1000, 20, (i) => join(i, i % 2 ? 'creator' : 'fan'));
  for (const r of [joinSeq, joinConc])
    if (r.statuses.some((s) => s !== 200)) throw new Error(`join answered ${[...new Set(r.statuses)]}`);

  // Signalling relay: fan → CallRoom → creator, for RELAY_CALLS calls at once.
  const sockets = [];
  const relay = [];
  const open = async (i, who) => {
    const res = await join(i, who);
    const body = await res.json();
    const url = `${base.replace('http', 'ws')}${body.socketUrl}?token=${encodeURIComponent(body.token)}`;
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${who === 'fan' ? fanToken(i) : creatorToken(i)}` },
    });
    sockets.push(ws);
    await new Promise((resolve, reject) => {
      ws.on('message', (d) => {
        if (JSON.parse(String(d)).type === 'welcome') resolve();
      });
      ws.on('error', reject);
    });
    return ws;
  };
  const pairs = [];
  for (let i = 0; i < RELAY_CALLS; i++) pairs.push({ creator: await open(i, 'creator'), fan: await open(i, 'fan') });
  for (const p of pairs)
    p.creator.on('message', (d) => {
      const m = JSON.parse(String(d));
      if (m.type === 'candidate') relay.push(performance.now() - m.candidate.t);
    });
  await sleep(500);
  const t0 = performance.now();
  for (let k = 0; k < MESSAGES; k++) {
    for (const p of pairs)
      p.fan.send(
        JSON.stringify({
          type: 'candidate',
          candidate: {
            t: performance.now(),
            candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 5000 typ host',
            sdpMid: '0',
          },
        }),
      );
    await sleep(20);
  }
  const deadline = Date.now() + 10_000;
  while (relay.length < RELAY_CALLS * MESSAGES && Date.now() < deadline) await sleep(10);
  const relayWall = performance.now() - t0;
  for (const ws of sockets) ws.close();
  await sleep(1000);

  // Outcome job: every call over 10 minutes ago, half of them attended by both.
  const now = Date.now();
  const start = now - 40 * 60_000;
  app.d1(`UPDATE bookings SET starts_at = ${start}, ends_at = ${start + 1_800_000} WHERE id LIKE 'bkg_benchcall%'`);
  app.d1(`DELETE FROM call_events WHERE booking_id LIKE 'bkg_benchcall%'`);
  const events = [];
  bookingIds.forEach((id, i) => {
    if (i % 2) return;
    for (const role of ['FAN', 'CREATOR']) {
      events.push(`('cev_bench${i}${role[0]}j','${id}','PARTICIPANT_JOINED','SERVER','${role}',${start},${now})`);
      events.push(
        `('cev_bench${i}${role[0]}l','${id}','PARTICIPANT_LEFT','SERVER','${role}',${start + 1_800_000},${now})`,
      );
    }
  });
  app.d1(
    `INSERT INTO call_events (id,booking_id,type,source,actor_role,occurred_at,created_at) VALUES ${events.join(',')}`,
  );
  await fetch(`${base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('*/5 * * * *')}`);
  let run = null;
  for (let k = 0; k < 120 && !run; k++) {
    [run] = app.d1(
      `SELECT duration_ms, counts FROM cron_runs WHERE job = 'call-outcomes' AND status = 'SUCCESS' ORDER BY started_at DESC LIMIT 1`,
    );
    if (!run) await sleep(500);
  }
  const outcomes = app.d1(
    `SELECT outcome, status, count(*) AS n FROM bookings WHERE id LIKE 'bkg_benchcall%' GROUP BY outcome, status`,
  );

  console.log(`\nbench:call — ${new Date().toISOString()} — ${machine()}\n`);
  console.log(
    table([
      stats('floor: GET /api/health (sequential)', floorSeq.lat, floorSeq.wallMs),
      stats('POST /api/bookings/:id/join (sequential)', joinSeq.lat, joinSeq.wallMs),
      stats('floor: GET /api/health (20 in flight)', floorConc.lat, floorConc.wallMs),
      stats('POST /api/bookings/:id/join (20 in flight)', joinConc.lat, joinConc.wallMs),
      stats(`signalling relay fan → CallRoom → creator, one way (${RELAY_CALLS} calls at once)`, relay, null, {
        delivered: `${relay.length}/${RELAY_CALLS * MESSAGES}`,
        'wall ms': Math.round(relayWall),
      }),
    ]),
  );
  const ratio = (a, b) =>
    `${
      Math.round(
        (percentile(
          [...a.lat].sort((x, y) => x - y),
          50,
        ) /
          percentile(
            [...b.lat].sort((x, y) => x - y),
            50,
          )) *
          100,
      ) / 100
    }×`;
  console.log(
    `\njoin p50 / floor p50: ${ratio(joinSeq, floorSeq)} sequential, ${ratio(joinConc, floorConc)} with 20 in flight; join throughput ${Math.round((joinConc.lat.length / joinConc.wallMs) * 1000)} req/s vs floor ${Math.round((floorConc.lat.length / floorConc.wallMs) * 1000)} req/s.`,
  );
  console.log(
    `outcome job: ${CALLS} finished calls settled in ${run?.duration_ms} ms (${run ? (run.duration_ms / CALLS).toFixed(1) : '?'} ms per call); counts ${run?.counts}; bookings now ${JSON.stringify(outcomes)}`,
  );
  console.log(memoryLine(mem.stop()));
} finally {
  await app.stop();
}
