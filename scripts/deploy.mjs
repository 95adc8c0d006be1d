// `npm run deploy -- <staging|production> [--dry-run]`: build the client, check the environment's
// required secrets, apply the D1 migrations to that environment's remote database, then deploy.
// Migrations go first and are written to be backward compatible (add columns/tables, never drop or
// rename in the same release), so the old Worker keeps working against the migrated database
// during the rollout and after a rollback (docs/DEPLOY.md).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unstable_readConfig } from 'wrangler';
import { deployCheck } from './deploy-check.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [env, ...flags] = process.argv.slice(2);
const dryRun = flags.includes('--dry-run');
if (env !== 'staging' && env !== 'production') {
  console.error('usage: npm run deploy -- <staging|production> [--dry-run]');
  process.exit(2);
}

const run = (args, opts = {}) => {
  console.log(`\n$ wrangler ${args.join(' ')}`);
  const r = spawnSync('wrangler', args, {
    cwd: root,
    stdio: opts.capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  if (r.status !== 0) {
    console.error(`\n✗ wrangler ${args[0]} failed (exit ${r.status}); nothing after this step ran.`);
    process.exit(r.status ?? 1);
  }
  return r.stdout ?? '';
};

// The environment's vars as wrangler resolves them, for the same rules the Worker applies at start.
const vars = unstable_readConfig({ config: join(root, 'wrangler.toml'), env }).vars ?? {};
const check = (secrets) => {
  const { errors, warnings } = deployCheck({ env, vars, secrets });
  for (const w of warnings) console.warn(`  ! ${w}`);
  if (errors.length) {
    console.error(
      `\n✗ ${env} would refuse to start, so nothing was deployed:\n${errors.map((e) => `  - ${e}`).join('\n')}\n  Set secrets with: npx wrangler secret put <NAME> --env ${env} (docs/DEPLOY.md)`,
    );
    process.exit(1);
  }
};
// Without an account the secrets are unknown: check what the vars alone decide.
check(null);

const build = spawnSync('node', ['scripts/build-client.mjs'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

if (dryRun) {
  // Everything that needs no account: the bundle builds and the configuration resolves.
  run(['deploy', '--dry-run', '--env', env, '--outdir', `.wrangler/dry-run-${env}`]);
  console.log(
    `\n✓ dry run for ${env}: bundle and bindings resolve. Without --dry-run: migrations on callastar-${env}, then deploy.`,
  );
  process.exit(0);
}

// The Worker refuses to serve without the secrets its environment needs: check before touching anything.
check(
  JSON.parse(run(['secret', 'list', '--env', env, '--format', 'json'], { capture: true }) || '[]').map((s) => s.name),
);

run(['d1', 'migrations', 'apply', 'DB', '--remote', '--env', env]);
run(['deploy', '--env', env]);
run(['deployments', 'list', '--env', env]);
console.log(`\n✓ deployed ${env}. Roll back the code with: npx wrangler rollback --env ${env} (docs/DEPLOY.md)`);
