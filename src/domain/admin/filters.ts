/** Small pieces shared by the admin lists: day ranges read in the admin's zone, safe LIKE patterns. */
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { dateFields, zonedToUtc } from '../../lib/tz';

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** "YYYY-MM-DD" (a date input) → the UTC instant of that local midnight in `tz`; null when malformed. */
export function localDayStart(value: string | undefined, tz: string, plusDays = 0): Date | null {
  const v = (value ?? '').trim();
  if (!DAY_RE.test(v)) return null;
  const [y, mo, d] = dateFields(v);
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  const day = new Date(Date.UTC(y, mo - 1, d + plusDays));
  const at = zonedToUtc(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), 0, 0, tz);
  return Number.isNaN(at.getTime()) ? null : at;
}

/** A date range from two date inputs, both days included: [from 00:00, the day after `to` 00:00) in `tz`. */
export function dayRange(from: string | undefined, to: string | undefined, tz: string): { from?: Date; to?: Date } {
  return { from: localDayStart(from, tz) ?? undefined, to: localDayStart(to, tz, 1) ?? undefined };
}

/**
 * `text` anywhere in `column`, case-insensitive for ASCII like LIKE, taken literally. Not LIKE: D1
 * refuses LIKE patterns over 50 bytes, so a longer search answered 500.
 */
export function contains(column: SQLWrapper, text: string): SQL {
  return sql`instr(lower(${column}), lower(${text})) > 0`;
}
