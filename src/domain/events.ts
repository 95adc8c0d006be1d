/**
 * Domain events: what happened, and who must hear about it. Each function tells the people
 * concerned — an in-app notification and, through the email queue, an email in THEIR language and
 * time zone (calendar files included where a booking changes).
 */
import { eq } from 'drizzle-orm';
import {
  bookings,
  callOffers,
  callRequests,
  creators,
  users,
  type Booking,
  type Currency,
  type User,
} from '../db/schema';
import type { Deps } from '../deps';
import { bookingIcs } from './calendar/ics';
import { notifyAdmins } from './notifications/notify';
import { tell } from './notifications/tell';

async function bookingParties(deps: Deps, bookingId: string) {
  const row = await deps.db
    .select({
      booking: bookings,
      offerTitle: callOffers.title,
      creatorUserId: creators.userId,
      creatorName: creators.displayName,
      creatorSlug: creators.slug,
      fan: users,
    })
    .from(bookings)
    .innerJoin(callOffers, eq(callOffers.id, bookings.offerId))
    .innerJoin(creators, eq(creators.id, bookings.creatorId))
    .innerJoin(users, eq(users.id, bookings.userId))
    .where(eq(bookings.id, bookingId))
    .get();
  if (!row) return null;
  const creatorUser = (await deps.db.select().from(users).where(eq(users.id, row.creatorUserId)).get())!;
  return { ...row, fanName: row.fan.name, creatorUser };
}
type Parties = NonNullable<Awaited<ReturnType<typeof bookingParties>>>;

const url = (deps: Deps, u: Pick<User, 'locale'>, path: string) => `${deps.config.appUrl}/${u.locale}${path}`;

/** The booking as a calendar event for one of its two people (their zone, the call page link). */
export function icsFor(deps: Deps, p: Parties, booking: Booking, u: Pick<User, 'locale' | 'timezone'>): string {
  return bookingIcs({
    booking,
    title: `${p.offerTitle} — ${deps.config.appName}`,
    description: `${p.creatorName} × ${p.fanName}`,
    callUrl: url(deps, u, `/call/${booking.id}`),
    organizer: { name: deps.config.appName, email: deps.config.supportEmail },
    attendees: [
      { name: p.fanName, email: p.fan.email },
      { name: p.creatorName, email: p.creatorUser.email },
    ],
    timezone: u.timezone,
    locale: u.locale,
    domain: new URL(deps.config.appUrl).hostname,
    now: deps.clock.now(),
  });
}

/** The booking's .ics as the viewer downloads it (their zone and language); null when there is no such booking. */
export async function bookingCalendarFor(
  deps: Deps,
  bookingId: string,
  viewer: Pick<User, 'locale' | 'timezone'>,
): Promise<string | null> {
  const p = await bookingParties(deps, bookingId);
  return p ? icsFor(deps, p, p.booking, viewer) : null;
}

const callData = (deps: Deps, p: Parties, u: Pick<User, 'locale'>, other: string) => ({
  bookingId: p.booking.id,
  title: p.offerTitle,
  other,
  startsAt: p.booking.startsAt.toISOString(),
  endsAt: p.booking.endsAt.toISOString(),
  callUrl: url(deps, u, `/call/${p.booking.id}`),
  bookingUrl: url(deps, u, `/bookings/${p.booking.id}`),
});

export async function bookingConfirmed(deps: Deps, bookingId: string): Promise<void> {
  const p = await bookingParties(deps, bookingId);
  if (!p) return;
  const params = {
    title: p.offerTitle,
    creator: p.creatorName,
    fan: p.fanName,
    startsAt: p.booking.startsAt.toISOString(),
  };
  const key = `booking:${bookingId}:confirmed:${p.booking.icsSequence}`;
  await tell(deps, p.fan, {
    notification: { type: 'BOOKING_CONFIRMED', params, link: `/bookings/${bookingId}` },
    email: {
      template: 'booking_confirmed',
      key,
      data: (u) => ({
        ...callData(deps, p, u, p.creatorName),
        price: p.booking.price,
        currency: p.booking.currency,
        policy: p.booking.cancellationPolicy,
        ics: icsFor(deps, p, p.booking, u),
      }),
    },
  });
  await tell(deps, p.creatorUser, {
    notification: { type: 'NEW_BOOKING', params, link: `/bookings/${bookingId}` },
    email: {
      template: 'new_booking',
      key,
      data: (u) => ({ ...callData(deps, p, u, p.fanName), ics: icsFor(deps, p, p.booking, u) }),
    },
  });
}

/** The creator's receipt for a payment (their share, and when it can be paid out). */
export async function paymentReceived(
  deps: Deps,
  pay: {
    bookingId: string;
    amount: number;
    platformFee: number;
    creatorShare: number;
    currency: Currency;
    payoutReleaseAt: Date | null;
    id: string;
  },
): Promise<void> {
  const p = await bookingParties(deps, pay.bookingId);
  if (!p) return;
  await tell(deps, p.creatorUser, {
    notification: {
      type: 'PAYMENT_RECEIVED',
      params: {
        title: p.offerTitle,
        fan: p.fanName,
        amount: pay.amount,
        share: pay.creatorShare,
        currency: pay.currency,
      },
      link: '/creator/payments',
    },
    email: {
      template: 'payment_received',
      key: `payment:${pay.id}:received`,
      data: (u) => ({
        title: p.offerTitle,
        fan: p.fanName,
        amount: pay.amount,
        fee: pay.platformFee,
        share: pay.creatorShare,
        currency: pay.currency,
        releaseAt: (pay.payoutReleaseAt ?? p.booking.endsAt).toISOString(),
        url: url(deps, u, '/creator/payments'),
      }),
    },
  });
}

export async function bookingCancelled(
  deps: Deps,
  bookingId: string,
  by: 'FAN' | 'CREATOR' | 'ADMIN' | 'SYSTEM',
  refunded = 0,
  reason: string | null = null,
): Promise<void> {
  const p = await bookingParties(deps, bookingId);
  if (!p) return;
  const params = {
    title: p.offerTitle,
    creator: p.creatorName,
    fan: p.fanName,
    startsAt: p.booking.startsAt.toISOString(),
    by,
  };
  const key = `booking:${bookingId}:cancelled`;
  const base = { by, currency: p.booking.currency, reason: reason ?? '' };
  await tell(deps, p.fan, {
    notification: { type: 'BOOKING_CANCELLED', params, link: `/bookings/${bookingId}` },
    email: {
      template: 'booking_cancelled',
      key,
      data: (u) => ({ ...callData(deps, p, u, p.creatorName), ...base, refunded, ics: icsFor(deps, p, p.booking, u) }),
    },
  });
  await tell(deps, p.creatorUser, {
    notification: { type: 'BOOKING_CANCELLED', params, link: `/bookings/${bookingId}` },
    email: {
      template: 'booking_cancelled',
      key,
      data: (u) => ({ ...callData(deps, p, u, p.fanName), ...base, refunded: 0, ics: icsFor(deps, p, p.booking, u) }),
    },
  });
}

export async function refundIssued(
  deps: Deps,
  r: { bookingId: string; refundId: string; amount: number; currency: Currency; reason: string },
): Promise<void> {
  const p = await bookingParties(deps, r.bookingId);
  if (!p) return;
  const reason = r.reason.split(':')[0] ?? r.reason; // "KIND:detail" → KIND (split always yields one part)
  const params = { title: p.offerTitle, amount: r.amount, currency: r.currency, reason };
  await tell(deps, p.fan, {
    notification: { type: 'REFUND_ISSUED', params, link: `/bookings/${r.bookingId}` },
    email: {
      template: 'refund_issued',
      key: `refund:${r.refundId}`,
      data: (u) => ({
        title: p.offerTitle,
        amount: r.amount,
        currency: r.currency,
        reason,
        bookingUrl: url(deps, u, `/bookings/${r.bookingId}`),
      }),
    },
  });
  await tell(deps, p.creatorUser, {
    notification: { type: 'REFUND_ISSUED', params, link: `/bookings/${r.bookingId}` },
  });
}

/**
 * A refund the fan was told about did not reach them (the bank refused it after it was issued): the
 * fan, the creator and the admins are told; an admin settles it.
 */
export async function refundFailed(
  deps: Deps,
  r: { bookingId: string; refundId: string; amount: number; currency: Currency; reason: string },
): Promise<void> {
  const p = await bookingParties(deps, r.bookingId);
  if (!p) return;
  const params = { title: p.offerTitle, amount: r.amount, currency: r.currency, reason: r.reason };
  await tell(deps, p.fan, { notification: { type: 'REFUND_FAILED', params, link: `/bookings/${r.bookingId}` } });
  await tell(deps, p.creatorUser, {
    notification: { type: 'REFUND_FAILED', params, link: `/bookings/${r.bookingId}` },
  });
  await notifyAdmins(deps, 'REFUND_FAILED', params, '/admin/disputes');
}

/** Admins: a refund the app owes is not going through (still retried, or refused for good when `final`). */
export async function refundDelayed(
  deps: Deps,
  r: { bookingId: string; amount: number; currency: Currency; error: string; final: boolean },
): Promise<void> {
  const p = await bookingParties(deps, r.bookingId);
  await notifyAdmins(
    deps,
    r.final ? 'REFUND_FAILED' : 'REFUND_DELAYED',
    { title: p?.offerTitle ?? r.bookingId, amount: r.amount, currency: r.currency, reason: r.error.slice(0, 200) },
    '/admin/disputes',
  );
}

export async function disputeOpened(
  deps: Deps,
  d: { disputeId: string; amount: number; currency: Currency; reason: string; bookingId: string },
): Promise<void> {
  await notifyAdmins(
    deps,
    'DISPUTE_OPENED',
    { amount: d.amount, currency: d.currency, reason: d.reason },
    '/admin/disputes',
  );
  const p = await bookingParties(deps, d.bookingId);
  if (p)
    await tell(deps, p.creatorUser, {
      notification: {
        type: 'DISPUTE_OPENED',
        params: { amount: d.amount, currency: d.currency, reason: d.reason, title: p.offerTitle },
        link: `/bookings/${d.bookingId}`,
      },
    });
}

export async function disputeClosed(
  deps: Deps,
  d: { amount: number; currency: Currency; status: string; bookingId: string },
): Promise<void> {
  await notifyAdmins(
    deps,
    'DISPUTE_CLOSED',
    { amount: d.amount, currency: d.currency, status: d.status },
    '/admin/disputes',
  );
  const p = await bookingParties(deps, d.bookingId);
  if (p)
    await tell(deps, p.creatorUser, {
      notification: {
        type: 'DISPUTE_CLOSED',
        params: { amount: d.amount, currency: d.currency, status: d.status, title: p.offerTitle },
        link: `/bookings/${d.bookingId}`,
      },
    });
}

/** The call's attendance outcome, to both people (the fan learns of an automatic refund here, and is asked for a review). */
export async function callOutcomeNotice(
  deps: Deps,
  bookingId: string,
  outcome: string,
  refunded: number,
): Promise<void> {
  const p = await bookingParties(deps, bookingId);
  if (!p) return;
  const params = {
    title: p.offerTitle,
    creator: p.creatorName,
    fan: p.fanName,
    outcome,
    refunded,
    currency: p.booking.currency,
  };
  await tell(deps, p.fan, {
    notification: { type: 'CALL_OUTCOME', params, link: `/call/${bookingId}/summary` },
    ...(outcome === 'COMPLETED'
      ? {
          email: {
            template: 'review_request',
            key: `booking:${bookingId}:review`,
            data: (u: User) => ({
              title: p.offerTitle,
              creator: p.creatorName,
              url: url(deps, u, `/call/${bookingId}/summary`),
            }),
          },
        }
      : {}),
  });
  await tell(deps, p.creatorUser, {
    notification: { type: 'CALL_OUTCOME', params, link: `/call/${bookingId}/summary` },
  });
}

/** An admin settled an interrupted call: both people hear how (paid to the creator, or refunded in full or in part). */
export async function callReviewNotice(
  deps: Deps,
  bookingId: string,
  decision: 'PAY_CREATOR' | 'REFUND_FULL' | 'REFUND_PARTIAL',
  refunded: number,
): Promise<void> {
  const p = await bookingParties(deps, bookingId);
  if (!p) return;
  const params = {
    title: p.offerTitle,
    creator: p.creatorName,
    fan: p.fanName,
    decision,
    refunded,
    currency: p.booking.currency,
  };
  await tell(deps, p.fan, { notification: { type: 'CALL_REVIEWED', params, link: `/call/${bookingId}/summary` } });
  await tell(deps, p.creatorUser, {
    notification: { type: 'CALL_REVIEWED', params, link: `/call/${bookingId}/summary` },
  });
}

export async function requestReceived(deps: Deps, requestId: string): Promise<void> {
  const row = await deps.db
    .select({ r: callRequests, fan: users.name, creatorUserId: creators.userId })
    .from(callRequests)
    .innerJoin(users, eq(users.id, callRequests.userId))
    .innerJoin(creators, eq(creators.id, callRequests.creatorId))
    .where(eq(callRequests.id, requestId))
    .get();
  if (!row) return;
  const r = row.r;
  await tell(deps, row.creatorUserId, {
    notification: {
      type: 'REQUEST_RECEIVED',
      params: {
        fan: row.fan,
        startsAt: r.proposedStartsAt.toISOString(),
        amount: r.proposedPrice,
        currency: r.currency,
      },
      link: '/creator/requests',
    },
    email: {
      template: 'request_received',
      key: `request:${requestId}:received`,
      data: (u) => ({
        fan: row.fan,
        price: r.proposedPrice,
        currency: r.currency,
        startsAt: r.proposedStartsAt.toISOString(),
        minutes: r.durationMinutes,
        message: r.message,
        url: url(deps, u, '/creator/requests'),
      }),
    },
  });
}

export async function requestAnswered(deps: Deps, requestId: string): Promise<void> {
  const row = await deps.db
    .select({ r: callRequests, creator: creators.displayName, slug: creators.slug })
    .from(callRequests)
    .innerJoin(creators, eq(creators.id, callRequests.creatorId))
    .where(eq(callRequests.id, requestId))
    .get();
  if (!row || (row.r.status !== 'ACCEPTED' && row.r.status !== 'REJECTED')) return;
  const r = row.r;
  const accepted = r.status === 'ACCEPTED';
  const hold =
    accepted && r.bookingId
      ? ((
          await deps.db
            .select({ until: bookings.holdExpiresAt })
            .from(bookings)
            .where(eq(bookings.id, r.bookingId))
            .get()
        )?.until ?? null)
      : null;
  await tell(deps, r.userId, {
    notification: {
      type: accepted ? 'REQUEST_ACCEPTED' : 'REQUEST_REJECTED',
      params: { creator: row.creator, startsAt: r.proposedStartsAt.toISOString() },
      link: accepted && r.bookingId ? `/bookings/${r.bookingId}/checkout` : '/dashboard/requests',
    },
    email: {
      template: 'request_answered',
      key: `request:${requestId}:answered`,
      data: (u) => ({
        accepted,
        creator: row.creator,
        startsAt: r.proposedStartsAt.toISOString(),
        message: r.responseMessage ?? '',
        payBy: hold ? hold.toISOString() : null,
        url: url(deps, u, accepted && r.bookingId ? `/bookings/${r.bookingId}/checkout` : `/c/${row.slug}`),
      }),
    },
  });
}

/** A booking moved to another time: both people get the new time and an updated calendar event (same UID, higher SEQUENCE). */
export async function bookingRescheduled(
  deps: Deps,
  bookingId: string,
  by: 'FAN' | 'CREATOR',
  previousStartsAt: Date,
): Promise<void> {
  const p = await bookingParties(deps, bookingId);
  if (!p) return;
  const params = {
    title: p.offerTitle,
    creator: p.creatorName,
    fan: p.fanName,
    startsAt: p.booking.startsAt.toISOString(),
    previous: previousStartsAt.toISOString(),
    by,
  };
  const key = `booking:${bookingId}:rescheduled:${p.booking.icsSequence}`;
  const data = (u: User, other: string) => ({
    ...callData(deps, p, u, other),
    by,
    previousStartsAt: previousStartsAt.toISOString(),
    ics: icsFor(deps, p, p.booking, u),
  });
  await tell(deps, p.fan, {
    notification: { type: 'BOOKING_RESCHEDULED', params, link: `/bookings/${bookingId}` },
    email: { template: 'booking_rescheduled', key, data: (u) => data(u, p.creatorName) },
  });
  await tell(deps, p.creatorUser, {
    notification: { type: 'BOOKING_RESCHEDULED', params, link: `/bookings/${bookingId}` },
    email: { template: 'booking_rescheduled', key, data: (u) => data(u, p.fanName) },
  });
}
