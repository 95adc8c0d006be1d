/**
 * The offer state an OfferRoom serves: read from D1 once (single flight), then kept current by the
 * object; plus what it remembers beside it (the occupancy its calendar was told, the stored offer id).
 */
import type { Deps } from '../deps';
import { loadOfferState, type OfferState } from '../domain/booking/offer-state';
import type { ClaimCaches } from '../domain/booking/room';
import { occupancy } from '../domain/booking/rules';

/** Storage key of the offer this object serves, written with its first alarm (see load()). */
const OFFER_ID_KEY = 'offerId';

export class OfferMemory {
  state: OfferState | null = null;
  private loading: Promise<OfferState | null> | null = null;
  /** The occupancy last told to the creator's calendar (or loaded): see occupancyMoved(). */
  private toldOccupancy: string | null = null;
  /** Whether OFFER_ID_KEY is known to be in storage already. */
  private offerIdStored = false;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly deps: () => Deps,
    private readonly caches: ClaimCaches,
  ) {}

  /** The offer's state, loaded from D1 once (single flight) and then kept current by the object. */
  async load(offerId?: string): Promise<OfferState | null> {
    if (this.state) return this.state;
    this.loading ??= (async () => {
      // Objects are named after their offer (getByName), but an id made another way (idFromString,
      // an alarm or a socket waking an object whose name the runtime did not pass) has no name:
      // the offer id stored with the first alarm (and in each socket's attachment) is the fallback.
      const id = offerId || this.ctx.id.name || (await this.ctx.storage.get<string>(OFFER_ID_KEY)) || null;
      if (!id) return null;
      const st = await loadOfferState(this.deps(), id);
      if (st) this.adopt(st);
      return st;
    })().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  /** Makes `st` (fresh from D1) the state; null forgets it (the next call reloads). */
  adopt(st: OfferState | null): void {
    this.state = st;
    if (!st) return;
    this.toldOccupancy = occupancy(st);
    this.caches.loaded();
  }

  /** Whether `st` occupies the creator's time differently from what their calendar was last told (and records it as told). */
  occupancyMoved(st: OfferState): boolean {
    const occ = occupancy(st);
    if (occ === this.toldOccupancy) return false;
    this.toldOccupancy = occ;
    return true;
  }

  /** Stores the offer id once, so a nameless wake-up (alarm) still knows its offer. */
  async storeOfferId(offerId: string): Promise<void> {
    if (this.offerIdStored) return;
    await this.ctx.storage.put(OFFER_ID_KEY, offerId);
    this.offerIdStored = true;
  }
}
