// Demo data for `npm run dev`: SQL statements, runtime-agnostic (WebCrypto only) so the test suite
// can load the very same seed into D1. Re-running is safe: fixed ids + INSERT OR IGNORE, and new
// offers are added only while a creator has fewer than three upcoming ones, never over another.

export const DEMO_PASSWORD = 'star-demo-2026';

export const DEMO_USERS = [
  {
    id: 'usr_demoadmin0000',
    email: 'admin@callastar.local',
    name: 'Alex Admin',
    role: 'ADMIN',
    locale: 'fr',
    timezone: 'Europe/Paris',
  },
  {
    id: 'usr_demolea000000',
    email: 'lea@callastar.local',
    name: 'Léa Martin',
    role: 'CREATOR',
    locale: 'fr',
    timezone: 'Europe/Paris',
  },
  {
    id: 'usr_demonoah00000',
    email: 'noah@callastar.local',
    name: 'Noah Keller',
    role: 'CREATOR',
    locale: 'en',
    timezone: 'Europe/Zurich',
  },
  {
    id: 'usr_demoamelia000',
    email: 'amelia@callastar.local',
    name: 'Amelia Hart',
    role: 'CREATOR',
    locale: 'en',
    timezone: 'Europe/London',
  },
  {
    id: 'usr_democamille00',
    email: 'camille@callastar.local',
    name: 'Camille Dubois',
    role: 'USER',
    locale: 'fr',
    timezone: 'Europe/Paris',
  },
  {
    id: 'usr_demojordan000',
    email: 'jordan@callastar.local',
    name: 'Jordan Lee',
    role: 'USER',
    locale: 'en',
    timezone: 'America/New_York',
  },
];

export const DEMO_CREATORS = [
  {
    id: 'crt_demolea000000',
    userId: 'usr_demolea000000',
    slug: 'lea-martin',
    displayName: 'Léa Martin',
    currency: 'EUR',
    timezone: 'Europe/Paris',
    expertise: 'Coach vocal · chant pop et jazz',
    bio: 'Chanteuse et coach vocale depuis 12 ans. Je vous aide à trouver votre voix, respirer juste et préparer vos auditions.',
    social: { instagram: 'https://instagram.com/lea.sings', youtube: 'https://youtube.com/@leasings' },
    offers: [
      {
        title: 'Bilan vocal express',
        description: 'On écoute votre voix ensemble et je vous donne trois exercices adaptés.',
        price: 3500,
        minutes: 20,
      },
      {
        title: 'Préparer une audition',
        description: 'Travail du morceau, de la respiration et du trac.',
        price: 6000,
        minutes: 45,
      },
      {
        title: 'Séance découverte',
        description: 'Un premier échange pour faire connaissance et fixer vos objectifs.',
        price: 2500,
        minutes: 15,
      },
    ],
  },
  {
    id: 'crt_demonoah00000',
    userId: 'usr_demonoah00000',
    slug: 'noah-keller',
    displayName: 'Noah Keller',
    currency: 'CHF',
    timezone: 'Europe/Zurich',
    expertise: 'Chess grandmaster · openings and endgames',
    bio: 'International grandmaster and coach. Bring a game you lost: we will find where it turned.',
    social: { website: 'https://noahkeller.ch', x: 'https://x.com/noahkellerchess' },
    offers: [
      {
        title: 'Game review',
        description: 'Send me one of your games; we go through it move by move.',
        price: 8000,
        minutes: 45,
      },
      {
        title: 'Opening repertoire check',
        description: 'Is your repertoire sound? A focused look at your main lines.',
        price: 5000,
        minutes: 30,
      },
      { title: 'Blitz tips', description: 'Fast thinking habits for blitz and rapid.', price: 3000, minutes: 20 },
    ],
  },
  {
    id: 'crt_demoamelia000',
    userId: 'usr_demoamelia000',
    slug: 'amelia-hart',
    displayName: 'Amelia Hart',
    currency: 'GBP',
    timezone: 'Europe/London',
    expertise: 'Indie game developer · shipping your first game',
    bio: 'Shipped four indie games on Steam. I mentor first-time developers on scope, marketing and launch.',
    social: { website: 'https://ameliahart.dev', tiktok: 'https://tiktok.com/@ameliamakesgames' },
    offers: [
      {
        title: 'Portfolio review',
        description: 'Twenty minutes on your portfolio or demo, with concrete next steps.',
        price: 2500,
        minutes: 20,
      },
      {
        title: 'Launch plan session',
        description: 'Wishlists, trailers, festivals: a launch plan that fits your game.',
        price: 7500,
        minutes: 60,
      },
      {
        title: 'Scope check',
        description: 'Is your game small enough to finish? Let’s find out.',
        price: 4000,
        minutes: 30,
      },
    ],
  },
];

/** Offer statuses that take the creator's time: the same list as OCCUPYING in src/domain/offers/create.ts (a test keeps them equal). */
export const OCCUPYING_STATUSES = ['AVAILABLE', 'HELD', 'BOOKED'];
/** Bookings that hold a time: waiting for payment or confirmed. */
const LIVE_BOOKING_STATUSES = ['PENDING', 'CONFIRMED'];
/** Days ahead of the seeding day (UTC) tried for upcoming offers, in order. */
const OFFER_DAYS = [1, 2, 4, 5, 6, 7];

const q = (v) =>
  v === null || v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`;

function b64url(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Same format as src/lib/crypto.ts hashPassword, with a salt derived from the email (stable SQL). */
async function demoHash(password, email) {
  const salt = new Uint8Array(
    await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`demo-salt:${email}`)),
  ).slice(0, 16);
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(password.normalize('NFKC')),
    'PBKDF2',
    false,
    ['deriveBits'],
  );
  const bits = new Uint8Array(
    await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: 100000 }, key, 256),
  );
  return `pbkdf2-sha256$100000$${b64url(salt)}$${b64url(bits)}`;
}

/** SQL statements seeding the demo; `now` decides the offers' dates (always in the future). */
export async function seedStatements(now = new Date()) {
  const t = now.getTime();
  const out = [];
  for (const u of DEMO_USERS) {
    out.push(
      `INSERT OR IGNORE INTO users (id, email, email_verified_at, password_hash, name, role, locale, timezone, email_prefs, created_at, updated_at) VALUES (${[
        u.id,
        u.email,
        t,
        await demoHash(DEMO_PASSWORD, u.email),
        u.name,
        u.role,
        u.locale,
        u.timezone,
        '{}',
        t,
        t,
      ]
        .map(q)
        .join(', ')});`,
    );
  }
  for (const c of DEMO_CREATORS) {
    out.push(
      `INSERT OR IGNORE INTO creators (id, user_id, slug, display_name, bio, expertise, social_links, currency, timezone, cancellation_policy, stripe_account_id, charges_enabled, payouts_enabled, details_submitted, stripe_default_currency, onboarded_at, payout_schedule, payout_weekday, payouts_blocked, created_at, updated_at) VALUES (${[
        c.id,
        c.userId,
        c.slug,
        c.displayName,
        c.bio,
        c.expertise,
        JSON.stringify(c.social),
        c.currency,
        c.timezone,
        'HALF',
        `acct_local_${c.slug.replace(/-/g, '')}`,
        1,
        1,
        1,
        c.currency,
        t,
        'WEEKLY',
        1,
        0,
        t,
        t,
      ]
        .map(q)
        .join(', ')});`,
    );
    // Their (simulated, already onboarded) account at the built-in payment provider.
    const acct = `acct_local_${c.slug.replace(/-/g, '')}`;
    const acctData = {
      id: acct,
      object: 'account',
      type: 'express',
      email: DEMO_USERS.find((u) => u.id === c.userId).email,
      charges_enabled: true,
      payouts_enabled: true,
      details_submitted: true,
      default_currency: c.currency.toLowerCase(),
      settings: { payouts: { schedule: { interval: 'manual' } } },
      metadata: { creatorId: c.id },
      created: Math.floor(t / 1000),
    };
    out.push(
      `INSERT OR IGNORE INTO local_stripe_objects (id, type, account, idempotency_key, data, created_at, updated_at) VALUES (${[acct, 'account', null, `seed:${acct}`, JSON.stringify(acctData), t, t].map(q).join(', ')});`,
    );
    // Upcoming offers: day +1, +2, +4 at 17:00 UTC (+ 15 minutes per template so creators' lists
    // differ), then days +5, +6, +7 as fallbacks. A candidate goes in only while the creator has
    // fewer than three upcoming offers AND its span overlaps none of their live offers or bookings
    // (the rule CreatorCalendar enforces): a run on another day shifts the candidates, and without
    // that check yesterday's 17:15 and today's 17:00 would overlap.
    const day0 = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const stamp = new Date(day0).toISOString().slice(0, 10).replace(/-/g, '');
    OFFER_DAYS.forEach((day, k) => {
      const i = k % c.offers.length;
      const o = c.offers[i];
      const startsAt = day0 + day * DAY_MS + (17 * 60 + 15 * i) * 60000;
      const endsAt = startsAt + o.minutes * 60000;
      const id = `off_${c.slug.replace(/-/g, '').slice(0, 8)}${stamp}${k}`;
      const overlaps = (table, statuses) =>
        `EXISTS (SELECT 1 FROM ${table} WHERE creator_id = ${q(c.id)} AND status IN (${statuses.map(q).join(', ')}) AND starts_at < ${endsAt} AND ends_at > ${startsAt})`;
      out.push(
        `INSERT OR IGNORE INTO call_offers (id, creator_id, title, description, price, currency, starts_at, duration_minutes, ends_at, status, source, created_at, updated_at) SELECT ${[
          id,
          c.id,
          o.title,
          o.description,
          o.price,
          c.currency,
          startsAt,
          o.minutes,
          endsAt,
          'AVAILABLE',
          'OFFER',
          t,
          t,
        ]
          .map(q)
          .join(
            ', ',
          )} WHERE (SELECT count(*) FROM call_offers WHERE creator_id = ${q(c.id)} AND status = 'AVAILABLE' AND starts_at > ${t}) < 3` +
          ` AND NOT ${overlaps('call_offers', OCCUPYING_STATUSES)} AND NOT ${overlaps('bookings', LIVE_BOOKING_STATUSES)};`,
      );
    });
  }
  out.push(...historyStatements(t));
  out.push(...availabilityStatements(t));
  return out;
}

/**
 * Bookable hours for Noah and Léa, so their pages show a slot calendar from the first run (Amelia
 * keeps one-off offers only).
 */
const AVAILABILITY = [
  {
    creator: 'crt_demonoah00000',
    key: 'noah',
    currency: 'CHF',
    types: [
      {
        name: '30-minute coaching',
        description: 'Bring a game or a position; we work through it together.',
        minutes: 30,
        price: 5000,
        color: '#5b4cf0',
        after: 10,
      },
      {
        name: 'Game deep-dive',
        description: 'A full game analysed move by move, with a training plan.',
        minutes: 60,
        price: 9000,
        color: '#0f7b4f',
        after: 15,
      },
    ],
    weekly: [
      [1, 540, 720],
      [1, 840, 1080],
      [2, 540, 720],
      [2, 840, 1080],
      [3, 540, 720],
      [3, 840, 1080],
      [4, 540, 720],
      [4, 840, 1080],
      [5, 540, 720],
      [5, 840, 1080],
    ],
  },
  {
    creator: 'crt_demolea000000',
    key: 'lea',
    currency: 'EUR',
    types: [
      {
        name: 'Séance découverte',
        description: 'Un premier échange pour faire le point sur votre voix.',
        minutes: 15,
        price: 2500,
        color: '#b42335',
        after: 5,
      },
      {
        name: 'Coaching vocal',
        description: 'Exercices ciblés et retours sur un morceau de votre choix.',
        minutes: 45,
        price: 6000,
        color: '#5b4cf0',
        after: 15,
      },
    ],
    weekly: [
      [2, 1020, 1260],
      [3, 600, 720],
      [3, 1020, 1260],
      [4, 1020, 1260],
      [6, 600, 780],
    ],
  },
];

function availabilityStatements(t) {
  const out = [];
  for (const a of AVAILABILITY) {
    // Seeded only while the creator has no appointment types at all: once they have some (these,
    // or their own), their hours and types are theirs. Hours first, as they test the same thing.
    const untouched = `WHERE NOT EXISTS (SELECT 1 FROM appointment_types WHERE creator_id = ${q(a.creator)})`;
    const rules = a.weekly.map(
      ([weekday, start, end], i) => `(${[`avr_demo${a.key}${i}`, a.creator, weekday, start, end].map(q).join(', ')})`,
    );
    out.push(
      `INSERT OR IGNORE INTO availability_rules (id, creator_id, weekday, start_minute, end_minute) SELECT * FROM (VALUES ${rules.join(', ')}) ${untouched};`,
    );
    const types = a.types.map(
      (ty, i) =>
        `(${[`apt_demo${a.key}${i}`, a.creator, ty.name, ty.description, ty.minutes, ty.price, a.currency, ty.color, 0, ty.after, 120, 60, 1, i, t, t].map(q).join(', ')})`,
    );
    out.push(
      `INSERT OR IGNORE INTO appointment_types (id, creator_id, name, description, duration_minutes, price, currency, color, buffer_before_minutes, buffer_after_minutes, min_notice_minutes, max_advance_days, active, sort_order, created_at, updated_at) SELECT * FROM (VALUES ${types.join(', ')}) ${untouched};`,
    );
  }
  return out;
}

/**
 * Past calls, so the money and review pages have something to show from the first `npm run dev`:
 * completed calls paid through the built-in provider (payment, charge, transfer, ledger entries with
 * their holding period), reviews, and one payout already paid. Fixed ids: re-running adds nothing.
 */
const HISTORY = {
  lea: {
    creator: 'crt_demolea000000',
    slug: 'lea-martin',
    currency: 'EUR',
    calls: [
      {
        daysAgo: 41,
        price: 3500,
        minutes: 20,
        fan: 0,
        title: 'Bilan vocal express',
        review: [5, 'Léa a tout de suite entendu ce qui coinçait. Trois exercices simples, déjà des progrès !'],
      },
      {
        daysAgo: 33,
        price: 6000,
        minutes: 45,
        fan: 1,
        title: 'Préparer une audition',
        review: [5, 'Super prep for my audition: calm, precise, encouraging.'],
      },
      {
        daysAgo: 26,
        price: 2500,
        minutes: 15,
        fan: 0,
        title: 'Séance découverte',
        review: [4, 'Très sympa, un peu court mais utile.'],
      },
      {
        daysAgo: 19,
        price: 3500,
        minutes: 20,
        fan: 1,
        title: 'Bilan vocal express',
        review: [5, 'Exactly what I needed before the recording session.'],
      },
      { daysAgo: 12, price: 6000, minutes: 45, fan: 0, title: 'Préparer une audition', review: null },
      { daysAgo: 5, price: 2500, minutes: 15, fan: 1, title: 'Séance découverte', review: null },
    ],
    paidOut: { daysAgo: 16, calls: [0, 1, 2] },
  },
  noah: {
    creator: 'crt_demonoah00000',
    slug: 'noah-keller',
    currency: 'CHF',
    calls: [
      {
        daysAgo: 20,
        price: 8000,
        minutes: 45,
        fan: 1,
        title: 'Game review',
        review: [5, 'Found the exact move where my game collapsed. Brilliant.'],
      },
      {
        daysAgo: 9,
        price: 5000,
        minutes: 30,
        fan: 0,
        title: 'Opening repertoire check',
        review: [4, 'Très clair sur mes ouvertures, je recommande.'],
      },
    ],
    paidOut: null,
  },
};
const FEE_BPS = 1500;
const HOLDING_DAYS = 7;
const DAY_MS = 86_400_000;
const splitFee = (amount) => {
  const fee = Math.floor((amount * FEE_BPS + 5000) / 10000);
  return { fee, share: amount - fee };
};
const ledgerId = (txId, i) => `led_${txId.replace(/[^a-z0-9]/gi, '')}_${i}`;

function historyStatements(t) {
  const out = [];
  const fans = ['usr_democamille00', 'usr_demojordan000'];
  const day0 = Date.UTC(new Date(t).getUTCFullYear(), new Date(t).getUTCMonth(), new Date(t).getUTCDate());
  const ins = (table, row) =>
    `INSERT OR IGNORE INTO ${table} (${Object.keys(row).join(', ')}) VALUES (${Object.values(row).map(q).join(', ')});`;
  for (const [key, h] of Object.entries(HISTORY)) {
    const acct = `acct_local_${h.slug.replace(/-/g, '')}`;
    const paid = [];
    h.calls.forEach((c, i) => {
      const tag = `${key}${i}`.padEnd(8, '0');
      const start = day0 - c.daysAgo * DAY_MS + 17 * 3_600_000;
      const end = start + c.minutes * 60_000;
      const { fee, share } = splitFee(c.price);
      const ids = {
        offer: `off_hist${tag}`,
        booking: `bkg_hist${tag}`,
        payment: `pay_hist${tag}`,
        pi: `pi_local_hist${tag}`,
        ch: `ch_local_hist${tag}`,
        tr: `tr_local_hist${tag}`,
      };
      const release = end + HOLDING_DAYS * DAY_MS;
      paid.push({ share, release });
      out.push(
        ins('call_offers', {
          id: ids.offer,
          creator_id: h.creator,
          title: c.title,
          description: '',
          price: c.price,
          currency: h.currency,
          starts_at: start,
          duration_minutes: c.minutes,
          ends_at: end,
          status: 'COMPLETED',
          source: 'OFFER',
          created_at: start - 3 * DAY_MS,
          updated_at: end,
        }),
      );
      out.push(
        ins('bookings', {
          id: ids.booking,
          offer_id: ids.offer,
          user_id: fans[c.fan],
          creator_id: h.creator,
          status: 'COMPLETED',
          price: c.price,
          currency: h.currency,
          cancellation_policy: 'HALF',
          starts_at: start,
          ends_at: end,
          payment_provider: 'local',
          payment_intent_id: ids.pi,
          confirmed_at: start - 2 * DAY_MS,
          outcome: 'COMPLETED',
          outcome_decided_at: end + 600_000,
          outcome_applied_at: end + 600_000,
          created_at: start - 2 * DAY_MS,
          updated_at: end + 600_000,
        }),
      );
      out.push(
        ins('payments', {
          id: ids.payment,
          booking_id: ids.booking,
          creator_id: h.creator,
          provider: 'local',
          intent_id: ids.pi,
          charge_id: ids.ch,
          amount: c.price,
          currency: h.currency,
          platform_fee_bps: FEE_BPS,
          platform_fee: fee,
          creator_share: share,
          refunded_amount: 0,
          status: 'SUCCEEDED',
          payout_release_at: release,
          transfer_id: ids.tr,
          created_at: start - 2 * DAY_MS,
          updated_at: start - 2 * DAY_MS,
        }),
      );
      const created = Math.floor((start - 2 * DAY_MS) / 1000);
      const objects = [
        {
          id: ids.pi,
          type: 'payment_intent',
          data: {
            id: ids.pi,
            object: 'payment_intent',
            amount: c.price,
            currency: h.currency.toLowerCase(),
            status: 'succeeded',
            application_fee_amount: fee,
            transfer_data: { destination: acct },
            metadata: { bookingId: ids.booking, offerId: ids.offer, creatorId: h.creator },
            latest_charge: ids.ch,
            last_payment_error: null,
            created,
          },
        },
        {
          id: ids.ch,
          type: 'charge',
          data: {
            id: ids.ch,
            object: 'charge',
            amount: c.price,
            amount_refunded: 0,
            currency: h.currency.toLowerCase(),
            payment_intent: ids.pi,
            paid: true,
            status: 'succeeded',
            refunded: false,
            disputed: false,
            transfer: ids.tr,
            application_fee_amount: fee,
            metadata: { bookingId: ids.booking },
            created,
          },
        },
        {
          id: ids.tr,
          type: 'transfer',
          data: {
            id: ids.tr,
            object: 'transfer',
            amount: share,
            currency: h.currency.toLowerCase(),
            destination: acct,
            source_transaction: ids.ch,
            amount_reversed: 0,
            reversed: false,
            created,
          },
        },
      ];
      for (const o of objects)
        out.push(
          ins('local_stripe_objects', {
            id: o.id,
            type: o.type,
            account: null,
            idempotency_key: `seed:${o.id}`,
            data: JSON.stringify(o.data),
            created_at: start - 2 * DAY_MS,
            updated_at: start - 2 * DAY_MS,
          }),
        );
      const tx = `charge:${ids.payment}`;
      [
        ['fan', 'CHARGE', -c.price, null, null],
        ['platform:fees', 'PLATFORM_FEE', fee, null, null],
        [`creator:${h.creator}`, 'CREATOR_SHARE', share, h.creator, release],
      ].forEach(([account, kind, amount, creatorId, availableAt], j) => {
        out.push(
          ins('ledger_entries', {
            id: ledgerId(tx, j),
            tx_id: tx,
            kind,
            account,
            creator_id: creatorId,
            amount,
            currency: h.currency,
            payment_id: ids.payment,
            available_at: availableAt,
            memo: `booking ${ids.booking}`,
            created_at: start - 2 * DAY_MS,
          }),
        );
      });
      if (c.review)
        out.push(
          ins('reviews', {
            id: `rev_hist${tag}`,
            booking_id: ids.booking,
            user_id: fans[c.fan],
            creator_id: h.creator,
            rating: c.review[0],
            comment: c.review[1],
            created_at: end + 3_600_000,
          }),
        );
    });
    if (h.paidOut) {
      const at = day0 - h.paidOut.daysAgo * DAY_MS + 6 * 3_600_000;
      const amount = h.paidOut.calls.reduce((sum, i) => sum + paid[i].share, 0);
      const id = `pyt_hist${key}`.padEnd(16, '0');
      out.push(
        ins('payouts', {
          id,
          creator_id: h.creator,
          amount,
          currency: h.currency,
          status: 'PAID',
          origin: 'SCHEDULE',
          idempotency_key: `payout:${h.creator}:${h.currency}:seed`,
          stripe_payout_id: `po_local_hist${key}`,
          debt_deducted: 0,
          requested_at: at,
          approved_at: at,
          paid_at: at + DAY_MS,
          created_at: at,
          updated_at: at + DAY_MS,
        }),
      );
      const tx = `payout:${id}`;
      out.push(
        ins('ledger_entries', {
          id: ledgerId(tx, 0),
          tx_id: tx,
          kind: 'PAYOUT',
          account: `creator:${h.creator}`,
          creator_id: h.creator,
          amount: -amount,
          currency: h.currency,
          payout_id: id,
          available_at: at,
          memo: 'SCHEDULE payout',
          created_at: at,
        }),
      );
      out.push(
        ins('ledger_entries', {
          id: ledgerId(tx, 1),
          tx_id: tx,
          kind: 'PAYOUT',
          account: `bank:${h.creator}`,
          creator_id: null,
          amount,
          currency: h.currency,
          payout_id: id,
          available_at: null,
          memo: 'SCHEDULE payout',
          created_at: at,
        }),
      );
      for (const [action, when, status] of [
        ['CREATED', at, 'APPROVED'],
        ['PROCESSING', at, 'PROCESSING'],
        ['PAID', at + DAY_MS, 'PAID'],
      ]) {
        out.push(
          ins('payout_audit', {
            id: `pya_hist${key}${action.toLowerCase()}`.slice(0, 30),
            payout_id: id,
            creator_id: h.creator,
            action,
            amount,
            currency: h.currency,
            status,
            created_at: when,
          }),
        );
      }
    }
  }
  return out;
}
