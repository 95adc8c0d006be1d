/** Translations: French (default) and English. Every user-facing string lives in fr.json / en.json. */
import type { Locale } from '../db/schema';
import { LOCALES } from '../db/schema';
import en from './en.json';
import fr from './fr.json';

type Dict = typeof fr;
type Paths<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Paths<T[K], `${P}${K}.`>;
}[keyof T & string];

/** A dotted key of fr.json (en.json has the same keys: a test checks it). */
export type MessageKey = Paths<Dict>;
export type Params = Record<string, string | number>;
export type T = (key: MessageKey, params?: Params) => string;

const dicts: Record<Locale, unknown> = { fr, en };
export const DEFAULT_LOCALE: Locale = 'fr';

export function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v);
}

function lookup(dict: unknown, key: string): string | undefined {
  let node: unknown = dict;
  for (const part of key.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string' ? node : undefined;
}

/** `t('fr', 'auth.welcome', { name })` — `{name}` placeholders are replaced; unknown keys show the key. */
export function translate(locale: Locale, key: MessageKey, params?: Params): string {
  const raw = lookup(dicts[locale], key) ?? lookup(dicts[DEFAULT_LOCALE], key) ?? key;
  if (!params) return raw;
  return raw.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** Every message under `prefix` ("call" → { "waiting.heading": "…", … }), for a client island's labels. */
export function messagesUnder(locale: Locale, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (node: unknown, path: string) => {
    if (typeof node === 'string') out[path] = node;
    else if (node && typeof node === 'object')
      for (const [k, v] of Object.entries(node)) walk(v, path ? `${path}.${k}` : k);
  };
  const root = prefix
    .split('.')
    .reduce<unknown>(
      (n, part) => (n && typeof n === 'object' ? (n as Record<string, unknown>)[part] : undefined),
      dicts[locale],
    );
  walk(root, '');
  return out;
}

export function translator(locale: Locale): T {
  return (key, params) => translate(locale, key, params);
}

/** Best locale from an Accept-Language header, or null. */
export function localeFromAcceptLanguage(header: string | null | undefined): Locale | null {
  if (!header) return null;
  const ranked = header
    .split(',')
    .map((part) => {
      const [tagPart = '', ...rest] = part.trim().split(';');
      const q = rest.find((r) => r.trim().startsWith('q='));
      return { lang: tagPart.trim().slice(0, 2).toLowerCase(), q: q ? Number(q.split('=')[1]) : 1 };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { lang } of ranked) if (isLocale(lang)) return lang;
  return null;
}

/** All keys of a nested dictionary, dotted (used by the parity test). */
export function allKeys(dict: unknown, prefix = ''): string[] {
  if (dict === null || typeof dict !== 'object') return [prefix];
  return Object.entries(dict).flatMap(([k, v]) => allKeys(v, prefix ? `${prefix}.${k}` : k));
}

export const dictionaries = { fr, en };
