/** Prefixed, URL-safe random ids (`usr_…`, `bkg_…`): unguessable, sortable by nothing, readable in logs. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford-ish base32, no ambiguous letters

export const ID_PREFIXES = [
  'usr',
  'crt',
  'off',
  'req',
  'bkg',
  'pay',
  'ref',
  'dsp',
  'pyt',
  'pya',
  'led',
  'ltx',
  'rev',
  'ntf',
  'eml',
  'log',
  'cev',
  'cron',
  'aud',
  'tok',
  'apt',
  'avr',
  'avx',
  'out',
  'dbr',
  'orf',
] as const;
export type IdPrefix = (typeof ID_PREFIXES)[number];

/** `length` random characters of the id alphabet, for ids whose prefix is not an IdPrefix. */
export function randomChars(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = '';
  for (const b of bytes) out += ALPHABET[b & 31];
  return out;
}

export function randomId(prefix: IdPrefix, length = 20): string {
  return `${prefix}_${randomChars(length)}`;
}

export interface Ids {
  next(prefix: IdPrefix): string;
}

export const randomIds: Ids = { next: (prefix) => randomId(prefix) };
