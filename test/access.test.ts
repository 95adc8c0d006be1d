/**
 * Who may open what: every page under /:lang and every API route, for anonymous visitors, fans,
 * creators and admins — and one person never reaching another's booking. Routes are enumerated
 * from the app itself, so a page or API added later is checked without anyone listing it here.
 */
import { describe, expect, it } from 'vitest';
import { api, createAccount, getPage, type TestAccount } from './helpers';
import { apiSpecs, fillPath, pagePaths } from './routes';
import { confirmedBooking, fans, onboardedCreator } from './scenarios';

type Who = 'anonymous' | 'fan' | 'creator' | 'admin';

/** Where a page lives decides who may see it. */
function pageKind(path: string): 'admin' | 'creator' | 'signedIn' | 'public' {
  const p = path.replace(/^\/en/, '');
  if (p.startsWith('/admin')) return 'admin';
  if (p === '/creator' || p.startsWith('/creator/')) return 'creator';
  if (/^\/(dashboard|account|notifications|bookings|call)(\/|$)/.test(p)) return 'signedIn';
  return 'public';
}

/** What each kind of page answers each kind of visitor: a status, and where a redirect leads. */
function expected(kind: ReturnType<typeof pageKind>, who: Who, path: string): { status: number[]; location?: RegExp } {
  const signin = {
    status: [303],
    location: new RegExp(`^/en/signin\\?next=${encodeURIComponent(path).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
  };
  const seen = { status: [200, 404] }; // 404: a well-formed id that exists nowhere
  if (kind === 'public') return { status: [200, 303, 400, 404] }; // 400: a link page opened without its token
  if (who === 'anonymous') return signin;
  if (kind === 'signedIn') return seen;
  if (kind === 'creator')
    return who === 'creator'
      ? { status: [200, 303, 404] }
      : { status: [303], location: /^\/en\/account#become-creator$/ };
  return who === 'admin' ? seen : { status: [403] };
}

describe('page access, for every page', () => {
  it('covers the pages of every role', () => {
    const kinds = pagePaths().map(pageKind);
    for (const k of ['admin', 'creator', 'signedIn', 'public'] as const)
      expect(kinds.filter((x) => x === k).length, k).toBeGreaterThan(2);
  });

  it('anonymous → sign-in (with the way back), fan/creator/admin → only their areas; never a 5xx', async () => {
    const tokens: Record<Who, string | undefined> = {
      anonymous: undefined,
      fan: (await fans(1))[0].token,
      creator: (await onboardedCreator()).token,
      admin: (await createAccount('ADMIN', { passwordHash: null })).token,
    };
    const failures: string[] = [];
    for (const path of pagePaths()) {
      const kind = pageKind(path);
      for (const who of Object.keys(tokens) as Who[]) {
        const res = await getPage(path, tokens[who]);
        const want = expected(kind, who, path);
        const location = res.headers.get('location') ?? '';
        if (!want.status.includes(res.status) || (want.location && !want.location.test(location))) {
          failures.push(
            `${who} GET ${path} → ${res.status} ${location} (expected ${want.status.join('/')} ${want.location ?? ''})`,
          );
        }
        await res.body?.cancel();
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('API access, for every route', () => {
  it('a role-restricted route refuses other roles (403 FORBIDDEN_ROLE) and admits its own', async () => {
    const specs = apiSpecs().filter((s) => Array.isArray(s.access));
    expect(specs.length).toBeGreaterThan(3);
    const failures: string[] = [];
    for (const s of specs) {
      const allowed = s.access as readonly string[];
      for (const role of ['USER', 'CREATOR', 'ADMIN'] as const) {
        // A fresh account per call: some routes act on their caller (a creator profile, a payout request).
        const who: TestAccount =
          role === 'CREATOR' ? await onboardedCreator() : await createAccount(role, { passwordHash: null });
        const res = await api(s.method.toUpperCase(), fillPath(s), s.body ? {} : undefined, { token: who.token });
        const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
        const refusedForRole = res.status === 403 && body.error?.code === 'FORBIDDEN_ROLE';
        if (allowed.includes(role) === refusedForRole || res.status >= 500)
          failures.push(`${role} ${s.method} ${s.path} → ${res.status} ${body.error?.code ?? ''}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe("one person never reaches another's booking", () => {
  it('pages and API answer 404 to a stranger fan and a stranger creator, and show it to its fan, its creator and an admin', async () => {
    const s = await confirmedBooking({ startsInMinutes: 3 * 24 * 60 });
    const [stranger] = await fans(1);
    const otherCreator = await onboardedCreator();
    const admin = await createAccount('ADMIN', { passwordHash: null });
    const paths = [`/en/bookings/${s.bookingId}`, `/en/call/${s.bookingId}`];
    const apis = [`/api/bookings/${s.bookingId}`, `/api/bookings/${s.bookingId}/calendar.ics`];
    for (const outsider of [stranger, otherCreator]) {
      for (const p of paths) expect((await getPage(p, outsider.token)).status, `${p}`).toBe(404);
      for (const p of apis) expect((await api('GET', p, undefined, { token: outsider.token })).status, p).toBe(404);
      const mine = (await (await api('GET', '/api/bookings', undefined, { token: outsider.token })).json()) as {
        items: { id: string }[];
      };
      expect(mine.items.map((b) => b.id)).not.toContain(s.bookingId);
      // Nor can they cancel it.
      expect((await api('POST', `/api/bookings/${s.bookingId}/cancel`, {}, { token: outsider.token })).status).toBe(
        404,
      );
    }
    for (const insider of [s.fan, s.c]) {
      for (const p of paths) expect((await getPage(p, insider.token)).status, p).toBe(200);
      for (const p of apis) expect((await api('GET', p, undefined, { token: insider.token })).status, p).toBe(200);
    }
    expect((await api('GET', `/api/bookings/${s.bookingId}`, undefined, { token: admin.token })).status).toBe(200);
    const still = (await (
      await api('GET', `/api/bookings/${s.bookingId}`, undefined, { token: s.fan.token })
    ).json()) as { booking: { status: string } };
    expect(still.booking.status).toBe('CONFIRMED');
  });
});
