import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { bookings, callOffers, localStripeObjects, logs } from '../src/db/schema';
import { OfferRoom } from '../src/durable/offer-room';
import { runScheduled } from '../src/jobs/scheduled';
import { CRON } from '../src/jobs/registry';
import { errorText } from '../src/lib/logger';
import { api, bookingRow, deps, expectError, fetchApp, offerRow, paymentOf, testEnv, until } from './helpers';
import { book, fans, offerFor, onboardedCreator } from './scenarios';
import { freshWindow } from './rate-limit';
import { takenOffers } from '../src/domain/booking/taken';

const stub = (offerId: string) => testEnv.OFFER_ROOM.getByName(offerId);
const liveRows = (offerId: string) =>
  deps()
    .db.select()
    .from(bookings)
    .where(and(eq(bookings.offerId, offerId), inArray(bookings.status, ['PENDING', 'CONFIRMED', 'COMPLETED'])))
    .all();

describe('race-proof booking', () => {
  it('lets exactly one of 60 simultaneous fans win an offer; the others get 409 OFFER_UNAVAILABLE', async () => {
    const c = await onboardedCreator();
    const offer = await offerFor(c);
    const crowd = await fans(60);
    const results = await Promise.all(crowd.map((f) => book(offer.id, f.token)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(59);
    for (const r of results.filter((x) => x.status === 409))
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('OFFER_UNAVAILABLE');
    const winner = (await results.find((r) => r.status === 201)!.json()) as {
      booking: { id: string; status: string; holdExpiresAt: string };
      payment: { provider: string; intentId: string; checkoutUrl: string };
    };
    expect(winner.booking.status).toBe('PENDING');
    expect(new Date(winner.booking.holdExpiresAt).getTime()).toBeGreaterThan(Date.now() + 9 * 60_000);
    expect(winner.payment).toMatchObject({ provider: 'local' });
    expect(winner.payment.checkoutUrl).toContain(`/checkout/local/${winner.payment.intentId}`);
    expect(await liveRows(offer.id)).toHaveLength(1);
    expect((await offerRow(offer.id)).status).toBe('HELD');
    const pay = await paymentOf(winner.booking.id);
    expect(pay).toMatchObject({ status: 'PENDING', amount: 2500, platformFee: 375, creatorShare: 2125 });
  });

  it('gives exactly one winner per offer when fans spread over many offers', async () => {
    const c = await onboardedCreator('CHF');
    const offers = await Promise.all(Array.from({ length: 8 }, () => offerFor(c)));
    const crowd = await fans(16);
    const attempts = offers.flatMap((o) =>
      crowd.slice(0, 6).map((_f, i) => ({ o, f: crowd[(i + offers.indexOf(o)) % crowd.length] })),
    );
    const results = await Promise.all(
      attempts.map(({ o, f }) => book(o.id, f.token).then((r) => ({ offerId: o.id, status: r.status }))),
    );
    for (const o of offers) {
      expect(results.filter((r) => r.offerId === o.id && r.status === 201)).toHaveLength(1);
      expect(await liveRows(o.id)).toHaveLength(1);
    }
    expect(results.filter((r) => r.status >= 500)).toHaveLength(0);
  });

  it('returns the same hold to the fan who already holds the offer (double click)', async () => {
    const c = await onboardedCreator();
    const offer = await offerFor(c);
    const [fan] = await fans(1);
    const first = (await (await book(offer.id, fan.token)).json()) as {
      booking: { id: string };
      payment: { intentId: string };
    };
    const again = await book(offer.id, fan.token);
    expect(again.status).toBe(200);
    const second = (await again.json()) as { booking: { id: string }; payment: { intentId: string } };
    expect(second.booking.id).toBe(first.booking.id);
    expect(second.payment.intentId).toBe(first.payment.intentId);
  });

  it('rate limits holds per fan: the 21st hold in a minute is refused with 429 before anything is written', async () => {
    const c = await onboardedCreator();
    const offers = [];
    for (let i = 0; i < 21; i++) offers.push(await offerFor(c));
    const [fan] = await fans(1);
    const statuses = [];
    await freshWindow(60, 15_000);
    for (const o of offers.slice(0, 20)) statuses.push((await book(o.id, fan.token)).status);
    // As if the object had turned another fan away during the 21st claim, naming this fan: the Worker's cache entry.
    takenOffers.remember(
      offers[20].id,
      { holderId: fan.user.id, creatorUserId: c.user.id, holdExpiresAt: Date.now() + 600_000, since: Date.now() },
      Date.now(),
    );
    statuses.push((await book(offers[20].id, fan.token)).status);
    expect(statuses.slice(0, 20).every((s) => s === 201)).toBe(true);
    expect(statuses[20]).toBe(429);
    expect((await offerRow(offers[20].id)).status).toBe('AVAILABLE');
    // The limit is asked beside the payment provider, before the hold is written: no booking row
    // at all (not even a released one); the intent started meanwhile is canceled; the refusal is logged.
    expect(await deps().db.select().from(bookings).where(eq(bookings.offerId, offers[20].id)).all()).toHaveLength(0);
    const intents = await deps()
      .db.select()
      .from(localStripeObjects)
      .where(
        and(
          eq(localStripeObjects.type, 'payment_intent'),
          sql`json_extract(${localStripeObjects.data}, '$.metadata.offerId') = ${offers[20].id}`,
        ),
      )
      .all();
    expect(intents.map((i) => i.data.status)).toEqual(['canceled']);
    const logged = await deps()
      .db.select()
      .from(logs)
      .where(and(eq(logs.type, 'BOOKING_LIMITED'), eq(logs.actorId, fan.user.id)))
      .all();
    expect(logged.map((l) => l.message)).toEqual([
      `Hold on ${offers[20].id} refused: ${fan.user.id} is taking holds too fast`,
    ]);
    // The undone claim cleared that entry: the next fan is not told "taken" by the cache, and wins.
    expect((await book(offers[20].id, (await fans(1))[0].token)).status).toBe(201);
    // A hold the creator grants (accepting the fan's request) is not one the fan took: not limited.
    const asked = await api(
      'POST',
      `/api/creators/${c.creator.id}/requests`,
      {
        proposedPrice: 4000,
        currency: 'EUR',
        proposedStartsAt: new Date(Date.now() + 40 * 86_400_000).toISOString(),
        durationMinutes: 30,
        message: 'Over my limit',
      },
      { token: fan.token },
    );
    const requestId = ((await asked.json()) as { request: { id: string } }).request.id;
    const accepted = await api('POST', `/api/requests/${requestId}/accept`, {}, { token: c.token });
    expect(accepted.status).toBe(200);
    expect(((await accepted.json()) as { booking: { status: string; userId: string } }).booking).toMatchObject({
      status: 'PENDING',
      userId: fan.user.id,
    });
    // Refused attempts are not counted: the same fan trying a taken offer still gets 409, not 429.
    await expectError(await book(offers[0].id, (await fans(1))[0].token), 409, 'OFFER_UNAVAILABLE');
  });

  it('refuses the creator booking their own offer, past offers and unknown offers', async () => {
    const c = await onboardedCreator();
    const offer = await offerFor(c);
    await expectError(await book(offer.id, c.token), 403, 'OWN_OFFER');
    const [fan] = await fans(1);
    await deps()
      .db.update(callOffers)
      .set({ startsAt: new Date(Date.now() - 60_000) })
      .where(eq(callOffers.id, offer.id));
    await evictDurableObject(stub(offer.id));
    await expectError(await book(offer.id, fan.token), 409, 'OFFER_STARTED');
    await expectError(await book('off_doesnotexist00', fan.token), 404, 'OFFER_NOT_FOUND');
    await expectError(await book('not-an-id', fan.token), 400, 'VALIDATION_ERROR');
    expect(await liveRows(offer.id)).toHaveLength(0);
  });

  it('has D1 refuse a forged second live booking for one offer (the backstop index)', async () => {
    const c = await onboardedCreator();
    const offer = await offerFor(c);
    const [a, b] = await fans(2);
    expect((await book(offer.id, a.token)).status).toBe(201);
    const d = deps();
    const forged = d.db.insert(bookings).values({
      id: d.ids.next('bkg'),
      offerId: offer.id,
      userId: b.user.id,
      creatorId: c.creator.id,
      status: 'CONFIRMED',
      price: 1,
      currency: 'EUR',
      cancellationPolicy: 'NONE',
      startsAt: offer.startsAt,
      endsAt: offer.endsAt,
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    const err = await forged.then(
      () => null,
      (e: unknown) => e,
    );
    expect(errorText(err)).toMatch(/UNIQUE constraint failed: bookings\.offer_id/);
    // A dead booking (expired) does not block the offer.
    await d.db.insert(bookings).values({
      id: d.ids.next('bkg'),
      offerId: offer.id,
      userId: b.user.id,
      creatorId: c.creator.id,
      status: 'EXPIRED',
      price: 1,
      currency: 'EUR',
      cancellationPolicy: 'NONE',
      startsAt: offer.startsAt,
      endsAt: offer.endsAt,
      createdAt: new Date(),
      updatedAt: new Date(),
    });
  });

  it('logs a CRITICAL invariant violation and answers 409 if D1 already holds a live booking the OfferRoom did not know', async () => {
    const c = await onboardedCreator();
    const offer = await offerFor(c);
    const [a, b] = await fans(2);
    await book(`off_${offer.id.slice(4)}`, a.token); // warm the OfferRoom: it now believes nothing is held
    const d = deps();
    await runInDurableObject(stub(offer.id), async (instance: OfferRoom) => {
      const st = OfferRoom.memoryOf(instance)!;
      st.live = null; // simulate a stale in-memory state
      st.offer.status = 'AVAILABLE';
    });
    const res = await book(offer.id, b.token);
    await expectError(res, 409, 'OFFER_UNAVAILABLE');
    const { logs } = await import('../src/db/schema');
    const critical = await d.db
      .select()
      .from(logs)
      .where(and(eq(logs.level, 'CRITICAL'), eq(logs.type, 'BOOKING_INVARIANT_VIOLATION')))
      .all();
    expect(critical.length).toBeGreaterThanOrEqual(1);
    expect(await liveRows(offer.id)).toHaveLength(1);
  });
});

describe('holds expire', () => {
  async function heldOffer() {
    const c = await onboardedCreator();
    const offer = await offerFor(c);
    const [fan, other] = await fans(2);
    const held = (await (await book(offer.id, fan.token)).json()) as {
      booking: { id: string };
      payment: { intentId: string };
    };
    return { c, offer, fan, other, bookingId: held.booking.id, intentId: held.payment.intentId };
  }
  const backdate = (bookingId: string) =>
    deps()
      .db.update(bookings)
      .set({ holdExpiresAt: new Date(Date.now() - 5 * 60_000) })
      .where(eq(bookings.id, bookingId));

  it('through the Durable Object alarm, even after the object was evicted, and the offer can be booked again', async () => {
    const { offer, other, bookingId, intentId } = await heldOffer();
    await backdate(bookingId);
    await evictDurableObject(stub(offer.id)); // a restart: memory gone, the alarm survives
    expect(await runDurableObjectAlarm(stub(offer.id))).toBe(true);
    expect((await bookingRow(bookingId)).status).toBe('EXPIRED');
    expect((await offerRow(offer.id)).status).toBe('AVAILABLE');
    // The abandoned payment can no longer succeed.
    expect((await deps().payments.retrieveIntent(intentId)).status).toBe('canceled');
    expect((await book(offer.id, other.token)).status).toBe(201);
  });

  it('the alarm does nothing before the deadline', async () => {
    const { offer, bookingId } = await heldOffer();
    await runDurableObjectAlarm(stub(offer.id));
    expect((await bookingRow(bookingId)).status).toBe('PENDING');
  });

  it('through the cron sweep when the alarm was missed', async () => {
    const { offer, other, bookingId } = await heldOffer();
    await runInDurableObject(stub(offer.id), (_i, state) => state.storage.deleteAlarm());
    await backdate(bookingId);
    await evictDurableObject(stub(offer.id));
    const out = await runScheduled(testEnv, { cron: CRON.every5min, scheduledTime: Date.now() });
    expect(out['booking-sweep']).toMatchObject({ status: 'SUCCESS' });
    expect((out['booking-sweep'] as { counts: Record<string, number> }).counts.holdsReleased).toBeGreaterThanOrEqual(1);
    expect((await bookingRow(bookingId)).status).toBe('EXPIRED');
    expect((await book(offer.id, other.token)).status).toBe(201);
  });

  it('the sweep expires offers that started unbooked', async () => {
    const c = await onboardedCreator();
    const offer = await offerFor(c);
    await deps()
      .db.update(callOffers)
      .set({ startsAt: new Date(Date.now() - 60_000) })
      .where(eq(callOffers.id, offer.id));
    await runScheduled(testEnv, { cron: CRON.every5min, scheduledTime: Date.now() + 1 });
    expect((await offerRow(offer.id)).status).toBe('EXPIRED');
  });
});

describe('live status over WebSocket', () => {
  async function connect(offerId: string) {
    const res = await fetchApp(`/api/offers/${offerId}/live`, { headers: { upgrade: 'websocket' } });
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    const messages: { status: string; offerId: string; at: string }[] = [];
    ws.accept();
    ws.addEventListener('message', (e) => messages.push(JSON.parse(String(e.data))));
    return { ws, messages };
  }

  it('sends the current status on connect, then every change, to every subscriber', async () => {
    const c = await onboardedCreator();
    const offer = await offerFor(c);
    const subs = await Promise.all([connect(offer.id), connect(offer.id), connect(offer.id)]);
    await until(() => subs.every((s) => s.messages.length >= 1));
    for (const s of subs)
      expect(s.messages[0]).toMatchObject({ type: 'status', offerId: offer.id, status: 'AVAILABLE' });
    const [fan] = await fans(1);
    expect((await book(offer.id, fan.token)).status).toBe(201);
    await until(() => subs.every((s) => s.messages.some((m) => m.status === 'HELD')));
    for (const s of subs) expect(s.messages.map((m) => m.status)).toContain('HELD');
    const late = await connect(offer.id);
    await until(() => late.messages.length >= 1);
    expect(late.messages[0].status).toBe('HELD');
    for (const s of subs.concat(late)) s.ws.close();
  });

  it('answers plain GETs with the status as JSON (the polling fallback)', async () => {
    const c = await onboardedCreator();
    const offer = await offerFor(c);
    const res = await fetchApp(`/api/offers/${offer.id}/live`);
    expect(await res.json()).toMatchObject({ type: 'status', offerId: offer.id, status: 'AVAILABLE' });
    expect((await fetchApp('/api/offers/off_unknown0000000/live')).status).toBe(404);
  });
});

describe('offers: ownership, edits, calendar', () => {
  const future = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();
  const body = (over: Record<string, unknown> = {}) => ({
    title: 'Coaching',
    description: 'Let us talk',
    price: 4500,
    currency: 'EUR',
    startsAt: future(48),
    durationMinutes: 30,
    ...over,
  });

  it('creates offers with validation: future, sane duration, card minimum, no overlap', async () => {
    const c = await onboardedCreator();
    const ok = await api('POST', '/api/offers', body(), { token: c.token });
    expect(ok.status).toBe(201);
    await expectError(
      await api('POST', '/api/offers', body({ startsAt: future(0.2) }), { token: c.token }),
      422,
      'TOO_SOON',
    );
    await expectError(
      await api('POST', '/api/offers', body({ durationMinutes: 7 }), { token: c.token }),
      400,
      'VALIDATION_ERROR',
    );
    await expectError(
      await api('POST', '/api/offers', body({ price: 49 }), { token: c.token }),
      400,
      'VALIDATION_ERROR',
    );
    // The card minimum is the currency's own (GBP: 30 pence) — for a creator whose account settles in GBP.
    const gbp = await onboardedCreator('GBP');
    expect(
      (
        await api('POST', '/api/offers', body({ price: 30, currency: 'GBP', startsAt: future(60) }), {
          token: gbp.token,
        })
      ).status,
    ).toBe(201);
    await expectError(
      await api('POST', '/api/offers', body({ price: 29, currency: 'GBP', startsAt: future(62) }), {
        token: gbp.token,
      }),
      400,
      'VALIDATION_ERROR',
    );
    // A EUR creator's offer in GBP would be converted: refused, nothing stored.
    const offersOf = async (creatorId: string) =>
      (await deps().db.select().from(callOffers).where(eq(callOffers.creatorId, creatorId)).all()).length;
    const held = await offersOf(c.creator.id);
    await expectError(
      await api('POST', '/api/offers', body({ price: 30, currency: 'GBP', startsAt: future(64) }), { token: c.token }),
      422,
      'CURRENCY_NOT_ACCEPTED',
    );
    expect(await offersOf(c.creator.id)).toBe(held);
    await expectError(
      await api('POST', '/api/offers', body({ price: 12.5 }), { token: c.token }),
      400,
      'VALIDATION_ERROR',
    );
    const overlap = await api(
      'POST',
      '/api/offers',
      body({ startsAt: new Date(Date.parse(body().startsAt as string) + 15 * 60_000).toISOString() }),
      { token: c.token },
    );
    await expectError(overlap, 409, 'OVERLAPS_ANOTHER_OFFER');
  });

  it('refuses two overlapping offers created at the same time (serialized per creator)', async () => {
    const c = await onboardedCreator();
    const start = Date.now() + 72 * 3600_000;
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        api('POST', '/api/offers', body({ startsAt: new Date(start + i * 5 * 60_000).toISOString() }), {
          token: c.token,
        }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(5);
  });

  it('refuses offers from creators who have not finished payment onboarding', async () => {
    const c = await onboardedCreator('EUR', { chargesEnabled: false });
    await expectError(await api('POST', '/api/offers', body(), { token: c.token }), 422, 'CREATOR_NOT_ONBOARDED');
  });

  it('lets only the owner edit or withdraw, and freezes price and time once held', async () => {
    const c = await onboardedCreator();
    const other = await onboardedCreator();
    const offer = await offerFor(c);
    await expectError(
      await api('PATCH', `/api/offers/${offer.id}`, { title: 'Mine now' }, { token: other.token }),
      403,
      'FORBIDDEN',
    );
    await expectError(
      await api('DELETE', `/api/offers/${offer.id}`, undefined, { token: other.token }),
      403,
      'FORBIDDEN',
    );
    const [fan] = await fans(1);
    await expectError(
      await api('PATCH', `/api/offers/${offer.id}`, { title: 'x' }, { token: fan.token }),
      403,
      'FORBIDDEN_ROLE',
    );
    const edited = await api(
      'PATCH',
      `/api/offers/${offer.id}`,
      { price: 3000, title: 'Better title' },
      { token: c.token },
    );
    expect(((await edited.json()) as { offer: { price: number; title: string } }).offer).toMatchObject({
      price: 3000,
      title: 'Better title',
    });
    expect((await book(offer.id, fan.token)).status).toBe(201);
    await expectError(
      await api('PATCH', `/api/offers/${offer.id}`, { price: 9000 }, { token: c.token }),
      409,
      'OFFER_LOCKED',
    );
    expect(
      (await api('PATCH', `/api/offers/${offer.id}`, { description: 'Wording only' }, { token: c.token })).status,
    ).toBe(200);
    await expectError(
      await api('DELETE', `/api/offers/${offer.id}`, undefined, { token: c.token }),
      409,
      'OFFER_HAS_BOOKING',
    );
    const free = await offerFor(c);
    expect(
      (
        (await (await api('DELETE', `/api/offers/${free.id}`, undefined, { token: c.token })).json()) as {
          offer: { status: string };
        }
      ).offer.status,
    ).toBe('CANCELLED');
    await expectError(await book(free.id, fan.token), 409, 'OFFER_UNAVAILABLE');
  });
});
