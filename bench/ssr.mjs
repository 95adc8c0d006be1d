// bench:ssr — server-rendered pages under sustained load (`wrangler dev`), beside a trivial-route
// floor from the same run: the creator page (20 upcoming offers, 50 visible reviews) and the
// directory (100 creators), with 10 and 50 keep-alive connections (autocannon), each for DURATION
// seconds, interleaved floor → creator → directory per connection count, after a warm-up.
// Also: peak RSS of the local runtime (wrangler + workerd processes, from /proc) and its CPU time
// per request in each phase.
import autocannon from 'autocannon';
import { loadavg } from 'node:os';
import { machine, startApp, table } from './lib.mjs';
import { mib, sampler } from './proc.mjs';
import { seedCreatorPage } from './ssr-fixtures.mjs';

const DURATION = Number(process.env.DURATION ?? 10);
const CONNECTIONS = (process.env.CONNECTIONS ?? '10,50').split(',').map(Number);
const CREATORS = 100;
const OFFERS = 20;
const REVIEWS = 50;

// PAGE_CACHE_SECONDS=15: anonymous public pages micro-cached as in staging/production (0 = rendered every time).
const PAGE_CACHE = Number(process.env.PAGE_CACHE_SECONDS ?? 0);
const app = await startApp(
  { fans: REVIEWS, creatorsCount: CREATORS, offers: CREATORS },
  { snapshot: true, devArgs: ['--var', `PAGE_CACHE_SECONDS:${PAGE_CACHE}`] },
);
const { base } = app;
const slug = 'bench-creator-0';

try {
  seedCreatorPage(app, { offers: OFFERS, reviews: REVIEWS });

  const routes = [
    { key: 'floor', label: 'floor: GET /api/health', path: '/api/health' },
    { key: 'creator', label: `**creator page GET /en/c/${slug}**`, path: `/en/c/${slug}` },
    { key: 'directory', label: 'directory GET /en/creators', path: '/en/creators' },
  ];

  // What the pages really render, checked before loading them.
  const creatorHtml = await (await fetch(`${base}/en/c/${slug}`)).text();
  const offerRows = (creatorHtml.match(/class="offer-row /g) ?? []).length;
  const reviewItems = (creatorHtml.match(/<li class="review[ "]/g) ?? []).length;
  const allReviewsLink = creatorHtml.includes(`/en/c/${slug}/reviews`);
  const ratingShown = /\((\d+)\)<\/span><\/span>/.exec(creatorHtml)?.[1];
  const dirRes = await fetch(`${base}/en/creators`);
  const dirHtml = await dirRes.text();
  const cards = (dirHtml.match(/class="card creator-card"/g) ?? []).length;
  const dirTotal = /(\d+) creators/.exec(dirHtml)?.[1];
  const dirPages = /Page 1 of (\d+)|1 \/ (\d+)/.exec(dirHtml);
  if (offerRows !== OFFERS) throw new Error(`creator page renders ${offerRows} offers, expected ${OFFERS}`);
  if (!reviewItems || Number(ratingShown) !== REVIEWS)
    throw new Error(`creator page renders ${reviewItems} reviews, rating count ${ratingShown}`);
  if (!cards || Number(dirTotal) !== CREATORS) throw new Error(`directory renders ${cards} cards of ${dirTotal}`);

  const mem = sampler(app.pid);

  const run = async (route, connections, duration) => {
    const cpu0 = mem.cpu();
    const t0 = performance.now();
    const r = await autocannon({ url: base + route.path, connections, duration, pipelining: 1, timeout: 30 });
    const wallMs = performance.now() - t0;
    const cpu = mem.cpuSince(cpu0);
    if (cpu.restarted) console.warn(`warning: a runtime process exited during ${route.path} × ${connections}`);
    return {
      n: r.requests.total,
      rps: Math.round((r.requests.total / wallMs) * 1000),
      p50: r.latency.p50,
      p99: r.latency.p99,
      max: r.latency.max,
      load: loadavg()[0].toFixed(1),
      non2xx: r.non2xx,
      errors: r.errors + r.timeouts,
      bytes: Math.round(r.throughput.total / Math.max(1, r.requests.total)),
      workerdCpuPerReq: cpu.workerd / Math.max(1, r.requests.total),
      workerdCpuShare: cpu.workerd / wallMs,
      allCpuShare: cpu.all / wallMs,
    };
  };

  // Warm-up: every route, 3 s at 10 connections.
  for (const route of routes) await run(route, 10, 3);

  const results = [];
  for (const connections of CONNECTIONS) {
    const floor = await run(routes[0], connections, DURATION);
    results.push({ connections, route: routes[0], r: floor, floor });
    for (const route of routes.slice(1))
      results.push({ connections, route, r: await run(route, connections, DURATION), floor });
  }
  const memory = mem.stop();

  console.log(
    `\nbench:ssr — ${new Date().toISOString()} — ${machine()}${PAGE_CACHE ? ` — page cache ${PAGE_CACHE} s (anonymous pages served from the Cache API)` : ' — page cache off (every page rendered)'}\n`,
  );
  console.log(
    `creator page: ${offerRows} upcoming offers rendered, ${reviewItems} latest reviews rendered of ${ratingShown} (link to all reviews: ${allReviewsLink ? 'yes' : 'no'}), ${Math.round(creatorHtml.length / 1024)} KiB HTML`,
  );
  console.log(
    `directory: first page renders ${cards} creator cards of ${dirTotal} (${dirPages ? `${dirPages[1] ?? dirPages[2]} pages` : 'pages ?'}), ${Math.round(dirHtml.length / 1024)} KiB HTML`,
  );
  console.log(`each measure: ${DURATION} s of autocannon, keep-alive, pipelining 1, after a 3 s warm-up per route\n`);
  const rows = results.map(({ connections, route, r, floor }) => {
    const isFloor = route.key === 'floor';
    const share = r.rps / floor.rps;
    const p99x = r.p99 / floor.p99;
    const verdict =
      route.key === 'creator'
        ? share >= 0.5 && p99x <= 2
          ? 'PASS'
          : 'FAIL'
        : route.key === 'directory'
          ? `(${share >= 0.5 && p99x <= 2 ? 'within' : 'outside'} the creator-page target)`
          : '';
    return {
      conns: connections,
      measure: route.label,
      n: r.n,
      'req/s': r.rps,
      'p50 ms': r.p50,
      'p99 ms': r.p99,
      'max ms': r.max,
      'non-2xx': r.non2xx + (r.errors ? ` (+${r.errors} errors)` : ''),
      'body B': r.bytes,
      'load 1m': r.load,
      'workerd CPU ms/req': r.workerdCpuPerReq.toFixed(2),
      'workerd cores': r.workerdCpuShare.toFixed(2),
      'vs floor': isFloor ? '' : `${Math.round(share * 100)} % req/s, p99 ×${p99x.toFixed(2)}`,
      target: verdict,
    };
  });
  console.log(table(rows));
  console.log(
    `\ntarget (creator page): ≥ 50 % of the floor's req/s and p99 ≤ 2× the floor's p99, at each connection count`,
  );
  console.log(
    `memory: wrangler + workerd RSS ${mib(memory.idle.all)} MiB at start → peak ${mib(memory.peakAllKiB)} MiB (workerd only ${mib(memory.idle.workerd)} → ${mib(memory.peakWorkerdKiB)} MiB, sampled every 250 ms)`,
  );
  console.log(`peak per process (VmHWM): ${memory.processes.map((p) => `${p.comm} ${mib(p.hwmKiB)} MiB`).join(', ')}`);
  console.log(
    `load generator (autocannon) runs in this Node process on the same ${machine().split(' ')[0]} cores; 'load 1m' = the machine's 1-minute load average at the end of each measure (other work on the machine shows there).`,
  );
  if (results.some(({ r }) => r.non2xx || r.errors)) process.exitCode = 1;
} finally {
  await app.stop();
}
