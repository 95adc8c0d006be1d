/** Locale-aware formatting with Intl: money by locale, instants in the viewer's time zone. */
import type { Locale } from '../db/schema';

const tag = (locale: Locale) => (locale === 'fr' ? 'fr-FR' : 'en-US');
const nfCache = new Map<string, Intl.NumberFormat>();
const dfCache = new Map<string, Intl.DateTimeFormat>();

function numberFormat(locale: Locale, currency: string): Intl.NumberFormat {
  const key = `${locale}|${currency}`;
  let nf = nfCache.get(key);
  if (!nf) {
    nf = new Intl.NumberFormat(tag(locale), { style: 'currency', currency });
    nfCache.set(key, nf);
  }
  return nf;
}

const digitsCache = new Map<string, number>();

/** Number of minor-unit digits of a currency (2 for EUR/CHF/USD/GBP, 0 for JPY…). Remembered: building an Intl formatter is the cost. */
export function currencyDigits(currency: string): number {
  let d = digitsCache.get(currency);
  if (d === undefined) {
    d = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    if (digitsCache.size < 512) digitsCache.set(currency, d);
  }
  return d;
}

/** 10000 EUR → "100,00 €" (fr) / "€100.00" (en). */
export function formatMoney(amountMinor: number, currency: string, locale: Locale): string {
  return numberFormat(locale, currency).format(amountMinor / 10 ** currencyDigits(currency));
}

/** "12.50" (major units, as typed in a form) → 1250 minor units; null when not a valid amount. */
export function parseMajorAmount(input: string, currency: string): number | null {
  const s = input.trim().replace(/\s/g, '').replace(',', '.');
  const digits = currencyDigits(currency);
  if (!/^\d{1,9}(\.\d+)?$/.test(s)) return null;
  const [int, frac = ''] = s.split('.');
  if (frac.length > digits) return null;
  return Number(int) * 10 ** digits + Number(frac.padEnd(digits, '0') || '0');
}

/** Minor units → a plain decimal string for form fields ("12.50"). */
export function toMajorString(amountMinor: number, currency: string): string {
  const digits = currencyDigits(currency);
  return digits === 0 ? String(amountMinor) : (amountMinor / 10 ** digits).toFixed(digits);
}

type DateStyle = 'full' | 'long' | 'medium' | 'short';

function dateFormat(locale: Locale, timeZone: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${JSON.stringify(opts)}`;
  let df = dfCache.get(key);
  if (!df) {
    if (dfCache.size > 500) dfCache.clear();
    df = new Intl.DateTimeFormat(tag(locale), { timeZone, ...opts });
    dfCache.set(key, df);
  }
  return df;
}

/** "samedi 21 novembre 2026 à 14:30 UTC+1" style, in the viewer's zone (DST-correct via Intl). */
export function formatDateTime(d: Date, locale: Locale, timeZone: string, style: DateStyle = 'long'): string {
  return dateFormat(locale, safeZone(timeZone), { dateStyle: style, timeStyle: 'short' }).format(d);
}

export function formatDate(d: Date, locale: Locale, timeZone: string, style: DateStyle = 'long'): string {
  return dateFormat(locale, safeZone(timeZone), { dateStyle: style }).format(d);
}

export function formatTime(d: Date, locale: Locale, timeZone: string): string {
  return dateFormat(locale, safeZone(timeZone), { hour: '2-digit', minute: '2-digit' }).format(d);
}

/** "14:30:05": an instant to the second (call times). */
export function formatTimeSeconds(d: Date, locale: Locale, timeZone: string): string {
  return dateFormat(locale, safeZone(timeZone), { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(d);
}

/** The zone's short name at that instant ("CET", "EDT", "GMT+1"). */
export function zoneName(d: Date, locale: Locale, timeZone: string): string {
  const parts = dateFormat(locale, safeZone(timeZone), { timeZoneName: 'short' }).formatToParts(d);
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
}

/** 90 → "1 h 30 min" / "1 h 30 min"; 45 → "45 min". */
export function formatDuration(minutes: number, locale: Locale): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h && m) return locale === 'fr' ? `${h} h ${m} min` : `${h} h ${m} min`;
  if (h) return `${h} h`;
  return `${m} min`;
}

const zoneCache = new Map<string, boolean>();

/**
 * True when `tz` is an IANA zone this runtime knows. Remembered per isolate (bounded: the input can
 * come from a cookie), since every date formatted on a page asks.
 */
export function isValidTimeZone(tz: string): boolean {
  if (!tz || tz.length > 64) return false;
  const known = zoneCache.get(tz);
  if (known !== undefined) return known;
  let ok = true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    ok = false;
  }
  if (zoneCache.size < 1024) zoneCache.set(tz, ok);
  return ok;
}

function safeZone(tz: string): string {
  return isValidTimeZone(tz) ? tz : 'UTC';
}

/** Every IANA zone the runtime supports (for pickers). */
export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  return intl.supportedValuesOf
    ? intl.supportedValuesOf('timeZone')
    : ['Europe/Paris', 'Europe/London', 'Europe/Zurich', 'America/New_York', 'UTC'];
}
