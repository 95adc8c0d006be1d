/** Reusable zod building blocks for API inputs and outputs (shared by worker and client). */
import { z } from 'zod';
import { CURRENCIES, LOCALES } from './enums';
import { LINE_BREAKING } from '../lib/text';

export const Email = z.string().trim().toLowerCase().pipe(z.email('Enter a valid email address.').max(254));
export const LocaleSchema = z.enum(LOCALES);
export const CurrencySchema = z.enum(CURRENCIES);
export const IsoDateTime = z.iso.datetime({
  offset: true,
  message: 'Use an ISO 8601 date-time, e.g. 2026-12-01T18:00:00Z.',
});
/** A non-negative integer amount in minor units (cents), bounded to keep sums far from 2^53. */
export const MinorAmount = z.number().int('Amounts are integers in minor units (cents).').min(0).max(100_000_000);
export const IdParam = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}_[0-9a-z]{6,40}$`), `Expected a ${prefix}_… id.`);
export const PageQuery = z.coerce.number().int().min(1).max(10_000).default(1);

/** An IANA time zone known to the runtime. */
export const TimeZone = z
  .string()
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return tz.length > 0;
    } catch {
      return false;
    }
  }, 'Unknown time zone (use an IANA name such as Europe/Paris).');

/**
 * One line of plain text — every name, title, label and reason: trimmed, and without control
 * characters or line breaks (they would reach .ics lines and email headers).
 */
export const SingleLineText = (min: number, max: number) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine((s) => !LINE_BREAKING.test(s), 'Use a single line, without control characters.');

export const Money = z.object({ amount: MinorAmount, currency: CurrencySchema });
