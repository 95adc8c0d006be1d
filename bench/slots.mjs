// bench:slots — a month of free slots for a creator with 200 existing bookings, under `wrangler dev`,
// beside a trivial-route floor from the same run: GET /api/creators/:slug/slots (hours + exceptions +
// taken times read from D1, then the slot engine). Also the engine alone (pure function, in Node)
// on the same input, to show how much of the request is computation.
import { build } from 'esbuild';
import { join } from 'node:path';
import { load, machine, percentile, root, startApp, table } from './lib.mjs';
import { memoryLine, sampler } from './proc.mjs';

const BOOKINGS = Number(process.env.BOOKINGS ?? 200);
const DAY = 86_400_000;
const app = await startApp({ fans: 1, creatorsCount: 1 });
const mem = sampler(app.pid);
const { base } = app;
const creator = 'crt_benchcreator0000';
const stats = (label, lat, wallMs) => {
  const s = [...lat].sort((a, b) => a - b);
  return {
    measure: label,
    n: s.length,
    'p50 ms': +percentile(s, 50).toFixed(2),
    'p99 ms': +percentile(s, 99).toFixed(2),
    'req/s': wallMs ? Math.round((s.length / wallMs) * 1000) : '—',
  };
};

try {
  const now = Date.now();
  // Open every day 08:00–20:00 (Paris), one 30-minute type with buffers, an exception or two.
  const rules = [0, 1, 2, 3, 4, 5, 6].flatMap((d) => [
    `('avr_bench${d}a','${creator}',${d},480,720)`,
    `('avr_bench${d}b','${creator}',${d},780,1200)`,
  ]);
  app.d1(`INSERT INTO availability_rules (id,creator_id,weekday,start_minute,end_minute) VALUES ${rules.join(',')}`);
  app.d1(
    `INSERT INTO appointment_types (id,creator_id,name,description,duration_minutes,price,currency,color,buffer_before_minutes,buffer_after_minutes,min_notice_minutes,max_advance_days,active,sort_order,created_at,updated_at) VALUES ('apt_bench30','${creator}','30 min','',30,5000,'EUR','#5b4cf0',5,10,120,60,1,0,${now},${now})`,
  );
  const day = (n) => new Date(now + n * DAY).toISOString().slice(0, 10);
  app.d1(
    `INSERT INTO availability_exceptions (id,creator_id,date,kind,start_minute,end_minute,note) VALUES ('avx_bench1','${creator}','${day(9)}','OFF',NULL,NULL,'off'),('avx_bench2','${creator}','${day(12)}','EXTRA',1200,1320,'late')`,
  );
  // 200 bookings (booked offers) spread over the next 30 days, on the half hour inside the hours.
  const offers = [];
  const books = [];
  const busy = [];
  for (let i = 0; i < BOOKINGS; i++) {
    const d0 = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate());
    const start = d0 + (1 + (i % 30)) * DAY + (8 + ((i * 7) % 10)) * 3_600_000 + (i % 2) * 1_800_000;
    const end = start + 1_800_000;
    busy.push({ start, end });
    offers.push(
      `('off_benchslot${i}','${creator}','Slot ${i}','',5000,'EUR',${start},30,${end},'BOOKED','SLOT',${now},${now})`,
    );
    books.push(
      `('bkg_benchslot${i}','off_benchslot${i}','usr_benchfan000000','${creator}','CONFIRMED',5000,'EUR','HALF',${start},${end},${now},${now},${now})`,
    );
  }
  for (let i = 0; i < offers.length; i += 100) {
    app.d1(
      `INSERT INTO call_offers (id,creator_id,title,description,price,currency,starts_at,duration_minutes,ends_at,status,source,created_at,updated_at) VALUES ${offers.slice(i, i + 100).join(',')}`,
    );
    app.d1(
      `INSERT INTO bookings (id,offer_id,user_id,creator_id,status,price,currency,cancellation_policy,starts_at,ends_at,confirmed_at,created_at,updated_at) VALUES ${books.slice(i, i + 100).join(',')}`,
    );
  }
  const from = new Date(now).toISOString();
  const to = new Date(now + 31 * DAY).toISOString();
  const url = `${base}/api/creators/bench-creator-0/slots?type=apt_bench30&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  const first = await (await fetch(url)).json();
  if (!Array.isArray(first.slots) || first.slots.length < 100)
    throw new Error(`unexpected answer ${JSON.stringify(first).slice(0, 200)}`);

  await load(100, 10, () => fetch(`${base}/api/health`));
  await load(50, 1, () => fetch(url));
  const floor = await load(400, 1, () => fetch(`${base}/api/health`));
  const month = await load(400, 1, () => fetch(url));
  const oneDay = `${base}/api/creators/bench-creator-0/slots?type=apt_bench30&from=${encodeURIComponent(new Date(now + 3 * DAY).toISOString())}&to=${encodeURIComponent(new Date(now + 4 * DAY).toISOString())}`;
  const day1 = await load(400, 1, () => fetch(oneDay));
  // Server-Timing of the month requests: time inside the Worker (its clock advances with I/O, so: the D1 reads).
  const inside = [];
  for (let i = 0; i < 300; i++) {
    const res = await fetch(url);
    await res.arrayBuffer();
    inside.push(Number(/app;dur=(\d+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? NaN));
  }
  const floor10 = await load(1000, 10, () => fetch(`${base}/api/health`));
  const month10 = await load(1000, 10, () => fetch(url));
  if ([...month.statuses, ...month10.statuses].some((s) => s !== 200)) throw new Error('slots answered non-200');

  // The engine alone on the same month (bundled from the TypeScript source, run in Node).
  const out = await build({
    entryPoints: [join(root, 'src/domain/availability/slots.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'silent',
  });
  const { computeSlots } = await import(
    `data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`
  );
  const weekly = [0, 1, 2, 3, 4, 5, 6].flatMap((weekday) => [
    { weekday, startMinute: 480, endMinute: 720 },
    { weekday, startMinute: 780, endMinute: 1200 },
  ]);
  const input = {
    timezone: 'Europe/Paris',
    weekly,
    exceptions: [
      { date: day(9), kind: 'OFF', startMinute: null, endMinute: null },
      { date: day(12), kind: 'EXTRA', startMinute: 1200, endMinute: 1320 },
    ],
    type: {
      durationMinutes: 30,
      bufferBeforeMinutes: 5,
      bufferAfterMinutes: 10,
      minNoticeMinutes: 120,
      maxAdvanceDays: 60,
    },
    busy,
    now: new Date(now),
    from: new Date(from),
    to: new Date(to),
  };
  const engine = [];
  let count = 0;
  for (let i = 0; i < 600; i++) {
    const s = performance.now();
    count = computeSlots(input).length;
    if (i >= 100) engine.push(performance.now() - s);
  }

  console.log(`\nbench:slots — ${new Date().toISOString()} — ${machine()}\n`);
  console.log(
    `creator: 7 days × 2 ranges, 2 exceptions, ${BOOKINGS} confirmed bookings in the next 30 days; month = ${first.slots.length} free 30-min slots (engine in Node: ${count})\n`,
  );
  console.log(
    table([
      stats('floor: GET /api/health (sequential)', floor.lat, floor.wallMs),
      stats('**GET /api/creators/:slug/slots, 31 days (sequential)**', month.lat, month.wallMs),
      stats('GET /api/creators/:slug/slots, 1 day (sequential)', day1.lat, day1.wallMs),
      stats('  inside the Worker, 31 days (Server-Timing: D1 reads)', inside, 0),
      stats('floor: GET /api/health (10 in flight)', floor10.lat, floor10.wallMs),
      stats('**GET /api/creators/:slug/slots, 31 days (10 in flight)**', month10.lat, month10.wallMs),
      stats('slot engine alone, same month (Node, after warm-up)', engine, 0),
    ]),
  );
  const p = (r, q) =>
    percentile(
      [...r.lat].sort((a, b) => a - b),
      q,
    );
  console.log(
    `\nslots p50 / floor p50: ${(p(month, 50) / p(floor, 50)).toFixed(2)}× sequential, ${(p(month10, 50) / p(floor10, 50)).toFixed(2)}× with 10 in flight`,
  );
  const inRuntime =
    percentile(
      [...inside].sort((a, b) => a - b),
      99,
    ) +
    percentile(
      [...engine].sort((a, b) => a - b),
      99,
    );
  console.log(
    `month of slots in the runtime, p99 of D1 reads + p99 of the engine: ${inRuntime.toFixed(1)} ms (target < 20 ms); through the dev proxy p99 ${p(month, 99).toFixed(1)} ms beside a floor p99 of ${p(floor, 99).toFixed(1)} ms`,
  );
  console.log(memoryLine(mem.stop()));
} finally {
  await app.stop();
}
