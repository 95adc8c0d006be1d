/** /:lang/notifications: unread first with a "new" badge, coloured by kind, each linking to what it is about; mark one or all as read. */
import {
  listNotifications,
  markRead,
  NOTIFICATIONS_PER_PAGE,
  renderNotification,
} from '../domain/notifications/render';
import { Empty, Pagination, When } from './components/ui';
import { flash, page, viewOf } from './render';
import { pageArea } from './page-route';
import { AnyId, PageQuery } from './params';

const area = pageArea('user');
export const notificationPages = area.app;
const L = '/:lang{fr|en}';

area.get(`${L}/notifications`, { query: PageQuery }, async (c, { user, query }) => {
  const { t, href, locale, timezone } = viewOf(c);
  const pageNo = Math.max(1, Math.min(10_000, Number(query.page) || 1));
  const { rows, total } = await listNotifications(c.get('deps'), user.id, pageNo);
  const items = rows.map((n) => renderNotification(t, locale, timezone, n));
  const unread = items.filter((n) => !n.read).length;
  return page(c, {
    title: t('notifications.title'),
    body: (
      <>
        <h1>{t('notifications.title')}</h1>
        {unread ? (
          <form method="post" action={href('/notifications/read-all')} class="inline-actions">
            <span class="muted">{t('notifications.unreadCount', { n: unread })}</span>
            <button type="submit" class="button small secondary">
              {t('notifications.markAll')}
            </button>
          </form>
        ) : null}
        {items.length === 0 ? (
          <Empty>{t('notifications.empty')}</Empty>
        ) : (
          <ul class="plain notification-list">
            {items.map((n) => (
              <li
                class={`notification tone-${n.tone} ${n.read ? 'read' : 'unread'}`}
                data-notification={n.id}
                data-type={n.type}
                data-read={String(n.read)}
              >
                <div>
                  {!n.read ? <span class="badge info">{t('notifications.new')}</span> : null}{' '}
                  {n.link ? <a href={href(n.link)}>{n.text}</a> : n.text}
                  <div class="muted small">
                    <When at={n.createdAt} locale={locale} timezone={timezone} style="medium" withZone={false} />
                  </div>
                </div>
                {!n.read ? (
                  <form method="post" action={href(`/notifications/${n.id}/read`)}>
                    <button type="submit" class="link-button small">
                      {t('notifications.markRead')}
                    </button>
                  </form>
                ) : null}
              </li>
            ))}
          </ul>
        )}
        <Pagination
          t={t}
          page={pageNo}
          total={total}
          pageSize={NOTIFICATIONS_PER_PAGE}
          href={(p) => `${href('/notifications')}?page=${p}`}
        />
      </>
    ),
  });
});

area.post(`${L}/notifications/read-all`, {}, async (c, { user }) => {
  await markRead(c.get('deps'), user.id, 'all');
  flash(c, 'notifications.marked');
  return c.redirect(viewOf(c).href('/notifications'), 303);
});

area.post(`${L}/notifications/:id/read`, { params: AnyId }, async (c, { user, params }) => {
  await markRead(c.get('deps'), user.id, params.id);
  return c.redirect(viewOf(c).href('/notifications'), 303);
});
