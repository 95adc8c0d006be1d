/**
 * The reads of a creator's planning: their bookings filtered by status, in a span of time or a page
 * of a list, the counts that matter, and the published offers nobody has booked yet.
 */
import { and, asc, desc, eq, gt, gte, inArray, lt, lte, notInArray, sql, type SQL } from 'drizzle-orm';
import { appointmentTypes, bookings, callOffers, users } from '../../db/schema';
import { one } from '../../db/one';
import type { Deps } from '../../deps';
import type { BookingStatus, CALL_OUTCOMES, Currency } from '../../shared/enums';

export const PLANNING_FILTERS = ['all', 'upcoming', 'past', 'pending', 'completed', 'cancelled'] as const;
export type PlanningFilter = (typeof PLANNING_FILTERS)[number];
/** Holds that were never paid are not part of anyone's planning. */
const ABANDONED: BookingStatus[] = ['EXPIRED', 'FAILED'];

/** A booking as the planning shows it. */
export type PlanningRow = {
  id: string;
  status: BookingStatus;
  startsAt: Date;
  endsAt: Date;
  price: number;
  currency: Currency;
  title: string;
  fan: string;
  color: string | null;
  outcome: (typeof CALL_OUTCOMES)[number] | null;
};

/** Which bookings to show: a planning filter, or exactly these statuses. */
export type PlanningSelection = PlanningFilter | readonly BookingStatus[];

/** The condition a selection puts on a creator's bookings. */
function selectionWhere(which: PlanningSelection, now: Date): SQL | undefined {
  if (typeof which !== 'string') return inArray(bookings.status, [...which]);
  switch (which) {
    case 'upcoming':
      return and(eq(bookings.status, 'CONFIRMED'), gt(bookings.endsAt, now));
    case 'past':
      return and(inArray(bookings.status, ['CONFIRMED', 'COMPLETED']), lte(bookings.endsAt, now));
    case 'pending':
      return eq(bookings.status, 'PENDING');
    case 'completed':
      return eq(bookings.status, 'COMPLETED');
    case 'cancelled':
      return eq(bookings.status, 'CANCELLED');
    default:
      return notInArray(bookings.status, ABANDONED);
  }
}

/** Total, upcoming, completed, cancelled — one query. */
export async function planningStats(deps: Pick<Deps, 'db'>, creatorId: string, now: Date) {
  const row = await deps.db
    .select({
      total: sql<number>`coalesce(sum(case when ${bookings.status} not in ('EXPIRED','FAILED') then 1 else 0 end), 0)`,
      upcoming: sql<number>`coalesce(sum(case when ${bookings.status} = 'CONFIRMED' and ${bookings.endsAt} > ${now.getTime()} then 1 else 0 end), 0)`,
      completed: sql<number>`coalesce(sum(case when ${bookings.status} = 'COMPLETED' then 1 else 0 end), 0)`,
      cancelled: sql<number>`coalesce(sum(case when ${bookings.status} = 'CANCELLED' then 1 else 0 end), 0)`,
    })
    .from(bookings)
    .where(eq(bookings.creatorId, creatorId))
    .get();
  return row ?? { total: 0, upcoming: 0, completed: 0, cancelled: 0 };
}

const rowFields = {
  id: bookings.id,
  status: bookings.status,
  startsAt: bookings.startsAt,
  endsAt: bookings.endsAt,
  price: bookings.price,
  currency: bookings.currency,
  title: callOffers.title,
  fan: users.name,
  color: appointmentTypes.color,
  outcome: bookings.outcome,
};

function baseQuery(deps: Pick<Deps, 'db'>) {
  return deps.db
    .select(rowFields)
    .from(bookings)
    .innerJoin(callOffers, eq(callOffers.id, bookings.offerId))
    .innerJoin(users, eq(users.id, bookings.userId))
    .leftJoin(appointmentTypes, eq(appointmentTypes.id, callOffers.appointmentTypeId));
}

/** A creator's bookings starting in [from, to), soonest first. */
export async function bookingsBetween(
  deps: Pick<Deps, 'db'>,
  creatorId: string,
  from: Date,
  to: Date,
  which: PlanningSelection,
  now: Date,
): Promise<PlanningRow[]> {
  return baseQuery(deps)
    .where(
      and(
        eq(bookings.creatorId, creatorId),
        gte(bookings.startsAt, from),
        lt(bookings.startsAt, to),
        selectionWhere(which, now),
      ),
    )
    .orderBy(asc(bookings.startsAt))
    .limit(500)
    .all() as Promise<PlanningRow[]>;
}

/**
 * One page of a creator's bookings under a filter, and how many there are in all. The upcoming and
 * pending lists read soonest first; the others newest first.
 */
export async function bookingsPage(
  deps: Pick<Deps, 'db'>,
  creatorId: string,
  filter: PlanningFilter,
  now: Date,
  page: { number: number; size: number },
): Promise<{ rows: PlanningRow[]; total: number }> {
  const soonestFirst = filter === 'upcoming' || filter === 'pending';
  const base = and(eq(bookings.creatorId, creatorId), selectionWhere(filter, now));
  const [rows, counted] = await Promise.all([
    baseQuery(deps)
      .where(base)
      .orderBy(soonestFirst ? asc(bookings.startsAt) : desc(bookings.startsAt))
      .limit(page.size)
      .offset((page.number - 1) * page.size)
      .all() as Promise<PlanningRow[]>,
    deps.db.select({ n: sql<number>`count(*)` }).from(bookings).where(base).all(),
  ]);
  return { rows, total: one(counted, 'the bookings count').n };
}

/** How many confirmed calls a creator has starting in [from, to). */
export async function confirmedCount(deps: Pick<Deps, 'db'>, creatorId: string, from: Date, to: Date) {
  const { n } = one(
    await deps.db
      .select({ n: sql<number>`count(*)` })
      .from(bookings)
      .where(
        and(
          eq(bookings.creatorId, creatorId),
          eq(bookings.status, 'CONFIRMED'),
          gte(bookings.startsAt, from),
          lt(bookings.startsAt, to),
        ),
      )
      .all(),
    'the later bookings count',
  );
  return n;
}

/** A published offer nobody has booked yet. */
export type OpenOffer = { id: string; title: string; startsAt: Date };

/** Published offers nobody has booked yet, in [from, to): the free side of the calendar. */
export async function openOffersBetween(
  deps: Pick<Deps, 'db'>,
  creatorId: string,
  from: Date,
  to: Date,
): Promise<OpenOffer[]> {
  return deps.db
    .select({ id: callOffers.id, title: callOffers.title, startsAt: callOffers.startsAt })
    .from(callOffers)
    .where(
      and(
        eq(callOffers.creatorId, creatorId),
        eq(callOffers.status, 'AVAILABLE'),
        gte(callOffers.startsAt, from),
        lt(callOffers.startsAt, to),
      ),
    )
    .orderBy(asc(callOffers.startsAt))
    .limit(500)
    .all();
}
