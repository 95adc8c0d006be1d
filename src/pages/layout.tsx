/** The site frame: header (brand, navigation, language switch, sign-in state), main, footer. */
import type { ComponentChildren } from 'preact';
import type { View } from './render';

function LangSwitch({ view }: { view: View }) {
  return (
    <nav class="lang" aria-label={view.t('nav.language')}>
      {(['fr', 'en'] as const).map((l) => (
        <a
          href={`/${l}${view.path === '/' ? '/' : view.path}`}
          lang={l}
          hreflang={l}
          aria-current={l === view.locale ? 'true' : undefined}
          class={l === view.locale ? 'active' : ''}
        >
          {l.toUpperCase()}
        </a>
      ))}
    </nav>
  );
}

function Header({ view }: { view: View }) {
  const { t, user, href } = view;
  return (
    <header class="site-header">
      <div class="container header-row">
        <a class="brand" href={href('/')}>
          <span class="brand-star" aria-hidden="true">
            ★
          </span>{' '}
          {view.appName}
        </a>
        <nav class="main-nav" aria-label={t('nav.main')}>
          <a href={href('/creators')}>{t('nav.creators')}</a>
          {user ? <a href={href('/dashboard')}>{t('nav.dashboard')}</a> : null}
          {user && (user.role === 'CREATOR' || user.role === 'ADMIN') ? (
            <a href={href('/creator')}>{t('nav.creatorSpace')}</a>
          ) : null}
          {user?.role === 'ADMIN' ? <a href={href('/admin')}>{t('nav.admin')}</a> : null}
          {user ? (
            <>
              <a
                class="bell"
                href={href('/notifications')}
                aria-label={t('notifications.bell', { n: view.unread })}
                data-bell
                data-label={t('notifications.bell', { n: '{n}' })}
              >
                <svg
                  aria-hidden="true"
                  width="20"
                  height="20"
                  viewBox="0 0 24 24"
                  fill="none"
                  stroke="currentColor"
                  stroke-width="2"
                  stroke-linecap="round"
                  stroke-linejoin="round"
                >
                  <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
                  <path d="M13.73 21a2 2 0 0 1-3.46 0" />
                </svg>
                <span class="bell-count" data-bell-count hidden={view.unread === 0}>
                  {view.unread > 99 ? '99+' : view.unread}
                </span>
              </a>
              <a href={href('/account')} class="nav-user" title={user.email}>
                {user.name}
              </a>
              <form method="post" action={href('/signout')} class="inline">
                <button type="submit" class="link-button">
                  {t('nav.signout')}
                </button>
              </form>
            </>
          ) : (
            <>
              <a href={href('/signin')}>{t('nav.signin')}</a>
              <a href={href('/signup')} class="button small">
                {t('nav.signup')}
              </a>
            </>
          )}
        </nav>
        <LangSwitch view={view} />
      </div>
    </header>
  );
}

function Footer({ view }: { view: View }) {
  const { t, href } = view;
  return (
    <footer class="site-footer">
      <div class="container footer-row">
        <p>
          © 2026 {view.appName} · {t('footer.tagline')}
        </p>
        <nav aria-label={t('nav.footer')}>
          <a href={href('/docs/api')}>{t('footer.api')}</a>
          <a href={`mailto:${view.supportEmail}`}>{t('footer.support')}</a>
        </nav>
      </div>
    </footer>
  );
}

export function Layout(props: {
  view: View;
  title: string;
  description?: string;
  islands: string[];
  notice: { kind: string; text: string } | null;
  mainClass?: string;
  children: ComponentChildren;
}) {
  const { view } = props;
  return (
    <html lang={view.locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · ${view.appName}`}</title>
        {props.description ? <meta name="description" content={props.description} /> : null}
        <link rel="stylesheet" href="/static/app.css" />
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
        <link rel="alternate" hreflang="fr" href={`/fr${view.path === '/' ? '/' : view.path}`} />
        <link rel="alternate" hreflang="en" href={`/en${view.path === '/' ? '/' : view.path}`} />
        <script type="module" src="/static/app.js" />
        {props.islands.map((name) => (
          <script type="module" src={`/static/${name}.js`} />
        ))}
      </head>
      <body>
        <a class="skip-link" href="#main">
          {view.t('nav.skip')}
        </a>
        <Header view={view} />
        <main id="main" class={`container ${props.mainClass ?? ''}`.trim()}>
          {props.notice ? (
            <div class={`notice ${props.notice.kind}`} role="status">
              {props.notice.text}
            </div>
          ) : null}
          {props.children}
        </main>
        <Footer view={view} />
      </body>
    </html>
  );
}
