/** Admin — payments: filters by creator, status and date, totals per currency, and the CSV export of exactly the filtered rows. */
import { z } from 'zod';
import { PAYMENT_STATUSES } from '../../shared/enums';
import { creatorChoices } from '../../domain/admin/bookings';
import { dayRange } from '../../domain/admin/filters';
import { PAYMENTS_PAGE, paymentsCsvStream, paymentsPage, type PaymentFilter } from '../../domain/admin/payments';
import type { Ctx } from '../../http/context';
import type { MessageKey } from '../../i18n';
import { Empty, Money, Pagination, StatusBadge, When } from '../components/ui';
import { pageArea } from '../page-route';
import { page, viewOf } from '../render';
import { AdminNav } from './common';
import { DateRange, dayFilter, enumFilter, idFilter, pageFilter, qs, SelectFilter, todayIn } from './kit';

const admin = pageArea('admin');
export const adminPaymentPages = admin.app;

/** The list and the CSV read the same query, so they cannot disagree. */
const Filter = z.object({
  creator: idFilter('crt'),
  status: enumFilter(PAYMENT_STATUSES),
  from: dayFilter,
  to: dayFilter,
});
const ListQuery = Filter.extend({ page: pageFilter });

/** The filter as the URL gives it, read in the admin's zone. */
function filterOf(
  c: Ctx,
  { creator, status, from, to }: z.infer<typeof Filter>,
): {
  params: { creator?: string; status?: string; from?: string; to?: string };
  filter: PaymentFilter;
} {
  const range = dayRange(from, to, c.get('timezone'));
  return {
    params: { creator, status, from, to },
    filter: { creatorId: creator, status, from: range.from, to: range.to },
  };
}

admin.get('/payments', { query: ListQuery }, async (c, { query: q }) => {
  const { t, href, locale, timezone } = viewOf(c);
  const deps = c.get('deps');
  const { params, filter } = filterOf(c, q);
  const p = q.page;
  const [{ rows, total, totals }, creatorsList] = await Promise.all([
    paymentsPage(deps, filter, p),
    creatorChoices(deps),
  ]);
  const query = qs(params);
  return page(c, {
    title: t('adminx.payments.title'),
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('admin.title')}</h1>
        <AdminNav c={c} current="payments" />
        <h2>{t('adminx.payments.title')}</h2>
        <form method="get" action={href('/admin/payments')} class="inline-actions filters" data-payment-filters>
          <SelectFilter
            id="p-creator"
            name="creator"
            label={t('admin.creator')}
            all={t('admin.filterAll')}
            value={params.creator}
            options={creatorsList.map((x) => ({ value: x.id, label: x.name }))}
          />
          <SelectFilter
            id="p-status"
            name="status"
            label={t('admin.filterStatus')}
            all={t('admin.filterAll')}
            value={params.status}
            options={PAYMENT_STATUSES.map((s) => ({ value: s, label: t(`status.payment.${s}` as MessageKey) }))}
          />
          <DateRange from={params.from} to={params.to} labels={{ from: t('adminx.from'), to: t('adminx.to') }} />
          <button class="button small secondary" type="submit">
            {t('admin.filter')}
          </button>
        </form>
        <div class="inline-actions totals-bar">
          <p class="muted small" data-total={total}>
            {t('adminx.results', { n: total })}
          </p>
          <a class="button small" href={`${href('/admin/payments.csv')}${query ? `?${query}` : ''}`} download data-csv>
            {t('adminx.payments.csv')}
          </a>
        </div>
        {totals.length ? (
          <table class="table compact" data-payment-totals>
            <thead>
              <tr>
                <th>{t('adminx.payments.currency')}</th>
                <th>{t('adminx.payments.count')}</th>
                <th>{t('adminx.payments.amount')}</th>
                <th>{t('adminx.payments.fees')}</th>
                <th>{t('adminx.payments.refunded')}</th>
              </tr>
            </thead>
            <tbody>
              {totals.map((x) => (
                <tr data-currency={x.currency}>
                  <td>{x.currency}</td>
                  <td>{x.count}</td>
                  <td>
                    <Money amount={x.amount} currency={x.currency} locale={locale} />
                  </td>
                  <td>
                    <Money amount={x.fees} currency={x.currency} locale={locale} />
                  </td>
                  <td>
                    <Money amount={x.refunded} currency={x.currency} locale={locale} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {rows.length === 0 ? (
          <Empty>{t('adminx.payments.none')}</Empty>
        ) : (
          <table class="table" data-payments>
            <thead>
              <tr>
                <th>{t('adminx.payments.date')}</th>
                <th>{t('admin.creator')}</th>
                <th>{t('adminx.bookings.fan')}</th>
                <th>{t('adminx.payments.amount')}</th>
                <th>{t('adminx.payments.fees')}</th>
                <th>{t('admin.filterStatus')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ payment: x, creatorName, fanEmail }) => (
                <tr data-payment={x.id} data-status={x.status}>
                  <td>
                    <a href={href(`/admin/bookings/${x.bookingId}`)}>
                      <When at={x.createdAt} locale={locale} timezone={timezone} style="short" withZone={false} />
                    </a>
                  </td>
                  <td>{creatorName}</td>
                  <td class="small">{fanEmail}</td>
                  <td>
                    <Money amount={x.amount} currency={x.currency} locale={locale} />
                    {x.refundedAmount ? (
                      <div class="small muted">
                        {t('adminx.payments.refundedOf')}{' '}
                        <Money amount={x.refundedAmount} currency={x.currency} locale={locale} />
                      </div>
                    ) : null}
                  </td>
                  <td>
                    <Money amount={x.platformFee} currency={x.currency} locale={locale} />
                  </td>
                  <td>
                    <StatusBadge t={t} kind="payment" status={x.status} />
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
          pageSize={PAYMENTS_PAGE}
          href={(n) => `${href('/admin/payments')}?${qs({ ...params, page: n })}`}
        />
      </>
    ),
  });
});

/** Every row of the filter (all pages), amounts in minor units next to their currency. */
admin.get('/payments.csv', { query: Filter }, async (c, { user, query }) => {
  const { filter } = filterOf(c, query);
  await c
    .get('deps')
    .log.admin.info(
      'ADMIN_ACTION',
      'Payments exported as CSV',
      { filter: { ...filter, from: filter.from?.toISOString(), to: filter.to?.toISOString() } },
      { actor: 'ADMIN', actorId: user.id },
    );
  return new Response(paymentsCsvStream(c.get('deps'), filter), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="payments-${todayIn(c)}.csv"`,
      'cache-control': 'no-store',
    },
  });
});
