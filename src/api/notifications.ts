/** In-app notifications: mine (unread first), the unread count for the bell, mark one / all as read. */
import { z } from 'zod';
import { listNotifications, markRead, renderNotification, unreadCount } from '../domain/notifications/render';
import { notFound } from '../http/errors';
import { apiApp, route } from '../http/route';
import { translator } from '../i18n';
import { IdParam, PageQuery } from '../shared/common';

export const notificationsApi = apiApp('/api/notifications');
const tags = ['Notifications'];

const NotificationDto = z.object({
  id: z.string(),
  type: z.string(),
  text: z.string(),
  tone: z.enum(['success', 'warning', 'danger', 'info']),
  link: z.string().nullable(),
  read: z.boolean(),
  createdAt: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
});

route(
  notificationsApi,
  {
    method: 'get',
    path: '/',
    summary: 'My notifications, unread first, rendered in my language and time zone (30 per page)',
    tags,
    access: 'user',
    query: z.object({ page: PageQuery, unread: z.enum(['true', 'false']).optional() }),
    responses: {
      200: {
        description: 'Notifications',
        schema: z.object({ items: z.array(NotificationDto), unread: z.number(), page: z.number(), total: z.number() }),
      },
    },
  },
  async (c, { user, query }) => {
    const deps = c.get('deps');
    const [{ rows, total }, unread] = await Promise.all([
      listNotifications(deps, user.id, query.page, query.unread === 'true'),
      unreadCount(deps, user.id),
    ]);
    const t = translator(user.locale);
    c.header('Cache-Control', 'no-store');
    return c.json({
      items: rows.map((n) => ({
        ...renderNotification(t, user.locale, user.timezone, n),
        createdAt: n.createdAt.toISOString(),
        params: n.params,
      })),
      unread,
      page: query.page,
      total,
    });
  },
);

route(
  notificationsApi,
  {
    method: 'get',
    path: '/unread-count',
    summary: 'How many unread notifications I have (the header bell polls this)',
    tags,
    access: 'user',
    identityOnly: true,
    responses: { 200: { description: 'Count', schema: z.object({ unread: z.number() }) } },
  },
  async (c, { user }) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ unread: await unreadCount(c.get('deps'), user.id) });
  },
);

route(
  notificationsApi,
  {
    method: 'post',
    path: '/:id/read',
    summary: 'Mark one of my notifications as read',
    tags,
    access: 'user',
    identityOnly: true,
    params: z.object({ id: IdParam('ntf') }),
    responses: {
      200: { description: 'Marked', schema: z.object({ unread: z.number() }) },
      404: { description: 'NOT_FOUND (unknown, already read, or not mine)' },
    },
  },
  async (c, { user, params }) => {
    const deps = c.get('deps');
    if (!(await markRead(deps, user.id, params.id))) throw notFound('Unread notification');
    return c.json({ unread: await unreadCount(deps, user.id) });
  },
);

route(
  notificationsApi,
  {
    method: 'post',
    path: '/read-all',
    summary: 'Mark all my notifications as read',
    tags,
    access: 'user',
    identityOnly: true,
    responses: { 200: { description: 'Marked', schema: z.object({ marked: z.number(), unread: z.literal(0) }) } },
  },
  async (c, { user }) => c.json({ marked: await markRead(c.get('deps'), user.id, 'all'), unread: 0 as const }),
);
