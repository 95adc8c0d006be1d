import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { callOffers, creators, users } from '../src/db/schema';
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
    const offers = await d.db.select().from(callOffers).all();
    expect(offers).toHaveLength(9);
    for (const o of offers) {
      expect(o.startsAt.getTime()).toBeGreaterThan(now.getTime());
      expect(o.endsAt.getTime() - o.startsAt.getTime()).toBe(o.durationMinutes * 60_000);
    }
    // The next day's run does not pile offers up while three are still upcoming.
    await runSeed(new Date(now.getTime() + 86_400_000));
    expect(await d.db.select().from(callOffers).all()).toHaveLength(9);
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
