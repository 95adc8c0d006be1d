/** Admin — bookings: filters (status, creator, fan email, call dates, calls to review) and one booking's detail with its whole timeline, an admin refund and the review of an interrupted call. */
import { z } from 'zod';
import { BOOKING_STATUSES, CALL_EVENT_TYPES } from '../../shared/enums';
import {
  BOOKINGS_PAGE,
  bookingDetail,
  bookingsPage,
  creatorChoices,
  paymentOfBooking,
  type TimelineItem,
} from '../../domain/admin/bookings';
import { callReviewView } from '../../domain/admin/call-review';
import { dayRange } from '../../domain/admin/filters';
import { adminRefund } from '../../domain/admin/payments';
import { refundable } from '../../domain/payments/refunds';
import { notFound } from '../../http/errors';
import type { MessageKey, T } from '../../i18n';
import { formatMoney, parseMajorAmount, toMajorString } from '../../i18n/format';
import { IdParam } from '../../shared/common';
import { Empty, Money, Pagination, StatusBadge, TimeRange, When } from '../components/ui';
import { pageArea, textField } from '../page-route';
import { page, viewOf } from '../render';
import { CallReviewCard, callReviewPages } from './call-review';
import { AdminNav } from './common';
import { dayFilter, DateRange, enumFilter, idFilter, pageFilter, qs, searchFilter, SelectFilter } from './kit';

const admin = pageArea('admin');
export const adminBookingPages = admin.app;

const ListQuery = z.object({
  status: enumFilter(BOOKING_STATUSES),
  creator: idFilter('crt'),
  fan: searchFilter(254),
  from: dayFilter,
  to: dayFilter,
  review: enumFilter(['pending']),
  page: pageFilter,
});
const BookingParams = z.object({ id: IdParam('bkg') });

admin.get('/bookings', { query: ListQuery }, async (c, { query }) => {
  const { t, href, locale, timezone } = viewOf(c);
  const deps = c.get('deps');
  const { status, creator, fan, from, to, review, page: p } = query;
  const range = dayRange(from, to, timezone);
  const [{ rows, total }, creatorsList] = await Promise.all([
    bookingsPage(deps, {
      status,
      creatorId: creator,
      fanEmail: fan,
      from: range.from,
      to: range.to,
      toReview: !!review,
      page: p,
    }),
    creatorChoices(deps),
  ]);
  const filters = { status, creator, fan, from, to, review };
  return page(c, {
    title: t('adminx.bookings.title'),
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('admin.title')}</h1>
        <AdminNav c={c} current="bookings" />
        <h2>{t('adminx.bookings.title')}</h2>
        <form method="get" action={href('/admin/bookings')} class="inline-actions filters" data-booking-filters>
          <SelectFilter
            id="b-status"
            name="status"
            label={t('admin.filterStatus')}
            all={t('admin.filterAll')}
            value={status}
            options={BOOKING_STATUSES.map((s) => ({ value: s, label: t(`status.booking.${s}` as MessageKey) }))}
          />
          <SelectFilter
            id="b-creator"
            name="creator"
            label={t('admin.creator')}
            all={t('admin.filterAll')}
            value={creator}
            options={creatorsList.map((x) => ({ value: x.id, label: x.name }))}
          />
          <label for="b-fan">{t('adminx.bookings.fanEmail')}</label>
          <input id="b-fan" name="fan" type="search" value={fan ?? ''} />
          <DateRange from={from} to={to} labels={{ from: t('adminx.callFrom'), to: t('adminx.to') }} />
          <SelectFilter
            id="b-review"
            name="review"
            label={t('adminx.bookings.review')}
            all={t('admin.filterAll')}
            value={review}
            options={[{ value: 'pending', label: t('adminx.bookings.toReview') }]}
          />
          <button class="button small secondary" type="submit">
            {t('admin.filter')}
          </button>
        </form>
        <p class="muted small" data-total={total}>
          {t('adminx.results', { n: total })}
        </p>
        {rows.length === 0 ? (
          <Empty>{t('adminx.bookings.none')}</Empty>
        ) : (
          <table class="table" data-bookings>
            <thead>
              <tr>
                <th>{t('adminx.bookings.call')}</th>
                <th>{t('adminx.bookings.fan')}</th>
                <th>{t('admin.creator')}</th>
                <th>{t('offer.price')}</th>
                <th>{t('admin.filterStatus')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr data-booking={r.booking.id} data-status={r.booking.status}>
                  <td>
                    <a href={href(`/admin/bookings/${r.booking.id}`)}>
                      <When
                        at={r.booking.startsAt}
                        locale={locale}
                        timezone={timezone}
                        style="short"
                        withZone={false}
                      />
                    </a>
                    <div class="muted small">{r.title}</div>
                  </td>
                  <td>
                    {r.fanName}
                    <div class="muted small">{r.fanEmail}</div>
                  </td>
                  <td>{r.creatorName}</td>
                  <td>
                    <Money amount={r.booking.price} currency={r.booking.currency} locale={locale} />
                  </td>
                  <td>
                    <StatusBadge t={t} kind="booking" status={r.booking.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <Pagination
          t={t}
          page={p}
          total={total}
          pageSize={BOOKINGS_PAGE}
          href={(n) => `${href('/admin/bookings')}?${qs({ ...filters, page: n })}`}
        />
      </>
    ),
  });
});

/** One timeline line in words: statuses, outcomes and initiators translated too. */
function itemText(t: T, i: TimelineItem): string {
  if (i.kind === 'call') {
    const type = (CALL_EVENT_TYPES as readonly string[]).includes(i.label)
      ? t(`callEvent.${i.label}` as MessageKey)
      : i.label;
    const actor = i.params?.actor ? t(`callEvent.actor.${i.params.actor}` as MessageKey) : '';
    const source = i.params?.source ? t(`callEvent.source.${i.params.source}` as MessageKey) : '';
    return `${type} — ${actor} (${source})`;
  }
  const p = { ...(i.params ?? {}) };
  const tr = (key: string) => {
    const v = t(key as MessageKey);
    return v === key ? null : v;
  };
  if (typeof p.status === 'string') {
    const scope =
      i.kind === 'payment'
        ? 'status.payment'
        : i.kind === 'refund'
          ? 'adminx.refund'
          : i.kind === 'dispute'
            ? 'adminx.dispute'
            : null;
    p.status = (scope && tr(`${scope}.${p.status}`)) ?? p.status;
  }
  if (typeof p.outcome === 'string') p.outcome = tr(`adminx.outcome.${p.outcome}`) ?? p.outcome;
  if (typeof p.by === 'string' && p.by) p.by = tr(`adminx.initiator.${p.by}`) ?? p.by;
  return t(i.label as MessageKey, p);
}

admin.get('/bookings/:id', { params: BookingParams, notFound: 'Booking' }, async (c, { params: { id } }) => {
  const { t, href, locale, timezone } = viewOf(c);
  const d = await bookingDetail(c.get('deps'), id);
  if (!d) throw notFound('Booking');
  const b = d.booking;
  const pay = d.payment;
  const left = pay && !['PENDING', 'FAILED', 'CANCELED'].includes(pay.status) ? refundable(pay) : 0;
  const review = await callReviewView(c.get('deps'), b, pay);
  return page(c, {
    title: t('adminx.bookings.detailTitle'),
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('admin.title')}</h1>
        <AdminNav c={c} current="bookings" />
        <p>
          <a href={href('/admin/bookings')}>← {t('adminx.bookings.back')}</a>
        </p>
        <div class="grid two">
          <section class="card" data-booking-detail={b.id}>
            <h2>{d.offer.title}</h2>
            <p>
              <TimeRange start={b.startsAt} end={b.endsAt} locale={locale} timezone={timezone} />
            </p>
            <dl class="meta">
              <dt>{t('admin.filterStatus')}</dt>
              <dd>
                <StatusBadge t={t} kind="booking" status={b.status} />
                {b.outcome ? (
                  <span class="badge" data-outcome={b.outcome}>
                    {' '}
                    {t(`adminx.outcome.${b.outcome}` as MessageKey)}
                  </span>
                ) : null}
              </dd>
              <dt>{t('adminx.bookings.fan')}</dt>
              <dd>
                <a href={href(`/admin/users/${d.fan.id}`)}>{d.fan.name}</a>{' '}
                <span class="muted small">{d.fan.email}</span>
              </dd>
              <dt>{t('admin.creator')}</dt>
              <dd>
                <a href={href(`/admin/users/${d.creator.userId}`)}>{d.creator.displayName}</a>{' '}
                <span class="muted small">{d.creatorEmail}</span>
              </dd>
              <dt>{t('offer.price')}</dt>
              <dd>
                <Money amount={b.price} currency={b.currency} locale={locale} /> ·{' '}
                {t(`policy.${b.cancellationPolicy}` as MessageKey)}
              </dd>
              <dt>{t('adminx.payments.payment')}</dt>
              <dd>
                {pay ? (
                  <>
                    <StatusBadge t={t} kind="payment" status={pay.status} />{' '}
                    <span class="small">
                      {t('adminx.bookings.feeShare', {
                        fee: formatMoney(pay.platformFee, pay.currency, locale),
                        share: formatMoney(pay.creatorShare, pay.currency, locale),
                      })}
                    </span>
                    {pay.refundedAmount ? (
                      <div class="small">
                        {t('adminx.bookings.refunded', {
                          amount: formatMoney(pay.refundedAmount, pay.currency, locale),
                        })}
                      </div>
                    ) : null}
                    <div class="mono small muted">{pay.id}</div>
                  </>
                ) : (
                  '—'
                )}
              </dd>
              <dt>{t('adminx.bookings.id')}</dt>
              <dd class="mono small">{b.id}</dd>
            </dl>
            <div class="inline-actions">
              <a class="button small secondary" href={href(`/bookings/${b.id}`)}>
                {t('adminx.bookings.publicPage')}
              </a>
              <a class="button small secondary" href={href(`/call/${b.id}/summary`)}>
                {t('adminx.bookings.callSummary')}
              </a>
              <a class="button small secondary" href={`${href('/admin/audit')}?entity=booking&entityId=${b.id}`}>
                {t('adminx.nav.audit')}
              </a>
            </div>
          </section>
          <section class="card" aria-labelledby="refund-h">
            <h2 id="refund-h">{t('adminx.bookings.refundTitle')}</h2>
            {pay && left > 0 ? (
              <form method="post" action={href(`/admin/bookings/${b.id}/refund`)} class="stack" data-refund-form>
                <p class="muted">
                  {t('adminx.bookings.refundable', { amount: formatMoney(left, pay.currency, locale) })}
                </p>
                <label for="rf-amount">{t('adminx.bookings.refundAmount', { currency: pay.currency })}</label>
                <input
                  id="rf-amount"
                  name="amount"
                  type="text"
                  inputMode="decimal"
                  required
                  value={toMajorString(left, pay.currency)}
                />
                <label for="rf-reason">{t('admin.reason')}</label>
                <input id="rf-reason" name="reason" type="text" required minLength={3} maxLength={500} />
                <button class="button small danger" type="submit">
                  {t('adminx.bookings.refund')}
                </button>
              </form>
            ) : (
              <p class="muted">{t('adminx.bookings.nothingToRefund')}</p>
            )}
          </section>
        </div>
        {review ? <CallReviewCard t={t} href={href} locale={locale} timezone={timezone} b={b} v={review} /> : null}
        <section class="card" aria-labelledby="tl-h">
          <h2 id="tl-h">{t('adminx.bookings.timeline')}</h2>
          <ol class="timeline admin-timeline" data-timeline>
            {d.timeline.map((i) => (
              <li class={`tl-${i.kind} ${i.tone ? `tone-${i.tone}` : ''}`} data-kind={i.kind}>
                <time datetime={i.at.toISOString()} class="small muted">
                  <When at={i.at} locale={locale} timezone={timezone} style="short" withZone={false} />
                </time>
                <span class="badge">{t(`adminx.kind.${i.kind}` as MessageKey)}</span> <span>{itemText(t, i)}</span>
                {i.money ? (
                  <>
                    {' '}
                    · <Money amount={i.money.amount} currency={i.money.currency} locale={locale} />
                  </>
                ) : null}
                {i.detail ? <div class="small muted tl-detail">{i.detail}</div> : null}
              </li>
            ))}
          </ol>
        </section>
      </>
    ),
  });
});

callReviewPages(admin);

admin.post(
  '/bookings/:id/refund',
  {
    params: BookingParams,
    notFound: 'Payment',
    form: z.object({ reason: textField(500), amount: z.string().default('') }),
    back: (c, { params }) => viewOf(c).href(`/admin/bookings/${params.id}`),
  },
  async (c, { user, params: { id }, form, back }) => {
    const deps = c.get('deps');
    const payment = await paymentOfBooking(deps, id);
    if (!payment) throw notFound('Payment');
    // The amount is read in the payment's currency, known only now.
    const amount = parseMajorAmount(form.amount, payment.currency);
    if (!amount || form.reason.length < 3) return back('adminx.bookings.refundInvalid', 'error');
    const r = await adminRefund(deps, user.id, payment.id, {
      amount,
      reason: form.reason,
      requestId: c.get('requestId'),
    });
    if (r.ok)
      return back(
        r.status === 'ISSUED' ? 'adminx.bookings.refundDone' : 'adminx.bookings.refundOwed',
        r.status === 'ISSUED' ? 'success' : 'info',
      );
    return back(
      r.code === 'REFUND_REFUSED' ? 'adminx.bookings.refundRefused' : 'adminx.bookings.nothingToRefund',
      'error',
    );
  },
);
