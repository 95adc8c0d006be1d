/**
 * A deploy missing what its environment needs fails closed: every request gets 503 MISCONFIGURED
 * (no detail for the visitor) and the reason goes to the Worker's logs — never built-in stand-ins.
 */
import type { MiddlewareHandler } from 'hono';
import { ConfigError, readConfig } from '../env';
import { isLocale, localeFromAcceptLanguage, DEFAULT_LOCALE, translator } from '../i18n';
import { randomId } from '../lib/ids';
import type { AppEnv } from './context';
import type { ErrorEnvelope } from './errors';

export const requireConfig: MiddlewareHandler<AppEnv> = async (c, next) => {
  try {
    readConfig(c.env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const requestId = randomId('log', 16).replace('log_', 'req_');
    // Nothing is written anywhere (the database is not touched): the console is Workers Logs.
    console.error(JSON.stringify({ level: 'CRITICAL', type: 'MISCONFIGURED', message: e.message, requestId }));
    return misconfigured(c.req.raw, requestId);
  }
  await next();
};

function misconfigured(req: Request, requestId: string): Response {
  const url = new URL(req.url);
  const seg = url.pathname.split('/')[1];
  const locale = isLocale(seg) ? seg : (localeFromAcceptLanguage(req.headers.get('accept-language')) ?? DEFAULT_LOCALE);
  const t = translator(locale);
  const message = t('errors.codes.MISCONFIGURED');
  const headers = {
    'Cache-Control': 'no-store',
    'Retry-After': '300',
    'X-Request-Id': requestId,
    'X-Content-Type-Options': 'nosniff',
  };
  if (seg === 'api') {
    const body: ErrorEnvelope = { error: { code: 'MISCONFIGURED', message, requestId } };
    return Response.json(body, { status: 503, headers });
  }
  const title = t('errors.misconfiguredTitle');
  const html = `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head><body><main><h1>${title}</h1><p>${message}</p></main></body></html>`;
  return new Response(html, {
    status: 503,
    headers: {
      ...headers,
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
      'X-Frame-Options': 'DENY',
    },
  });
}
