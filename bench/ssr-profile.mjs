// What a server-rendered page costs, request by request (sequential, no contention): D1 calls and
// time waiting for them (Server-Timing from the instrumented entry bench/instrument.mjs), and CPU of
// the local runtime per request (/proc). Same fixtures as bench:ssr. Run: node bench/ssr-profile.mjs
import { load, machine, percentile, startApp, table } from './lib.mjs';
import { mib, sampler } from './proc.mjs';
import { seedCreatorPage } from './ssr-fixtures.mjs';

const N = Number(process.env.N ?? 300);
const app = await startApp({ fans: 50, creatorsCount: 100, offers: 100 }, { entry: 'bench/instrument.mjs' });
const { base } = app;

try {
  seedCreatorPage(app, { offers: 20, reviews: 50 });
  const routes = [
    ['floor: GET /api/health', '/api/health'],
    ['entry only, no app, no D1 (/__bench/d1?n=0)', '/__bench/d1?n=0'],
    ['entry only, 10 × SELECT 1 in sequence (/__bench/d1?n=10)', '/__bench/d1?n=10'],
    ['entry only, 10 × SELECT 1 in one db.batch (/__bench/d1?n=10&batch)', '/__bench/d1?n=10&batch'],
    ['landing /en/ (no data)', '/en/'],
    ['**creator page, 20 offers + 50 reviews**', '/en/c/bench-creator-0'],
    ['creator page, 1 offer, no reviews', '/en/c/bench-creator-5'],
    ['all reviews /en/c/bench-creator-0/reviews (20 shown)', '/en/c/bench-creator-0/reviews'],
    ['directory /en/creators (12 of 100)', '/en/creators'],
  ];
  const mem = sampler(app.pid);
  for (const [, path] of routes) await load(50, 1, () => fetch(base + path));
  const rows = [];
  for (const [label, path] of routes) {
    const timings = [];
    let bytes = 0;
    const cpu0 = mem.cpu();
    const r = await load(N, 1, async () => {
      const res = await fetch(base + path);
      const st = res.headers.get('server-timing') ?? '';
      const d1 = /d1;desc="(\d+)\/(\d+)";dur=(\d+)/.exec(st);
      timings.push({
        calls: Number(d1?.[1] ?? NaN),
        statements: Number(d1?.[2] ?? NaN),
        d1: Number(d1?.[3] ?? NaN),
        app: Number(/app;dur=(\d+)/.exec(st)?.[1] ?? NaN),
      });
      bytes = Number(res.headers.get('content-length') ?? 0) || bytes;
      return res;
    });
    const cpu = mem.cpuSince(cpu0);
    if (r.statuses.some((s) => s !== 200)) throw new Error(`${path} answered ${[...new Set(r.statuses)]}`);
    const s = [...r.lat].sort((a, b) => a - b);
    const med = (k) =>
      percentile(
        timings.map((t) => t[k]).sort((a, b) => a - b),
        50,
      );
    rows.push({
      measure: label,
      n: N,
      'p50 ms': s.length ? +percentile(s, 50).toFixed(1) : '',
      'p99 ms': +percentile(s, 99).toFixed(1),
      'D1 calls (statements)': Number.isNaN(med('calls')) ? '—' : `${med('calls')} (${med('statements')})`,
      'D1 wait ms p50 (sum)': Number.isNaN(med('d1')) ? '—' : med('d1'),
      'in-Worker I/O wait ms p50': Number.isNaN(med('app')) ? '—' : med('app'),
      'workerd CPU ms/req': (cpu.workerd / N).toFixed(2),
      'all CPU ms/req': (cpu.all / N).toFixed(2),
    });
  }
  const m = mem.stop();
  const detail = [];
  for (const [label, path] of routes.filter(([, p]) => !p.startsWith('/__bench'))) {
    const res = await fetch(base + path);
    await res.arrayBuffer();
    detail.push(
      `${label}:\n  ${
        decodeURIComponent(res.headers.get('x-bench-d1') ?? '')
          .split(' | ')
          .filter(Boolean)
          .join('\n  ') || '(no D1)'
      }`,
    );
  }
  console.log(`\nbench:ssr profile — ${new Date().toISOString()} — ${machine()} — sequential, 1 request in flight\n`);
  console.log(table(rows));
  console.log(
    `\nD1 calls of one request each (wait ms @ start offset from the request start, SQL):\n${detail.join('\n')}`,
  );
  console.log(
    `\nworkerd = dev proxy + runtime (D1 runs as a local object inside the runtime process); all = + wrangler (Node). RSS peak ${mib(m.peakAllKiB)} MiB.`,
  );
} finally {
  await app.stop();
}
