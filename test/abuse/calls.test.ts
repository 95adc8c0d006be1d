/**
 * Attacker stories against a call's outcome (issue 16, "calls"): a party floods the call's event
 * log before the start to push the other's presence out of what the outcome job reads, or shows up
 * for two seconds to turn the call into a paid one. Each story checks the refusal or the correct
 * outcome AND that no money moved wrongly: refunds, ledger entries, released balances, payout
 * eligibility.
 */
import { and, asc, eq, or } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, bookings, callEvents, ledgerEntries, notifications, refunds } from '../../src/db/schema';
import { settleCallOutcomes } from '../../src/domain/calls/outcome';
import { creatorBalances } from '../../src/domain/ledger/ledger';
import { creatorEligibility } from '../../src/domain/payouts/engine';
import { retryOwedRefunds } from '../../src/domain/payments/refund-retry';
import { fixedClock } from '../../src/lib/clock';
import {
  api,
  bookingRow,
  callLogRows,
  createAccount,
  creatorOf,
  deps,
  expectError,
  fetchApp,
  paymentOf,
  postPage,
  until,
} from '../helpers';
import { freshWindow, limitOf, untilLimited } from '../rate-limit';
import { callAt, presence } from '../scenarios';

const MIN = 60_000;

/** What the money of one booking looks like: its refunds, its ledger, the creator's balances and eligibility once the holding period is over. */
async function money(s: Awaited<ReturnType<typeof callAt>>) {
  const pay = await paymentOf(s.bookingId);
  const later = new Date(pay.payoutReleaseAt!.getTime() + MIN);
  const creator = await creatorOf(s.c.user.id);
  return {
    payment: pay,
    refunds: await deps()
      .db.select()
      .from(refunds)
      .where(eq(refunds.bookingId, s.bookingId))
      .orderBy(asc(refunds.id))
      .all(),
    ledger: await deps()
      .db.select()
      .from(ledgerEntries)
      .where(or(eq(ledgerEntries.paymentId, pay.id), eq(ledgerEntries.creatorId, s.c.creator.id)))
      .orderBy(asc(ledgerEntries.id))
      .all(),
    released: (await creatorBalances(deps(), s.c.creator.id, later)).find((b) => b.currency === pay.currency)!,
    eligibility: (await creatorEligibility(deps(), creator, later)).find((e) => e.currency === pay.currency)!,
  };
}

/** `n` trusted rows written for `who` at `at`, as an unbounded flood of joins / reconnections left them. */
async function flood(
  bookingId: string,
  who: { id: string; role: 'FAN' | 'CREATOR' },
  n: number,
  at: Date,
  type: 'CALL_JOINED' | 'PARTICIPANT_JOINED' | 'PARTICIPANT_LEFT' = 'CALL_JOINED',
) {
  const d = deps();
  const rows = Array.from({ length: n }, () =>
    d.db.insert(callEvents).values({
      id: d.ids.next('cev'),
      bookingId,
      type,
      source: 'SERVER',
      actorUserId: who.id,
      actorRole: who.role,
      metadata: { provider: 'p2p' },
      occurredAt: at,
      createdAt: at,
    }),
  );
  for (let i = 0; i < rows.length; i += 100)
    await d.db.batch(rows.slice(i, i + 100) as [(typeof rows)[number], ...typeof rows]);
}

const eventsOf = (bookingId: string) =>
  deps().db.select().from(callEvents).where(eq(callEvents.bookingId, bookingId)).orderBy(asc(callEvents.id)).all();

describe('join floods before a call', () => {
  it('a fan calling join again and again is refused with 429 after CALL_LIMITER joins; the log keeps one join, nothing else changes', async () => {
    const s = await callAt(5 * MIN);
    const { limit, period } = limitOf('CALL_LIMITER');
    const join = () => api('POST', `/api/bookings/${s.bookingId}/join`, undefined, { token: s.fan.token });
    const r = await untilLimited(join, limit + 5, { periodSeconds: period });
    expect(r.at).toBe(limit);
    await expectError(r.res, 429, 'RATE_LIMITED');
    expect(r.res.headers.get('retry-after')).toBe(String(period));
    // However many joins got through, the log has one join of this fan for the interval.
    const joined = (await eventsOf(s.bookingId)).filter((e) => e.type === 'CALL_JOINED');
    expect(joined.map((e) => [e.actorUserId, e.source])).toEqual([[s.fan.user.id, 'SERVER']]);
    // …and the logs one CALL_EVENT for it: the flood does not flood the log either.
    const logged = (await callLogRows(s.bookingId)).filter((r) => r.type === 'CALL_EVENT');
    expect(logged.map((r) => [(r.context as { event: string }).event, r.actorId])).toEqual([
      ['CALL_JOINED', s.fan.user.id],
    ]);
    // Refused joins write nothing, and another person's joins of the same call are counted apart.
    const before = {
      events: await eventsOf(s.bookingId),
      booking: await bookingRow(s.bookingId),
      money: await money(s),
    };
    await expectError(await join(), 429, 'RATE_LIMITED');
    expect({
      events: await eventsOf(s.bookingId),
      booking: await bookingRow(s.bookingId),
      money: await money(s),
    }).toEqual(before);
    expect((await api('POST', `/api/bookings/${s.bookingId}/join`, undefined, { token: s.c.token })).status).toBe(200);
    expect(before.money.refunds).toEqual([]);
  });

  it("reconnecting the call's socket again and again is refused with 429 after CALL_LIMITER connections, and writes nothing more", async () => {
    const s = await callAt(5 * MIN);
    const { limit, period } = limitOf('CALL_LIMITER');
    const { token } = (await (
      await api('POST', `/api/bookings/${s.bookingId}/join`, undefined, { token: s.fan.token })
    ).json()) as { token: string };
    await freshWindow(period, 15_000);
    const statuses: number[] = [];
    let refused: Response | null = null;
    for (let i = 0; i < limit + 5 && !refused; i++) {
      const res = await fetchApp(`/api/bookings/${s.bookingId}/call-socket?token=${encodeURIComponent(token)}`, {
        headers: { upgrade: 'websocket', authorization: `Bearer ${s.fan.token}` },
      });
      statuses.push(res.status);
      if (res.status === 429) refused = res;
      else {
        res.webSocket!.accept();
        res.webSocket!.close(1000, 'again');
      }
    }
    expect(statuses.indexOf(429)).toBe(limit);
    expect(refused!.headers.get('retry-after')).toBe(String(period));
    await until(
      async () => (await eventsOf(s.bookingId)).filter((e) => e.type === 'PARTICIPANT_LEFT').length >= limit,
      {
        what: 'a leave for every connection that got through',
      },
    );
    const before = await eventsOf(s.bookingId);
    // One join and one leave per connection that got through.
    expect(before.filter((e) => e.type === 'PARTICIPANT_JOINED')).toHaveLength(limit);
    const again = await fetchApp(`/api/bookings/${s.bookingId}/call-socket?token=${encodeURIComponent(token)}`, {
      headers: { upgrade: 'websocket', authorization: `Bearer ${s.fan.token}` },
    });
    await expectError(again, 429, 'RATE_LIMITED');
    expect(await eventsOf(s.bookingId)).toEqual(before);
  });

  it("a fan's 1,200 joins before the start do not hide the creator's presence: the call completes, nobody is refunded", async () => {
    const s = await callAt(-40 * MIN);
    // The flood lands before everything else (the access window opens 15 minutes before the start).
    await flood(s.bookingId, { id: s.fan.user.id, role: 'FAN' }, 1200, new Date(s.startsAt.getTime() - 15 * MIN));
    await presence(s.bookingId, 'CREATOR', s.c.user.id, s.startsAt.getTime(), s.endsAt.getTime());
    await presence(s.bookingId, 'FAN', s.fan.user.id, s.startsAt.getTime() + MIN, s.endsAt.getTime());
    const before = await money(s);

    await settleCallOutcomes(deps());
    const b = await bookingRow(s.bookingId);
    expect([b.outcome, b.status]).toEqual(['COMPLETED', 'COMPLETED']);
    const after = await money(s);
    // No refund, no new ledger entry; the creator's share is theirs after the holding period.
    expect(after.refunds).toEqual([]);
    expect(after.payment.refundedAmount).toBe(0);
    expect(after.ledger).toEqual(before.ledger);
    expect(after.released.available).toBe(before.payment.creatorShare);
    expect(after.eligibility).toMatchObject({ eligible: true, amount: before.payment.creatorShare });
  });

  it("the creator's 600 reconnections before the start do not hide the fan's presence: not a fan no-show (the creator is not paid for it)", async () => {
    const s = await callAt(-40 * MIN);
    // The creator opens and drops the socket 600 times as the window opens (1,200 trusted rows), then never comes back;
    // the fan waits through the whole call.
    const opens = new Date(s.startsAt.getTime() - 15 * MIN);
    await flood(s.bookingId, { id: s.c.user.id, role: 'CREATOR' }, 600, opens, 'PARTICIPANT_JOINED');
    await flood(
      s.bookingId,
      { id: s.c.user.id, role: 'CREATOR' },
      600,
      new Date(opens.getTime() + 1000),
      'PARTICIPANT_LEFT',
    );
    await presence(s.bookingId, 'FAN', s.fan.user.id, s.startsAt.getTime(), s.endsAt.getTime());
    const before = await money(s);

    await settleCallOutcomes(deps());
    // Both came, never together: held for an admin, not a fan no-show paid to the creator.
    expect((await bookingRow(s.bookingId)).outcome).toBe('INTERRUPTED');
    const after = await money(s);
    expect(after.refunds).toEqual([]);
    expect(after.ledger).toEqual(before.ledger);
    // Nothing released to the creator, even after the holding period: it waits for an admin.
    expect([after.released.available, after.released.pending]).toEqual([0, before.payment.creatorShare]);
    expect(after.eligibility).toMatchObject({ eligible: false, amount: 0 });
  });
});

describe('the two-second call', () => {
  const stories = [
    ['the fan looks in for two seconds (the creator waits the whole call)', 'FAN'],
    ['the creator looks in for two seconds (the fan waits the whole call)', 'CREATOR'],
  ] as const;
  it.each(stories)(
    '%s: INTERRUPTED — nobody paid, nobody refunded, nothing released; admins are asked to decide',
    async (_name, brief) => {
      const s = await callAt(-40 * MIN);
      const start = s.startsAt.getTime();
      const stays = brief === 'FAN' ? 'CREATOR' : 'FAN';
      const idOf = (who: 'FAN' | 'CREATOR') => (who === 'FAN' ? s.fan.user.id : s.c.user.id);
      await presence(s.bookingId, stays, idOf(stays), start, s.endsAt.getTime());
      await presence(s.bookingId, brief, idOf(brief), start + MIN, start + MIN + 2000);
      const admin = await createAccount('ADMIN');
      const before = await money(s);

      await settleCallOutcomes(deps());
      await settleCallOutcomes(deps());
      const b = await bookingRow(s.bookingId);
      expect([b.outcome, b.status, b.reviewDecision]).toEqual(['INTERRUPTED', 'COMPLETED', null]);
      const after = await money(s);
      expect(after.refunds).toEqual([]);
      expect(after.payment.refundedAmount).toBe(0);
      expect(after.ledger).toEqual(before.ledger);
      expect([after.released.available, after.released.pending]).toEqual([0, before.payment.creatorShare]);
      expect(after.eligibility).toMatchObject({ eligible: false, amount: 0, reasons: ['FUNDS_ON_HOLD'] });
      const told = await deps()
        .db.select()
        .from(notifications)
        .where(and(eq(notifications.userId, admin.user.id), eq(notifications.link, `/admin/bookings/${s.bookingId}`)))
        .all();
      expect(told.map((n) => n.type)).toEqual(['CALL_OUTCOME']);
      // The summary says so too (not "completed").
      const summary = (await (
        await api('GET', `/api/call-summary/${s.bookingId}`, undefined, { token: s.fan.token })
      ).json()) as { summary: { status: string; actual: { durationSeconds: number } } };
      expect(summary.summary).toMatchObject({ status: 'interrupted', actual: { durationSeconds: 2 } });
    },
  );

  it('just under the threshold is interrupted, at it the call took place (30-minute call: 10 minutes together)', async () => {
    for (const [minutes, outcome] of [
      [9, 'INTERRUPTED'],
      [10, 'COMPLETED'],
    ] as const) {
      const s = await callAt(-40 * MIN);
      const start = s.startsAt.getTime();
      await presence(s.bookingId, 'CREATOR', s.c.user.id, start, s.endsAt.getTime());
      await presence(s.bookingId, 'FAN', s.fan.user.id, start, start + minutes * MIN);
      await settleCallOutcomes(deps());
      expect((await bookingRow(s.bookingId)).outcome).toBe(outcome);
      const m = await money(s);
      expect(m.released.available).toBe(outcome === 'COMPLETED' ? m.payment.creatorShare : 0);
    }
  });
});

describe('an admin settles the interrupted call', () => {
  /** A two-second call, decided INTERRUPTED and applied; an admin; the money before anyone decides. */
  async function interrupted() {
    const s = await callAt(-40 * MIN);
    const start = s.startsAt.getTime();
    await presence(s.bookingId, 'CREATOR', s.c.user.id, start, s.endsAt.getTime());
    await presence(s.bookingId, 'FAN', s.fan.user.id, start + MIN, start + MIN + 2000);
    await settleCallOutcomes(deps());
    expect((await bookingRow(s.bookingId)).outcome).toBe('INTERRUPTED');
    return { s, admin: await createAccount('ADMIN'), before: await money(s) };
  }
  const review = (bookingId: string, body: unknown, token: string) =>
    api('POST', `/api/admin/bookings/${bookingId}/call-review`, body, { token });
  const told = async (userId: string) =>
    (
      await deps()
        .db.select()
        .from(notifications)
        .where(and(eq(notifications.userId, userId), eq(notifications.type, 'CALL_REVIEWED')))
        .all()
    ).map((n) => n.params.decision);

  it('pay the creator: released after the holding period, audited, both told; a second decision is refused and changes nothing', async () => {
    const { s, admin, before } = await interrupted();
    const res = await review(
      s.bookingId,
      { decision: 'PAY_CREATOR', reason: 'The fan confirmed the call took place by phone' },
      admin.token,
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as { review: unknown }).review).toMatchObject({
      bookingId: s.bookingId,
      outcome: 'INTERRUPTED',
      decision: 'PAY_CREATOR',
      refund: null,
    });
    const after = await money(s);
    expect(after.refunds).toEqual([]);
    expect(after.ledger).toEqual(before.ledger);
    expect(after.released.available).toBe(before.payment.creatorShare);
    expect(after.eligibility).toMatchObject({ eligible: true, amount: before.payment.creatorShare });
    const audits = await deps()
      .db.select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'CALL_REVIEW'), eq(auditLog.entityId, s.bookingId)))
      .all();
    expect(audits.map((a) => [a.actorUserId, a.entity, a.reason])).toEqual([
      [admin.user.id, 'booking', 'The fan confirmed the call took place by phone'],
    ]);
    expect([await told(s.fan.user.id), await told(s.c.user.id)]).toEqual([['PAY_CREATOR'], ['PAY_CREATOR']]);
    // Changing one's mind (or a second admin at once) is refused: one decision, one set of effects.
    await expectError(
      await review(s.bookingId, { decision: 'REFUND', amount: 100, reason: 'Second thoughts' }, admin.token),
      409,
      'CALL_ALREADY_REVIEWED',
    );
    await settleCallOutcomes(deps());
    expect(await money(s)).toEqual(after);
    expect(await told(s.fan.user.id)).toEqual(['PAY_CREATOR']);
  });

  it('refund part of it: one refund of that amount, the rest released to the creator; both told', async () => {
    const { s, admin, before } = await interrupted();
    const res = await review(
      s.bookingId,
      { decision: 'REFUND', amount: 1000, reason: 'Half the call was lost' },
      admin.token,
    );
    expect(((await res.json()) as { review: unknown }).review).toMatchObject({
      decision: 'REFUND',
      refund: { status: 'ISSUED', amount: 1000 },
    });
    await settleCallOutcomes(deps());
    const after = await money(s);
    expect(after.refunds.map((r) => [r.amount, r.initiatedBy])).toEqual([[1000, 'ADMIN']]);
    expect(after.payment.refundedAmount).toBe(1000);
    const reversal = after.ledger.filter((e) => e.kind === 'SHARE_REVERSAL').reduce((sum, e) => sum + e.amount, 0);
    expect(reversal).toBeLessThan(0);
    expect(after.released.available).toBe(before.payment.creatorShare + reversal);
    expect([await told(s.fan.user.id), await told(s.c.user.id)]).toEqual([['REFUND_PARTIAL'], ['REFUND_PARTIAL']]);
  });

  it('refund it all: the fan gets everything back, nothing is released', async () => {
    const { s, admin, before } = await interrupted();
    expect(
      (
        await review(
          s.bookingId,
          { decision: 'REFUND', amount: before.payment.amount, reason: 'The creator left at once' },
          admin.token,
        )
      ).status,
    ).toBe(200);
    const after = await money(s);
    expect([after.payment.refundedAmount, after.payment.status]).toEqual([before.payment.amount, 'REFUNDED']);
    expect([after.released.available, after.released.total]).toEqual([0, 0]);
    expect(await told(s.fan.user.id)).toEqual(['REFUND_FULL']);
  });

  it('a refund the provider does not take yet keeps the whole share on hold until it is issued', async () => {
    const { s, admin, before } = await interrupted();
    await deps().localPayments!.failNext('refund', 1, true);
    const res = await review(
      s.bookingId,
      { decision: 'REFUND', amount: 1000, reason: 'Half the call was lost' },
      admin.token,
    );
    expect(((await res.json()) as { review: unknown }).review).toMatchObject({
      refund: { status: 'OWED', amount: 1000 },
    });
    const waiting = await money(s);
    expect(waiting.refunds).toEqual([]);
    expect([waiting.released.available, waiting.eligibility.eligible]).toEqual([0, false]);
    // The refund job issues it later: then (and only then) the rest is the creator's.
    const later = fixedClock(Date.now() + 10 * MIN);
    await retryOwedRefunds(deps({ clock: later }));
    const after = await money(s);
    expect(after.refunds.map((r) => r.amount)).toEqual([1000]);
    expect(after.released.available).toBe(
      before.payment.creatorShare +
        after.ledger.filter((e) => e.kind === 'SHARE_REVERSAL').reduce((sum, e) => sum + e.amount, 0),
    );
  });

  it('a decision a crash cut short (written, not applied) releases nothing until the job finishes it — once', async () => {
    const { s, admin, before } = await interrupted();
    const now = new Date();
    await deps()
      .db.update(bookings)
      .set({
        reviewDecision: 'REFUND',
        reviewRefund: 700,
        reviewReason: 'Crash test',
        reviewedBy: admin.user.id,
        reviewedAt: now,
      })
      .where(eq(bookings.id, s.bookingId));
    const cut = await money(s);
    expect([cut.refunds.length, cut.released.available]).toEqual([0, 0]);
    await settleCallOutcomes(deps());
    await settleCallOutcomes(deps());
    const after = await money(s);
    expect(after.refunds.map((r) => r.amount)).toEqual([700]);
    expect(after.released.available).toBe(
      before.payment.creatorShare +
        after.ledger.filter((e) => e.kind === 'SHARE_REVERSAL').reduce((sum, e) => sum + e.amount, 0),
    );
    expect(await told(s.fan.user.id)).toEqual(['REFUND_PARTIAL']);
  });

  it('refuses bad decisions (400/403/404/409/422) and they change nothing', async () => {
    const { s, admin, before } = await interrupted();
    const other = await callAt(-40 * MIN); // nobody came: refunded automatically, nothing to review
    await settleCallOutcomes(deps());
    const snap = async () => ({ booking: await bookingRow(s.bookingId), money: await money(s) });
    const start = await snap();
    await expectError(
      await review(
        s.bookingId,
        { decision: 'REFUND', amount: before.payment.amount + 1, reason: 'Too much' },
        admin.token,
      ),
      422,
      'REFUND_TOO_LARGE',
    );
    await expectError(
      await review(s.bookingId, { decision: 'REFUND', reason: 'No amount' }, admin.token),
      400,
      'VALIDATION_ERROR',
    );
    await expectError(
      await review(s.bookingId, { decision: 'REFUND', amount: 0, reason: 'Nothing' }, admin.token),
      400,
      'VALIDATION_ERROR',
    );
    await expectError(
      await review(s.bookingId, { decision: 'PAY_CREATOR', reason: '' }, admin.token),
      400,
      'VALIDATION_ERROR',
    );
    await expectError(
      await review(s.bookingId, { decision: 'CANCEL', reason: 'Unknown decision' }, admin.token),
      400,
      'VALIDATION_ERROR',
    );
    await expectError(
      await review(s.bookingId, { decision: 'PAY_CREATOR', reason: 'I am the creator' }, s.c.token),
      403,
      'FORBIDDEN_ROLE',
    );
    await expectError(
      await review(s.bookingId, { decision: 'REFUND', amount: 100, reason: 'I am the fan' }, s.fan.token),
      403,
      'FORBIDDEN_ROLE',
    );
    await expectError(
      await review(other.bookingId, { decision: 'PAY_CREATOR', reason: 'Not interrupted' }, admin.token),
      409,
      'CALL_NOT_UNDER_REVIEW',
    );
    await expectError(
      await review('bkg_doesnotexist00', { decision: 'PAY_CREATOR', reason: 'Unknown' }, admin.token),
      404,
      'BOOKING_NOT_FOUND',
    );
    expect(await snap()).toEqual(start);
    expect(
      await deps()
        .db.select()
        .from(auditLog)
        .where(and(eq(auditLog.action, 'CALL_REVIEW'), eq(auditLog.entityId, s.bookingId)))
        .all(),
    ).toEqual([]);
  });

  it('the admin booking page shows the call to review and decides it (listed under "to review" until then)', async () => {
    const { s, admin } = await interrupted();
    const page = async (path: string) =>
      (await fetchApp(path, { headers: { authorization: `Bearer ${admin.token}` } })).text();
    expect(await page('/en/admin/bookings?review=pending')).toContain(`data-booking="${s.bookingId}"`);
    const html = await page(`/fr/admin/bookings/${s.bookingId}`);
    expect(html).toContain('data-call-review="pending"');
    expect(html).toContain('data-review-form="REFUND"');
    const res = await postPage(`/en/admin/bookings/${s.bookingId}/call-review`, admin.token, {
      decision: 'REFUND',
      amount: '10.00',
      reason: 'Sound was lost',
    });
    expect(res.status).toBe(303);
    const b = await bookingRow(s.bookingId);
    expect([b.reviewDecision, b.reviewRefund, b.reviewedBy, !!b.reviewAppliedAt]).toEqual([
      'REFUND',
      1000,
      admin.user.id,
      true,
    ]);
    expect(await page(`/en/admin/bookings/${s.bookingId}`)).toContain('data-review-decision="REFUND"');
    expect(await page('/en/admin/bookings?review=pending')).not.toContain(`data-booking="${s.bookingId}"`);
  });
});
