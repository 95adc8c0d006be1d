// Memory and CPU of the local runtime from /proc (Linux): the `wrangler dev` process this benchmark
// started and everything under it (the wrangler CLI in Node, the dev proxy and runtime workerd).
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // CLK_TCK = 100 on Linux

function stat(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = s.lastIndexOf(')');
    const comm = s.slice(s.indexOf('(') + 1, close);
    const f = s.slice(close + 2).split(' '); // f[0] = state (field 3)
    return { pid, comm, ppid: Number(f[1]), cpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS };
  } catch {
    return null;
  }
}

function status(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? 0);
    return { rssKiB: kib('VmRSS'), hwmKiB: kib('VmHWM') };
  } catch {
    return { rssKiB: 0, hwmKiB: 0 };
  }
}

function all() {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => stat(Number(d)))
    .filter(Boolean);
}

/** The live child of this Node process whose command line mentions `match` (the `wrangler dev` startApp spawned). */
export function findChild(match = 'wrangler') {
  return (
    all().find((p) => {
      if (p.ppid !== process.pid) return false;
      try {
        return readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').includes(match);
      } catch {
        return false;
      }
    })?.pid ?? null
  );
}

/** Every process under `rootPid` (included): pid, comm, RSS, peak RSS (VmHWM), CPU ms (user + system). */
export function tree(rootPid) {
  const ps = all();
  const out = [];
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop();
    const p = ps.find((x) => x.pid === pid);
    if (!p) continue;
    out.push({ ...p, ...status(pid) });
    for (const c of ps) if (c.ppid === pid) stack.push(c.pid);
  }
  return out;
}

/**
 * Samples the tree every `everyMs`: peak summed RSS (all processes, and workerd only), per-process
 * VmHWM, and CPU ms so far (`cpu()` gives the workerd / total CPU ms now, for deltas per phase).
 */
export function sampler(rootPid, everyMs = 250) {
  let peakAll = 0;
  let peakWorkerd = 0;
  const hwm = new Map();
  const take = () => {
    const t = tree(rootPid);
    peakAll = Math.max(
      peakAll,
      t.reduce((s, p) => s + p.rssKiB, 0),
    );
    peakWorkerd = Math.max(
      peakWorkerd,
      t.filter((p) => p.comm.includes('workerd')).reduce((s, p) => s + p.rssKiB, 0),
    );
    for (const p of t)
      hwm.set(p.pid, { comm: p.comm, hwmKiB: Math.max(p.hwmKiB, hwm.get(p.pid)?.hwmKiB ?? 0), rssKiB: p.rssKiB });
    return t;
  };
  const first = take();
  const idle = {
    all: first.reduce((s, p) => s + p.rssKiB, 0),
    workerd: first.filter((p) => p.comm.includes('workerd')).reduce((s, p) => s + p.rssKiB, 0),
  };
  const timer = setInterval(take, everyMs);
  timer.unref();
  return {
    idle,
    /** CPU ms per process now; `cpuSince(earlier)` gives the workerd / total CPU ms spent since (processes that came or went counted). */
    cpu() {
      return new Map(take().map((p) => [p.pid, { comm: p.comm, cpuMs: p.cpuMs }]));
    },
    cpuSince(earlier) {
      const now = this.cpu();
      let workerd = 0;
      let total = 0;
      for (const [pid, p] of now) {
        const d = p.cpuMs - (earlier.get(pid)?.cpuMs ?? 0);
        total += d;
        if (p.comm.includes('workerd')) workerd += d;
      }
      return { workerd, all: total, restarted: [...earlier.keys()].some((pid) => !now.has(pid)) };
    },
    stop() {
      clearInterval(timer);
      take();
      return {
        idle,
        peakAllKiB: peakAll,
        peakWorkerdKiB: peakWorkerd,
        processes: [...hwm.entries()].map(([pid, v]) => ({ pid, ...v })),
      };
    },
  };
}

export const mib = (kib) => Math.round(kib / 1024);

/** The memory line every benchmark prints at its end (from a sampler's stop()). */
export function memoryLine(m) {
  return `memory: wrangler + workerd RSS ${mib(m.idle.all)} MiB at start → peak ${mib(m.peakAllKiB)} MiB (workerd only ${mib(m.idle.workerd)} → ${mib(m.peakWorkerdKiB)} MiB, sampled every 250 ms); peak per process (VmHWM): ${m.processes.map((p) => `${p.comm} ${mib(p.hwmKiB)}`).join(', ')} MiB`;
}

/**
 * The two workerd processes of `wrangler dev`, told apart by their command line: the dev proxy
 * listens on the public port (`--socket-addr=entry=127.0.0.1:<port>`) and relays every request and
 * WebSocket to the runtime, which runs the Worker, its Durable Objects and the local D1/R2 (its
 * entry is on an ephemeral port). Only the runtime stands for what production would run.
 */
export function workerdRoles(rootPid, publicPort) {
  const out = { runtime: null, proxy: null };
  for (const p of tree(rootPid)) {
    if (!p.comm.includes('workerd')) continue;
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    if (cmd.includes(`--socket-addr=entry=127.0.0.1:${publicPort} `)) out.proxy = p.pid;
    else out.runtime = p.pid;
  }
  return out;
}

/** Resident memory (KiB) of one process now, and its peak so far (VmHWM). */
export function rssOf(pid) {
  return status(pid);
}
