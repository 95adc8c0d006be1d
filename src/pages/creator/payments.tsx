/** Creator space — payments: onboarding (Stripe Connect or simulated), lifetime totals per currency, earnings chart, payments received. */
import { creatorPayments } from '../../domain/payments/queries';
import type { Creator } from '../../domain/rows';
import { earnings, financeSummary, type EarningsPeriod } from '../../domain/payouts/earnings';
import { formatMoney } from '../../i18n/format';
import { BarChart } from '../components/chart';
import { startOnboarding, syncAccount } from '../../domain/payments/connect';
import type { Ctx } from '../../http/context';
import { Empty, Money, StatusBadge, When } from '../components/ui';
import { flash, page, viewOf } from '../render';
import { CreatorNav } from './common';
import { acceptedCurrency } from '../../domain/payments/currency';
import { CURRENCIES } from '../../shared/enums';
import { lenient, pageArea } from '../page-route';
import { z } from 'zod';

const area = pageArea('creator');
export const creatorPaymentPages = area.app;

/** The chart's period and currency, from its links; a bad value reads as the default. */
const PaymentsQuery = z.object({ period: lenient(z.enum(['day', 'week', 'month'])), currency: lenient(z.string()) });
type PaymentsQueryT = z.infer<typeof PaymentsQuery>;

async function paymentsPage(c: Ctx, creator: Creator, q: PaymentsQueryT) {
  const { t, href, locale, timezone } = viewOf(c);
  const deps = c.get('deps');
  const balances = await financeSummary(deps, creator.id, deps.clock.now());
  const period: EarningsPeriod = q.period ?? 'day';
  // The chart shows one currency at a time: the creator's own, or any other they earned in.
  const chartCurrencies = [...new Set([creator.currency, ...balances.map((b) => b.currency)])];
  const chartCurrency = CURRENCIES.find((x) => x === q.currency && chartCurrencies.includes(x)) ?? creator.currency;
  const chartHref = (p: EarningsPeriod, cur: string) =>
    `${href('/creator/payments')}?period=${p}${cur === creator.currency ? '' : `&currency=${cur}`}`;
  const buckets = await earnings(deps, creator.id, chartCurrency, period, creator.timezone);
  const fmt = (d: Date) =>
    new Intl.DateTimeFormat(
      locale,
      period === 'month'
        ? { month: 'short', year: '2-digit', timeZone: creator.timezone }
        : { day: 'numeric', month: 'short', timeZone: creator.timezone },
    ).format(d);
  const rows = await creatorPayments(deps, creator.id);
  const received = rows.filter((r) => r.p.status !== 'PENDING' && r.p.status !== 'FAILED' && r.p.status !== 'CANCELED');
  // Stripe's embedded onboarding (Account Session) when configured; the Account Link stays as the fallback.
  const embedded =
    deps.payments.name === 'stripe' &&
    !!deps.payments.publishableKey &&
    deps.config.embeddedOnboarding &&
    !creator.chargesEnabled;
  if (embedded)
    c.set('cspExtra', {
      script: ['https://connect-js.stripe.com', 'https://js.stripe.com'],
      frame: ['https://connect-js.stripe.com', 'https://js.stripe.com'],
      connect: ['https://api.stripe.com'],
    });
  return page(c, {
    title: t('creatorPayments.title'),
    islands: embedded ? ['connect-onboarding'] : [],
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('creatorSpace.title')}</h1>
        <CreatorNav c={c} current="payments" />
        <section class="card onboarding" aria-labelledby="onb-h">
          <h2 id="onb-h">{t('creatorPayments.onboarding')}</h2>
          {creator.chargesEnabled ? (
            <>
              <p class="notice success">
                {t('creatorPayments.ready')}{' '}
                {creator.payoutsEnabled ? t('creatorPayments.payoutsOn') : t('creatorPayments.payoutsOff')}
              </p>
              <p data-accepted-currency={acceptedCurrency(creator)}>
                {t('creatorSpace.currencyPolicy', { currency: acceptedCurrency(creator) })}
              </p>
            </>
          ) : (
            <>
              <p>{creator.stripeAccountId ? t('creatorPayments.incomplete') : t('creatorPayments.notStarted')}</p>
              {embedded ? (
                <div
                  data-island="connect-onboarding"
                  data-props={JSON.stringify({
                    publishableKey: deps.payments.publishableKey,
                    sessionUrl: '/api/creators/me/onboarding/session',
                    returnUrl: href('/creator/payments/return'),
                    locale,
                  })}
                />
              ) : null}
              <form method="post" action={href('/creator/payments/onboard')}>
                <button type="submit" class="button">
                  {creator.stripeAccountId ? t('creatorPayments.resume') : t('creatorPayments.start')}
                </button>
              </form>
              {deps.payments.name === 'local' ? <p class="muted small">{t('creatorPayments.localNote')}</p> : null}
            </>
          )}
        </section>
        <section aria-labelledby="bal-h">
          <h2 id="bal-h">{t('creatorPayments.balance')}</h2>
          {balances.length === 0 ? (
            <Empty>{t('creatorPayments.noMoneyYet')}</Empty>
          ) : (
            <ul class="grid three balances">
              {balances.map((b) => (
                <li class="card" data-finance={b.currency}>
                  <p class="muted">{b.currency}</p>
                  <p class="big" data-available={b.available}>
                    <Money amount={b.available} currency={b.currency} locale={locale} />{' '}
                    <span class="muted small">{t('creatorPayments.available')}</span>
                  </p>
                  <dl class="facts">
                    <dt>{t('creatorPayments.earnedTotal')}</dt>
                    <dd data-earned={b.earned}>
                      <Money amount={b.earned} currency={b.currency} locale={locale} />
                    </dd>
                    <dt>{t('creatorPayments.paidOut')}</dt>
                    <dd data-paid-out={b.paidOut}>
                      <Money amount={b.paidOut} currency={b.currency} locale={locale} />
                    </dd>
                    {b.inTransit ? (
                      <>
                        <dt>{t('creatorPayments.inTransit')}</dt>
                        <dd data-in-transit={b.inTransit}>
                          <Money amount={b.inTransit} currency={b.currency} locale={locale} />
                        </dd>
                      </>
                    ) : null}
                    <dt>{t('creatorPayments.pending')}</dt>
                    <dd data-pending={b.pending}>
                      <Money amount={b.pending} currency={b.currency} locale={locale} />
                    </dd>
                  </dl>
                  {b.debt > 0 ? (
                    <p class="notice warning" data-debt={b.debt}>
                      <Money amount={b.debt} currency={b.currency} locale={locale} /> {t('creatorPayments.debt')}
                    </p>
                  ) : null}
                </li>
              ))}
            </ul>
          )}
        </section>
        <section class="card" aria-labelledby="earn-h">
          <h2 id="earn-h">{t('creatorPayments.earnings')}</h2>
          <nav class="inline-actions" aria-label={t('creatorPayments.periodNav')}>
            {(['day', 'week', 'month'] as const).map((p) => (
              <a
                href={chartHref(p, chartCurrency)}
                class={`button small ${p === period ? '' : 'secondary'}`}
                aria-current={p === period ? 'true' : undefined}
              >
                {t(`creatorPayments.period.${p}`)}
              </a>
            ))}
          </nav>
          {chartCurrencies.length > 1 ? (
            <nav class="inline-actions" aria-label={t('creatorPayments.currencyNav')} data-currency-switch>
              {chartCurrencies.map((cur) => (
                <a
                  href={chartHref(period, cur)}
                  class={`button small ${cur === chartCurrency ? '' : 'secondary'}`}
                  aria-current={cur === chartCurrency ? 'true' : undefined}
                  data-currency={cur}
                >
                  {cur}
                </a>
              ))}
            </nav>
          ) : null}
          <BarChart
            data={buckets.map((b) => ({ label: fmt(b.start), value: b.amount, title: fmt(b.start) }))}
            title={t('creatorPayments.chartTitle', {
              currency: chartCurrency,
              period: t(`creatorPayments.period.${period}`),
            })}
            format={(v) => formatMoney(v, chartCurrency, locale)}
            emptyText={t('creatorPayments.chartEmpty')}
          />
          <p>
            {t('creatorPayments.total')}:{' '}
            <strong data-earnings-total>
              {formatMoney(
                buckets.reduce((s, b) => s + b.amount, 0),
                chartCurrency,
                locale,
              )}
            </strong>{' '}
            · <a href={href('/creator/payouts')}>{t('creatorPayments.toPayouts')}</a>
          </p>
        </section>
        <section aria-labelledby="rec-h">
          <h2 id="rec-h">{t('creatorPayments.received')}</h2>
          {received.length === 0 ? (
            <Empty>{t('creatorPayments.noneReceived')}</Empty>
          ) : (
            <table class="table">
              <thead>
                <tr>
                  <th>{t('creatorPayments.date')}</th>
                  <th>{t('offer.title')}</th>
                  <th>{t('creatorPayments.amount')}</th>
                  <th>{t('creatorPayments.fee')}</th>
                  <th>{t('creatorPayments.share')}</th>
                  <th>{t('creatorSpace.status')}</th>
                  <th>{t('creatorPayments.release')}</th>
                </tr>
              </thead>
              <tbody>
                {received.map(({ p, title, bookingId }) => (
                  <tr>
                    <td>
                      <When at={p.createdAt} locale={locale} timezone={timezone} style="short" withZone={false} />
                    </td>
                    <td>
                      <a href={href(`/bookings/${bookingId}`)}>{title}</a>
                    </td>
                    <td>
                      <Money amount={p.amount} currency={p.currency} locale={locale} />
                    </td>
                    <td>
                      <Money amount={p.platformFee} currency={p.currency} locale={locale} />
                    </td>
                    <td>
                      <Money amount={p.creatorShare} currency={p.currency} locale={locale} />
                    </td>
                    <td>
                      <StatusBadge t={t} kind="payment" status={p.status} />
                    </td>
                    <td>
                      {p.payoutReleaseAt ? (
                        <When
                          at={p.payoutReleaseAt}
                          locale={locale}
                          timezone={timezone}
                          style="short"
                          withZone={false}
                        />
                      ) : (
                        '—'
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </>
    ),
  });
}

area.get('/payments', { query: PaymentsQuery }, async (c, r) => {
  return paymentsPage(c, r.creator, r.query);
});

area.post('/payments/onboard', {}, async (c, r) => {
  const base = `${new URL(c.req.url).origin}${viewOf(c).href('/creator/payments')}`;
  const { url } = await startOnboarding(c.get('deps'), r.creator, r.user, {
    returnUrl: `${base}/return`,
    refreshUrl: `${base}/refresh`,
  });
  return c.redirect(url, 303);
});

// Back from onboarding: read the account state now rather than wait for account.updated.
area.get('/payments/return', {}, async (c, r) => {
  const updated = r.creator.stripeAccountId ? await syncAccount(c.get('deps'), r.creator.stripeAccountId) : null;
  flash(
    c,
    updated?.chargesEnabled ? 'creatorPayments.doneFlash' : 'creatorPayments.incompleteFlash',
    updated?.chargesEnabled ? 'success' : 'info',
  );
  return c.redirect(viewOf(c).href('/creator/payments'), 303);
});

// An expired or already used link: make a fresh one.
area.get('/payments/refresh', {}, async (c, r) => {
  const base = `${new URL(c.req.url).origin}${viewOf(c).href('/creator/payments')}`;
  const { url } = await startOnboarding(c.get('deps'), r.creator, r.user, {
    returnUrl: `${base}/return`,
    refreshUrl: `${base}/refresh`,
  });
  return c.redirect(url, 303);
});
