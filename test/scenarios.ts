/** Scenario builders: onboarded creators, offers, fans, held and paid bookings. */
import { expect } from 'vitest';
import { eq } from 'drizzle-orm';
import { bookings, callOffers, creators, type CallOffer, type Creator, type Currency } from '../src/db/schema';
import { recordCallEvent } from '../src/domain/calls/events';
import { createOffer } from '../src/domain/offers/create';
import { api, createAccount, deps, type TestAccount, bookingRow } from './helpers';

export interface CreatorScenario extends TestAccount {
  creator: Creator;
}

/** A creator account whose payments onboarding is complete (built-in provider). */
export async function onboardedCreator(
  currency: Currency = 'EUR',
  overrides: Partial<typeof creators.$inferInsert> = {},
): Promise<CreatorScenario> {
  const acc = await createAccount('CREATOR');
  const d = deps();
  const creator = (await d.db.select().from(creators).where(eq(creators.userId, acc.user.id)).get())!;
  const { accountId } = await d.payments.createConnectedAccount({
    email: acc.user.email,
    creatorId: creator.id,
    currency,
    idempotencyKey: `acct:${creator.id}`,
  });
  await d.localPayments!.completeOnboarding(accountId);
  const [updated] = await d.db
    .update(creators)
    .set({
      currency,
      stripeAccountId: accountId,
      stripeDefaultCurrency: currency,
      chargesEnabled: true,
      payoutsEnabled: true,
      detailsSubmitted: true,
      onboardedAt: new Date(),
      ...overrides,
    })
    .where(eq(creators.id, creator.id))
    .returning();
  return { ...acc, creator: updated };
}

let slot = 0;
/** An AVAILABLE offer starting `startsInMinutes` from now (each call gets its own time, no overlaps). */
export async function offerFor(
  c: CreatorScenario,
  opts: { startsInMinutes?: number; price?: number; currency?: Currency; durationMinutes?: number } = {},
): Promise<CallOffer> {
  const start = Date.now() + (opts.startsInMinutes ?? 24 * 60 + slot++ * 90) * 60_000;
  const r = await createOffer(deps(), c.creator, {
    title: 'A call',
    description: '',
    price: opts.price ?? 2500,
    currency: opts.currency ?? c.creator.currency,
    startsAt: new Date(start),
    durationMinutes: opts.durationMinutes ?? 30,
  });
  if (!r.ok) throw new Error(`offer not created: ${r.code}`);
  return r.offer;
}

/** `n` fan accounts (no password: they use bearer tokens). */
export async function fans(n: number): Promise<TestAccount[]> {
  const out: TestAccount[] = [];
  for (let i = 0; i < n; i++) out.push(await createAccount('USER', { passwordHash: null }));
  return out;
}

export async function book(offerId: string, token: string) {
  return api('POST', `/api/offers/${offerId}/bookings`, undefined, { token });
}

/** `fan` holds `offerId` (booked, not paid yet): the booking and its payment intent. */
export async function holdOffer(offerId: string, fan: TestAccount) {
  const res = await book(offerId, fan.token);
  expect(res.status, 'the booking request').toBe(201);
  const out = (await res.json()) as { booking: { id: string }; payment: { intentId: string } };
  return { bookingId: out.booking.id, intentId: out.payment.intentId };
}

/** `fan` books and pays `offerId` through the built-in provider: a confirmed booking. */
export async function payOffer(offerId: string, fan: TestAccount) {
  const held = await holdOffer(offerId, fan);
  await deps().localPayments!.checkout(held.intentId, 'succeed');
  return held;
}

/** A paid, confirmed booking (built-in provider), the call `startsInMinutes` from now. */
export async function confirmedBooking(
  opts: { startsInMinutes?: number; durationMinutes?: number; price?: number } = {},
) {
  const c = await onboardedCreator();
  const offer = await offerFor(c, {
    startsInMinutes: opts.startsInMinutes,
    durationMinutes: opts.durationMinutes,
    price: opts.price,
  });
  const [fan] = await fans(1);
  return { c, fan, offer, ...(await payOffer(offer.id, fan)) };
}

/**
 * Moves a booking's call (and its offer) to start `startsInMs` from now and last `durationMinutes`
 * — past or present times the API rightly refuses to create, needed to test the call window.
 */
export async function moveCall(
  bookingId: string,
  startsInMs: number,
  durationMinutes = 30,
): Promise<{ startsAt: Date; endsAt: Date }> {
  const d = deps();
  const startsAt = new Date(Math.floor((Date.now() + startsInMs) / 1000) * 1000);
  const endsAt = new Date(startsAt.getTime() + durationMinutes * 60_000);
  const b = await bookingRow(bookingId);
  await d.db.batch([
    d.db.update(bookings).set({ startsAt, endsAt }).where(eq(bookings.id, bookingId)),
    d.db.update(callOffers).set({ startsAt, endsAt, durationMinutes }).where(eq(callOffers.id, b.offerId)),
  ]);
  return { startsAt, endsAt };
}

/** A paid booking whose call starts `startsInMs` from now (negative: already started or over). */
export async function callAt(startsInMs: number, durationMinutes = 30) {
  const s = await confirmedBooking();
  return { ...s, ...(await moveCall(s.bookingId, startsInMs, durationMinutes)) };
}

/** Presence as the server records it (CallRoom sockets): joined at `from`, left at `to` (ms epoch). */
export async function presence(
  bookingId: string,
  role: 'FAN' | 'CREATOR',
  userId: string,
  from: number,
  to: number | null,
) {
  const d = deps();
  await recordCallEvent(d, {
    bookingId,
    type: 'PARTICIPANT_JOINED',
    source: 'SERVER',
    actorUserId: userId,
    actorRole: role,
    occurredAt: new Date(from),
  });
  if (to !== null)
    await recordCallEvent(d, {
      bookingId,
      type: 'PARTICIPANT_LEFT',
      source: 'SERVER',
      actorUserId: userId,
      actorRole: role,
      occurredAt: new Date(to),
    });
}

export type Slot = { startsAt: string; endsAt: string };

/** A creator open every day 08:00–20:00 (Paris), with one active 30-minute type (and 60-minute one). */
export async function openCreator(): Promise<CreatorScenario & { t30: string; t60: string }> {
  const c = await onboardedCreator();
  expect((await api('GET', '/api/creators/me/availability', undefined, { token: c.token })).status).toBe(200); // creates the defaults
  const ranges = [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, startMinute: 8 * 60, endMinute: 20 * 60 }));
  expect((await api('PUT', '/api/creators/me/availability/weekly', { ranges }, { token: c.token })).status).toBe(200);
  const mk = async (durationMinutes: number) =>
    (
      (await (
        await api(
          'POST',
          '/api/creators/me/appointment-types',
          { name: `${durationMinutes} min`, durationMinutes, price: 5000, minNoticeMinutes: 60, bufferAfterMinutes: 0 },
          { token: c.token },
        )
      ).json()) as { type: { id: string } }
    ).type.id;
  return { ...c, t30: await mk(30), t60: await mk(60) };
}
export const slotsOf = async (c: CreatorScenario, type: string, from?: Date, to?: Date) =>
  (
    (await (
      await api(
        'GET',
        `/api/creators/${c.creator.slug}/slots?type=${type}${from ? `&from=${from.toISOString()}` : ''}${to ? `&to=${to.toISOString()}` : ''}`,
      )
    ).json()) as { slots: Slot[] }
  ).slots;
export const bookSlot = (c: CreatorScenario, token: string, typeId: string, startsAt: string) =>
  api('POST', `/api/creators/${c.creator.slug}/slots/book`, { typeId, startsAt }, { token });

/** A call that took place 31 minutes ago (both were there) and the fan's review of it. */
export async function reviewedCall(rating = 5, comment = 'Great call') {
  const s = await callAt(-31 * 60_000);
  await presence(s.bookingId, 'CREATOR', s.c.user.id, s.startsAt.getTime(), s.endsAt.getTime());
  await presence(s.bookingId, 'FAN', s.fan.user.id, s.startsAt.getTime(), s.endsAt.getTime());
  const res = await api('POST', `/api/bookings/${s.bookingId}/review`, { rating, comment }, { token: s.fan.token });
  expect(res.status).toBe(201);
  const { review } = (await res.json()) as { review: { id: string } };
  return { ...s, reviewId: review.id };
}
