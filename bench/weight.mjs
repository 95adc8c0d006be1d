// bench:weight — JavaScript shipped per page, measured for real: the app runs (`wrangler dev`, frozen
// bundle, client built by scripts/build-client.mjs), demo users sign in through the sign-in form, each
// page's HTML is fetched, its <script src> and modulepreload links collected, and static imports
// inside those files followed recursively (dynamic import() chunks are listed apart: they load only
// on demand). Each file gzipped at level 9 and level 6 (node:zlib), summed per page. Also the
// Worker bundle (`wrangler deploy --dry-run`) gzipped, and the local runtime's peak RSS.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { seedStatements } from '../scripts/seed-data.mjs';
import { machine, root, startApp, table } from './lib.mjs';
import { mib, sampler } from './proc.mjs';

const KB = 1000;
const BUDGET = { landing: 10 * KB, creator: 10 * KB, booking: 25 * KB, call: 30 * KB, worker: 1_000_000 };
const PASSWORD = 'star-demo-2026';
const gz = (buf, level) => gzipSync(buf, { level }).length;
const br = (buf) => brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const kb = (n) => (n / KB).toFixed(1);
const bytes = (n) => n.toLocaleString('en-US');

const app = await startApp({ fans: 1, creatorsCount: 1, offers: 2 }, { snapshot: true });
const { base, persist } = app;
const mem = sampler(app.pid);

try {
  // Demo data (scripts/seed-data.mjs: users with the demo password, creators, availability, history).
  const seedFile = join(persist, 'seed.sql');
  writeFileSync(seedFile, (await seedStatements(new Date())).join('\n'));
  const r = spawnSync('wrangler', ['d1', 'execute', 'DB', '--local', '--persist-to', persist, `--file=${seedFile}`], {
    cwd: root,
    env: { ...process.env, CI: 'true' },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`seed failed: ${r.stderr}`);
  // Jordan (fan) has a call with Léa in 5 minutes: the call page opens, dashboards show it.
  const now = Date.now();
  const start = Math.floor((now + 5 * 60_000) / 1000) * 1000;
  app.d1(
    `INSERT INTO call_offers (id,creator_id,title,description,price,currency,starts_at,duration_minutes,ends_at,status,source,created_at,updated_at) VALUES ('off_benchweight01','crt_demolea000000','Bench call','',3500,'EUR',${start},20,${start + 1_200_000},'BOOKED','OFFER',${now},${now})`,
  );
  app.d1(
    `INSERT INTO bookings (id,offer_id,user_id,creator_id,status,price,currency,cancellation_policy,starts_at,ends_at,confirmed_at,created_at,updated_at) VALUES ('bkg_benchweight01','off_benchweight01','usr_demojordan000','crt_demolea000000','CONFIRMED',3500,'EUR','HALF',${start},${start + 1_200_000},${now},${now},${now})`,
  );
  const [bookable] = app.d1(
    `SELECT id FROM call_offers WHERE creator_id = 'crt_demoamelia000' AND status = 'AVAILABLE' AND starts_at > ${now} ORDER BY starts_at LIMIT 1`,
  );

  const signIn = async (email) => {
    const res = await fetch(`${base}/en/signin`, {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email, password: PASSWORD }),
    });
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .find((c) => c.startsWith('__Host-cas='));
    if (res.status !== 303 || !cookie) throw new Error(`sign-in as ${email}: ${res.status}`);
    return cookie;
  };
  const jordan = await signIn('jordan@callastar.local');
  const lea = await signIn('lea@callastar.local');
  const admin = await signIn('admin@callastar.local');
  // Booking page: Jordan books one of Amelia's offers and lands on its checkout (hold + payment).
  const book = await fetch(`${base}/en/offers/${bookable.id}/book`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: base, cookie: jordan, 'content-type': 'application/x-www-form-urlencoded' },
    body: '',
  });
  const checkout = book.headers.get('location') ?? '';
  if (!/\/bookings\/bkg_\w+\/checkout$/.test(checkout))
    throw new Error(`booking did not lead to a checkout: ${book.status} ${checkout}`);

  const pages = [
    { kind: 'landing', label: 'landing /en/', path: '/en/', budget: BUDGET.landing },
    {
      kind: 'creator',
      label: 'creator page, one-off offers /en/c/amelia-hart',
      path: '/en/c/amelia-hart',
      budget: BUDGET.creator,
    },
    {
      kind: 'creator',
      label: 'creator page with slot calendar /en/c/lea-martin',
      path: '/en/c/lea-martin',
      budget: BUDGET.creator,
    },
    {
      kind: 'booking',
      label: 'offer page (book button) /en/offers/:id',
      path: `/en/offers/${bookable.id}`,
      cookie: jordan,
      budget: BUDGET.booking,
    },
    {
      kind: 'booking',
      label: 'checkout /en/bookings/:id/checkout',
      path: new URL(checkout, base).pathname,
      cookie: jordan,
      budget: BUDGET.booking,
      stripe: true,
    },
    {
      kind: 'call',
      label: 'call page /en/call/:id',
      path: '/en/call/bkg_benchweight01',
      cookie: jordan,
      budget: BUDGET.call,
    },
    { kind: 'other', label: 'fan dashboard /en/dashboard (Jordan)', path: '/en/dashboard', cookie: jordan },
    { kind: 'other', label: 'creator home /en/creator (Léa)', path: '/en/creator', cookie: lea },
    { kind: 'other', label: 'admin /en/admin', path: '/en/admin', cookie: admin },
  ];

  const files = new Map(); // url → { raw, gz9, gz6, imports, dynamic }
  const getJs = async (url) => {
    if (files.has(url)) return files.get(url);
    const res = await fetch(url);
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    const buf = Buffer.from(await res.arrayBuffer());
    const text = buf.toString('utf8');
    const abs = (spec) => new URL(spec, url).href;
    // esbuild's minified ESM: import{a as b}from"./chunks/x.js"; import"./x.js"; export{…}from"…"; import("…")
    const imports = [
      ...text.matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?["']([^"']+\.js)["']/g),
    ].map((m) => abs(m[1]));
    const dynamic = [...text.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => abs(m[1]));
    const f = {
      raw: buf.length,
      gz9: gz(buf, 9),
      gz6: gz(buf, 6),
      br: br(buf),
      imports: [...new Set(imports)],
      dynamic: [...new Set(dynamic)],
    };
    files.set(url, f);
    return f;
  };
  const closure = async (entries) => {
    const seen = new Set();
    const lazy = new Set();
    const stack = [...entries];
    while (stack.length) {
      const u = stack.pop();
      if (seen.has(u)) continue;
      seen.add(u);
      const f = await getJs(u);
      stack.push(...f.imports);
      for (const d of f.dynamic) lazy.add(d);
    }
    for (const u of seen) lazy.delete(u);
    return { files: [...seen], lazy: [...lazy] };
  };
  const sum = (urls, k) => urls.reduce((s, u) => s + files.get(u)[k], 0);
  const short = (u) => new URL(u).pathname.replace('/static/', '');

  const rows = [];
  const notes = [];
  let cssGz = 0;
  for (const p of pages) {
    const res = await fetch(base + p.path, { redirect: 'manual', headers: p.cookie ? { cookie: p.cookie } : {} });
    const html = await res.text();
    if (res.status !== 200) throw new Error(`${p.path}: ${res.status} ${res.headers.get('location') ?? ''}`);
    const srcs = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => new URL(m[1], base + p.path).href);
    const preloads = [
      ...html.matchAll(
        /<link\b[^>]*rel="modulepreload"[^>]*href="([^"]+)"|<link\b[^>]*href="([^"]+)"[^>]*rel="modulepreload"/g,
      ),
    ].map((m) => new URL(m[1] ?? m[2], base + p.path).href);
    const inline = [...html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>/g)].length;
    const external = srcs.filter((u) => !u.startsWith(base));
    const entries = [...new Set([...srcs, ...preloads])].filter((u) => u.startsWith(base));
    const c = await closure(entries);
    // Stripe keys set: the checkout also loads stripe-checkout.js (which then fetches js.stripe.com).
    let withStripe = null;
    if (p.stripe && !entries.some((u) => u.endsWith('/stripe-checkout.js'))) {
      const s = await closure([...entries, `${base}/static/stripe-checkout.js`]);
      withStripe = { gz9: sum(s.files, 'gz9'), gz6: sum(s.files, 'gz6') };
    }
    const css = html.match(/<link rel="stylesheet" href="([^"]+)"/)?.[1];
    if (css && !cssGz) cssGz = gz(Buffer.from(await (await fetch(base + css)).arrayBuffer()), 9);
    for (const u of c.lazy) await getJs(u); // fetched only to report their size
    const total9 = sum(c.files, 'gz9');
    const total6 = sum(c.files, 'gz6');
    const worst = Math.max(total6, total9, withStripe?.gz6 ?? 0, withStripe?.gz9 ?? 0);
    rows.push({
      page: p.label,
      'JS files (static closure)': c.files.map(short).sort().join(' + '),
      raw: `${kb(sum(c.files, 'raw'))} KB`,
      'gzip -9 B': bytes(total9),
      'gzip -6 B': bytes(total6),
      'brotli B (info)': bytes(sum(c.files, 'br')),
      'with Stripe keys, gz -9 / -6 B': withStripe ? `${bytes(withStripe.gz9)} / ${bytes(withStripe.gz6)}` : '',
      'lazy, not counted': [
        ...c.lazy.map((u) => `${short(u)} (${kb(files.get(u).gz9)} KB gz)`),
        ...external.map((u) => `external ${u}`),
      ].join(', '),
      'HTML gz': `${kb(gz(Buffer.from(html), 9))} KB`,
      budget: p.budget ? `≤ ${bytes(p.budget)} B` : '—',
      result: p.budget
        ? worst <= p.budget
          ? 'PASS'
          : worst <= p.budget * 1.024
            ? 'FAIL (PASS if KB = 1,024 B)'
            : 'FAIL'
        : '',
    });
    if (inline) notes.push(`${p.path}: ${inline} inline <script> without src (not counted)`);
  }

  // The Worker as deployed: the snapshot startApp served is `wrangler deploy --dry-run --outdir` output.
  const dist = join(persist, 'snapshot', 'dist');
  const workerFiles = readdirSync(dist).filter((f) => /\.(js|mjs|wasm)$/.test(f));
  const worker = workerFiles.map((f) => {
    const b = readFileSync(join(dist, f));
    return { f, raw: b.length, gz9: gz(b, 9), gz6: gz(b, 6) };
  });
  const wRaw = worker.reduce((s, x) => s + x.raw, 0);
  const w9 = worker.reduce((s, x) => s + x.gz9, 0);
  const w6 = worker.reduce((s, x) => s + x.gz6, 0);
  // For information: the same with --minify (not what `wrangler deploy` does by default here).
  const minDir = join(persist, 'minified');
  const m = spawnSync('wrangler', ['deploy', '--dry-run', '--minify', '--outdir', minDir], {
    cwd: root,
    env: { ...process.env, CI: 'true' },
    encoding: 'utf8',
  });
  const minJs =
    m.status === 0
      ? readdirSync(minDir)
          .filter((f) => f.endsWith('.js'))
          .map((f) => readFileSync(join(minDir, f)))
      : [];
  const memory = mem.stop();

  console.log(`\nbench:weight — ${new Date().toISOString()} — ${machine()}\n`);
  console.log(table(rows));
  console.log(
    `\nbudgets judged on the larger of gzip -9 / -6 (and, for the checkout, with Stripe keys set: + stripe-checkout.js). KB = 1,000 bytes.`,
  );
  console.log(`CSS (same file on every page, not JS, not counted): app.css ${kb(cssGz)} KB gz -9.`);
  console.log(
    `every static/ file: ${[...files.entries()].map(([u, f]) => `${short(u)} ${kb(f.raw)}→${kb(f.gz9)}`).join(', ')} (KB raw→gz -9)`,
  );
  console.log(
    `Worker bundle (wrangler deploy --dry-run, ${workerFiles.join(' + ')}; source maps not uploaded as code): ${kb(wRaw)} KB raw, ${kb(w9)} KB gzip -9, ${kb(w6)} KB gzip -6 — budget ≤ 1,000 KB gzipped: ${Math.max(w9, w6) <= BUDGET.worker ? 'PASS' : 'FAIL'}`,
  );
  if (minJs.length)
    console.log(
      `  with --minify: ${kb(minJs.reduce((s, b) => s + b.length, 0))} KB raw, ${kb(minJs.reduce((s, b) => s + gz(b, 9), 0))} KB gzip -9`,
    );
  for (const n of notes) console.log(n);
  console.log(
    `memory: wrangler + workerd RSS ${mib(memory.idle.all)} MiB at start → peak ${mib(memory.peakAllKiB)} MiB (workerd ${mib(memory.idle.workerd)} → ${mib(memory.peakWorkerdKiB)} MiB); peak per process (VmHWM): ${memory.processes.map((p) => `${p.comm} ${mib(p.hwmKiB)}`).join(', ')} MiB`,
  );
  const statics = readdirSync(join(persist, 'snapshot', 'public', 'static', 'chunks')).map(
    (f) => `${f} ${kb(statSync(join(persist, 'snapshot', 'public', 'static', 'chunks', f)).size)} KB`,
  );
  console.log(`chunks built: ${statics.join(', ')}`);
  if (rows.some((r) => r.result === 'FAIL')) process.exitCode = 1;
} finally {
  await app.stop();
}
