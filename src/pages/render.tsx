/** Page rendering: Preact → HTML string inside the shared layout, with the viewer's locale and zone. */
import type { ComponentChildren, VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { User } from '../domain/rows';
import type { Locale } from '../shared/enums';
import type { Ctx } from '../http/context';
import { translator, type MessageKey, type T } from '../i18n';
import { Layout } from './layout';

export interface View {
  locale: Locale;
  timezone: string;
  t: T;
  user: User | null;
  /** Current path without the /fr or /en prefix (for the language switch). */
  path: string;
  appName: string;
  /** SUPPORT_EMAIL: where the footer's support link writes to. */
  supportEmail: string;
  /** Prefixes a path with the page language: `href('/signin')` → `/fr/signin`. */
  href: (path: string) => string;
  /** Unread notifications (signed-in pages). */
  unread: number;
}

export function viewOf(c: Ctx): View {
  const locale = c.get('locale');
  const url = new URL(c.req.url);
  const path = url.pathname.replace(/^\/(fr|en)(?=\/|$)/, '') || '/';
  return {
    locale,
    timezone: c.get('timezone'),
    t: translator(locale),
    user: c.get('auth')?.user ?? null,
    unread: c.get('unread') ?? 0,
    path: path + url.search,
    appName: c.get('deps').config.appName,
    supportEmail: c.get('deps').config.supportEmail,
    href: (p: string) => `/${locale}${p === '/' ? '/' : p}`,
  };
}

export interface PageOptions {
  title: string;
  body: ComponentChildren;
  status?: number;
  /** Client islands to load (built to /static/<name>.js); any `data-island` in the page is added too. */
  islands?: string[];
  description?: string;
  /** Extra class on <main> (e.g. "wide"). */
  mainClass?: string;
}

const FLASH_COOKIE = 'flash';

/** Shows `key` as a notice on the next rendered page (after a redirect). */
export function flash(c: Ctx, key: MessageKey, kind: 'success' | 'info' | 'error' = 'success'): void {
  setCookie(c, FLASH_COOKIE, `${kind}:${key}`, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: true,
    maxAge: 60,
  });
}

function takeFlash(c: Ctx): { kind: string; key: MessageKey } | null {
  const raw = getCookie(c, FLASH_COOKIE);
  if (!raw) return null;
  deleteCookie(c, FLASH_COOKIE, { path: '/', secure: true });
  const [kind = '', key = ''] = raw.split(':');
  return /^[a-z]+$/.test(kind) && /^[\w.]+$/.test(key) ? { kind, key: key as MessageKey } : null;
}

export function page(c: Ctx, opts: PageOptions): Response {
  const view = viewOf(c);
  const notice = takeFlash(c);
  const vnode: VNode = (
    <Layout
      view={view}
      title={opts.title}
      description={opts.description}
      islands={opts.islands ?? []}
      notice={notice ? { kind: notice.kind, text: view.t(notice.key) } : null}
      mainClass={opts.mainClass}
    >
      {opts.body}
    </Layout>
  );
  let html = renderToString(vnode);
  // Islands placed by shared components (a slot picker inside the creator page…) load themselves.
  const declared = new Set(opts.islands ?? []);
  const found = [...new Set([...html.matchAll(/data-island="([a-z][a-z0-9-]*)"/g)].flatMap((m) => m[1] ?? []))].filter(
    (n) => !declared.has(n),
  );
  if (found.length)
    html = html.replace(
      '</head>',
      `${found.map((n) => `<script type="module" src="/static/${n}.js"></script>`).join('')}</head>`,
    );
  // A page rendered for someone signed in carries their data: never stored by a shared cache or the back/forward cache.
  if (c.get('auth')?.user) c.header('Cache-Control', 'private, no-store');
  return c.html(`<!doctype html>${html}`, (opts.status ?? 200) as 200);
}
