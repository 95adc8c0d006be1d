/**
 * Admin — the review of an interrupted call on its booking page: how long both were together
 * against what the call needed, and the decision (pay the creator, or refund the fan in full or in
 * part). Until an admin decides, nothing of the booking is released or refunded.
 */
import { and, eq } from 'drizzle-orm';
import type { Context } from 'hono';
import { bookings, owedRefunds, users, type Booking, type Locale, type Payment } from '../../db/schema';
import type { Deps } from '../../deps';
import { computeAttendance, tookPlaceThresholdMs } from '../../domain/calls/attendance';
import { presenceOf } from '../../domain/calls/presence';
import { reviewInterruptedCall, reviewRefundKey } from '../../domain/calls/review';
import { refundable } from '../../domain/payments/refunds';
import { getSettings } from '../../domain/settings';
import type { AppEnv } from '../../http/context';
import { notFound } from '../../http/errors';
import type { T } from '../../i18n';
import { formatMoney, parseMajorAmount, toMajorString } from '../../i18n/format';
import { CallReviewBody } from '../../shared/calls';
import { readForm } from '../components/form';
import { When } from '../components/ui';
import { flash, viewOf } from '../render';
import { requireAdminPage } from './common';

export interface CallReviewView {
  togetherMs: number;
  thresholdMs: number;
  refundable: number;
  reviewerName: string | null;
  /** The review's refund is not issued yet (owed, or refused): the creator's share stays on hold. */
  refundPending: boolean;
}

/** What the card needs, for an interrupted call only. */
export async function callReviewView(deps: Deps, b: Booking, pay: Payment | null): Promise<CallReviewView | null> {
  if (b.outcome !== 'INTERRUPTED') return null;
  const [presence, settings, reviewer, owed] = await Promise.all([
    presenceOf(deps, b.id),
    getSettings(deps),
    b.reviewedBy ? deps.db.select({ name: users.name }).from(users).where(eq(users.id, b.reviewedBy)).get() : null,
    deps.db
      .select({ status: owedRefunds.status })
      .from(owedRefunds)
      .where(and(eq(owedRefunds.idempotencyKey, reviewRefundKey(b.id)), eq(owedRefunds.initiatedBy, 'ADMIN')))
      .get(),
  ]);
  return {
    togetherMs: computeAttendance(presence, b, deps.clock.now()).togetherMs,
    thresholdMs: tookPlaceThresholdMs(settings, b),
    refundable: pay && !['PENDING', 'FAILED', 'CANCELED'].includes(pay.status) ? refundable(pay) : 0,
    reviewerName: reviewer?.name ?? null,
    refundPending: !!owed && ['PREPARED', 'OWED', 'FAILED'].includes(owed.status),
  };
}

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

/** POST …/admin/bookings/:id/call-review: the page form, through the same domain rule as the API (audited there). */
export async function postCallReview(c: Context<AppEnv>): Promise<Response> {
  const admin = requireAdminPage(c);
  if (admin instanceof Response) return admin;
  const id = c.req.param('id') ?? '';
  if (!/^bkg_[0-9a-z]{6,40}$/.test(id)) throw notFound('Booking');
  const deps = c.get('deps');
  const form = await readForm(c.req.raw);
  const currency = (
    await deps.db.select({ currency: bookings.currency }).from(bookings).where(eq(bookings.id, id)).get()
  )?.currency;
  if (!currency) throw notFound('Booking');
  const parsed = CallReviewBody.safeParse({
    decision: form.decision,
    reason: form.reason,
    ...(form.decision === 'REFUND' ? { amount: parseMajorAmount(form.amount ?? '', currency) } : {}),
  });
  if (!parsed.success) {
    flash(c, 'adminx.bookings.reviewInvalid', 'error');
  } else {
    const r = await reviewInterruptedCall(deps, admin.id, id, parsed.data, c.get('requestId'));
    if (!r.ok)
      flash(
        c,
        r.code === 'REFUND_TOO_LARGE' ? 'adminx.bookings.reviewTooLarge' : 'adminx.bookings.reviewRefused',
        'error',
      );
    else
      flash(
        c,
        r.refund && r.refund.status !== 'ISSUED' ? 'adminx.bookings.reviewDoneOwed' : 'adminx.bookings.reviewDone',
        r.refund && r.refund.status !== 'ISSUED' ? 'info' : 'success',
      );
  }
  return c.redirect(viewOf(c).href(`/admin/bookings/${id}`), 303);
}
