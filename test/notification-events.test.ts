/**
 * Domain events → who is told what, through the real flows: a review received, the review request
 * after a call, a call request received / accepted / declined, a payment received, each payout step
 * (approved when the admin approves, sent when it reaches the provider, paid, failed) and a dispute
 * closed — each as an in-app notification rendered in the reader's language (with its link) and, where
 * the issue asks for one, an email with the right template and data.
 */
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { bookings, creators, emailLog, logs, notifications, payments, payouts, users } from '../src/db/schema';
import type { EmailPayload } from '../src/domain/email/enqueue';
import { settleCallOutcomes } from '../src/domain/calls/outcome';
import { approvePayout } from '../src/domain/payouts/engine';
import { JOBS } from '../src/jobs/registry';
import { PaymentProviderError } from '../src/providers/payments/port';
import { updateSettings } from '../src/domain/settings';
import { fixedClock, MINUTE } from '../src/lib/clock';
import { api, createAccount, deps, type TestAccount, paymentOf } from './helpers';
import {
  book,
  callAt,
  confirmedBooking,
  fans,
  offerFor,
  onboardedCreator,
  presence,
  reviewedCall,
  type CreatorScenario,
} from './scenarios';

type Listed = { items: { id: string; type: string; text: string; link: string | null; tone: string }[] };
const notes = async (who: TestAccount) =>
  ((await (await api('GET', '/api/notifications', undefined, { token: who.token })).json()) as Listed).items;
const ofType = async (who: TestAccount, type: string) => (await notes(who)).filter((n) => n.type === type);
const mail = async (userId: string, template: string) =>
  (
    await deps()
      .db.select()
      .from(emailLog)
      .where(and(eq(emailLog.userId, userId), eq(emailLog.template, template)))
      .all()
  ).map((e) => ({ ...e, data: (e.payload as unknown as EmailPayload).data }));
const at = (hours: number) => new Date(Date.now() + hours * 3600_000).toISOString();
const en = (a: TestAccount) =>
  deps().db.update(users).set({ locale: 'en', timezone: 'America/New_York' }).where(eq(users.id, a.user.id));

describe('reviews', () => {
  it("REVIEW_RECEIVED: the creator is told (fan's first name, rating, link to their page); the fan is not", async () => {
    const s = await reviewedCall(4, 'Very helpful');
    const [n] = await ofType(s.c, 'REVIEW_RECEIVED');
    const fanFirst = s.fan.user.name.split(' ')[0];
    expect(n).toMatchObject({ text: `${fanFirst} rated you 4/5.`, link: `/c/${s.c.creator.slug}`, tone: 'success' });
    expect(await ofType(s.fan, 'REVIEW_RECEIVED')).toEqual([]);
  });

  it('review_request: after a call both attended, the fan (only) is asked for a review by email, linking to the summary; not after a no-show', async () => {
    const s = await callAt(-40 * MINUTE);
    await presence(s.bookingId, 'CREATOR', s.c.user.id, s.startsAt.getTime(), s.endsAt.getTime());
    await presence(s.bookingId, 'FAN', s.fan.user.id, s.startsAt.getTime() + MINUTE, s.endsAt.getTime());
    await settleCallOutcomes(deps());
    await settleCallOutcomes(deps());
    const asked = await mail(s.fan.user.id, 'review_request');
    expect(asked).toHaveLength(1);
    expect(asked[0].data).toMatchObject({
      title: s.offer.title,
      url: `http://localhost/en/call/${s.bookingId}/summary`,
    });
    expect(await mail(s.c.user.id, 'review_request')).toEqual([]);
    expect((await ofType(s.fan, 'CALL_OUTCOME'))[0]).toMatchObject({ link: `/call/${s.bookingId}/summary` });

    const noShow = await callAt(-40 * MINUTE);
    await presence(noShow.bookingId, 'FAN', noShow.fan.user.id, noShow.startsAt.getTime(), noShow.endsAt.getTime());
    await settleCallOutcomes(deps());
    expect(await mail(noShow.fan.user.id, 'review_request')).toEqual([]);
  });
});

describe('call requests', () => {
  const proposal = (over: Record<string, unknown> = {}) => ({
    proposedPrice: 6000,
    currency: 'EUR',
    proposedStartsAt: at(100),
    durationMinutes: 30,
    message: 'Could we talk about my audition?',
    ...over,
  });
  const send = async (c: CreatorScenario, fan: TestAccount, over: Record<string, unknown> = {}) =>
    (
      (await (
        await api('POST', `/api/creators/${c.creator.id}/requests`, proposal(over), { token: fan.token })
      ).json()) as { request: { id: string } }
    ).request.id;

  it('REQUEST_RECEIVED + request_received: the creator gets both, in their language, with the proposal; with requests emails off, the notification only', async () => {
    const c = await onboardedCreator();
    await en(c);
    const [fan] = await fans(1);
    const id = await send(c, fan);
    const [n] = await ofType(c, 'REQUEST_RECEIVED');
    expect(n.text).toBe(
      `${fan.user.name} proposes a call on ${new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', dateStyle: 'long', timeStyle: 'short' }).format(new Date(proposal().proposedStartsAt))} (€60.00).`,
    );
    expect(n.link).toBe('/creator/requests');
    const [e] = await mail(c.user.id, 'request_received');
    expect(e.locale).toBe('en');
    expect(e.idempotencyKey).toBe(`request:${id}:received:${c.user.id}`);
    expect(e.data).toMatchObject({
      fan: fan.user.name,
      price: 6000,
      currency: 'EUR',
      minutes: 30,
      message: 'Could we talk about my audition?',
      url: 'http://localhost/en/creator/requests',
    });

    await deps()
      .db.update(users)
      .set({ emailPrefs: { requests: false } })
      .where(eq(users.id, c.user.id));
    await send(c, fan, { proposedStartsAt: at(120) });
    expect(await ofType(c, 'REQUEST_RECEIVED')).toHaveLength(2);
    expect(await mail(c.user.id, 'request_received')).toHaveLength(1);
  });

  it("REQUEST_ACCEPTED / REQUEST_REJECTED + request_answered: the fan learns the answer (accepted: pay by the hold's end, link to checkout; declined: the message)", async () => {
    const c = await onboardedCreator();
    const [fan] = await fans(1);
    await en(fan);
    const yes = await send(c, fan);
    expect(
      (await api('POST', `/api/requests/${yes}/accept`, { message: 'With pleasure!' }, { token: c.token })).status,
    ).toBe(200);
    const [accepted] = await ofType(fan, 'REQUEST_ACCEPTED');
    expect(accepted.link).toMatch(/^\/bookings\/bkg_[0-9a-z]+\/checkout$/);
    expect(accepted.text).toContain(`${c.creator.displayName} accepted your request`);
    const [ea] = await mail(fan.user.id, 'request_answered');
    expect(ea.data).toMatchObject({
      accepted: true,
      creator: c.creator.displayName,
      message: 'With pleasure!',
      url: `http://localhost/en${accepted.link}`,
    });
    expect(typeof ea.data.payBy).toBe('string');

    const no = await send(c, fan, { proposedStartsAt: at(130) });
    expect(
      (await api('POST', `/api/requests/${no}/reject`, { message: 'Not available, sorry' }, { token: c.token })).status,
    ).toBe(200);
    const [rejected] = await ofType(fan, 'REQUEST_REJECTED');
    expect(rejected).toMatchObject({ link: '/dashboard/requests', tone: 'danger' });
    expect(rejected.text).toContain(`${c.creator.displayName} declined your request`);
    const answered = await mail(fan.user.id, 'request_answered');
    expect(answered).toHaveLength(2);
    expect(answered.find((e) => e.idempotencyKey.startsWith(`request:${no}:`))!.data).toMatchObject({
      accepted: false,
      message: 'Not available, sorry',
      payBy: null,
      url: `http://localhost/en/c/${c.creator.slug}`,
    });
    // Notifications and emails for the creator: none of these.
    expect((await notes(c)).filter((n) => n.type.startsWith('REQUEST_A') || n.type === 'REQUEST_REJECTED')).toEqual([]);
  });
});

describe('payments', () => {
  it('PAYMENT_RECEIVED + payment_received: the creator gets the amount, the fee and their share; the fan gets neither', async () => {
    const s = await confirmedBooking({ price: 10_000 });
    const [n] = await ofType(s.c, 'PAYMENT_RECEIVED');
    expect(n).toMatchObject({
      text: `Payment received from ${s.fan.user.name} for "${s.offer.title}": €85.00 for you.`,
      link: '/creator/payments',
      tone: 'success',
    });
    const [e] = await mail(s.c.user.id, 'payment_received');
    const p = await paymentOf(s.bookingId);
    expect(e.data).toMatchObject({
      amount: 10_000,
      fee: 1500,
      share: 8500,
      currency: 'EUR',
      releaseAt: p.payoutReleaseAt!.toISOString(),
      url: 'http://localhost/en/creator/payments',
    });
    expect(await ofType(s.fan, 'PAYMENT_RECEIVED')).toEqual([]);
    expect(await mail(s.fan.user.id, 'payment_received')).toEqual([]);
  });

  it('DISPUTE_CLOSED: admins are told with a link to the disputes page, the creator with a link to the booking', async () => {
    const s = await confirmedBooking({ price: 10_000 });
    const admin = await createAccount('ADMIN');
    const chargeId = (await paymentOf(s.bookingId)).chargeId!;
    const dsp = await deps().localPayments!.openDispute(chargeId, 'fraudulent');
    expect((await ofType(admin, 'DISPUTE_OPENED'))[0].link).toBe('/admin/disputes');
    await deps().localPayments!.updateDispute(dsp, 'won');
    const [forAdmin] = await ofType(admin, 'DISPUTE_CLOSED');
    expect(forAdmin).toMatchObject({ link: '/admin/disputes', text: 'Dispute closed (WON): €100.00.' });
    const [forCreator] = await ofType(s.c, 'DISPUTE_CLOSED');
    expect(forCreator).toMatchObject({ link: `/bookings/${s.bookingId}` });
    expect(await ofType(s.fan, 'DISPUTE_CLOSED')).toEqual([]);
  });
});

describe('payouts', () => {
  /** The payout job, as the hourly cron runs it. */
  const runPayouts = (d: ReturnType<typeof deps>, tick: Date) => JOBS.payouts.run(d, tick, { trigger: 'CRON' });

  /** A creator with one released payment of 10,000 (share 8,500) and the payout job run in APPROVAL mode. */
  async function requestedPayout(c: CreatorScenario) {
    const [fan] = await fans(1);
    const offer = await offerFor(c, { price: 10_000 });
    const r = (await (await book(offer.id, fan.token)).json()) as {
      booking: { id: string };
      payment: { intentId: string };
    };
    await deps().localPayments!.checkout(r.payment.intentId, 'succeed');
    // The call took place (a share is released once the outcome is decided).
    await deps()
      .db.update(bookings)
      .set({ status: 'COMPLETED', outcome: 'COMPLETED', outcomeDecidedAt: new Date(), outcomeAppliedAt: new Date() })
      .where(eq(bookings.id, r.booking.id));
    const [{ last }] = await deps()
      .db.select({ last: sql<number>`max(${payments.payoutReleaseAt})` })
      .from(payments)
      .where(eq(payments.creatorId, c.creator.id));
    const clock = fixedClock(last + MINUTE);
    await deps()
      .db.update(creators)
      .set({ nextPayoutAt: new Date(clock.now().getTime() - MINUTE) })
      .where(eq(creators.id, c.creator.id));
    await runPayouts(deps({ clock }), clock.now());
    return (await deps()
      .db.select()
      .from(payouts)
      .where(and(eq(payouts.creatorId, c.creator.id), eq(payouts.status, 'REQUESTED')))
      .get())!;
  }

  it('PAYOUT_APPROVED when the admin approves, PAYOUT_SENT when it reaches the provider (at once, or on the next run after an outage), then PAID / FAILED — with the payout_update emails', async () => {
    const admin = await createAccount('ADMIN');
    await updateSettings(deps(), admin.user.id, { payoutMode: 'APPROVAL' }, null);
    try {
      const c = await onboardedCreator();
      await en(c);
      const p1 = await requestedPayout(c);
      expect(await ofType(c, 'PAYOUT_REQUESTED')).toHaveLength(1);
      expect((await ofType(admin, 'PAYOUT_REQUESTED'))[0].text).toBe(
        `Payout to approve: €85.00 for ${c.creator.displayName}.`,
      );
      expect((await api('POST', `/api/admin/payouts/${p1.id}/approve`, undefined, { token: admin.token })).status).toBe(
        200,
      );
      const approved = await ofType(c, 'PAYOUT_APPROVED');
      expect(approved).toEqual([
        expect.objectContaining({
          text: 'Payout of €85.00 approved: it leaves for your bank shortly.',
          link: expect.stringMatching(/^\/creator\/payouts/),
          tone: 'success',
        }),
      ]);
      expect(await ofType(c, 'PAYOUT_SENT')).toEqual([
        expect.objectContaining({ text: 'Payout of €85.00 sent to your bank.' }),
      ]);
      const kinds = async () => (await mail(c.user.id, 'payout_update')).map((e) => e.data.kind).sort();
      expect(await kinds()).toEqual(['requested', 'sent']); // approval itself: in-app only, the "on its way" email follows at once

      // The provider is down when the admin approves: approved now, sent on the next run.
      const p2 = await requestedPayout(c);
      const d = deps();
      const outage = async () => {
        throw new PaymentProviderError('Stripe is unavailable', 503, 'api_error', true);
      };
      const down = {
        ...d,
        payments: new Proxy(d.payments, { get: (t, k) => (k === 'createPayout' ? outage : Reflect.get(t, k)) }),
      };
      expect((await approvePayout(down, p2.id, admin.user)).ok).toBe(true);
      expect(await ofType(c, 'PAYOUT_APPROVED')).toHaveLength(2);
      expect(await ofType(c, 'PAYOUT_SENT')).toHaveLength(1);
      expect((await deps().db.select().from(payouts).where(eq(payouts.id, p2.id)).get())!.status).toBe('APPROVED');
      await runPayouts(deps(), new Date());
      expect(await ofType(c, 'PAYOUT_SENT')).toHaveLength(2);

      // The bank's answers.
      const sent = await deps().db.select().from(payouts).where(eq(payouts.creatorId, c.creator.id)).all();
      await deps().localPayments!.settlePayout(
        c.creator.stripeAccountId!,
        sent.find((x) => x.id === p1.id)!.stripePayoutId!,
        'paid',
      );
      expect(await ofType(c, 'PAYOUT_PAID')).toEqual([
        expect.objectContaining({ text: 'Payout of €85.00 reached your bank account.' }),
      ]);
      await deps().localPayments!.settlePayout(
        c.creator.stripeAccountId!,
        sent.find((x) => x.id === p2.id)!.stripePayoutId!,
        'failed',
      );
      expect((await ofType(c, 'PAYOUT_FAILED'))[0].text).toMatch(/^Payout of €85.00 failed \(.+\)\.$/);
      expect(await ofType(admin, 'PAYOUT_FAILED')).toHaveLength(1);
      expect(await kinds()).toEqual(['failed', 'paid', 'requested', 'requested', 'sent', 'sent']);
      const failedMail = (await mail(c.user.id, 'payout_update')).find((e) => e.data.kind === 'failed')!;
      expect(failedMail).toMatchObject({
        locale: 'en',
        data: {
          amount: 8500,
          currency: 'EUR',
          url: expect.stringMatching(/^http:\/\/localhost\/en\/creator\/payouts/),
        },
      });
      expect((await mail(admin.user.id, 'payout_update')).map((e) => e.data.kind).sort()).toEqual([
        'approval_needed',
        'approval_needed',
        'failed',
      ]);
      // The payout family's typed log lines, with amount, currency and (for a failure) the reason and the status it failed from.
      const payoutLogs = async (type: 'PAYOUT_CREATED' | 'PAYOUT_PAID' | 'PAYOUT_FAILED') =>
        (await deps().db.select().from(logs).where(eq(logs.type, type)).all()).filter(
          (l) => (l.context as { creatorId?: string }).creatorId === c.creator.id,
        );
      expect((await payoutLogs('PAYOUT_CREATED')).map((l) => l.context)).toEqual(
        [p1, p2].map((p) => expect.objectContaining({ payoutId: p.id, amount: 8500, currency: 'EUR' })),
      );
      expect((await payoutLogs('PAYOUT_PAID'))[0].context).toEqual({
        payoutId: p1.id,
        creatorId: c.creator.id,
        amount: 8500,
        currency: 'EUR',
      });
      expect((await payoutLogs('PAYOUT_FAILED'))[0]).toMatchObject({
        level: 'ERROR',
        context: {
          payoutId: p2.id,
          amount: 8500,
          currency: 'EUR',
          from: expect.stringMatching(/^(APPROVED|PROCESSING)$/),
          reason: expect.any(String),
        },
      });
    } finally {
      await updateSettings(deps(), admin.user.id, { payoutMode: 'AUTOMATIC' }, null);
    }
  });
});

// (notifications are rendered for the reader: the same row reads differently for a French reader)
describe('rendering for the reader', () => {
  it('the same PAYOUT_APPROVED row reads in French for a French reader; an older row of the "sent" step keeps its meaning', async () => {
    const me = await createAccount('USER', { locale: 'fr' });
    const d = deps();
    await d.db.insert(notifications).values([
      {
        id: d.ids.next('ntf'),
        userId: me.user.id,
        type: 'PAYOUT_APPROVED',
        params: { amount: 8500, currency: 'EUR', kind: 'approved', creator: 'x', reason: '' },
        link: '/creator/payouts',
        createdAt: new Date(),
      },
      {
        id: d.ids.next('ntf'),
        userId: me.user.id,
        type: 'PAYOUT_APPROVED',
        params: { amount: 8500, currency: 'EUR', kind: 'sent', creator: 'x', reason: '' },
        link: '/creator/payouts',
        createdAt: new Date(Date.now() - 1000),
      },
    ]);
    const list = (
      (await (
        await api('GET', '/api/notifications', undefined, { token: me.token, headers: { 'accept-language': 'fr' } })
      ).json()) as Listed
    ).items.map((n) => n.text);
    const eur = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(85);
    expect(list).toEqual([
      `Versement de ${eur} approuvé : il part vers votre banque sous peu.`,
      `Versement de ${eur} envoyé vers votre banque.`,
    ]);
  });
});
