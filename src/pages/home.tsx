/** Landing page. */
import { pageArea } from './page-route';
import { page, viewOf } from './render';

const area = pageArea('public');
export const homePages = area.app;

area.get('/:lang{fr|en}/', {}, (c) => {
  const { t, href, user } = viewOf(c);
  return page(c, {
    title: t('home.title'),
    description: t('home.lead'),
    mainClass: 'wide',
    body: (
      <>
        <section class="hero">
          <div>
            <h1>{t('home.headline')}</h1>
            <p class="lead">{t('home.lead')}</p>
            <div class="actions">
              {user ? (
                <a class="button" href={href('/account')}>
                  {t('home.ctaAccount')}
                </a>
              ) : (
                <>
                  <a class="button" href={href('/signup')}>
                    {t('home.ctaFan')}
                  </a>
                  <a class="button secondary" href={href('/signup?as=creator')}>
                    {t('home.ctaCreator')}
                  </a>
                </>
              )}
            </div>
          </div>
          <div class="hero-card card" aria-hidden="true">
            <div class="hero-avatar">★</div>
            <p class="hero-name">{t('home.sampleName')}</p>
            <p class="muted">{t('home.sampleWhen')}</p>
            <p class="hero-price">{t('home.samplePrice')}</p>
            <span class="badge success">{t('home.sampleStatus')}</span>
          </div>
        </section>
        <section class="steps" aria-labelledby="how-h">
          <h2 id="how-h">{t('home.howTitle')}</h2>
          <ol class="grid three">
            <li class="card">
              <h3>{t('home.step1Title')}</h3>
              <p>{t('home.step1')}</p>
            </li>
            <li class="card">
              <h3>{t('home.step2Title')}</h3>
              <p>{t('home.step2')}</p>
            </li>
            <li class="card">
              <h3>{t('home.step3Title')}</h3>
              <p>{t('home.step3')}</p>
            </li>
          </ol>
        </section>
        <section class="promises" aria-labelledby="why-h">
          <h2 id="why-h">{t('home.whyTitle')}</h2>
          <ul class="grid two checklist">
            <li>{t('home.why1')}</li>
            <li>{t('home.why2')}</li>
            <li>{t('home.why3')}</li>
            <li>{t('home.why4')}</li>
          </ul>
        </section>
      </>
    ),
  });
});
