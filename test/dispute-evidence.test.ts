/** Dispute evidence: a provider refusal is a clear answer (409 / 502), never a 500, and records nothing. */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { disputes, localStripeObjects } from '../src/db/schema';
import { submitDisputeEvidence } from '../src/domain/payments/disputes';
import { PaymentProviderError } from '../src/providers/payments/port';
import { api, createAccount, deps, expectError, paymentOf } from './helpers';
import { callAt, confirmedBooking, presence } from './scenarios';

async function openDispute() {
  const s = await confirmedBooking({ startsInMinutes: 3 * 24 * 60 });
  const payment = await paymentOf(s.bookingId);
  const dspId = await deps().localPayments!.openDispute(payment.chargeId!, 'fraudulent');
  return (await deps().db.select().from(disputes).where(eq(disputes.stripeDisputeId, dspId)).get())!;
}

describe('dispute evidence', () => {
  it('answers EVIDENCE_REFUSED for a final provider refusal and PAYMENT_PROVIDER_ERROR for an outage, leaving the dispute unchanged', async () => {
    const d = await openDispute();
    const admin = await createAccount('ADMIN', { passwordHash: null });
    const failing = (e: PaymentProviderError) => {
      const base = deps();
      return {
        ...base,
        payments: {
          ...base.payments,
          submitDisputeEvidence: async () => {
            throw e;
          },
        },
      };
    };
    expect(
      await submitDisputeEvidence(
        failing(new PaymentProviderError('This dispute is closed', 400, 'dispute_already_closed', false)),
        d.id,
        admin.user,
      ),
    ).toEqual({ ok: false, code: 'EVIDENCE_REFUSED' });
    expect(
      await submitDisputeEvidence(
        failing(new PaymentProviderError('Service unavailable', 503, null, true)),
        d.id,
        admin.user,
      ),
    ).toEqual({ ok: false, code: 'PAYMENT_PROVIDER_ERROR' });
    expect(
      (await deps().db.select().from(disputes).where(eq(disputes.id, d.id)).get())!.evidenceSubmittedAt,
    ).toBeNull();
    // Through the API: unknown dispute 404; the real (local) provider accepts it once.
    await expectError(
      await api('POST', '/api/admin/disputes/dsp_aaaaaaaaaaaaaaaaaaaa/evidence', undefined, { token: admin.token }),
      404,
      'NOT_FOUND',
    );
    expect((await api('POST', `/api/admin/disputes/${d.id}/evidence`, undefined, { token: admin.token })).status).toBe(
      200,
    );
    expect(
      (await deps().db.select().from(disputes).where(eq(disputes.id, d.id)).get())!.evidenceSubmittedAt,
    ).not.toBeNull();
  });
});

describe('dispute evidence content', () => {
  it('sends the booking facts and the call timeline with who joined and left when', async () => {
    const s = await callAt(-45 * 60_000, 30);
    const start = s.startsAt.getTime();
    await presence(s.bookingId, 'CREATOR', s.c.user.id, start - 2 * 60_000, start + 30 * 60_000);
    await presence(s.bookingId, 'FAN', s.fan.user.id, start + 60_000, start + 29 * 60_000);
    const d = deps();
    const payment = await paymentOf(s.bookingId);
    const dspId = await d.localPayments!.openDispute(payment.chargeId!, 'product_not_received');
    const row = (await d.db.select().from(disputes).where(eq(disputes.stripeDisputeId, dspId)).get())!;
    const admin = await createAccount('ADMIN', { passwordHash: null });
    expect(
      (await api('POST', `/api/admin/disputes/${row.id}/evidence`, undefined, { token: admin.token })).status,
    ).toBe(200);
    // What the provider received (the built-in one keeps it on the dispute, like Stripe).
    const stored = (await d.db.select().from(localStripeObjects).where(eq(localStripeObjects.id, dspId)).get())!
      .data as { evidence: Record<string, string>; status: string };
    expect(stored.status).toBe('under_review');
    const ev = stored.evidence;
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(ev.productDescription).toContain(`Booking ${s.bookingId}`);
    expect(ev.productDescription).toContain(`"${s.offer.title}"`);
    expect(ev.productDescription).toContain(`scheduled ${iso(start)} – ${iso(s.endsAt.getTime())}`);
    expect(ev.serviceDate).toBe(iso(start).slice(0, 10));
    expect(ev).toMatchObject({ customerEmail: s.fan.user.email, customerName: s.fan.user.name });
    expect(ev.serviceDocumentation.split('\n')).toEqual([
      `${iso(start - 2 * 60_000)} PARTICIPANT_JOINED CREATOR`,
      `${iso(start + 60_000)} PARTICIPANT_JOINED FAN`,
      `${iso(start + 29 * 60_000)} PARTICIPANT_LEFT FAN`,
      `${iso(start + 30 * 60_000)} PARTICIPANT_LEFT CREATOR`,
    ]);
    // Once the dispute is closed the provider takes no more evidence: a clear 409, nothing recorded.
    await d.localPayments!.updateDispute(dspId, 'won');
    await d.db.update(disputes).set({ evidenceSubmittedAt: null }).where(eq(disputes.id, row.id));
    await expectError(
      await api('POST', `/api/admin/disputes/${row.id}/evidence`, undefined, { token: admin.token }),
      409,
      'EVIDENCE_REFUSED',
    );
    expect((await d.db.select().from(disputes).where(eq(disputes.id, row.id)).get())!.evidenceSubmittedAt).toBeNull();
  });
});
