/** createApp(): global middleware, error handling, and every API and page route. */
import { Hono } from 'hono';
import { authApi } from './api/auth';
import { availabilityApi } from './api/availability';
import { bookingsApi } from './api/bookings';
import { callsApi } from './api/calls';
import { creatorsApi } from './api/creators';
import { offersApi } from './api/offers';
import { paymentsApi } from './api/payments';
import { payoutsApi } from './api/payouts';
import { requestsApi } from './api/requests';
import { reviewsApi } from './api/reviews';
import { webhooksApi } from './api/webhooks';
import { meApi } from './api/me';
import { systemApi } from './api/system';
import { bodyLimits } from './http/body-limit';
import type { AppEnv } from './http/context';
import { AppError, type ErrorEnvelope } from './http/errors';
import { csrf, ensureUser, requestContext, securityHeaders, session } from './http/middleware';
import { requireConfig } from './http/misconfigured';
import { baseOf } from './http/route';
import { isLocale, localeFromAcceptLanguage, translator } from './i18n';
import { accountPages } from './pages/account';
import { apiDocsPages } from './pages/api-docs';
import { authPages } from './pages/auth';
import { devMailboxPages } from './pages/dev-mailbox';
import { errorPage, errorText } from './pages/errors';
import { homePages } from './pages/home';
import { mediaRoutes } from './pages/media';
import { creatorPages } from './pages/creators';
import { offerPages } from './pages/offers';
import { creatorSpace } from './pages/creator';
import { fanSpace } from './pages/fan';
import { bookingPages } from './pages/bookings';
import { callPages } from './pages/call';
import { notificationPages } from './pages/notifications';
import { unsubscribePages } from './pages/unsubscribe';
import { notificationsApi } from './api/notifications';
import { unreadCount } from './domain/notifications/render';
import { demoCallPages } from './pages/dev-demo-call';
import { devClockRoutes } from './pages/dev-clock';
import { localCheckoutPages } from './pages/local-checkout';
import { slotPages } from './pages/slots';
import { adminPages } from './pages/admin';
import { adminApi } from './api/admin';

const isApi = (path: string) => path === '/api' || path.startsWith('/api/');

export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  // First: a deploy missing its secrets answers 503 before anything reads or writes.
  app.use('*', requireConfig);
  app.use('*', requestContext);
  app.use('*', securityHeaders);
  app.use('*', session);
  app.use('*', csrf);
  // Pages know their viewer (language, zone, header); the page language comes from the URL when it has one.
  app.use('*', async (c, next) => {
    if (!isApi(c.req.path)) {
      const user = await ensureUser(c);
      if (user && c.req.method === 'GET') c.set('unread', await unreadCount(c.get('deps'), user.id));
    }
    const seg = c.req.path.split('/')[1];
    if (isLocale(seg)) c.set('locale', seg);
    await next();
  });
  app.use('*', bodyLimits);

  for (const api of [
    systemApi,
    authApi,
    meApi,
    availabilityApi,
    creatorsApi,
    offersApi,
    bookingsApi,
    callsApi,
    reviewsApi,
    notificationsApi,
    requestsApi,
    webhooksApi,
    paymentsApi,
    payoutsApi,
    adminApi,
  ])
    app.route(baseOf(api), api);
  for (const pages of [
    homePages,
    authPages,
    accountPages,
    apiDocsPages,
    devMailboxPages,
    mediaRoutes,
    creatorPages,
    offerPages,
    creatorSpace,
    fanSpace,
    bookingPages,
    callPages,
    localCheckoutPages,
    demoCallPages,
    devClockRoutes,
    notificationPages,
    unsubscribePages,
    slotPages,
  ])
    app.route('/', pages);
  // The admin area is one sub-app: every page in it is for admins (pages/admin/index.ts).
  app.route('/:lang{fr|en}/admin', adminPages);

  app.get('/', (c) => c.redirect(`/${c.get('locale')}/`, 302));

  app.notFound((c) => {
    if (isApi(c.req.path)) {
      const body: ErrorEnvelope = {
        error: { code: 'NOT_FOUND', message: `No route ${c.req.method} ${c.req.path}.`, requestId: c.get('requestId') },
      };
      return c.json(body, 404);
    }
    // Unprefixed page URLs (/signin) go to the viewer's language (/fr/signin).
    const seg = c.req.path.split('/')[1] ?? ''; // a path starts with '/': never missing
    if (
      c.req.method === 'GET' &&
      !isLocale(seg) &&
      !['static', 'dev', 'auth', 'cdn-cgi', 'media', 'checkout', 'email'].includes(seg)
    ) {
      const url = new URL(c.req.url);
      return c.redirect(`/${c.get('locale')}${url.pathname}${url.search}`, 302);
    }
    return errorPage(c, 404);
  });

  app.onError(async (err, c) => {
    const requestId = c.get('requestId') ?? 'unknown';
    const known = err instanceof AppError;
    if (!known) {
      const log = c.get('deps')?.log;
      const opts = { actorId: c.get('auth')?.userId ?? null, error: err };
      if (isApi(c.req.path))
        await log?.api.error(
          'API_ERROR',
          `Unhandled error on ${c.req.method} ${c.req.path}`,
          { method: c.req.method, path: c.req.path, status: 500 },
          opts,
        );
      else
        await log?.system.error(
          'SYSTEM_ERROR',
          `Unhandled error on ${c.req.method} ${c.req.path}`,
          { component: 'pages', method: c.req.method, path: c.req.path },
          opts,
        );
    }
    const status = known ? err.status : 500;
    const headers = known ? (err.headers ?? {}) : {};
    if (isApi(c.req.path) || !c.get('deps')) {
      // Messages are English unless the request asks for French (Accept-Language): then the code's
      // translation (the English ones stay as thrown: they can be more specific).
      const asked = localeFromAcceptLanguage(c.req.header('accept-language'));
      const t = asked && asked !== 'en' ? translator(asked) : null;
      const message = known
        ? t
          ? errorText(t, status, err)
          : err.message
        : t
          ? t('errors.server', { id: requestId })
          : 'Something went wrong on our side.';
      const body: ErrorEnvelope = {
        error: known
          ? { code: err.code, message, ...(err.details !== undefined ? { details: err.details } : {}), requestId }
          : { code: 'INTERNAL_ERROR', message, requestId },
      };
      return c.json(body, status as 500, headers);
    }
    // A page URL without a language (/checkout/…, /dev/…) speaks the viewer's, even when the error
    // came before the middleware that loads them (CSRF).
    if (!isLocale(c.req.path.split('/')[1])) await ensureUser(c).catch(() => null);
    const res = errorPage(c, status, known ? err : undefined);
    for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
    return res;
  });

  return app;
}
