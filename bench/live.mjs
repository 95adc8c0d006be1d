// bench:live — 1,000 WebSocket subscribers on one offer: time from the start of the winning
// booking request to each subscriber receiving the change (several rounds: book, release, book…).
// Floor: a trivial HTTP round trip, measured in the same run.
import WebSocket from 'ws';
import { load, machine, percentile, startApp, table } from './lib.mjs';

const SUBS = Number(process.env.SUBSCRIBERS ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const app = await startApp({ fans: 20, offers: 1 });
const { base, tokens, offerIds } = app;
const offer = offerIds[0];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

try {
  await load(100, 10, () => fetch(`${base}/api/health`));
  const floor = await load(300, 1, () => fetch(`${base}/api/health`));
  const rssBefore = app.workerdRssKiB();

  const subs = [];
  const wsUrl = `${base.replace('http', 'ws')}/api/offers/${offer}/live`;
  for (let i = 0; i < SUBS; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, SUBS - i) }, () => new Promise((resolve, reject) => {
      const ws = new WebSocket(wsUrl);
      const s = { ws, seen: [] };
      ws.on('message', (data) => {
        const m = JSON.parse(String(data));
        s.seen.push({ status: m.status, t: performance.now() });
        if (s.seen.length === 1) resolve();
      });
      ws.on('error', reject);
      subs.push(s);
    })));
  }
  await sleep(2000); // let the connection burst settle
  const rssConnected = app.workerdRssKiB();

  const all = [];
  const perRound = [];
  // Round 0 warms the booking path (JIT, first settings read); it is reported but not counted.
  for (let r = 0; r <= ROUNDS; r++) {
    for (const s of subs) s.seen = [];
    const t0 = performance.now();
    const res = await fetch(`${base}/api/offers/${offer}/bookings`, { method: 'POST', headers: { authorization: `Bearer ${tokens[r]}` } });
    if (res.status !== 201) throw new Error(`round ${r}: booking answered ${res.status}`);
    const { booking } = await res.json();
    const deadline = Date.now() + 10_000;
    while (subs.some((s) => !s.seen.some((x) => x.status === 'HELD')) && Date.now() < deadline) await sleep(5);
    const lat = subs.map((s) => s.seen.find((x) => x.status === 'HELD')?.t).filter(Boolean).map((t) => t - t0).sort((a, b) => a - b);
    if (r > 0) all.push(...lat);
    perRound.push({ round: r === 0 ? '0 (warm-up)' : r, notified: `${lat.length}/${SUBS}`, 'first ms': +lat[0].toFixed(1), 'p50 ms': +percentile(lat, 50).toFixed(1), 'p99 ms': +percentile(lat, 99).toFixed(1) });
    // Release the hold (the fan cancels) so the next round has an available offer again.
    await fetch(`${base}/api/bookings/${booking.id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${tokens[r]}`, 'content-type': 'application/json' }, body: '{}' });
    while (subs.some((s) => !s.seen.some((x) => x.status === 'AVAILABLE')) && Date.now() < deadline) await sleep(5);
    await sleep(500);
  }
  all.sort((a, b) => a - b);
  const f = [...floor.lat].sort((a, b) => a - b);
  console.log(`\nbench:live — ${new Date().toISOString()} — ${machine()}\n`);
  console.log(table([
    { measure: 'floor: GET /api/health round trip (sequential)', n: f.length, 'p50 ms': +percentile(f, 50).toFixed(1), 'p99 ms': +percentile(f, 99).toFixed(1) },
    { measure: `${SUBS} subscribers × ${ROUNDS} rounds: booking start → HELD received`, n: all.length, 'p50 ms': +percentile(all, 50).toFixed(1), 'p99 ms': +percentile(all, 99).toFixed(1) },
  ]));
  console.log('');
  console.log(table(perRound));
  console.log(`\nworkerd RSS (dev proxy + runtime): ${Math.round(rssBefore / 1024)} MiB idle → ${Math.round(rssConnected / 1024)} MiB with ${SUBS} sockets (+${((rssConnected - rssBefore) / SUBS).toFixed(0)} KiB per socket).`);
  const p99 = percentile(all, 99);
  console.log(all.length === SUBS * ROUNDS && p99 <= 150 ? `\nTARGET MET: every subscriber notified every round, p99 ${p99.toFixed(1)} ms ≤ 150 ms.` : `\nTARGET MISSED: ${all.length}/${SUBS * ROUNDS} notifications, p99 ${p99.toFixed(1)} ms.`);
  for (const s of subs) s.ws.close();
} finally {
  await app.stop();
}
