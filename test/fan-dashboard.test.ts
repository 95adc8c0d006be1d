/**
 * The fan's dashboard (/dashboard, /dashboard/calls, /dashboard/history, /dashboard/requests):
 * sign-in required everywhere, one fan never sees nor touches another's bookings, the home's
 * counts match what is in D1, times in the fan's zone, the live join button's server state, the
 * refund stated before cancelling is the one given, history badges and reviewing once.
 * Server-rendered HTML checked through the Worker, effects checked in D1.
 */
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { bookings, callRequests, notifications, reviews } from '../src/db/schema';
import { applyCallOutcome, decideCallOutcome } from '../src/domain/calls/outcome';
import { markRead } from '../src/domain/notifications/render';
import {
  api,
  bookingRow,
  cookieFrom,
  createAccount,
  deps,
  expectError,
  getPage,
  postPage,
  type TestAccount,
  requestRow,
  paymentOf,
} from './helpers';
import { holdOffer, callAt, moveCall, offerFor, onboardedCreator, presence, type CreatorScenario } from './scenarios';

const MIN = 60_000;
const flashOf = (res: Response) => decodeURIComponent(cookieFrom(res, 'flash') ?? '').replace(/^flash=/, '');
const html = async (path: string, token?: string) => {
  const res = await getPage(path, token);
  expect(res.status).toBe(200);
  return res.text();
};
/** The text of the element carrying `data-count="name"` (or its data-n when it has one). */
const countOf = (page: string, name: string) => {
  const m = page.match(new RegExp(`data-count="${name}"(?: data-n="(\\d+)")?[^>]*>(\\d+)?`));
  if (!m) return null;
  return Number(m[1] ?? m[2]);
};
/** The <li> of one booking in a list page. */
const itemOf = (page: string, bookingId: string) => {
  const m = page.match(new RegExp(`<li class="card fan-call" data-booking-id="${bookingId}"[\\s\\S]*?</li>`));
  return m ? m[0] : null;
};

/** A booking of `offer` by `fan`, paid (confirmed) unless `pay` is false. */
async function bookAs(
  fan: TestAccount,
  c: CreatorScenario,
  startsInMinutes: number,
  opts: { pay?: boolean; price?: number } = {},
) {
  const offer = await offerFor(c, { startsInMinutes, price: opts.price });
  const held = await holdOffer(offer.id, fan);
  if (opts.pay !== false) await deps().localPayments!.checkout(held.intentId, 'succeed');
  return held.bookingId;
}

describe('fan pages: access', () => {
  it('send anonymous visitors to sign-in, then back to the page they asked for', async () => {
    for (const path of [
      '/en/dashboard',
      '/en/dashboard/calls',
      '/en/dashboard/history',
      '/en/dashboard/requests',
      '/fr/dashboard/calls/bkg_abcdef123456/cancel',
      '/fr/dashboard/history?page=2',
    ]) {
      const res = await getPage(path);
      expect(res.status, path).toBe(303);
      expect(res.headers.get('location'), path).toBe(`/${path.slice(1, 3)}/signin?next=${encodeURIComponent(path)}`);
    }
    const post = await postPage('/en/dashboard/history/bkg_abcdef123456/review', undefined, { rating: '5' });
    expect([post.status, post.headers.get('location')?.startsWith('/en/signin?next=')]).toEqual([303, true]);
  });

  it("a fan never sees another fan's bookings or requests, and cannot cancel or review them (404, nothing changes)", async () => {
    const c = await onboardedCreator();
    const alice = await createAccount('USER');
    const bob = await createAccount('USER');
    const upcoming = await bookAs(alice, c, 5 * 24 * 60);
    const past = await bookAs(alice, c, 6 * 24 * 60);
    await moveCall(past, -2 * 60 * MIN);
    await deps().db.update(bookings).set({ status: 'COMPLETED', outcome: 'COMPLETED' }).where(eq(bookings.id, past));
    const req = (
      (await (
        await api(
          'POST',
          `/api/creators/${c.creator.id}/requests`,
          {
            proposedPrice: 6000,
            currency: 'EUR',
            proposedStartsAt: new Date(Date.now() + 100 * 3600_000).toISOString(),
            durationMinutes: 30,
            message: 'Alice here',
          },
          { token: alice.token },
        )
      ).json()) as { request: { id: string } }
    ).request.id;

    // Alice sees hers…
    expect(itemOf(await html('/en/dashboard/calls', alice.token), upcoming)).not.toBeNull();
    expect(itemOf(await html('/en/dashboard/history', alice.token), past)).toContain('data-review-form');
    expect(await html('/en/dashboard/requests', alice.token)).toContain(`data-request-id="${req}"`);
    // …Bob sees none of them anywhere.
    for (const path of ['/en/dashboard', '/en/dashboard/calls', '/en/dashboard/history', '/en/dashboard/requests']) {
      const page = await html(path, bob.token);
      for (const id of [upcoming, past, req]) expect(page, `${path} shows ${id}`).not.toContain(id);
      expect(page).not.toContain('Alice here');
    }
    const home = await html('/en/dashboard', bob.token);
    expect([countOf(home, 'upcoming'), countOf(home, 'history'), countOf(home, 'requests')]).toEqual([0, 0, 0]);

    // Nor act on them: the cancel step, the cancel route and the review are all "not found".
    expect((await getPage(`/en/dashboard/calls/${upcoming}/cancel`, bob.token)).status).toBe(404);
    expect(
      (await postPage(`/en/bookings/${upcoming}/cancel`, bob.token, { confirm: 'yes', back: '/en/dashboard/calls' }))
        .status,
    ).toBe(404);
    expect(
      (await postPage(`/en/dashboard/history/${past}/review`, bob.token, { rating: '1', comment: 'not mine' })).status,
    ).toBe(404);
    expect((await getPage(`/api/bookings/${upcoming}/calendar.ics`, bob.token)).status).toBe(404);
    const withdraw = await postPage(`/en/dashboard/requests/${req}/cancel`, bob.token);
    expect(flashOf(withdraw)).toMatch(/^error:/);
    expect((await bookingRow(upcoming)).status).toBe('CONFIRMED');
    expect(await deps().db.select().from(reviews).where(eq(reviews.bookingId, past)).all()).toHaveLength(0);
    expect((await requestRow(req)).status).toBe('PENDING');
    const pay = await paymentOf(upcoming);
    expect(pay.refundedAmount).toBe(0);
  });
});

describe('fan dashboard home', () => {
  it('counts upcoming calls, history, requests by status and unread notifications from D1, and shows the next call', async () => {
    const c = await onboardedCreator();
    const fan = await createAccount('USER');
    const d = deps();
    const next = await bookAs(fan, c, 3 * 24 * 60);
    await bookAs(fan, c, 4 * 24 * 60);
    await bookAs(fan, c, 5 * 24 * 60, { pay: false }); // held, awaiting payment
    const done = await bookAs(fan, c, 6 * 24 * 60);
    const reviewed = await bookAs(fan, c, 7 * 24 * 60);
    for (const [id, h] of [
      [done, -48],
      [reviewed, -72],
    ] as const) {
      await moveCall(id, h * 60 * MIN);
      await d.db.update(bookings).set({ status: 'COMPLETED', outcome: 'COMPLETED' }).where(eq(bookings.id, id));
    }
    await d.db.insert(reviews).values({
      id: d.ids.next('rev'),
      bookingId: reviewed,
      userId: fan.user.id,
      creatorId: c.creator.id,
      rating: 5,
      comment: '',
      createdAt: new Date(),
    });
    const cancelled = await bookAs(fan, c, 8 * 24 * 60);
    expect((await postPage(`/en/bookings/${cancelled}/cancel`, fan.token, { confirm: 'yes' })).status).toBe(303);
    // A hold released before paying is no call at all.
    const released = await bookAs(fan, c, 9 * 24 * 60, { pay: false });
    expect((await postPage(`/en/bookings/${released}/cancel`, fan.token, {})).status).toBe(303);

    // Requests: one pending, one rejected, one past its deadline (expired even before the sweep), one accepted (to pay).
    const ask = async (h: number) =>
      (
        (await (
          await api(
            'POST',
            `/api/creators/${c.creator.id}/requests`,
            {
              proposedPrice: 6000,
              currency: 'EUR',
              proposedStartsAt: new Date(Date.now() + h * 3600_000).toISOString(),
              durationMinutes: 30,
              message: `at +${h}h`,
            },
            { token: fan.token },
          )
        ).json()) as { request: { id: string } }
      ).request.id;
    const [pending, rejected, expired, accepted] = [await ask(300), await ask(310), await ask(320), await ask(330)];
    expect((await api('POST', `/api/requests/${rejected}/reject`, {}, { token: c.token })).status).toBe(200);
    expect((await api('POST', `/api/requests/${accepted}/accept`, {}, { token: c.token })).status).toBe(200);
    await d.db
      .update(callRequests)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(callRequests.id, expired));

    // Notifications: exactly three unread.
    await markRead(d, fan.user.id, 'all');
    for (let i = 0; i < 3; i++)
      await d.db.insert(notifications).values({
        id: d.ids.next('ntf'),
        userId: fan.user.id,
        type: 'REMINDER',
        params: {},
        link: null,
        createdAt: new Date(),
      });

    const home = await html('/en/dashboard', fan.token);
    expect(countOf(home, 'upcoming')).toBe(2);
    expect(countOf(home, 'awaiting')).toBe(2); // the held offer and the accepted request's hold
    expect(countOf(home, 'history')).toBe(3); // two completed, one cancelled after paying
    expect(countOf(home, 'to-review')).toBe(1);
    expect(countOf(home, 'requests')).toBe(4);
    for (const [s, n] of [
      ['PENDING', 1],
      ['ACCEPTED', 1],
      ['REJECTED', 1],
      ['EXPIRED', 1],
    ] as const)
      expect(home, s).toContain(`data-request-status="${s}" data-n="${n}"`);
    expect(countOf(home, 'to-pay')).toBe(1);
    expect(countOf(home, 'unread')).toBe(3);
    expect(home).toContain(`data-next="${next}"`);
    // The fan section navigation, and links to notifications and account settings.
    expect(home).toContain('aria-current="page" class="active">Home</a>');
    for (const link of [
      '/en/dashboard/calls',
      '/en/dashboard/history',
      '/en/dashboard/requests',
      '/en/notifications',
      '/en/account',
    ])
      expect(home).toContain(`href="${link}"`);

    // The requests page: stats on top, grouped pending → accepted (pay now) → rejected → expired.
    const reqs = await html('/en/dashboard/requests', fan.token);
    expect(reqs).toContain('aria-current="page" class="active">Requests</a>');
    expect(reqs).toMatch(/data-stat="total"><strong>4<\/strong>/);
    for (const s of ['PENDING', 'ACCEPTED', 'REJECTED', 'EXPIRED'])
      expect(reqs).toMatch(new RegExp(`data-stat="${s}"><strong>1</strong>`));
    const order = ['PENDING', 'ACCEPTED', 'REJECTED', 'EXPIRED'].map((g) => reqs.indexOf(`data-group="${g}"`));
    expect(order.every((i, k) => i > 0 && (k === 0 || i > order[k - 1]))).toBe(true);
    const acceptedRow = await requestRow(accepted);
    const acceptedCard = reqs.slice(reqs.indexOf(`data-request-id="${accepted}"`));
    expect(acceptedCard.slice(0, acceptedCard.indexOf('</li>'))).toContain(
      `href="/en/bookings/${acceptedRow.bookingId}/checkout" data-pay-now`,
    );
    expect(reqs.indexOf(`data-request-id="${expired}" data-status="EXPIRED"`)).toBeGreaterThan(
      reqs.indexOf('data-group="EXPIRED"'),
    );
    expect(reqs).toContain(`data-request-id="${pending}" data-status="PENDING"`);
  });
});

describe('upcoming calls', () => {
  it("shows each call in the fan's own time zone", async () => {
    const c = await onboardedCreator();
    const ny = await createAccount('USER', { timezone: 'America/New_York', locale: 'en' });
    const paris = await createAccount('USER', { timezone: 'Europe/Paris', locale: 'fr' });
    const full = (lang: string, timeZone: string, d: Date) =>
      new Intl.DateTimeFormat(lang, { timeZone, dateStyle: 'full', timeStyle: 'short' }).format(d);
    const zone = (lang: string, timeZone: string, d: Date) =>
      new Intl.DateTimeFormat(lang, { timeZone, timeZoneName: 'short' })
        .formatToParts(d)
        .find((p) => p.type === 'timeZoneName')!.value;
    for (const [fan, lang, tag, tz] of [
      [ny, 'en', 'en-US', 'America/New_York'],
      [paris, 'fr', 'fr-FR', 'Europe/Paris'],
    ] as const) {
      const id = await bookAs(fan, c, (fan === ny ? 3 : 4) * 24 * 60 + 7 * 60);
      const b = await bookingRow(id);
      const item = itemOf(await html(`/${lang}/dashboard/calls`, fan.token), id)!;
      expect(item).toContain(full(tag, tz, b.startsAt));
      expect(item).toContain(zone(tag, tz, b.startsAt));
      const other = tz === 'Europe/Paris' ? 'America/New_York' : 'Europe/Paris';
      expect(item).not.toContain(full(tag, other, b.startsAt));
      expect(item).toContain(`href="/api/bookings/${id}/calendar.ics"`);
      expect(item).toContain('30 min');
      expect(item).toContain(lang === 'fr' ? '25,00' : '€25.00');
    }
  });

  it('renders "Join" disabled until the window opens (15 min before) with its opening time, enabled inside it, and loads the live island', async () => {
    const soon = await callAt(20 * MIN);
    const page = await html('/en/dashboard/calls', soon.fan.token);
    const item = itemOf(page, soon.bookingId)!;
    const opensAt = new Date(soon.startsAt.getTime() - 15 * MIN).toISOString();
    expect(item).toContain(`data-join-state="closed" data-opens-at="${opensAt}"`);
    expect(item).toMatch(
      /<button type="button" class="button" disabled(="")? data-join="closed">Join the call<\/button>/,
    );
    expect(item).not.toContain(`href="/en/call/${soon.bookingId}"`);
    expect(item).toContain('&quot;serverNow&quot;');
    expect(page).toContain('<script type="module" src="/static/join-button.js"></script>');
    expect(item).toContain(`href="/en/dashboard/calls/${soon.bookingId}/cancel"`);

    const open = await callAt(10 * MIN);
    const openItem = itemOf(await html('/en/dashboard/calls', open.fan.token), open.bookingId)!;
    expect(openItem).toContain('data-join-state="open"');
    expect(openItem).toContain(
      `<a class="button" href="/en/call/${open.bookingId}" data-join="open">Join the call</a>`,
    );
    // The home's next-call card carries the same button.
    expect(await html('/en/dashboard', open.fan.token)).toContain(`href="/en/call/${open.bookingId}" data-join="open"`);

    // In progress: still joinable, no longer cancellable.
    const ongoing = await callAt(-5 * MIN, 30);
    const ongoingItem = itemOf(await html('/en/dashboard/calls', ongoing.fan.token), ongoing.bookingId)!;
    expect(ongoingItem).toContain('data-join-state="open"');
    expect(ongoingItem).toContain('In progress');
    expect(ongoingItem).not.toContain('/cancel"');

    // Over: not upcoming any more, it is history.
    const over = await callAt(-40 * MIN, 30);
    expect(itemOf(await html('/en/dashboard/calls', over.fan.token), over.bookingId)).toBeNull();
    expect(itemOf(await html('/en/dashboard/history', over.fan.token), over.bookingId)).toContain(
      'data-past-status="settling"',
    );
  });

  it("states the refund the policy gives right now before cancelling — full far ahead, the creator's 50 % close to the start — and gives exactly that", async () => {
    const c = await onboardedCreator(); // late-cancellation policy: HALF (the default)
    const fan = await createAccount('USER');
    const far = await bookAs(fan, c, 5 * 24 * 60, { price: 2500 });
    const close = await bookAs(fan, c, 6 * 24 * 60, { price: 2500 });
    await moveCall(close, 2 * 60 * MIN);

    const farPage = await html(`/en/dashboard/calls/${far}/cancel`, fan.token);
    expect(farPage).toContain('data-refund-amount="2500" data-refund-percent="100"');
    expect(farPage).toContain('If you cancel now, €25.00 (100%) will be refunded.');
    expect(farPage).toContain('more than 24 h before the start: full refund');
    const closePage = await html(`/en/dashboard/calls/${close}/cancel`, fan.token);
    expect(closePage).toContain('data-refund-amount="1250" data-refund-percent="50"');
    expect(closePage).toContain('If you cancel now, €12.50 (50%) will be refunded.');
    expect(closePage).toContain('Cancelled less than 24 h before: 50% refund.');
    for (const p of [farPage, closePage]) {
      expect(p).toMatch(
        /<form method="post" action="\/en\/bookings\/bkg_\w+\/cancel" class="cancel-form"><input type="hidden" name="back" value="\/en\/dashboard\/calls"/,
      );
      expect(p).toContain('name="confirm" value="yes" required');
    }
    // French, too.
    expect(await html(`/fr/dashboard/calls/${close}/cancel`, fan.token)).toContain('12,50');

    // Without the confirmation box nothing happens; with it, the stated refund is what is refunded.
    const unconfirmed = await postPage(`/en/bookings/${close}/cancel`, fan.token, { back: '/en/dashboard/calls' });
    expect([unconfirmed.status, unconfirmed.headers.get('location'), flashOf(unconfirmed)]).toEqual([
      303,
      '/en/dashboard/calls',
      'error:booking.confirmRequired',
    ]);
    expect((await bookingRow(close)).status).toBe('CONFIRMED');
    expect(closePage).toContain('name="expectedRefund" value="1250"');
    // The page was opened when the full refund still applied (2500): the 24 h line has passed since,
    // so nothing is cancelled and the fan is shown the new amount to confirm again.
    const stale = await postPage(`/en/bookings/${close}/cancel`, fan.token, {
      confirm: 'yes',
      expectedRefund: '2500',
      back: '/en/dashboard/calls',
    });
    expect([stale.status, stale.headers.get('location'), flashOf(stale)]).toEqual([
      303,
      '/en/dashboard/calls',
      'error:booking.refundChanged',
    ]);
    expect((await bookingRow(close)).status).toBe('CONFIRMED');
    // The API takes the same guard.
    await expectError(
      await api('POST', `/api/bookings/${close}/cancel`, { expectedRefund: 2500 }, { token: fan.token }),
      409,
      'REFUND_CHANGED',
    );
    expect((await bookingRow(close)).status).toBe('CONFIRMED');
    const done = await postPage(`/en/bookings/${close}/cancel`, fan.token, {
      confirm: 'yes',
      expectedRefund: '1250',
      back: '/en/dashboard/calls',
    });
    expect([done.status, done.headers.get('location'), flashOf(done)]).toEqual([
      303,
      '/en/dashboard/calls',
      'success:booking.cancelled',
    ]);
    expect((await bookingRow(close)).status).toBe('CANCELLED');
    expect((await paymentOf(close)).refundedAmount).toBe(1250);
    // An external `back` is ignored.
    const evil = await postPage(`/en/bookings/${far}/cancel`, fan.token, { back: '//evil.example/x' });
    expect(evil.headers.get('location')).toBe(`/en/bookings/${far}`);
    // A cancelled call has no cancellation step left.
    expect(await html(`/en/dashboard/calls/${close}/cancel`, fan.token)).toContain(
      'data-refusal="BOOKING_NOT_CANCELLABLE"',
    );
  });
});

describe('history', () => {
  it('badges each past call (completed, no-show, cancelled, being settled), links its summary, and takes one review per call', async () => {
    const c = await onboardedCreator();
    const fan = await createAccount('USER');
    const d = deps();
    const held = async (id: string, startsInMs: number, who: ('FAN' | 'CREATOR')[]) => {
      const { startsAt, endsAt } = await moveCall(id, startsInMs);
      for (const role of who)
        await presence(id, role, role === 'FAN' ? fan.user.id : c.user.id, startsAt.getTime(), endsAt.getTime());
    };
    const completed = await bookAs(fan, c, 3 * 24 * 60);
    await held(completed, -3 * 60 * MIN, ['FAN', 'CREATOR']);
    const noShow = await bookAs(fan, c, 4 * 24 * 60);
    await held(noShow, -5 * 60 * MIN, ['FAN']);
    for (const id of [completed, noShow]) {
      await decideCallOutcome(d, id);
      await applyCallOutcome(d, id);
    }
    expect([(await bookingRow(completed)).outcome, (await bookingRow(noShow)).outcome]).toEqual([
      'COMPLETED',
      'CREATOR_NO_SHOW',
    ]);
    const cancelled = await bookAs(fan, c, 5 * 24 * 60);
    expect((await postPage(`/en/bookings/${cancelled}/cancel`, fan.token, { confirm: 'yes' })).status).toBe(303);
    // Just over, attendance not decided yet — but the call log shows they were both there.
    const settling = await bookAs(fan, c, 6 * 24 * 60);
    await held(settling, -40 * MIN, ['FAN', 'CREATOR']);

    const page = await html('/en/dashboard/history', fan.token);
    expect(page).toContain('aria-current="page" class="active">History</a>');
    const expectations = [
      [completed, 'completed', 'Completed', true],
      [noShow, 'no_show', 'No-show', false],
      [cancelled, 'cancelled', 'Cancelled', false],
      [settling, 'settling', 'Being settled', true],
    ] as const;
    for (const [id, status, label, reviewable] of expectations) {
      const item = itemOf(page, id)!;
      expect(item, status).toContain(`data-past-status="${status}"`);
      expect(item, status).toContain(`data-status-badge="${status}">${label}</span>`);
      expect(item, status).toContain(`href="/en/call/${id}/summary"`);
      expect(item.includes(`data-review-form="${id}"`), status).toBe(reviewable);
    }
    // Newest first; refunds shown where money went back.
    expect(page.indexOf(settling)).toBeLessThan(page.indexOf(completed));
    expect(itemOf(page, noShow)).toContain('did not join: you are refunded in full.');
    expect(itemOf(page, noShow)).toContain('Refunded: €25.00.');
    expect(itemOf(page, cancelled)).toContain('Cancelled by you.');

    // Review once.
    const bad = await postPage(`/en/dashboard/history/${completed}/review`, fan.token, { rating: '9' });
    expect(flashOf(bad)).toBe('error:summary.review.errors.invalid');
    const ok = await postPage(`/en/dashboard/history/${completed}/review`, fan.token, {
      rating: '4',
      comment: 'Clear and kind.',
    });
    expect([ok.status, ok.headers.get('location'), flashOf(ok)]).toEqual([
      303,
      '/en/dashboard/history',
      'success:summary.review.thanks',
    ]);
    const again = await postPage(`/en/dashboard/history/${completed}/review`, fan.token, {
      rating: '1',
      comment: 'changed my mind',
    });
    expect(flashOf(again)).toBe('error:summary.review.errors.ALREADY_REVIEWED');
    const notHeld = await postPage(`/en/dashboard/history/${noShow}/review`, fan.token, { rating: '1' });
    expect(flashOf(notHeld)).toBe('error:summary.review.errors.REVIEW_NOT_ALLOWED');
    const stored = await d.db.select().from(reviews).where(eq(reviews.userId, fan.user.id)).all();
    expect(stored.map((r) => [r.bookingId, r.rating, r.comment])).toEqual([[completed, 4, 'Clear and kind.']]);

    const after = itemOf(await html('/en/dashboard/history', fan.token), completed)!;
    expect(after).toContain('data-reviewed="4">Reviewed ★4</span>');
    expect(after).not.toContain('data-review-form');
    // The home no longer counts it as to review (the one being settled has no outcome yet).
    expect(countOf(await html('/en/dashboard', fan.token), 'to-review')).toBeNull();
    expect(
      await d.db
        .select()
        .from(reviews)
        .where(and(eq(reviews.bookingId, completed), eq(reviews.rating, 4)))
        .all(),
    ).toHaveLength(1);
  });
});
