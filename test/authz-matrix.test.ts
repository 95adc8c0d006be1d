/**
 * Authorization matrix: every API route and every page route with an object id × {anonymous, fan,
 * other fan, creator, other creator, admin}, on real objects owned by "fan" and "creator" (a
 * confirmed booking between them, a call that took place with its review, offers, a pending
 * request, an appointment type and a date exception, a notification, the payment and a refund of it, a dispute and a
 * payout). Path parameters are filled with THOSE ids, bodies are minimal and valid (so a refusal
 * comes from authorization, not validation), and each cell's expectation is written below: a route
 * without a row fails the test.
 *
 * Order: anonymous, then the other fan and the other creator (nothing owned by fan/creator may
 * change — compared row by row), then fan, creator and admin.
 *
 * Cells:  ok = 2xx · allow = admitted: 2xx or a business refusal (400/409/410/422/429, or 403 with a
 * business code such as CALL_NOT_OPEN) — never 401, an authorization 403, 404 or 5xx · deny = 403 or
 * 404 · auth = 401 UNAUTHENTICATED · role = 403 FORBIDDEN_ROLE/NOT_A_CREATOR · a number = that status.
 */
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { disputes, emailLog, notifications, owedRefunds, payouts } from '../src/db/schema';
import { diff, snapshot, type Snapshot } from './db-snapshot';
import {
  api,
  BASE,
  createAccount,
  deliverPendingEmails,
  deps,
  fetchApp,
  PASSWORD,
  uniqueEmail,
  type TestAccount,
  paymentOf,
} from './helpers';
import { pngImage } from './images';
import { apiSpecs, app } from './routes';
import { book, fans, moveCall, offerFor, onboardedCreator, presence, type CreatorScenario } from './scenarios';

type Persona = 'anonymous' | 'fan' | 'otherFan' | 'creator' | 'otherCreator' | 'admin';
const PERSONAS: Persona[] = ['anonymous', 'fan', 'otherFan', 'creator', 'otherCreator', 'admin'];
type Cell = 'ok' | 'allow' | 'deny' | 'auth' | 'role' | number;
type Row = [Cell, Cell, Cell, Cell, Cell, Cell];

/** Authorization refusals (as opposed to business refusals an admitted caller may get). */
const AUTHZ_CODES = ['UNAUTHENTICATED', 'FORBIDDEN', 'FORBIDDEN_ROLE', 'NOT_A_CREATOR', 'NOT_PARTICIPANT', 'NOT_FOUND'];

// ------------------------------------------------------------------------------------------------ the API table

/** Public routes: everyone gets the same answer. */
const PUBLIC = (c: Cell = 'ok'): Row => [c, c, c, c, c, c];
/** Acting on one's own account/profile (no foreign object involved): any signed-in caller. */
const SELF: Row = ['auth', 'ok', 'ok', 'ok', 'ok', 'ok'];
/** The caller's own creator space. */
const CREATOR_SELF: Row = ['auth', 'role', 'role', 'ok', 'ok', 'role'];
const ADMIN_ONLY = (c: Cell = 'ok'): Row => ['auth', 'role', 'role', 'role', 'role', c];

const API: Record<string, Row> = {
  // accounts
  'POST /api/auth/signup': PUBLIC(201),
  'POST /api/auth/login': PUBLIC(200),
  'POST /api/auth/logout': PUBLIC(204),
  'POST /api/auth/logout-all': SELF,
  'POST /api/auth/verify-email': PUBLIC(410),
  'POST /api/auth/verify-email/resend': SELF,
  'POST /api/auth/password-reset/request': PUBLIC(202),
  'POST /api/auth/password-reset/confirm': PUBLIC(410),
  'GET /api/me': SELF,
  'PATCH /api/me': SELF,
  'POST /api/me/password': SELF,
  'POST /api/me/become-creator': SELF,
  // creators (public pages, own profile)
  'GET /api/creators': PUBLIC(),
  'GET /api/creators/:idOrSlug': PUBLIC(),
  'GET /api/creators/me': ['auth', 'role', 'role', 'ok', 'ok', 403], // an admin without a creator profile: NOT_A_CREATOR
  'PUT /api/creators/me': ['auth', 'role', 'role', 'ok', 'ok', 403],
  'PUT /api/creators/me/images/:kind': ['auth', 'role', 'role', 'ok', 'ok', 403],
  'DELETE /api/creators/me/images/:kind': ['auth', 'role', 'role', 'ok', 'ok', 403],
  // offers
  'POST /api/offers': CREATOR_SELF,
  'GET /api/creators/me/offers': CREATOR_SELF,
  'GET /api/offers/:id': PUBLIC(),
  'PATCH /api/offers/:id': ['auth', 'role', 'role', 'ok', 'deny', 'role'],
  'DELETE /api/offers/:id': ['auth', 'role', 'role', 'ok', 'deny', 'role'],
  'POST /api/offers/:id/bookings': ['auth', 'allow', 'allow', 'deny', 'allow', 'allow'], // public offer: any fan may hold it; its creator may not
  'GET /api/offers/:id/live': PUBLIC(),
  // bookings (fan F ↔ creator C)
  'GET /api/bookings': SELF,
  'GET /api/bookings/:id': ['auth', 'ok', 'deny', 'ok', 'deny', 'ok'],
  'GET /api/bookings/:id/calendar.ics': ['auth', 'ok', 'deny', 'ok', 'deny', 'ok'],
  'GET /api/bookings/:id/cancellation': ['auth', 'ok', 'deny', 'ok', 'deny', 'ok'],
  'POST /api/bookings/:id/payment/prepare': ['auth', 'allow', 'deny', 'deny', 'deny', 'deny'], // only its fan pays (409 ALREADY_PAID: the booking is paid)
  'POST /api/bookings/:id/cancel': ['auth', 'ok', 'deny', 'allow', 'deny', 'allow'], // the fan cancels first; then it is no longer cancellable (409)
  'GET /api/bookings/:id/reschedule-slots': ['auth', 'allow', 'deny', 'allow', 'deny', 'deny'],
  'POST /api/bookings/:id/reschedule': ['auth', 'allow', 'deny', 'allow', 'deny', 'deny'],
  // availability
  'GET /api/creators/me/availability': CREATOR_SELF,
  'POST /api/creators/me/appointment-types': CREATOR_SELF,
  'PATCH /api/creators/me/appointment-types/:id': ['auth', 'role', 'role', 'ok', 'deny', 'role'],
  'DELETE /api/creators/me/appointment-types/:id': ['auth', 'role', 'role', 'ok', 'deny', 'role'],
  'PUT /api/creators/me/availability/weekly': CREATOR_SELF,
  'POST /api/creators/me/availability/exceptions': CREATOR_SELF,
  'DELETE /api/creators/me/availability/exceptions/:id': ['auth', 'role', 'role', 'ok', 'deny', 'role'],
  'GET /api/creators/:idOrSlug/appointment-types': PUBLIC(),
  'GET /api/creators/:idOrSlug/slots': PUBLIC(),
  'GET /api/offers/:id/alternatives': PUBLIC(),
  'GET /api/creators/:idOrSlug/slots/live': PUBLIC(),
  'POST /api/creators/:idOrSlug/slots/book': ['auth', 'allow', 'allow', 'deny', 'allow', 'allow'],
  // calls of F ↔ C: join and the socket on the live call; logs and summary on the past one
  'POST /api/bookings/:id/join': ['auth', 'allow', 'deny', 'allow', 'deny', 'deny'],
  // Strangers present the fan's own join token (a leaked link): refused by the CallRoom, the token is not theirs.
  'GET /api/bookings/:id/call-socket': ['auth', 101, 403, 101, 403, 403],
  'POST /api/call-logs': ['auth', 'allow', 'deny', 'allow', 'deny', 'deny'],
  'GET /api/call-logs': ['auth', 'ok', 'deny', 'ok', 'deny', 'ok'],
  'GET /api/call-summary/:bookingId': ['auth', 'ok', 'deny', 'ok', 'deny', 'ok'],
  // payments
  'POST /api/creators/me/onboarding': CREATOR_SELF,
  'GET /api/creators/me/onboarding': CREATOR_SELF,
  'POST /api/creators/me/onboarding/session': ['auth', 'role', 'role', 404, 404, 'role'], // Stripe only
  'GET /api/creators/me/balance': CREATOR_SELF,
  'POST /api/admin/payments/:id/refund': ADMIN_ONLY(),
  // The booking is not an interrupted call: the admin is admitted and told so (409 CALL_NOT_UNDER_REVIEW).
  'POST /api/admin/bookings/:id/call-review': ADMIN_ONLY('allow'),
  'POST /api/admin/disputes/:id/evidence': ADMIN_ONLY(),
  'GET /api/admin/owed-refunds': ADMIN_ONLY(),
  'POST /api/admin/owed-refunds/:id/retry': ADMIN_ONLY('allow'),
  // payouts
  'GET /api/creators/me/payouts': CREATOR_SELF,
  'GET /api/creators/me/payouts/:id': ['auth', 'role', 'role', 'ok', 'deny', 'role'], // C's payout: another creator gets 404 PAYOUT_NOT_FOUND
  'GET /api/creators/me/finances': CREATOR_SELF,
  'POST /api/creators/me/payouts': ['auth', 'role', 'role', 'allow', 'allow', 'role'],
  'PUT /api/creators/me/payout-settings': CREATOR_SELF,
  'GET /api/creators/me/earnings': CREATOR_SELF,
  'GET /api/admin/payouts': ADMIN_ONLY(),
  'POST /api/admin/payouts/:id/approve': ADMIN_ONLY('allow'),
  'POST /api/admin/payouts/:id/reject': ADMIN_ONLY('allow'),
  'GET /api/admin/payouts/:id/audit': ADMIN_ONLY(),
  'GET /api/admin/creators/:id/payouts/eligibility': ADMIN_ONLY(),
  'POST /api/admin/creators/:id/payouts': ADMIN_ONLY('allow'),
  'POST /api/admin/creators/:id/payouts/block': ADMIN_ONLY(),
  'POST /api/admin/creators/:id/payouts/unblock': ADMIN_ONLY(),
  'POST /api/admin/disputes/:id/settle-debt': ADMIN_ONLY('allow'),
  'POST /api/admin/refunds/:id/settle-debt': ADMIN_ONLY('allow'), // 409 DEBT_NOT_OUTSTANDING: the refund's transfer reversal covered it
  'GET /api/admin/settings': ADMIN_ONLY(),
  'PUT /api/admin/settings': ADMIN_ONLY(),
  // requests (F → C)
  'POST /api/creators/:id/requests': ['auth', 'ok', 'ok', 'deny', 'ok', 'ok'], // anyone may propose a call to C, except C
  'GET /api/requests': SELF,
  'POST /api/requests/:id/accept': ['auth', 'role', 'role', 'allow', 'deny', 'role'],
  'POST /api/requests/:id/reject': ['auth', 'role', 'role', 'allow', 'deny', 'role'],
  'POST /api/requests/:id/cancel': ['auth', 'allow', 'deny', 'deny', 'deny', 'deny'],
  // reviews
  'POST /api/bookings/:id/review': ['auth', 409, 'deny', 'deny', 'deny', 'deny'], // F reviewed it when the world was built: ALREADY_REVIEWED
  'GET /api/creators/:idOrSlug/reviews': PUBLIC(),
  'POST /api/reviews/:id/reply': ['auth', 'deny', 'deny', 'ok', 'deny', 'deny'],
  // notifications (F's)
  'GET /api/notifications': SELF,
  'GET /api/notifications/unread-count': SELF,
  'POST /api/notifications/:id/read': ['auth', 'ok', 'deny', 'deny', 'deny', 'deny'],
  'POST /api/notifications/read-all': SELF,
  // webhooks: the caller's identity is the signature, which none of these carry
  'POST /api/webhooks/stripe': PUBLIC(400),
  'POST /api/webhooks/daily': PUBLIC(404), // not configured without DAILY_WEBHOOK_SECRET
  'POST /api/webhooks/resend': PUBLIC(404), // not configured without RESEND_WEBHOOK_SECRET
  // system
  'GET /api/health': PUBLIC(),
  'GET /api/openapi.json': PUBLIC(),
  // admin
  'GET /api/admin/overview': ADMIN_ONLY(),
  'GET /api/admin/users': ADMIN_ONLY(),
  'POST /api/admin/users/:id/role': ADMIN_ONLY(409), // role unchanged (F stays a fan: the rest of the matrix relies on it)
  'POST /api/admin/users/:id/disable': ADMIN_ONLY(), // on a spare account (the matrix's people stay enabled), then:
  'POST /api/admin/users/:id/enable': ADMIN_ONLY(),
  'GET /api/admin/payments': ADMIN_ONLY(),
  'GET /api/admin/reviews': ADMIN_ONLY(),
  'POST /api/admin/reviews/:id/hide': ADMIN_ONLY(),
  'POST /api/admin/reviews/:id/unhide': ADMIN_ONLY(),
  'GET /api/admin/audit': ADMIN_ONLY(),
};

/** Routes acting on the caller's own session or role: each persona calls them with a disposable account of its kind. */
const DISPOSABLE = new Set([
  'POST /api/auth/logout',
  'POST /api/auth/logout-all',
  'POST /api/me/password',
  'POST /api/me/become-creator',
]);

// ------------------------------------------------------------------------------------------------ the world

interface World {
  accounts: Record<Exclude<Persona, 'anonymous'>, TestAccount & { creator?: CreatorScenario['creator'] }>;
  C: CreatorScenario;
  F: TestAccount;
  booking: string; // future, confirmed, F ↔ C
  pastBooking: string; // ended a minute ago, reviewed
  liveBooking: string; // started five minutes ago
  review: string;
  offer: string; // C's available offer (edit, withdraw)
  bookable: string; // C's available offer for the booking routes
  request: string;
  type: string;
  exception: string;
  notification: string;
  payment: string;
  /** A refund the provider refused for good, waiting for an admin. */
  owedRefund: string;
  /** A partial refund of `payment` (an admin's). */
  refund: string;
  dispute: string;
  payout: string;
  email: string;
  loginEmail: string;
  intent: string;
  /** Join tokens of the live call, from POST /join. */
  callTokens: { fan: string; creator: string };
  /** An account the admin disables and enables again. */
  spare: string;
}

let W: World;

async function buildWorld(): Promise<World> {
  const d = deps();
  const C = await onboardedCreator();
  const OC = await onboardedCreator();
  const [F, OF] = await fans(2);
  const admin = await createAccount('ADMIN', { passwordHash: null });
  const paid = async (offerId: string) => {
    const out = (await (await book(offerId, F.token)).json()) as {
      booking: { id: string };
      payment: { intentId: string };
    };
    await d.localPayments!.checkout(out.payment.intentId, 'succeed');
    return out;
  };
  const b = await paid((await offerFor(C, { startsInMinutes: 3 * 24 * 60 })).id);
  const pb = await paid((await offerFor(C, { startsInMinutes: 4 * 24 * 60 })).id);
  const moved = await moveCall(pb.booking.id, -31 * 60_000);
  await presence(pb.booking.id, 'CREATOR', C.user.id, moved.startsAt.getTime(), moved.endsAt.getTime());
  await presence(pb.booking.id, 'FAN', F.user.id, moved.startsAt.getTime(), moved.endsAt.getTime());
  const review = (await (
    await api('POST', `/api/bookings/${pb.booking.id}/review`, { rating: 4, comment: 'Good call' }, { token: F.token })
  ).json()) as { review: { id: string } };
  const request = (await (
    await api(
      'POST',
      `/api/creators/${C.creator.id}/requests`,
      {
        proposedPrice: 3000,
        currency: 'EUR',
        proposedStartsAt: new Date(Date.now() + 6 * 86_400_000).toISOString(),
        durationMinutes: 30,
        message: 'Hello!',
      },
      { token: F.token },
    )
  ).json()) as { request: { id: string } };
  await api('GET', '/api/creators/me/availability', undefined, { token: C.token });
  await api(
    'PUT',
    '/api/creators/me/availability/weekly',
    { ranges: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, startMinute: 8 * 60, endMinute: 20 * 60 })) },
    { token: C.token },
  );
  const type = (await (
    await api(
      'POST',
      '/api/creators/me/appointment-types',
      { name: 'Matrix call', durationMinutes: 30, price: 5000, minNoticeMinutes: 60 },
      { token: C.token },
    )
  ).json()) as { type: { id: string } };
  const exception = (await (
    await api(
      'POST',
      '/api/creators/me/availability/exceptions',
      { date: new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10), kind: 'OFF' },
      { token: C.token },
    )
  ).json()) as { id: string };
  const payment = await paymentOf(b.booking.id);
  const pastPayment = await paymentOf(pb.booking.id);
  const now = new Date();
  // A real dispute on the past call's charge (the provider emits it; the webhook records it).
  await d.localPayments!.openDispute(
    pastPayment.chargeId ?? (await d.payments.retrieveIntent(pastPayment.intentId)).latestChargeId!,
    'fraudulent',
  );
  const dispute = (await d.db.select().from(disputes).where(eq(disputes.paymentId, pastPayment.id)).get())!.id;
  const owedRefund = d.ids.next('orf');
  await d.db.insert(owedRefunds).values({
    id: owedRefund,
    paymentId: payment.id,
    bookingId: b.booking.id,
    kind: 'ADMIN',
    amount: 100,
    currency: 'EUR',
    idempotencyKey: `matrix:${owedRefund}`,
    reason: 'ADMIN',
    note: 'Matrix',
    initiatedBy: 'ADMIN',
    status: 'FAILED',
    attempts: 1,
    lastError: 'refused',
    createdAt: now,
    updatedAt: now,
  });
  const refunded = await api(
    'POST',
    `/api/admin/payments/${payment.id}/refund`,
    { amount: 100, reason: 'Matrix refund' },
    { token: admin.token },
  );
  if (refunded.status !== 200) throw new Error(`the world's refund: ${refunded.status} ${await refunded.text()}`);
  const refund = ((await refunded.json()) as { refundId: string }).refundId;
  const payout = d.ids.next('pyt');
  await d.db.insert(payouts).values({
    id: payout,
    creatorId: C.creator.id,
    amount: 1234,
    currency: 'EUR',
    status: 'REQUESTED',
    origin: 'CREATOR',
    idempotencyKey: `matrix:${payout}`,
    requestedAt: now,
    createdAt: now,
    updatedAt: now,
  });
  const notification = (await d.db.select().from(notifications).where(eq(notifications.userId, F.user.id)).all())[0];
  const email = (await d.db.select().from(emailLog).where(eq(emailLog.to, F.user.email)).all())[0];
  const login = await createAccount('USER'); // with a password, for the sign-in route
  const live = await paid((await offerFor(C, { startsInMinutes: 8 * 24 * 60 })).id);
  await moveCall(live.booking.id, -5 * 60_000);
  const join = async (who: TestAccount) =>
    (
      (await (await api('POST', `/api/bookings/${live.booking.id}/join`, undefined, { token: who.token })).json()) as {
        token: string;
      }
    ).token;
  const callTokens = { fan: await join(F), creator: await join(C) };
  return {
    accounts: { fan: F, otherFan: OF, creator: C, otherCreator: OC, admin },
    C,
    F,
    booking: b.booking.id,
    pastBooking: pb.booking.id,
    liveBooking: live.booking.id,
    review: review.review.id,
    offer: (await offerFor(C, { startsInMinutes: 5 * 24 * 60 })).id,
    bookable: (await offerFor(C, { startsInMinutes: 7 * 24 * 60 })).id,
    request: request.request.id,
    type: type.type.id,
    exception: exception.id,
    notification: notification.id,
    payment: payment.id,
    owedRefund,
    refund,
    dispute,
    payout,
    email: email?.id ?? 'eml_aaaaaaaaaaaaaaaaaaaa',
    loginEmail: login.user.email,
    intent: b.payment.intentId,
    callTokens,
    spare: (await createAccount('USER', { passwordHash: null })).user.id,
  };
}

/** The object a path parameter of route `key` designates. */
function idFor(key: string, name: string): string {
  const path = key.split(' ')[1];
  if (name === 'kind') return 'profile';
  if (name === 'idOrSlug' || name === 'slug') return W.C.creator.slug;
  if (/owed-refunds\/:id/.test(path)) return W.owedRefund;
  if (/refunds\/:id/.test(path)) return W.refund;
  if (
    /reviews?\/:id|\/review$/.test(path) &&
    !path.startsWith('/api/bookings') &&
    !path.includes('/call/') &&
    !path.includes('/history/')
  )
    return W.review;
  if (/\/call\/:bookingId$/.test(path)) return W.booking; // the call page of the coming call (a past one redirects to its summary)
  if (/\/join$|call-socket/.test(path)) return W.liveBooking;
  if (/\/(call-summary|call)\/:bookingId|\/review$|\/history\//.test(path)) return W.pastBooking;
  if (/bookings\/:id|dashboard\/calls\/:id/.test(path)) return W.booking;
  if (/offers\/:id\/(bookings|book)$/.test(path) || /^\/:lang[^/]*\/offers\/:id$/.test(path)) return W.bookable;
  if (/offers\/:id/.test(path)) return W.offer;
  if (/requests\/:id/.test(path)) return W.request;
  if (/appointment-types\/:id|availability\/types\/:id/.test(path)) return W.type;
  if (/exceptions\/:id/.test(path)) return W.exception;
  if (/notifications\/:id/.test(path)) return W.notification;
  if (/payments\/:id/.test(path)) return W.payment;
  if (/disputes\/:id/.test(path)) return W.dispute;
  if (/payouts\/:id/.test(path)) return W.payout;
  if (/admin\/creators\/:id|\/creators\/:id\/requests/.test(path)) return W.C.creator.id;
  if (/users\/:id\/(disable|enable)$/.test(path)) return W.spare;
  if (/users\/:id/.test(path)) return W.F.user.id;
  if (/emails\/:id/.test(path)) return W.email;
  if (name === 'intentId') return W.intent;
  if (name === 'accountId') return W.C.creator.stripeAccountId!;
  if (name === 'job') return 'log-retention';
  throw new Error(`no object for :${name} in ${key}`);
}

/** `{a|b}` alternatives take their first choice; ids (also those with a pattern, `{pyt_[0-9a-z]+}`) the object's. */
const fill = (key: string) =>
  key
    .split(' ')[1]
    .replace(/:(\w+)(\{([^}]*)\})?/g, (_m, name: string, _g, alt?: string) =>
      name === 'lang' ? 'en' : alt && /^[\w.-]+(\|[\w.-]+)*$/.test(alt) ? alt.split('|')[0] : idFor(key, name),
    );

let slot = 0;
const futureIso = (days: number) =>
  new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + days * 86_400_000 + (slot++ % 40) * 3_600_000).toISOString();
/** A real 400×400 PNG (uploads are decoded and resized: a header alone is refused). */
const pngBytes = () => pngImage(400, 400);

async function freeSlot(n: number): Promise<string> {
  const res = await api('GET', `/api/creators/${W.C.creator.slug}/slots?type=${W.type}`);
  const { slots } = (await res.json()) as { slots?: { startsAt: string }[] };
  return slots?.[Math.min(n, slots.length - 1)]?.startsAt ?? futureIso(10); // the type may be gone (deleted by its creator)
}

/** A minimal valid body (and query) per route, so that the answer is about who asks. */
async function inputFor(
  key: string,
  n: number,
): Promise<{ body?: unknown; query?: string; raw?: { bytes: Uint8Array; type: string }; upgrade?: boolean }> {
  switch (key) {
    case 'POST /api/auth/signup':
      return { body: { email: uniqueEmail('matrix'), password: 'matrix-password-1', name: 'Matrix' } };
    case 'POST /api/auth/login':
      return { body: { email: W.loginEmail, password: 'correct-horse-battery' } };
    case 'POST /api/auth/verify-email':
      return { body: { token: 'x'.repeat(40) } };
    case 'POST /api/auth/password-reset/request':
      return { body: { email: W.F.user.email } };
    case 'POST /api/auth/password-reset/confirm':
      return { body: { token: 'x'.repeat(40), password: 'matrix-password-2' } };
    case 'PATCH /api/me':
      return { body: { locale: 'en' } };
    case 'POST /api/me/password':
      return { body: { currentPassword: PASSWORD, newPassword: 'matrix-password-3' } };
    case 'PUT /api/creators/me':
      return { body: { bio: 'Updated by the matrix' } };
    case 'PUT /api/creators/me/images/:kind':
      return { raw: { bytes: await pngBytes(), type: 'image/png' } };
    case 'POST /api/offers':
      return {
        body: { title: 'Matrix offer', price: 2500, currency: 'EUR', startsAt: futureIso(20 + n), durationMinutes: 30 },
      };
    case 'PATCH /api/offers/:id':
      return { body: { title: 'Renamed by the matrix' } };
    case 'POST /api/bookings/:id/cancel':
      return { body: { reason: 'Matrix' } };
    case 'POST /api/bookings/:id/reschedule':
      return { body: { startsAt: await freeSlot(n + 3) } };
    case 'POST /api/creators/me/appointment-types':
      return { body: { name: 'Matrix type', durationMinutes: 30, price: 5000 } };
    case 'PATCH /api/creators/me/appointment-types/:id':
      return { body: { name: 'Renamed type' } };
    case 'PUT /api/creators/me/availability/weekly':
      return {
        body: {
          ranges: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, startMinute: 8 * 60, endMinute: 20 * 60 })),
        },
      };
    case 'POST /api/creators/me/availability/exceptions':
      return { body: { date: '2027-06-01', kind: 'OFF' } };
    case 'GET /api/creators/:idOrSlug/slots':
      return { query: `type=${W.type}` };
    case 'POST /api/creators/:idOrSlug/slots/book':
      return { body: { typeId: W.type, startsAt: await freeSlot(n + 10) } };
    case 'GET /api/bookings/:id/call-socket':
      return {
        query: `token=${encodeURIComponent(n === PERSONAS.indexOf('creator') ? W.callTokens.creator : W.callTokens.fan)}`,
        upgrade: true,
      };
    case 'POST /api/call-logs':
      return { body: { bookingId: W.pastBooking, event: 'CAMERA_TOGGLED' } };
    case 'GET /api/call-logs':
      return { query: `bookingId=${W.pastBooking}` };
    case 'POST /api/admin/payments/:id/refund':
      return { body: { amount: 100, reason: 'Matrix goodwill' } };
    case 'POST /api/admin/bookings/:id/call-review':
      return { body: { decision: 'PAY_CREATOR', reason: 'Matrix review' } };
    case 'POST /api/creators/me/payouts':
      return { body: {} };
    case 'PUT /api/creators/me/payout-settings':
      return { body: { schedule: 'MANUAL' } };
    case 'POST /api/admin/payouts/:id/reject':
      return { body: { reason: 'Matrix says no' } };
    case 'POST /api/admin/creators/:id/payouts':
      return { body: {} };
    case 'POST /api/admin/creators/:id/payouts/block':
      return { body: { reason: 'Matrix block' } };
    case 'POST /api/admin/disputes/:id/settle-debt':
    case 'POST /api/admin/refunds/:id/settle-debt':
      return { body: { note: 'Repaid by bank transfer' } };
    case 'PUT /api/admin/settings':
      return { body: { holdMinutes: 15 } };
    case 'POST /api/creators/:id/requests':
      return {
        body: {
          proposedPrice: 3000,
          currency: 'EUR',
          proposedStartsAt: futureIso(30 + n),
          durationMinutes: 30,
          message: 'Matrix request',
        },
      };
    case 'POST /api/requests/:id/accept':
    case 'POST /api/requests/:id/reject':
      return { body: { message: 'Matrix answer' } };
    case 'POST /api/bookings/:id/review':
      return { body: { rating: 5, comment: 'Matrix review' } };
    case 'POST /api/reviews/:id/reply':
      return { body: { reply: 'Thank you' } };
    case 'POST /api/admin/users/:id/role':
      return { body: { role: 'USER' } };
    case 'POST /api/admin/users/:id/disable':
    case 'POST /api/admin/users/:id/enable':
      return { body: { reason: 'Matrix status' } };
    case 'POST /api/admin/reviews/:id/hide':
      return { body: { reason: 'Matrix moderation' } };
    case 'POST /api/webhooks/stripe':
    case 'POST /api/webhooks/daily':
    case 'POST /api/webhooks/resend':
      return { body: { id: 'evt_matrix', type: 'payment_intent.succeeded', data: { object: { id: W.intent } } } };
    default:
      return {};
  }
}

async function disposable(p: Exclude<Persona, 'anonymous'>): Promise<TestAccount> {
  if (p === 'creator' || p === 'otherCreator') return onboardedCreator();
  return createAccount(p === 'admin' ? 'ADMIN' : 'USER', { passwordHash: null });
}

/** Destructive routes (delete, cancel, answer) run after the others, so that the owners' other cells see live objects. */
const LAST = /^DELETE |\/(cancel|reject|accept|answer|delete|remove|hide|unhide)$/;
const inOrder = (keys: string[]) => [...keys.filter((k) => !LAST.test(k)), ...keys.filter((k) => LAST.test(k))];

interface Outcome {
  status: number;
  code: string | null;
  location: string | null;
  flash: string | null;
}

async function callApi(key: string, p: Persona, n: number): Promise<Outcome> {
  const [method] = key.split(' ');
  const token = p === 'anonymous' ? undefined : DISPOSABLE.has(key) ? (await disposable(p)).token : W.accounts[p].token;
  const input = await inputFor(key, n);
  const url = `${fill(key)}${input.query ? `?${input.query}` : ''}`;
  const headers: Record<string, string> = { 'cf-connecting-ip': `203.0.113.${PERSONAS.indexOf(p) + 20}` };
  if (token) headers.authorization = `Bearer ${token}`;
  if (input.upgrade) headers.upgrade = 'websocket';
  let body: BodyInit | undefined;
  if (input.raw) {
    headers['content-type'] = input.raw.type;
    body = input.raw.bytes as unknown as BodyInit;
  } else if (input.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(input.body);
  } else if (method !== 'GET') {
    headers['content-type'] = 'application/json';
  }
  const res = await fetchApp(url, { method, headers, body });
  if (res.webSocket) {
    res.webSocket.accept();
    res.webSocket.close(1000, 'matrix');
  }
  const text = res.status === 101 ? '' : await res.text();
  let code: string | null = null;
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, code, location: res.headers.get('location'), flash: null };
}

function judge(cell: Cell, o: Outcome): boolean {
  if (o.status >= 500) return false;
  if (typeof cell === 'number') return o.status === cell;
  switch (cell) {
    case 'ok':
      return o.status >= 200 && o.status < 300;
    case 'allow':
      return (
        (o.status < 400 && o.status !== 303) ||
        (o.status !== 401 && o.status !== 404 && !(o.status === 403 && AUTHZ_CODES.includes(o.code ?? '')))
      );
    case 'deny':
      return o.status === 403 || o.status === 404;
    case 'auth':
      return o.status === 401 && o.code === 'UNAUTHENTICATED';
    case 'role':
      return o.status === 403 && (o.code === 'FORBIDDEN_ROLE' || o.code === 'NOT_A_CREATOR');
  }
}

// ------------------------------------------------------------------------------------------------ rows owned by F and C

/** Ids that identify what fan F and creator C own. */
const ownedIds = () => [
  W.F.user.id,
  W.C.user.id,
  W.C.creator.id,
  W.booking,
  W.pastBooking,
  W.liveBooking,
  W.review,
  W.offer,
  W.request,
  W.type,
  W.exception,
  W.notification,
  W.payment,
  W.refund,
  W.dispute,
  W.payout,
];

/** Rows mentioning anything F or C own that were changed or removed (added rows are new objects, e.g. another fan's hold). */
function ownedChanges(before: Snapshot, after: Snapshot, ignore: string[] = []): string[] {
  const ids = ownedIds();
  const out: string[] = [];
  for (const c of diff(before, after)) {
    if (c.table === 'logs') continue;
    for (const r of c.removed) {
      if (ids.some((id) => r.includes(`"${id}"`)) && !ignore.some((x) => r.includes(x)))
        out.push(`${c.table}: ${r.slice(0, 400)}`);
    }
  }
  return out;
}

/**
 * Every row for every persona: anonymous first, then the strangers — who must change nothing F or C
 * own (`mayChange`: row fragments whose change is the point, e.g. booking a public offer) —, then the
 * owners and the admin. Each cell is judged against its expectation; the table of actual answers is
 * printed when something fails.
 */
async function checkMatrix<C, O>(
  rows: Record<string, C[]>,
  keys: string[],
  call: (key: string, p: Persona, n: number) => Promise<O>,
  show: (o: O) => string,
  judgeCell: (cell: C, o: O) => boolean,
  mayChange: string[],
) {
  const failures: string[] = [];
  const actual: Record<string, string[]> = {};
  const run = async (personas: Persona[]) => {
    for (const key of keys) {
      for (const p of personas) {
        const i = PERSONAS.indexOf(p);
        const o = await call(key, p, i);
        actual[key] ??= Array(6).fill('?');
        actual[key][i] = show(o);
        if (!judgeCell(rows[key][i], o))
          failures.push(`${p.padEnd(12)} ${key} → ${show(o)} (expected ${rows[key][i]})`);
      }
    }
  };
  await run(['anonymous']);
  // The emails written so far go out now: their delivery (attempts, status) is not a stranger's doing.
  await deliverPendingEmails();
  const before = await snapshot();
  await run(['otherFan', 'otherCreator']);
  const changed = ownedChanges(before, await snapshot(), mayChange);
  await run(['fan', 'creator', 'admin']);
  if (failures.length)
    console.log(
      Object.entries(actual)
        .map(([k, v]) => `${k}: ${v.join(' | ')}`)
        .join('\n'),
    );
  expect(failures).toEqual([]);
  expect(changed).toEqual([]);
}

// ------------------------------------------------------------------------------------------------ API

describe('authorization matrix — API', () => {
  beforeAll(async () => {
    W = await buildWorld();
  }, 30_000);

  it('has a row for every API route (a new route without an expectation fails here)', () => {
    const keys = apiSpecs().map((s) => `${s.method.toUpperCase()} ${s.path}`);
    expect(keys.filter((k) => !API[k])).toEqual([]);
    expect(Object.keys(API).filter((k) => !keys.includes(k))).toEqual([]);
  });

  it('answers each persona as its row says; strangers change nothing owned by the fan or the creator', async () => {
    // A stranger booking C's public offer changes that offer's status: that is what booking is. Anyone may ask
    // for a password reset of any address (the answer never tells whether it exists): the new link voids F's previous one.
    await checkMatrix(
      API,
      inOrder(apiSpecs().map((s) => `${s.method.toUpperCase()} ${s.path}`)),
      callApi,
      (o) => `${o.status}${o.code ? ` ${o.code}` : ''}`,
      judge,
      [`"${W.bookable}"`, '"RESET_PASSWORD"'],
    );
  }, 60_000);
});

// ------------------------------------------------------------------------------------------------ pages

type PageCell = 'page' | 'signin' | 'deny' | 'allow' | 'become' | 'role' | 'public';
type PageRow = [PageCell, PageCell, PageCell, PageCell, PageCell, PageCell];

/**
 * Page cells: page = 200 · public = 200/404 (anyone) · signin = 303 to /en/signin?next=… ·
 * become = 303 to /en/account#become-creator · role = 403 · deny = 403/404, or a 303 back to a list
 * with an error notice (never a success notice), and nothing changed · allow = 200, or a 303 that is
 * not a sign-in redirect, or a re-rendered form (400/409/422).
 */
const PAGES: Record<string, PageRow> = {
  'GET /:lang{fr|en}/c/:slug': ['public', 'public', 'public', 'public', 'public', 'public'],
  'GET /:lang{fr|en}/c/:slug/reviews': ['public', 'public', 'public', 'public', 'public', 'public'],
  'POST /:lang{fr|en}/c/:slug/request': ['signin', 'allow', 'allow', 'deny', 'allow', 'allow'],
  'POST /:lang{fr|en}/c/:slug/slots/book': ['signin', 'allow', 'allow', 'deny', 'allow', 'allow'],
  'GET /:lang{fr|en}/offers/:id': ['public', 'public', 'public', 'public', 'public', 'public'],
  'POST /:lang{fr|en}/offers/:id/book': ['signin', 'allow', 'allow', 'deny', 'allow', 'allow'],
  'GET /:lang{fr|en}/creator/offers/:id/edit': ['signin', 'become', 'become', 'page', 'deny', 'become'],
  'POST /:lang{fr|en}/creator/offers/:id/edit': ['signin', 'become', 'become', 'allow', 'deny', 'become'],
  'POST /:lang{fr|en}/creator/offers/:id/cancel': ['signin', 'become', 'become', 'allow', 'deny', 'become'],
  'POST /:lang{fr|en}/creator/requests/:id/answer': ['signin', 'become', 'become', 'allow', 'deny', 'become'],
  'POST /:lang{fr|en}/creator/profile/image/:kind{profile|banner}': [
    'signin',
    'become',
    'become',
    'allow',
    'allow',
    'become',
  ],
  'POST /:lang{fr|en}/creator/profile/image/:kind{profile|banner}/remove': [
    'signin',
    'become',
    'become',
    'allow',
    'allow',
    'become',
  ],
  'POST /:lang{fr|en}/dashboard/requests/:id/cancel': ['signin', 'allow', 'deny', 'deny', 'deny', 'deny'],
  'GET /:lang{fr|en}/dashboard/calls/:id/cancel': ['signin', 'page', 'deny', 'deny', 'deny', 'deny'],
  'POST /:lang{fr|en}/dashboard/history/:id/review': ['signin', 'allow', 'deny', 'deny', 'deny', 'deny'],
  'GET /:lang{fr|en}/bookings/:id/checkout': ['signin', 'allow', 'deny', 'deny', 'deny', 'deny'],
  'GET /:lang{fr|en}/bookings/:id': ['signin', 'page', 'deny', 'page', 'deny', 'page'],
  'POST /:lang{fr|en}/bookings/:id/cancel': ['signin', 'allow', 'deny', 'allow', 'deny', 'allow'],
  'GET /:lang{fr|en}/call/:bookingId': ['signin', 'page', 'deny', 'page', 'deny', 'deny'],
  'GET /:lang{fr|en}/call/:bookingId/summary': ['signin', 'page', 'deny', 'page', 'deny', 'page'],
  'POST /:lang{fr|en}/call/:bookingId/review': ['signin', 'allow', 'deny', 'deny', 'deny', 'deny'],
  'GET /checkout/local/:intentId{pi_local_[0-9a-z]+}': ['signin', 'page', 'deny', 'deny', 'deny', 'deny'],
  'POST /checkout/local/:intentId{pi_local_[0-9a-z]+}/:step{pay|authenticate}': [
    'signin',
    'allow',
    'deny',
    'deny',
    'deny',
    'deny',
  ],
  'POST /checkout/local/:intentId{pi_local_[0-9a-z]+}/settle': ['signin', 'allow', 'deny', 'deny', 'deny', 'deny'],
  'GET /checkout/local/onboarding/:accountId{acct_local_[0-9a-z]+}': ['signin', 'deny', 'deny', 'page', 'deny', 'deny'],
  'POST /checkout/local/onboarding/:accountId{acct_local_[0-9a-z]+}': [
    'signin',
    'deny',
    'deny',
    'allow',
    'deny',
    'deny',
  ],
  'POST /:lang{fr|en}/admin/payouts/:id/approve': ['signin', 'role', 'role', 'role', 'role', 'allow'],
  'POST /:lang{fr|en}/admin/payouts/:id/reject': ['signin', 'role', 'role', 'role', 'role', 'allow'],
  'POST /:lang{fr|en}/admin/creators/:id/payouts': ['signin', 'role', 'role', 'role', 'role', 'allow'],
  'POST /:lang{fr|en}/admin/creators/:id/block': ['signin', 'role', 'role', 'role', 'role', 'allow'],
  'POST /:lang{fr|en}/admin/creators/:id/unblock': ['signin', 'role', 'role', 'role', 'role', 'allow'],
  'POST /:lang{fr|en}/admin/disputes/:id/settle-debt': ['signin', 'role', 'role', 'role', 'role', 'allow'],
  'POST /:lang{fr|en}/admin/refunds/:id/settle-debt': ['signin', 'role', 'role', 'role', 'role', 'allow'],
  'GET /:lang{fr|en}/admin/payouts/:id{pyt_[0-9a-z]+}': ['signin', 'role', 'role', 'role', 'role', 'page'],
  'GET /:lang{fr|en}/creator/payouts/:id{pyt_[0-9a-z]+}': ['signin', 'become', 'become', 'page', 'deny', 'become'], // another creator's payout is a 404
  'POST /:lang{fr|en}/admin/payouts/:id/simulate': ['signin', 'role', 'role', 'role', 'role', 'allow'],
  'POST /:lang{fr|en}/notifications/:id/read': ['signin', 'allow', 'deny', 'deny', 'deny', 'deny'],
  'POST /:lang{fr|en}/admin/emails/:id/retry': ['signin', 'role', 'role', 'role', 'role', 'allow'],
  'POST /:lang{fr|en}/admin/jobs/:job/run': ['signin', 'role', 'role', 'role', 'role', 'allow'],
  'POST /:lang{fr|en}/creator/availability/types/:id': ['signin', 'become', 'become', 'allow', 'deny', 'become'],
  'POST /:lang{fr|en}/creator/availability/types/:id/delete': ['signin', 'become', 'become', 'allow', 'deny', 'become'],
  'POST /:lang{fr|en}/creator/availability/exceptions/:id/delete': [
    'signin',
    'become',
    'become',
    'allow',
    'deny',
    'become',
  ],
  'POST /:lang{fr|en}/bookings/:id/reschedule': ['signin', 'allow', 'deny', 'allow', 'deny', 'deny'],
  'GET /:lang{fr|en}/admin/users/:id': ['signin', 'role', 'role', 'role', 'role', 'page'],
  'POST /:lang{fr|en}/admin/users/:id/role': ['signin', 'role', 'role', 'role', 'role', 'allow'],
  'POST /:lang{fr|en}/admin/users/:id/disable': ['signin', 'role', 'role', 'role', 'role', 'allow'],
  'POST /:lang{fr|en}/admin/users/:id/enable': ['signin', 'role', 'role', 'role', 'role', 'allow'],
  'GET /:lang{fr|en}/admin/bookings/:id': ['signin', 'role', 'role', 'role', 'role', 'page'],
  'POST /:lang{fr|en}/admin/bookings/:id/refund': ['signin', 'role', 'role', 'role', 'role', 'allow'],
  'POST /:lang{fr|en}/admin/bookings/:id/call-review': ['signin', 'role', 'role', 'role', 'role', 'allow'],
  'POST /:lang{fr|en}/admin/disputes/:id/evidence': ['signin', 'role', 'role', 'role', 'role', 'allow'],
  'POST /:lang{fr|en}/admin/owed-refunds/:id/retry': ['signin', 'role', 'role', 'role', 'role', 'allow'],
  'POST /:lang{fr|en}/admin/reviews/:id/hide': ['signin', 'role', 'role', 'role', 'role', 'allow'],
  'POST /:lang{fr|en}/admin/reviews/:id/unhide': ['signin', 'role', 'role', 'role', 'role', 'allow'],
  'POST /:lang{fr|en}/creator/reviews/:id/reply': ['signin', 'become', 'become', 'allow', 'deny', 'become'],
};

/**
 * Routes with an object id that are not in the table, and why: the dev mailbox is a development
 * tool (404 in production, see http.test.ts), media files are public by design (unguessable keys).
 */
const PAGES_OUT_OF_SCOPE = [
  'GET /dev/mailbox/:id',
  'GET /dev/mailbox/:id/html',
  'GET /media/creators/:creatorId/:file',
];

const pageKeys = () => [
  ...new Set(
    app.routes
      .filter((r) => r.method !== 'ALL' && !r.path.startsWith('/api/') && /:(?!lang\{)\w+/.test(r.path))
      .map((r) => `${r.method} ${r.path}`),
  ),
];

/** Minimal valid form fields per page form. */
function formFor(key: string, n: number): Record<string, string> {
  if (key.includes('/c/:slug/request'))
    return {
      proposedPrice: '30',
      currency: 'EUR',
      proposedStartsAt: futureIso(50 + n).slice(0, 16),
      durationMinutes: '30',
      message: 'Matrix page request',
    };
  if (key.includes('/creator/offers/:id/edit'))
    return { title: 'Renamed on the page', description: '', price: '25', currency: 'EUR', durationMinutes: '30' };
  if (key.includes('/creator/requests/:id/answer')) return { decision: 'reject', message: 'No thanks' };
  if (key.includes('/reply')) return { reply: 'Thanks from the page' };
  if (key.includes('/review')) return { rating: '5', comment: 'Page review' };
  if (key.includes('/bookings/:id/cancel')) return { confirm: 'yes', reason: 'Matrix page' };
  if (key.includes('/reject') || key.includes('/block') || key.includes('/hide') || key.includes('/refund'))
    return { reason: 'Matrix reason', amount: '1' };
  if (key.includes('/settle-debt')) return { note: 'Matrix note' };
  if (key.includes('/call-review')) return { decision: 'PAY_CREATOR', reason: 'Matrix review' };
  if (key.includes('/role')) return { role: 'USER' };
  if (key.endsWith('/disable') || key.endsWith('/enable')) return { reason: 'Matrix status', confirm: 'yes' };
  if (key.includes('/availability/types/:id') && !key.endsWith('/delete'))
    return { name: 'Renamed type', durationMinutes: '30', price: '50' };
  if (key.includes('/slots/book')) return { typeId: W.type, startsAt: futureIso(12 + n) };
  if (key.includes('/bookings/:id/reschedule')) return { startsAt: futureIso(14 + n) };
  return {};
}

async function callPage(key: string, p: Persona, n: number): Promise<Outcome> {
  const [method] = key.split(' ');
  const headers: Record<string, string> = p === 'anonymous' ? {} : { authorization: `Bearer ${W.accounts[p].token}` };
  const init: RequestInit = { method, headers };
  if (method === 'POST') {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    headers.origin = BASE;
    init.body = new URLSearchParams(formFor(key, n)).toString();
  }
  const res = await fetchApp(fill(key), init);
  await res.body?.cancel();
  const flash =
    res.headers
      .getSetCookie()
      .find((c) => c.startsWith('flash='))
      ?.split(';')[0]
      .slice(6) ?? null;
  return {
    status: res.status,
    code: null,
    location: res.headers.get('location'),
    flash: flash ? decodeURIComponent(flash) : null,
  };
}

function judgePage(cell: PageCell, o: Outcome): boolean {
  if (o.status >= 500) return false;
  const loc = o.location ?? '';
  const signin = o.status === 303 && /^\/(en|fr)\/signin\?next=/.test(loc); // /checkout/* has no language in its URL: the default one
  switch (cell) {
    case 'page':
      return o.status === 200;
    case 'public':
      return o.status === 200 || o.status === 404;
    case 'signin':
      return signin;
    case 'become':
      return o.status === 303 && loc === '/en/account#become-creator';
    case 'role':
      return o.status === 403;
    case 'deny':
      return (
        o.status === 403 || o.status === 404 || (o.status === 303 && !signin && !(o.flash ?? '').startsWith('success'))
      );
    case 'allow':
      return o.status === 200 || (o.status === 303 && !signin) || [400, 409, 422].includes(o.status);
  }
}

describe('authorization matrix — pages with object ids', () => {
  beforeAll(async () => {
    W = await buildWorld();
  }, 30_000); // a fresh world: the API matrix cancelled, withdrew and answered things

  it('has a row for every page route with an object id (GET and the forms that change state)', () => {
    const keys = pageKeys().filter((k) => !PAGES_OUT_OF_SCOPE.includes(k));
    expect(keys.filter((k) => !PAGES[k])).toEqual([]);
    expect(Object.keys(PAGES).filter((k) => !keys.includes(k))).toEqual([]);
  });

  it('answers each persona as its row says; strangers change nothing owned by the fan or the creator', async () => {
    await checkMatrix(
      PAGES,
      inOrder(Object.keys(PAGES)),
      callPage,
      (o) => `${o.status} ${o.location ?? ''} ${o.flash ?? ''}`.trim(),
      judgePage,
      [`"${W.bookable}"`],
    );
  }, 60_000);
});
