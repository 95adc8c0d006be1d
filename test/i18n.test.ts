import { describe, expect, it } from 'vitest';
import { allKeys, dictionaries, localeFromAcceptLanguage, translate } from '../src/i18n';
import { formatDateTime, formatMoney, formatTime, parseMajorAmount, toMajorString } from '../src/i18n/format';
import { createAccount, fetchApp } from './helpers';

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
    expect((await fetchApp('/', { headers: { 'accept-language': 'en-GB,en;q=0.9' } })).headers.get('location')).toBe('/en/');
    expect((await fetchApp('/', { headers: { 'accept-language': 'de' } })).headers.get('location')).toBe('/fr/');
    expect((await fetchApp('/')).headers.get('location')).toBe('/fr/');
  });

  it('prefers the signed-in user’s language over Accept-Language, and the URL over both', async () => {
    const { token } = await createAccount('USER', { locale: 'en' });
    const res = await fetchApp('/', { headers: { authorization: `Bearer ${token}`, 'accept-language': 'fr' } });
    expect(res.headers.get('location')).toBe('/en/');
    const page = await fetchApp('/fr/signin', { headers: { authorization: `Bearer ${token}` } });
    expect(page.status).toBe(303);
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
