import { describe, expect, it } from 'vitest';
import { allKeys, dictionaries, localeFromAcceptLanguage, translate } from '../src/i18n';
import { formatDateTime, formatMoney, formatTime, parseMajorAmount, toMajorString } from '../src/i18n/format';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { createApp } from '../src/app';
import { AppError, tooManyRequests } from '../src/http/errors';
import { REFUSAL_CODES, refusal } from '../src/http/refusals';
import { api, BASE, createAccount, fetchApp, getPage, postForm, testEnv } from './helpers';

const NBSP = /[\u00a0\u202f]/g;

describe('dictionaries', () => {
  it('French and English have exactly the same keys, none empty', () => {
    const fr = allKeys(dictionaries.fr).sort();
    const en = allKeys(dictionaries.en).sort();
    expect(en).toEqual(fr);
    for (const k of fr) {
      expect(translate('fr', k as never).trim().length, k).toBeGreaterThan(0);
      expect(translate('en', k as never).trim().length, k).toBeGreaterThan(0);
    }
  });

  it('interpolates parameters', () => {
    expect(translate('en', 'email.greeting', { name: 'Ada' })).toBe('Hello Ada,');
    expect(translate('fr', 'email.greeting', { name: 'Ada' })).toBe('Bonjour Ada,');
  });
});

describe('formatting', () => {
  it('formats money by locale from minor units', () => {
    expect(formatMoney(10000, 'EUR', 'fr').replace(NBSP, ' ')).toBe('100,00 €');
    expect(formatMoney(10000, 'EUR', 'en')).toBe('€100.00');
    expect(formatMoney(4550, 'CHF', 'fr').replace(NBSP, ' ')).toBe('45,50 CHF');
    expect(formatMoney(1999, 'GBP', 'en')).toBe('£19.99');
    expect(formatMoney(5, 'USD', 'en')).toBe('$0.05');
  });

  it('parses typed amounts into minor units without floats', () => {
    expect(parseMajorAmount('12,50', 'EUR')).toBe(1250);
    expect(parseMajorAmount('0.1', 'EUR')).toBe(10);
    expect(parseMajorAmount('19.99', 'GBP')).toBe(1999);
    expect(parseMajorAmount('1.005', 'EUR')).toBeNull();
    expect(parseMajorAmount('-3', 'EUR')).toBeNull();
    expect(toMajorString(1250, 'EUR')).toBe('12.50');
  });

  it('shows one instant in each viewer’s zone, DST included', () => {
    const summer = new Date('2026-07-01T16:00:00Z');
    const winter = new Date('2026-12-01T16:00:00Z');
    expect(formatTime(summer, 'fr', 'Europe/Paris')).toBe('18:00');
    expect(formatTime(winter, 'fr', 'Europe/Paris')).toBe('17:00');
    expect(formatTime(summer, 'en', 'America/New_York').replace(NBSP, ' ')).toBe('12:00 PM');
    expect(formatTime(winter, 'en', 'America/New_York').replace(NBSP, ' ')).toBe('11:00 AM');
    expect(formatDateTime(winter, 'fr', 'Europe/Paris')).toContain('1 décembre 2026');
    expect(formatDateTime(winter, 'en', 'America/New_York')).toContain('December 1, 2026');
    // An unknown zone falls back to UTC instead of throwing.
    expect(formatTime(winter, 'fr', 'Not/AZone')).toBe('16:00');
  });

  it('reads Accept-Language with quality values', () => {
    expect(localeFromAcceptLanguage('en-US,en;q=0.9,fr;q=0.8')).toBe('en');
    expect(localeFromAcceptLanguage('de-DE,fr;q=0.5,en;q=0.4')).toBe('fr');
    expect(localeFromAcceptLanguage('de-DE')).toBeNull();
    expect(localeFromAcceptLanguage(undefined)).toBeNull();
  });
});

describe('language routing', () => {
  it('sends / to the Accept-Language choice, French by default', async () => {
    expect((await fetchApp('/', { headers: { 'accept-language': 'en-GB,en;q=0.9' } })).headers.get('location')).toBe(
      '/en/',
    );
    expect((await fetchApp('/', { headers: { 'accept-language': 'de' } })).headers.get('location')).toBe('/fr/');
    expect((await fetchApp('/')).headers.get('location')).toBe('/fr/');
  });

  it('prefers the signed-in user’s language over Accept-Language, and the URL over both', async () => {
    const { token } = await createAccount('USER', { locale: 'en' });
    const res = await fetchApp('/', { headers: { authorization: `Bearer ${token}`, 'accept-language': 'fr' } });
    expect(res.headers.get('location')).toBe('/en/');
    const page = await fetchApp('/fr/signin', { headers: { authorization: `Bearer ${token}` } });
    expect(page.status).toBe(303);
    // The URL wins over an English user and an English browser: /fr/account is French.
    const account = await fetchApp('/fr/account', {
      headers: { authorization: `Bearer ${token}`, 'accept-language': 'en-US,en;q=0.9' },
    });
    expect(account.status).toBe(200);
    const html = await account.text();
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain(`<h1>${translate('fr', 'account.title')}</h1>`);
    expect(html).not.toContain(translate('en', 'account.title'));
    expect(html).toContain(translate('fr', 'account.timezone'));
    // And the other way round.
    const fan = await createAccount('USER', { locale: 'fr' });
    const en = await (
      await fetchApp('/en/account', { headers: { authorization: `Bearer ${fan.token}`, 'accept-language': 'fr' } })
    ).text();
    expect(en).toContain('<html lang="en">');
    expect(en).toContain(`<h1>${translate('en', 'account.title')}</h1>`);
  });

  it('falls back URL → user setting → Accept-Language → French, at every step', async () => {
    const enUser = await createAccount('USER', { locale: 'en' });
    const frUser = await createAccount('USER', { locale: 'fr' });
    const where = async (path: string, headers: Record<string, string>) =>
      (await fetchApp(path, { headers })).headers.get('location');
    const as = (a: { token: string }, lang?: string) => ({
      authorization: `Bearer ${a.token}`,
      ...(lang ? { 'accept-language': lang } : {}),
    });
    // No language in the URL: the user's setting beats the header, whichever way round.
    expect(await where('/', as(enUser, 'fr-FR,fr'))).toBe('/en/');
    expect(await where('/', as(frUser, 'en-US,en'))).toBe('/fr/');
    expect(await where('/account', as(enUser, 'fr'))).toBe('/en/account');
    expect(await where('/account', as(frUser, 'en'))).toBe('/fr/account');
    // Nobody signed in: the header decides, then French.
    expect(await where('/signin', { 'accept-language': 'en-GB' })).toBe('/en/signin');
    expect(await where('/signin', { 'accept-language': 'de-DE,en;q=0.5' })).toBe('/en/signin');
    expect(await where('/signin', { 'accept-language': 'de-DE' })).toBe('/fr/signin');
    expect(await where('/signin', {})).toBe('/fr/signin');
    // With a language in the URL, neither the user nor the header matters.
    for (const headers of [as(enUser, 'en'), as(frUser, 'en'), { 'accept-language': 'en' }]) {
      expect(await (await fetchApp('/fr/creators', { headers })).text()).toContain('<html lang="fr">');
    }
    for (const headers of [as(frUser, 'fr'), as(enUser, 'fr'), { 'accept-language': 'fr' }]) {
      expect(await (await fetchApp('/en/creators', { headers })).text()).toContain('<html lang="en">');
    }
  });

  it('serves each page in the language of its URL, with a language switch', async () => {
    const fr = await (await fetchApp('/fr/signin')).text();
    expect(fr).toContain('<html lang="fr">');
    expect(fr).toContain('Connexion');
    expect(fr).toContain('href="/en/signin"');
    const en = await (await fetchApp('/en/signin')).text();
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('Sign in');
  });

  it('redirects unprefixed page URLs into a language, keeping the query', async () => {
    const res = await fetchApp('/signin?next=%2Fen%2Faccount', { headers: { 'accept-language': 'en' } });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/en/signin?next=%2Fen%2Faccount');
  });
});

describe('error pages and messages in the viewer’s language', () => {
  const EVIL = 'https://evil.example';
  const textOf = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

  it('every error code the app can answer with has a French and an English message', () => {
    const codes = [
      ...REFUSAL_CODES,
      'CSRF_FAILED',
      'FORBIDDEN_ROLE',
      'FORBIDDEN',
      'NOT_A_CREATOR',
      'ACCOUNT_DISABLED',
      'UNAUTHENTICATED',
      'RATE_LIMITED',
      'VALIDATION_ERROR',
      'INVALID_JSON',
      'UNEXPECTED_BODY',
      'UNSUPPORTED_MEDIA_TYPE',
      'PAYLOAD_TOO_LARGE',
      'TOKEN_INVALID',
    ];
    for (const code of codes) {
      for (const locale of ['fr', 'en'] as const)
        expect(translate(locale, `errors.codes.${code}` as never), `${locale} ${code}`).not.toBe(
          `errors.codes.${code}`,
        );
    }
  });

  it('every refusal code has its own French and English text, and the English one is what the API answers', () => {
    expect(new Set(REFUSAL_CODES).size).toBe(REFUSAL_CODES.length);
    for (const code of REFUSAL_CODES) {
      const key = `errors.codes.${code}` as const;
      for (const locale of ['fr', 'en'] as const) {
        expect(allKeys(dictionaries[locale]), `${locale} ${code}`).toContain(key);
        expect(translate(locale, key).trim().length, `${locale} ${code}`).toBeGreaterThan(0);
      }
      expect(refusal(code).message, code).toBe(translate('en', key));
    }
  });

  it('403 (wrong role) on /fr is French, on /en English — never the English message of the error', async () => {
    const fan = await createAccount('USER');
    const fr = await getPage('/fr/admin', fan.token);
    expect(fr.status).toBe(403);
    const frHtml = await fr.text();
    expect(frHtml).toContain('<html lang="fr">');
    expect(textOf(frHtml)).toContain(translate('fr', 'errors.codes.FORBIDDEN_ROLE'));
    expect(textOf(frHtml)).toContain(translate('fr', 'errors.forbiddenTitle'));
    expect(frHtml).not.toContain('administrators');
    const en = textOf(await (await getPage('/en/admin', fan.token)).text());
    expect(en).toContain(translate('en', 'errors.codes.FORBIDDEN_ROLE'));
  });

  it('CSRF refusal on a /fr form is French even from an English browser (the refusal comes before the URL is read)', async () => {
    const res = await postForm(
      '/fr/signin',
      { email: 'a@b.co', password: 'whatever-password' },
      { origin: EVIL, headers: { 'accept-language': 'en-US,en' } },
    );
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).toContain('<html lang="fr">');
    expect(textOf(html)).toContain(translate('fr', 'errors.codes.CSRF_FAILED'));
    expect(html).not.toContain('Cross-site');
    const en = await postForm(
      '/en/signin',
      { email: 'a@b.co', password: 'whatever-password' },
      { origin: EVIL, headers: { 'accept-language': 'fr' } },
    );
    expect(textOf(await en.text())).toContain(translate('en', 'errors.codes.CSRF_FAILED'));
  });

  it('404 on /fr is French', async () => {
    const res = await fetchApp('/fr/nothing-here', { headers: { 'accept-language': 'en' } });
    expect(res.status).toBe(404);
    const html = textOf(await res.text());
    expect(html).toContain(translate('fr', 'errors.notFoundTitle'));
    expect(html).toContain(translate('fr', 'errors.notFound'));
  });

  it("409 on /fr pages is French: a thrown conflict (its code's text, or the status text for an unknown code) and a taken email at sign-up", async () => {
    const app = createApp();
    app.get('/:lang/__conflict', () => {
      throw refusal('SLOT_UNAVAILABLE');
    });
    app.get('/:lang/__other', () => {
      throw new AppError(409, 'SOMETHING_NEW', 'Some English detail.');
    });
    app.get('/:lang/__limited', () => {
      throw tooManyRequests(42);
    });
    const open = async (path: string) => {
      const ctx = createExecutionContext();
      const res = await app.fetch(
        new Request(`${BASE}${path}`, { headers: { 'accept-language': 'en' } }),
        testEnv,
        ctx,
      );
      await waitOnExecutionContext(ctx);
      return { status: res.status, html: await res.text() };
    };
    const conflict = await open('/fr/__conflict');
    expect(conflict.status).toBe(409);
    expect(textOf(conflict.html)).toContain(translate('fr', 'errors.codes.SLOT_UNAVAILABLE'));
    expect(textOf(conflict.html)).toContain(translate('fr', 'errors.conflictTitle'));
    const other = await open('/fr/__other');
    expect(textOf(other.html)).toContain(translate('fr', 'errors.status.409'));
    expect(other.html).not.toContain('Some English detail');
    expect(textOf((await open('/en/__other')).html)).toContain(translate('en', 'errors.status.409'));
    const limited = await open('/fr/__limited');
    expect(limited.status).toBe(429);
    expect(textOf(limited.html)).toContain(translate('fr', 'errors.codes.RATE_LIMITED', { seconds: 42 }));
    // A page that answers 409 itself: the sign-up form with an address already taken.
    const taken = await createAccount('USER');
    const signup = await postForm(
      '/fr/signup',
      { email: taken.user.email, password: 'a-long-enough-pass', name: 'Twice', role: 'USER' },
      { headers: { 'accept-language': 'en', 'cf-connecting-ip': '198.51.100.77' } },
    );
    expect(signup.status).toBe(409);
    expect(textOf(await signup.text())).toContain(translate('fr', 'auth.errors.emailTaken'));
  });

  it('API errors follow Accept-Language: French when asked, English otherwise (code and details unchanged)', async () => {
    const fr = await api('GET', '/api/me', undefined, { headers: { 'accept-language': 'fr-FR,fr;q=0.9' } });
    expect(fr.status).toBe(401);
    expect(((await fr.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: translate('fr', 'errors.codes.UNAUTHENTICATED'),
    });
    for (const headers of [{}, { 'accept-language': 'en-US' }, { 'accept-language': 'de' }] as Record<
      string,
      string
    >[]) {
      const res = await api('GET', '/api/me', undefined, { headers });
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe('Sign in to continue.');
    }
    const bad = (await (
      await api('POST', '/api/auth/login', { email: 'nope' }, { headers: { 'accept-language': 'fr' } })
    ).json()) as { error: { code: string; message: string; details: { path: string }[] } };
    expect(bad.error.code).toBe('VALIDATION_ERROR');
    expect(bad.error.message).toBe(translate('fr', 'errors.codes.VALIDATION_ERROR'));
    expect(bad.error.details.map((d) => d.path)).toContain('email');
  });
});
