/**
 * Admin — the review of an interrupted call on its booking page: how long both were together
 * against what the call needed, and the decision (pay the creator, or refund the fan in full or in
 * part). Until an admin decides, nothing of the booking is released or refunded.
 */
import { z } from 'zod';
import type { Booking } from '../../domain/rows';
import type { Locale } from '../../shared/enums';
import { bookingCurrency, type CallReviewView } from '../../domain/admin/call-review';
import { reviewInterruptedCall } from '../../domain/calls/review';
import { notFound } from '../../http/errors';
import type { T } from '../../i18n';
import { formatMoney, parseMajorAmount, toMajorString } from '../../i18n/format';
import { CallReviewBody } from '../../shared/calls';
import { IdParam } from '../../shared/common';
import { When } from '../components/ui';
import type { PageArea } from '../page-route';
import { viewOf } from '../render';

const duration = (ms: number) => `${Math.floor(ms / 60_000)} min ${Math.floor((ms % 60_000) / 1000)} s`;

export function CallReviewCard({
  t,
  href,
  locale,
  timezone,
  b,
  v,
}: {
  t: T;
  href: (p: string) => string;
  locale: Locale;
  timezone: string;
  b: Booking;
  v: CallReviewView;
}) {
  const money = (n: number) => formatMoney(n, b.currency, locale);
  return (
    <section class="card" aria-labelledby="review-h" data-call-review={b.reviewDecision ?? 'pending'}>
      <h2 id="review-h">{t('adminx.bookings.reviewTitle')}</h2>
      <p>{t('adminx.bookings.reviewLead', { together: duration(v.togetherMs), threshold: duration(v.thresholdMs) })}</p>
      {b.reviewDecision ? (
        <>
          <p data-review-decision={b.reviewDecision}>
            {t(b.reviewDecision === 'PAY_CREATOR' ? 'adminx.bookings.reviewPaid' : 'adminx.bookings.reviewRefunded', {
              amount: money(b.reviewRefund ?? 0),
              name: v.reviewerName ?? t('adminx.initiator.SYSTEM'),
            })}
            {b.reviewedAt ? (
              <>
                {' '}
                — <When at={b.reviewedAt} locale={locale} timezone={timezone} style="short" withZone={false} />
              </>
            ) : null}
          </p>
          {b.reviewReason ? <p class="muted small">{b.reviewReason}</p> : null}
          {v.refundPending || !b.reviewAppliedAt ? (
            <p class="muted small" data-review-pending>
              {t('adminx.bookings.reviewRefundPending')}
            </p>
          ) : null}
        </>
      ) : b.outcomeAppliedAt ? (
        <div class="stack">
          <p class="muted">{t('adminx.bookings.reviewWaiting')}</p>
          <form
            method="post"
            action={href(`/admin/bookings/${b.id}/call-review`)}
            class="stack"
            data-review-form="PAY_CREATOR"
          >
            <input type="hidden" name="decision" value="PAY_CREATOR" />
            <label for="rv-pay-reason">{t('admin.reason')}</label>
            <input id="rv-pay-reason" name="reason" type="text" required minLength={3} maxLength={500} />
            <button class="button small" type="submit">
              {t('adminx.bookings.reviewPay')}
            </button>
          </form>
          {v.refundable > 0 ? (
            <form
              method="post"
              action={href(`/admin/bookings/${b.id}/call-review`)}
              class="stack"
              data-review-form="REFUND"
            >
              <input type="hidden" name="decision" value="REFUND" />
              <label for="rv-amount">{t('adminx.bookings.refundAmount', { currency: b.currency })}</label>
              <input
                id="rv-amount"
                name="amount"
                type="text"
                inputMode="decimal"
                required
                value={toMajorString(v.refundable, b.currency)}
              />
              <label for="rv-refund-reason">{t('admin.reason')}</label>
              <input id="rv-refund-reason" name="reason" type="text" required minLength={3} maxLength={500} />
              <button class="button small danger" type="submit">
                {t('adminx.bookings.reviewRefund')}
              </button>
            </form>
          ) : null}
        </div>
      ) : (
        <p class="muted">{t('adminx.bookings.reviewSettling')}</p>
      )}
    </section>
  );
}

const ReviewForm = z.object({
  decision: z.string().optional(),
  reason: z.string().optional(),
  amount: z.string().default(''),
});

/** POST …/admin/bookings/:id/call-review: the page form, through the same domain rule as the API (audited there). */
export function callReviewPages(admin: PageArea<'admin'>): void {
  admin.post(
    '/bookings/:id/call-review',
    {
      params: z.object({ id: IdParam('bkg') }),
      notFound: 'Booking',
      form: ReviewForm,
      back: (c, { params }) => viewOf(c).href(`/admin/bookings/${params.id}`),
    },
    async (c, { user, params: { id }, form, back }) => {
      const deps = c.get('deps');
      const currency = await bookingCurrency(deps, id);
      if (!currency) throw notFound('Booking');
      // The amount is read in the booking's currency, so the body is checked once that is known.
      const parsed = CallReviewBody.safeParse({
        decision: form.decision,
        reason: form.reason,
        ...(form.decision === 'REFUND' ? { amount: parseMajorAmount(form.amount, currency) } : {}),
      });
      if (!parsed.success) return back('adminx.bookings.reviewInvalid', 'error');
      const r = await reviewInterruptedCall(deps, user.id, id, parsed.data, c.get('requestId'));
      if (!r.ok)
        return back(
          r.code === 'REFUND_TOO_LARGE' ? 'adminx.bookings.reviewTooLarge' : 'adminx.bookings.reviewRefused',
          'error',
        );
      const owed = r.refund && r.refund.status !== 'ISSUED';
      return back(owed ? 'adminx.bookings.reviewDoneOwed' : 'adminx.bookings.reviewDone', owed ? 'info' : 'success');
    },
  );
}
