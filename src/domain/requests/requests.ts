/** Call requests: a fan proposes price, time and duration; the creator accepts or rejects within 72 hours. */
import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import { callRequests, creators, users, type CallRequest, type Currency, type User } from '../../db/schema';
import { one } from '../../db/one';
import { activeCreator, creatorRefusal, type CreatorRefusal } from '../creators/standing';
import type { Deps } from '../../deps';
import { HOUR } from '../../lib/clock';
import { requestAnswered, requestReceived } from '../events';
import { checkTiming } from '../offers/create';
import { currencyRefusal } from '../payments/currency';

export const REQUEST_TTL_MS = 72 * HOUR;
/** An accepted request holds its offer for the fan this long (capped by the call's start). */
export const REQUEST_HOLD_MINUTES = 24 * 60;

export interface NewRequest {
  proposedPrice: number;
  currency: Currency;
  proposedStartsAt: Date;
  durationMinutes: number;
  message: string;
}

export type CreateRequestResult =
  | { ok: true; request: CallRequest }
  | { ok: false; code: 'CREATOR_NOT_FOUND' | 'OWN_PROFILE' | 'CURRENCY_NOT_ACCEPTED' | 'TOO_SOON' | 'TOO_FAR' };

export async function createRequest(
  deps: Deps,
  fan: User,
  creatorId: string,
  input: NewRequest,
): Promise<CreateRequestResult> {
  // Only to a creator who may act as one (not demoted, not disabled): nobody could answer otherwise.
  const creator = await deps.db
    .select()
    .from(creators)
    .where(and(eq(creators.id, creatorId), activeCreator()))
    .get();
  if (!creator) return { ok: false, code: 'CREATOR_NOT_FOUND' };
  if (creator.userId === fan.id) return { ok: false, code: 'OWN_PROFILE' };
  // Proposed in the creator's settlement currency, or accepting it would create an offer it refuses.
  if (currencyRefusal(creator, input.currency)) return { ok: false, code: 'CURRENCY_NOT_ACCEPTED' };
  const now = deps.clock.now();
  const timing = checkTiming(input.proposedStartsAt, now);
  if (timing) return { ok: false, code: timing };
  // Unanswered requests expire after 72 h, or once too late to accept (30 min before the proposed time).
  const expiresAt = new Date(Math.min(now.getTime() + REQUEST_TTL_MS, input.proposedStartsAt.getTime() - 30 * 60_000));
  const request = one(
    await deps.db
      .insert(callRequests)
      .values({
        id: deps.ids.next('req'),
        userId: fan.id,
        creatorId,
        proposedPrice: input.proposedPrice,
        currency: input.currency,
        proposedStartsAt: input.proposedStartsAt,
        durationMinutes: input.durationMinutes,
        message: input.message,
        status: 'PENDING',
        expiresAt,
        createdAt: now,
        updatedAt: now,
      })
      .returning(),
    'the request just created',
  );
  await deps.log.booking.info(
    'REQUEST_CREATED',
    `Request ${request.id} to creator ${creatorId}`,
    { requestId: request.id, creatorId, userId: fan.id },
    { actor: 'USER', actorId: fan.id },
  );
  await requestReceived(deps, request.id);
  return { ok: true, request };
}

export type AnswerRefusal =
  | 'REQUEST_NOT_FOUND'
  | 'FORBIDDEN'
  | 'REQUEST_NOT_PENDING'
  | 'REQUEST_EXPIRED'
  | CreatorRefusal;

/** Loads a request the given creator may answer now (their account read with it: demoted or disabled, refused). */
export async function answerableRequest(
  deps: Deps,
  creatorUserId: string,
  requestId: string,
): Promise<{ ok: true; request: CallRequest; creatorId: string } | { ok: false; code: AnswerRefusal }> {
  const row = await deps.db
    .select({
      request: callRequests,
      creatorUserId: creators.userId,
      role: users.role,
      disabledAt: users.disabledAt,
      creatorWithdrawnAt: users.creatorWithdrawnAt,
    })
    .from(callRequests)
    .innerJoin(creators, eq(creators.id, callRequests.creatorId))
    .innerJoin(users, eq(users.id, creators.userId))
    .where(eq(callRequests.id, requestId))
    .get();
  if (!row) return { ok: false, code: 'REQUEST_NOT_FOUND' };
  if (row.creatorUserId !== creatorUserId) return { ok: false, code: 'FORBIDDEN' };
  const refused = creatorRefusal(row, true);
  if (refused) return { ok: false, code: refused };
  if (row.request.status !== 'PENDING') return { ok: false, code: 'REQUEST_NOT_PENDING' };
  if (row.request.expiresAt.getTime() <= deps.clock.now().getTime()) return { ok: false, code: 'REQUEST_EXPIRED' };
  return { ok: true, request: row.request, creatorId: row.request.creatorId };
}

export async function rejectRequest(
  deps: Deps,
  creatorUserId: string,
  requestId: string,
  message?: string,
): Promise<{ ok: true; request: CallRequest } | { ok: false; code: AnswerRefusal }> {
  const r = await answerableRequest(deps, creatorUserId, requestId);
  if (!r.ok) return r;
  const now = deps.clock.now();
  const [request] = await deps.db
    .update(callRequests)
    .set({ status: 'REJECTED', responseMessage: message ?? null, respondedAt: now, updatedAt: now })
    .where(and(eq(callRequests.id, requestId), eq(callRequests.status, 'PENDING')))
    .returning();
  if (!request) return { ok: false, code: 'REQUEST_NOT_PENDING' };
  await deps.log.booking.info(
    'REQUEST_ANSWERED',
    `Request ${requestId} rejected`,
    { requestId, status: 'REJECTED' },
    { actor: 'CREATOR', actorId: creatorUserId },
  );
  await requestAnswered(deps, requestId);
  return { ok: true, request };
}

/**
 * Takes a pending, unexpired request for acceptance before anything is created for it: from here
 * a withdrawal, a rejection or the expiry sweep (all `WHERE status = 'PENDING'`) no longer applies,
 * so no hold is ever made for a request that one of them ended. False: it was no longer pending.
 */
export async function claimRequest(deps: Deps, requestId: string, message: string | undefined): Promise<boolean> {
  const now = deps.clock.now();
  const r = await deps.db
    .update(callRequests)
    .set({ status: 'ACCEPTED', responseMessage: message ?? null, respondedAt: now, updatedAt: now })
    .where(and(eq(callRequests.id, requestId), eq(callRequests.status, 'PENDING'), gt(callRequests.expiresAt, now)))
    .returning({ id: callRequests.id });
  return r.length === 1;
}

/** The acceptance failed after its claim (overlap, payment provider): the request is pending again, as it was. */
export async function unclaimRequest(deps: Deps, requestId: string): Promise<void> {
  await deps.db
    .update(callRequests)
    .set({ status: 'PENDING', responseMessage: null, respondedAt: null, updatedAt: deps.clock.now() })
    .where(and(eq(callRequests.id, requestId), eq(callRequests.status, 'ACCEPTED'), isNull(callRequests.offerId)));
}

/** The claimed request's offer and hold. */
export async function recordAcceptance(
  deps: Deps,
  requestId: string,
  offerId: string,
  bookingId: string,
): Promise<void> {
  await deps.db
    .update(callRequests)
    .set({ offerId, bookingId, updatedAt: deps.clock.now() })
    .where(eq(callRequests.id, requestId));
}

/**
 * The fan withdraws their pending request, through their creator's calendar: under the lock an
 * acceptance holds, so the two never interleave (either it is withdrawn, or accepted and held).
 */
export async function withdrawRequest(
  deps: Deps,
  fanId: string,
  requestId: string,
): Promise<{ ok: true } | { ok: false; code: 'REQUEST_NOT_FOUND' | 'REQUEST_NOT_PENDING' }> {
  const row = await deps.db
    .select({ creatorId: callRequests.creatorId })
    .from(callRequests)
    .where(and(eq(callRequests.id, requestId), eq(callRequests.userId, fanId)))
    .get();
  if (!row) return { ok: false, code: 'REQUEST_NOT_FOUND' };
  return deps.rooms.calendar(row.creatorId).cancelRequest({ requestId, fanId });
}

/** The withdrawal itself (run by the CreatorCalendar, under its lock: see withdrawRequest). */
export async function cancelRequest(
  deps: Deps,
  fanId: string,
  requestId: string,
): Promise<{ ok: true } | { ok: false; code: 'REQUEST_NOT_FOUND' | 'REQUEST_NOT_PENDING' }> {
  const now = deps.clock.now();
  const r = await deps.db
    .update(callRequests)
    .set({ status: 'CANCELLED', updatedAt: now })
    .where(and(eq(callRequests.id, requestId), eq(callRequests.userId, fanId), eq(callRequests.status, 'PENDING')))
    .returning({ id: callRequests.id });
  if (r.length) return { ok: true };
  const exists = await deps.db
    .select({ id: callRequests.id })
    .from(callRequests)
    .where(and(eq(callRequests.id, requestId), eq(callRequests.userId, fanId)))
    .get();
  return { ok: false, code: exists ? 'REQUEST_NOT_PENDING' : 'REQUEST_NOT_FOUND' };
}

/** Cron: unanswered requests past their deadline become EXPIRED. */
export async function expireRequests(deps: Deps): Promise<number> {
  const now = deps.clock.now();
  const r = await deps.db
    .update(callRequests)
    .set({ status: 'EXPIRED', updatedAt: now })
    .where(and(eq(callRequests.status, 'PENDING'), lt(callRequests.expiresAt, now)))
    .returning({ id: callRequests.id });
  if (r.length)
    await deps.log.booking.info('REQUEST_EXPIRED', `${r.length} request(s) expired unanswered`, {
      status: 'EXPIRED',
      count: r.length,
    });
  return r.length;
}
