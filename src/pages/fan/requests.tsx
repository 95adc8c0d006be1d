/** Fan space — my requests, grouped by status; accepted ones can be paid right away. */
import { REQUEST_STATUSES } from '../../shared/enums';
import { fanRequests, type FanRequest } from '../../domain/fan/dashboard';
import { withdrawRequest } from '../../domain/requests/requests';
import type { Ctx } from '../../http/context';
import type { MessageKey } from '../../i18n';
import { formatDateTime } from '../../i18n/format';
import { Duration, Empty, Money, StatusBadge, When } from '../components/ui';
import { flash, page, viewOf } from '../render';
import { FanNav } from './common';
import { pageArea } from '../page-route';
import { AnyId } from '../params';

const area = pageArea('user');
export const fanRequestPages = area.app;

function Row({ c, x, now }: { c: Ctx; x: FanRequest; now: Date }) {
  const { t, href, locale, timezone } = viewOf(c);
  const { request: r, creator, booking, status } = x;
  const payable =
    status === 'ACCEPTED' &&
    r.bookingId &&
    booking?.status === 'PENDING' &&
    booking.holdExpiresAt &&
    booking.holdExpiresAt.getTime() > now.getTime();
  return (
    <li class="card request-card" data-request-id={r.id} data-status={status}>
      <div class="request-head">
        <a href={href(`/c/${creator.slug}`)}>
          <strong>{creator.name}</strong>
        </a>
        <StatusBadge t={t} kind="request" status={status} />
      </div>
      <p>
        <When at={r.proposedStartsAt} locale={locale} timezone={timezone} style="full" /> ·{' '}
        <Duration minutes={r.durationMinutes} locale={locale} /> ·{' '}
        <Money amount={r.proposedPrice} currency={r.currency} locale={locale} />
      </p>
      <blockquote>{r.message}</blockquote>
      {r.responseMessage ? (
        <p>
          <strong>{creator.name}:</strong> {r.responseMessage}
        </p>
      ) : null}
      {payable ? (
        <p class="inline-actions">
          <a class="button" href={href(`/bookings/${r.bookingId}/checkout`)} data-pay-now>
            {t('request.payNow')}
          </a>
          <span class="muted small">
            {t('fan.requests.payBefore', { when: formatDateTime(booking!.holdExpiresAt!, locale, timezone, 'medium') })}
          </span>
        </p>
      ) : null}
      {status === 'ACCEPTED' &&
      !payable &&
      booking &&
      booking.status !== 'CONFIRMED' &&
      booking.status !== 'COMPLETED' ? (
        <p class="notice warning">{t('fan.requests.holdLapsed')}</p>
      ) : null}
      {status === 'ACCEPTED' && (booking?.status === 'CONFIRMED' || booking?.status === 'COMPLETED') ? (
        <p class="notice success">
          {t('request.paid')} <a href={href(`/bookings/${r.bookingId}`)}>{t('fan.calls.details')}</a>
        </p>
      ) : null}
      {status === 'PENDING' ? (
        <>
          <p class="muted small">
            {t('fan.requests.expiresOn', { when: formatDateTime(r.expiresAt, locale, timezone, 'medium') })}
          </p>
          <form method="post" action={href(`/dashboard/requests/${r.id}/cancel`)}>
            <button type="submit" class="link-button danger">
              {t('request.withdraw')}
            </button>
          </form>
        </>
      ) : null}
    </li>
  );
}

area.get('/requests', {}, async (c, { user }) => {
  const { t, href } = viewOf(c);
  const now = c.get('deps').clock.now();
  const rows = await fanRequests(c.get('deps'), user.id, now);
  // What needs the fan first: waiting for an answer, then accepted (to pay), then the closed ones.
  const groups = ['PENDING', 'ACCEPTED', 'REJECTED', 'EXPIRED', 'CANCELLED'] as const;
  const counts = Object.fromEntries(REQUEST_STATUSES.map((s) => [s, rows.filter((x) => x.status === s).length]));
  return page(c, {
    title: t('request.mine'),
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('request.mine')}</h1>
        <FanNav c={c} current="requests" />
        <ul class="stats" aria-label={t('fan.nav.requests')}>
          <li data-stat="total">
            <strong>{rows.length}</strong> {t('fan.requests.total')}
          </li>
          {groups.map((g) => (
            <li data-stat={g}>
              <strong>{counts[g]}</strong> <StatusBadge t={t} kind="request" status={g} />
            </li>
          ))}
        </ul>
        {rows.length === 0 ? (
          <Empty>
            {t('request.noneSent')} <a href={href('/creators')}>{t('request.browse')}</a>
          </Empty>
        ) : (
          groups.map((g) => {
            const list = rows.filter((x) => x.status === g);
            return list.length ? (
              <section id={g} data-group={g}>
                <h2>{t(`status.request.${g}` as MessageKey)}</h2>
                <ul class="grid two">
                  {list.map((x) => (
                    <Row c={c} x={x} now={now} />
                  ))}
                </ul>
              </section>
            ) : null;
          })
        )}
      </>
    ),
  });
});

area.post('/requests/:id/cancel', { params: AnyId }, async (c, { user, params }) => {
  const out = await withdrawRequest(c.get('deps'), user.id, params.id);
  flash(c, out.ok ? 'request.withdrawn' : (`offer.errors.${out.code}` as MessageKey), out.ok ? 'info' : 'error');
  return c.redirect(viewOf(c).href('/dashboard/requests'), 303);
});
