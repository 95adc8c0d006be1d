/** Fan space — my requests, grouped by status; accepted ones can be paid right away. */
import { desc, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { bookings, callRequests, creators, type CallRequest, type Creator, REQUEST_STATUSES } from '../../db/schema';
import { cancelRequest } from '../../domain/requests/requests';
import type { AppEnv, Ctx } from '../../http/context';
import type { MessageKey } from '../../i18n';
import { requireUserPage } from '../account';
import { Duration, Empty, Money, StatusBadge, When } from '../components/ui';
import { flash, page, viewOf } from '../render';

export const fanRequestPages = new Hono<AppEnv>();
const L = '/:lang{fr|en}';

function Row({ c, r, creator, bookingStatus }: { c: Ctx; r: CallRequest; creator: Creator; bookingStatus: string | null }) {
  const { t, href, locale, timezone } = viewOf(c);
  return (
    <li class="card request-card">
      <div class="request-head">
        <a href={href(`/c/${creator.slug}`)}><strong>{creator.displayName}</strong></a>
        <StatusBadge t={t} kind="request" status={r.status} />
      </div>
      <p><When at={r.proposedStartsAt} locale={locale} timezone={timezone} style="full" /> · <Duration minutes={r.durationMinutes} locale={locale} /> · <Money amount={r.proposedPrice} currency={r.currency} locale={locale} /></p>
      <blockquote>{r.message}</blockquote>
      {r.responseMessage ? <p><strong>{creator.displayName}:</strong> {r.responseMessage}</p> : null}
      {r.status === 'ACCEPTED' && r.bookingId && bookingStatus === 'PENDING' ? <a class="button" href={href(`/bookings/${r.bookingId}/checkout`)}>{t('request.payNow')}</a> : null}
      {r.status === 'ACCEPTED' && bookingStatus === 'CONFIRMED' ? <p class="notice success">{t('request.paid')}</p> : null}
      {r.status === 'PENDING' ? (
        <form method="post" action={href(`/dashboard/requests/${r.id}/cancel`)}>
          <button type="submit" class="link-button danger">{t('request.withdraw')}</button>
        </form>
      ) : null}
    </li>
  );
}

fanRequestPages.get(`${L}/dashboard/requests`, async (c) => {
  const user = requireUserPage(c);
  if (user instanceof Response) return user;
  const { t, href } = viewOf(c);
  const rows = await c.get('deps').db.select({ r: callRequests, creator: creators, bookingStatus: bookings.status }).from(callRequests)
    .innerJoin(creators, eq(creators.id, callRequests.creatorId))
    .leftJoin(bookings, eq(bookings.id, callRequests.bookingId))
    .where(eq(callRequests.userId, user.id)).orderBy(desc(callRequests.createdAt)).limit(200).all();
  const groups = ['ACCEPTED', 'PENDING', 'REJECTED', 'EXPIRED', 'CANCELLED'] as const;
  const counts = Object.fromEntries(REQUEST_STATUSES.map((s) => [s, rows.filter((x) => x.r.status === s).length]));
  return page(c, {
    title: t('request.mine'),
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('request.mine')}</h1>
        <ul class="stats">
          {groups.map((g) => <li><strong>{counts[g]}</strong> <StatusBadge t={t} kind="request" status={g} /></li>)}
        </ul>
        {rows.length === 0 ? <Empty>{t('request.noneSent')} <a href={href('/creators')}>{t('request.browse')}</a></Empty> : groups.map((g) => {
          const list = rows.filter((x) => x.r.status === g);
          return list.length ? (
            <section>
              <h2>{t(`status.request.${g}` as MessageKey)}</h2>
              <ul class="grid two">{list.map((x) => <Row c={c} r={x.r} creator={x.creator} bookingStatus={x.bookingStatus} />)}</ul>
            </section>
          ) : null;
        })}
      </>
    ),
  });
});

fanRequestPages.post(`${L}/dashboard/requests/:id/cancel`, async (c) => {
  const user = requireUserPage(c);
  if (user instanceof Response) return user;
  const out = await cancelRequest(c.get('deps'), user.id, c.req.param('id'));
  flash(c, out.ok ? 'request.withdrawn' : (`offer.errors.${out.code}` as MessageKey), out.ok ? 'info' : 'error');
  return c.redirect(viewOf(c).href('/dashboard/requests'), 303);
});
