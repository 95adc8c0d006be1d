// Fixtures of bench:ssr: the creator page of `bench-creator-0` with `offers` upcoming AVAILABLE
// offers (the fixture's own + more) and `reviews` past calls, each with its own offer, a COMPLETED
// booking by a different fan and a visible review (a reply on every third). Needs startApp fixtures
// with at least `reviews` fans and the creators' offers (one per creator).
const DAY = 86_400_000;
const pad = (n, w) => String(n).padStart(w, '0');

export function seedCreatorPage(
  app,
  { offers: OFFERS = 20, reviews: REVIEWS = 50, creator = 'crt_benchcreator0000' } = {},
) {
  const now = Date.now();
  const up = [];
  for (let i = 1; i < OFFERS; i++) {
    const start = now + 3 * DAY + i * 5 * 3_600_000;
    up.push(
      `('off_benchssr${pad(i, 3)}','${creator}','Coaching session ${i}','A focused call on your question.',${2500 + i * 100},'EUR',${start},30,${start + 1_800_000},'AVAILABLE','OFFER',${now},${now})`,
    );
  }
  app.d1(
    `INSERT INTO call_offers (id,creator_id,title,description,price,currency,starts_at,duration_minutes,ends_at,status,source,created_at,updated_at) VALUES ${up.join(',')}`,
  );
  const offers = [];
  const books = [];
  const revs = [];
  for (let i = 0; i < REVIEWS; i++) {
    const start = now - (i + 2) * DAY;
    const end = start + 1_800_000;
    const fan = `usr_benchfan${pad(i, 6)}`;
    offers.push(
      `('off_benchpast${pad(i, 3)}','${creator}','Past call ${i}','',3000,'EUR',${start},30,${end},'COMPLETED','OFFER',${start - 3 * DAY},${end})`,
    );
    books.push(
      `('bkg_benchpast${pad(i, 3)}','off_benchpast${pad(i, 3)}','${fan}','${creator}','COMPLETED',3000,'EUR','HALF',${start},${end},${start - 2 * DAY},'COMPLETED',${end + 600_000},${end + 600_000},${start - 2 * DAY},${end})`,
    );
    const comment = `Call ${i}: clear, kind and precise. We went through my questions one by one and I left with a plan for the next weeks. Would book again.`;
    revs.push(
      `('rev_benchssr${pad(i, 3)}','bkg_benchpast${pad(i, 3)}','${fan}','${creator}',${[5, 4, 5, 3, 5][i % 5]},'${comment}',${i % 3 === 0 ? `'Thank you, see you soon!',${end + 2 * DAY}` : 'NULL,NULL'},${end + 3_600_000})`,
    );
  }
  app.d1(
    `INSERT INTO call_offers (id,creator_id,title,description,price,currency,starts_at,duration_minutes,ends_at,status,source,created_at,updated_at) VALUES ${offers.join(',')}`,
  );
  app.d1(
    `INSERT INTO bookings (id,offer_id,user_id,creator_id,status,price,currency,cancellation_policy,starts_at,ends_at,confirmed_at,outcome,outcome_decided_at,outcome_applied_at,created_at,updated_at) VALUES ${books.join(',')}`,
  );
  app.d1(
    `INSERT INTO reviews (id,booking_id,user_id,creator_id,rating,comment,reply,replied_at,created_at) VALUES ${revs.join(',')}`,
  );
}
