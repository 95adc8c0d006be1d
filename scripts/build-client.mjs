// Builds the client islands (Preact, ESM, code-split so Preact is shared) and copies CSS/static files
// into public/static, served by Workers static assets.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'public', 'static');
const watch = process.argv.includes('--watch');

if (!watch) rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const islands = readdirSync(join(root, 'client', 'islands'), { withFileTypes: true })
  .filter((f) => f.isFile() && /\.(ts|tsx)$/.test(f.name))
  .map((f) => join(root, 'client', 'islands', f.name));

const options = {
  entryPoints: [join(root, 'client', 'app.ts'), ...islands, join(root, 'client', 'styles', 'app.css')],
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  minify: true,
  sourcemap: false,
  target: ['chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  chunkNames: 'chunks/[name]-[hash]',
  entryNames: '[name]',
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
};

cpSync(join(root, 'client', 'public'), out, { recursive: true });
// Short caching: names are stable; ETags let browsers revalidate cheaply.
writeFileSync(
  join(root, 'public', '_headers'),
  '/static/*\n  Cache-Control: public, max-age=300, stale-while-revalidate=86400\n',
);

if (watch) {
  const { context } = await import('esbuild');
  const ctx = await context(options);
  await ctx.watch();
  console.log('[client] watching client/ …');
} else {
  const result = await build(options);
  const files = Object.entries(result.metafile.outputs).map(([f, o]) => `${f.replace(`${root}/`, '')} ${o.bytes} B`);
  console.log(`[client] built ${files.length} files into public/static`);
}
