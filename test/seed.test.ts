import { env } from 'cloudflare:workers';
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointmentTypes, availabilityRules, callOffers, creators, ledgerEntries, payments, payouts, users } from '../src/db/schema';
import { creatorBalances } from '../src/domain/ledger/ledger';
import { creatorEligibility } from '../src/domain/payouts/engine';
import { DEMO_PASSWORD, DEMO_USERS, seedStatements } from '../scripts/seed-data.mjs';
import { api, deps } from './helpers';

async function runSeed(now: Date) {
  const db = (env as unknown as { DB: D1Database }).DB;
  await db.batch((await seedStatements(now)).map((s: string) => db.prepare(s)));
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
    // The next day's run does not pile offers up while three are still upcoming.
    await runSeed(new Date(now.getTime() + 86_400_000));
    expect(await d.db.select().from(callOffers).where(eq(callOffers.status, 'AVAILABLE')).all()).toHaveLength(9);
  });

  it('comes with a history: completed calls paid and on the books, reviews, a paid payout, and money to pay out now', async () => {
    const now = new Date();
    await runSeed(now);
    await runSeed(now);
    const d = deps();
    const lea = (await d.db.select().from(creators).where(eq(creators.slug, 'lea-martin')).get())!;
    // The books balance, and Léa has released money (and some still on hold).
    const sums = await d.db.select({ s: sql<number>`sum(${ledgerEntries.amount})` }).from(ledgerEntries).groupBy(ledgerEntries.currency).all();
    for (const r of sums) expect(r.s).toBe(0);
    const [bal] = await creatorBalances(d, lea.id, now);
    expect(bal).toMatchObject({ currency: 'EUR', available: 2975 + 5100, pending: 2125, debt: 0 });
    expect((await d.db.select().from(payouts).where(eq(payouts.creatorId, lea.id)).all()).map((p) => [p.status, p.amount])).toEqual([['PAID', 2975 + 5100 + 2125]]);
    const e = (await creatorEligibility(d, lea, now))[0];
    expect(e).toMatchObject({ eligible: true, amount: 8075 });
    // Reviews show on the creator page.
    const page = (await (await api('GET', '/api/creators/lea-martin')).json()) as { rating: { average: number; count: number } };
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
    expect((await deps().db.select().from(callOffers).where(eq(callOffers.id, offer.id)).get())!.status).toBe('BOOKED');
  });

  it('demo credentials from the README work', async () => {
    await runSeed(new Date());
    for (const u of DEMO_USERS) {
      const res = await api('POST', '/api/auth/login', { email: u.email, password: DEMO_PASSWORD }, { headers: { 'cf-connecting-ip': `198.51.100.${DEMO_USERS.indexOf(u)}` } });
      expect(res.status, u.email).toBe(200);
      expect(((await res.json()) as { user: { role: string } }).user.role).toBe(u.role);
    }
  });
});

describe('demo seed: bookable availability', () => {
  it('gives Noah and Léa active types and weekly hours (slots to pick), once; a creator\'s own changes survive re-seeding', async () => {
    const now = new Date();
    await runSeed(now);
    await runSeed(now);
    const d = deps();
    const types = (await (await api('GET', '/api/creators/noah-keller/appointment-types')).json()) as { timezone: string; types: { id: string; durationMinutes: number; price: number; currency: string }[] };
    expect(types.timezone).toBe('Europe/Zurich');
    expect(types.types.map((t) => [t.durationMinutes, t.price, t.currency])).toEqual([[30, 5000, 'CHF'], [60, 9000, 'CHF']]);
    const slots = (await (await api('GET', `/api/creators/noah-keller/slots?type=${types.types[0].id}`)).json()) as { slots: { startsAt: string }[] };
    expect(slots.slots.length).toBeGreaterThan(50);
    expect(((await (await api('GET', '/api/creators/lea-martin/appointment-types')).json()) as { types: unknown[] }).types).toHaveLength(2);
    expect(((await (await api('GET', '/api/creators/amelia-hart/appointment-types')).json()) as { types: unknown[] }).types).toHaveLength(0);
    // Noah deletes his Friday hours and one type: the next `npm run dev` does not bring them back.
    const noah = (await d.db.select().from(creators).where(eq(creators.slug, 'noah-keller')).get())!;
    await d.db.delete(availabilityRules).where(and(eq(availabilityRules.creatorId, noah.id), eq(availabilityRules.weekday, 5)));
    await d.db.delete(appointmentTypes).where(eq(appointmentTypes.id, types.types[1].id));
    await runSeed(new Date(now.getTime() + 86_400_000));
    expect((await d.db.select().from(availabilityRules).where(eq(availabilityRules.creatorId, noah.id)).all()).map((r) => r.weekday)).not.toContain(5);
    expect(await d.db.select().from(appointmentTypes).where(eq(appointmentTypes.creatorId, noah.id)).all()).toHaveLength(1);
  });
});
