/**
 * Call reminders, 24 h, 1 h and 15 min before, to both people. Each kind has an exact window —
 * [start − 24 h, start − 1 h), [start − 1 h, start − 15 min), [start − 15 min, start) — so a run that
 * comes late (a missed cron) still sends the reminder that is due, and never one that another
 * replaced. A booking confirmed after a reminder's time does not get it (its confirmation says it
 * all). Each (booking, kind, person, start) is sent once: the row is claimed before the email, and
 * released if telling the person fails (the next run tries again). A reschedule changes the start,
 * which re-arms the reminders.
 *
 * "Due" is decided in SQL, claimed reminders excluded: a booking whose current reminder went to both
 * people is not listed again, so each 5-minute run only sees what is left to send and fans out
 * through the queue only when more than FANOUT_THRESHOLD bookings really are due.
 */
import { and, eq, gt, inArray, lte, or, sql } from 'drizzle-orm';
import { bookingReminders, bookings, callOffers, creators, users } from '../../db/schema';
import type { Deps } from '../../deps';
import { HOUR, MINUTE } from '../../lib/clock';
import { tell } from './tell';

export const REMINDERS = [
  { kind: '24h', before: 24 * HOUR, until: HOUR },
  { kind: '1h', before: HOUR, until: 15 * MINUTE },
  { kind: '15m', before: 15 * MINUTE, until: 0 },
] as const;
export type ReminderKind = (typeof REMINDERS)[number]['kind'];

/** A confirmation a few minutes after a reminder's time still counts as "before" (clock skew, slow webhook). */
export const CONFIRM_GRACE = 5 * MINUTE;
/** More than this many due at once: fan out through the jobs queue in chunks. */
export const FANOUT_THRESHOLD = 100;
export const CHUNK = 50;

/** Pure: which reminder is due for this booking at `now` (at most one: the windows do not overlap). */
export function dueReminder(b: { startsAt: Date; confirmedAt: Date | null }, now: Date): ReminderKind | null {
  const s = b.startsAt.getTime();
  const t = now.getTime();
  for (const r of REMINDERS) {
    const dueAt = s - r.before;
    if (t >= dueAt && t < s - r.until && (b.confirmedAt?.getTime() ?? 0) <= dueAt + CONFIRM_GRACE) return r.kind;
  }
  return null;
}

/**
 * Confirmed bookings with a reminder due at `tick` that has not yet gone to both people (ids only).
 * The same windows as dueReminder, in SQL: start − before ≤ tick < start − until, confirmed by
 * start − before + grace, and fewer than two claims for (booking, kind, start).
 */
export async function dueBookings(deps: Deps, tick: Date): Promise<string[]> {
  const t = tick.getTime();
  const windows = REMINDERS.map((r) =>
    and(
      lte(bookings.startsAt, new Date(t + r.before)),
      gt(bookings.startsAt, new Date(t + r.until)),
      sql`coalesce(${bookings.confirmedAt}, 0) <= ${bookings.startsAt} - ${r.before - CONFIRM_GRACE}`,
      sql`(select count(*) from ${bookingReminders} where ${bookingReminders.bookingId} = ${bookings.id} and ${bookingReminders.kind} = ${r.kind} and ${bookingReminders.startsAt} = ${bookings.startsAt}) < 2`,
    ),
  );
  const rows = await deps.db
    .select({ id: bookings.id })
    .from(bookings)
    .where(
      and(
        eq(bookings.status, 'CONFIRMED'),
        gt(bookings.startsAt, tick),
        lte(bookings.startsAt, new Date(t + 24 * HOUR)),
        or(...windows),
      ),
    )
    .orderBy(bookings.startsAt)
    .all();
  return rows.map((b) => b.id);
}

/** Sends the due reminder of each booking to its fan and creator, once. Returns how many were sent. */
export async function sendReminders(deps: Deps, bookingIds: string[], tick: Date): Promise<number> {
  if (!bookingIds.length) return 0;
  const rows = await deps.db
    .select({
      b: bookings,
      title: callOffers.title,
      creatorName: creators.displayName,
      creatorUserId: creators.userId,
      fanName: users.name,
    })
    .from(bookings)
    .innerJoin(callOffers, eq(callOffers.id, bookings.offerId))
    .innerJoin(creators, eq(creators.id, bookings.creatorId))
    .innerJoin(users, eq(users.id, bookings.userId))
    .where(inArray(bookings.id, bookingIds))
    .all();
  let sent = 0;
  for (const { b, title, creatorName, creatorUserId, fanName } of rows) {
    // Re-checked here: cancelled since it was listed, or no longer due.
    const kind = b.status === 'CONFIRMED' ? dueReminder(b, tick) : null;
    if (!kind) continue;
    for (const [userId, other] of [
      [b.userId, creatorName],
      [creatorUserId, fanName],
    ] as const) {
      const claim = and(
        eq(bookingReminders.bookingId, b.id),
        eq(bookingReminders.kind, kind),
        eq(bookingReminders.userId, userId),
        eq(bookingReminders.startsAt, b.startsAt),
      );
      const claimed = await deps.db
        .insert(bookingReminders)
        .values({ bookingId: b.id, kind, userId, startsAt: b.startsAt, sentAt: deps.clock.now() })
        .onConflictDoNothing()
        .returning({ bookingId: bookingReminders.bookingId });
      if (!claimed.length) continue;
      try {
        await tell(deps, userId, {
          notification: {
            type: 'REMINDER',
            params: { kind, title, other, startsAt: b.startsAt.toISOString() },
            link: `/call/${b.id}`,
          },
          email: {
            template: 'booking_reminder',
            key: `booking:${b.id}:reminder:${kind}:${b.startsAt.getTime()}`,
            // bookingId + startsAt let delivery skip it if the call is cancelled, moved or started by then.
            data: (u) => ({
              kind,
              bookingId: b.id,
              title,
              other,
              startsAt: b.startsAt.toISOString(),
              endsAt: b.endsAt.toISOString(),
              callUrl: `${deps.config.appUrl}/${u.locale}/call/${b.id}`,
              bookingUrl: `${deps.config.appUrl}/${u.locale}/bookings/${b.id}`,
            }),
          },
        });
      } catch (e) {
        // Not told: release the claim so the next run (or the chunk's retry) tries again.
        await deps.db.delete(bookingReminders).where(claim);
        throw e;
      }
      sent++;
    }
  }
  return sent;
}

export interface ReminderChunk {
  job: 'reminders';
  tick: number;
  bookingIds: string[] /** 1-based; the chunk's cron-run row. */;
  part?: number;
}

/** The 5-minute job: small batches inline, large ones fanned out through the jobs queue. */
export async function reminderJob(deps: Deps, tick: Date): Promise<Record<string, number>> {
  const ids = await dueBookings(deps, tick);
  if (ids.length <= FANOUT_THRESHOLD) return { due: ids.length, sent: await sendReminders(deps, ids, tick), chunks: 0 };
  const chunks: ReminderChunk[] = [];
  for (let i = 0; i < ids.length; i += CHUNK)
    chunks.push({
      job: 'reminders',
      tick: tick.getTime(),
      part: chunks.length + 1,
      bookingIds: ids.slice(i, i + CHUNK),
    });
  // sendBatch takes at most 100 messages per call.
  for (let i = 0; i < chunks.length; i += 100)
    await deps.queues.jobs.sendBatch(chunks.slice(i, i + 100).map((body) => ({ body })));
  return { due: ids.length, sent: 0, chunks: chunks.length };
}
