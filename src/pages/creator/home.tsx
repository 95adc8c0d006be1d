/**
 * Creator space — home: what's next and what needs me. Today's calls, the next ones, pending
 * requests, the balance per currency, reviews awaiting a reply, and what is left to set up.
 */
import { creatorHome } from '../../domain/creators/home';
import { creatorEligibility } from '../../domain/payouts/engine';
import { formatMoney } from '../../i18n/format';
import { Duration, Money, Stars, When } from '../components/ui';
import { page, viewOf } from '../render';
import { CreatorNav } from './common';
import { todayAgenda, todaySpan } from './planning';
import { pageArea } from '../page-route';

const area = pageArea('creator');
export const creatorHomePages = area.app;

area.get('/', {}, async (c, r) => {
  const { creator, user } = r;
  const deps = c.get('deps');
  const { t, href, locale, timezone } = viewOf(c);
  const now = deps.clock.now();
  const [home, balances, today] = await Promise.all([
    creatorHome(deps, creator, user.id, now, todaySpan(now, timezone).end),
    creatorEligibility(deps, creator, now),
    todayAgenda(c, creator),
  ]);
  const steps = [
    { key: 'payments', done: home.setup.payments, href: href('/creator/payments') },
    { key: 'profile', done: home.setup.profile, href: href('/creator/profile') },
    { key: 'bookable', done: home.setup.bookable, href: href('/creator/availability') },
  ] as const;
  const left = steps.filter((s) => !s.done);
  return page(c, {
    title: t('creatorHome.title'),
    mainClass: 'wide',
    body: (
      <>
        <div class="page-head">
          <h1>{t('creatorHome.hello', { name: creator.displayName })}</h1>
          <p class="actions">
            <a class="button" href={href('/creator/offers#new-h')}>
              {t('creatorSpace.newOffer')}
            </a>
            <a class="button secondary" href={href(`/c/${creator.slug}`)}>
              {t('creatorHome.publicPage')}
            </a>
          </p>
        </div>
        <CreatorNav c={c} current="home" />
        {left.length ? (
          <section class="card setup" aria-labelledby="setup-h" data-setup-left={left.length}>
            <h2 id="setup-h">{t('creatorHome.setup', { done: steps.length - left.length, total: steps.length })}</h2>
            <ol class="setup-steps">
              {steps.map((s) => (
                <li class={s.done ? 'done' : ''} data-step={s.key}>
                  <span aria-hidden="true">{s.done ? '✓' : '○'}</span>{' '}
                  {s.done ? t(`creatorHome.steps.${s.key}`) : <a href={s.href}>{t(`creatorHome.steps.${s.key}`)}</a>}
                  <span class="sr-only"> — {t(s.done ? 'creatorHome.stepDone' : 'creatorHome.stepOpen')}</span>
                </li>
              ))}
            </ol>
          </section>
        ) : null}
        <div class="grid two">
          {today}
          <section class="card" aria-labelledby="next-h" data-next-count={home.next.length}>
            <div class="today-head">
              <h2 id="next-h">{t('creatorHome.next')}</h2>
              <a href={href('/creator/planning?view=list&status=upcoming')}>{t('creatorHome.allUpcoming')}</a>
            </div>
            {!home.next.length ? (
              <p class="muted">{t('creatorHome.noNext')}</p>
            ) : (
              <ul class="plain next-calls">
                {home.next.map((b) => (
                  <li data-booking-id={b.id}>
                    <a href={href(`/bookings/${b.id}`)}>
                      <When at={b.startsAt} locale={locale} timezone={timezone} style="medium" />
                    </a>
                    <br />
                    <strong>{b.fan}</strong> · {b.title} ·{' '}
                    <Duration
                      minutes={Math.round((b.endsAt.getTime() - b.startsAt.getTime()) / 60_000)}
                      locale={locale}
                    />{' '}
                    · <Money amount={b.price} currency={b.currency} locale={locale} />
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
        <div class="grid three home-cards">
          <section class="card" aria-labelledby="req-h" data-card="requests">
            <h2 id="req-h">
              {t('creatorSpace.requests')}{' '}
              <span class="count" data-count={home.requests.count}>
                {home.requests.count}
              </span>
            </h2>
            {!home.requests.latest.length ? (
              <p class="muted">{t('creatorHome.noRequests')}</p>
            ) : (
              <ul class="plain">
                {home.requests.latest.map((q) => (
                  <li>
                    <strong>{q.fan}</strong> ·{' '}
                    <When at={q.proposedStartsAt} locale={locale} timezone={timezone} style="medium" withZone={false} />{' '}
                    · <Duration minutes={q.durationMinutes} locale={locale} /> ·{' '}
                    <Money amount={q.proposedPrice} currency={q.currency} locale={locale} />
                  </li>
                ))}
              </ul>
            )}
            <p>
              <a href={href('/creator/requests')}>{t('creatorHome.answer')}</a>
            </p>
          </section>
          <section class="card" aria-labelledby="bal-h" data-card="balance">
            <h2 id="bal-h">{t('creatorHome.balance')}</h2>
            <ul class="plain">
              {balances.map((e) => (
                <li data-balance={e.currency}>
                  <strong class="big">{formatMoney(e.available, e.currency, locale)}</strong>{' '}
                  {t('creatorHome.available')}
                  <br />
                  <span class="muted small">
                    {t('creatorHome.onHold', { amount: formatMoney(e.pending, e.currency, locale) })}
                    {e.debt ? ` · ${t('creatorHome.debt', { amount: formatMoney(e.debt, e.currency, locale) })}` : ''}
                  </span>
                </li>
              ))}
            </ul>
            <p>
              <a href={href('/creator/payouts')}>{t('creatorHome.payouts')}</a>
            </p>
          </section>
          <section class="card" aria-labelledby="rev-h" data-card="reviews">
            <h2 id="rev-h">{t('reviews.title')}</h2>
            <p class="big">
              <Stars t={t} average={home.reviews.average} count={home.reviews.count} />
            </p>
            <p>
              {home.reviews.unreplied ? (
                <a href={href('/creator/reviews?filter=unreplied')} data-unreplied={home.reviews.unreplied}>
                  {t('creatorHome.unreplied', { count: home.reviews.unreplied })}
                </a>
              ) : (
                <a href={href('/creator/reviews')}>{t('creatorHome.allReviews')}</a>
              )}
            </p>
          </section>
        </div>
        <p class="muted">
          {home.unread ? (
            <a href={href('/notifications')} data-unread={home.unread}>
              {t('creatorHome.unread', { count: home.unread })}
            </a>
          ) : (
            t('creatorHome.noUnread')
          )}
          {' · '}
          {creator.chargesEnabled ? (
            <span class="badge success">{t('creatorHome.paymentsOn')}</span>
          ) : (
            <a href={href('/creator/payments')} class="badge warning">
              {t('creatorHome.paymentsOff')}
            </a>
          )}
        </p>
      </>
    ),
  });
});
