/** Admin — overview (`/:lang/admin`): key figures linking to their pages, and bookings, revenue and fees per currency over time. */
import { z } from 'zod';
import { adminOverview } from '../../domain/admin/overview';
import { formatMoney } from '../../i18n/format';
import { BarChart } from '../components/chart';
import { Empty } from '../components/ui';
import { page, viewOf } from '../render';
import { pageArea } from '../page-route';
import { AdminNav } from './common';
import { Kpi, enumFilter } from './kit';

const admin = pageArea('admin');
export const adminOverviewPages = admin.app;

const Query = z.object({ period: enumFilter(['day', 'week']).transform((p) => p ?? 'day') });

admin.get('/', { query: Query }, async (c, { query: { period } }) => {
  const { t, href, locale, timezone } = viewOf(c);
  const o = await adminOverview(c.get('deps'), period, timezone);
  const label = (d: Date) =>
    new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', timeZone: timezone }).format(d);
  const title = (d: Date) =>
    period === 'week'
      ? t('adminx.overview.weekOf', { date: label(d) })
      : new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: timezone }).format(d);
  const paid = o.series.reduce((s, x) => s + x.totals.bookings, 0);
  // One bar per bucket; each series holds one value per bucket (0 when nothing was paid then).
  const bars = (valueAt: (i: number) => number | undefined) =>
    o.buckets.map((b, i) => ({ label: label(b), title: title(b), value: valueAt(i) ?? 0 }));
  const moneyList = (pick: (s: (typeof o.series)[number]) => number) =>
    o.series.length ? o.series.map((s) => formatMoney(pick(s), s.currency, locale)).join(' · ') : '—';
  const periodLabel = t(period === 'day' ? 'adminx.overview.last30' : 'adminx.overview.last12w');
  return page(c, {
    title: t('adminx.overview.title'),
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('admin.title')}</h1>
        <AdminNav c={c} current="overview" />
        <nav class="inline-actions period-nav" aria-label={t('adminx.overview.period')}>
          {(['day', 'week'] as const).map((p) => (
            <a
              class={`button small ${p === period ? '' : 'secondary'}`}
              aria-current={p === period ? 'true' : undefined}
              href={`${href('/admin')}?period=${p}`}
            >
              {t(p === 'day' ? 'adminx.overview.last30' : 'adminx.overview.last12w')}
            </a>
          ))}
        </nav>
        <ul class="kpis" data-overview>
          <Kpi
            name="paidBookings"
            label={t('adminx.overview.paidBookings', { period: periodLabel })}
            value={paid}
            href={`${href('/admin/payments')}`}
          />
          <Kpi
            name="revenue"
            label={t('adminx.overview.revenue', { period: periodLabel })}
            value={moneyList((s) => s.totals.revenue)}
            href={href('/admin/payments')}
          />
          <Kpi
            name="fees"
            label={t('adminx.overview.fees', { period: periodLabel })}
            value={moneyList((s) => s.totals.fees)}
            href={href('/admin/payments')}
          />
          <Kpi
            name="callsCompleted"
            label={t('adminx.overview.callsCompleted', { period: periodLabel })}
            value={o.callsCompleted}
            href={`${href('/admin/bookings')}?status=COMPLETED`}
            tone="success"
          />
          <Kpi
            name="failedEmails"
            label={t('adminx.overview.failedEmails')}
            value={o.failedEmails24h}
            href={`${href('/admin/emails')}?status=FAILED`}
            tone={o.failedEmails24h ? 'danger' : ''}
          />
          <Kpi
            name="failedJobs"
            label={t('adminx.overview.failedJobs')}
            value={o.failedJobs24h}
            href={href('/admin/jobs')}
            tone={o.failedJobs24h ? 'danger' : ''}
          />
          <Kpi
            name="openDisputes"
            label={t('adminx.overview.openDisputes')}
            value={o.openDisputes}
            href={`${href('/admin/disputes')}?view=open`}
            tone={o.openDisputes ? 'warning' : ''}
          />
          <Kpi
            name="payoutsAwaiting"
            label={t('adminx.overview.payoutsAwaiting')}
            value={o.payoutsAwaiting.count}
            href={href('/admin/payouts')}
            tone={o.payoutsAwaiting.count ? 'warning' : ''}
          >
            {o.payoutsAwaiting.byCurrency.map((p) => formatMoney(p.amount, p.currency, locale)).join(' · ')}
          </Kpi>
          <Kpi
            name="accounts"
            label={t('adminx.overview.accounts')}
            value={o.usersByRole.USER + o.usersByRole.CREATOR + o.usersByRole.ADMIN}
            href={href('/admin/users')}
          >
            {t('adminx.overview.byRole', {
              fans: o.usersByRole.USER,
              creators: o.usersByRole.CREATOR,
              admins: o.usersByRole.ADMIN,
            })}
          </Kpi>
        </ul>
        <section aria-labelledby="bk-h" class="card overview-chart">
          <h2 id="bk-h">{t('adminx.overview.bookingsChart', { period: periodLabel })}</h2>
          <BarChart
            data={bars((i) => o.series.reduce((sum, x) => sum + (x.bookings[i] ?? 0), 0))}
            title={t('adminx.overview.bookingsChart', { period: periodLabel })}
            format={(v) => String(v)}
            emptyText={t('adminx.overview.noPayments')}
            locale={locale}
          />
        </section>
        {o.series.length === 0 ? (
          <Empty>{t('adminx.overview.noPayments')}</Empty>
        ) : (
          o.series.map((s) => (
            <section class="card overview-chart" data-currency={s.currency} aria-labelledby={`cur-${s.currency}`}>
              <h2 id={`cur-${s.currency}`}>{s.currency}</h2>
              <ul class="stats">
                <li>
                  {t('adminx.overview.bookingsN')} <strong data-total="bookings">{s.totals.bookings}</strong>
                </li>
                <li>
                  {t('adminx.overview.revenueShort')}{' '}
                  <strong data-total="revenue">{formatMoney(s.totals.revenue, s.currency, locale)}</strong>
                </li>
                <li>
                  {t('adminx.overview.feesShort')}{' '}
                  <strong data-total="fees">{formatMoney(s.totals.fees, s.currency, locale)}</strong>
                </li>
                <li>
                  {t('adminx.overview.refunded')}{' '}
                  <strong data-total="refunded">{formatMoney(s.totals.refunded, s.currency, locale)}</strong>
                </li>
              </ul>
              <div class="grid two">
                <div>
                  <h3>{t('adminx.overview.revenueChart', { currency: s.currency })}</h3>
                  <BarChart
                    data={bars((i) => s.revenue[i])}
                    title={t('adminx.overview.revenueChart', { currency: s.currency })}
                    format={(v) => formatMoney(v, s.currency, locale)}
                    emptyText={t('adminx.overview.noPayments')}
                    locale={locale}
                  />
                </div>
                <div>
                  <h3>{t('adminx.overview.feesChart', { currency: s.currency })}</h3>
                  <BarChart
                    data={bars((i) => s.fees[i])}
                    title={t('adminx.overview.feesChart', { currency: s.currency })}
                    format={(v) => formatMoney(v, s.currency, locale)}
                    emptyText={t('adminx.overview.noPayments')}
                    locale={locale}
                  />
                </div>
              </div>
              <p class="muted small">{t('adminx.overview.chartNote')}</p>
            </section>
          ))
        )}
      </>
    ),
  });
});
