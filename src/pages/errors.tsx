/** Error pages (404, 500 and friends) for browsers; the API gets the JSON envelope instead. */
import type { Ctx } from '../http/context';
import { page, viewOf } from './render';

export function errorPage(c: Ctx, status: number, message?: string): Response {
  const { t, href } = viewOf(c);
  const notFound = status === 404;
  const title = notFound ? t('errors.notFoundTitle') : status >= 500 ? t('errors.serverTitle') : t('errors.genericTitle');
  const text = notFound ? t('errors.notFound') : status >= 500 ? t('errors.server', { id: c.get('requestId') }) : (message ?? t('errors.generic'));
  return page(c, {
    title,
    status,
    body: (
      <section class="error-page card">
        <p class="error-code">{status}</p>
        <h1>{title}</h1>
        <p>{text}</p>
        <p><a class="button" href={href('/')}>{t('errors.home')}</a></p>
      </section>
    ),
  });
}
