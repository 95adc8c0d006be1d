/**
 * Isolate-level negative cache of taken offers, read by the booking route before it asks the
 * offer's OfferRoom.
 *
 * Why: every booking attempt is an RPC to one Durable Object per offer, and one object serves
 * about 1,000 requests/s (Cloudflare's soft per-object limit). When a popular offer is taken, the
 * crowd behind the winner would spend that budget — and the winner's own requests' latency — on
 * refusals. So when the OfferRoom refuses a fan because ANOTHER fan holds or booked the offer, the
 * Worker remembers that for at most TAKEN_TTL_MS (and never past the hold's expiry) and turns the
 * other fans away itself.
 *
 * Why it is harmless: a refusal at most 1 s stale (the hold was released within that second) only
 * tells a fan "taken" slightly too long; the offer page shows the live status anyway (WebSocket),
 * and a retry a second later reaches the object. It never grants anything: only the OfferRoom
 * decides winners. The holder and the offer's creator are never answered from here (the holder's
 * retry must get its hold back, 200; the creator must get OWN_OFFER), and a release seen by this
 * isolate (a fan cancelling their hold, a hold taken too fast) forgets the entry at once.
 * The map is bounded: entries live ≤ 1 s, and past TAKEN_MAX_ENTRIES the oldest go first.
 */

/** What the OfferRoom tells the Worker (internal: never sent to clients). */
export interface TakenBy {
  holderId: string;
  creatorUserId: string;
  /** The hold's end for a PENDING booking; null once booked. */
  holdExpiresAt: number | null;
}

export const TAKEN_TTL_MS = 1_000;
export const TAKEN_MAX_ENTRIES = 4_096;

interface Entry {
  holderId: string;
  creatorUserId: string;
  until: number;
}

export class TakenOffers {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = TAKEN_MAX_ENTRIES, private readonly ttlMs = TAKEN_TTL_MS) {}

  /** True when `userId` can be told OFFER_UNAVAILABLE for `offerId` without asking its OfferRoom. */
  refuses(offerId: string, userId: string, now: number): boolean {
    const e = this.entries.get(offerId);
    if (!e) return false;
    if (e.until <= now) {
      this.entries.delete(offerId);
      return false;
    }
    return userId !== e.holderId && userId !== e.creatorUserId;
  }

  remember(offerId: string, taken: TakenBy, now: number): void {
    const until = Math.min(now + this.ttlMs, taken.holdExpiresAt ?? Number.POSITIVE_INFINITY);
    if (until <= now) return;
    // Re-inserting moves the key last: the Map's order is then oldest-written first.
    this.entries.delete(offerId);
    this.entries.set(offerId, { holderId: taken.holderId, creatorUserId: taken.creatorUserId, until });
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
