// bench:live — 1,000 WebSocket subscribers on one offer: time from the start of the winning
// booking request to each subscriber receiving the change (several rounds: book, release, book…),
// every round counted, the first one after the sockets connected included. Floor: a trivial HTTP
// round trip, measured in the same run. Memory: the runtime workerd process (Worker + Durable
// Objects + local D1) apart from the dev proxy that relays every socket, with 0, 500 and 1,000
// sockets open and after they closed; then, as a control, a second fresh `wrangler dev` where
// 1,000 sockets are accepted by the Worker itself (no Durable Object: bench/live-entry.mjs), to
// tell the object's share from the transport's. (A fresh one: in the same runtime, the control's
// sockets would reuse the memory the first ones freed — RSS does not shrink back after a close.)
// Subscribers come from many addresses (PER_ADDRESS each, cf-connecting-ip, which wrangler dev
// keeps when the client sets it) and ping like the pages do; before the rounds, one address
// floods the offer with FLOOD more sockets that never ping — the app keeps at most 20 per address
// per object, so the broadcast does not pay for them.
import { loadavg } from 'node:os';
import WebSocket from 'ws';
import { load, machine, percentile, startApp, table } from './lib.mjs';
import { mib, rssOf, workerdRoles } from './proc.mjs';

const SUBS = Number(process.env.SUBSCRIBERS ?? 1000);
const HALF = Math.floor(SUBS / 2);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const PER_ADDRESS = Number(process.env.PER_ADDRESS ?? 10);
const FLOOD = Number(process.env.FLOOD ?? 1000);
/** The address of the i-th subscriber (10.1.x.y, PER_ADDRESS subscribers each). */
const addressOf = (i) => {
  const a = Math.floor(i / PER_ADDRESS);
  return `10.1.${Math.floor(a / 250)}.${(a % 250) + 1}`;
};
const FLOODER = '10.255.255.1';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const load1 = () => loadavg()[0].toFixed(2);

/** Starts the app (the bench entry) and tells its runtime workerd from its dev proxy. */
async function start() {
  const app = await startApp({ fans: 20, offers: 1 }, { entry: 'bench/live-entry.mjs' });
  const roles = workerdRoles(app.pid, Number(new URL(app.base).port));
  if (!roles.runtime || !roles.proxy) {
    await app.stop();
    throw new Error(`could not tell the runtime and the dev proxy apart: ${JSON.stringify(roles)}`);
  }
  return { app, roles };
}

/** RSS (KiB) of the runtime and of the proxy: the median of 5 readings 200 ms apart (one reading jitters by a few MiB). */
async function memory(roles) {
  const r = [];
  const p = [];
  for (let i = 0; i < 5; i++) {
    r.push(rssOf(roles.runtime).rssKiB);
    p.push(rssOf(roles.proxy).rssKiB);
    await sleep(200);
  }
  const med = (xs) => xs.sort((a, b) => a - b)[2];
  return { runtime: med(r), proxy: med(p) };
}

/** Opens `n` more sockets to `url`, 100 at a time, each resolved on its first message; each pings every 25 s like the pages. */
async function connect(subs, n, url) {
  const first = subs.length;
  for (let i = 0; i < n; i += 100) {
    await Promise.all(
      Array.from(
        { length: Math.min(100, n - i) },
        (_, k) =>
          new Promise((resolve, reject) => {
            const ws = new WebSocket(url, { headers: { 'cf-connecting-ip': addressOf(first + i + k) } });
            const s = {
              ws,
              seen: [],
              ping: setInterval(() => ws.readyState === WebSocket.OPEN && ws.send('ping'), 25_000),
            };
            ws.on('message', (data) => {
              if (String(data) === 'pong') return;
              const m = JSON.parse(String(data));
              s.seen.push({ status: m.status, t: performance.now() });
              if (s.seen.length === 1) resolve();
            });
            ws.on('error', reject);
            ws.on('close', () => clearInterval(s.ping));
            subs.push(s);
          }),
      ),
    );
  }
}

/** `n` socket attempts from one address (100 at a time): each counts as accepted (its first message came) or refused (the upgrade's HTTP status). */
async function flood(n, url, kept) {
  const statuses = {};
  const t0 = performance.now();
  for (let i = 0; i < n; i += 100) {
    await Promise.all(
      Array.from(
        { length: Math.min(100, n - i) },
        () =>
          new Promise((resolve) => {
            const ws = new WebSocket(url, { headers: { 'cf-connecting-ip': FLOODER } });
            const done = (code) => {
              statuses[code] = (statuses[code] ?? 0) + 1;
              resolve();
            };
            ws.once('message', () => {
              kept.push(ws);
              done(101);
            });
            ws.on('unexpected-response', (_req, res) => {
              res.resume();
              done(res.statusCode);
            });
            ws.on('error', () => undefined);
          }),
      ),
    );
  }
  return { statuses, ms: performance.now() - t0 };
}

const loadAtStart = load1();
const { app, roles } = await start();
const { base, tokens, offerIds } = app;
const offer = offerIds[0];
const subs = [];
const flooded = [];
let flooding;
let floor;
let mem;
let closed;
const all = [];
const steady = [];
const perRound = [];
try {
  await load(100, 10, () => fetch(`${base}/api/health`));
  floor = await load(300, 1, () => fetch(`${base}/api/health`));
  await sleep(2000);
  mem = { 0: await memory(roles) };
  const wsUrl = `${base.replace('http', 'ws')}/api/offers/${offer}/live`;
  await connect(subs, HALF, wsUrl);
  await sleep(2000); // let the connection burst settle
  mem[HALF] = await memory(roles);
  await connect(subs, SUBS - HALF, wsUrl);
  await sleep(2000);
  mem[SUBS] = await memory(roles);
  if (FLOOD) {
    flooding = await flood(FLOOD, wsUrl, flooded);
    await sleep(2000);
  }

  for (let r = 0; r <= ROUNDS; r++) {
    for (const s of subs) s.seen = [];
    const t0 = performance.now();
    const res = await fetch(`${base}/api/offers/${offer}/bookings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[r]}`, 'content-type': 'application/json' },
      body: '{}',
    });
    if (res.status !== 201) throw new Error(`booking failed: ${res.status} ${await res.text()}`);
    const { booking } = await res.json();
    const deadline = Date.now() + 10_000;
    while (subs.some((s) => !s.seen.some((x) => x.status === 'HELD')) && Date.now() < deadline) await sleep(5);
    const lat = subs
      .map((s) => s.seen.find((x) => x.status === 'HELD')?.t)
      .filter(Boolean)
      .map((t) => t - t0)
      .sort((a, b) => a - b);
    all.push(...lat);
    if (r > 0) steady.push(...lat);
    perRound.push({
      round: r === 0 ? '0 (first after connecting)' : r,
      notified: `${lat.length}/${SUBS}`,
      'first ms': +lat[0].toFixed(1),
      'p50 ms': +percentile(lat, 50).toFixed(1),
      'p99 ms': +percentile(lat, 99).toFixed(1),
      'max ms': +lat[lat.length - 1].toFixed(1),
    });
    // Release the hold (the fan cancels) so the next round has an available offer again.
    await fetch(`${base}/api/bookings/${booking.id}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[r]}`, 'content-type': 'application/json' },
      body: '{}',
    });
    while (subs.some((s) => !s.seen.some((x) => x.status === 'AVAILABLE')) && Date.now() < deadline) await sleep(5);
    await sleep(500);
  }
  for (const s of subs) s.ws.close();
  for (const ws of flooded) ws.close();
  await sleep(3000);
  closed = await memory(roles);
} finally {
  for (const s of subs) {
    clearInterval(s.ping);
    s.ws.terminate();
  }
  for (const ws of flooded) ws.terminate();
  await app.stop();
}

// Control: a fresh runtime, the same number of sockets held by the Worker instead of the OfferRoom.
const loadBeforeControl = load1();
const ctl = await start();
const ctlSubs = [];
let control;
try {
  await load(100, 10, () => fetch(`${ctl.app.base}/api/health`));
  await sleep(2000);
  control = { 0: await memory(ctl.roles) };
  await connect(ctlSubs, SUBS, `${ctl.app.base.replace('http', 'ws')}/__bench/ws-worker`);
  await sleep(2000);
  control[SUBS] = await memory(ctl.roles);
} finally {
  for (const s of ctlSubs) {
    clearInterval(s.ping);
    s.ws.terminate();
  }
  await ctl.app.stop();
}

all.sort((a, b) => a - b);
steady.sort((a, b) => a - b);
const f = [...floor.lat].sort((a, b) => a - b);
console.log(
  `\nbench:live — ${new Date().toISOString()} — ${machine()} — load average (1 min) ${loadAtStart} at start, ${loadBeforeControl} before the control\n`,
);
console.log(
  table([
    {
      measure: 'floor: GET /api/health round trip (sequential)',
      n: f.length,
      'p50 ms': +percentile(f, 50).toFixed(1),
      'p99 ms': +percentile(f, 99).toFixed(1),
    },
    {
      measure: `${SUBS} subscribers × ${ROUNDS + 1} rounds (all, round 0 included): booking start → HELD received`,
      n: all.length,
      'p50 ms': +percentile(all, 50).toFixed(1),
      'p99 ms': +percentile(all, 99).toFixed(1),
    },
    {
      measure: `rounds 1–${ROUNDS} only (the same sockets, after a first change)`,
      n: steady.length,
      'p50 ms': +percentile(steady, 50).toFixed(1),
      'p99 ms': +percentile(steady, 99).toFixed(1),
    },
  ]),
);
if (flooding) {
  const codes = Object.entries(flooding.statuses)
    .map(([k, v]) => `${k}×${v}`)
    .join(' ');
  console.log(
    `\nflood: ${FLOOD} more sockets from one address (${FLOODER}) to the same offer, never pinging: ${codes} in ${Math.round(flooding.ms)} ms — ${flooded.length} kept open during the rounds, so each change went to ${SUBS + flooded.length} sockets.`,
  );
}
console.log(
  `subscribers: ${SUBS} from ${Math.ceil(SUBS / PER_ADDRESS)} addresses (${PER_ADDRESS} each), pinging every 25 s.`,
);
console.log('');
console.log(table(perRound));
const per = (kib, n) => (n ? (kib / n).toFixed(1) : '—');
const row = (label, pick) => ({
  process: label,
  'idle MiB': mib(pick(mem[0])),
  [`${HALF} sockets MiB`]: mib(pick(mem[HALF])),
  [`${SUBS} sockets MiB`]: mib(pick(mem[SUBS])),
  [`KiB per socket (0→${SUBS})`]: per(pick(mem[SUBS]) - pick(mem[0]), SUBS),
  [`KiB per socket (${HALF}→${SUBS})`]: per(pick(mem[SUBS]) - pick(mem[HALF]), SUBS - HALF),
  'after closing MiB': mib(pick(closed)),
});
const ctlRow = (label, pick) => ({
  process: label,
  'idle MiB': mib(pick(control[0])),
  [`${SUBS} sockets MiB`]: mib(pick(control[SUBS])),
  [`KiB per socket (0→${SUBS})`]: per(pick(control[SUBS]) - pick(control[0]), SUBS),
});
console.log('');
console.log(
  table([
    row('runtime workerd (Worker, OfferRoom, local D1)', (m) => m.runtime),
    row('dev proxy workerd (relays each socket)', (m) => m.proxy),
  ]),
);
console.log(`\ncontrol — a fresh runtime, ${SUBS} sockets accepted by the Worker itself (no Durable Object):\n`);
console.log(table([ctlRow('runtime workerd', (m) => m.runtime), ctlRow('dev proxy workerd', (m) => m.proxy)]));
const object = per(mem[SUBS].runtime - mem[0].runtime - (control[SUBS].runtime - control[0].runtime), SUBS);
console.log(
  `\nRuntime cost per socket with the OfferRoom minus the control's: ${object} KiB (the object's share: the Worker → object hop and the hibernatable socket).`,
);
console.log(
  "RSS, median of 5 readings 200 ms apart, 2 s after each connection step. The OfferRoom lives in the runtime process with the Worker isolate and local D1: its share is the runtime's growth with sockets.",
);
const p99 = percentile(all, 99);
console.log(
  all.length === SUBS * (ROUNDS + 1) && p99 <= 150
    ? `\nTARGET MET: every subscriber notified every round, p99 ${p99.toFixed(1)} ms ≤ 150 ms (round 0 included).`
    : `\nTARGET MISSED: ${all.length}/${SUBS * (ROUNDS + 1)} notifications, p99 ${p99.toFixed(1)} ms (round 0 included).`,
);
