// Demo data for `npm run dev`: SQL statements, runtime-agnostic (WebCrypto only) so the test suite
// can load the very same seed into D1. Re-running is safe: fixed ids + INSERT OR IGNORE, and new
// offers are added only while a creator has fewer than three upcoming ones.

export const DEMO_PASSWORD = 'star-demo-2026';

export const DEMO_USERS = [
  { id: 'usr_demoadmin0000', email: 'admin@callastar.local', name: 'Alex Admin', role: 'ADMIN', locale: 'fr', timezone: 'Europe/Paris' },
  { id: 'usr_demolea000000', email: 'lea@callastar.local', name: 'Léa Martin', role: 'CREATOR', locale: 'fr', timezone: 'Europe/Paris' },
  { id: 'usr_demonoah00000', email: 'noah@callastar.local', name: 'Noah Keller', role: 'CREATOR', locale: 'en', timezone: 'Europe/Zurich' },
  { id: 'usr_demoamelia000', email: 'amelia@callastar.local', name: 'Amelia Hart', role: 'CREATOR', locale: 'en', timezone: 'Europe/London' },
  { id: 'usr_democamille00', email: 'camille@callastar.local', name: 'Camille Dubois', role: 'USER', locale: 'fr', timezone: 'Europe/Paris' },
  { id: 'usr_demojordan000', email: 'jordan@callastar.local', name: 'Jordan Lee', role: 'USER', locale: 'en', timezone: 'America/New_York' },
];

export const DEMO_CREATORS = [
  {
    id: 'crt_demolea000000', userId: 'usr_demolea000000', slug: 'lea-martin', displayName: 'Léa Martin', currency: 'EUR', timezone: 'Europe/Paris',
    expertise: 'Coach vocal · chant pop et jazz',
    bio: 'Chanteuse et coach vocale depuis 12 ans. Je vous aide à trouver votre voix, respirer juste et préparer vos auditions.',
    social: { instagram: 'https://instagram.com/lea.sings', youtube: 'https://youtube.com/@leasings' },
    offers: [
      { title: 'Bilan vocal express', description: 'On écoute votre voix ensemble et je vous donne trois exercices adaptés.', price: 3500, minutes: 20 },
      { title: 'Préparer une audition', description: 'Travail du morceau, de la respiration et du trac.', price: 6000, minutes: 45 },
      { title: 'Séance découverte', description: 'Un premier échange pour faire connaissance et fixer vos objectifs.', price: 2500, minutes: 15 },
    ],
  },
  {
    id: 'crt_demonoah00000', userId: 'usr_demonoah00000', slug: 'noah-keller', displayName: 'Noah Keller', currency: 'CHF', timezone: 'Europe/Zurich',
    expertise: 'Chess grandmaster · openings and endgames',
    bio: 'International grandmaster and coach. Bring a game you lost: we will find where it turned.',
    social: { website: 'https://noahkeller.ch', x: 'https://x.com/noahkellerchess' },
    offers: [
      { title: 'Game review', description: 'Send me one of your games; we go through it move by move.', price: 8000, minutes: 45 },
      { title: 'Opening repertoire check', description: 'Is your repertoire sound? A focused look at your main lines.', price: 5000, minutes: 30 },
      { title: 'Blitz tips', description: 'Fast thinking habits for blitz and rapid.', price: 3000, minutes: 20 },
    ],
  },
  {
    id: 'crt_demoamelia000', userId: 'usr_demoamelia000', slug: 'amelia-hart', displayName: 'Amelia Hart', currency: 'GBP', timezone: 'Europe/London',
    expertise: 'Indie game developer · shipping your first game',
    bio: 'Shipped four indie games on Steam. I mentor first-time developers on scope, marketing and launch.',
    social: { website: 'https://ameliahart.dev', tiktok: 'https://tiktok.com/@ameliamakesgames' },
    offers: [
      { title: 'Portfolio review', description: 'Twenty minutes on your portfolio or demo, with concrete next steps.', price: 2500, minutes: 20 },
      { title: 'Launch plan session', description: 'Wishlists, trailers, festivals: a launch plan that fits your game.', price: 7500, minutes: 60 },
      { title: 'Scope check', description: 'Is your game small enough to finish? Let’s find out.', price: 4000, minutes: 30 },
    ],
  },
];

const q = (v) => (v === null || v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`);

function b64url(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Same format as src/lib/crypto.ts hashPassword, with a salt derived from the email (stable SQL). */
async function demoHash(password, email) {
  const salt = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`demo-salt:${email}`))).slice(0, 16);
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password.normalize('NFKC')), 'PBKDF2', false, ['deriveBits']);
  const bits = new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: 100000 }, key, 256));
  return `pbkdf2-sha256$100000$${b64url(salt)}$${b64url(bits)}`;
}

/** SQL statements seeding the demo; `now` decides the offers' dates (always in the future). */
export async function seedStatements(now = new Date()) {
  const t = now.getTime();
  const out = [];
  for (const u of DEMO_USERS) {
    out.push(`INSERT OR IGNORE INTO users (id, email, email_verified_at, password_hash, name, role, locale, timezone, email_prefs, created_at, updated_at) VALUES (${[
      u.id, u.email, t, await demoHash(DEMO_PASSWORD, u.email), u.name, u.role, u.locale, u.timezone, '{}', t, t].map(q).join(', ')});`);
  }
  for (const c of DEMO_CREATORS) {
    out.push(`INSERT OR IGNORE INTO creators (id, user_id, slug, display_name, bio, expertise, social_links, currency, timezone, cancellation_policy, stripe_account_id, charges_enabled, payouts_enabled, details_submitted, stripe_default_currency, onboarded_at, payout_schedule, payout_weekday, payouts_blocked, created_at, updated_at) VALUES (${[
      c.id, c.userId, c.slug, c.displayName, c.bio, c.expertise, JSON.stringify(c.social), c.currency, c.timezone, 'HALF',
      `acct_local_${c.slug.replace(/-/g, '')}`, 1, 1, 1, c.currency, t, 'WEEKLY', 1, 0, t, t].map(q).join(', ')});`);
    // Their (simulated, already onboarded) account at the built-in payment provider.
    const acct = `acct_local_${c.slug.replace(/-/g, '')}`;
    const acctData = { id: acct, object: 'account', type: 'express', email: DEMO_USERS.find((u) => u.id === c.userId).email, charges_enabled: true, payouts_enabled: true, details_submitted: true, default_currency: c.currency.toLowerCase(), settings: { payouts: { schedule: { interval: 'manual' } } }, metadata: { creatorId: c.id }, created: Math.floor(t / 1000) };
    out.push(`INSERT OR IGNORE INTO local_stripe_objects (id, type, account, idempotency_key, data, created_at, updated_at) VALUES (${[acct, 'account', null, `seed:${acct}`, JSON.stringify(acctData), t, t].map(q).join(', ')});`);
    // Upcoming offers: day +1, +2, +4 at 17:00 UTC (+ minutes so creators differ).
    const day0 = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    c.offers.forEach((o, i) => {
      const startsAt = day0 + [1, 2, 4][i] * 86400000 + (17 * 60 + 15 * i) * 60000;
      const stamp = new Date(day0).toISOString().slice(0, 10).replace(/-/g, '');
      const id = `off_${c.slug.replace(/-/g, '').slice(0, 8)}${stamp}${i}`;
      out.push(`INSERT OR IGNORE INTO call_offers (id, creator_id, title, description, price, currency, starts_at, duration_minutes, ends_at, status, source, created_at, updated_at) SELECT ${[
        id, c.id, o.title, o.description, o.price, c.currency, startsAt, o.minutes, startsAt + o.minutes * 60000, 'AVAILABLE', 'OFFER', t, t].map(q).join(', ')} WHERE (SELECT count(*) FROM call_offers WHERE creator_id = ${q(c.id)} AND status = 'AVAILABLE' AND starts_at > ${t}) < 3;`);
    });
  }
  return out;
}
