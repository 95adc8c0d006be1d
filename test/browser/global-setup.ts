/**
 * Browser tests: start the real app under `wrangler dev` (fresh local D1, migrated and seeded)
 * and find Chromium. Without Chromium the tests are skipped with a loud warning, not failed —
 * unless REQUIRE_BROWSER=1 (CI), where a missing browser fails the run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { seedStatements } from '../../scripts/seed-data.mjs';

declare module 'vitest' {
  interface ProvidedContext {
    baseUrl: string;
    chromium: string | null;
    /** Where signed-in demo sessions are kept for the run (one sign-in per account, see helpers.ts). */
    sessionDir: string;
  }
}

const root = resolve(__dirname, '../..');

export function findChromium(): string | null {
  const candidates = [
    process.env.CHROMIUM_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
  ];
  return candidates.find((p): p is string => !!p && existsSync(p)) ?? null;
}

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

function run(args: string[], persist: string) {
  const r = spawnSync('wrangler', [...args, '--local', '--persist-to', persist], {
    cwd: root,
    env: { ...process.env, CI: 'true' },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`wrangler ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
}

export default async function setup(project: TestProject) {
  const chromium = findChromium();
  project.provide('chromium', chromium);
  if (!chromium) {
    // CI sets REQUIRE_BROWSER=1 (.ci/run): there, a missing browser is a failure, not a skip.
    if (process.env.REQUIRE_BROWSER === '1')
      throw new Error('REQUIRE_BROWSER=1 but no Chromium found (apt-get install -y chromium, or set CHROMIUM_PATH)');
    const bar = '!'.repeat(78);
    console.warn(
      `\n${bar}\n!! BROWSER TESTS SKIPPED: no Chromium found (apt-get install -y chromium, or set CHROMIUM_PATH).\n${bar}\n`,
    );
    project.provide('baseUrl', '');
    project.provide('sessionDir', '');
    return;
  }
  const persist = mkdtempSync(join(tmpdir(), 'cas-browser-'));
  run(['d1', 'migrations', 'apply', 'DB'], persist);
  const seedFile = join(persist, 'seed.sql');
  writeFileSync(seedFile, (await seedStatements()).join('\n'));
  run(['d1', 'execute', 'DB', `--file=${seedFile}`], persist);

  const port = await freePort();
  const child: ChildProcess = spawn(
    'wrangler',
    [
      'dev',
      '--port',
      String(port),
      '--persist-to',
      persist,
      '--ip',
      '127.0.0.1',
      '--show-interactive-dev-session=false',
      '--var',
      `APP_URL:http://localhost:${port}`,
    ],
    {
      cwd: root,
      env: { ...process.env, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`wrangler dev did not start:\n${output}`)), 90_000);
    const onData = (b: Buffer) => {
      output += b.toString();
      if (output.includes('Ready on')) {
        clearTimeout(timer);
        resolveReady();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`wrangler dev exited (${code}):\n${output}`)));
  });
  // Under scripts/browser-at.sh this process and Chromium run on a shifted clock, workerd (which
  // libfaketime cannot run) on the real one: the app's development clock takes the same shift.
  if (process.env.FAKETIME) {
    const res = await fetch(`http://localhost:${port}/dev/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ at: new Date().toISOString() }),
    });
    if (!res.ok) throw new Error(`could not set the app's clock: ${res.status} ${await res.text()}`);
    console.log(`app clock set to ${((await res.json()) as { now: string }).now} (FAKETIME ${process.env.FAKETIME})`);
  }
  project.provide('baseUrl', `http://localhost:${port}`);
  const sessionDir = join(persist, 'sessions');
  mkdirSync(sessionDir);
  project.provide('sessionDir', sessionDir);
  return async () => {
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    rmSync(persist, { recursive: true, force: true });
  };
}
