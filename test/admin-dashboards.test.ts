/**
 * Admin dashboards: role-based access to every admin page and admin API route; the overview's
 * numbers; account search and role changes; booking filters and the booking timeline; payment
 * filters and the CSV export (the same rows as the filtered list, beyond one page); review
 * moderation as the public sees it; and an audit row for every admin write.
 */
import { and, desc, eq, gte } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import {
  auditLog,
  bookings,
  callOffers,
  cronRuns,
  disputes,
  emailLog,
  ledgerEntries,
  payments,
  payouts,
  refunds,
  reviews,
  type Currency,
} from '../src/db/schema';
import { PAYMENTS_PAGE, csvField } from '../src/domain/admin/payments';
import { getSettings, updateSettings } from '../src/domain/settings';
import { registry } from '../src/http/route';
import { localDate } from '../src/lib/tz';
import { ID_PREFIXES } from '../src/lib/ids';
import {
  api,
  createAccount,
  creatorOf,
  deps,
  expectError,
  getPage,
  paymentOf,
  postPage,
  type TestAccount,
  userRow,
} from './helpers';
import { completeCalls } from './payout-helpers';
import { payOffer, fans, offerFor, onboardedCreator, presence, type CreatorScenario } from './scenarios';

createApp(); // populate the route registry

const DAY = 86_400_000;
const get = getPage;
const post = postPage;

/** A paid booking of `c` by `fan` (built-in provider). */
async function paidBooking(c: CreatorScenario, fan: TestAccount, price = 5000) {
  const offer = await offerFor(c, { price });
  const { bookingId } = await payOffer(offer.id, fan);
  return { bookingId, offer, payment: await paymentOf(bookingId) };
}

/** Audit rows written since `since` by `actor` with this action (and entity id). */
async function auditRows(actor: string, action: string, entityId?: string, since = new Date(Date.now() - 60_000)) {
  return deps()
    .db.select()
    .from(auditLog)
    .where(
      and(
        eq(auditLog.actorUserId, actor),
        eq(auditLog.action, action),
        entityId ? eq(auditLog.entityId, entityId) : undefined,
        gte(auditLog.createdAt, since),
      ),
    )
    .orderBy(desc(auditLog.createdAt))
    .all();
}

const idsIn = (html: string, attr: string) =>
  [...html.matchAll(new RegExp(`${attr}="([a-z]+_[0-9a-z]+)"`, 'g'))].map((m) => m[1]);

/** RFC 4180 parser (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && s[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

let admin: TestAccount;
let fan: TestAccount;
let creator: CreatorScenario;
let booking: { bookingId: string; payment: typeof payments.$inferSelect };
/** A payout of `creator` waiting for approval (its detail page and audit trail). */
let payoutId: string;

beforeAll(async () => {
  admin = await createAccount('ADMIN');
  [fan] = await fans(1);
  creator = await onboardedCreator();
  booking = await paidBooking(creator, fan);
  const d = deps();
  const now = new Date();
  payoutId = d.ids.next('pyt');
  await d.db.insert(payouts).values({
    id: payoutId,
    creatorId: creator.creator.id,
    amount: 1234,
    currency: 'EUR',
    status: 'REQUESTED',
    origin: 'CREATOR',
    idempotencyKey: `t:${payoutId}`,
    requestedAt: now,
    createdAt: now,
    updatedAt: now,
  });
});

// ------------------------------------------------------------------------------------------------ access

describe('role-based access', () => {
  const pages = () => [
    '/en/admin',
    '/en/admin?period=week',
    '/en/admin/users',
    `/en/admin/users/${fan.user.id}`,
    '/en/admin/bookings',
    `/en/admin/bookings/${booking.bookingId}`,
    '/en/admin/payments',
    '/en/admin/payments.csv',
    '/en/admin/disputes',
    '/en/admin/reviews',
    '/en/admin/audit',
    '/en/admin/payouts',
    `/en/admin/payouts/${payoutId}`,
    '/en/admin/settings',
    '/en/admin/emails',
    '/en/admin/emails/templates',
    '/en/admin/jobs',
    '/en/admin/logs',
    '/fr/admin',
    '/fr/admin/users',
    '/fr/admin/payments',
    '/fr/admin/reviews',
    '/fr/admin/audit',
  ];
  const writes = () => [
    `/en/admin/users/${fan.user.id}/role`,
    `/en/admin/bookings/${booking.bookingId}/refund`,
    `/en/admin/bookings/${booking.bookingId}/call-review`,
    '/en/admin/reviews/rev_aaaaaaaaaaaaaaaaaaaa/hide',
    '/en/admin/reviews/rev_aaaaaaaaaaaaaaaaaaaa/unhide',
    '/en/admin/disputes/dsp_aaaaaaaaaaaaaaaaaaaa/evidence',
    '/en/admin/disputes/dsp_aaaaaaaaaaaaaaaaaaaa/settle-debt',
    '/en/admin/payouts/pyt_aaaaaaaaaaaaaaaaaaaa/approve',
    '/en/admin/payouts/pyt_aaaaaaaaaaaaaaaaaaaa/reject',
    '/en/admin/payouts/pyt_aaaaaaaaaaaaaaaaaaaa/simulate',
    `/en/admin/creators/${creator.creator.id}/payouts`,
    `/en/admin/creators/${creator.creator.id}/block`,
    `/en/admin/creators/${creator.creator.id}/unblock`,
    '/en/admin/emails/eml_aaaaaaaaaaaaaaaaaaaa/retry',
    '/en/admin/jobs/log-retention/run',
    '/en/admin/settings',
    '/en/admin/refunds/ref_aaaaaaaaaaaaaaaaaaaa/settle-debt',
    '/en/admin/owed-refunds/orf_aaaaaaaaaaaaaaaaaaaa/retry',
  ];

  it('anonymous visitors are sent to sign in, from every admin page and admin form', async () => {
    for (const path of pages()) {
      const res = await get(path);
      expect(res.status, path).toBe(303);
      expect(res.headers.get('location'), path).toMatch(/^\/(en|fr)\/signin\?next=/);
    }
    for (const path of writes()) {
      const res = await post(path, undefined, { reason: 'nope', role: 'ADMIN', amount: '1', note: 'nope' });
      expect(res.status, path).toBe(303);
      expect(res.headers.get('location'), path).toMatch(/^\/en\/signin/);
    }
  });

  it('fans and creators get 403 on every admin page and admin form, and change nothing', async () => {
    for (const who of [fan, creator]) {
      for (const path of pages()) expect((await get(path, who.token)).status, `${who.user.role} ${path}`).toBe(403);
      for (const path of writes())
        expect(
          (await post(path, who.token, { reason: 'nope nope', role: 'ADMIN', amount: '1', note: 'nope' })).status,
          `${who.user.role} POST ${path}`,
        ).toBe(403);
    }
    expect((await userRow(fan.user.id)).role).toBe('USER');
    expect((await creatorOf(creator.user.id)).payoutsBlocked).toBe(false);
    expect(await deps().db.select().from(refunds).where(eq(refunds.bookingId, booking.bookingId)).all()).toHaveLength(
      0,
    );
  });

  it('admins get every admin page', async () => {
    for (const path of pages()) {
      const res = await get(path, admin.token);
      expect(res.status, path).toBe(200);
      if (!path.endsWith('.csv')) expect(await res.text(), path).toContain('class="section-nav"');
    }
  });

  it('every /api/admin route: 401 anonymous, 403 fan and creator, allowed for admins', async () => {
    const specs = [...registry.values()].filter((s) => s.path.startsWith('/api/admin/'));
    expect(specs.map((s) => `${s.method} ${s.path}`)).toEqual(
      expect.arrayContaining([
        'post /api/admin/reviews/:id/hide',
        'post /api/admin/reviews/:id/unhide',
        'get /api/admin/overview',
        'get /api/admin/users',
        'post /api/admin/users/:id/role',
      ]),
    );
    // Reads get real ids (so admins get 200); writes get well-formed ids of nothing (so nothing changes).
    const real = [creator.creator.id, fan.user.id, booking.bookingId, booking.payment.id, payoutId];
    const fill = (s: (typeof specs)[number]) => {
      const shape =
        (s.params as { shape?: Record<string, { safeParse(v: unknown): { success: boolean } }> } | undefined)?.shape ??
        {};
      const candidates = [...(s.method === 'get' ? real : []), ...ID_PREFIXES.map((p) => `${p}_aaaaaaaaaaaaaaaaaaaa`)];
      return s.path.replace(
        /:(\w+)/g,
        (_m, name: string) => candidates.find((v) => shape[name]?.safeParse(v).success) ?? 'x',
      );
    };
    for (const s of specs) {
      const method = s.method.toUpperCase();
      const body = s.body ? {} : undefined;
      await expectError(await api(method, fill(s), body), 401, 'UNAUTHENTICATED');
      await expectError(await api(method, fill(s), body, { token: fan.token }), 403, 'FORBIDDEN_ROLE');
      await expectError(await api(method, fill(s), body, { token: creator.token }), 403, 'FORBIDDEN_ROLE');
      const res = await api(method, fill(s), body, { token: admin.token });
      expect([401, 403], `${method} ${s.path} → ${res.status}`).not.toContain(res.status);
      if (s.method === 'get') expect(res.status, `${method} ${s.path}`).toBe(200);
    }
  });
});

// ------------------------------------------------------------------------------------------------ overview

type OverviewJson = {
  buckets: string[];
  callsCompleted: number;
  failedEmails24h: number;
  failedJobs24h: number;
  openDisputes: number;
  payoutsAwaiting: { count: number; byCurrency: { currency: Currency; count: number; amount: number }[] };
  series: {
    currency: Currency;
    bookings: number[];
    revenue: number[];
    fees: number[];
    totals: { bookings: number; revenue: number; fees: number; refunded: number };
  }[];
  usersByRole: Record<string, number>;
};

describe('overview', () => {
  const overview = async (period = 'day') =>
    (await (
      await api('GET', `/api/admin/overview?period=${period}`, undefined, { token: admin.token })
    ).json()) as OverviewJson;
  const chf = (o: OverviewJson) =>
    o.series.find((s) => s.currency === 'CHF') ?? {
      bookings: [0],
      revenue: [0],
      fees: [0],
      totals: { bookings: 0, revenue: 0, fees: 0, refunded: 0 },
    };
  const kpi = (html: string, name: string) => html.match(new RegExp(`data-kpi="${name}" data-value="([^"]*)"`))?.[1];

  it('counts paid bookings, revenue and fees per currency by day and week, calls completed, failures in 24 h, open disputes, payouts to approve', async () => {
    const before = await overview();
    const beforeWeek = await overview('week');
    const beforePage = await (await get('/en/admin', admin.token)).text();
    expect(before.buckets).toHaveLength(30);
    expect(beforeWeek.buckets).toHaveLength(12);

    const c = await onboardedCreator('CHF');
    const [f] = await fans(1);
    const a = await paidBooking(c, f, 5000);
    const b = await paidBooking(c, f, 7000);
    const d = deps();
    const now = new Date();
    // One call that took place yesterday, a failed email, a failed job run, an open dispute, a payout to approve.
    await d.db
      .update(bookings)
      .set({
        status: 'COMPLETED',
        startsAt: new Date(now.getTime() - DAY - 3_600_000),
        endsAt: new Date(now.getTime() - DAY),
      })
      .where(eq(bookings.id, a.bookingId));
    await d.db.insert(emailLog).values({
      id: d.ids.next('eml'),
      to: 'x@example.test',
      template: 'verify_email',
      locale: 'en',
      subject: 's',
      status: 'DEAD',
      attempts: 6,
      idempotencyKey: `t:${d.ids.next('eml')}`,
      payload: {},
      createdAt: now,
      updatedAt: now,
    });
    await d.db.insert(cronRuns).values({
      id: d.ids.next('cron'),
      job: 'payouts',
      scheduledAt: new Date(now.getTime() - 1234),
      trigger: 'CRON',
      status: 'ERROR',
      startedAt: now,
      error: 'boom',
    });
    await d.localPayments!.openDispute(b.payment.chargeId!, 'fraudulent');
    await d.db.insert(payouts).values({
      id: d.ids.next('pyt'),
      creatorId: c.creator.id,
      amount: 1234,
      currency: 'CHF',
      status: 'REQUESTED',
      origin: 'CREATOR',
      idempotencyKey: `t:${d.ids.next('pyt')}`,
      requestedAt: now,
      createdAt: now,
      updatedAt: now,
    });

    const after = await overview();
    const fees = a.payment.platformFee + b.payment.platformFee;
    expect(chf(after).totals.bookings - chf(before).totals.bookings).toBe(2);
    expect(chf(after).totals.revenue - chf(before).totals.revenue).toBe(12_000);
    expect(chf(after).totals.fees - chf(before).totals.fees).toBe(fees);
    // Today's bucket (the last one) holds both payments.
    expect(chf(after).bookings.at(-1)! - (chf(before).bookings.at(-1) ?? 0)).toBe(2);
    expect(chf(after).revenue.at(-1)! - (chf(before).revenue.at(-1) ?? 0)).toBe(12_000);
    expect(after.callsCompleted - before.callsCompleted).toBe(1);
    expect(after.failedEmails24h - before.failedEmails24h).toBe(1);
    expect(after.failedJobs24h - before.failedJobs24h).toBe(1);
    expect(after.openDisputes - before.openDisputes).toBe(1);
    expect(after.payoutsAwaiting.count - before.payoutsAwaiting.count).toBe(1);
    expect(
      after.payoutsAwaiting.byCurrency.find((x) => x.currency === 'CHF')!.amount -
        (before.payoutsAwaiting.byCurrency.find((x) => x.currency === 'CHF')?.amount ?? 0),
    ).toBe(1234);
    expect(after.usersByRole.CREATOR - before.usersByRole.CREATOR).toBe(1);
    const week = await overview('week');
    expect(chf(week).totals.revenue - chf(beforeWeek).totals.revenue).toBe(12_000);
    expect(chf(week).revenue.at(-1)! - (chf(beforeWeek).revenue.at(-1) ?? 0)).toBe(12_000);

    // The page shows the same numbers, each card linking to its page, and one chart per currency.
    const html = await (await get('/en/admin', admin.token)).text();
    for (const [name, delta] of [
      ['failedEmails', 1],
      ['failedJobs', 1],
      ['openDisputes', 1],
      ['payoutsAwaiting', 1],
      ['callsCompleted', 1],
      ['paidBookings', 2],
    ] as const) {
      expect(Number(kpi(html, name)) - Number(kpi(beforePage, name)), name).toBe(delta);
    }
    expect(html).toContain('href="/en/admin/emails?status=FAILED"');
    expect(html).toContain('href="/en/admin/disputes?view=open"');
    expect(html).toContain('data-currency="CHF"');
    expect(html.match(/<rect [^>]*data-value=/g)!.length).toBeGreaterThanOrEqual(30 * 3);
    expect(html).toContain('CHF');
  });
});

// ------------------------------------------------------------------------------------------------ users

describe('accounts', () => {
  it('searches by name or email (LIKE wildcards taken literally), filters by role, pages', async () => {
    const tag = `zq${Date.now().toString(36)}`;
    const u1 = await createAccount('USER', { name: `Alice ${tag}` });
    const u2 = await createAccount('CREATOR', { name: `Bob ${tag}` });
    const byName = await (await get(`/en/admin/users?q=${tag}`, admin.token)).text();
    expect(idsIn(byName, 'data-user').sort()).toEqual([u1.user.id, u2.user.id].sort());
    const creatorsOnly = await (await get(`/en/admin/users?q=${tag}&role=CREATOR`, admin.token)).text();
    expect(idsIn(creatorsOnly, 'data-user')).toEqual([u2.user.id]);
    // The creator's Stripe state shows in the list.
    expect(creatorsOnly).toContain('data-stripe-state=');
    const byEmail = (await (
      await api('GET', `/api/admin/users?q=${encodeURIComponent(u1.user.email)}`, undefined, { token: admin.token })
    ).json()) as { items: { id: string }[]; total: number };
    expect(byEmail.items.map((x) => x.id)).toEqual([u1.user.id]);
    const wildcard = (await (await api('GET', '/api/admin/users?q=%25', undefined, { token: admin.token })).json()) as {
      total: number;
    };
    expect(wildcard.total).toBe(0);
  });

  it("changes a role (audited, creator profile created), never the admin's own", async () => {
    const u = await createAccount('USER');
    expect(
      (await post(`/en/admin/users/${u.user.id}/role`, admin.token, { role: 'CREATOR', reason: 'Verified talent' }))
        .status,
    ).toBe(303);
    expect((await userRow(u.user.id)).role).toBe('CREATOR');
    expect(await creatorOf(u.user.id)).toBeTruthy();
    const [row] = await auditRows(admin.user.id, 'ROLE_CHANGE', u.user.id);
    expect(row).toMatchObject({
      entity: 'user',
      before: { role: 'USER' },
      after: { role: 'CREATOR' },
      reason: 'Verified talent',
    });
    expect(row.requestId).toMatch(/^req_/);
    // The change applies to the account's next request: it now reaches the creator API.
    expect((await api('GET', '/api/creators/me', undefined, { token: u.token })).status).toBe(200);
    const detail = await (await get(`/en/admin/users/${u.user.id}`, admin.token)).text();
    expect(detail).toContain('data-current-role="CREATOR"');

    // Through the API too.
    const res = await api('POST', `/api/admin/users/${u.user.id}/role`, { role: 'USER' }, { token: admin.token });
    // Back to fan: the creator role is withdrawn for good (only an admin gives it back) and nothing was left open.
    expect(await res.json()).toMatchObject({
      id: u.user.id,
      role: 'USER',
      creatorWithdrawnAt: expect.any(String),
      closed: { offersWithdrawn: 0, bookingsCancelled: 0, remaining: 0 },
    });
    expect(await auditRows(admin.user.id, 'ROLE_CHANGE', u.user.id)).toHaveLength(2);
    await expectError(
      await api('POST', `/api/admin/users/${u.user.id}/role`, { role: 'USER' }, { token: admin.token }),
      409,
      'ROLE_UNCHANGED',
    );

    // An admin cannot demote themself (page or API); the page disables the form.
    await expectError(
      await api('POST', `/api/admin/users/${admin.user.id}/role`, { role: 'USER' }, { token: admin.token }),
      409,
      'CANNOT_DEMOTE_SELF',
    );
    expect((await post(`/en/admin/users/${admin.user.id}/role`, admin.token, { role: 'USER' })).status).toBe(303);
    expect((await userRow(admin.user.id)).role).toBe('ADMIN');
    expect(await auditRows(admin.user.id, 'ROLE_CHANGE', admin.user.id)).toHaveLength(0);
    expect(await (await get(`/en/admin/users/${admin.user.id}`, admin.token)).text()).toContain('data-self');
  });

  it("shows a creator's Stripe account state and blocks / unblocks their payouts from the account page (audited)", async () => {
    const c = await onboardedCreator();
    const html = await (await get(`/en/admin/users/${c.user.id}`, admin.token)).text();
    expect(html).toContain(c.creator.stripeAccountId!);
    expect(html).toContain('data-payouts-blocked="false"');
    const blocked = await post(`/en/admin/creators/${c.creator.id}/block`, admin.token, {
      reason: 'Identity check',
      back: `/admin/users/${c.user.id}`,
    });
    expect(blocked.headers.get('location')).toBe(`/en/admin/users/${c.user.id}`);
    expect((await creatorOf(c.user.id)).payoutsBlocked).toBe(true);
    expect((await auditRows(admin.user.id, 'PAYOUTS_BLOCK', c.creator.id))[0]).toMatchObject({
      entity: 'creator',
      before: { payoutsBlocked: false },
      after: { payoutsBlocked: true, payoutBlockReason: 'Identity check' },
    });
    expect(await (await get(`/en/admin/users/${c.user.id}`, admin.token)).text()).toContain(
      'data-payouts-blocked="true"',
    );
    // `back` only ever leads to an admin page.
    const unblocked = await post(`/en/admin/creators/${c.creator.id}/unblock`, admin.token, {
      back: '//evil.example/admin/',
    });
    expect(unblocked.headers.get('location')).toBe('/en/admin/payouts');
    expect((await creatorOf(c.user.id)).payoutsBlocked).toBe(false);
    expect(await auditRows(admin.user.id, 'PAYOUTS_UNBLOCK', c.creator.id)).toHaveLength(1);
  });
});

// ------------------------------------------------------------------------------------------------ bookings

describe('bookings', () => {
  it('filters by status, creator, fan email and call dates', async () => {
    const c = await onboardedCreator();
    const [f1, f2] = await fans(2);
    const b1 = await paidBooking(c, f1);
    const b2 = await paidBooking(c, f2);
    expect(
      (
        await api(
          'POST',
          `/api/bookings/${b2.bookingId}/cancel`,
          { reason: 'Creator unavailable' },
          { token: admin.token },
        )
      ).status,
    ).toBe(200);
    const list = async (query: string) =>
      idsIn(await (await get(`/en/admin/bookings?${query}`, admin.token)).text(), 'data-booking');
    expect((await list(`creator=${c.creator.id}`)).sort()).toEqual([b1.bookingId, b2.bookingId].sort());
    expect(await list(`creator=${c.creator.id}&status=CONFIRMED`)).toEqual([b1.bookingId]);
    expect(await list(`creator=${c.creator.id}&status=CANCELLED`)).toEqual([b2.bookingId]);
    expect(await list(`fan=${encodeURIComponent(f2.user.email)}`)).toEqual([b2.bookingId]);
    const day1 = localDate(b1.offer.startsAt, 'Europe/Paris');
    const day2 = localDate(b2.offer.startsAt, 'Europe/Paris');
    const days = [day1, day2].sort();
    expect((await list(`creator=${c.creator.id}&from=${days[0]}&to=${days[1]}`)).sort()).toEqual(
      [b1.bookingId, b2.bookingId].sort(),
    );
    const before = new Date(new Date(`${days[0]}T12:00:00Z`).getTime() - DAY).toISOString().slice(0, 10);
    expect(await list(`creator=${c.creator.id}&to=${before}`)).toEqual([]);
    expect(await list(`creator=${c.creator.id}&from=${day1}&to=${day1}`)).toContain(b1.bookingId);
    // The admin cancellation is in the audit log.
    expect((await auditRows(admin.user.id, 'BOOKING_CANCEL', b2.bookingId))[0]).toMatchObject({
      entity: 'booking',
      before: { status: 'CONFIRMED' },
      after: { status: 'CANCELLED' },
      reason: 'Creator unavailable',
    });
  });

  it('shows one timeline of the booking, payment, refund, dispute, call events, emails and admin actions — and refunds from it (audited)', async () => {
    const c = await onboardedCreator();
    const [f] = await fans(1);
    const b = await paidBooking(c, f, 10_000);
    await presence(b.bookingId, 'FAN', f.user.id, Date.now() - 5000, Date.now() - 1000);
    const refund = await post(`/en/admin/bookings/${b.bookingId}/refund`, admin.token, {
      amount: '12.50',
      reason: 'Sound problems',
    });
    expect(refund.headers.get('location')).toBe(`/en/admin/bookings/${b.bookingId}`);
    const [r] = await deps().db.select().from(refunds).where(eq(refunds.bookingId, b.bookingId)).all();
    expect(r).toMatchObject({ amount: 1250, initiatedBy: 'ADMIN' });
    expect((await auditRows(admin.user.id, 'REFUND', b.payment.id))[0]).toMatchObject({
      entity: 'payment',
      reason: 'Sound problems',
      after: { amount: 1250 },
    });
    // A bad amount changes nothing.
    await post(`/en/admin/bookings/${b.bookingId}/refund`, admin.token, { amount: '1.005', reason: 'Sound problems' });
    expect(await deps().db.select().from(refunds).where(eq(refunds.bookingId, b.bookingId)).all()).toHaveLength(1);
    await deps().localPayments!.openDispute(b.payment.chargeId!, 'product_not_received');

    const html = await (await get(`/en/admin/bookings/${b.bookingId}`, admin.token)).text();
    const timeline = html.slice(html.indexOf('data-timeline'));
    const kinds = new Set([...timeline.matchAll(/data-kind="(\w+)"/g)].map((m) => m[1]));
    expect([...kinds].sort()).toEqual(['audit', 'booking', 'call', 'dispute', 'email', 'payment', 'refund']);
    expect(timeline).toContain('Sound problems');
    expect(timeline).toContain('Entered the call');
    expect(timeline).toContain('booking_confirmed');
    expect(timeline).toContain('Booking confirmed');
    const times = [...timeline.matchAll(/<time datetime="([^"]+)"/g)].map((m) => Date.parse(m[1]));
    expect(times.length).toBeGreaterThan(6);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(html).toContain('data-refund-form');
  });
});

// ------------------------------------------------------------------------------------------------ payments + CSV

describe('payments and the CSV export', () => {
  let c: CreatorScenario;
  let made: (typeof payments.$inferSelect)[];

  beforeAll(async () => {
    // 57 payments (more than a page) for one creator whose name needs CSV quoting, spread over 20 days, in three statuses.
    c = await onboardedCreator('GBP', { displayName: '=Zoë "Quotes", Ltd' });
    const [f] = await fans(1);
    const d = deps();
    const now = Date.now();
    made = [];
    const statuses = ['SUCCEEDED', 'REFUNDED', 'FAILED'] as const;
    const stmts = [];
    for (let i = 0; i < PAYMENTS_PAGE + 7; i++) {
      const at = new Date(now - (i % 20) * DAY - i * 60_000);
      const offerId = d.ids.next('off');
      const bookingId = d.ids.next('bkg');
      const status = statuses[i % 3];
      const amount = 1000 + i;
      const row = {
        id: d.ids.next('pay'),
        bookingId,
        creatorId: c.creator.id,
        provider: 'local' as const,
        intentId: `pi_t_${bookingId}`,
        chargeId: null,
        amount,
        currency: 'GBP' as const,
        platformFeeBps: 1500,
        platformFee: 150,
        creatorShare: amount - 150,
        refundedAmount: status === 'REFUNDED' ? amount : 0,
        status,
        createdAt: at,
        updatedAt: at,
      };
      made.push({ ...row, payoutReleaseAt: null, transferId: null });
      stmts.push(
        d.db.insert(callOffers).values({
          id: offerId,
          creatorId: c.creator.id,
          title: 'Past call',
          price: amount,
          currency: 'GBP',
          startsAt: at,
          durationMinutes: 30,
          endsAt: new Date(at.getTime() + 1_800_000),
          status: 'BOOKED',
          createdAt: at,
          updatedAt: at,
        }),
        d.db.insert(bookings).values({
          id: bookingId,
          offerId,
          userId: f.user.id,
          creatorId: c.creator.id,
          status: status === 'FAILED' ? 'FAILED' : 'CONFIRMED',
          price: amount,
          currency: 'GBP',
          cancellationPolicy: 'HALF',
          startsAt: at,
          endsAt: new Date(at.getTime() + 1_800_000),
          createdAt: at,
          updatedAt: at,
        }),
        d.db.insert(payments).values(row),
      );
    }
    await d.db.batch(stmts as [(typeof stmts)[number], ...typeof stmts]);
  });

  const listed = async (query: string) => {
    const ids: string[] = [];
    for (let p = 1; p <= 5; p++) {
      const html = await (await get(`/en/admin/payments?${query}&page=${p}`, admin.token)).text();
      const found = idsIn(html, 'data-payment');
      ids.push(...found);
      if (!html.includes('rel="next"')) break;
    }
    return ids;
  };
  const csv = async (query: string) => {
    const res = await get(`/en/admin/payments.csv?${query}`, admin.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="payments-\d{4}-\d{2}-\d{2}\.csv"$/);
    return parseCsv(await res.text());
  };

  it('the CSV holds exactly the filtered list — same rows, same order, all pages — with minor units and currency', async () => {
    const query = `creator=${c.creator.id}`;
    const ids = await listed(query);
    expect(ids).toHaveLength(made.length);
    expect(new Set(ids)).toEqual(new Set(made.map((m) => m.id)));
    const [header, ...rows] = await csv(query);
    expect(header).toEqual([
      'id',
      'created_at',
      'booking_id',
      'creator_id',
      'creator_name',
      'fan_email',
      'status',
      'provider',
      'currency',
      'amount_minor',
      'platform_fee_minor',
      'creator_share_minor',
      'refunded_minor',
      'intent_id',
      'charge_id',
    ]);
    expect(rows.map((r) => r[0])).toEqual(ids);
    const byId = new Map(made.map((m) => [m.id, m]));
    for (const r of rows) {
      const m = byId.get(r[0])!;
      expect(r).toHaveLength(15);
      expect(r.slice(6, 13)).toEqual([
        m.status,
        'local',
        'GBP',
        String(m.amount),
        '150',
        String(m.amount - 150),
        String(m.refundedAmount),
      ]);
      expect(r[1]).toBe(m.createdAt.toISOString());
      // Quotes and commas survive; a leading "=" cannot run as a spreadsheet formula.
      expect(r[4]).toBe('\'=Zoë "Quotes", Ltd');
    }
  });

  it('filters by status and date range: list, totals and CSV agree with the data', async () => {
    const today = localDate(new Date(), 'Europe/Paris');
    const tenDaysAgo = localDate(new Date(Date.now() - 10 * DAY), 'Europe/Paris');
    const query = `creator=${c.creator.id}&status=SUCCEEDED&from=${tenDaysAgo}&to=${today}`;
    const ids = await listed(query);
    const expected = made.filter(
      (m) =>
        m.status === 'SUCCEEDED' &&
        localDate(m.createdAt, 'Europe/Paris') >= tenDaysAgo &&
        localDate(m.createdAt, 'Europe/Paris') <= today,
    );
    expect(new Set(ids)).toEqual(new Set(expected.map((m) => m.id)));
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.length).toBeLessThan(made.length);
    const [, ...rows] = await csv(query);
    expect(rows.map((r) => r[0])).toEqual(ids);
    expect(rows.every((r) => r[6] === 'SUCCEEDED')).toBe(true);
    // Totals per currency of the whole filter.
    const apiRes = (await (
      await api('GET', `/api/admin/payments?creatorId=${c.creator.id}&status=SUCCEEDED`, undefined, {
        token: admin.token,
      })
    ).json()) as { total: number; totals: { currency: string; count: number; amount: number }[] };
    const succeeded = made.filter((m) => m.status === 'SUCCEEDED');
    expect(apiRes.total).toBe(succeeded.length);
    expect(apiRes.totals).toEqual([
      expect.objectContaining({
        currency: 'GBP',
        count: succeeded.length,
        amount: succeeded.reduce((s, m) => s + m.amount, 0),
      }),
    ]);
    const html = await (await get(`/en/admin/payments?${query}`, admin.token)).text();
    expect(html).toContain(`data-total="${expected.length}"`);
    expect(html).toContain(`href="/en/admin/payments.csv?${query.replace(/&/g, '&amp;')}"`);
  });

  it('escapes CSV fields by RFC 4180', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('+33 6')).toBe("'+33 6");
    expect(csvField(-5)).toBe('-5');
    expect(csvField(null)).toBe('');
  });
});

// ------------------------------------------------------------------------------------------------ reviews

describe('review moderation', () => {
  it('hiding removes a review from the public list and the average, unhiding brings it back; both audited', async () => {
    const c = await onboardedCreator();
    const [f1, f2] = await fans(2);
    const d = deps();
    const mk = async (f: TestAccount, rating: number, comment: string) => {
      const b = await paidBooking(c, f);
      const id = d.ids.next('rev');
      await d.db.insert(reviews).values({
        id,
        bookingId: b.bookingId,
        userId: f.user.id,
        creatorId: c.creator.id,
        rating,
        comment,
        createdAt: new Date(),
      });
      return id;
    };
    const good = await mk(f1, 5, 'Wonderful');
    const abusive = await mk(f2, 1, 'Insults here');
    type Pub = { items: { id: string }[]; total: number; rating: { average: number | null; count: number } };
    const pub = async () => (await (await api('GET', `/api/creators/${c.creator.slug}/reviews`)).json()) as Pub;
    expect(await pub()).toMatchObject({ total: 2, rating: { average: 3, count: 2 } });

    await expectError(
      await api('POST', `/api/admin/reviews/${abusive}/hide`, { reason: 'Abusive language' }, { token: f1.token }),
      403,
      'FORBIDDEN_ROLE',
    );
    await expectError(
      await api('POST', `/api/admin/reviews/${abusive}/hide`, { reason: '' }, { token: admin.token }),
      400,
      'VALIDATION_ERROR',
    );
    const hidden = await api(
      'POST',
      `/api/admin/reviews/${abusive}/hide`,
      { reason: 'Abusive language' },
      { token: admin.token },
    );
    expect(((await hidden.json()) as { review: { hidden: boolean; hiddenReason: string } }).review).toMatchObject({
      hidden: true,
      hiddenReason: 'Abusive language',
    });
    const afterHide = await pub();
    expect(afterHide.items.map((x) => x.id)).toEqual([good]);
    expect(afterHide).toMatchObject({ total: 1, rating: { average: 5, count: 1 } });
    expect(await (await api('GET', `/api/creators/${c.creator.slug}/reviews`)).text()).not.toContain('Insults');
    await expectError(
      await api('POST', `/api/admin/reviews/${abusive}/hide`, { reason: 'Again and again' }, { token: admin.token }),
      409,
      'REVIEW_ALREADY_HIDDEN',
    );
    await expectError(
      await api(
        'POST',
        '/api/admin/reviews/rev_aaaaaaaaaaaaaaaaaaaa/hide',
        { reason: 'Who is it' },
        { token: admin.token },
      ),
      404,
      'REVIEW_NOT_FOUND',
    );
    expect((await auditRows(admin.user.id, 'REVIEW_HIDE', abusive))[0]).toMatchObject({
      entity: 'review',
      reason: 'Abusive language',
      before: { hiddenAt: null },
      after: { hiddenBy: admin.user.id, hiddenReason: 'Abusive language' },
    });
    // The public creator page no longer shows it either.
    expect(await (await get(`/en/c/${c.creator.slug}`)).text()).not.toContain('Insults here');

    // The moderation list filters hidden ones; unhide from the page.
    const list = await (await get(`/en/admin/reviews?visibility=hidden&creator=${c.creator.id}`, admin.token)).text();
    expect(idsIn(list, 'data-review')).toEqual([abusive]);
    expect(list).toContain('Abusive language');
    const back = `/admin/reviews?visibility=hidden&creator=${c.creator.id}`;
    const res = await post(`/en/admin/reviews/${abusive}/unhide`, admin.token, { back });
    expect(res.headers.get('location')).toBe(`/en${back}`);
    expect(await pub()).toMatchObject({ total: 2, rating: { average: 3, count: 2 } });
    expect(await auditRows(admin.user.id, 'REVIEW_UNHIDE', abusive)).toHaveLength(1);
    await expectError(
      await api('POST', `/api/admin/reviews/${abusive}/unhide`, undefined, { token: admin.token }),
      409,
      'REVIEW_NOT_HIDDEN',
    );

    // Hide from the page (reason required), unhide through the API.
    await post(`/en/admin/reviews/${good}/hide`, admin.token, { reason: '' });
    expect((await d.db.select().from(reviews).where(eq(reviews.id, good)).get())!.hiddenAt).toBeNull();
    await post(`/en/admin/reviews/${good}/hide`, admin.token, { reason: 'Spam link' });
    expect((await pub()).items.map((x) => x.id)).toEqual([abusive]);
    expect((await api('POST', `/api/admin/reviews/${good}/unhide`, undefined, { token: admin.token })).status).toBe(
      200,
    );
    expect((await pub()).total).toBe(2);
    const visible = (await (
      await api('GET', `/api/admin/reviews?visibility=visible&creatorId=${c.creator.id}`, undefined, {
        token: admin.token,
      })
    ).json()) as { items: { id: string }[] };
    expect(visible.items.map((x) => x.id).sort()).toEqual([good, abusive].sort());
  });
});

// ------------------------------------------------------------------------------------------------ audit

describe('audit of every admin write', () => {
  /** Every admin write route of the API and the action it records. A new admin write route fails this test until it is audited here. */
  const API_WRITES: Record<string, string> = {
    'post /api/admin/payouts/:id/approve': 'PAYOUT_APPROVE',
    'post /api/admin/payouts/:id/reject': 'PAYOUT_REJECT',
    'post /api/admin/creators/:id/payouts': 'PAYOUT_TRIGGER',
    'post /api/admin/creators/:id/payouts/block': 'PAYOUTS_BLOCK',
    'post /api/admin/creators/:id/payouts/unblock': 'PAYOUTS_UNBLOCK',
    'post /api/admin/disputes/:id/settle-debt': 'DEBT_SETTLE',
    'post /api/admin/refunds/:id/settle-debt': 'DEBT_SETTLE',
    'post /api/admin/owed-refunds/:id/retry': 'REFUND_RETRY',
    'post /api/admin/disputes/:id/evidence': 'DISPUTE_EVIDENCE',
    'post /api/admin/payments/:id/refund': 'REFUND',
    'post /api/admin/bookings/:id/call-review': 'CALL_REVIEW',
    'put /api/admin/settings': 'SETTINGS_UPDATE',
    'post /api/admin/users/:id/role': 'ROLE_CHANGE',
    'post /api/admin/users/:id/disable': 'ACCOUNT_DISABLE', // exercised in test/abuse/roles.test.ts
    'post /api/admin/users/:id/enable': 'ACCOUNT_ENABLE',
    'post /api/admin/reviews/:id/hide': 'REVIEW_HIDE',
    'post /api/admin/reviews/:id/unhide': 'REVIEW_UNHIDE',
  };

  it('knows every admin write route of the API', () => {
    const writes = [...registry.values()]
      .filter((s) => s.path.startsWith('/api/admin/') && s.method !== 'get')
      .map((s) => `${s.method} ${s.path}`);
    expect(writes.sort()).toEqual(Object.keys(API_WRITES).sort());
  });

  /** Released funds for `c`: a paid booking whose call took place and whose share is available now. */
  async function released(c: CreatorScenario) {
    const [f] = await fans(1);
    const b = await paidBooking(c, f, 10_000);
    await completeCalls([b.bookingId]);
    await deps()
      .db.update(ledgerEntries)
      .set({ availableAt: new Date(Date.now() - DAY) })
      .where(eq(ledgerEntries.creatorId, c.creator.id));
    return b;
  }
  /** A payout of all of `c`'s released funds that `c` asked for, waiting for an admin (the platform in APPROVAL mode meanwhile). */
  const requested = async (c: CreatorScenario) => {
    const d = deps();
    const mode = (await getSettings(d, { fresh: true })).payoutMode;
    await updateSettings(d, admin.user.id, { payoutMode: 'APPROVAL' }, null);
    try {
      const res = await api('POST', '/api/creators/me/payouts', {}, { token: c.token });
      const { payout } = (await res.json()) as { payout: { id: string; status: string } };
      expect(payout.status).toBe('REQUESTED');
      return payout.id;
    } finally {
      await updateSettings(d, admin.user.id, { payoutMode: mode }, null);
    }
  };
  /** A lost dispute on a new paid booking of `c` whose debt is still owed: the provider refused to take the share back from the charge's transfer. */
  const lostDebt = async (c: CreatorScenario) => {
    const [f] = await fans(1);
    const { payment } = await paidBooking(c, f, 10_000);
    const local = deps().localPayments!;
    const dsp = await local.openDispute(payment.chargeId!, 'fraudulent');
    await local.failNext('reverseTransfer', 1, false);
    await local.updateDispute(dsp, 'lost');
    return (await deps().db.select().from(disputes).where(eq(disputes.stripeDisputeId, dsp)).get())!.id;
  };
  /**
   * A refund of `b` once its creator's money was paid out: the provider cannot take the share back
   * from the emptied account, so the creator owes it. Returns the refund and what is owed on it.
   */
  const refundDebt = async (b: { payment: { id: string } }, refund: () => Promise<unknown>) => {
    await refund();
    const row = (await deps()
      .db.select()
      .from(refunds)
      .where(eq(refunds.paymentId, b.payment.id))
      .orderBy(desc(refunds.createdAt))
      .get())!;
    const owed = row.creatorDebt - (row.transferReversed ?? row.creatorDebt);
    expect(owed, 'refund shortfall').toBeGreaterThan(0);
    return { id: row.id, owed };
  };
  /** A refund the provider could not be reached for (owed, retried later), of `paymentId`. */
  const owedRefund = async (paymentId: string) => {
    await deps().localPayments!.failNext('refund', 1, true);
    const res = await api(
      'POST',
      `/api/admin/payments/${paymentId}/refund`,
      { amount: 500, reason: 'Provider outage' },
      { token: admin.token },
    );
    expect(res.status).toBe(202);
    return ((await res.json()) as { owedRefundId: string }).owedRefundId;
  };
  const expectAudit = async (action: string, entityId: string, entity: string) => {
    const rows = await auditRows(admin.user.id, action, entityId);
    expect(rows.length, `${action} ${entityId}`).toBeGreaterThanOrEqual(1);
    expect(rows[0].entity).toBe(entity);
    expect(rows[0].createdAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
    return rows[0];
  };

  it('API writes: payouts, blocking, debts, evidence, refunds, settings, cancellations', async () => {
    const c = await onboardedCreator();
    const b = await released(c);
    const t = { token: admin.token };
    const p1 = await requested(c);
    expect((await api('POST', `/api/admin/payouts/${p1}/approve`, undefined, t)).status).toBe(200);
    expect((await expectAudit('PAYOUT_APPROVE', p1, 'payout')).before).toEqual({ status: 'REQUESTED' });
    await released(c);
    const p2 = await requested(c);
    expect((await api('POST', `/api/admin/payouts/${p2}/reject`, { reason: 'Bank check' }, t)).status).toBe(200);
    expect((await expectAudit('PAYOUT_REJECT', p2, 'payout')).reason).toBe('Bank check');
    // A refused action records nothing.
    await expectError(await api('POST', `/api/admin/payouts/${p2}/approve`, undefined, t), 409, 'PAYOUT_NOT_PENDING');
    expect(await auditRows(admin.user.id, 'PAYOUT_APPROVE', p2)).toHaveLength(0);
    expect((await api('POST', `/api/admin/creators/${c.creator.id}/payouts`, {}, t)).status).toBe(201);
    expect((await expectAudit('PAYOUT_TRIGGER', c.creator.id, 'creator')).after).toMatchObject({ currency: 'EUR' });
    expect((await api('POST', `/api/admin/creators/${c.creator.id}/payouts/block`, { reason: 'KYC' }, t)).status).toBe(
      200,
    );
    await expectAudit('PAYOUTS_BLOCK', c.creator.id, 'creator');
    expect((await api('POST', `/api/admin/creators/${c.creator.id}/payouts/unblock`, undefined, t)).status).toBe(200);
    await expectAudit('PAYOUTS_UNBLOCK', c.creator.id, 'creator');
    // Everything was paid out: a refund now leaves the creator owing their share of it.
    const short = await refundDebt(b, () =>
      api('POST', `/api/admin/payments/${b.payment.id}/refund`, { amount: 1000, reason: 'Late complaint' }, t),
    );
    expect(
      (await api('POST', `/api/admin/refunds/${short.id}/settle-debt`, { note: 'Repaid by bank transfer' }, t)).status,
    ).toBe(200);
    expect(await expectAudit('DEBT_SETTLE', short.id, 'refund')).toMatchObject({
      reason: 'Repaid by bank transfer',
      after: { reconciledBy: 'MANUAL', amount: short.owed },
    });
    await expectError(
      await api('POST', `/api/admin/refunds/${short.id}/settle-debt`, { note: 'Twice' }, t),
      409,
      'DEBT_NOT_OUTSTANDING',
    );
    expect(await auditRows(admin.user.id, 'DEBT_SETTLE', short.id)).toHaveLength(1);
    const debt = await lostDebt(c);
    expect((await api('POST', `/api/admin/disputes/${debt}/settle-debt`, { note: 'Paid by transfer' }, t)).status).toBe(
      200,
    );
    expect((await expectAudit('DEBT_SETTLE', debt, 'dispute')).reason).toBe('Paid by transfer');
    const dspId = await deps().localPayments!.openDispute(b.payment.chargeId!, 'fraudulent');
    const open = (await deps().db.select().from(disputes).where(eq(disputes.stripeDisputeId, dspId)).get())!;
    expect((await api('POST', `/api/admin/disputes/${open.id}/evidence`, undefined, t)).status).toBe(200);
    await expectAudit('DISPUTE_EVIDENCE', open.id, 'dispute');

    const [f] = await fans(1);
    const other = await paidBooking(c, f, 4000);
    expect(
      (await api('POST', `/api/admin/payments/${other.payment.id}/refund`, { amount: 1000, reason: 'Goodwill' }, t))
        .status,
    ).toBe(200);
    expect((await expectAudit('REFUND', other.payment.id, 'payment')).after).toMatchObject({ amount: 1000 });
    const owed = await owedRefund(other.payment.id);
    const retried = await api('POST', `/api/admin/owed-refunds/${owed}/retry`, undefined, t);
    expect(await retried.json()).toMatchObject({ status: 'ISSUED', amount: 500 });
    expect((await expectAudit('REFUND_RETRY', other.payment.id, 'payment')).after).toEqual({
      owedRefundId: owed,
      status: 'ISSUED',
    });
    await expectError(await api('POST', `/api/admin/owed-refunds/${owed}/retry`, undefined, t), 409, 'NOT_RETRYABLE');
    expect(await auditRows(admin.user.id, 'REFUND_RETRY', other.payment.id)).toHaveLength(1);
    expect((await api('POST', `/api/bookings/${other.bookingId}/cancel`, { reason: 'Platform issue' }, t)).status).toBe(
      200,
    );
    await expectAudit('BOOKING_CANCEL', other.bookingId, 'booking');
    // The fan cancelling their own booking is not an admin write.
    const [f2] = await fans(1);
    const own = await paidBooking(c, f2, 4000);
    expect((await api('POST', `/api/bookings/${own.bookingId}/cancel`, {}, { token: f2.token })).status).toBe(200);
    expect(await deps().db.select().from(auditLog).where(eq(auditLog.entityId, own.bookingId)).all()).toHaveLength(0);

    const before = (await (await api('GET', '/api/admin/settings', undefined, t)).json()) as {
      settings: { holdingDays: number };
    };
    expect((await api('PUT', '/api/admin/settings', { holdingDays: before.settings.holdingDays + 1 }, t)).status).toBe(
      200,
    );
    expect((await expectAudit('SETTINGS_UPDATE', '1', 'platform_settings')).after).toMatchObject({
      holdingDays: before.settings.holdingDays + 1,
    });
    await api('PUT', '/api/admin/settings', { holdingDays: before.settings.holdingDays }, t);
  });

  it('page writes: payouts, simulation, debts, evidence, email retry, job run, settings — and they show on the audit page', async () => {
    const c = await onboardedCreator();
    const b = await released(c);
    const tok = admin.token;
    const p1 = await requested(c);
    expect((await post(`/en/admin/payouts/${p1}/approve`, tok)).status).toBe(303);
    await expectAudit('PAYOUT_APPROVE', p1, 'payout');
    await released(c);
    const p2 = await requested(c);
    await post(`/en/admin/payouts/${p2}/reject`, tok, { reason: 'Too soon' });
    await expectAudit('PAYOUT_REJECT', p2, 'payout');
    await post(`/en/admin/creators/${c.creator.id}/payouts`, tok, { currency: 'EUR' });
    const trig = await expectAudit('PAYOUT_TRIGGER', c.creator.id, 'creator');
    const triggered = (trig.after as { payoutId: string }).payoutId;
    const sent = (await deps().db.select().from(payouts).where(eq(payouts.id, triggered)).get())!;
    expect(sent.status).toBe('PROCESSING');
    await post(`/en/admin/payouts/${triggered}/simulate`, tok, { outcome: 'paid' });
    expect((await expectAudit('PAYOUT_SIMULATE', triggered, 'payout')).after).toMatchObject({ status: 'PAID' });
    // The payout's own page shows its steps: sent to the bank, then paid (the simulation).
    const detail = await (await get(`/en/admin/payouts/${triggered}`, tok)).text();
    expect(detail).toContain(`data-payout="${triggered}"`);
    expect(detail.indexOf('data-step="PROCESSING"')).toBeGreaterThan(-1);
    expect(detail.indexOf('data-step="PAID"')).toBeGreaterThan(detail.indexOf('data-step="PROCESSING"'));
    // Everything was paid out: a refund now leaves the creator owing their share of it, settled from the payouts page.
    const short = await refundDebt(b, () =>
      post(`/en/admin/bookings/${b.bookingId}/refund`, tok, { amount: '10', reason: 'Late complaint' }),
    );
    expect(await (await get('/en/admin/payouts', tok)).text()).toContain(`data-debt="${short.id}"`);
    expect((await post(`/en/admin/refunds/${short.id}/settle-debt`, tok, { note: 'Cash' })).status).toBe(303);
    expect((await expectAudit('DEBT_SETTLE', short.id, 'refund')).after).toMatchObject({
      reconciledBy: 'MANUAL',
      amount: short.owed,
    });
    const debt = await lostDebt(c);
    const settled = await post(`/en/admin/disputes/${debt}/settle-debt`, tok, {
      note: 'Cash',
      back: '/admin/disputes?view=debt',
    });
    expect(settled.headers.get('location')).toBe('/en/admin/disputes?view=debt');
    await expectAudit('DEBT_SETTLE', debt, 'dispute');
    const owed = await owedRefund(b.payment.id);
    expect((await post(`/en/admin/owed-refunds/${owed}/retry`, tok)).status).toBe(303);
    expect((await expectAudit('REFUND_RETRY', b.payment.id, 'payment')).after).toEqual({
      owedRefundId: owed,
      status: 'ISSUED',
    });
    const dspId = await deps().localPayments!.openDispute(b.payment.chargeId!, 'fraudulent');
    const open = (await deps().db.select().from(disputes).where(eq(disputes.stripeDisputeId, dspId)).get())!;
    const disputesPage = await (await get('/en/admin/disputes?view=open', tok)).text();
    expect(disputesPage).toContain(`data-dispute="${open.id}"`);
    expect(disputesPage).toContain(`/en/admin/bookings/${b.bookingId}`);
    await post(`/en/admin/disputes/${open.id}/evidence`, tok);
    await expectAudit('DISPUTE_EVIDENCE', open.id, 'dispute');
    expect(
      (await deps().db.select().from(disputes).where(eq(disputes.id, open.id)).get())!.evidenceSubmittedAt,
    ).not.toBeNull();

    const d = deps();
    const emailId = d.ids.next('eml');
    const now = new Date();
    await d.db.insert(emailLog).values({
      id: emailId,
      to: fan.user.email,
      template: 'verify_email',
      locale: 'en',
      subject: 's',
      status: 'FAILED',
      attempts: 3,
      lastError: '500',
      idempotencyKey: `t:${emailId}`,
      payload: { data: {}, recipient: { name: 'x', timezone: 'UTC' } },
      createdAt: now,
      updatedAt: now,
    });
    await post(`/en/admin/emails/${emailId}/retry`, tok);
    expect((await expectAudit('EMAIL_RETRY', emailId, 'email')).before).toMatchObject({ status: 'FAILED' });
    await post('/en/admin/jobs/log-retention/run', tok);
    await expectAudit('JOB_RUN', 'log-retention', 'job');
    const s = (await (await api('GET', '/api/admin/settings', undefined, { token: tok })).json()) as {
      settings: { platformFeeBps: number; holdingDays: number; holdMinutes: number; payoutMode: string };
    };
    const form = {
      platformFeeBps: String(s.settings.platformFeeBps),
      holdingDays: String(s.settings.holdingDays + 2),
      holdMinutes: String(s.settings.holdMinutes),
      payoutMode: s.settings.payoutMode,
      min_EUR: '10',
      min_CHF: '10',
      min_USD: '10',
      min_GBP: '10',
    };
    await post('/en/admin/settings', tok, form);
    await expectAudit('SETTINGS_UPDATE', '1', 'platform_settings');
    await post('/en/admin/settings', tok, { ...form, holdingDays: String(s.settings.holdingDays) });

    // The audit page: who, what, before → after, filterable by entity.
    const page = await (await get(`/en/admin/audit?entity=payout&entityId=${triggered}`, tok)).text();
    expect(page).toContain('data-action="PAYOUT_SIMULATE"');
    expect(page).toContain(admin.user.name);
    expect(page).toContain('status: &quot;PROCESSING&quot; → &quot;PAID&quot;');
    expect(page).not.toContain('data-action="JOB_RUN"');
    const all = await (await get('/en/admin/audit', tok)).text();
    expect(all).toContain('data-action="JOB_RUN"');
    const jobs = (await (await api('GET', '/api/admin/audit?entity=job', undefined, { token: tok })).json()) as {
      items: { action: string; actorUserId: string }[];
    };
    expect(jobs.items[0]).toMatchObject({ action: 'JOB_RUN', actorUserId: admin.user.id });
  });
});

// ------------------------------------------------------------------------------------------------ language

describe('French pages', () => {
  it("render in French with French money and the admin's zone", async () => {
    const html = await (await get('/fr/admin/payments', admin.token)).text();
    expect(html).toContain('Exporter en CSV');
    expect(html).toContain('Remboursements et litiges');
    const c = await creatorOf(creator.user.id);
    const list = await (await get(`/fr/admin/payments?creator=${c.id}`, admin.token)).text();
    expect(list).toMatch(/50,00\s€/);
  });
});
