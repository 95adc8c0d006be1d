// The OfferRoom's hot path and its edges: the Worker's cache of taken offers, calendar notices
// only on occupancy changes, the hold length before the first broadcast, nameless wake-ups,
// D1's backstop winning over a stale memory, and double clicks / expired holds.
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { and, eq, inArray, like } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { bookings, logs, payments, platformSettings } from '../src/db/schema';
import { OfferRoom } from '../src/durable/offer-room';
import { TakenOffers, takenOffers } from '../src/domain/booking/taken';
import { forgetSettings } from '../src/domain/settings';
import { api, bookingRow, deps, expectError, fetchApp, offerRow, testEnv, until } from './helpers';
import { book, fans, offerFor, onboardedCreator } from './scenarios';

const stub = (offerId: string) => testEnv.OFFER_ROOM.getByName(offerId);
const liveRows = (offerId: string) =>
  deps()
    .db.select()
    .from(bookings)
    .where(and(eq(bookings.offerId, offerId), inArray(bookings.status, ['PENDING', 'CONFIRMED', 'COMPLETED'])))
    .all();
const offerStatus = async (id: string) => (await offerRow(id)).status;
const criticalFor = (offerId: string) =>
  deps()
    .db.select()
    .from(logs)
    .where(
      and(eq(logs.level, 'CRITICAL'), eq(logs.type, 'BOOKING_INVARIANT_VIOLATION'), like(logs.message, `%${offerId}%`)),
    )
    .all();
const memory = (offerId: string) => runInDurableObject(stub(offerId), (i: OfferRoom) => OfferRoom.memoryOf(i));
/** Makes the object believe the offer is free (a stale memory the D1 index must catch). */
const forgetHold = (offerId: string) =>
  runInDurableObject(stub(offerId), (i: OfferRoom) => {
    const st = OfferRoom.memoryOf(i)!;
    st.live = null;
    st.offer.status = 'AVAILABLE';
  });
type Held = { booking: { id: string; holdExpiresAt: string }; payment: { intentId: string } };

async function connect(offerId: string) {
  const res = await fetchApp(`/api/offers/${offerId}/live`, { headers: { upgrade: 'websocket' } });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const messages: { status: string; holdExpiresAt?: string }[] = [];
  ws.accept();
  ws.addEventListener('message', (e) => messages.push(JSON.parse(String(e.data))));
  return { ws, messages };
}

describe('the Worker turns fans away from a taken offer without asking its OfferRoom (≤ 10 s, unless they saw it free since)', () => {
  it('refuses other fans from the cache, never the holder or the creator, and forgets at a release seen here', async () => {
    const c = await onboardedCreator();
    const offer = await offerFor(c);
    const [holder, b, d] = await fans(3);
    const held = (await (await book(offer.id, holder.token)).json()) as Held;
    await expectError(await book(offer.id, b.token), 409, 'OFFER_UNAVAILABLE'); // from the OfferRoom, which names the holder
    // The holder's retry still reaches the object and gets the same hold back.
    const again = await book(offer.id, holder.token);
    expect(again.status).toBe(200);
    expect(((await again.json()) as Held).booking.id).toBe(held.booking.id);
    // The creator is told OWN_OFFER (by the object), not "taken".
    await expectError(await book(offer.id, c.token), 403, 'OWN_OFFER');

    // Proof that the next refusal does not come from the object: it now wrongly believes the
    // offer free, so a request reaching it would claim it and hit D1's unique index (CRITICAL).
    await forgetHold(offer.id);
    await expectError(await book(offer.id, d.token), 409, 'OFFER_UNAVAILABLE');
    expect(await criticalFor(offer.id)).toHaveLength(0);
    expect((await memory(offer.id))!.live).toBeNull();
    await evictDurableObject(stub(offer.id)); // back to the truth

    // The holder cancels through this Worker: the entry goes at once, the next fan wins.
    const cancel = await api('POST', `/api/bookings/${held.booking.id}/cancel`, {}, { token: holder.token });
    expect(cancel.status).toBe(200);
    expect((await book(offer.id, b.token)).status).toBe(201);
  });

  it('a release the Worker did not see (another isolate): a fan who saw the offer AVAILABLE since is sent to the object at once; an older sighting is not', async () => {
    const c = await onboardedCreator();
    const offer = await offerFor(c);
    const [holder, b, d] = await fans(3);
    const sub = await connect(offer.id);
    await until(() => sub.messages.length >= 1);
    const before = sub.messages[0] as { status: string; at: string };
    expect(before.status).toBe('AVAILABLE');
    const held = (await (await book(offer.id, holder.token)).json()) as Held;
    await expectError(await book(offer.id, b.token), 409, 'OFFER_UNAVAILABLE'); // from the object: now cached
    // Released by the object alone (as by a webhook handled in another isolate): this isolate's cache still says taken.
    expect(await stub(offer.id).release({ offerId: offer.id, bookingId: held.booking.id, reason: 'FAILED' })).toEqual({
      released: true,
    });
    await until(() => sub.messages.some((m, i) => i > 0 && m.status === 'AVAILABLE'));
    const freed = sub.messages.filter((m) => m.status === 'AVAILABLE').at(-1) as { status: string; at: string };
    expect(Date.parse(freed.at)).toBeGreaterThan(Date.parse(before.at));
    const bookSeen = (token: string, at: string) =>
      api('POST', `/api/offers/${offer.id}/bookings?seenAvailableAt=${encodeURIComponent(at)}`, undefined, { token });
    // Without a sighting, or with one from before the hold, the stale entry answers (the object, which would say yes, is not asked).
    await expectError(await book(offer.id, d.token), 409, 'OFFER_UNAVAILABLE');
    await expectError(await bookSeen(d.token, before.at), 409, 'OFFER_UNAVAILABLE');
    expect(await liveRows(offer.id)).toHaveLength(0);
    // A malformed sighting is a 400 that changes nothing.
    await expectError(await bookSeen(d.token, 'yesterday'), 400, 'VALIDATION_ERROR');
    // The fan who saw it free after the hold began is sent to the object, and wins.
    const won = await bookSeen(b.token, freed.at);
    expect(won.status).toBe(201);
    expect(await liveRows(offer.id)).toHaveLength(1);
    sub.ws.close();
  });

  it('a payment that fails releases the hold and this isolate forgets the offer at once', async () => {
    const c = await onboardedCreator();
    const offer = await offerFor(c);
    const [holder, b] = await fans(2);
    const held = (await (await book(offer.id, holder.token)).json()) as Held;
    await expectError(await book(offer.id, b.token), 409, 'OFFER_UNAVAILABLE');
    await deps().localPayments!.checkout(held.payment.intentId, 'decline');
    expect((await bookingRow(held.booking.id)).status).not.toBe('PENDING');
    expect((await book(offer.id, b.token)).status).toBe(201);
  });

  it("never keeps an entry past the hold's expiry, and stays bounded (oldest first)", () => {
    const cache = new TakenOffers(3, 1_000);
    cache.remember('off_a', { holderId: 'u1', creatorUserId: 'c1', holdExpiresAt: 10_200, since: 9_500 }, 10_000);
    expect(cache.refuses('off_a', 'u2', 10_100)).toBe(true);
    expect(cache.refuses('off_a', 'u2', 10_100, 9_499)).toBe(true); // saw it free before this hold began
    expect(cache.refuses('off_a', 'u2', 10_100, 9_500)).toBe(false); // saw it free since: ask the object
    expect(cache.refuses('off_a', 'u2', 10_100, 10_050)).toBe(false);
    expect(cache.refuses('off_a', 'u1', 10_100)).toBe(false);
    expect(cache.refuses('off_a', 'c1', 10_100)).toBe(false);
    expect(cache.refuses('off_a', 'u2', 10_200)).toBe(false); // the hold ended before the TTL
    cache.remember('off_b', { holderId: 'u1', creatorUserId: 'c1', holdExpiresAt: null, since: 9_000 }, 10_000);
    expect(cache.refuses('off_b', 'u2', 10_999)).toBe(true);
    expect(cache.refuses('off_b', 'u2', 11_000)).toBe(false); // booked: the TTL at most (1 s here; TAKEN_TTL_MS in the app)
    cache.remember('off_c', { holderId: 'u1', creatorUserId: 'c1', holdExpiresAt: 9_000, since: 8_000 }, 10_000); // already over: not kept
    expect(cache.size).toBe(0);
    for (const id of ['o1', 'o2', 'o3', 'o4', 'o5'])
      cache.remember(id, { holderId: 'u1', creatorUserId: 'c1', holdExpiresAt: null, since: 19_000 }, 20_000);
    expect(cache.size).toBe(3);
    expect(cache.refuses('o1', 'u2', 20_001)).toBe(false);
    expect(cache.refuses('o2', 'u2', 20_001)).toBe(false);
    expect(cache.refuses('o5', 'u2', 20_001)).toBe(true);
    expect(takenOffers.size).toBeLessThanOrEqual(4_096);
  });
});

describe("the OfferRoom tells the creator's calendar only when its occupancy changes", () => {
  it('AVAILABLE → HELD → BOOKED leaves slot pickers alone; a cancellation that frees the time tells them', async () => {
    const c = await onboardedCreator();
    const offer = await offerFor(c);
    const calendar = testEnv.CREATOR_CALENDAR.getByName(c.creator.id);
    await stub(offer.id).status({ offerId: offer.id });
    const v0 = await calendar.slotsVersion();
    const [fan] = await fans(1);
    const held = (await (await book(offer.id, fan.token)).json()) as Held;
    expect(await stub(offer.id).confirm({ offerId: offer.id, bookingId: held.booking.id })).toEqual({
      ok: true,
      transitioned: true,
    });
    // A notice that is never sent cannot be awaited: give the background one time to (not) happen.
    await new Promise((r) => setTimeout(r, 100));
    expect(await calendar.slotsVersion()).toBe(v0);
    expect(
      await stub(offer.id).cancelConfirmed({
        offerId: offer.id,
        bookingId: held.booking.id,
        by: 'CREATOR',
        reason: null,
      }),
    ).toEqual({ cancelled: true });
    await until(async () => (await calendar.slotsVersion()) !== v0, { what: 'the calendar notice' });
    expect(await calendar.slotsVersion()).toBe(v0 + 1);
  });
});

describe('holds', () => {
  it('the very first HELD broadcast carries the configured hold length, not the default', async () => {
    await deps().db.update(platformSettings).set({ holdMinutes: 25 }).where(eq(platformSettings.id, 1));
    forgetSettings();
    try {
      const c = await onboardedCreator();
      const offer = await offerFor(c);
      const sub = await connect(offer.id);
      await until(() => sub.messages.length >= 1);
      const [fan] = await fans(1);
      const before = Date.now();
      const held = (await (await book(offer.id, fan.token)).json()) as Held;
      await until(() => sub.messages.some((m) => m.status === 'HELD'));
      const first = sub.messages.find((m) => m.status === 'HELD')!;
      expect(Date.parse(first.holdExpiresAt!)).toBeGreaterThanOrEqual(before + 25 * 60_000 - 1_000);
      expect(first.holdExpiresAt).toBe(held.booking.holdExpiresAt);
      sub.ws.close();
    } finally {
      await deps().db.update(platformSettings).set({ holdMinutes: 10 }).where(eq(platformSettings.id, 1));
      forgetSettings();
    }
  });

  it('a double click is answered from memory (no D1 read or write); after a restart, from D1', async () => {
    const c = await onboardedCreator();
    const offer = await offerFor(c);
    const [fan] = await fans(1);
    const first = (await (await book(offer.id, fan.token)).json()) as Held;
    // Were the answer rebuilt from D1, this row (without its intent) would make it start a new payment.
    await deps().db.update(bookings).set({ paymentIntentId: null }).where(eq(bookings.id, first.booking.id));
    const again = await book(offer.id, fan.token);
    expect(again.status).toBe(200);
    expect(((await again.json()) as Held).payment.intentId).toBe(first.payment.intentId);
    expect((await bookingRow(first.booking.id)).paymentIntentId).toBeNull();
    expect(await deps().db.select().from(payments).where(eq(payments.bookingId, first.booking.id)).all()).toHaveLength(
      1,
    );
    await deps()
      .db.update(bookings)
      .set({ paymentIntentId: first.payment.intentId })
      .where(eq(bookings.id, first.booking.id));
    await evictDurableObject(stub(offer.id));
    const reloaded = await book(offer.id, fan.token);
    expect(reloaded.status).toBe(200);
    expect((await reloaded.json()) as Held).toMatchObject({
      booking: { id: first.booking.id },
      payment: { intentId: first.payment.intentId },
    });
  });

  it('asking again for a hold that ran out releases it with 409 HOLD_EXPIRED instead of resuming it', async () => {
    const c = await onboardedCreator();
    const offer = await offerFor(c);
    const [fan, other] = await fans(2);
    const held = (await (await book(offer.id, fan.token)).json()) as Held;
    await runInDurableObject(stub(offer.id), (i: OfferRoom) => {
      OfferRoom.memoryOf(i)!.live!.holdExpiresAt = Date.now() - 1_000; // the alarm is late
    });
    await expectError(await book(offer.id, fan.token), 409, 'HOLD_EXPIRED');
    expect((await bookingRow(held.booking.id)).status).toBe('EXPIRED');
    expect(await offerStatus(offer.id)).toBe('AVAILABLE');
    expect((await deps().payments.retrieveIntent(held.payment.intentId)).status).toBe('canceled');
    expect((await book(offer.id, other.token)).status).toBe(201);
  });

  it('the alarm finds its offer when the object is woken by an id that has no name (offer id stored with the alarm)', async () => {
    const c = await onboardedCreator();
    const offer = await offerFor(c);
    const [fan, other] = await fans(2);
    const held = (await (await book(offer.id, fan.token)).json()) as Held;
    await deps()
      .db.update(bookings)
      .set({ holdExpiresAt: new Date(Date.now() - 60_000) })
      .where(eq(bookings.id, held.booking.id));
    await evictDurableObject(stub(offer.id)); // a restart: memory gone, alarm and storage kept
    expect(await runInDurableObject(stub(offer.id), (_i, state) => state.storage.get('offerId'))).toBe(offer.id);
    // The local runtime passes the name even to an id from idFromString, so the new instance is
    // given a context whose id has no name, as an object reached without one would see it.
    await runInDurableObject(stub(offer.id), (i: OfferRoom) => {
      const real = (i as unknown as { ctx: DurableObjectState }).ctx;
      const id = {
        toString: () => real.id.toString(),
        equals: (o: DurableObjectId) => real.id.equals(o),
        name: undefined,
      };
      const nameless = new Proxy(real, {
        get: (t, p) => {
          if (p === 'id') return id;
          const v = Reflect.get(t, p, t) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
        },
      });
      Object.defineProperty(i, 'ctx', { value: nameless });
      expect((i as unknown as { ctx: DurableObjectState }).ctx.id.name).toBeUndefined();
    });
    expect(await runDurableObjectAlarm(stub(offer.id))).toBe(true);
    expect((await bookingRow(held.booking.id)).status).toBe('EXPIRED');
    expect(await offerStatus(offer.id)).toBe('AVAILABLE');
    expect((await book(offer.id, other.token)).status).toBe(201);
  });
});

describe("D1's backstop index wins over a stale memory", () => {
  it("a refused hold reloads D1's state and broadcasts it (never a stale HELD or AVAILABLE)", async () => {
    const c = await onboardedCreator();
    const offer = await offerFor(c);
    const [a, b] = await fans(2);
    const held = (await (await book(offer.id, a.token)).json()) as Held;
    await forgetHold(offer.id);
    const sub = await connect(offer.id);
    await until(() => sub.messages.length >= 1);
    expect(sub.messages[0].status).toBe('AVAILABLE'); // what the stale memory says
    await expectError(await book(offer.id, b.token), 409, 'OFFER_UNAVAILABLE');
    expect(await criticalFor(offer.id)).toHaveLength(1);
    await until(() => sub.messages.length >= 3);
    // b's claim, then D1's truth: a's hold with a's deadline — and no "AVAILABLE" in between.
    expect(sub.messages.slice(1).map((m) => m.status)).toEqual(['HELD', 'HELD']);
    expect(sub.messages[2].holdExpiresAt).toBe(held.booking.holdExpiresAt);
    expect((await memory(offer.id))!.live).toMatchObject({ id: held.booking.id, status: 'PENDING' });
    sub.ws.close();
  });

  it('a late payment that would make a second live booking is refused (LATE), logged CRITICAL, and the memory resynced', async () => {
    const c = await onboardedCreator();
    const offer = await offerFor(c);
    const [a, b] = await fans(2);
    const held = (await (await book(offer.id, a.token)).json()) as Held;
    const d = deps();
    const expiredId = d.ids.next('bkg');
    await d.db.insert(bookings).values({
      id: expiredId,
      offerId: offer.id,
      userId: b.user.id,
      creatorId: c.creator.id,
      status: 'EXPIRED',
      price: 2500,
      currency: 'EUR',
      cancellationPolicy: 'NONE',
      startsAt: offer.startsAt,
      endsAt: offer.endsAt,
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    await forgetHold(offer.id);
    expect(await stub(offer.id).confirm({ offerId: offer.id, bookingId: expiredId })).toEqual({
      ok: false,
      reason: 'LATE',
    });
    expect(await criticalFor(offer.id)).toHaveLength(1);
    expect((await bookingRow(expiredId)).status).toBe('EXPIRED');
    expect((await bookingRow(held.booking.id)).status).toBe('PENDING');
    expect((await memory(offer.id))!.live).toMatchObject({ id: held.booking.id, status: 'PENDING' });
    expect(await offerStatus(offer.id)).toBe('HELD');
  });
});
