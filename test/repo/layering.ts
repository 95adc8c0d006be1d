/**
 * The import rules of the layering (docs/ARCHITECTURE.md), checked from the source text: every
 * `import`/`export … from`/`import()` of a file under src/ or client/ is resolved to the file it
 * names, and the pair (importer's layer, imported layer) is judged by RULES. Type-only imports count:
 * a type that crosses a layer is a dependency too.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/** A layer is named by the path of its folder, relative to the repository root. */
export type Layer = string;

export interface Rule {
  /** The importing layer (a path prefix). */
  from: string;
  /** Layers it may not import (path prefixes), with the reason shown on a violation. */
  never: string[];
  /** Exceptions inside `never` (path prefixes still allowed: a provider's port is not concrete). */
  except?: string[];
  /** Packages it may not import (a bare specifier or its subpaths: `drizzle-orm` covers `drizzle-orm/d1`). */
  packages?: string[];
  why: string;
}

const CONCRETE_PROVIDERS = ['src/providers/'];
const PORTS = [
  'src/providers/payments/port',
  'src/providers/video/port',
  'src/providers/email/port',
  'src/providers/google/port',
];

export const RULES: Rule[] = [
  {
    from: 'src/domain/',
    never: ['src/http/', 'src/api/', 'src/pages/', 'src/durable/', ...CONCRETE_PROVIDERS],
    except: PORTS,
    why: 'the domain decides; HTTP, pages, Durable Objects and concrete providers call it, not the reverse (ports are fine)',
  },
  {
    from: 'src/providers/',
    never: ['src/domain/'],
    why: 'a provider adapts an external API; it knows nothing of the rules',
  },
  { from: 'src/pages/', never: ['src/api/'], why: 'pages and API are siblings: both call the domain' },
  {
    from: 'src/pages/',
    never: ['src/db/'],
    packages: ['drizzle-orm'],
    why: 'pages read through named domain queries; row types come from src/domain/rows.ts, enums from src/shared/enums.ts',
  },
  { from: 'src/api/', never: ['src/pages/'], why: 'pages and API are siblings: both call the domain' },
  {
    from: 'client/',
    never: ['src/db/', 'src/domain/', 'src/providers/'],
    why: 'browser code gets shared DTOs, never server code',
  },
  {
    from: 'src/jobs/registry',
    never: ['src/jobs/', 'src/db/'],
    why: 'a job body is a domain function (src/domain/<area>/): jobs/ only schedules, queues and runs it',
  },
  {
    from: 'src/shared/',
    never: ['src/db/'],
    why: 'shared code runs in the browser too: it takes enums from src/shared/enums.ts',
  },
];

export interface Violation {
  file: string;
  imports: string;
  why: string;
}

const SOURCE = /\.(ts|tsx|mts|mjs|js)$/;
const SPECIFIER =
  /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

/** The relative specifiers a source text imports (package imports are not layers). */
export function specifiers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(SPECIFIER)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec?.startsWith('.')) out.push(spec);
  }
  return out;
}

/** The package specifiers a source text imports (`drizzle-orm/d1`, `zod`): not layers, but some are banned. */
export function packages(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(SPECIFIER)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec && !spec.startsWith('.')) out.push(spec);
  }
  return out;
}

/** `spec` imported by `file` (both relative to the root), as a root-relative path with its extension when known. */
export function resolve(file: string, spec: string, exists: (path: string) => boolean): string {
  const base = normalize(join(dirname(file), spec));
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, `${base}.mjs`, join(base, 'index.ts')]) {
    if (exists(candidate)) return candidate;
  }
  return base;
}

/** Judges every import of `files` (root-relative path → source text). */
export function check(
  files: Map<string, string>,
  exists: (path: string) => boolean = (p) => files.has(p),
): Violation[] {
  const out: Violation[] = [];
  for (const [file, text] of files) {
    const rules = RULES.filter((r) => file.startsWith(r.from));
    if (!rules.length) continue;
    for (const spec of packages(text)) {
      for (const r of rules) {
        if (r.packages?.some((p) => spec === p || spec.startsWith(`${p}/`)))
          out.push({ file, imports: spec, why: r.why });
      }
    }
    for (const spec of specifiers(text)) {
      const target = resolve(file, spec, exists);
      for (const r of rules) {
        const banned = r.never.some((n) => target.startsWith(n)) && !r.except?.some((e) => target.startsWith(e));
        if (banned) out.push({ file, imports: target, why: r.why });
      }
    }
  }
  return out;
}

/** Every source file under `dirs` of `root`, as root-relative path → text. */
export function readTree(root: string, dirs: string[]): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(join(root, dir))) {
      const path = join(dir, name);
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (SOURCE.test(name) && !name.endsWith('.d.ts'))
        files.set(relative('.', path), readFileSync(join(root, path), 'utf8'));
    }
  };
  for (const d of dirs) walk(d);
  return files;
}

/** Durable Object namespaces: only src/deps.ts turns them into stubs (`deps.rooms`), so tests and objects share one way in. */
const OBJECT_BINDING = /\benv\.(OFFER_ROOM|CREATOR_CALENDAR|CALL_ROOM|SOCKET_QUOTA)\b/;
export const BINDINGS_HOME = 'src/deps.ts';

/** The files outside deps.ts that reach a Durable Object namespace on `env` directly. */
export function objectBindingReads(files: Map<string, string>): string[] {
  return [...files].filter(([path, text]) => path !== BINDINGS_HOME && OBJECT_BINDING.test(text)).map(([p]) => p);
}
