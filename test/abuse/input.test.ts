/**
 * Attacker stories about input that tries to leave the site or its line: open redirects through
 * every redirect parameter, control characters in single-line text (into .ics files and email
 * headers), and oversized or endless bodies on page routes.
 */
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { FAKE_GOOGLE_CLIENT } from '../fake-credentials';
import { BASE, cookieFrom, createAccount, deps, fetchApp, postPage, testEnv, type TestAccount } from '../helpers';
import { book, offerFor, onboardedCreator, type CreatorScenario } from '../scenarios';
import { bookings } from '../../src/db/schema';
import { safeRedirectTarget } from '../../src/http/redirect';

// ------------------------------------------------------------------------------------------------ open redirects

/** Values as the route receives them (after the query string or form is decoded once). */
const REDIRECT_TRICKS: [string, string][] = [
  ['tab (browsers drop it: //evil)', '/\t/evil.example'],
  ['LF', '/\n/evil.example'],
  ['CR (header splitting)', '/\r/evil.example'],
  ['CRLF + header', '/x\r\nSet-Cookie: pwned=1'],
  ['NUL', '/\u0000/evil.example'],
  ['DEL', '/\u007f/evil.example'],
  ['C1 control', '/\u0085/evil.example'],
  ['%09', '/%09/evil.example'],
  ['%0a', '/%0a/evil.example'],
  ['%0d', '/%0d/evil.example'],
  ['%0d%0a + header', '/%0d%0aSet-Cookie:%20pwned=1'],
  ['%00', '/%00/evil.example'],
  ['leading space', ' /evil.example'],
  ['leading space, protocol-relative', ' //evil.example'],
  ['trailing space', '/en/account '],
  ['protocol-relative', '//evil.example'],
  ['triple slash', '///evil.example'],
  ['slash backslash', '/\\evil.example'],
  ['double backslash', '\\\\evil.example'],
  ['backslash slash', '\\/evil.example'],
  ['%5c', '/%5cevil.example'],
  ['%5C%5C', '/%5C%5Cevil.example'],
  ['scheme without slashes', 'https:evil.example'],
  ['scheme with one slash', 'https:/evil.example'],
  ['absolute URL, other host', 'https://evil.example/'],
  ['absolute URL, look-alike host', 'http://localhost.evil.example/'],
  ['absolute URL, same host other port', 'http://localhost:8080/en/account'],
  ['javascript:', 'javascript:alert(document.cookie)'],
  ['JavaScript: mixed case', 'JaVaScRiPt:alert(1)'],
  ['data:', 'data:text/html,<script>alert(1)</script>'],
  ['encoded //', '/%2F%2Fevil.example'],
  ['encoded // without the leading slash', '%2F%2Fevil.example'],
  ['double-encoded //', '/%252F%252Fevil.example'],
  ['double-encoded tab', '/%2509/evil.example'],
  ['dot segment to //', '/.//evil.example'],
  ['dot-dot segment to //', '/..//evil.example'],
  ['encoded dot-dot to //', '/%2e%2e//evil.example'],
  ['no-break space', '/\u00a0/evil.example'],
  ['ideographic space', '/\u3000/evil.example'],
  ['line separator', '/\u2028/evil.example'],
  ['paragraph separator', '/\u2029/evil.example'],
  ['byte order mark', '\ufeff//evil.example'],
  ['encoded no-break space', '/%C2%A0/evil.example'],
  ['userinfo on our host', 'http://localhost@evil.example/'],
  ['userinfo, protocol-relative', '//localhost@evil.example/'],
  ['userinfo, backslash', '/\\localhost@evil.example'],
  ['broken percent-encoding', '/en/%E0%A4%A'],
  ['very long', `/en/${'a'.repeat(5000)}`],
];

/** A legitimate value must still be honoured: the table would pass vacuously otherwise. */
const LEGIT = '/en/account?tab=emails#top';

interface RedirectCase {
  name: string;
  /** The default page the route falls back to. */
  fallback: string;
  /** The Location for a target (default: the target itself). */
  location?: (target: string) => string;
  send: (value: string, i: number) => Promise<Response>;
}

let creator: CreatorScenario;
let fan: TestAccount;
let admin: TestAccount;
let held: { bookingId: string; intentId: string };
let heldPay: { bookingId: string; intentId: string };
let confirmed: { bookingId: string };

beforeAll(async () => {
  creator = await onboardedCreator();
  fan = await createAccount('USER');
  admin = await createAccount('ADMIN');
  const heldOut = (await (await book((await offerFor(creator)).id, fan.token)).json()) as { booking: { id: string }; payment: { intentId: string } };
  held = { bookingId: heldOut.booking.id, intentId: heldOut.payment.intentId };
  const heldPayOut = (await (await book((await offerFor(creator)).id, fan.token)).json()) as { booking: { id: string }; payment: { intentId: string } };
  heldPay = { bookingId: heldPayOut.booking.id, intentId: heldPayOut.payment.intentId };
  const paid = (await (await book((await offerFor(creator)).id, fan.token)).json()) as { booking: { id: string }; payment: { intentId: string } };
  await deps().localPayments!.checkout(paid.payment.intentId, 'succeed');
  confirmed = { bookingId: paid.booking.id };
});

const q = encodeURIComponent;
const bearer = (a: TestAccount) => ({ authorization: `Bearer ${a.token}` });

/** A Google sign-in whose state cookie carries `next` (as one set before a fix would have). */
async function googleWith(next: string, i: number): Promise<Response> {
  const start = await fetchApp('/auth/google/start?lang=en');
  const authorize = new URL(start.headers.get('location')!);
  const saved = JSON.parse(decodeURIComponent(cookieFrom(start, 'g_oauth')!.slice('g_oauth='.length))) as Record<string, string>;
  const consent = new URL(`${testEnv.FAKES_URL}/google/__consent`);
  for (const k of ['client_id', 'redirect_uri', 'state', 'code_challenge']) consent.searchParams.set(k, authorize.searchParams.get(k)!);
  expect(authorize.searchParams.get('client_id')).toBe(FAKE_GOOGLE_CLIENT.id);
  const email = `redirect-google-${i}@example.test`;
  for (const [k, v] of Object.entries({ sub: `g-redirect-${i}`, email, email_verified: 'true', name: 'Redirect Google' })) consent.searchParams.set(k, v);
  const { code, state } = (await (await fetch(consent)).json()) as { code: string; state: string };
  const cookie = `g_oauth=${q(JSON.stringify({ ...saved, next }))}`;
  return fetchApp(`/auth/google/callback?code=${code}&state=${state}`, { headers: { cookie } });
}

const CASES: () => RedirectCase[] = () => [
  { name: 'GET /signin?next= (signed in)', fallback: '/en/dashboard', send: (v) => fetchApp(`/en/signin?next=${q(v)}`, { headers: bearer(fan) }) },
  {
    name: 'POST /signin next=', fallback: '/en/dashboard',
    // One address per attempt: the sign-in limiter counts per (IP, email) and per IP.
    send: (v, i) => fetchApp('/en/signin', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: BASE, 'cf-connecting-ip': `198.51.100.${i}` }, body: new URLSearchParams({ email: fan.user.email, password: fan.password, next: v }).toString() }),
  },
  { name: 'Google callback (next kept in the state cookie)', fallback: '/en/dashboard', send: googleWith },
  { name: 'POST /bookings/:id/cancel back=', fallback: `/en/bookings/${confirmed.bookingId}`, send: (v) => postPage(`/en/bookings/${confirmed.bookingId}/cancel`, fan.token, { back: v }) },
    {
    // 3-D Secure keeps the hold (a decline would end it) and sends the fan on with the checked value.
    name: 'POST /checkout/local/:intent/pay?return=', fallback: `/en/bookings/${heldPay.bookingId}`, location: (t) => `/checkout/local/${heldPay.intentId}?return=${q(t)}`,
    send: (v) => postPage(`/checkout/local/${heldPay.intentId}/pay?return=${q(v)}`, fan.token, { outcome: '3ds' }),
  },
  { name: 'POST /checkout/local/onboarding/:acct?return=', fallback: '/en/creator/payments', send: (v) => postPage(`/checkout/local/onboarding/${creator.creator.stripeAccountId}?return=${q(v)}`, creator.token) },
  { name: 'POST /admin/payouts/:id/reject back=', fallback: '/en/admin/payouts', send: (v) => postPage('/en/admin/payouts/pyt_aaaaaaaaaaaa/reject', admin.token, { reason: '', back: v }) },
  { name: 'POST /admin/reviews/:id/hide back=', fallback: '/en/admin/reviews', send: (v) => postPage('/en/admin/reviews/rev_aaaaaaaaaaaa/hide', admin.token, { reason: '', back: v }) },
];

describe('safeRedirectTarget', () => {
  const ORIGIN = 'https://callastar.example';
  it.each(REDIRECT_TRICKS)('%s → the fallback', (_name, value) => {
    expect(safeRedirectTarget(value, 'http://localhost', '/fallback')).toBe('/fallback');
    expect(safeRedirectTarget(value.replaceAll('localhost', 'callastar.example'), ORIGIN, '/fallback')).toBe('/fallback');
  });
  it.each([
    ['a path', '/en/account', '/en/account'],
    ['query and fragment', '/en/account?tab=emails#top', '/en/account?tab=emails#top'],
    ['an encoded path inside the query', '/en/signin?next=%2Fen%2Faccount', '/en/signin?next=%2Fen%2Faccount'],
    ['an absolute URL on this origin', `${ORIGIN}/en/creator/payments/return`, '/en/creator/payments/return'],
    ['dot segments that stay here', '/en/admin/../account', '/en/account'],
    ['non-ASCII, percent-encoded on the way out', '/en/c/é', '/en/c/%C3%A9'],
  ])('%s is kept', (_name, value, target) => {
    expect(safeRedirectTarget(value, ORIGIN, '/fallback')).toBe(target);
  });
  it('nothing → the fallback; `within` keeps the target under a path', () => {
    for (const v of [undefined, null, '']) expect(safeRedirectTarget(v, ORIGIN, '/fallback')).toBe('/fallback');
    expect(safeRedirectTarget('/en/admin/reviews?page=2', ORIGIN, '/f', '/en/admin/reviews')).toBe('/en/admin/reviews?page=2');
    expect(safeRedirectTarget('/en/admin/reviews/x', ORIGIN, '/f', '/en/admin/reviews')).toBe('/en/admin/reviews/x');
    expect(safeRedirectTarget('/en/admin/reviewsx', ORIGIN, '/f', '/en/admin/reviews')).toBe('/f');
    expect(safeRedirectTarget('/en/admin/../account', ORIGIN, '/f', '/en/admin')).toBe('/f');
    expect(safeRedirectTarget('/en//evil.example', ORIGIN, '/f', '/en/admin')).toBe('/f');
  });
});

describe('open redirects: every redirect parameter × every trick', () => {
  it('each trick falls back to the route\'s default page on this origin (3xx, never a 5xx); a local path is still honoured', async () => {
    const failures: string[] = [];
    let i = 0;
    for (const c of CASES()) {
      for (const [trick, value] of REDIRECT_TRICKS) {
        const res = await c.send(value, ++i);
        const location = res.headers.get('location');
        if (res.status !== 303 || location !== (c.location ?? String)(c.fallback)) failures.push(`${c.name} ${trick} → ${res.status} ${location?.slice(0, 60)}`);
        await res.body?.cancel();
      }
      const legit = c.name.startsWith('POST /admin/payouts') ? '/admin/payouts?tab=debts' : c.name.startsWith('POST /admin/reviews') ? '/admin/reviews?status=hidden' : LEGIT;
      const res = await c.send(legit, ++i);
      const expected = (c.location ?? String)(c.name.startsWith('POST /admin') ? `/en${legit}` : legit);
      if (res.headers.get('location') !== expected) failures.push(`${c.name} legit ${legit} → ${res.status} ${res.headers.get('location')}`);
    }
    expect(failures).toEqual([]);
    // The cancel attempts lacked the confirmation: the booking is still on.
    expect((await deps().db.select().from(bookings).where(eq(bookings.id, confirmed.bookingId)).get())!.status).toBe('CONFIRMED');
  }, 120_000);

  it('pages that carry the parameter on (sign-in form, Google start, local checkout and onboarding forms) carry only the safe value', async () => {
    const failures: string[] = [];
    for (const [trick, value] of REDIRECT_TRICKS) {
      const signin = await (await fetchApp(`/en/signin?next=${q(value)}`)).text();
      if (!/<input type="hidden" name="next" value(="")?\/?>/.test(signin)) failures.push(`sign-in form ${trick}`);
      const start = await fetchApp(`/auth/google/start?lang=en&next=${q(value)}`);
      const saved = JSON.parse(decodeURIComponent(cookieFrom(start, 'g_oauth')!.slice('g_oauth='.length))) as { next: string };
      if (saved.next !== '') failures.push(`Google start ${trick} → ${JSON.stringify(saved.next).slice(0, 60)}`);
      const checkoutRes = await fetchApp(`/checkout/local/${held.intentId}?return=${q(value)}`, { headers: bearer(fan) });
      const checkout = await checkoutRes.text();
      const actions = [...checkout.matchAll(/action="([^"]*)"/g)].map((m) => m[1]).filter((a) => a.startsWith('/checkout/'));
      if (!actions.length || actions.some((a) => !a.endsWith(`?return=${q(`/en/bookings/${held.bookingId}`)}`))) failures.push(`checkout ${trick} → ${checkoutRes.status} ${actions.join(' ').slice(0, 200)}`);
      const onboarding = await (await fetchApp(`/checkout/local/onboarding/${creator.creator.stripeAccountId}?return=${q(value)}`, { headers: bearer(creator) })).text();
      if (!onboarding.includes(`?return=${q('/en/creator/payments')}"`)) failures.push(`onboarding ${trick}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
