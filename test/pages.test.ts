import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { users } from '../src/db/schema';
import {
  cookieFrom,
  createAccount,
  deps,
  fetchApp,
  googleSignIn,
  lastEmailTo,
  postForm,
  testEnv,
  tokenFromEmail,
  uniqueEmail,
  userRow,
} from './helpers';

const SESSION = '__Host-cas';

describe('sign-up and sign-in pages (no JavaScript needed)', () => {
  it('signs up through the form, sets a secure session cookie and lands on the creator home', async () => {
    const email = uniqueEmail('form');
    const res = await postForm('/fr/signup', {
      role: 'CREATOR',
      name: 'Inès Forme',
      email,
      password: 'form-password-ok',
      timezone: 'America/New_York',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/fr/creator');
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION}=`))!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/Secure/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const cookie = cookieFrom(res, SESSION)!;
    const flash = cookieFrom(res, 'flash')!;
    const home = await fetchApp('/fr/creator', { headers: { cookie: `${cookie}; ${flash}` } });
    const html = await home.text();
    expect(html).toContain('Bonjour, Inès Forme');
    expect(html).toContain('Bienvenue');
    expect(html).toContain('Mise en route');
    expect(html).toContain(email);
    const user = await deps().db.select().from(users).where(eq(users.email, email)).get();
    expect(user).toMatchObject({ role: 'CREATOR', locale: 'fr', timezone: 'America/New_York' });
  });

  it('re-renders the form with localized errors and keeps what was typed (never the password)', async () => {
    const res = await postForm('/en/signup', { role: 'USER', name: 'Bob', email: 'not-an-email', password: 'short' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Invalid email address.');
    expect(html).toContain('At least 10 characters.');
    expect(html).toContain('value="Bob"');
    expect(html).not.toContain('value="short"');
    const fr = await (
      await postForm('/fr/signup', { role: 'USER', name: 'Bob', email: 'x', password: 'short' })
    ).text();
    expect(fr).toContain('Adresse e-mail invalide.');
  });

  it('shows a clear error on bad credentials and signs in with good ones (to the requested page)', async () => {
    const a = await createAccount();
    const bad = await postForm('/fr/signin', { email: a.user.email, password: 'nope-nope-nope' });
    expect(bad.status).toBe(401);
    expect(await bad.text()).toContain('E-mail ou mot de passe incorrect.');
    const good = await postForm('/fr/signin', { email: a.user.email, password: a.password, next: '/fr/account' });
    expect(good.status).toBe(303);
    expect(good.headers.get('location')).toBe('/fr/account');
    const evil = await postForm('/fr/signin', { email: a.user.email, password: a.password, next: '//evil.example/x' });
    expect(evil.headers.get('location')).toBe('/en/dashboard');
  });

  it('replaces any pre-existing session on sign-in (no session fixation) and signs out', async () => {
    const a = await createAccount();
    const first = cookieFrom(await postForm('/en/signin', { email: a.user.email, password: a.password }), SESSION)!;
    const second = await postForm('/en/signin', { email: a.user.email, password: a.password }, { cookie: first });
    const secondCookie = cookieFrom(second, SESSION)!;
    expect(secondCookie).not.toBe(first);
    expect((await fetchApp('/en/account', { headers: { cookie: first } })).status).toBe(303);
    const out = await postForm('/en/signout', {}, { cookie: secondCookie });
    expect(out.status).toBe(303);
    expect((await fetchApp('/en/account', { headers: { cookie: secondCookie } })).status).toBe(303);
  });

  it('asks anonymous visitors to sign in before the account page', async () => {
    const res = await fetchApp('/en/account');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/en/signin?next=%2Fen%2Faccount');
  });

  it('verifies the email through the page only on POST (link scanners do nothing)', async () => {
    const email = uniqueEmail('verify');
    await postForm('/en/signup', { role: 'USER', name: 'Vera', email, password: 'verify-password-1' });
    const token = tokenFromEmail((await lastEmailTo(email))!.text);
    const get = await fetchApp(`/en/verify-email?token=${token}`);
    expect(await get.text()).toContain('Confirm my address');
    expect((await deps().db.select().from(users).where(eq(users.email, email)).get())!.emailVerifiedAt).toBeNull();
    const post = await postForm('/en/verify-email', { token });
    expect(post.status).toBe(303);
    expect((await deps().db.select().from(users).where(eq(users.email, email)).get())!.emailVerifiedAt).not.toBeNull();
    expect((await postForm('/en/verify-email', { token })).status).toBe(410);
  });

  it('resets a forgotten password through the pages', async () => {
    const a = await createAccount();
    const asked = await postForm('/en/forgot-password', { email: a.user.email });
    expect(await asked.text()).toContain('If an account exists');
    const token = tokenFromEmail((await lastEmailTo(a.user.email))!.text);
    const weak = await postForm('/en/reset-password', { token, password: 'short' });
    expect(weak.status).toBe(400);
    const done = await postForm('/en/reset-password', { token, password: 'reset-through-page' });
    expect(done.headers.get('location')).toBe('/en/signin');
    expect((await postForm('/en/signin', { email: a.user.email, password: 'reset-through-page' })).status).toBe(303);
  });

  it('updates language and time zone from the account page', async () => {
    const a = await createAccount();
    const cookie = cookieFrom(await postForm('/en/signin', { email: a.user.email, password: a.password }), SESSION)!;
    const res = await postForm(
      '/en/account/profile',
      { name: 'Changed', locale: 'fr', timezone: 'Asia/Tokyo' },
      { cookie },
    );
    expect(res.headers.get('location')).toBe('/fr/account');
    expect(await userRow(a.user.id)).toMatchObject({
      name: 'Changed',
      locale: 'fr',
      timezone: 'Asia/Tokyo',
    });
  });
});

describe('Google sign-in (against the local fake)', () => {
  const googleRoundTrip = (profile: Record<string, string>) => googleSignIn(profile, '/en/account');

  it('creates a verified fan account from a verified Google identity and signs it in', async () => {
    const email = uniqueEmail('google');
    const res = await googleRoundTrip({ sub: `g-${email}`, email, email_verified: 'true', name: 'Grace Google' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/en/account');
    expect(cookieFrom(res, SESSION)).toBeTruthy();
    const user = await deps().db.select().from(users).where(eq(users.email, email)).get();
    expect(user).toMatchObject({ googleSub: `g-${email}`, role: 'USER', passwordHash: null });
    expect(user!.emailVerifiedAt).not.toBeNull();
  });

  it('links to an existing account by verified email, and refuses unverified Google emails', async () => {
    const a = await createAccount();
    const linked = await googleRoundTrip({ sub: 'g-linked-1', email: a.user.email, email_verified: 'true' });
    expect(linked.status).toBe(303);
    expect((await userRow(a.user.id)).googleSub).toBe('g-linked-1');
    const unverified = await googleRoundTrip({
      sub: 'g-unverified',
      email: uniqueEmail('unv'),
      email_verified: 'false',
    });
    expect(unverified.headers.get('location')).toBe('/en/signin');
    expect(cookieFrom(unverified, SESSION)).toBeNull();
  });

  it('rejects a callback whose state does not match', async () => {
    const start = await fetchApp('/auth/google/start?lang=fr');
    const res = await fetchApp('/auth/google/callback?code=abc&state=forged', {
      headers: { cookie: cookieFrom(start, 'g_oauth')! },
    });
    expect(res.headers.get('location')).toBe('/fr/signin');
    expect(cookieFrom(res, SESSION)).toBeNull();
  });
});

describe('layout', () => {
  it("the footer's support link writes to SUPPORT_EMAIL, whatever it is configured to", async () => {
    const { createApp } = await import('../src/app');
    const { createExecutionContext, waitOnExecutionContext } = await import('cloudflare:test');
    const configured = testEnv.SUPPORT_EMAIL;
    expect(await (await fetchApp('/en/')).text()).toContain(`href="mailto:${configured}"`);
    for (const supportEmail of ['help@other-brand.example', 'assistance@callastar.example']) {
      const ctx = createExecutionContext();
      const res = await createApp().fetch(
        new Request('http://localhost/fr/creators'),
        { ...testEnv, SUPPORT_EMAIL: supportEmail },
        ctx,
      );
      await waitOnExecutionContext(ctx);
      const html = await res.text();
      expect(html).toContain(`href="mailto:${supportEmail}"`);
      expect(html).not.toContain(`mailto:${configured}`);
    }
  });
});
