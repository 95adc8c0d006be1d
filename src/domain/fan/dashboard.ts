/**
 * The fan's dashboard: counts for the home, upcoming calls, past calls with how they ended and
 * whether they were reviewed, requests by status. Each page is one round trip to D1 (a `db.batch`
 * where it needs several statements). A fan only ever reads rows where they are the booking's fan.
 */
import { and, asc, desc, eq, gt, isNotNull, lte, or, sql, type SQL } from 'drizzle-orm';
import {
  bookings,
  callOffers,
  callRequests,
  creators,
  payments,
  reviews,
  REQUEST_STATUSES,
  type Booking,
  type CallRequest,
} from '../../db/schema';
import { one } from '../../db/one';
import type { Deps } from '../../deps';
import { callTookPlace } from '../reviews/reviews';
import { loadCallParties } from '../calls/access';

type CallOutcome = NonNullable<Booking['outcome']>;
type RequestStatus = CallRequest['status'];

export const HISTORY_PAGE_SIZE = 20;
const UPCOMING_LIMIT = 200;

/** A call as the fan's lists show it: the booking, its offer, its creator, money back, the review. */
export interface FanCall {
  id: string;
  status: Booking['status'];
  outcome: CallOutcome | null;
  startsAt: Date;
  endsAt: Date;
  holdExpiresAt: Date | null;
  price: number;
  currency: Booking['currency'];
  cancellationPolicy: Booking['cancellationPolicy'];
  cancelledBy: Booking['cancelledBy'];
  title: string;
  durationMinutes: number;
  creator: { id: string; name: string; slug: string; imageKey: string | null };
  refunded: number;
  review: { rating: number } | null;
}

const callFields = {
  id: bookings.id,
  status: bookings.status,
  outcome: bookings.outcome,
  startsAt: bookings.startsAt,
  endsAt: bookings.endsAt,
  holdExpiresAt: bookings.holdExpiresAt,
  price: bookings.price,
  currency: bookings.currency,
  cancellationPolicy: bookings.cancellationPolicy,
  cancelledBy: bookings.cancelledBy,
  title: callOffers.title,
  durationMinutes: callOffers.durationMinutes,
  // bookings.creator_id, not creators.id: D1 batches key result columns by name, and two "id" would collide.
  creatorId: bookings.creatorId,
  creatorName: creators.displayName,
  creatorSlug: creators.slug,
  creatorImage: creators.profileImageKey,
  refunded: payments.refundedAmount,
  rating: reviews.rating,
};

function toCall(x: CallRow): FanCall {
  return {
    id: x.id,
    status: x.status,
    outcome: x.outcome,
    startsAt: x.startsAt,
    endsAt: x.endsAt,
    holdExpiresAt: x.holdExpiresAt,
    price: x.price,
    currency: x.currency,
    cancellationPolicy: x.cancellationPolicy,
    cancelledBy: x.cancelledBy,
    title: x.title,
    durationMinutes: Math.round((x.endsAt.getTime() - x.startsAt.getTime()) / 60_000) || x.durationMinutes,
    creator: { id: x.creatorId, name: x.creatorName, slug: x.creatorSlug, imageKey: x.creatorImage },
    refunded: x.refunded ?? 0,
    review: x.rating === null ? null : { rating: x.rating },
  };
}

function callsQuery(deps: Pick<Deps, 'db'>, where: SQL | undefined) {
  return deps.db
    .select(callFields)
    .from(bookings)
    .innerJoin(callOffers, eq(callOffers.id, bookings.offerId))
    .innerJoin(creators, eq(creators.id, bookings.creatorId))
    .leftJoin(payments, eq(payments.bookingId, bookings.id))
    .leftJoin(reviews, eq(reviews.bookingId, bookings.id))
    .where(where);
}
type CallRow = Awaited<ReturnType<ReturnType<typeof callsQuery>['all']>>[number];

/** Confirmed calls not over yet, and holds still waiting for the fan's payment. */
export function upcomingWhere(userId: string, now: Date): SQL {
  return and(
    eq(bookings.userId, userId),
    or(
      and(eq(bookings.status, 'CONFIRMED'), gt(bookings.endsAt, now)),
      and(eq(bookings.status, 'PENDING'), gt(bookings.holdExpiresAt, now)),
    ),
  )!;
}

/**
 * Calls that are behind the fan: held (or being settled), ended without one of them, or cancelled
 * after being paid. Holds that were never paid (released, expired, failed) are no calls at all.
 */
export function pastWhere(userId: string, now: Date): SQL {
  return and(
    eq(bookings.userId, userId),
    or(
      eq(bookings.status, 'COMPLETED'),
      and(eq(bookings.status, 'CONFIRMED'), lte(bookings.endsAt, now)),
      and(eq(bookings.status, 'CANCELLED'), isNotNull(bookings.confirmedAt)),
    ),
  )!;
}

/** How a past call ended, for its badge. `settling`: over, attendance not decided yet. */
export type PastStatus = 'completed' | 'cancelled' | 'no_show' | 'interrupted' | 'settling';

export function pastStatus(b: { status: Booking['status']; outcome: CallOutcome | null }): PastStatus {
  if (b.outcome === 'CREATOR_NO_SHOW' || b.outcome === 'FAN_NO_SHOW' || b.outcome === 'BOTH_NO_SHOW') return 'no_show';
  if (b.outcome === 'INTERRUPTED') return 'interrupted';
  if (b.status === 'CANCELLED') return 'cancelled';
  if (b.outcome === 'COMPLETED' || b.status === 'COMPLETED') return 'completed';
  return 'settling';
}

/** A request's status as the fan should read it: a pending one past its deadline has expired, whether or not the sweep has run. */
export function effectiveRequestStatus(r: Pick<CallRequest, 'status' | 'expiresAt'>, now: Date): RequestStatus {
  return r.status === 'PENDING' && r.expiresAt.getTime() <= now.getTime() ? 'EXPIRED' : r.status;
}

export interface FanOverview {
  upcoming: number;
  awaitingPayment: number;
  past: number;
  /** Calls the outcome job found held (COMPLETED) and not reviewed yet; the history also offers the review of a call just over, from its log. */
  toReview: number;
  requests: Record<RequestStatus, number>;
  /** Accepted requests whose held slot can still be paid. */
  requestsToPay: number;
  next: FanCall | null;
}

/** Everything the dashboard home counts, in one round trip. */
export async function fanOverview(deps: Pick<Deps, 'db'>, userId: string, now: Date): Promise<FanOverview> {
  const t = now.getTime();
  const [[counts], requestRows, toPayRows, nextRows] = await deps.db.batch([
    deps.db
      .select({
        upcoming:
          sql<number>`coalesce(sum(case when ${bookings.status} = 'CONFIRMED' and ${bookings.endsAt} > ${t} then 1 else 0 end), 0)`.as(
            'upcoming',
          ),
        awaiting:
          sql<number>`coalesce(sum(case when ${bookings.status} = 'PENDING' and ${bookings.holdExpiresAt} > ${t} then 1 else 0 end), 0)`.as(
            'awaiting',
          ),
        past: sql<number>`coalesce(sum(case when ${bookings.status} = 'COMPLETED' or (${bookings.status} = 'CONFIRMED' and ${bookings.endsAt} <= ${t}) or (${bookings.status} = 'CANCELLED' and ${bookings.confirmedAt} is not null) then 1 else 0 end), 0)`.as(
          'past',
        ),
        toReview:
          sql<number>`coalesce(sum(case when ${bookings.outcome} = 'COMPLETED' and ${reviews.id} is null then 1 else 0 end), 0)`.as(
            'to_review',
          ),
      })
      .from(bookings)
      .leftJoin(reviews, eq(reviews.bookingId, bookings.id))
      .where(eq(bookings.userId, userId)),
    deps.db
      .select({
        status:
          sql<RequestStatus>`case when ${callRequests.status} = 'PENDING' and ${callRequests.expiresAt} <= ${t} then 'EXPIRED' else ${callRequests.status} end`.as(
            'effective_status',
          ),
        n: sql<number>`count(*)`.as('n'),
      })
      .from(callRequests)
      .where(eq(callRequests.userId, userId))
      .groupBy(sql`1`),
    deps.db
      .select({ n: sql<number>`count(*)`.as('n') })
      .from(callRequests)
      .innerJoin(bookings, eq(bookings.id, callRequests.bookingId))
      .where(
        and(
          eq(callRequests.userId, userId),
          eq(callRequests.status, 'ACCEPTED'),
          eq(bookings.status, 'PENDING'),
          gt(bookings.holdExpiresAt, now),
        ),
      ),
    callsQuery(deps, and(eq(bookings.userId, userId), eq(bookings.status, 'CONFIRMED'), gt(bookings.endsAt, now)))
      .orderBy(asc(bookings.startsAt))
      .limit(1),
  ]);
  const requests = Object.fromEntries(REQUEST_STATUSES.map((s) => [s, 0])) as Record<RequestStatus, number>;
  for (const r of requestRows) requests[r.status] = (requests[r.status] ?? 0) + Number(r.n);
  return {
    upcoming: Number(counts?.upcoming ?? 0),
    awaitingPayment: Number(counts?.awaiting ?? 0),
    past: Number(counts?.past ?? 0),
    toReview: Number(counts?.toReview ?? 0),
    requests,
    requestsToPay: Number(toPayRows[0]?.n ?? 0),
    next: nextRows[0] ? toCall(nextRows[0]) : null,
  };
}

/** Upcoming calls, soonest first (one query). */
export async function upcomingCalls(deps: Pick<Deps, 'db'>, userId: string, now: Date): Promise<FanCall[]> {
  const rows = await callsQuery(deps, upcomingWhere(userId, now))
    .orderBy(asc(bookings.startsAt))
    .limit(UPCOMING_LIMIT)
    .all();
  return rows.map(toCall);
}

export interface PastCall extends FanCall {
  pastStatus: PastStatus;
  /** The fan may review it now (it took place, and it is not reviewed yet). */
  canReview: boolean;
}

/** Past calls, latest first, a page at a time, with the total (one round trip). */
export async function pastCalls(
  deps: Deps,
  userId: string,
  now: Date,
  page: number,
): Promise<{ rows: PastCall[]; total: number }> {
  const where = pastWhere(userId, now);
  const [rows, counted] = await deps.db.batch([
    callsQuery(deps, where)
      .orderBy(desc(bookings.startsAt))
      .limit(HISTORY_PAGE_SIZE)
      .offset((page - 1) * HISTORY_PAGE_SIZE),
    deps.db
      .select({ total: sql<number>`count(*)`.as('total') })
      .from(bookings)
      .where(where),
  ]);
  const { total } = one(counted, 'the past calls count');
  const calls = rows.map(toCall);
  const out: PastCall[] = [];
  for (const call of calls) {
    let canReview = false;
    if (!call.review && call.status !== 'CANCELLED') {
      if (call.outcome) canReview = call.outcome === 'COMPLETED';
      else if (call.status === 'CONFIRMED') {
        // Over but not decided yet (a few minutes after the end): the call log says whether it took place.
        const parties = await loadCallParties(deps, call.id);
        canReview = !!parties && (await callTookPlace(deps, parties));
      }
    }
    out.push({ ...call, pastStatus: pastStatus(call), canReview });
  }
  return { rows: out, total: Number(total) };
}

/** One of the fan's own bookings (null when it is someone else's or does not exist). */
export async function ownBooking(deps: Pick<Deps, 'db'>, userId: string, bookingId: string): Promise<Booking | null> {
  return (
    (await deps.db
      .select()
      .from(bookings)
      .where(and(eq(bookings.id, bookingId), eq(bookings.userId, userId)))
      .get()) ?? null
  );
}

/** One of the fan's own calls, with the booking row (one query); null when it is someone else's. */
export async function ownCall(
  deps: Pick<Deps, 'db'>,
  userId: string,
  bookingId: string,
): Promise<{ booking: Booking; call: FanCall } | null> {
  const row = await deps.db
    .select({ booking: bookings, ...callFields })
    .from(bookings)
    .innerJoin(callOffers, eq(callOffers.id, bookings.offerId))
    .innerJoin(creators, eq(creators.id, bookings.creatorId))
    .leftJoin(payments, eq(payments.bookingId, bookings.id))
    .leftJoin(reviews, eq(reviews.bookingId, bookings.id))
    .where(and(eq(bookings.id, bookingId), eq(bookings.userId, userId)))
    .get();
  return row ? { booking: row.booking, call: toCall(row) } : null;
}

export interface FanRequest {
  request: CallRequest;
  status: RequestStatus;
  creator: { name: string; slug: string };
  booking: { status: Booking['status']; holdExpiresAt: Date | null } | null;
}

/** The fan's requests (latest first) with their creator and the booking an acceptance created. */
export async function fanRequests(deps: Pick<Deps, 'db'>, userId: string, now: Date): Promise<FanRequest[]> {
  const rows = await deps.db
    .select({
      r: callRequests,
      name: creators.displayName,
      slug: creators.slug,
      bookingStatus: bookings.status,
      holdExpiresAt: bookings.holdExpiresAt,
    })
    .from(callRequests)
    .innerJoin(creators, eq(creators.id, callRequests.creatorId))
    .leftJoin(bookings, eq(bookings.id, callRequests.bookingId))
    .where(eq(callRequests.userId, userId))
    .orderBy(desc(callRequests.createdAt))
    .limit(200)
    .all();
  return rows.map((x) => ({
    request: x.r,
    status: effectiveRequestStatus(x.r, now),
    creator: { name: x.name, slug: x.slug },
    booking: x.bookingStatus ? { status: x.bookingStatus, holdExpiresAt: x.holdExpiresAt } : null,
  }));
}
