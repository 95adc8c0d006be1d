/**
 * Abuse stories — roles: a creator an admin demoted, an account an admin disabled.
 *
 * A demoted creator tries every creator action (pages, API, and the Durable Objects behind them, as
 * if the demotion landed after their page loaded) and tries to become a creator again; a disabled
 * account's cookie and bearer sessions are tried on every route, including the identity-only ones
 * before this isolate has learnt of the revocation, and every way back in (password, Google, a reset
 * link). Each story checks the refusal and that nothing changed besides what the admin action did.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  auditLog,
  authTokens,
  bookings,
  creators,
  notifications,
  sessionRevocations,
  sessions,
  users,
} from '../../src/db/schema';
import { createSession } from '../../src/domain/accounts/sessions';
import { rejectRequest } from '../../src/domain/requests/requests';
import { SESSION_COOKIE } from '../../src/http/middleware';
import { diff, snapshot, unexpectedChanges } from '../db-snapshot';
import { FAKE_GOOGLE_CLIENT } from '../fake-credentials';
import {
  api,
  BASE,
  bookingRow,
  cookieFrom,
  createAccount,
  deliverPendingEmails,
  deps,
  fetchApp,
  lastEmailTo,
  offerRow,
  PASSWORD,
  paymentOf,
  postForm,
  refundsOfBooking,
  requestRow,
  type TestAccount,
  testEnv,
  tokenFromEmail,
  userRow,
} from '../helpers';
import { pngImage } from '../images';
import { apiSpecs, app, pagePaths } from '../routes';
import {
  book,
  fans,
  offerFor,
  onboardedCreator,
  openCreator,
  payOffer,
  reviewedCall,
  slotsOf,
  type CreatorScenario,
} from '../scenarios';

const inDays = (d: number) => new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + d * 86_400_000).toISOString();
const cookieOf = (token: string) => `${SESSION_COOKIE}=${token}`;

async function sendRequest(c: CreatorScenario, fan: TestAccount, days = 6): Promise<string> {
  const res = await api(
    'POST',
    `/api/creators/${c.creator.id}/requests`,
    { proposedPrice: 3000, currency: 'EUR', proposedStartsAt: inDays(days), durationMinutes: 30, message: 'Hello!' },
    { token: fan.token },
  );
  expect(res.status).toBe(201);
  return ((await res.json()) as { request: { id: string } }).request.id;
}

/** Every row, once the emails written so far went out (their delivery is the email queue's doing, not the story's). */
async function settled() {
  await deliverPendingEmails();
  return snapshot();
}

/** What changed since `before` besides appended log rows (emails included: a refused attempt sends none). */
async function changedSince(before: Awaited<ReturnType<typeof snapshot>>): Promise<string[]> {
  await deliverPendingEmails();
  return unexpectedChanges(diff(before, await snapshot()));
}

// ------------------------------------------------------------------------------------------------ a demoted creator

interface CreatorWorld {
  admin: TestAccount;
  C: CreatorScenario & { t30: string };
  cookie: string;
  fan: TestAccount;
  offer: string;
  heldOffer: string;
  hold: string;
  booking: string;
  request: string;
  exception: string;
  review: string;
}

/** C: open hours and a type, an offer, a fan's hold, a confirmed booking, a pending request, a date exception, a review of a past call. */
async function creatorWorld(): Promise<CreatorWorld> {
  const admin = await createAccount('ADMIN', { passwordHash: null });
  const past = await reviewedCall(4, 'Nice');
  const token = past.c.token;
  expect((await api('GET', '/api/creators/me/availability', undefined, { token })).status).toBe(200);
  const ranges = [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, startMinute: 8 * 60, endMinute: 20 * 60 }));
  expect((await api('PUT', '/api/creators/me/availability/weekly', { ranges }, { token })).status).toBe(200);
  const t30 = (
    (await (
      await api(
        'POST',
        '/api/creators/me/appointment-types',
        { name: '30 min', durationMinutes: 30, price: 5000, minNoticeMinutes: 60 },
        { token },
      )
    ).json()) as { type: { id: string } }
  ).type.id;
  const C = { ...past.c, t30 };
  const exception = (
    (await (
      await api(
        'POST',
        '/api/creators/me/availability/exceptions',
        { date: inDays(40).slice(0, 10), kind: 'OFF' },
        { token: C.token },
      )
    ).json()) as { id: string }
  ).id;
  const [fan, holder] = await fans(2);
  const offer = (await offerFor(C, { startsInMinutes: 5 * 24 * 60 })).id;
  const heldOffer = (await offerFor(C, { startsInMinutes: 6 * 24 * 60 })).id;
  const held = await book(heldOffer, holder.token);
  expect(held.status).toBe(201);
  const hold = ((await held.json()) as { booking: { id: string } }).booking.id;
  const booking = (await payOffer((await offerFor(C, { startsInMinutes: 3 * 24 * 60 })).id, fan)).bookingId;
  const request = await sendRequest(C, fan, 9);
  const cookie = cookieOf((await createSession(deps(), C.user, 'COOKIE')).token);
  return { admin, C, cookie, fan, offer, heldOffer, hold, booking, request, exception, review: past.reviewId };
}

/** Every creator action of the API, on C's real objects. */
async function creatorApiCalls(w: CreatorWorld): Promise<[string, string, unknown?][]> {
  return [
    ['GET', '/api/creators/me'],
    ['PUT', '/api/creators/me', { bio: 'Still a creator?' }],
    ['DELETE', '/api/creators/me/images/profile'],
    [
      'POST',
      '/api/offers',
      { title: 'Comeback', price: 2500, currency: 'EUR', startsAt: inDays(12), durationMinutes: 30 },
    ],
    ['GET', '/api/creators/me/offers'],
    ['PATCH', `/api/offers/${w.offer}`, { title: 'Renamed' }],
    ['DELETE', `/api/offers/${w.offer}`],
    ['GET', '/api/creators/me/availability'],
    ['PUT', '/api/creators/me/availability/weekly', { ranges: [{ weekday: 1, startMinute: 600, endMinute: 700 }] }],
    ['POST', '/api/creators/me/appointment-types', { name: 'New type', durationMinutes: 30, price: 5000 }],
    ['PATCH', `/api/creators/me/appointment-types/${w.C.t30}`, { name: 'Renamed type' }],
    ['DELETE', `/api/creators/me/appointment-types/${w.C.t30}`],
    ['POST', '/api/creators/me/availability/exceptions', { date: inDays(41).slice(0, 10), kind: 'OFF' }],
    ['DELETE', `/api/creators/me/availability/exceptions/${w.exception}`],
    ['GET', '/api/requests?as=creator'],
    ['POST', `/api/requests/${w.request}/accept`, {}],
    ['POST', `/api/requests/${w.request}/reject`, {}],
    ['GET', '/api/bookings?as=creator'],
    ['POST', `/api/reviews/${w.review}/reply`, { reply: 'Thanks!' }],
    ['POST', '/api/creators/me/onboarding'],
    ['GET', '/api/creators/me/onboarding'],
    ['POST', '/api/creators/me/onboarding/session'],
    ['GET', '/api/creators/me/balance'],
    ['GET', '/api/creators/me/payouts'],
    ['GET', '/api/creators/me/payouts/pyt_aaaaaaaaaaaaaaaaaaaa'],
    ['POST', '/api/creators/me/payouts', {}],
    ['PUT', '/api/creators/me/payout-settings', { schedule: 'MANUAL' }],
    ['GET', '/api/creators/me/earnings'],
    ['GET', '/api/creators/me/finances'],
  ];
}

/** Every page route of the creator space (and the creator's local onboarding), with C's real objects. */
function creatorPageCalls(w: CreatorWorld): [string, string, Record<string, string>][] {
  const keys = [
    ...new Set(
      app.routes
        .filter((r) => r.method !== 'ALL' && /^\/:lang\{fr\|en\}\/creator(\/|$)/.test(r.path))
        .map((r) => `${r.method} ${r.path}`),
    ),
  ];
  const fill = (path: string) =>
    path.replace('/:lang{fr|en}', '/en').replace(/:(\w+)(\{([^}]*)\})?/g, (_m, name: string, _g, alt?: string) => {
      if (alt && /^[\w.-]+(\|[\w.-]+)*$/.test(alt)) return alt.split('|')[0];
      if (alt?.startsWith('pyt_')) return 'pyt_aaaaaaaaaaaaaaaaaaaa';
      if (path.includes('/offers/')) return w.offer;
      if (path.includes('/requests/')) return w.request;
      if (path.includes('/types/')) return w.C.t30;
      if (path.includes('/exceptions/')) return w.exception;
      if (path.includes('/reviews/')) return w.review;
      throw new Error(`no object for :${name} in ${path}`);
    });
  const form = (path: string): Record<string, string> => {
    if (path.endsWith('/answer')) return { decision: 'accept', message: 'Yes' };
    if (path.endsWith('/creator/offers'))
      return {
        title: 'Page offer',
        price: '25',
        currency: 'EUR',
        startsAt: inDays(13).slice(0, 16),
        durationMinutes: '30',
      };
    if (path.endsWith('/edit'))
      return { title: 'Renamed on the page', price: '25', currency: 'EUR', durationMinutes: '30' };
    if (path.endsWith('/reply')) return { reply: 'Thanks' };
    if (path.endsWith('/profile'))
      return {
        displayName: 'Still me',
        slug: w.C.creator.slug,
        currency: 'EUR',
        timezone: 'Europe/Paris',
        cancellationPolicy: 'FULL',
      };
    return {};
  };
  return keys.map((k) => {
    const [method, path] = k.split(' ');
    return [method, fill(path), method === 'POST' ? form(path) : {}];
  });
}

function asPage(
  method: string,
  path: string,
  form: Record<string, string>,
  auth: { token?: string; cookie?: string },
): Promise<Response> {
  const headers: Record<string, string> = auth.token
    ? { authorization: `Bearer ${auth.token}` }
    : { cookie: auth.cookie! };
  if (method === 'GET') return fetchApp(path, { headers });
  return fetchApp(path, {
    method,
    headers: { ...headers, origin: BASE, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}

describe('a creator demoted by an admin', () => {
  let w: CreatorWorld;
  beforeAll(async () => {
    w = await creatorWorld();
  }, 30_000);

  it('the demotion closes the creator space: offers withdrawn, the hold released, the booked call cancelled with a full refund and its fan told, the request answered; audited', async () => {
    const res = await api(
      'POST',
      `/api/admin/users/${w.C.user.id}/role`,
      { role: 'USER', reason: 'Repeated no-shows' },
      { token: w.admin.token },
    );
    expect(res.status).toBe(200);
    expect(await userRow(w.C.user.id)).toMatchObject({ role: 'USER', creatorWithdrawnBy: w.admin.user.id });
    expect((await userRow(w.C.user.id)).creatorWithdrawnAt).not.toBeNull();
    expect((await offerRow(w.offer)).status).toBe('CANCELLED');
    expect((await offerRow(w.heldOffer)).status).toBe('CANCELLED');
    expect((await bookingRow(w.hold)).status).toBe('CANCELLED');
    const b = await bookingRow(w.booking);
    expect(b).toMatchObject({ status: 'CANCELLED', cancelledBy: 'ADMIN' });
    const paid = await paymentOf(w.booking);
    expect((await refundsOfBooking(w.booking)).reduce((s, r) => s + r.amount, 0)).toBe(paid.amount);
    expect((await paymentOf(w.booking)).status).toBe('REFUNDED');
    const told = await deps()
      .db.select()
      .from(notifications)
      .where(and(eq(notifications.userId, w.fan.user.id), eq(notifications.type, 'BOOKING_CANCELLED')))
      .all();
    expect(told).toHaveLength(1);
    expect((await requestRow(w.request)).status).toBe('REJECTED');
    const audit = await deps()
      .db.select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, w.C.user.id), eq(auditLog.action, 'ROLE_CHANGE')))
      .all();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorUserId: w.admin.user.id, reason: 'Repeated no-shows' });
    // The public page, its slots and its requests are gone with the role.
    expect((await fetchApp(`/en/c/${w.C.creator.slug}`)).status).toBe(404);
    expect((await api('GET', `/api/creators/${w.C.creator.slug}`)).status).toBe(404);
    const [other] = await fans(1);
    expect(
      (
        await api(
          'POST',
          `/api/creators/${w.C.creator.id}/requests`,
          { proposedPrice: 3000, currency: 'EUR', proposedStartsAt: inDays(8), durationMinutes: 30, message: 'Hi' },
          { token: other.token },
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await api(
          'POST',
          `/api/creators/${w.C.creator.slug}/slots/book`,
          { typeId: w.C.t30, startsAt: inDays(7) },
          { token: other.token },
        )
      ).status,
    ).toBe(404);
  });

  it('every creator action of the API is refused (bearer and cookie), and nothing changes', async () => {
    const calls = await creatorApiCalls(w);
    // Every route restricted to creators is in the list: a new one cannot be forgotten here.
    const listed = new Set(calls.map(([m, p]) => `${m} ${p.replace(/\?.*$/, '')}`));
    const creatorRoutes = apiSpecs()
      .filter((s) => Array.isArray(s.access) && s.access.includes('CREATOR'))
      .map((s) => s.path);
    for (const path of creatorRoutes)
      expect(
        [...listed].some((k) => new RegExp(`^[A-Z]+ ${path.replace(/:\w+/g, '[^/]+')}$`).test(k)),
        path,
      ).toBe(true);
    const before = await settled();
    const failures: string[] = [];
    for (const auth of [{ token: w.C.token }, { cookie: w.cookie }]) {
      for (const [method, path, body] of calls) {
        const res = await api(method, path, body, { ...auth, origin: auth.cookie ? BASE : undefined });
        const code = ((await res.json().catch(() => ({}))) as { error?: { code?: string } }).error?.code ?? '';
        if (res.status !== 403 || !['FORBIDDEN_ROLE', 'NOT_A_CREATOR', 'CREATOR_ROLE_WITHDRAWN'].includes(code))
          failures.push(`${method} ${path} → ${res.status} ${code}`);
      }
      const upload = await fetchApp('/api/creators/me/images/profile', {
        method: 'PUT',
        headers: {
          ...(auth.token ? { authorization: `Bearer ${auth.token}` } : { cookie: auth.cookie!, origin: BASE }),
          'content-type': 'image/png',
        },
        body: (await pngImage(400, 400)) as unknown as BodyInit,
      });
      if (upload.status !== 403) failures.push(`PUT /api/creators/me/images/profile → ${upload.status}`);
    }
    expect(failures).toEqual([]);
    expect(await changedSince(before)).toEqual([]);
  });

  it('every page and form of the creator space sends them to their account, and nothing changes', async () => {
    const calls = creatorPageCalls(w);
    expect(calls.length).toBeGreaterThan(25);
    const before = await settled();
    const failures: string[] = [];
    for (const auth of [{ token: w.C.token }, { cookie: w.cookie }]) {
      for (const [method, path, form] of calls) {
        const res = await asPage(method, path, form, auth);
        await res.body?.cancel();
        if (res.status !== 303 || res.headers.get('location') !== '/en/account#become-creator')
          failures.push(`${method} ${path} → ${res.status} ${res.headers.get('location') ?? ''}`);
      }
      // The simulated payment onboarding of their old connected account.
      for (const method of ['GET', 'POST']) {
        const res = await asPage(method, `/checkout/local/onboarding/${w.C.creator.stripeAccountId}`, {}, auth);
        await res.body?.cancel();
        if (res.status !== 404) failures.push(`${method} /checkout/local/onboarding → ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await changedSince(before)).toEqual([]);
  });

  it('cannot become a creator again (API and page); the account page says why', async () => {
    const before = await settled();
    const res = await api('POST', '/api/me/become-creator', undefined, { token: w.C.token });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('CREATOR_ROLE_WITHDRAWN');
    const page = await postForm('/en/account/become-creator', {}, { cookie: w.cookie });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/en/account#become-creator');
    expect(cookieFrom(page, 'flash') ?? '').toContain('error');
    expect(await changedSince(before)).toEqual([]);
    expect((await userRow(w.C.user.id)).role).toBe('USER');
    for (const lang of ['en', 'fr']) {
      const account = await fetchApp(`/${lang}/account`, { headers: { cookie: w.cookie } });
      const html = await account.text();
      expect(html).toContain('data-creator-withdrawn');
      expect(html).not.toContain(`action="/${lang}/account/become-creator"`);
    }
  });

  it('only an admin restores the role: the creator space opens again; audited', async () => {
    const res = await api(
      'POST',
      `/api/admin/users/${w.C.user.id}/role`,
      { role: 'CREATOR', reason: 'Appeal accepted' },
      { token: w.admin.token },
    );
    expect(res.status).toBe(200);
    expect(await userRow(w.C.user.id)).toMatchObject({
      role: 'CREATOR',
      creatorWithdrawnAt: null,
      creatorWithdrawnBy: null,
    });
    expect((await fetchApp('/en/creator/offers', { headers: { cookie: w.cookie } })).status).toBe(200);
    expect((await api('GET', '/api/creators/me', undefined, { token: w.C.token })).status).toBe(200);
    expect((await fetchApp(`/en/c/${w.C.creator.slug}`)).status).toBe(200);
    const audit = await deps()
      .db.select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, w.C.user.id), eq(auditLog.action, 'ROLE_CHANGE')))
      .all();
    expect(audit.map((a) => a.reason).sort()).toEqual(['Appeal accepted', 'Repeated no-shows']);
  });
});

describe('a creator demoted (or disabled) after their page loaded', () => {
  it('is refused inside the objects: publish, edit, withdraw, accept, reject — nothing changes', async () => {
    const C = await onboardedCreator();
    const [fan] = await fans(1);
    const offer = await offerFor(C, { startsInMinutes: 4 * 24 * 60 });
    const request = await sendRequest(C, fan, 7);
    const d = deps();
    const tryAll = async () => {
      const out: { ok: boolean; code?: string }[] = [];
      out.push(
        await d.rooms.calendar(C.creator.id).createOffer({
          creatorId: C.creator.id,
          actorUserId: C.user.id,
          offer: {
            title: 'Sneaky',
            description: '',
            price: 2500,
            currency: 'EUR',
            startsAt: inDays(15),
            durationMinutes: 30,
          },
        }),
      );
      out.push(
        await d.rooms.calendar(C.creator.id).updateOffer({
          creatorId: C.creator.id,
          offerId: offer.id,
          actorUserId: C.user.id,
          patch: { startsAt: inDays(16) },
          currentStartsAt: offer.startsAt.toISOString(),
          currentDuration: 30,
        }),
      );
      out.push(
        await d.rooms
          .offer(offer.id)
          .update({ offerId: offer.id, actorUserId: C.user.id, patch: { title: 'Renamed' } }),
      );
      out.push(await d.rooms.offer(offer.id).cancelOffer({ offerId: offer.id, actorUserId: C.user.id }));
      out.push(await d.rooms.calendar(C.creator.id).acceptRequest({ requestId: request, actorUserId: C.user.id }));
      out.push(await rejectRequest(d, C.user.id, request));
      return out;
    };
    // The admin's change is in D1; the page that checked the role ran before it (its sweep has not run yet).
    await d.db.update(users).set({ role: 'USER' }).where(eq(users.id, C.user.id));
    let before = await settled();
    for (const r of await tryAll()) expect(r).toMatchObject({ ok: false, code: 'NOT_A_CREATOR' });
    expect(await changedSince(before)).toEqual([]);
    await d.db.update(users).set({ role: 'CREATOR', disabledAt: new Date() }).where(eq(users.id, C.user.id));
    before = await settled();
    for (const r of await tryAll()) expect(r).toMatchObject({ ok: false, code: 'ACCOUNT_DISABLED' });
    expect(await changedSince(before)).toEqual([]);
    expect((await offerRow(offer.id)).status).toBe('AVAILABLE');
    expect((await requestRow(request)).status).toBe('PENDING');
  });

  it('a creator cannot reschedule a booking once demoted (inside the calendar object)', async () => {
    const C = await openCreator();
    const [fan] = await fans(1);
    const [slot] = await slotsOf(C, C.t30, new Date(Date.now() + 3 * 86_400_000));
    const held = await api(
      'POST',
      `/api/creators/${C.creator.slug}/slots/book`,
      { typeId: C.t30, startsAt: slot.startsAt },
      { token: fan.token },
    );
    expect(held.status).toBe(201);
    const out = (await held.json()) as { booking: { id: string }; payment: { intentId: string } };
    await deps().localPayments!.checkout(out.payment.intentId, 'succeed');
    const later = (await slotsOf(C, C.t30, new Date(Date.now() + 5 * 86_400_000)))[0];
    await deps().db.update(users).set({ role: 'USER' }).where(eq(users.id, C.user.id));
    const before = await settled();
    const r = await deps()
      .rooms.calendar(C.creator.id)
      .reschedule({ bookingId: out.booking.id, actorUserId: C.user.id, startsAt: later.startsAt });
    expect(r).toMatchObject({ ok: false, code: 'NOT_A_CREATOR' });
    expect(await changedSince(before)).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------------------ a disabled account

async function googleRoundTrip(profile: Record<string, string>) {
  const start = await fetchApp('/auth/google/start?lang=en&next=%2Fen%2Faccount');
  const authorize = new URL(start.headers.get('location')!);
  expect(authorize.searchParams.get('client_id')).toBe(FAKE_GOOGLE_CLIENT.id);
  const oauthCookie = cookieFrom(start, 'g_oauth')!;
  const consent = new URL(`${testEnv.FAKES_URL}/google/__consent`);
  for (const k of ['client_id', 'redirect_uri', 'state', 'code_challenge'])
    consent.searchParams.set(k, authorize.searchParams.get(k)!);
  for (const [k, v] of Object.entries(profile)) consent.searchParams.set(k, v);
  const { code, state } = (await (await fetch(consent)).json()) as { code: string; state: string };
  return fetchApp(`/auth/google/callback?code=${code}&state=${state}`, { headers: { cookie: oauthCookie } });
}

interface FanWorld {
  admin: TestAccount;
  C: CreatorScenario;
  F: TestAccount;
  cookie: string;
  early: string; // confirmed, in 3 days
  late: string; // confirmed, in 12 hours
  hold: string; // F's unpaid hold
  request: string;
  free: string; // an offer F could book
  resetToken: string;
}

describe('an account an admin disabled (a fan)', () => {
  let w: FanWorld;
  beforeAll(async () => {
    const admin = await createAccount('ADMIN', { passwordHash: null });
    const C = await onboardedCreator(); // cancellation policy HALF: 50 % back within 24 h
    const F = await createAccount('USER');
    const signin = await postForm('/en/signin', { email: F.user.email, password: PASSWORD });
    const cookie = cookieFrom(signin, SESSION_COOKIE)!;
    expect(cookie).toBeTruthy();
    const early = (await payOffer((await offerFor(C, { startsInMinutes: 3 * 24 * 60 })).id, F)).bookingId;
    const late = (await payOffer((await offerFor(C, { startsInMinutes: 12 * 60 })).id, F)).bookingId;
    const held = await book((await offerFor(C, { startsInMinutes: 4 * 24 * 60 })).id, F.token);
    const hold = ((await held.json()) as { booking: { id: string } }).booking.id;
    const request = await sendRequest(C, F, 8);
    const free = (await offerFor(C, { startsInMinutes: 9 * 24 * 60 })).id;
    expect((await api('POST', '/api/auth/password-reset/request', { email: F.user.email })).status).toBe(202);
    const resetToken = tokenFromEmail((await lastEmailTo(F.user.email))!.text);
    w = { admin, C, F, cookie, early, late, hold, request, free, resetToken };
  }, 30_000);

  it("disabling signs them out everywhere and cancels their future bookings under the creator's policy; audited with the admin and the reason", async () => {
    const res = await api(
      'POST',
      `/api/admin/users/${w.F.user.id}/disable`,
      { reason: 'Harassed two creators' },
      { token: w.admin.token },
    );
    expect(res.status).toBe(200);
    expect((await userRow(w.F.user.id)).disabledAt).not.toBeNull();
    expect(await deps().db.select().from(sessions).where(eq(sessions.userId, w.F.user.id)).all()).toEqual([]);
    expect(
      (await deps().db.select().from(sessionRevocations).where(eq(sessionRevocations.userId, w.F.user.id)).all())
        .length,
    ).toBeGreaterThanOrEqual(2);
    // More than 24 h ahead: everything back; within 24 h: the creator's policy (HALF).
    const earlyPaid = await paymentOf(w.early);
    const latePaid = await paymentOf(w.late);
    expect(await bookingRow(w.early)).toMatchObject({ status: 'CANCELLED', cancelledBy: 'ADMIN' });
    expect(await bookingRow(w.late)).toMatchObject({ status: 'CANCELLED', cancelledBy: 'ADMIN' });
    expect((await refundsOfBooking(w.early)).reduce((s, r) => s + r.amount, 0)).toBe(earlyPaid.amount);
    expect((await refundsOfBooking(w.late)).reduce((s, r) => s + r.amount, 0)).toBe(Math.floor(latePaid.amount / 2));
    expect((await bookingRow(w.hold)).status).toBe('CANCELLED');
    expect((await requestRow(w.request)).status).toBe('CANCELLED');
    const told = await deps()
      .db.select()
      .from(notifications)
      .where(and(eq(notifications.userId, w.C.user.id), eq(notifications.type, 'BOOKING_CANCELLED')))
      .all();
    expect(told).toHaveLength(2);
    expect(
      (await deps().db.select().from(authTokens).where(eq(authTokens.userId, w.F.user.id)).all()).every(
        (t) => t.usedAt !== null,
      ),
    ).toBe(true);
    const audit = await deps()
      .db.select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, w.F.user.id), eq(auditLog.action, 'ACCOUNT_DISABLE')))
      .all();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorUserId: w.admin.user.id, reason: 'Harassed two creators', entity: 'user' });
  });

  it('refuses their cookie and bearer sessions on every API route and every page, and changes nothing', async () => {
    const before = await settled();
    const failures: string[] = [];
    const anonymous = new Map<string, number>();
    for (const s of apiSpecs()) {
      if (s.access !== 'public') continue;
      if (s.method !== 'get' || /\/live$|socket/.test(s.path)) continue;
      const path = s.path.replace(/:idOrSlug/, w.C.creator.slug).replace(/:id/, w.free);
      const res = await api('GET', path);
      anonymous.set(path, res.status);
      await res.body?.cancel();
    }
    for (const auth of [{ token: w.F.token }, { cookie: w.cookie }]) {
      for (const s of apiSpecs()) {
        const path = s.path
          .replace(/:idOrSlug/, w.C.creator.slug)
          .replace(
            /:bookingId|:id/,
            s.path.includes('/offers/') ? w.free : s.path.includes('/bookings/') ? w.early : 'x',
          )
          .replace(/:\w+/g, 'x');
        if (s.access === 'public') {
          if (!anonymous.has(path)) continue;
          const res = await api('GET', path, undefined, auth);
          await res.body?.cancel();
          if (res.status !== anonymous.get(path))
            failures.push(`public GET ${path} → ${res.status}, anonymous got ${anonymous.get(path)}`);
          continue;
        }
        const res = await api(s.method.toUpperCase(), path, s.method === 'get' ? undefined : {}, {
          ...auth,
          origin: auth.cookie ? BASE : undefined,
        });
        const code = ((await res.json().catch(() => ({}))) as { error?: { code?: string } }).error?.code;
        if (res.status !== 401 || code !== 'UNAUTHENTICATED')
          failures.push(
            `${s.method.toUpperCase()} ${s.path}${s.identityOnly ? ' (identity only)' : ''} → ${res.status} ${code ?? ''}`,
          );
      }
      for (const path of pagePaths()) {
        const headers: Record<string, string> = auth.token
          ? { authorization: `Bearer ${auth.token}` }
          : { cookie: auth.cookie! };
        const [mine, anon] = [await fetchApp(path, { headers }), await fetchApp(path)];
        await mine.body?.cancel();
        await anon.body?.cancel();
        if (
          mine.status !== anon.status ||
          (mine.headers.get('location') ?? '') !== (anon.headers.get('location') ?? '')
        )
          failures.push(
            `GET ${path} → ${mine.status} ${mine.headers.get('location') ?? ''}, anonymous got ${anon.status}`,
          );
      }
      const bookPage = await asPage('POST', `/en/offers/${w.free}/book`, {}, auth);
      if (bookPage.status !== 303 || !bookPage.headers.get('location')?.startsWith('/en/signin'))
        failures.push(`POST /en/offers/:id/book → ${bookPage.status}`);
      await bookPage.body?.cancel();
    }
    expect(failures).toEqual([]);
    expect(await changedSince(before)).toEqual([]);
    expect((await offerRow(w.free)).status).toBe('AVAILABLE');
  }, 60_000);

  it('cannot sign in again: password (API and page), Google, a reset link sent before — nothing changes', async () => {
    const before = await settled();
    const login = await api('POST', '/api/auth/login', { email: w.F.user.email, password: PASSWORD });
    expect(login.status).toBe(403);
    expect(((await login.json()) as { error: { code: string } }).error.code).toBe('ACCOUNT_DISABLED');
    const page = await postForm('/en/signin', { email: w.F.user.email, password: PASSWORD });
    expect(page.status).toBe(403);
    expect(cookieFrom(page, SESSION_COOKIE)).toBeNull();
    const google = await googleRoundTrip({
      sub: `g-disabled-${w.F.user.id}`,
      email: w.F.user.email,
      email_verified: 'true',
    });
    expect(google.headers.get('location')).toBe('/en/signin');
    expect(cookieFrom(google, SESSION_COOKIE)).toBeNull();
    expect((await api('POST', '/api/auth/password-reset/request', { email: w.F.user.email })).status).toBe(202);
    const reset = await api('POST', '/api/auth/password-reset/confirm', {
      token: w.resetToken,
      password: 'a-brand-new-password',
    });
    expect(reset.status).toBe(410);
    const resetPage = await postForm('/en/reset-password', { token: w.resetToken, password: 'a-brand-new-password' });
    expect(resetPage.status).toBe(410);
    expect(await changedSince(before)).toEqual([]);
  });

  it('re-enabling (audited) lets them sign in again; what was cancelled stays cancelled', async () => {
    const res = await api(
      'POST',
      `/api/admin/users/${w.F.user.id}/enable`,
      { reason: 'Apologised' },
      { token: w.admin.token },
    );
    expect(res.status).toBe(200);
    expect((await userRow(w.F.user.id)).disabledAt).toBeNull();
    expect((await api('POST', '/api/auth/login', { email: w.F.user.email, password: PASSWORD })).status).toBe(200);
    expect((await api('GET', '/api/me', undefined, { token: w.F.token })).status).toBe(401); // the old sessions stay revoked
    expect((await bookingRow(w.early)).status).toBe('CANCELLED');
    const audit = await deps()
      .db.select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, w.F.user.id), eq(auditLog.action, 'ACCOUNT_ENABLE')))
      .all();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorUserId: w.admin.user.id, reason: 'Apologised' });
  });
});

describe('a disabled account on identity-only routes, before this isolate learnt of it', () => {
  it('cannot take a hold or a slot in the seconds another isolate needs: refused, nothing held', async () => {
    const C = await openCreator();
    const [F] = await fans(1);
    const offer = await offerFor(C, { startsInMinutes: 5 * 24 * 60 });
    const [slot] = await slotsOf(C, C.t30, new Date(Date.now() + 2 * 86_400_000));
    expect((await api('GET', '/api/me', undefined, { token: F.token })).status).toBe(200); // the account row is in this isolate's cache
    // Another isolate disabled the account: D1 has it, this isolate's revoked list and cache do not (yet).
    const now = new Date();
    const rows = await deps().db.select().from(sessions).where(eq(sessions.userId, F.user.id)).all();
    await deps().db.batch([
      deps().db.update(users).set({ disabledAt: now }).where(eq(users.id, F.user.id)),
      ...rows.map((r) =>
        deps()
          .db.insert(sessionRevocations)
          .values({ sessionId: r.id, userId: F.user.id, revokedAt: now, expiresAt: r.expiresAt }),
      ),
    ] as unknown as Parameters<ReturnType<typeof deps>['db']['batch']>[0]);
    const before = await settled();
    const held = await book(offer.id, F.token);
    expect([401, 403]).toContain(held.status);
    const slotted = await api(
      'POST',
      `/api/creators/${C.creator.slug}/slots/book`,
      { typeId: C.t30, startsAt: slot.startsAt },
      { token: F.token },
    );
    expect([401, 403]).toContain(slotted.status);
    const live = await deps()
      .db.select()
      .from(bookings)
      .where(and(eq(bookings.userId, F.user.id), inArray(bookings.status, ['PENDING', 'CONFIRMED'])))
      .all();
    expect(live).toEqual([]);
    expect((await offerRow(offer.id)).status).toBe('AVAILABLE');
    // What stays behind is the trace of the claim undone at once: the released booking row, its cancelled payment intent.
    const trace = (await changedSince(before)).map((l) => l.split(':')[0]).sort();
    expect(trace).toEqual([
      'bookings',
      'call_offers',
      'local_stripe_events',
      'local_stripe_objects',
      'payments',
      'webhook_events',
    ]);
    const undone = await deps().db.select().from(bookings).where(eq(bookings.userId, F.user.id)).all();
    expect(undone.map((b) => b.status)).toEqual(['CANCELLED']);
    expect((await deps().payments.retrieveIntent(undone[0].paymentIntentId!)).status).toBe('canceled'); // nothing can be paid on it
  });
});

describe('a creator an admin disabled', () => {
  it('their fans are refunded in full and told, their offers withdrawn, their page gone; re-enabled, they can work again', async () => {
    const admin = await createAccount('ADMIN', { passwordHash: null });
    const C = await openCreator();
    await deps().db.update(creators).set({ cancellationPolicy: 'NONE' }).where(eq(creators.id, C.creator.id));
    const [fan] = await fans(1);
    const booking = (await payOffer((await offerFor(C, { startsInMinutes: 10 * 60 })).id, fan)).bookingId;
    const offer = (await offerFor(C, { startsInMinutes: 6 * 24 * 60 })).id;
    const request = await sendRequest(C, fan, 8);
    const res = await api(
      'POST',
      `/api/admin/users/${C.user.id}/disable`,
      { reason: 'Fraud suspected' },
      { token: admin.token },
    );
    expect(res.status).toBe(200);
    expect(await bookingRow(booking)).toMatchObject({ status: 'CANCELLED', cancelledBy: 'ADMIN' });
    expect((await refundsOfBooking(booking)).reduce((s, r) => s + r.amount, 0)).toBe((await paymentOf(booking)).amount);
    expect(
      await deps()
        .db.select()
        .from(notifications)
        .where(and(eq(notifications.userId, fan.user.id), eq(notifications.type, 'BOOKING_CANCELLED')))
        .all(),
    ).toHaveLength(1);
    expect((await offerRow(offer)).status).toBe('CANCELLED');
    expect((await requestRow(request)).status).toBe('REJECTED');
    expect((await fetchApp(`/en/c/${C.creator.slug}`)).status).toBe(404);
    expect((await api('GET', '/api/creators/me', undefined, { token: C.token })).status).toBe(401);
    expect(
      ((await (await api('GET', '/api/creators')).json()) as { items: { id: string }[] }).items.map((i) => i.id),
    ).not.toContain(C.creator.id);

    expect((await api('POST', `/api/admin/users/${C.user.id}/enable`, {}, { token: admin.token })).status).toBe(200);
    const login = await api('POST', '/api/auth/login', { email: C.user.email, password: PASSWORD });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    expect(
      (
        await api(
          'POST',
          '/api/offers',
          { title: 'Back', price: 2500, currency: 'EUR', startsAt: inDays(14), durationMinutes: 30 },
          { token },
        )
      ).status,
    ).toBe(201);
    expect((await fetchApp(`/en/c/${C.creator.slug}`)).status).toBe(200);
  });
});

describe('the admin controls', () => {
  it('an admin cannot disable themself; disable and enable say what they did (409 when there is nothing to do)', async () => {
    const admin = await createAccount('ADMIN', { passwordHash: null });
    const [fan] = await fans(1);
    const self = await api(
      'POST',
      `/api/admin/users/${admin.user.id}/disable`,
      { reason: 'Oops me' },
      { token: admin.token },
    );
    expect(self.status).toBe(409);
    expect(((await self.json()) as { error: { code: string } }).error.code).toBe('CANNOT_DISABLE_SELF');
    expect((await api('POST', `/api/admin/users/${fan.user.id}/enable`, {}, { token: admin.token })).status).toBe(409);
    expect((await api('POST', `/api/admin/users/${fan.user.id}/disable`, {}, { token: admin.token })).status).toBe(400); // a reason is required
    expect(
      (
        await api(
          'POST',
          `/api/admin/users/usr_aaaaaaaaaaaaaaaaaaaa/disable`,
          { reason: 'Nobody' },
          { token: admin.token },
        )
      ).status,
    ).toBe(404);
    expect((await userRow(fan.user.id)).disabledAt).toBeNull();
  });

  it('the account page has disable and enable buttons behind a confirmation (fr and en); unconfirmed, nothing happens', async () => {
    const admin = await createAccount('ADMIN', { passwordHash: null });
    const [fan] = await fans(1);
    const cookie = cookieOf((await createSession(deps(), admin.user, 'COOKIE')).token);
    for (const lang of ['en', 'fr']) {
      const html = await (await fetchApp(`/${lang}/admin/users/${fan.user.id}`, { headers: { cookie } })).text();
      expect(html).toContain(`action="/${lang}/admin/users/${fan.user.id}/disable"`);
      expect(html).toMatch(/name="confirm"[^>]*required/);
    }
    const before = await settled();
    const unconfirmed = await postForm(`/en/admin/users/${fan.user.id}/disable`, { reason: 'No confirm' }, { cookie });
    expect(unconfirmed.status).toBe(303);
    expect(cookieFrom(unconfirmed, 'flash') ?? '').toContain('error');
    expect(await changedSince(before)).toEqual([]);
    const done = await postForm(
      `/en/admin/users/${fan.user.id}/disable`,
      { reason: 'Spam account', confirm: 'yes' },
      { cookie },
    );
    expect(done.status).toBe(303);
    expect((await userRow(fan.user.id)).disabledAt).not.toBeNull();
    const html = await (await fetchApp(`/en/admin/users/${fan.user.id}`, { headers: { cookie } })).text();
    expect(html).toContain(`action="/en/admin/users/${fan.user.id}/enable"`);
    const back = await postForm(
      `/en/admin/users/${fan.user.id}/enable`,
      { reason: 'Mistake', confirm: 'yes' },
      { cookie },
    );
    expect(back.status).toBe(303);
    expect((await userRow(fan.user.id)).disabledAt).toBeNull();
  });
});
