/**
 * "Amounts are never converted silently": a creator's prices are in the currency their payment
 * account settles in (its default currency once known) — offers, appointment types, requests to
 * them and accepted requests; anything else is a clear 422 CURRENCY_NOT_ACCEPTED, in the API and
 * on the creator's pages.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { bookings, callRequests, creators } from '../src/db/schema';
import { api, deps, expectError, getPage, postPage, offerRow, requestRow } from './helpers';
import { fans, offerFor, onboardedCreator } from './scenarios';

const future = (days: number) =>
  new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + days * 86_400_000).toISOString();
const offerBody = (currency: string, days: number) => ({
  title: 'Chess lesson',
  description: '',
  price: 6000,
  currency,
  startsAt: future(days),
  durationMinutes: 30,
});

describe('a creator prices in the currency their payment account settles in', () => {
  it('CHF account: offers, offer edits, appointment types, the profile and requests in EUR are refused; CHF goes through', async () => {
    const c = await onboardedCreator('CHF');
    expect(
      (await deps().db.select().from(creators).where(eq(creators.id, c.creator.id)).get())!.stripeDefaultCurrency,
    ).toBe('CHF');
    const me = (await (await api('GET', '/api/creators/me', undefined, { token: c.token })).json()) as {
      creator: { acceptedCurrency: string };
    };
    expect(me.creator.acceptedCurrency).toBe('CHF');

    await expectError(
      await api('POST', '/api/offers', offerBody('EUR', 3), { token: c.token }),
      422,
      'CURRENCY_NOT_ACCEPTED',
    );
    const created = await api('POST', '/api/offers', offerBody('CHF', 4), { token: c.token });
    expect(created.status).toBe(201);
    const { offer } = (await created.json()) as { offer: { id: string } };
    const edit = await expectError(
      await api('PATCH', `/api/offers/${offer.id}`, { currency: 'EUR' }, { token: c.token }),
      422,
      'CURRENCY_NOT_ACCEPTED',
    );
    expect(edit.details).toEqual({ accepted: 'CHF' });
    expect((await offerRow(offer.id)).currency).toBe('CHF');

    await expectError(
      await api(
        'POST',
        '/api/creators/me/appointment-types',
        { name: 'Blitz', durationMinutes: 30, price: 4000, currency: 'USD' },
        { token: c.token },
      ),
      422,
      'CURRENCY_NOT_ACCEPTED',
    );
    const type = (await (
      await api(
        'POST',
        '/api/creators/me/appointment-types',
        { name: 'Blitz', durationMinutes: 30, price: 4000 },
        { token: c.token },
      )
    ).json()) as { type: { id: string; currency: string } };
    expect(type.type.currency).toBe('CHF');
    await expectError(
      await api('PATCH', `/api/creators/me/appointment-types/${type.type.id}`, { currency: 'GBP' }, { token: c.token }),
      422,
      'CURRENCY_NOT_ACCEPTED',
    );

    await expectError(
      await api('PUT', '/api/creators/me', { currency: 'EUR' }, { token: c.token }),
      422,
      'CURRENCY_NOT_ACCEPTED',
    );
    expect((await api('PUT', '/api/creators/me', { currency: 'CHF' }, { token: c.token })).status).toBe(200);

    const [fan] = await fans(1);
    const ask = (currency: string) =>
      api(
        'POST',
        `/api/creators/${c.creator.id}/requests`,
        { proposedPrice: 5000, currency, proposedStartsAt: future(6), durationMinutes: 30, message: 'Hello' },
        { token: fan.token },
      );
    await expectError(await ask('EUR'), 422, 'CURRENCY_NOT_ACCEPTED');
    expect((await ask('CHF')).status).toBe(201);
  });

  it("the account's currency wins over the profile's: a creator whose profile says EUR but whose account settles in GBP prices in GBP", async () => {
    const c = await onboardedCreator('EUR');
    await deps().db.update(creators).set({ stripeDefaultCurrency: 'GBP' }).where(eq(creators.id, c.creator.id));
    await expectError(
      await api('POST', '/api/offers', offerBody('EUR', 3), { token: c.token }),
      422,
      'CURRENCY_NOT_ACCEPTED',
    );
    expect((await api('POST', '/api/offers', offerBody('GBP', 3), { token: c.token })).status).toBe(201);
    // Before the provider told us the account's currency, the profile's is the one.
    await deps().db.update(creators).set({ stripeDefaultCurrency: null }).where(eq(creators.id, c.creator.id));
    expect((await api('POST', '/api/offers', offerBody('EUR', 5), { token: c.token })).status).toBe(201);
    await expectError(
      await api('POST', '/api/offers', offerBody('GBP', 6), { token: c.token }),
      422,
      'CURRENCY_NOT_ACCEPTED',
    );
  });

  it('a request made in another currency before (or around) the policy cannot be accepted: nothing is held', async () => {
    const c = await onboardedCreator('CHF');
    const [fan] = await fans(1);
    const now = new Date();
    const id = deps().ids.next('req');
    await deps()
      .db.insert(callRequests)
      .values({
        id,
        userId: fan.user.id,
        creatorId: c.creator.id,
        proposedPrice: 5000,
        currency: 'EUR',
        proposedStartsAt: new Date(future(5)),
        durationMinutes: 30,
        message: 'Old one',
        status: 'PENDING',
        expiresAt: new Date(Date.now() + 86_400_000),
        createdAt: now,
        updatedAt: now,
      });
    await expectError(
      await api('POST', `/api/requests/${id}/accept`, { message: 'OK' }, { token: c.token }),
      422,
      'CURRENCY_NOT_ACCEPTED',
    );
    expect((await requestRow(id)).status).toBe('PENDING');
    expect(await deps().db.select().from(bookings).where(eq(bookings.userId, fan.user.id)).all()).toEqual([]);
  });

  it("the creator's pages say which currency and refuse another one with the reason", async () => {
    const c = await onboardedCreator('CHF');
    const offers = await (await getPage('/en/creator/offers', c.token)).text();
    expect(offers).toContain('data-accepted-currency="CHF"');
    expect(offers).toContain('<option value="CHF" selected>');
    const payments = await (await getPage('/fr/creator/payments', c.token)).text();
    expect(payments).toContain('Votre compte de paiement est réglé en CHF');
    const start = future(3).slice(0, 16);
    const refused = await postPage('/en/creator/offers', c.token, {
      title: 'Euro lesson',
      description: '',
      price: '60',
      currency: 'EUR',
      startsAt: start,
      durationMinutes: '30',
    });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('Prices must be in CHF, the currency your payment account settles in');
    const offer = await offerFor(c, { price: 6000 });
    const edit = await postPage(`/en/creator/offers/${offer.id}/edit`, c.token, {
      title: offer.title,
      description: '',
      price: '60',
      currency: 'USD',
      startsAt: start,
      durationMinutes: '30',
    });
    expect(edit.status).toBe(422);
    const profile = await postPage('/fr/creator/profile', c.token, {
      displayName: c.creator.displayName,
      slug: c.creator.slug,
      currency: 'EUR',
      timezone: 'Europe/Zurich',
      cancellationPolicy: 'HALF',
    });
    expect(profile.status).toBe(422);
    expect(await profile.text()).toContain('Les prix doivent être en CHF');
  });
});
