/** The built-in email outbox, for development: /dev/mailbox. Disabled (404) in production. */
import { z } from 'zod';
import { outboxEmail, outboxHtml, outboxList } from '../domain/dev/outbox';
import { notFound } from '../http/errors';
import { formatDateTime } from '../i18n/format';
import { lenient, pageArea } from './page-route';
import { page, viewOf } from './render';

const area = pageArea('public');
export const devMailboxPages = area.app;
const EmailPath = { params: z.object({ id: z.string() }) };

area.app.use('/dev/*', async (c, next) => {
  if (!c.get('deps').config.devTools) throw notFound('Page');
  await next();
});

// ?to= narrows the list to one address.
area.get('/dev/mailbox', { query: z.object({ to: lenient(z.string()) }) }, async (c, { query }) => {
  const { t, locale, timezone } = viewOf(c);
  const { to } = query;
  const rows = await outboxList(c.get('deps'), to);
  return page(c, {
    title: t('mailbox.title'),
    body: (
      <>
        <h1>{t('mailbox.title')}</h1>
        <p class="muted">{t('mailbox.intro')}</p>
        <form method="get" action="/dev/mailbox" class="inline-form">
          <label for="mb-to" class="sr-only">
            {t('mailbox.filter')}
          </label>
          <input id="mb-to" name="to" type="email" placeholder={t('mailbox.filter')} value={to ?? ''} />
          <button type="submit" class="button secondary small">
            {t('mailbox.filterSubmit')}
          </button>
        </form>
        {rows.length === 0 ? (
          <p class="empty">{t('mailbox.empty')}</p>
        ) : (
          <table class="table">
            <thead>
              <tr>
                <th>{t('mailbox.to')}</th>
                <th>{t('mailbox.subject')}</th>
                <th>{t('mailbox.when')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr>
                  <td>{r.to}</td>
                  <td>
                    <a href={`/dev/mailbox/${r.id}`}>{r.subject}</a>
                  </td>
                  <td>{formatDateTime(r.createdAt, locale, timezone, 'short')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </>
    ),
  });
});

area.get('/dev/mailbox/:id', EmailPath, async (c, { params }) => {
  const { t, locale, timezone } = viewOf(c);
  const row = await outboxEmail(c.get('deps'), params.id);
  if (!row) throw notFound('Email');
  c.set('cspExtra', { frame: ["'self'"] });
  return page(c, {
    title: row.subject,
    mainClass: 'wide',
    body: (
      <>
        <p>
          <a href="/dev/mailbox">← {t('mailbox.title')}</a>
        </p>
        <h1>{row.subject}</h1>
        <dl class="meta">
          <dt>{t('mailbox.from')}</dt>
          <dd>{row.from}</dd>
          <dt>{t('mailbox.to')}</dt>
          <dd>{row.to}</dd>
          <dt>{t('mailbox.when')}</dt>
          <dd>{formatDateTime(row.createdAt, locale, timezone, 'medium')}</dd>
          {Object.entries(row.headers).map(([k, v]) => (
            <>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </>
          ))}
          {row.attachments.length ? (
            <>
              <dt>{t('mailbox.attachments')}</dt>
              <dd>{row.attachments.map((a) => `${a.filename} (${a.contentType}, ${a.size} B)`).join(', ')}</dd>
            </>
          ) : null}
        </dl>
        <iframe
          class="mail-frame"
          title={row.subject}
          src={`/dev/mailbox/${row.id}/html`}
          sandbox="allow-top-navigation-by-user-activation allow-popups"
        />
        <details>
          <summary>{t('mailbox.textPart')}</summary>
          <pre class="mail-text">{row.text}</pre>
        </details>
      </>
    ),
  });
});

area.get('/dev/mailbox/:id/html', EmailPath, async (c, { params }) => {
  const stored = await outboxHtml(c.get('deps'), params.id);
  if (stored === null) throw notFound('Email');
  // Links in the email open in the top window; the email itself runs no script.
  const html = stored.replace(/<head>/i, '<head><base target="_top">');
  return new Response(html, {
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy':
        "default-src 'none'; style-src 'unsafe-inline'; img-src data: https:; frame-ancestors 'self'",
      'x-frame-options': 'SAMEORIGIN',
    },
  });
});
