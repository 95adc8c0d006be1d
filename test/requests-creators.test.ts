import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { creators } from '../src/db/schema';
import { runScheduled } from '../src/jobs/scheduled';
import { CRON } from '../src/jobs/registry';
import { api, createAccount, deps, expectError, fetchApp, testEnv, offerRow, requestRow } from './helpers';
import { book, fans, offerFor, onboardedCreator } from './scenarios';

const at = (hours: number) => new Date(Date.now() + hours * 3600_000).toISOString();
const proposal = (over: Record<string, unknown> = {}) => ({
  proposedPrice: 6000,
  currency: 'EUR',
  proposedStartsAt: at(100),
  durationMinutes: 30,
  message: 'Could we talk about my audition?',
  ...over,
});

describe('call requests', () => {
  it('a fan proposes; the addressed creator accepts: a private offer held for that fan, payable', async () => {
    const c = await onboardedCreator();
    const [fan, stranger] = await fans(2);
    const sent = await api('POST', `/api/creators/${c.creator.id}/requests`, proposal(), { token: fan.token });
    expect(sent.status).toBe(201);
    const { request } = (await sent.json()) as { request: { id: string; status: string; expiresAt: string } };
    expect(request.status).toBe('PENDING');

    const other = await onboardedCreator();
    await expectError(
      await api('POST', `/api/requests/${request.id}/accept`, {}, { token: other.token }),
      403,
      'FORBIDDEN',
    );
    await expectError(
      await api('POST', `/api/requests/${request.id}/accept`, {}, { token: fan.token }),
      403,
      'FORBIDDEN_ROLE',
    );

    const accepted = await api(
      'POST',
      `/api/requests/${request.id}/accept`,
      { message: 'With pleasure!' },
      { token: c.token },
    );
    expect(accepted.status).toBe(200);
    const out = (await accepted.json()) as {
      request: { status: string; offerId: string; bookingId: string };
      booking: { id: string; userId: string; status: string; price: number; holdExpiresAt: string };
    };
    expect(out.request.status).toBe('ACCEPTED');
    expect(out.booking).toMatchObject({ userId: fan.user.id, status: 'PENDING', price: 6000 });
    expect(Date.parse(out.booking.holdExpiresAt) - Date.now()).toBeGreaterThan(23 * 3600_000);
    const offer = await offerRow(out.request.offerId);
    expect(offer).toMatchObject({ source: 'REQUEST', reservedForUserId: fan.user.id, status: 'HELD' });
    // Another fan cannot take it; the fan gets their hold back to pay.
    await expectError(await book(offer.id, stranger.token), 409, 'OFFER_UNAVAILABLE');
    const mine = await book(offer.id, fan.token);
    expect(mine.status).toBe(200);
    // And the request cannot be answered twice.
    await expectError(
      await api('POST', `/api/requests/${request.id}/reject`, {}, { token: c.token }),
      409,
      'REQUEST_NOT_PENDING',
    );
  });

  it('refuses to accept a request overlapping another live offer of the creator', async () => {
    const c = await onboardedCreator();
    const existing = await offerFor(c, { startsInMinutes: 100 * 60 });
    const [fan] = await fans(1);
    const { request } = (await (
      await api(
        'POST',
        `/api/creators/${c.creator.id}/requests`,
        proposal({ proposedStartsAt: new Date(existing.startsAt.getTime() + 10 * 60_000).toISOString() }),
        { token: fan.token },
      )
    ).json()) as { request: { id: string } };
    await expectError(
      await api('POST', `/api/requests/${request.id}/accept`, {}, { token: c.token }),
      409,
      'OVERLAPS_ANOTHER_OFFER',
    );
    expect((await requestRow(request.id)).status).toBe('PENDING');
  });

  it('lets the creator reject, the fan list and withdraw', async () => {
    const c = await onboardedCreator();
    const [fan] = await fans(1);
    const ids: string[] = [];
    for (const h of [60, 70, 80]) {
      ids.push(
        (
          (await (
            await api('POST', `/api/creators/${c.creator.id}/requests`, proposal({ proposedStartsAt: at(h) }), {
              token: fan.token,
            })
          ).json()) as { request: { id: string } }
        ).request.id,
      );
    }
    const rejected = await api(
      'POST',
      `/api/requests/${ids[0]}/reject`,
      { message: 'Not available, sorry' },
      { token: c.token },
    );
    expect(((await rejected.json()) as { request: { status: string; responseMessage: string } }).request).toMatchObject(
      { status: 'REJECTED', responseMessage: 'Not available, sorry' },
    );
    expect((await api('POST', `/api/requests/${ids[1]}/cancel`, undefined, { token: fan.token })).status).toBe(204);
    const inbox = (await (await api('GET', '/api/requests?as=creator', undefined, { token: c.token })).json()) as {
      items: { id: string; status: string }[];
    };
    expect(inbox.items.map((r) => r.status).sort()).toEqual(['CANCELLED', 'PENDING', 'REJECTED']);
    const mine = (await (await api('GET', '/api/requests', undefined, { token: fan.token })).json()) as {
      items: unknown[];
    };
    expect(mine.items).toHaveLength(3);
  });

  it('closes a request exactly 72 h after it is sent, or 30 min before the proposed time when that is sooner; expiry happens then, not before', async () => {
    const c = await onboardedCreator();
    const [fan] = await fans(1);
    const send = async (proposedStartsAt: string) => {
      const before = Date.now();
      const res = await api('POST', `/api/creators/${c.creator.id}/requests`, proposal({ proposedStartsAt }), {
        token: fan.token,
      });
      const after = Date.now();
      expect(res.status).toBe(201);
      const { request } = (await res.json()) as { request: { id: string; expiresAt: string } };
      return { before, after, id: request.id, expiresAt: Date.parse(request.expiresAt) };
    };
    const statusOf = async (id: string) => (await requestRow(id)).status;
    // Far enough ahead: the 72 h window, to the millisecond of the request (the clock only moves with I/O).
    const far = await send(at(100));
    expect(far.expiresAt).toBeGreaterThanOrEqual(far.before + 72 * 3600_000);
    expect(far.expiresAt).toBeLessThanOrEqual(far.after + 72 * 3600_000);
    // Proposed sooner than 72 h 30 min: closes 30 minutes before the proposed start, exactly.
    const soonStart = at(10);
    const soon = await send(soonStart);
    expect(soon.expiresAt).toBe(Date.parse(soonStart) - 30 * 60_000);
    // Just past the cap's reach (72 h 31 min ahead): the 72 h window again.
    const edge = await send(at(72 + 31 / 60));
    expect(edge.expiresAt).toBeLessThanOrEqual(edge.after + 72 * 3600_000);
    expect(edge.expiresAt).toBeGreaterThanOrEqual(edge.before + 72 * 3600_000);

    // Time moves (the app's clock, not the row): 2 s before the deadline the sweep leaves it open…
    const moveTo = (t: number) => api('POST', '/dev/clock', { offsetMs: t - Date.now() });
    try {
      await moveTo(far.expiresAt - 2000);
      await runScheduled(testEnv, { cron: CRON.every5min, scheduledTime: Date.now() + 7 });
      expect(await statusOf(far.id)).toBe('PENDING');
      // …1 s after it, the creator can no longer accept, and the next sweep marks it expired.
      await moveTo(far.expiresAt + 1000);
      await expectError(
        await api('POST', `/api/requests/${far.id}/accept`, {}, { token: c.token }),
        409,
        'REQUEST_EXPIRED',
      );
      await runScheduled(testEnv, { cron: CRON.every5min, scheduledTime: Date.now() + 11 });
      expect(await statusOf(far.id)).toBe('EXPIRED');
      expect(await statusOf(soon.id)).toBe('EXPIRED');
      await expectError(
        await api('POST', `/api/requests/${far.id}/accept`, {}, { token: c.token }),
        409,
        'REQUEST_NOT_PENDING',
      );
    } finally {
      await api('POST', '/dev/clock', { reset: true });
    }
  });

  it('validates proposals: card minimum, future time, not to oneself', async () => {
    const c = await onboardedCreator();
    const [fan] = await fans(1);
    await expectError(
      await api('POST', `/api/creators/${c.creator.id}/requests`, proposal({ proposedPrice: 20, currency: 'GBP' }), {
        token: fan.token,
      }),
      400,
      'VALIDATION_ERROR',
    );
    await expectError(
      await api('POST', `/api/creators/${c.creator.id}/requests`, proposal({ proposedStartsAt: at(-1) }), {
        token: fan.token,
      }),
      422,
      'TOO_SOON',
    );
    await expectError(
      await api('POST', `/api/creators/${c.creator.id}/requests`, proposal(), { token: c.token }),
      403,
      'OWN_PROFILE',
    );
    await expectError(
      await api('POST', '/api/creators/crt_nobody0000000/requests', proposal(), { token: fan.token }),
      404,
      'CREATOR_NOT_FOUND',
    );
  });
});

describe('creators', () => {
  it('lists creators with search and paging, and serves a creator page with upcoming offers', async () => {
    const c = await onboardedCreator('CHF');
    await deps()
      .db.update(creators)
      .set({ displayName: 'Zacharie Quintet', expertise: 'Jazz saxophone', slug: 'zacharie-quintet' })
      .where(eq(creators.id, c.creator.id));
    await offerFor(c, { price: 9000 });
    await offerFor(c, { price: 4000 });
    const found = (await (await fetchApp('/api/creators?q=saxophone')).json()) as {
      items: { slug: string; priceFrom: { amount: number; currency: string } }[];
      total: number;
    };
    expect(found.total).toBe(1);
    expect(found.items[0], JSON.stringify(found.items[0])).toMatchObject({
      slug: 'zacharie-quintet',
      priceFrom: { amount: 4000, currency: 'CHF' },
    });
    expect(((await (await fetchApp('/api/creators?q=%25')).json()) as { total: number }).total).toBe(0);
    const page = (await (await fetchApp('/api/creators/zacharie-quintet')).json()) as {
      creator: { displayName: string };
      offers: unknown[];
      rating: { count: number };
    };
    expect(page.creator.displayName).toBe('Zacharie Quintet');
    expect(page.offers).toHaveLength(2);
    expect(page.rating).toEqual({ average: null, count: 0 });
    expect((await fetchApp('/api/creators/nobody-here')).status).toBe(404);
    for (let i = 0; i < 13; i++) await createAccount('CREATOR');
    const p2 = (await (await fetchApp('/api/creators?page=2')).json()) as {
      items: unknown[];
      total: number;
      pageSize: number;
    };
    expect(p2.pageSize).toBe(12);
    expect(p2.items.length).toBe(p2.total - 12);
  });

  it('lets a fan become a creator, and a creator edit their profile (unique slug)', async () => {
    const fan = await createAccount('USER');
    const res = await api('POST', '/api/me/become-creator', undefined, { token: fan.token });
    const out = (await res.json()) as { user: { role: string }; creator: { slug: string } };
    expect(out.user.role).toBe('CREATOR');
    const other = await createAccount('CREATOR');
    const taken = (await deps().db.select().from(creators).where(eq(creators.userId, other.user.id)).get())!.slug;
    await expectError(await api('PUT', '/api/creators/me', { slug: taken }, { token: fan.token }), 409, 'SLUG_TAKEN');
    const ok = await api(
      'PUT',
      '/api/creators/me',
      {
        bio: 'Hello',
        currency: 'GBP',
        socialLinks: { instagram: 'https://instagram.com/me' },
        cancellationPolicy: 'FULL',
      },
      { token: fan.token },
    );
    expect(((await ok.json()) as { creator: Record<string, unknown> }).creator).toMatchObject({
      bio: 'Hello',
      currency: 'GBP',
      cancellationPolicy: 'FULL',
    });
    await expectError(
      await api('PUT', '/api/creators/me', { socialLinks: { instagram: 'javascript:alert(1)' } }, { token: fan.token }),
      400,
      'VALIDATION_ERROR',
    );
    await expectError(
      await api('PUT', '/api/creators/me', { bio: 'x' }, { token: (await createAccount('USER')).token }),
      403,
      'FORBIDDEN_ROLE',
    );
  });
});
