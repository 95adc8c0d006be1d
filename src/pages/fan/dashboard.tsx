/**
 * Fan space home `/:lang/dashboard`: cards with the counts that matter (upcoming calls and the next
 * one, past calls and those to review, requests by status, unread notifications) and the way to
 * each fan page. The fan space is mounted by ./index.ts.
 */
import { fanOverview } from '../../domain/fan/dashboard';
import { zoneName } from '../../i18n/format';
import { firstName } from '../../lib/text';
import { StatusBadge } from '../components/ui';
import { page, viewOf } from '../render';
import { CallHead, FanNav, JoinButton } from './common';
import { pageArea } from '../page-route';

const area = pageArea('user');
export const fanDashboardPages = area.app;

const REQUEST_GROUPS = ['PENDING', 'ACCEPTED', 'REJECTED', 'EXPIRED'] as const;

area.get('/', {}, async (c, { user }) => {
  const { t, href, timezone, locale, unread } = viewOf(c);
  const deps = c.get('deps');
  const now = deps.clock.now();
  const o = await fanOverview(deps, user.id, now);
  return page(c, {
    title: t('fan.title'),
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('fan.home.hello', { name: firstName(user.name) })}</h1>
        <FanNav c={c} current="home" />
        <p class="muted">{t('fan.home.lead', { zone: `${timezone} (${zoneName(now, locale, timezone)})` })}</p>
        {user.role !== 'USER' ? (
          <p class="notice info">
            {t('fan.home.creatorSpace')} <a href={href('/creator')}>{t('fan.home.creatorSpaceLink')}</a>
          </p>
        ) : null}
        <div class="fan-cards">
          <section class="card fan-card fan-card-wide" data-card="upcoming" aria-labelledby="fc-upcoming">
            <div class="fan-card-head">
              <h2 id="fc-upcoming">{t('fan.home.upcoming')}</h2>
              <p class="fan-count" data-count="upcoming">
                {o.upcoming}
              </p>
            </div>
            {o.awaitingPayment ? (
              <p>
                <span class="badge warning" data-count="awaiting" data-n={o.awaitingPayment}>
                  {t('fan.home.awaiting', { n: o.awaitingPayment })}
                </span>
              </p>
            ) : null}
            {o.next ? (
              <div class="fan-next" data-next={o.next.id}>
                <h3>{t('fan.home.next')}</h3>
                <CallHead c={c} call={o.next} />
                <JoinButton c={c} call={o.next} />
              </div>
            ) : (
              <p class="empty">
                {t('fan.home.noNext')} <a href={href('/creators')}>{t('fan.home.findCreator')}</a>
              </p>
            )}
            <p class="fan-card-link">
              <a href={href('/dashboard/calls')}>{t('fan.home.seeCalls')} →</a>
            </p>
          </section>
          <section class="card fan-card" data-card="history" aria-labelledby="fc-history">
            <div class="fan-card-head">
              <h2 id="fc-history">{t('fan.home.history')}</h2>
              <p class="fan-count" data-count="history">
                {o.past}
              </p>
            </div>
            <p>
              {o.toReview ? (
                <span class="badge info" data-count="to-review" data-n={o.toReview}>
                  {t('fan.home.toReview', { n: o.toReview })}
                </span>
              ) : (
                <span class="muted small">{o.past ? t('fan.home.allReviewed') : ''}</span>
              )}
            </p>
            <p class="fan-card-link">
              <a href={href('/dashboard/history')}>{t('fan.home.seeHistory')} →</a>
            </p>
          </section>
          <section class="card fan-card" data-card="requests" aria-labelledby="fc-requests">
            <div class="fan-card-head">
              <h2 id="fc-requests">{t('fan.home.requests')}</h2>
              <p class="fan-count" data-count="requests">
                {Object.values(o.requests).reduce((a, b) => a + b, 0)}
              </p>
            </div>
            <ul class="plain fan-mini-stats">
              {REQUEST_GROUPS.map((s) => (
                <li data-request-status={s} data-n={o.requests[s]}>
                  <strong>{o.requests[s]}</strong> <StatusBadge t={t} kind="request" status={s} />
                </li>
              ))}
            </ul>
            {o.requestsToPay ? (
              <p>
                <a
                  class="badge success"
                  href={href('/dashboard/requests#ACCEPTED')}
                  data-count="to-pay"
                  data-n={o.requestsToPay}
                >
                  {t('fan.home.toPay', { n: o.requestsToPay })}
                </a>
              </p>
            ) : null}
            <p class="fan-card-link">
              <a href={href('/dashboard/requests')}>{t('fan.home.seeRequests')} →</a>
            </p>
          </section>
          <section class="card fan-card" data-card="notifications" aria-labelledby="fc-notifications">
            <div class="fan-card-head">
              <h2 id="fc-notifications">{t('fan.home.notifications')}</h2>
              <p class="fan-count" data-count="unread">
                {unread}
              </p>
            </div>
            <p class="fan-card-link">
              <a href={href('/notifications')}>{t('fan.home.seeNotifications')} →</a>
            </p>
          </section>
          <section class="card fan-card" data-card="account" aria-labelledby="fc-account">
            <h2 id="fc-account">{t('fan.home.account')}</h2>
            <p class="muted small">{t('fan.home.accountLead')}</p>
            <p class="fan-card-link">
              <a href={href('/account')}>{t('fan.home.seeAccount')} →</a>
            </p>
          </section>
        </div>
      </>
    ),
  });
});
