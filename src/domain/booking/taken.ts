/**
 * Isolate-level negative cache of taken offers, read by the booking API route
 * (POST /api/offers/:id/bookings) before it asks the offer's OfferRoom.
 *
 * Why: every booking attempt is an RPC to one Durable Object per offer, and one object serves
 * about 1,000 requests/s (Cloudflare's soft per-object limit). When an offer is taken, the fans
 * behind the winner would spend that budget — and the winner's own requests' latency — on
 * refusals, each one an RPC. So when the OfferRoom refuses a fan because ANOTHER fan holds or
 * booked the offer, the Worker remembers that for at most TAKEN_TTL_MS (and never past the hold's
 * expiry) and turns the other fans away itself.
 *
 * Why it is harmless: it never grants anything (only the OfferRoom decides winners), and a stale
 * entry — the hold was released in another isolate (its alarm, a payment webhook) — is bypassed by
 * anyone who knows better:
 * - a fan who saw the offer AVAILABLE (live feed or status poll: its `at`) at or after the moment
 *   the cached hold was taken sends it as `seenAvailableAt`, and is sent to the object;
 * - the offer page's own Book button posts to a page route that always asks the object;
 * - the holder and the offer's creator are never answered from here (the holder's retry must get
 *   its hold back, 200; the creator must get OWN_OFFER);
 * - a release made by this isolate (releaseHold: a fan cancelling their hold, a failed payment, an
 *   expiry) forgets the entry at once, and so does a claim undone before it was held (the fan was
 *   over the hold limit, the payment provider failed, or the creator could no longer be paid).
 * What is left: an API client that does not follow the offer's status may be told "taken" for up
 * to TAKEN_TTL_MS after an early release elsewhere. The map is bounded: past TAKEN_MAX_ENTRIES the
 * oldest go first.
 */

import type { Deps } from '../../deps';
import { isDisabled } from '../creators/standing';
import type { BookResult, ReleaseResult } from './results';
import type { ReleaseReason } from './transitions';

/** What the OfferRoom tells the Worker (internal: never sent to clients). */
export interface TakenBy {
  holderId: string;
  creatorUserId: string;
  /** The hold's end for a PENDING booking; null once booked. */
  holdExpiresAt: number | null;
  /** A moment while this booking held the offer (the object's clock, like the `at` of its status messages). */
  since: number;
}

export const TAKEN_TTL_MS = 10_000;
export const TAKEN_MAX_ENTRIES = 4_096;

interface Entry {
  holderId: string;
  creatorUserId: string;
  since: number;
  until: number;
}

export class TakenOffers {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries = TAKEN_MAX_ENTRIES,
    private readonly ttlMs = TAKEN_TTL_MS,
  ) {}

  /**
   * True when `userId` can be told OFFER_UNAVAILABLE for `offerId` without asking its OfferRoom:
   * not when they saw the offer AVAILABLE (`seenAvailableAt`) at or after the cached hold began.
   */
  refuses(offerId: string, userId: string, now: number, seenAvailableAt: number | null = null): boolean {
    const e = this.entries.get(offerId);
    if (!e) return false;
    if (e.until <= now) {
      this.entries.delete(offerId);
      return false;
    }
    if (seenAvailableAt !== null && seenAvailableAt >= e.since) return false;
    return userId !== e.holderId && userId !== e.creatorUserId;
  }

  remember(offerId: string, taken: TakenBy, now: number): void {
    const until = Math.min(now + this.ttlMs, taken.holdExpiresAt ?? Number.POSITIVE_INFINITY);
    if (until <= now) return;
    // Re-inserting moves the key last: the Map's order is then oldest-written first.
    this.entries.delete(offerId);
    this.entries.set(offerId, {
      holderId: taken.holderId,
      creatorUserId: taken.creatorUserId,
      since: taken.since,
      until,
    });
    if (this.entries.size <= this.maxEntries) return;
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(key); // the oldest, hence the first to expire (all share one TTL)
    }
  }

  /** The offer was released here: the next attempt asks its OfferRoom. */
  forget(offerId: string): void {
    this.entries.delete(offerId);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The one cache of this isolate. */
export const takenOffers = new TakenOffers();

/**
 * Releases a PENDING hold through its OfferRoom; once released, this isolate stops turning fans away
 * from the offer. Not released with `paying`: the hold's payment is under way (see OfferRoom.release).
 */
export async function releaseHold(
  deps: Pick<Deps, 'rooms'>,
  input: {
    offerId: string;
    bookingId: string;
    reason: ReleaseReason;
    cancelledBy?: 'FAN' | 'CREATOR' | 'ADMIN' | 'SYSTEM';
  },
): Promise<ReleaseResult> {
  const r = await deps.rooms.offer(input.offerId).release(input);
  if (r.released) takenOffers.forget(input.offerId);
  return r;
}

/**
 * Asks the offer's OfferRoom for a hold (every booking route: the API and the offer page) and keeps
 * this isolate's cache in step with the answer: a refusal naming another holder is remembered; a
 * claim the object undid before it was held (the fan over the hold limit, the provider failing,
 * the creator's terms no longer allowing it) is forgotten, since fans refused during it may have
 * been cached as turned away by it.
 */
export async function bookOffer(
  deps: Pick<Deps, 'rooms' | 'clock' | 'db'>,
  offerId: string,
  userId: string,
): Promise<BookResult | { ok: false; code: 'ACCOUNT_DISABLED' }> {
  const r = await deps.rooms.offer(offerId).book({ offerId, userId });
  if (r.ok) return r.created ? undoIfDisabled(deps, offerId, userId, r) : r;
  if (r.taken) takenOffers.remember(offerId, r.taken, deps.clock.now().getTime());
  if (r.code === 'RATE_LIMITED' || r.code === 'PAYMENT_PROVIDER_ERROR' || r.code === 'CREATOR_NOT_PAYABLE')
    takenOffers.forget(offerId);
  return r;
}

/**
 * A new hold's fan, checked in D1 once they have won (never for the many who lose: they cost no read).
 * Identity-only routes trust the signed session, and another isolate learns of a revocation within a
 * few seconds; a disabled account winning in those seconds has its claim undone at once.
 */
async function undoIfDisabled(
  deps: Pick<Deps, 'rooms' | 'db'>,
  offerId: string,
  userId: string,
  r: Extract<BookResult, { ok: true }>,
): Promise<BookResult | { ok: false; code: 'ACCOUNT_DISABLED' }> {
  if (!(await isDisabled(deps, userId))) return r;
  await releaseHold(deps, { offerId, bookingId: r.booking.id, reason: 'CANCELLED', cancelledBy: 'SYSTEM' });
  return { ok: false, code: 'ACCOUNT_DISABLED' };
}
