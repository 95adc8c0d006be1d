/**
 * The creator's home (today, next calls, requests, balance, reviews, set-up), reviews received with
 * one public reply each, the planning's past calls with outcomes, open offers on the calendar.
 */
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { bookings, notifications, reviews } from '../src/db/schema';
import { localParts } from '../src/lib/tz';
import { api, cookieFrom, createAccount, deps, expectError, getPage, postForm, postPage } from './helpers';
import { payOffer, callAt, fans, offerFor, onboardedCreator, reviewedCall, type CreatorScenario } from './scenarios';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const flashOf = (res: Response) => decodeURIComponent(cookieFrom(res, 'flash') ?? '').replace(/^flash=/, '');

/** `n` paid bookings of one creator's offers (each with its own fan), the calls `days` ahead. */
async function paidBookings(c: CreatorScenario, n: number, days = 3) {
  const out: { bookingId: string; fanId: string }[] = [];
  for (let i = 0; i < n; i++) {
    const offer = await offerFor(c, { startsInMinutes: days * 24 * 60 + i * 60 });
    const [fan] = await fans(1);
    out.push({ bookingId: (await payOffer(offer.id, fan)).bookingId, fanId: fan.user.id });
  }
  return out;
}

/** Reviews written straight into D1 for `c`'s bookings (what is under test is how they are shown). */
async function seedReviews(c: CreatorScenario, ratings: number[]) {
  const made = await paidBookings(c, ratings.length);
  const d = deps();
  const ids: string[] = [];
  for (const [i, rating] of ratings.entries()) {
    const id = d.ids.next('rev');
    ids.push(id);
    await d.db.insert(reviews).values({
      id,
      bookingId: made[i].bookingId,
      userId: made[i].fanId,
      creatorId: c.creator.id,
      rating,
      comment: `Comment ${i}`,
      createdAt: new Date(Date.now() - i * 1000),
    });
  }
  return ids;
}

describe('creator home', () => {
  it('is for creators: anonymous → sign-in, a fan → become a creator', async () => {
    const anon = await getPage('/en/creator');
    expect([anon.status, anon.headers.get('location')]).toEqual([303, '/en/signin?next=%2Fen%2Fcreator']);
    const [fan] = await fans(1);
    expect((await getPage('/fr/creator', fan.token)).headers.get('location')).toBe('/fr/account#become-creator');
  });

  it('shows what is next and what needs the creator, counted from their own data only', async () => {
    const c = await onboardedCreator();
    await paidBookings(c, 2, 3);
    const [fan] = await fans(1);
    for (let i = 0; i < 2; i++) {
      expect(
        (
          await api(
            'POST',
            `/api/creators/${c.creator.id}/requests`,
            {
              proposedPrice: 4000,
              currency: 'EUR',
              proposedStartsAt: new Date(Date.now() + (5 + i) * DAY).toISOString(),
              durationMinutes: 30,
              message: `Hello ${i}`,
            },
            { token: fan.token },
          )
        ).status,
      ).toBe(201);
    }
    // Someone else's data must not show up.
    const other = await onboardedCreator();
    await paidBookings(other, 1, 2);

    const res = await getPage('/en/creator', c.token);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('aria-current="page" class="active">Home</a>');
    expect(html).toContain('data-next-count="2"');
    expect(html).toMatch(/data-card="requests"[\s\S]*?data-count="2"/);
    expect(html).toContain(fan.user.name);
    // Both paid bookings are on hold (the holding period runs after the call).
    expect(html).toMatch(/data-balance="EUR"[\s\S]*?on hold/);
    expect(html).toContain('No calls today.');
    // Onboarded, but no photo/bio, and both offers are booked: nothing open to book any more.
    expect(html).toContain('data-setup-left="2"');
    expect(html).toMatch(/data-step="payments"><span aria-hidden="true">✓/);
    expect(html).toMatch(/data-step="profile"><span aria-hidden="true">○/);
    expect(html).toMatch(/data-step="bookable"><span aria-hidden="true">○/);
    await offerFor(c, { startsInMinutes: 6 * 24 * 60 });
    expect(await (await getPage('/en/creator', c.token)).text()).toMatch(
      /data-step="bookable"><span aria-hidden="true">✓/,
    );
    // The creator was told of each booking: unread notifications are counted.
    const unread = await deps().db.select().from(notifications).where(eq(notifications.userId, c.user.id)).all();
    expect(html).toContain(`data-unread="${unread.filter((n) => !n.readAt).length}"`);
  });

  it("puts today's calls first, with a join link while they are on", async () => {
    // Ongoing unless it is just past midnight in Paris, when a call starting in 5 minutes is still "today".
    const early =
      localParts(Date.now(), 'Europe/Paris').hour === 0 && localParts(Date.now(), 'Europe/Paris').minute < 10;
    const s = await callAt(early ? 5 * 60_000 : -5 * 60_000);
    const html = await (await getPage('/en/creator', s.c.token)).text();
    expect(html).toContain('data-today-count="1"');
    expect(html).toContain(`href="/en/call/${s.bookingId}"`);
    // Today's call is not repeated among the next ones.
    expect(html).toContain('data-next-count="0"');
  });

  it('signing in as a creator lands on this home; as a fan on the dashboard', async () => {
    const c = await onboardedCreator();
    // Each lands in their own language's home.
    const ok = await fetchSignin(c.user.email, c.password);
    expect(ok.headers.get('location')).toBe(`/${c.user.locale}/creator`);
    const fan = await createAccount('USER');
    expect((await fetchSignin(fan.user.email, fan.password)).headers.get('location')).toBe(
      `/${fan.user.locale}/dashboard`,
    );
    const admin = await createAccount('ADMIN', { locale: 'fr' });
    expect((await fetchSignin(admin.user.email, admin.password)).headers.get('location')).toBe('/fr/admin');
  });
});

const fetchSignin = (email: string, password: string) => postForm('/fr/signin', { email, password });

describe('reviews received', () => {
  it('the creator replies once, publicly; the fan is told; nobody else can reply', async () => {
    const s = await reviewedCall(4, 'Very helpful');
    const reply = (token: string, text = 'Thank you!') =>
      api('POST', `/api/reviews/${s.reviewId}/reply`, { reply: text }, { token });
    await expectError(await reply(s.fan.token), 404, 'REVIEW_NOT_FOUND');
    await expectError(await reply((await onboardedCreator()).token), 404, 'REVIEW_NOT_FOUND');
    await expectError(await reply(s.c.token, '   '), 400, 'VALIDATION_ERROR');
    await expectError(await reply(s.c.token, 'x'.repeat(1001)), 400, 'VALIDATION_ERROR');
    expect((await deps().db.select().from(reviews).where(eq(reviews.id, s.reviewId)).get())!.reply).toBeNull();

    const ok = await reply(s.c.token, '  Thank you!  ');
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { review: { reply: string; repliedAt: string } }).review).toMatchObject({
      reply: 'Thank you!',
      repliedAt: expect.any(String),
    });
    await expectError(await reply(s.c.token, 'Again'), 409, 'ALREADY_REPLIED');
    expect((await deps().db.select().from(reviews).where(eq(reviews.id, s.reviewId)).get())!.reply).toBe('Thank you!');
    const told = await deps()
      .db.select()
      .from(notifications)
      .where(and(eq(notifications.userId, s.fan.user.id), eq(notifications.type, 'REVIEW_REPLIED')))
      .all();
    expect(told).toHaveLength(1);
    expect(told[0].params).toEqual({ creator: s.c.creator.displayName });

    // Public: the API and the creator's page show the reply under the review.
    const list = (await (await api('GET', `/api/creators/${s.c.creator.slug}/reviews`)).json()) as {
      items: { reply: string }[];
    };
    expect(list.items[0].reply).toBe('Thank you!');
    const pageHtml = await (await getPage(`/en/c/${s.c.creator.slug}`)).text();
    expect(pageHtml).toContain('id="reviews"');
    expect(pageHtml).toContain('Very helpful');
    expect(pageHtml).toContain(`Reply from ${s.c.creator.displayName}`);
  });

  it('the reviews page shows the average, the spread and an unreplied filter; replying from it works once', async () => {
    const c = await onboardedCreator();
    const ids = await seedReviews(c, [5, 4, 4, 2]);
    const html = await (await getPage('/en/creator/reviews', c.token)).text();
    expect(html).toContain('data-average="3.8"');
    expect(html).toMatch(/data-rating="4">[\s\S]*?<span class="n">2<\/span>/);
    expect(html).toMatch(/data-rating="3">[\s\S]*?<span class="n">0<\/span>/);
    expect(html.match(/data-review-id=/g)).toHaveLength(4);
    expect(html).toContain('Not replied (4)');

    const bad = await postPage(`/en/creator/reviews/${ids[3]}/reply`, c.token, { reply: '' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Write a reply');
    const done = await postPage(`/en/creator/reviews/${ids[3]}/reply`, c.token, { reply: 'Sorry it did not help.' });
    expect([done.status, done.headers.get('location'), flashOf(done)]).toEqual([
      303,
      '/en/creator/reviews',
      'success:reviews.replied',
    ]);
    const twice = await postPage(`/en/creator/reviews/${ids[3]}/reply`, c.token, { reply: 'Again' });
    expect(twice.status).toBe(409);
    const other = await onboardedCreator();
    expect((await postPage(`/en/creator/reviews/${ids[0]}/reply`, other.token, { reply: 'Not mine' })).status).toBe(
      404,
    );
    expect((await deps().db.select().from(reviews).where(eq(reviews.id, ids[0])).get())!.reply).toBeNull();

    const unreplied = await (await getPage('/en/creator/reviews?filter=unreplied', c.token)).text();
    expect(unreplied.match(/data-review-id=/g)).toHaveLength(3);
    expect(unreplied).not.toContain(ids[3]);

    // A hidden review is flagged for the creator, and leaves the average and the public lists.
    await deps()
      .db.update(reviews)
      .set({ hiddenAt: new Date(), hiddenBy: 'test', hiddenReason: 'abuse' })
      .where(eq(reviews.id, ids[3]));
    const after = await (await getPage('/en/creator/reviews', c.token)).text();
    expect(after).toContain('data-average="4.3"');
    expect(after).toContain('data-hidden');
    const pub = (await (await api('GET', `/api/creators/${c.creator.id}/reviews`)).json()) as {
      items: { id: string }[];
      rating: { average: number; count: number };
    };
    expect(pub.rating).toEqual({ average: 4.3, count: 3 });
    expect(pub.items.map((x) => x.id)).not.toContain(ids[3]);
  });

  it('the creator page shows the five latest reviews and links to the paginated rest', async () => {
    const c = await onboardedCreator();
    await seedReviews(c, [5, 5, 4, 4, 3, 5, 5]);
    const html = await (await getPage(`/fr/c/${c.creator.slug}`)).text();
    expect(html.match(/class="review"/g)).toHaveLength(5);
    expect(html).toContain(`href="/fr/c/${c.creator.slug}/reviews"`);
    const all = await (await getPage(`/fr/c/${c.creator.slug}/reviews`)).text();
    expect(all.match(/class="review"/g)).toHaveLength(7);
    expect((await getPage('/fr/c/nobody-here/reviews')).status).toBe(404);
  });
});

describe('calls on the planning', () => {
  it('past calls show their outcome and a summary link; open offers sit on the calendar', async () => {
    const s = await callAt(-2 * HOUR);
    await deps()
      .db.update(bookings)
      .set({ outcome: 'FAN_NO_SHOW', outcomeDecidedAt: new Date() })
      .where(eq(bookings.id, s.bookingId));
    const past = await (await getPage('/en/creator/planning?view=list&status=past', s.c.token)).text();
    expect(past).toContain(`data-booking-id="${s.bookingId}"`);
    expect(past).toContain('data-outcome="FAN_NO_SHOW"');
    expect(past).toContain('Fan no-show');
    expect(past).toContain(`href="/en/call/${s.bookingId}/summary"`);
    const upcoming = await (await getPage('/en/creator/planning?view=list&status=upcoming', s.c.token)).text();
    expect(upcoming).not.toContain(`data-booking-id="${s.bookingId}"`);

    const c = await onboardedCreator();
    const offer = await offerFor(c, { startsInMinutes: 3 * 24 * 60 });
    const month = new Date(offer.startsAt).toISOString().slice(0, 7);
    const grid = await (await getPage(`/en/creator/planning?view=month&month=${month}`, c.token)).text();
    expect(grid).toContain(`data-offer-id="${offer.id}"`);
    expect(grid).toContain(`href="/en/creator/offers/${offer.id}/edit"`);
    // Filtered views are about bookings only.
    expect(
      await (await getPage(`/en/creator/planning?view=month&month=${month}&status=upcoming`, c.token)).text(),
    ).not.toContain(`data-offer-id="${offer.id}"`);
  });
});
