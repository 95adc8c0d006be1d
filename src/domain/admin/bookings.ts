/**
 * Admin — bookings: a filtered list (status, creator, fan email, call date range) and one
 * booking's detail with a single timeline merged from its own timestamps, payment, refunds,
 * disputes, call events, emails, review and the admin audit trail.
 */
import { and, asc, count, desc, eq, gte, inArray, isNull, like, lt, or } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import {
  type BOOKING_STATUSES,
  bookings,
  callEvents,
  callOffers,
  creators,
  disputes,
  emailLog,
  payments,
  refunds,
  reviews,
  users,
  type Booking,
  type CallEvent,
  type Currency,
} from '../../db/schema';
import { one } from '../../db/one';
import type { Deps } from '../../deps';
import { auditOf } from './audit';
import { contains } from './filters';

export const BOOKINGS_PAGE = 50;

export interface BookingFilter {
  status?: (typeof BOOKING_STATUSES)[number];
  creatorId?: string;
  fanEmail?: string;
  /** Call start within [from, to). */
  from?: Date;
  to?: Date;
  /** Interrupted calls no admin has decided yet. */
  toReview?: boolean;
  page: number;
}

export async function bookingsPage(deps: Pick<Deps, 'db'>, f: BookingFilter) {
  const fanEmail = f.fanEmail?.trim().slice(0, 254);
  const where = and(
    f.status ? eq(bookings.status, f.status) : undefined,
    f.creatorId ? eq(bookings.creatorId, f.creatorId) : undefined,
    fanEmail ? contains(users.email, fanEmail) : undefined,
    f.from ? gte(bookings.startsAt, f.from) : undefined,
    f.to ? lt(bookings.startsAt, f.to) : undefined,
    f.toReview ? and(eq(bookings.outcome, 'INTERRUPTED'), isNull(bookings.reviewDecision)) : undefined,
  );
  // Joined rows with clashing column names (id, created_at…) are read outside db.batch, whose D1 results are keyed by column name.
  const [rows, counted] = await Promise.all([
    deps.db
      .select({
        booking: bookings,
        title: callOffers.title,
        fanName: users.name,
        fanEmail: users.email,
        creatorName: creators.displayName,
      })
      .from(bookings)
      .innerJoin(users, eq(users.id, bookings.userId))
      .innerJoin(creators, eq(creators.id, bookings.creatorId))
      .innerJoin(callOffers, eq(callOffers.id, bookings.offerId))
      .where(where)
      .orderBy(desc(bookings.startsAt), desc(bookings.id))
      .limit(BOOKINGS_PAGE)
      .offset((f.page - 1) * BOOKINGS_PAGE)
      .all(),
    deps.db.select({ total: count() }).from(bookings).innerJoin(users, eq(users.id, bookings.userId)).where(where),
  ]);
  const { total } = one(counted, 'the bookings count');
  return { rows, total };
}

/** Creators for filter pickers (id and name), by name. */
export async function creatorChoices(deps: Pick<Deps, 'db'>) {
  return deps.db
    .select({ id: creators.id, name: creators.displayName })
    .from(creators)
    .orderBy(asc(creators.displayName))
    .limit(1000)
    .all();
}

export type TimelineKind = 'booking' | 'payment' | 'refund' | 'dispute' | 'call' | 'email' | 'review' | 'audit';

/** One line of a booking's story. `label` is a message key (with `params`) or, for call events, the event type. */
export interface TimelineItem {
  at: Date;
  kind: TimelineKind;
  label: string;
  params?: Record<string, string | number>;
  money?: { amount: number; currency: Currency };
  detail?: string | null;
  tone?: 'success' | 'warning' | 'danger' | 'info' | '';
}

const creatorUser = alias(users, 'creator_user');

export async function bookingDetail(deps: Pick<Deps, 'db'>, bookingId: string) {
  // Joined rows with clashing column names (id, created_at…) are read outside db.batch, whose D1 results are keyed by column name.
  const [row, [[payment], refundRows, disputeRows, events, [review]]] = await Promise.all([
    deps.db
      .select({ booking: bookings, offer: callOffers, fan: users, creator: creators, creatorEmail: creatorUser.email })
      .from(bookings)
      .innerJoin(callOffers, eq(callOffers.id, bookings.offerId))
      .innerJoin(users, eq(users.id, bookings.userId))
      .innerJoin(creators, eq(creators.id, bookings.creatorId))
      .innerJoin(creatorUser, eq(creatorUser.id, creators.userId))
      .where(eq(bookings.id, bookingId))
      .get(),
    deps.db.batch([
      deps.db.select().from(payments).where(eq(payments.bookingId, bookingId)),
      deps.db.select().from(refunds).where(eq(refunds.bookingId, bookingId)).orderBy(asc(refunds.createdAt)),
      deps.db
        .select({ d: disputes })
        .from(disputes)
        .innerJoin(payments, eq(payments.id, disputes.paymentId))
        .where(eq(payments.bookingId, bookingId))
        .orderBy(asc(disputes.createdAt)),
      deps.db
        .select()
        .from(callEvents)
        .where(eq(callEvents.bookingId, bookingId))
        .orderBy(asc(callEvents.occurredAt))
        .limit(1000),
      deps.db.select().from(reviews).where(eq(reviews.bookingId, bookingId)),
    ]),
  ]);
  if (!row) return null;
  const disputeList = disputeRows.map((r) => r.d);
  // Emails about this booking are keyed by it (confirmation, reminders, cancellation, review request), its payment or its refunds.
  const keys = [
    like(emailLog.idempotencyKey, `booking:${bookingId}:%`),
    like(emailLog.idempotencyKey, `${bookingId}:%`),
  ];
  if (payment) keys.push(like(emailLog.idempotencyKey, `payment:${payment.id}:%`));
  if (refundRows.length)
    keys.push(
      inArray(
        emailLog.idempotencyKey,
        refundRows.map((r) => `refund:${r.id}`),
      ),
    );
  const [emails, audits] = await Promise.all([
    deps.db
      .select()
      .from(emailLog)
      .where(or(...keys))
      .orderBy(asc(emailLog.createdAt))
      .limit(200)
      .all(),
    auditOf(deps, [
      { entity: 'booking', ids: [bookingId] },
      { entity: 'payment', ids: payment ? [payment.id] : [] },
      { entity: 'dispute', ids: disputeList.map((d) => d.id) },
      { entity: 'review', ids: review ? [review.id] : [] },
    ]),
  ]);
  return {
    ...row,
    payment: payment ?? null,
    refunds: refundRows,
    disputes: disputeList,
    events,
    review: review ?? null,
    emails,
    audits,
    timeline: buildTimeline({
      booking: row.booking,
      payment: payment ?? null,
      refunds: refundRows,
      disputes: disputeList,
      events,
      review: review ?? null,
      emails,
      audits,
    }),
  };
}

/** Pure: every dated fact about a booking, oldest first. */
export function buildTimeline(d: {
  booking: Booking;
  payment: typeof payments.$inferSelect | null;
  refunds: (typeof refunds.$inferSelect)[];
  disputes: (typeof disputes.$inferSelect)[];
  events: CallEvent[];
  review: typeof reviews.$inferSelect | null;
  emails: (typeof emailLog.$inferSelect)[];
  audits: { a: { createdAt: Date; action: string; reason: string | null; entity: string }; actorName: string | null }[];
}): TimelineItem[] {
  const b = d.booking;
  const out: TimelineItem[] = [
    { at: b.createdAt, kind: 'booking', label: 'adminx.tl.created', money: { amount: b.price, currency: b.currency } },
  ];
  if (b.confirmedAt) out.push({ at: b.confirmedAt, kind: 'booking', label: 'adminx.tl.confirmed', tone: 'info' });
  if (b.status === 'EXPIRED' && b.holdExpiresAt)
    out.push({ at: b.holdExpiresAt, kind: 'booking', label: 'adminx.tl.expired', tone: 'warning' });
  out.push({ at: b.startsAt, kind: 'booking', label: 'adminx.tl.starts' });
  out.push({ at: b.endsAt, kind: 'booking', label: 'adminx.tl.ends' });
  if (b.cancelledAt)
    out.push({
      at: b.cancelledAt,
      kind: 'booking',
      label: 'adminx.tl.cancelled',
      params: { by: b.cancelledBy ?? '' },
      detail: b.cancelReason,
      tone: 'danger',
    });
  if (b.outcome && b.outcomeDecidedAt)
    out.push({
      at: b.outcomeDecidedAt,
      kind: 'booking',
      label: 'adminx.tl.outcome',
      params: { outcome: b.outcome },
      tone: b.outcome === 'COMPLETED' ? 'success' : 'warning',
    });
  if (b.videoRoomDeletedAt) out.push({ at: b.videoRoomDeletedAt, kind: 'booking', label: 'adminx.tl.roomDeleted' });
  const p = d.payment;
  if (p) {
    out.push({
      at: p.createdAt,
      kind: 'payment',
      label: 'adminx.tl.payment',
      params: { status: p.status, provider: p.provider },
      money: { amount: p.amount, currency: p.currency },
      detail: p.intentId,
      tone:
        p.status === 'FAILED' || p.status === 'CANCELED' ? 'danger' : p.status === 'PENDING' ? 'warning' : 'success',
    });
  }
  for (const r of d.refunds)
    out.push({
      at: r.createdAt,
      kind: 'refund',
      label: 'adminx.tl.refund',
      params: { by: r.initiatedBy, status: r.status },
      money: { amount: r.amount, currency: r.currency },
      detail: r.reason,
      tone: 'warning',
    });
  for (const x of d.disputes) {
    out.push({
      at: x.createdAt,
      kind: 'dispute',
      label: 'adminx.tl.dispute',
      params: { status: x.status },
      money: { amount: x.amount, currency: x.currency },
      detail: x.reason,
      tone: 'danger',
    });
    if (x.evidenceSubmittedAt) out.push({ at: x.evidenceSubmittedAt, kind: 'dispute', label: 'adminx.tl.evidence' });
    if (x.closedAt)
      out.push({
        at: x.closedAt,
        kind: 'dispute',
        label: 'adminx.tl.disputeClosed',
        params: { status: x.status },
        tone: x.status === 'WON' ? 'success' : 'danger',
      });
  }
  for (const e of d.events)
    out.push({
      at: e.occurredAt,
      kind: 'call',
      label: e.type,
      params: { actor: e.actorRole ?? 'SYSTEM', source: e.source },
      tone: e.type === 'CALL_ERROR' ? 'danger' : '',
    });
  for (const m of d.emails)
    out.push({
      at: m.createdAt,
      kind: 'email',
      label: 'adminx.tl.email',
      params: { template: m.template, to: m.to, status: m.status },
      detail: m.lastError,
      tone: m.status === 'SENT' ? '' : m.status === 'PENDING' ? 'warning' : 'danger',
    });
  if (d.review) {
    out.push({
      at: d.review.createdAt,
      kind: 'review',
      label: 'adminx.tl.review',
      params: { rating: d.review.rating },
      detail: d.review.comment,
    });
    if (d.review.hiddenAt)
      out.push({
        at: d.review.hiddenAt,
        kind: 'review',
        label: 'adminx.tl.reviewHidden',
        detail: d.review.hiddenReason,
        tone: 'warning',
      });
  }
  for (const { a, actorName } of d.audits)
    out.push({
      at: a.createdAt,
      kind: 'audit',
      label: 'adminx.tl.audit',
      params: { action: a.action, entity: a.entity, name: actorName ?? '?' },
      detail: a.reason,
      tone: 'info',
    });
  return out.sort((x, y) => x.at.getTime() - y.at.getTime());
}

/** The payment of a booking (what an admin refund draws on), or undefined. */
export async function paymentOfBooking(deps: Pick<Deps, 'db'>, bookingId: string) {
  return deps.db.select().from(payments).where(eq(payments.bookingId, bookingId)).get();
}
