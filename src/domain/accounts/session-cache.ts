/**
 * Per-isolate memory for authentication, so the hot path does no database read:
 *  - which sessions are dead: the older revocations are read back BACKFILL_PAGE rows per sync; once
 *    all are in memory (the common case: a few thousand), a session they do not name is alive with
 *    no read. Until then, or when there are more than the bounded list holds, a session id this
 *    isolate has not seen yet is checked once against its D1 row (bounded LRUs of alive and dead ids);
 *  - the revocations made since this isolate started, read from D1 in `seq` order at most every
 *    REVOCATION_SYNC_MS, REVOCATION_PAGE rows at a time (a flood is caught up over several requests;
 *    until then the sessions asked about are checked against their rows);
 *  - a short-lived cache of user rows (USER_CACHE_TTL_MS), dropped on every change this isolate makes.
 * A cold isolate reads a few rows whatever the number of revocations; across isolates a
 * revocation or a profile change takes effect within a few seconds.
 */
import { sql } from 'drizzle-orm';
import { rawStatement, type D1Client } from '../../db/client';
import type { User } from '../../db/schema';
import { DAY } from '../../lib/clock';

export const REVOCATION_SYNC_MS = 5_000;
/** Revocations read per sync at most. */
export const REVOCATION_PAGE = 200;
export const USER_CACHE_TTL_MS = 10_000;
const MAX_USERS = 20_000;
const MAX_SESSIONS = 20_000;
/** Unsynced this long (an idle isolate), the feed may have lost rows to the purge: start over. */
const RESTART_AFTER_MS = DAY;

/** Insertion-ordered map used as an LRU set: oldest first, bounded. */
class LruSet {
  private readonly m = new Map<string, true>();
  constructor(private readonly max: number) {}
  has(id: string): boolean {
    if (!this.m.has(id)) return false;
    this.m.delete(id);
    this.m.set(id, true);
    return true;
  }
  /** Adds `id`; true when the oldest id had to go to make room. */
  add(id: string): boolean {
    this.m.delete(id);
    const evict = this.m.size >= this.max;
    if (evict) this.m.delete(this.m.keys().next().value!);
    this.m.set(id, true);
    return evict;
  }
  delete(id: string): void {
    this.m.delete(id);
  }
  clear(): void {
    this.m.clear();
  }
}

const alive = new LruSet(MAX_SESSIONS);
const dead = new LruSet(MAX_SESSIONS);
/** Highest revocation `seq` read; null until this isolate first reads the feed. */
let cursor: number | null = null;
let syncedAt = 0;
/** The last page was full: revocations may be waiting, known sessions are not trusted yet. */
let behind = false;
let syncing: Promise<void> | null = null;
/** Revocations below the feed's starting point not read yet, `(from, to]` by seq; null once read. */
let backfill: { from: number; to: number } | null = null;
/**
 * Every revocation is in `dead` (read back to the first, none evicted): a session it does not name
 * is alive, with no row to check. Until then (a cold isolate catching up, or more revocations than
 * `dead` holds), a session seen for the first time is checked against its row.
 */
let complete = false;
/** `dead` dropped an id since the catch-up began: the list cannot be complete. */
let overflowed = false;
/** Backfill rows read per sync at most (the catch-up rides the regular sync, a few seconds apart). */
export const BACKFILL_PAGE = 1_000;

function markDead(id: string): void {
  alive.delete(id);
  if (dead.add(id)) {
    overflowed = true;
    complete = false;
  }
}

async function sync(d1: D1Client): Promise<void> {
  if (cursor === null || Date.now() - syncedAt > RESTART_AFTER_MS) {
    // Starting point first: a session found alive after this read is revoked, if ever, at a higher seq.
    const top = await d1.prepare('select coalesce(max(seq), 0) as top from session_revocations').all<{ top: number }>();
    cursor = top.results[0]?.top ?? 0;
    alive.clear();
    behind = false;
    // Nothing revoked yet: nothing to catch up on. Else the older revocations are read from the next sync on.
    backfill = cursor > 0 ? { from: 0, to: cursor } : null;
    overflowed = false;
    complete = backfill === null;
  } else {
    const page = await rawStatement(
      d1,
      sql`select session_id as id, seq from session_revocations where seq > ${cursor} order by seq limit ${REVOCATION_PAGE}`,
    ).all<{ id: string; seq: number }>();
    for (const r of page.results) {
      markDead(r.id);
      cursor = Math.max(cursor, r.seq);
    }
    behind = page.results.length === REVOCATION_PAGE;
    // The older ones only once the new ones are caught up: a flood never makes a request read both.
    if (backfill && !behind) await backfillPage(d1, backfill);
  }
  syncedAt = Date.now();
}

/** Reads one page of the revocations older than the feed's starting point; the last one makes the list complete. */
async function backfillPage(d1: D1Client, range: { from: number; to: number }): Promise<void> {
  const page = await rawStatement(
    d1,
    sql`select session_id as id, seq from session_revocations where seq > ${range.from} and seq <= ${range.to} order by seq limit ${BACKFILL_PAGE}`,
  ).all<{ id: string; seq: number }>();
  for (const r of page.results) {
    markDead(r.id);
    range.from = Math.max(range.from, r.seq);
  }
  if (page.results.length < BACKFILL_PAGE) {
    backfill = null;
    complete = !overflowed;
  }
}

/**
 * Whether a session (its token's signature and expiry already checked) is still signed in. No read
 * for a session this isolate knows while the revocation feed is fresh; else one row (plus a page of
 * the feed every few seconds).
 */
export async function sessionAlive(d1: D1Client, sessionId: string, userId: string, now: Date): Promise<boolean> {
  if (behind || Date.now() - syncedAt > REVOCATION_SYNC_MS) {
    syncing ??= sync(d1).finally(() => {
      syncing = null;
    });
    await syncing;
  }
  if (dead.has(sessionId)) return false;
  if (!behind && (complete || alive.has(sessionId))) return true;
  const row = await rawStatement(
    d1,
    sql`select 1 as ok from sessions s where s.id = ${sessionId} and s.user_id = ${userId} and s.expires_at > ${now.getTime()}
    and not exists (select 1 from session_revocations r where r.session_id = s.id)`,
  ).all();
  if (row.results.length) alive.add(sessionId);
  else dead.add(sessionId);
  return row.results.length > 0;
}

/** Makes the next check read the revocation feed (tests: another isolate revoked something). */
export function expireRevocationSync(): void {
  syncedAt = Math.min(syncedAt, Date.now() - REVOCATION_SYNC_MS - 1);
}

/** Forgets everything this isolate learnt about sessions (tests: a cold isolate). */
export function forgetSessionCache(): void {
  alive.clear();
  dead.clear();
  cursor = null;
  syncedAt = 0;
  behind = false;
  backfill = null;
  complete = false;
  overflowed = false;
}

export function markRevoked(sessionIds: string[]): void {
  for (const id of sessionIds) markDead(id);
}

/** A session this isolate just proved alive (created or renewed it): no row check for it here. */
export function markAlive(sessionId: string): void {
  // Before the feed's starting point is read, a revocation could slip under it: check the row then.
  if (cursor !== null) alive.add(sessionId);
}

interface CachedUser {
  user: User;
  at: number;
}
const users = new Map<string, CachedUser>();

export function cachedUser(userId: string): User | null {
  const e = users.get(userId);
  if (!e) return null;
  if (Date.now() - e.at > USER_CACHE_TTL_MS) {
    users.delete(userId);
    return null;
  }
  return e.user;
}

export function rememberUser(user: User): void {
  if (users.size >= MAX_USERS) users.delete(users.keys().next().value!);
  users.set(user.id, { user, at: Date.now() });
}

/** Drops a user's cached row (profile, role, password or status changed). */
export function forgetUser(userId: string): void {
  users.delete(userId);
}
