// `npm run dev`: build the client, migrate and seed the local D1, then run wrangler dev with the
// client rebuilt on change. Every step is safe to re-run.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedStatements } from './seed-data.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, env = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

run('node', ['scripts/build-client.mjs']);
run('wrangler', ['d1', 'migrations', 'apply', 'DB', '--local'], { CI: 'true' });
mkdirSync(join(root, '.wrangler'), { recursive: true });
const seedFile = join(root, '.wrangler', 'seed.sql');
writeFileSync(seedFile, `${(await seedStatements()).join('\n')}\n`);
run('wrangler', ['d1', 'execute', 'DB', '--local', `--file=${seedFile}`], { CI: 'true' });
console.log(
  '\n  Demo accounts (password: star-demo-2026): admin@callastar.local, lea@callastar.local, noah@callastar.local,',
);
console.log(
  '  amelia@callastar.local (creators), camille@callastar.local, jordan@callastar.local (fans). Mailbox: /dev/mailbox\n',
);

const port = process.env.PORT ?? '8787';
const children = [
  spawn('node', ['scripts/build-client.mjs', '--watch'], { cwd: root, stdio: 'inherit' }),
  spawn(
    'wrangler',
    [
      'dev',
      '--port',
      port,
      '--var',
      `APP_URL:${process.env.APP_URL ?? `http://localhost:${port}`}`,
      ...process.argv.slice(2),
    ],
    { cwd: root, stdio: 'inherit' },
  ),
];
const stop = () => {
  for (const c of children) c.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
children[1].on('exit', (code) => {
  stop();
  process.exit(code ?? 0);
});
