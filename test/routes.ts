/** Every route of the app, for the suites that go through all of them (documentation, access, hostile input). */
import { createApp } from '../src/app';
import { registry } from '../src/http/route';
import { ID_PREFIXES } from '../src/lib/ids';

export const app = createApp(); // also populates the API route registry

const CANDIDATES = ID_PREFIXES.map((p) => `${p}_aaaaaaaaaaaaaaaaaaaa`).concat([
  'profile',
  'some-slug',
  '2026-01-01',
  '1',
]);

/** A path with every parameter filled by a value its schema accepts (so the body is what gets tested). */
export function fillPath(spec: { path: string; params?: unknown }): string {
  const shape =
    (spec.params as { shape?: Record<string, { safeParse(v: unknown): { success: boolean } }> } | undefined)?.shape ??
    {};
  return spec.path.replace(/:(\w+)(\{[^}]*\})?/g, (_m, name: string) => {
    const schema = shape[name];
    return (schema && CANDIDATES.find((v) => schema.safeParse(v).success)) || 'x';
  });
}

export const apiSpecs = () => [...registry.values()];

/**
 * The GET pages under /:lang, with parameters filled: `{a|b}` alternatives take their first choice,
 * ids (and `{prefix_[0-9a-z]+}` patterns) a well-formed id that exists nowhere.
 */
export function pagePaths(): string[] {
  const out = new Set<string>();
  for (const r of app.routes) {
    if (r.method !== 'GET' || !r.path.startsWith('/:lang{fr|en}/')) continue;
    out.add(
      r.path
        .replace(/^\/:lang\{fr\|en\}/, '/en')
        .replace(/:(\w+)(\{([^}]*)\})?/g, (_m, name: string, _g, alt?: string) => {
          if (alt && /^[\w.-]+(\|[\w.-]+)*$/.test(alt)) return alt.split('|')[0];
          // An id pattern such as `{pyt_[0-9a-z]+}`: a well-formed id with that prefix.
          const prefix = alt?.match(/^([a-z_]+_)\[/)?.[1];
          if (prefix) return `${prefix}aaaaaaaaaaaaaaaaaaaa`;
          return name === 'slug' ? 'nobody-here' : `${name === 'bookingId' ? 'bkg' : 'x'}_aaaaaaaaaaaaaaaaaaaa`;
        }),
    );
  }
  return [...out].sort();
}
