// Benchmark-only Worker entry (bundled by `node bench/ssr-profile.mjs`, never deployed): the app's
// own entry, with env.DB wrapped so every response says how many D1 calls it made and how long it
// waited for them (`Server-Timing: d1;desc="<calls>/<statements>";dur=<sum ms>, app;dur=<ms>`), plus
// `GET /__bench/d1?n=N` running N trivial D1 queries in sequence (the cost of one round trip), or in
// one db.batch with `&batch`.
// In workerd the clock only advances on I/O: these durations are waits, not CPU.
import app from '../src/index.ts';

export { OfferRoom, CreatorCalendar, CallRoom, SocketQuota } from '../src/index.ts';

function wrapStatement(stmt, c, sql) {
  return new Proxy(stmt, {
    get(t, k) {
      if (k === '__real') return t;
      if (k === 'bind') return (...a) => wrapStatement(t.bind(...a), c, sql);
      if (k === 'first' || k === 'all' || k === 'run' || k === 'raw') {
        return async (...a) => {
          const s = Date.now();
          c.calls++;
          c.statements++;
          try {
            return await t[k](...a);
          } finally {
            c.ms += Date.now() - s;
            c.log.push(`${Date.now() - s}ms@+${s - c.t0} ${sql.replace(/\s+/g, ' ').slice(0, 90)}`);
          }
        };
      }
      const v = t[k];
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });
}

function wrapDb(db, c) {
  return new Proxy(db, {
    get(t, k) {
      if (k === 'prepare') return (sql) => wrapStatement(t.prepare(sql), c, sql);
      // Requests run their queries in a D1 session (src/http/d1-session.ts): count those too.
      if (k === 'withSession') return (start) => wrapDb(t.withSession(start), c);
      if (k === 'batch') {
        return async (stmts) => {
          const s = Date.now();
          c.calls++;
          c.statements += stmts.length;
          try {
            return await t.batch(stmts.map((x) => x.__real ?? x));
          } finally {
            c.ms += Date.now() - s;
          }
        };
      }
      const v = t[k];
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });
}

export default {
  ...app,
  async fetch(req, env, ctx) {
    const url = new URL(req.url);
    if (url.pathname === '/__bench/d1') {
      const n = Number(url.searchParams.get('n') ?? 1);
      if (url.searchParams.has('batch'))
        await env.DB.batch(Array.from({ length: n }, () => env.DB.prepare('SELECT 1 AS one')));
      else for (let i = 0; i < n; i++) await env.DB.prepare('SELECT 1 AS one').first();
      return new Response('ok');
    }
    const t0 = Date.now();
    const c = { calls: 0, statements: 0, ms: 0, log: [], t0 };
    const res = await app.fetch(req, { ...env, DB: wrapDb(env.DB, c) }, ctx);
    const out = new Response(res.body, res);
    out.headers.set('X-Bench-D1', encodeURIComponent(c.log.join(' | ')));
    out.headers.set('Server-Timing', `d1;desc="${c.calls}/${c.statements}";dur=${c.ms}, app;dur=${Date.now() - t0}`);
    return out;
  },
};
