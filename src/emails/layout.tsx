/** Brand frame for every email: header, body, footer with support (and unsubscribe) links. */
import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { EmailContext, RenderedEmail } from './types';

const brand = '#5b4cf0';

function EmailFrame({
  ctx,
  preheader,
  children,
}: {
  ctx: EmailContext;
  preheader: string;
  children: ComponentChildren;
}) {
  return (
    <html lang={ctx.locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{ctx.appName}</title>
      </head>
      <body style="margin:0;padding:0;background:#f4f3fb;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#1d1b2c">
        <div style="display:none;max-height:0;overflow:hidden">{preheader}</div>
        <table
          role="presentation"
          width="100%"
          cellPadding="0"
          cellSpacing="0"
          style="background:#f4f3fb;padding:24px 0"
        >
          <tr>
            <td align="center">
              <table
                role="presentation"
                width="560"
                cellPadding="0"
                cellSpacing="0"
                style="max-width:560px;width:100%;background:#ffffff;border-radius:12px;overflow:hidden"
              >
                <tr>
                  <td style={`background:${brand};padding:20px 28px;color:#ffffff;font-size:20px;font-weight:700`}>
                    ★ {ctx.appName}
                  </td>
                </tr>
                <tr>
                  <td style="padding:28px;font-size:15px;line-height:1.6">{children}</td>
                </tr>
                <tr>
                  <td style="padding:18px 28px;background:#faf9ff;color:#6b6880;font-size:12px;line-height:1.5">
                    {ctx.t('email.footer.help')}{' '}
                    <a href={`mailto:${ctx.supportEmail}`} style={`color:${brand}`}>
                      {ctx.supportEmail}
                    </a>
                    {ctx.unsubscribeUrl ? (
                      <>
                        {' · '}
                        <a href={ctx.unsubscribeUrl} style={`color:${brand}`}>
                          {ctx.t('email.footer.unsubscribe')}
                        </a>
                      </>
                    ) : null}
                    <br />
                    {ctx.t('email.footer.sentTo', { name: ctx.recipientName })}
                  </td>
                </tr>
              </table>
            </td>
          </tr>
        </table>
      </body>
    </html>
  );
}

/** A call-to-action button that survives email clients. */
export function Button({ href, children }: { href: string; children: ComponentChildren }) {
  return (
    <p style="margin:24px 0">
      <a
        href={href}
        style={`display:inline-block;background:${brand};color:#ffffff;text-decoration:none;padding:12px 22px;border-radius:8px;font-weight:600`}
      >
        {children}
      </a>
    </p>
  );
}

/** A label/value table for call details. */
export function Details({ rows }: { rows: [string, string][] }) {
  return (
    <table
      role="presentation"
      cellPadding="0"
      cellSpacing="0"
      style="width:100%;margin:16px 0;border-collapse:collapse"
    >
      {rows.map(([k, v]) => (
        <tr>
          <td style="padding:6px 12px 6px 0;color:#6b6880;white-space:nowrap;vertical-align:top">{k}</td>
          <td style="padding:6px 0;font-weight:600">{v}</td>
        </tr>
      ))}
    </table>
  );
}

export function renderEmailHtml(ctx: EmailContext, preheader: string, body: ComponentChildren): string {
  return `<!doctype html>${renderToString(
    <EmailFrame ctx={ctx} preheader={preheader}>
      {body}
    </EmailFrame>,
  )}`;
}

/** Plain-text part with the same header and footer as the HTML. */
/** "Label: value" with the typography of the recipient's language ("Libellé : valeur" in French). */
export const kv = (ctx: Pick<EmailContext, 'locale'>, label: string, value: string) =>
  `${label}${ctx.locale === 'fr' ? '\u00a0: ' : ': '}${value}`;

export function renderEmailText(ctx: EmailContext, lines: string[]): string {
  const footer = [
    '--',
    `${ctx.t('email.footer.help')} ${ctx.supportEmail}`,
    ...(ctx.unsubscribeUrl ? [kv(ctx, ctx.t('email.footer.unsubscribe'), ctx.unsubscribeUrl)] : []),
  ];
  return [`${ctx.appName}`, '', ...lines, '', ...footer].join('\n');
}

export type { RenderedEmail };
