/**
 * Payout schedule arithmetic, one pure function. Slots are wall-clock times in the creator's zone
 * (06:00 every day, or every chosen weekday), so DST changes and month ends fall out of the
 * calendar; the next slot is computed from the schedule, never as "last run + 1 day", so a late
 * or missed run does not drift the dates and never adds catch-up payouts.
 */
import type { Creator } from '../../db/schema';
import { localParts, zonedToUtc } from '../../lib/tz';

export const PAYOUT_LOCAL_HOUR = 6;

/** The first slot strictly after `after`; null for MANUAL. weekday: 0 = Sunday … 6 = Saturday. */
export function nextPayoutSlot(
  s: Pick<Creator, 'payoutSchedule' | 'payoutWeekday'>,
  after: Date,
  timeZone: string,
): Date | null {
  if (s.payoutSchedule === 'MANUAL') return null;
  const today = localParts(after, timeZone);
  for (let i = 0; i <= 8; i++) {
    // Calendar arithmetic on the local date (Date.UTC rolls month and year ends over).
    const d = new Date(Date.UTC(today.year, today.month - 1, today.day + i));
    if (s.payoutSchedule === 'WEEKLY' && d.getUTCDay() !== s.payoutWeekday) continue;
    const slot = zonedToUtc(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), PAYOUT_LOCAL_HOUR, 0, timeZone);
    if (slot.getTime() > after.getTime()) return slot;
  }
  throw new Error('unreachable: a slot exists within 8 days');
}
