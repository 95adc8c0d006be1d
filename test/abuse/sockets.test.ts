// Attacker stories: the quota of one address's live sockets (issue 16, item 11), and the
// accept/withdraw race (item 15) — a fan withdrawing a request while the creator accepts it, or the
// creator rejecting it meanwhile.
import { and, count, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { bookings, callOffers, callRequests, emailLog, localStripeObjects, notifications, payments } from '../../src/db/schema';
import { addressKey } from '../../src/durable/socket-quota';
import { createRequest } from '../../src/domain/requests/requests';
import { LIVE_SOCKETS } from '../../src/shared/live-sockets';
import { api, deps, expectError, testEnv } from '../helpers';
import { fans, onboardedCreator } from '../scenarios';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the quota of an address (all its live sockets, on every object)', () => {
  it('an IPv6 client is counted by its /64 (it owns every address in it)', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:ffff:1:2:3')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::ffff:198.51.100.4')).toBe('198.51.100.4');
    expect(addressKey('198.51.100.4')).toBe('198.51.100.4');
    expect(addressKey('not an address')).toBe('unknown');
  });

  it('leases lapse on their own: a release lost to a crash cannot lock an address out for good', async () => {
    const quota = testEnv.SOCKET_QUOTA.getByName('198.51.100.250');
    const later = Date.now() + 60_000;
    await Promise.all(Array.from({ length: LIVE_SOCKETS.perAddress - 1 }, () => quota.acquire({ until: later })));
    // The last place, on a lease whose holder will never give it back.
    expect(await quota.acquire({ until: Date.now() + 1000 })).not.toBeNull();
    expect(await quota.acquire({ until: later })).toBeNull();
    expect(await quota.held()).toBe(LIVE_SOCKETS.perAddress);
    await sleep(1100);
    expect(await quota.acquire({ until: later })).not.toBeNull();
    expect(await quota.acquire({ until: later })).toBeNull();
  });
});

describe('accept vs. withdraw of a fan\'s request: never a hold for a request that did not stay accepted', () => {
  const at = (hours: number) => new Date(Date.now() + hours * 3600_000);
  const totals = async (creatorId: string, fanId: string, fanEmail: string) => {
    const d = deps().db;
    const [offers] = await d.select({ n: count() }).from(callOffers).where(eq(callOffers.creatorId, creatorId));
    const [books] = await d.select({ n: count() }).from(bookings).where(eq(bookings.creatorId, creatorId));
    const [pays] = await d.select({ n: count() }).from(payments).where(eq(payments.creatorId, creatorId));
    const [intents] = await d.select({ n: count() }).from(localStripeObjects).where(eq(localStripeObjects.type, 'payment_intent'));
    const [told] = await d.select({ n: count() }).from(notifications).where(and(eq(notifications.userId, fanId), inArray(notifications.type, ['REQUEST_ACCEPTED', 'REQUEST_REJECTED'])));
    const [mails] = await d.select({ n: count() }).from(emailLog).where(and(eq(emailLog.to, fanEmail), eq(emailLog.template, 'request_answered')));
    return { offers: offers.n, bookings: books.n, payments: pays.n, intents: intents.n, told: told.n, mails: mails.n };
  };

  /** Runs `rounds` races of the creator's acceptance against `other` (the fan's withdrawal, the creator's rejection). */
  async function race(rounds: number, other: 'withdraw' | 'reject') {
    const c = await onboardedCreator();
    const [fan] = await fans(1);
    const ask = async (hours: number) => {
      const r = await createRequest(deps(), fan.user, c.creator.id, { proposedPrice: 6000, currency: 'EUR', proposedStartsAt: at(hours), durationMinutes: 30, message: 'Race' });
      if (!r.ok) throw new Error(r.code);
      return r.request.id;
    };
    const start = await totals(c.creator.id, fan.user.id, fan.user.email);
    let accepted = 0;
    let ended = 0;
    for (let i = 0; i < rounds; i++) {
      const id = await ask(100 + 2 * i);
      const accept = () => api('POST', `/api/requests/${id}/accept`, {}, { token: c.token });
      const end = () => (other === 'withdraw' ? api('POST', `/api/requests/${id}/cancel`, undefined, { token: fan.token }) : api('POST', `/api/requests/${id}/reject`, {}, { token: c.token }));
      // The other side lands at a different moment of the acceptance each round (and first, every
      // third round). Waited out with D1 reads: the test's own timers do not fire while the Worker
      // serves its requests here.
      const later = async <T>(fn: () => Promise<T>) => {
        for (let k = 0; k < i; k++) await deps().db.select({ id: callRequests.id }).from(callRequests).where(eq(callRequests.id, id)).get();
        return fn();
      };
      const [a, e] = i % 3 === 2
        ? await Promise.all([end(), later(accept)]).then(([x, y]) => [y, x])
        : await Promise.all([accept(), later(end)]);
      const row = (await deps().db.select().from(callRequests).where(eq(callRequests.id, id)).get())!;
      if (row.status === 'ACCEPTED') {
        accepted++;
        expect(a.status).toBe(200);
        await expectError(e, 409, 'REQUEST_NOT_PENDING');
        const b = (await deps().db.select().from(bookings).where(eq(bookings.id, row.bookingId!)).get())!;
        expect([b.status, b.offerId, b.userId]).toEqual(['PENDING', row.offerId, fan.user.id]);
      } else {
        ended++;
        expect(row.status).toBe(other === 'withdraw' ? 'CANCELLED' : 'REJECTED');
        expect([row.offerId, row.bookingId]).toEqual([null, null]);
        expect(e.status).toBe(other === 'withdraw' ? 204 : 200);
        await expectError(a, 409, 'REQUEST_NOT_PENDING');
      }
    }
    // Holds, payments, intents and messages: exactly one set per accepted request, none for the others.
    const end = await totals(c.creator.id, fan.user.id, fan.user.email);
    const rejections = other === 'reject' ? ended : 0;
    expect({ offers: end.offers - start.offers, bookings: end.bookings - start.bookings, payments: end.payments - start.payments, intents: end.intents - start.intents, told: end.told - start.told, mails: end.mails - start.mails })
      .toEqual({ offers: accepted, bookings: accepted, payments: accepted, intents: accepted, told: accepted + rejections, mails: accepted + rejections });
    const live = await deps().db.select().from(callOffers).where(and(eq(callOffers.creatorId, c.creator.id), inArray(callOffers.status, ['AVAILABLE', 'HELD', 'BOOKED']))).all();
    expect(live).toHaveLength(accepted);
    expect(accepted).toBeGreaterThan(0);
    expect(ended).toBeGreaterThan(0);
  }

  it('the fan withdraws while the creator accepts (18 races): withdrawn and nothing created, or accepted and the withdrawal refused', async () => {
    await race(18, 'withdraw');
  });

  it('the creator rejects while accepting (12 races): one answer wins, a rejected request has no hold', async () => {
    await race(12, 'reject');
  });
});
