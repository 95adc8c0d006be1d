/**
 * Whole-database snapshots for the hostile-input, authorization and security suites: every row of
 * every table (found in sqlite_master, so a table added later is covered without listing it), to
 * prove that a batch of refused requests changed nothing.
 */
import { testEnv } from './helpers';

export type Snapshot = Map<string, Set<string>>;

/** Append-only operational logs: refused requests may legitimately add rows (never change or remove any). */
export const APPEND_ONLY = ['logs'];

/** Every application table (SQLite/D1 internals and the migrations bookkeeping excluded). */
export async function tableNames(): Promise<string[]> {
  const { results } = await testEnv.DB.prepare(
    "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%' and name not like 'd1_%' order by name",
  ).all<{ name: string }>();
  return results.map((r) => r.name);
}

const stable = (row: Record<string, unknown>) =>
  JSON.stringify(
    Object.keys(row)
      .sort()
      .map((k) => [k, row[k] instanceof ArrayBuffer ? [...new Uint8Array(row[k] as ArrayBuffer)] : row[k]]),
  );

/** Every row of every table, as canonical JSON strings (tables in `only`, if given). */
export async function snapshot(only?: string[]): Promise<Snapshot> {
  const names = only ?? (await tableNames());
  const stmts = names.map((n) => testEnv.DB.prepare(`select * from "${n}"`));
  const results = await testEnv.DB.batch<Record<string, unknown>>(stmts);
  return new Map(names.map((n, i) => [n, new Set(results[i].results.map(stable))]));
}

export interface Change {
  table: string;
  added: string[];
  removed: string[];
}

/** What differs between two snapshots (a changed row shows as one removed and one added). */
export function diff(before: Snapshot, after: Snapshot): Change[] {
  const out: Change[] = [];
  for (const table of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(table) ?? new Set<string>();
    const b = after.get(table) ?? new Set<string>();
    const added = [...b].filter((r) => !a.has(r));
    const removed = [...a].filter((r) => !b.has(r));
    if (added.length || removed.length) out.push({ table, added, removed });
  }
  return out;
}

/**
 * The changes that matter: anything outside the append-only logs, and in the logs anything but
 * added rows. `allowedLogTypes` (if given) lists the log types refused requests may add.
 */
export function unexpectedChanges(changes: Change[], allowedLogTypes?: string[]): string[] {
  const out: string[] = [];
  for (const c of changes) {
    if (APPEND_ONLY.includes(c.table)) {
      if (c.removed.length) out.push(`${c.table}: ${c.removed.length} existing row(s) changed or removed`);
      if (allowedLogTypes) {
        for (const r of c.added) {
          const type = (JSON.parse(r) as [string, unknown][]).find(([k]) => k === 'type')?.[1] as string;
          if (!allowedLogTypes.includes(type)) out.push(`${c.table}: unexpected log ${type}: ${r.slice(0, 300)}`);
        }
      }
      continue;
    }
    out.push(
      `${c.table}: +${c.added.length} -${c.removed.length} ${[...c.removed.map((r) => `- ${r}`), ...c.added.map((r) => `+ ${r}`)].slice(0, 4).join(' | ').slice(0, 1200)}`,
    );
  }
  return out;
}

/** Log rows added between two snapshots, parsed. */
export function addedLogs(changes: Change[]): Record<string, unknown>[] {
  return changes
    .filter((c) => c.table === 'logs')
    .flatMap((c) => c.added.map((r) => Object.fromEntries(JSON.parse(r) as [string, unknown][])));
}
