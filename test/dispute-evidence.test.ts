/** Dispute evidence: a provider refusal is a clear answer (409 / 502), never a 500, and records nothing. */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { disputes, payments } from '../src/db/schema';
import { submitDisputeEvidence } from '../src/domain/payments/disputes';
import { PaymentProviderError } from '../src/providers/payments/port';
import { api, createAccount, deps, expectError } from './helpers';
import { confirmedBooking } from './scenarios';

async function openDispute() {
  const s = await confirmedBooking({ startsInMinutes: 3 * 24 * 60 });
  const payment = (await deps().db.select().from(payments).where(eq(payments.bookingId, s.bookingId)).get())!;
  const dspId = await deps().localPayments!.openDispute(payment.chargeId!, 'fraudulent');
  return (await deps().db.select().from(disputes).where(eq(disputes.stripeDisputeId, dspId)).get())!;
}

describe('dispute evidence', () => {
  it('answers EVIDENCE_REFUSED for a final provider refusal and PAYMENT_PROVIDER_ERROR for an outage, leaving the dispute unchanged', async () => {
    const d = await openDispute();
    const failing = (e: PaymentProviderError) => {
      const base = deps();
      return { ...base, payments: { ...base.payments, submitDisputeEvidence: async () => { throw e; } } };
    };
    expect(await submitDisputeEvidence(failing(new PaymentProviderError('This dispute is closed', 400, 'dispute_already_closed', false)), d.id)).toEqual({ ok: false, code: 'EVIDENCE_REFUSED' });
    expect(await submitDisputeEvidence(failing(new PaymentProviderError('Service unavailable', 503, null, true)), d.id)).toEqual({ ok: false, code: 'PAYMENT_PROVIDER_ERROR' });
    expect((await deps().db.select().from(disputes).where(eq(disputes.id, d.id)).get())!.evidenceSubmittedAt).toBeNull();
    // Through the API: unknown dispute 404; the real (local) provider accepts it once.
    const admin = await createAccount('ADMIN', { passwordHash: null });
    await expectError(await api('POST', '/api/admin/disputes/dsp_aaaaaaaaaaaaaaaaaaaa/evidence', undefined, { token: admin.token }), 404, 'NOT_FOUND');
    expect((await api('POST', `/api/admin/disputes/${d.id}/evidence`, undefined, { token: admin.token })).status).toBe(200);
    expect((await deps().db.select().from(disputes).where(eq(disputes.id, d.id)).get())!.evidenceSubmittedAt).not.toBeNull();
  });
});
