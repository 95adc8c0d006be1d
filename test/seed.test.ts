import { env } from 'cloudflare:workers';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  appointmentTypes,
  availabilityRules,
  bookings,
  callOffers,
  creators,
  ledgerEntries,
  payments,
  payouts,
  users,
} from '../src/db/schema';
import { creatorBalances } from '../src/domain/ledger/ledger';
import { creatorEligibility } from '../src/domain/payouts/engine';
import { DEMO_CREATORS, DEMO_PASSWORD, DEMO_USERS, OCCUPYING_STATUSES, seedStatements } from '../scripts/seed-data.mjs';
import { OCCUPYING } from '../src/domain/offers/create';
import { api, deps, offerRow } from './helpers';

async function runSeed(now: Date) {
  const db = (env as unknown as { DB: D1Database }).DB;
  await db.batch((await seedStatements(now)).map((s: string) => db.prepare(s)));
}

/** Every demo creator has exactly three upcoming open offers at `now`, and none of their live offers overlap. */
async function expectThreeUpcomingAndNoOverlap(now: Date) {
  const d = deps();
  const live = await d.db
    .select()
    .from(callOffers)
    .where(inArray(callOffers.status, [...OCCUPYING]))
    .all();
  for (const c of DEMO_CREATORS) {
    const mine = live.filter((o) => o.creatorId === c.id).sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
    for (let i = 1; i < mine.length; i++) {
      expect(
        mine[i].startsAt.getTime(),
        `${c.slug}: ${mine[i - 1].id} overlaps ${mine[i].id} (seeded at ${now.toISOString()})`,
      ).toBeGreaterThanOrEqual(mine[i - 1].endsAt.getTime());
    }
    const upcoming = mine.filter((o) => o.status === 'AVAILABLE' && o.startsAt > now);
    expect(
      upcoming.map((o) => o.startsAt.toISOString()),
      `${c.slug} seeded at ${now.toISOString()}`,
    ).toHaveLength(3);
  }
}

describe('demo seed (npm run dev)', () => {
  it('loads admin, three creators in EUR/CHF/GBP with upcoming offers and two fans; re-running changes nothing', async () => {
    const now = new Date();
    await runSeed(now);
    await runSeed(now);
    const d = deps();
    expect((await d.db.select().from(users).all()).length).toBe(DEMO_USERS.length);
    const cs = await d.db.select().from(creators).all();
    expect(cs.map((c) => c.currency).sort()).toEqual(['CHF', 'EUR', 'GBP']);
    const offers = await d.db.select().from(callOffers).where(eq(callOffers.status, 'AVAILABLE')).all();
    expect(offers).toHaveLength(9);
    for (const o of offers) {
      expect(o.startsAt.getTime()).toBeGreaterThan(now.getTime());
      expect(o.endsAt.getTime() - o.startsAt.getTime()).toBe(o.durationMinutes * 60_000);
    }
    // The next day's run tops each creator up to three upcoming offers, whatever the time of day,
    // and never over another one.
    const tomorrow = new Date(now.getTime() + 86_400_000);
    await runSeed(tomorrow);
    await expectThreeUpcomingAndNoOverlap(tomorrow);
  });

  it('comes with a history: completed calls paid and on the books, reviews, a paid payout, and money to pay out now', async () => {
    const now = new Date();
    await runSeed(now);
    await runSeed(now);
    const d = deps();
    const lea = (await d.db.select().from(creators).where(eq(creators.slug, 'lea-martin')).get())!;
    // The books balance, and Léa has released money (and some still on hold).
    const sums = await d.db
      .select({ s: sql<number>`sum(${ledgerEntries.amount})` })
      .from(ledgerEntries)
      .groupBy(ledgerEntries.currency)
      .all();
    for (const r of sums) expect(r.s).toBe(0);
    const [bal] = await creatorBalances(d, lea.id, now);
    expect(bal).toMatchObject({ currency: 'EUR', available: 2975 + 5100, pending: 2125, debt: 0 });
    expect(
      (await d.db.select().from(payouts).where(eq(payouts.creatorId, lea.id)).all()).map((p) => [p.status, p.amount]),
    ).toEqual([['PAID', 2975 + 5100 + 2125]]);
    const e = (await creatorEligibility(d, lea, now))[0];
    expect(e).toMatchObject({ eligible: true, amount: 8075 });
    // Reviews show on the creator page.
    const page = (await (await api('GET', '/api/creators/lea-martin')).json()) as {
      rating: { average: number; count: number };
    };
    expect(page.rating).toEqual({ average: 4.8, count: 4 });
    // A seeded payment is a real one for the built-in provider: it can be refunded.
    const p = (await d.db.select().from(payments).where(eq(payments.creatorId, lea.id)).all())[0];
    expect((await d.payments.retrieveIntent(p.intentId)).status).toBe('succeeded');
  });

  it('demo creators can be booked and paid with the built-in provider', async () => {
    await runSeed(new Date());
    const { createAccount } = await import('./helpers');
    const fan = await createAccount('USER', { passwordHash: null });
    const offer = (await deps().db.select().from(callOffers).all())[0];
    const res = await api('POST', `/api/offers/${offer.id}/bookings`, undefined, { token: fan.token });
    expect(res.status).toBe(201);
    const { payment } = (await res.json()) as { payment: { intentId: string } };
    await deps().localPayments!.checkout(payment.intentId, 'succeed');
    expect((await offerRow(offer.id)).status).toBe('BOOKED');
  });

  it('demo credentials from the README work', async () => {
    await runSeed(new Date());
    for (const u of DEMO_USERS) {
      const res = await api(
        'POST',
        '/api/auth/login',
        { email: u.email, password: DEMO_PASSWORD },
        { headers: { 'cf-connecting-ip': `198.51.100.${DEMO_USERS.indexOf(u)}` } },
      );
      expect(res.status, u.email).toBe(200);
      expect(((await res.json()) as { user: { role: string } }).user.role).toBe(u.role);
    }
  });
});

describe('demo seed: bookable availability', () => {
  it("gives Noah and Léa active types and weekly hours (slots to pick), once; a creator's own changes survive re-seeding", async () => {
    const now = new Date();
    await runSeed(now);
    await runSeed(now);
    const d = deps();
    const types = (await (await api('GET', '/api/creators/noah-keller/appointment-types')).json()) as {
      timezone: string;
      types: { id: string; durationMinutes: number; price: number; currency: string }[];
    };
    expect(types.timezone).toBe('Europe/Zurich');
    expect(types.types.map((t) => [t.durationMinutes, t.price, t.currency])).toEqual([
      [30, 5000, 'CHF'],
      [60, 9000, 'CHF'],
    ]);
    const slots = (await (await api('GET', `/api/creators/noah-keller/slots?type=${types.types[0].id}`)).json()) as {
      slots: { startsAt: string }[];
    };
    expect(slots.slots.length).toBeGreaterThan(50);
    expect(
      ((await (await api('GET', '/api/creators/lea-martin/appointment-types')).json()) as { types: unknown[] }).types,
    ).toHaveLength(2);
    expect(
      ((await (await api('GET', '/api/creators/amelia-hart/appointment-types')).json()) as { types: unknown[] }).types,
    ).toHaveLength(0);
    // Noah deletes his Friday hours and one type: the next `npm run dev` does not bring them back.
    const noah = (await d.db.select().from(creators).where(eq(creators.slug, 'noah-keller')).get())!;
    await d.db
      .delete(availabilityRules)
      .where(and(eq(availabilityRules.creatorId, noah.id), eq(availabilityRules.weekday, 5)));
    await d.db.delete(appointmentTypes).where(eq(appointmentTypes.id, types.types[1].id));
    await runSeed(new Date(now.getTime() + 86_400_000));
    expect(
      (await d.db.select().from(availabilityRules).where(eq(availabilityRules.creatorId, noah.id)).all()).map(
        (r) => r.weekday,
      ),
    ).not.toContain(5);
    expect(
      await d.db.select().from(appointmentTypes).where(eq(appointmentTypes.creatorId, noah.id)).all(),
    ).toHaveLength(1);
  });
});

describe('demo seed: re-running on later days and at any hour', () => {
  // Pinned instants (all after the other tests' real-clock seeding, each series past the previous
  // one's offers): mornings, evenings after the 17:00 UTC offers, around that hour, and across the
  // spring-forward and fall-back nights in Europe and the USA. The old seed overlapped offers as
  // soon as it re-ran on a later day after 17:00 UTC.
  const series: [string, string[]][] = [
    [
      '10:00 UTC on five days',
      [
        '2027-01-11T10:00:00Z',
        '2027-01-12T10:00:00Z',
        '2027-01-13T10:00:00Z',
        '2027-01-14T10:00:00Z',
        '2027-01-15T10:00:00Z',
      ],
    ],
    [
      '18:00 UTC on five days, twice a day',
      [
        '2027-02-08T18:00:00Z',
        '2027-02-08T18:30:00Z',
        '2027-02-09T18:00:00Z',
        '2027-02-10T18:00:00Z',
        '2027-02-11T18:00:00Z',
        '2027-02-12T18:00:00Z',
      ],
    ],
    [
      'around 17:00 UTC, morning and evening mixed',
      [
        '2027-03-01T16:59:00Z',
        '2027-03-02T17:01:00Z',
        '2027-03-02T23:59:00Z',
        '2027-03-03T00:00:00Z',
        '2027-03-04T17:20:00Z',
        '2027-03-06T10:00:00Z',
      ],
    ],
    ['across a US spring-forward night', ['2027-03-13T18:00:00Z', '2027-03-14T10:00:00Z', '2027-03-15T18:00:00Z']],
    [
      'across the EU spring-forward night',
      [
        '2027-03-26T18:00:00Z',
        '2027-03-27T18:00:00Z',
        '2027-03-28T01:30:00Z',
        '2027-03-28T18:00:00Z',
        '2027-03-29T10:00:00Z',
      ],
    ],
    [
      'across the EU fall-back night',
      [
        '2027-10-29T18:00:00Z',
        '2027-10-30T18:00:00Z',
        '2027-10-31T00:30:00Z',
        '2027-10-31T18:00:00Z',
        '2027-11-01T18:00:00Z',
      ],
    ],
  ];
  for (const [name, instants] of series) {
    it(`keeps three upcoming offers per creator and never overlaps one: ${name}`, async () => {
      for (const at of instants) {
        const now = new Date(at);
        await runSeed(now);
        await expectThreeUpcomingAndNoOverlap(now);
        // The same run again adds nothing.
        const count = (await deps().db.select({ n: sql<number>`count(*)` }).from(callOffers).get())!.n;
        await runSeed(now);
        expect((await deps().db.select({ n: sql<number>`count(*)` }).from(callOffers).get())!.n).toBe(count);
      }
    });
  }

  it('does not place an offer over a held or booked one, nor over a live booking', async () => {
    const now = new Date('2027-12-06T12:00:00Z');
    const d = deps();
    const lea = DEMO_CREATORS.find((c) => c.slug === 'lea-martin')!;
    const day = (n: number, h: number, m = 0) => new Date(Date.UTC(2027, 11, 6 + n, h, m));
    // Léa already holds the first candidate's time (day +1, 17:00) as a held private slot, and a
    // booking (rescheduled: its offer elsewhere) covers the second one's (day +2, 17:15).
    await d.db.insert(callOffers).values([
      {
        id: 'off_seedtestheld',
        creatorId: lea.id,
        title: 'Held',
        description: '',
        price: 3000,
        currency: 'EUR',
        startsAt: day(1, 16, 50),
        durationMinutes: 20,
        endsAt: day(1, 17, 10),
        status: 'HELD',
        source: 'SLOT',
        createdAt: now,
        updatedAt: now,
      },
      {
        id: 'off_seedtestbook',
        creatorId: lea.id,
        title: 'Booked',
        description: '',
        price: 3000,
        currency: 'EUR',
        startsAt: day(30, 9),
        durationMinutes: 20,
        endsAt: day(30, 9, 20),
        status: 'BOOKED',
        source: 'OFFER',
        createdAt: now,
        updatedAt: now,
      },
    ]);
    await d.db.insert(bookings).values({
      id: 'bkg_seedtestbook',
      offerId: 'off_seedtestbook',
      userId: DEMO_USERS[4].id,
      creatorId: lea.id,
      status: 'CONFIRMED',
      price: 3000,
      currency: 'EUR',
      cancellationPolicy: 'HALF',
      startsAt: day(2, 17, 40),
      endsAt: day(2, 18, 0),
      createdAt: now,
      updatedAt: now,
    });
    await runSeed(now);
    await expectThreeUpcomingAndNoOverlap(now);
    const offers = await d.db
      .select()
      .from(callOffers)
      .where(and(eq(callOffers.creatorId, lea.id), eq(callOffers.status, 'AVAILABLE')))
      .all();
    const upcoming = offers
      .filter((o) => o.startsAt > now)
      .map((o) => o.startsAt.toISOString())
      .sort();
    // Day +1 and day +2 are taken: the seed falls back to days +4, +5, +6.
    expect(upcoming).toEqual([day(4, 17, 30), day(5, 17, 0), day(6, 17, 15)].map((x) => x.toISOString()));
  });

  it('uses the same statuses as the app for "taking the creator\'s time"', () => {
    expect(OCCUPYING_STATUSES).toEqual([...OCCUPYING]);
  });
});
