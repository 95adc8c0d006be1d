// What a claim reads before it is decided (ClaimCaches): the hold length at most once per
// SETTINGS_CACHE_MS, and a creator's terms re-read only while they look unpayable, at most once a second.
import { describe, expect, it } from 'vitest';
import type { OfferState } from '../src/domain/booking/offer-state';
import { ClaimCaches } from '../src/domain/booking/room';
import { deps } from './helpers';
import { onboardedCreator } from './scenarios';

function stateOf(creatorId: string, terms: Partial<OfferState['offer']>): OfferState {
  return {
    offer: { creatorId, chargesEnabled: true, creatorAccountId: 'acct_x', ...terms } as OfferState['offer'],
    live: null,
  };
}

/** Deps that count their database reads: a cache that reads when it should not fails the test. */
function counted() {
  const d = deps();
  let reads = 0;
  const db = new Proxy(d.db, {
    get: (t, p) => {
      if (p === 'select') reads++;
      const v = Reflect.get(t, p, t) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
  return { deps: { ...d, db }, reads: () => reads };
}

describe('the reads before a claim', () => {
  it("reads the platform's hold length once, and never when the caller sets its own", async () => {
    const caches = new ClaimCaches();
    expect(caches.holdMinutesDue(15)).toBe(false);
    expect(caches.holdMinutes(15)).toBe(15);
    expect(caches.holdMinutesDue(undefined)).toBe(true);
    await caches.readHoldMinutes(deps());
    expect(caches.holdMinutesDue(undefined)).toBe(false);
    expect(caches.holdMinutes(undefined)).toBeGreaterThan(0);
  });

  it('does not re-read the terms of a payable creator, nor of an unpayable one just loaded', async () => {
    const caches = new ClaimCaches();
    const c = counted();
    await caches.recheckUnpayable(c.deps, stateOf('crt_none', {}));
    caches.loaded();
    await caches.recheckUnpayable(c.deps, stateOf('crt_none', { chargesEnabled: false }));
    expect(c.reads()).toBe(0);
  });

  it('re-reads an unpayable creator once the state is a second old, and adopts the terms of now', async () => {
    const creator = await onboardedCreator();
    const caches = new ClaimCaches();
    const st = stateOf(creator.creator.id, { chargesEnabled: false, creatorAccountId: null });
    const d = counted();
    await caches.recheckUnpayable(d.deps, st); // never loaded: due at once
    expect(d.reads()).toBe(1);
    await caches.recheckUnpayable(d.deps, stateOf(creator.creator.id, { chargesEnabled: false })); // read a moment ago
    expect(d.reads()).toBe(1);
    expect(st.offer.chargesEnabled).toBe(true);
    expect(st.offer.creatorAccountId).toBe(creator.creator.stripeAccountId);
  });
});
