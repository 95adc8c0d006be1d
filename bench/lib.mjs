// Shared benchmark harness: starts the app under `wrangler dev` on a fresh local D1 (migrated,
// plus benchmark fixtures), measures latencies, prints tables. Run through `npm run bench:*`.
import autocannon from 'autocannon';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const q = (v) =>
  v === null || v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`;
const pad = (n, w) => String(n).padStart(w, '0');

export function machine() {
  const c = cpus();
  return `${c.length} × ${c[0]?.model?.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}`;
}

async function freePort() {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });
}

/** The session secret the benchmark server runs with (signed tokens are minted here, like the app does). */
export const BENCH_SESSION_SECRET = randomBytes(32).toString('hex');
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** A session token in the app's format (src/lib/session-token.ts): v1.<sid: 52 base32 chars, 260 random bits>.<userId>.<exp base36>.<HMAC-SHA256 base64url>. */
export function mintToken(userId, expSeconds) {
  const sid = [...randomBytes(52)].map((b) => ALPHABET[b & 31]).join('');
  const body = `v1.${sid}.${userId}.${expSeconds.toString(36)}`;
  return { sid, token: `${body}.${createHmac('sha256', BENCH_SESSION_SECRET).update(body).digest('base64url')}` };
}

/**
 * SQL for `fans` fans with bearer sessions and `offers` offers spread over 10 onboarded creators;
 * `calls`: confirmed bookings (fan i with creator i mod 10) whose call starts `callStartsInMs`
 * from now, with bearer tokens for the creators too.
 */
export function fixtureSql({
  fans = 0,
  offers = 0,
  calls = 0,
  callStartsInMs = 5 * 60_000,
  callConfirmedAgoMs = 0,
  creatorsCount = 10,
  now = Date.now(),
}) {
  const out = [];
  const tokens = [];
  const creatorTokens = [];
  const bookingIds = [];
  const offerIds = [];
  const creatorIds = [];
  for (let i = 0; i < creatorsCount; i++) {
    const uid = `usr_benchcreator${pad(i, 4)}`;
    const cid = `crt_benchcreator${pad(i, 4)}`;
    const acct = `acct_local_bench${pad(i, 4)}`;
    creatorIds.push(cid);
    out.push(
      `INSERT INTO users (id,email,name,role,locale,timezone,email_prefs,created_at,updated_at,email_verified_at) VALUES (${[uid, `creator${i}@bench.test`, `Bench Creator ${i}`, 'CREATOR', 'en', 'Europe/Paris', '{}', now, now, now].map(q).join(',')});`,
    );
    out.push(
      `INSERT INTO creators (id,user_id,slug,display_name,bio,expertise,social_links,currency,timezone,cancellation_policy,stripe_account_id,charges_enabled,payouts_enabled,details_submitted,onboarded_at,payout_schedule,payout_weekday,payouts_blocked,created_at,updated_at) VALUES (${[cid, uid, `bench-creator-${i}`, `Bench Creator ${i}`, 'A creator used by benchmarks.', 'Benchmarking', '{}', 'EUR', 'Europe/Paris', 'HALF', acct, 1, 1, 1, now, 'WEEKLY', 1, 0, now, now].map(q).join(',')});`,
    );
    out.push(
      `INSERT INTO local_stripe_objects (id,type,account,idempotency_key,data,created_at,updated_at) VALUES (${[acct, 'account', null, `bench:${acct}`, JSON.stringify({ id: acct, object: 'account', charges_enabled: true, payouts_enabled: true, details_submitted: true, default_currency: 'eur', settings: { payouts: { schedule: { interval: 'manual' } } } }), now, now].map(q).join(',')});`,
    );
  }
  for (let i = 0; i < offers; i++) {
    const id = `off_bench${pad(i, 6)}`;
    offerIds.push(id);
    const c = creatorIds[i % creatorIds.length];
    const start = now + 2 * 86_400_000 + Math.floor(i / creatorIds.length) * 3_600_000;
    out.push(
      `INSERT INTO call_offers (id,creator_id,title,description,price,currency,starts_at,duration_minutes,ends_at,status,source,created_at,updated_at) VALUES (${[id, c, `Bench offer ${i}`, '', 2500, 'EUR', start, 30, start + 1_800_000, 'AVAILABLE', 'OFFER', now, now].map(q).join(',')});`,
    );
  }
  for (let i = 0; i < fans; i++) {
    const uid = `usr_benchfan${pad(i, 6)}`;
    const expiresAt = now + 30 * 86_400_000;
    const { sid, token } = mintToken(uid, Math.floor(expiresAt / 1000));
    tokens.push(token);
    out.push(
      `INSERT INTO users (id,email,name,role,locale,timezone,email_prefs,created_at,updated_at,email_verified_at) VALUES (${[uid, `fan${i}@bench.test`, `Bench Fan ${i}`, 'USER', 'en', 'Europe/Paris', '{}', now, now, now].map(q).join(',')});`,
    );
    out.push(
      `INSERT INTO sessions (id,user_id,kind,created_at,last_seen_at,expires_at) VALUES (${[createHash('sha256').update(sid).digest('hex'), uid, 'BEARER', now, now, expiresAt].map(q).join(',')});`,
    );
  }
  if (calls) {
    for (let i = 0; i < creatorsCount; i++) {
      const uid = `usr_benchcreator${pad(i, 4)}`;
      const expiresAt = now + 30 * 86_400_000;
      const { sid, token } = mintToken(uid, Math.floor(expiresAt / 1000));
      creatorTokens.push(token);
      out.push(
        `INSERT INTO sessions (id,user_id,kind,created_at,last_seen_at,expires_at) VALUES (${[createHash('sha256').update(sid).digest('hex'), uid, 'BEARER', now, now, expiresAt].map(q).join(',')});`,
      );
    }
  }
  for (let i = 0; i < calls; i++) {
    const oid = `off_benchcall${pad(i, 6)}`;
    const bid = `bkg_benchcall${pad(i, 6)}`;
    bookingIds.push(bid);
    const c = creatorIds[i % creatorIds.length];
    const start = Math.floor((now + callStartsInMs) / 1000) * 1000;
    const end = start + 1_800_000;
    out.push(
      `INSERT INTO call_offers (id,creator_id,title,description,price,currency,starts_at,duration_minutes,ends_at,status,source,created_at,updated_at) VALUES (${[oid, c, `Bench call ${i}`, '', 2500, 'EUR', start, 30, end, 'BOOKED', 'OFFER', now, now].map(q).join(',')});`,
    );
    out.push(
      `INSERT INTO bookings (id,offer_id,user_id,creator_id,status,price,currency,cancellation_policy,starts_at,ends_at,confirmed_at,created_at,updated_at) VALUES (${[bid, oid, `usr_benchfan${pad(i % Math.max(1, fans), 6)}`, c, 'CONFIRMED', 2500, 'EUR', 'HALF', start, end, now - callConfirmedAgoMs, now, now].map(q).join(',')});`,
    );
  }
  return { sql: out.join('\n'), tokens, creatorTokens, offerIds, creatorIds, bookingIds };
}

function wrangler(args, persist) {
  const r = spawnSync('wrangler', [...args, '--local', '--persist-to', persist], {
    cwd: root,
    env: { ...process.env, CI: 'true' },
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  if (r.status !== 0) throw new Error(`wrangler ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/**
 * A frozen copy of the app for `wrangler dev`: the Worker bundled once (`wrangler deploy --dry-run`)
 * and public/ copied, under a config pointing at them, so edits to src/ or a client rebuild during a
 * run do not reload the Worker mid-measure. Returns the extra `wrangler dev` arguments.
 */
function snapshot(persist, entry) {
  const dir = join(persist, 'snapshot');
  const r = spawnSync('wrangler', ['deploy', ...(entry ? [entry] : []), '--dry-run', '--outdir', join(dir, 'dist')], {
    cwd: root,
    env: { ...process.env, CI: 'true' },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${r.stdout}\n${r.stderr}`);
  cpSync(join(root, 'public'), join(dir, 'public'), { recursive: true });
  const bundle = readdirSync(join(dir, 'dist')).find((f) => f.endsWith('.js'));
  const toml = readFileSync(join(root, 'wrangler.toml'), 'utf8')
    .replace(/^main\s*=.*$/m, `main = ${JSON.stringify(join(dir, 'dist', bundle))}`)
    .replace(/^directory\s*=.*$/m, `directory = ${JSON.stringify(join(dir, 'public'))}`)
    .replace(/^migrations_dir\s*=.*$/m, `migrations_dir = ${JSON.stringify(join(root, 'migrations'))}`);
  writeFileSync(join(dir, 'wrangler.toml'), toml);
  return ['--config', join(dir, 'wrangler.toml'), '--no-bundle'];
}

/**
 * Starts `wrangler dev` on a fresh D1 with fixtures. Returns the base URL and helpers.
 * It serves a frozen bundle of the current tree (see snapshot()) unless `{ snapshot: false }`, so
 * editing src/ during a run never reloads the Worker mid-measure; `entry`: bundle
 * another entry module instead of src/index.ts (e.g. an instrumented wrapper in bench/); `devArgs`:
 * more `wrangler dev` flags.
 */
export async function startApp(fixtures, opts = {}) {
  spawnSync('node', ['scripts/build-client.mjs'], { cwd: root, stdio: 'ignore' });
  const persist = mkdtempSync(join(tmpdir(), 'cas-bench-'));
  wrangler(['d1', 'migrations', 'apply', 'DB'], persist);
  const fx = fixtureSql(fixtures);
  const file = join(persist, 'fixtures.sql');
  writeFileSync(file, fx.sql);
  wrangler(['d1', 'execute', 'DB', `--file=${file}`], persist);
  const frozen = opts.snapshot !== false || opts.entry ? snapshot(persist, opts.entry) : [];
  const port = await freePort();
  const child = spawn(
    'wrangler',
    [
      'dev',
      ...frozen,
      ...(opts.devArgs ?? []),
      '--port',
      String(port),
      '--ip',
      '127.0.0.1',
      '--persist-to',
      persist,
      '--show-interactive-dev-session=false',
      '--var',
      'LOG_CONSOLE:false',
      '--var',
      `SESSION_SECRET:${BENCH_SESSION_SECRET}`,
      '--var',
      `APP_URL:http://127.0.0.1:${port}`,
    ],
    {
      cwd: root,
      env: { ...process.env, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  let log = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wrangler dev did not start:\n${log}`)), 90_000);
    const on = (b) => {
      log += b;
      if (log.includes('Ready on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    persist,
    /** Process id of `wrangler dev` (its process group leader). */
    pid: child.pid,
    ...fx,
    /** Resident memory (KiB) of the workerd process serving the app. */
    workerdRssKiB() {
      const ps = spawnSync('ps', ['-eo', 'pid,ppid,rss,comm'], { encoding: 'utf8' })
        .stdout.split('\n')
        .slice(1)
        .map((l) => l.trim().split(/\s+/));
      const children = (pid) => ps.filter((r) => r[1] === String(pid));
      const stack = [child.pid];
      let rss = 0;
      while (stack.length) {
        const pid = stack.pop();
        for (const r of children(pid)) {
          if (r[3]?.includes('workerd')) rss += Number(r[2]);
          stack.push(Number(r[0]));
        }
      }
      return rss;
    },
    d1(sql) {
      return JSON.parse(wrangler(['d1', 'execute', 'DB', '--json', `--command=${sql}`], persist))[0].results;
    },
    async stop() {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      await new Promise((r) => setTimeout(r, 500));
      rmSync(persist, { recursive: true, force: true });
    },
  };
}

export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function summarize(label, latencies, wallMs, extra = {}) {
  const s = [...latencies].sort((a, b) => a - b);
  return {
    label,
    n: s.length,
    p50: +percentile(s, 50).toFixed(1),
    p99: +percentile(s, 99).toFixed(1),
    max: +s[s.length - 1].toFixed(1),
    rps: Math.round((s.length / wallMs) * 1000),
    ...extra,
  };
}

export function table(rows) {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const w = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (vals) => `| ${vals.map((v, i) => String(v ?? '').padEnd(w[i])).join(' | ')} |`;
  return [
    line(cols),
    `|${w.map((x) => '-'.repeat(x + 2)).join('|')}|`,
    ...rows.map((r) => line(cols.map((c) => r[c]))),
  ].join('\n');
}

/**
 * Load with autocannon (far less client overhead than fetch): `total` requests over `connections`
 * keep-alive connections; `request(i)` gives method, path and headers of the i-th request.
 */
export async function hammer(base, total, connections, request) {
  let i = 0;
  let last = 0;
  const t0 = performance.now();
  const r = await autocannon({
    url: base,
    connections,
    amount: total,
    pipelining: 1,
    timeout: 60,
    requests: [
      {
        setupRequest: (req) => {
          const spec = request(i++);
          return {
            ...req,
            method: spec.method ?? 'GET',
            path: spec.path,
            headers: { ...req.headers, ...(spec.headers ?? {}) },
          };
        },
        onResponse: () => {
          last = performance.now();
        },
      },
    ],
  });
  // autocannon's own start/finish are sampled once per second: time the run from our side.
  const wallMs = last - t0;
  const codes = Object.fromEntries(Object.entries(r.statusCodeStats).map(([k, v]) => [k, v.count]));
  return {
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    n: r.requests.total,
    rps: Math.round((r.requests.total / wallMs) * 1000),
    wallMs,
    codes,
    errors: r.errors + r.timeouts,
  };
}

/** Runs `total` requests with at most `concurrency` in flight (fetch); returns latencies and wall time. */
export async function load(total, concurrency, makeRequest) {
  const lat = new Array(total);
  const statuses = new Array(total);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      while (next < total) {
        const i = next++;
        const s = performance.now();
        const res = await makeRequest(i);
        statuses[i] = res.status;
        await res.arrayBuffer();
        lat[i] = performance.now() - s;
      }
    }),
  );
  return { lat, statuses, wallMs: performance.now() - t0 };
}

export function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}
