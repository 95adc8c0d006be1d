/** Error pages (404, 500 and friends) for browsers; the API gets the JSON envelope instead. */
import type { Ctx } from '../http/context';
import { isLocale, type MessageKey, type T } from '../i18n';
import { page, viewOf } from './render';

/** What went wrong, as far as the page tells it: the error's code and the details its text may need. */
export interface PageError {
  code: string;
  details?: unknown;
  headers?: Record<string, string>;
}

/**
 * The page's text for an error: the code's own message when fr.json/en.json has one
 * (`errors.codes.<CODE>`), else the status's (`errors.status.<status>`) — never the English
 * message an AppError carries for API clients.
 */
export function errorText(t: T, status: number, err?: PageError): string {
  const seconds = retryAfterOf(err);
  const params = { seconds: seconds ?? 60 };
  if (err) {
    const key = `errors.codes.${err.code}` as MessageKey;
    const text = t(key, params);
    if (text !== key && !(err.code === 'RATE_LIMITED' && seconds === null)) return text;
  }
  const key = `errors.status.${status}` as MessageKey;
  const text = t(key, params);
  return text !== key ? text : t('errors.generic');
}

function retryAfterOf(err?: PageError): number | null {
  const fromDetails = (err?.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  const raw = typeof fromDetails === 'number' ? fromDetails : Number(err?.headers?.['Retry-After'] ?? NaN);
  return Number.isFinite(raw) && raw > 0 ? raw : null;
}

export function errorPage(c: Ctx, status: number, err?: PageError): Response {
  // The URL's language wins even when the error came before the middleware that reads it (CSRF).
  const seg = new URL(c.req.url).pathname.split('/')[1];
  if (isLocale(seg)) c.set('locale', seg);
  const { t, href } = viewOf(c);
  const notFound = status === 404;
  const title = notFound
    ? t('errors.notFoundTitle')
    : status >= 500
      ? t('errors.serverTitle')
      : status === 401 || status === 403
        ? t('errors.forbiddenTitle')
        : status === 409
          ? t('errors.conflictTitle')
          : status === 429
            ? t('errors.rateLimitedTitle')
            : t('errors.genericTitle');
  const text = notFound
    ? t('errors.notFound')
    : status >= 500
      ? t('errors.server', { id: c.get('requestId') })
      : errorText(t, status, err);
  return page(c, {
    title,
    status,
    body: (
      <section class="error-page card">
        <p class="error-code">{status}</p>
        <h1>{title}</h1>
        <p>{text}</p>
        <p>
          <a class="button" href={href('/')}>
            {t('errors.home')}
          </a>
        </p>
      </section>
    ),
  });
}
