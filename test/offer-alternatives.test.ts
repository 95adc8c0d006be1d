/**
 * When an offer is taken, its page offers the creator's other free offers and next free times
 * (GET /api/offers/:id/alternatives and the server-rendered notice), or the request form when
 * there is nothing — with links that lead to something bookable.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { creators } from '../src/db/schema';
import { api, deps, expectError, fetchApp, getPage, postPage } from './helpers';
import { book, fans, offerFor, onboardedCreator, openCreator, slotsOf } from './scenarios';

type Alternatives = {
  creator: { slug: string };
  offers: { id: string; startsAt: string; status: string }[];
  slots: {
    typeId: string;
    typeName: string;
    startsAt: string;
    endsAt: string;
    durationMinutes: number;
    price: number;
    currency: string;
  }[];
};
const alternativesOf = async (offerId: string) => {
  const res = await api('GET', `/api/offers/${offerId}/alternatives`);
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  return (await res.json()) as Alternatives;
};
const decode = (s: string) => s.replace(/&amp;/g, '&');

describe('alternatives to a taken offer', () => {
  it("lists the creator's other free public offers and their next free times across active types, soonest first", async () => {
    const c = await openCreator();
    const [fan, other] = await fans(2);
    const taken = await offerFor(c, { startsInMinutes: 3 * 24 * 60 });
    const later = await offerFor(c, { startsInMinutes: 5 * 24 * 60 });
    const sooner = await offerFor(c, { startsInMinutes: 4 * 24 * 60 });
    const held = await offerFor(c, { startsInMinutes: 6 * 24 * 60 });
    expect((await book(held.id, other.token)).status).toBe(201);
    const stranger = await onboardedCreator();
    await offerFor(stranger, { startsInMinutes: 3 * 24 * 60 + 60 });
    expect((await book(taken.id, fan.token)).status).toBe(201);

    const a = await alternativesOf(taken.id);
    expect(a.creator.slug).toBe(c.creator.slug);
    // Other AVAILABLE offers of this creator only, soonest first: not the taken one, not the held one, not another creator's.
    expect(a.offers.map((o) => o.id)).toEqual([sooner.id, later.id]);
    expect(a.offers.every((o) => o.status === 'AVAILABLE')).toBe(true);
    // Free times: each one is a slot the slots API offers for its type, with that type's terms; four, in order.
    expect(a.slots).toHaveLength(4);
    const free = { [c.t30]: await slotsOf(c, c.t30), [c.t60]: await slotsOf(c, c.t60) };
    for (const s of a.slots) {
      expect(free[s.typeId].map((f) => f.startsAt)).toContain(s.startsAt);
      expect(s).toMatchObject({
        typeName: s.typeId === c.t30 ? '30 min' : '60 min',
        durationMinutes: s.typeId === c.t30 ? 30 : 60,
        price: 5000,
        currency: 'EUR',
      });
    }
    const starts = a.slots.map((s) => Date.parse(s.startsAt));
    expect(starts).toEqual([...starts].sort((x, y) => x - y));
    const earliest = Math.min(Date.parse(free[c.t30][0].startsAt), Date.parse(free[c.t60][0].startsAt));
    expect(starts[0]).toBe(earliest);
  });

  it('is empty when nothing is bookable (no other offer, no active type, or a creator who cannot be paid), and 404 for an unknown offer', async () => {
    const c = await onboardedCreator();
    const [fan] = await fans(1);
    const only = await offerFor(c);
    expect((await book(only.id, fan.token)).status).toBe(201);
    expect(await alternativesOf(only.id)).toMatchObject({ offers: [], slots: [] });

    const unpaid = await openCreator();
    const o1 = await offerFor(unpaid);
    await offerFor(unpaid);
    expect((await alternativesOf(o1.id)).offers).toHaveLength(1);
    await deps().db.update(creators).set({ chargesEnabled: false }).where(eq(creators.id, unpaid.creator.id));
    expect(await alternativesOf(o1.id)).toMatchObject({ offers: [], slots: [] });

    await expectError(await api('GET', '/api/offers/off_nothingherexxxxxxxx/alternatives'), 404, 'NOT_FOUND');
  });

  it("the page of a taken offer lists them inside the notice, with links to a bookable offer and to the exact time in the creator's picker (also after a refused no-JS booking)", async () => {
    const c = await openCreator();
    const [fan, late] = await fans(2);
    const taken = await offerFor(c, { startsInMinutes: 3 * 24 * 60 });
    const other = await offerFor(c, { startsInMinutes: 4 * 24 * 60 });
    expect((await book(taken.id, fan.token)).status).toBe(201);

    for (const res of [
      await getPage(`/en/offers/${taken.id}`, late.token),
      await postPage(`/en/offers/${taken.id}/book`, late.token),
    ]) {
      const html = await res.text();
      const notice = /<div class="notice warning taken"[\s\S]*?<\/div><\/div>/.exec(html)?.[0] ?? '';
      expect(notice).toContain('Someone is booking this slot right now.');
      expect(notice).toContain(`href="/en/offers/${other.id}" data-alternative="offer"`);
      const slotLinks = [
        ...notice.matchAll(/href="([^"]+)" data-alternative="slot" data-type-id="(\w+)" data-starts-at="([^"]+)"/g),
      ];
      expect(slotLinks).toHaveLength(4);
      // The first time's link opens the creator page on that day, where that very time can be booked.
      const [, href, typeId, startsAt] = slotLinks[0];
      expect(decode(href)).toMatch(
        new RegExp(
          `^/en/c/${c.creator.slug}\\?type=${typeId}&month=\\d{4}-\\d{2}&day=\\d{4}-\\d{2}-\\d{2}#slot-picker$`,
        ),
      );
      const picker = await (await getPage(decode(href).replace(/#.*$/, ''), late.token)).text();
      expect(picker).toContain(`data-starts-at="${startsAt}"`);
    }
    // The offer they point to is bookable.
    expect((await book(other.id, late.token)).status).toBe(201);
  });

  it('with nothing else to book, the notice points to the request form of the creator page', async () => {
    const c = await onboardedCreator();
    const [fan, late] = await fans(2);
    const only = await offerFor(c);
    expect((await book(only.id, fan.token)).status).toBe(201);
    const html = await (await getPage(`/en/offers/${only.id}`, late.token)).text();
    expect(html).toContain(
      `<p class="alternatives-none" data-alternatives="none">${c.creator.displayName} has no other free time right now. <a href="/en/c/${c.creator.slug}#request" data-alternative="request">Propose another time</a></p>`,
    );
    const creatorPage = await (await getPage(`/en/c/${c.creator.slug}`, late.token)).text();
    expect(creatorPage).toMatch(
      /<form method="post" action="\/en\/c\/[\w-]+\/request" class="card request-form" id="request"/,
    );
    // Whoever can book it anyway (the fan holding it) sees no alternatives, and the creator neither.
    expect(await (await getPage(`/en/offers/${only.id}`, fan.token)).text()).not.toContain('data-alternatives');
    expect(await (await getPage(`/en/offers/${only.id}`, c.token)).text()).not.toContain('data-alternatives');
    // The French page says it in French.
    const fr = await (
      await fetchApp(`/fr/offers/${only.id}`, { headers: { authorization: `Bearer ${late.token}` } })
    ).text();
    expect(fr).toContain('n’a pas d’autre disponibilité pour le moment.');
  });
});
