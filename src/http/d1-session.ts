/**
 * D1 read replication through the Sessions API: each request runs its queries in one D1 session,
 * and a visitor with a session carries its bookmark to their next request, so they read their own
 * writes whichever replica answers. Only anonymous reads start anywhere; anonymous responses never
 * get the cookie, so the page cache (src/http/page-cache.ts) can still keep them. Durable Objects,
 * jobs and queue consumers build their deps without a session: the primary.
 */
import { getCookie } from 'hono/cookie';
import { readConfig } from '../env';
import type { Ctx } from './context';
import { readBookmarkCookie, setBookmarkCookie } from './cookies';
import { SESSION_COOKIE } from './middleware';

const READS = new Set(['GET', 'HEAD']);

export interface RequestD1 {
  session: D1DatabaseSession;
  /** The visitor's valid bookmark, if they sent one. */
  bookmark: string | null;
}

/**
 * The request's session: from the visitor's bookmark; else at the primary for a write (its checks
 * read the newest state) or for credentials without a bookmark (a bearer client never keeps the
 * cookie, a browser may lose it); else, an anonymous read, anywhere.
 */
export async function openD1Session(c: Ctx): Promise<RequestD1> {
  const bookmark = await readBookmarkCookie(c, readConfig(c.env).sessionSecret);
  // Claimed, not verified (that comes later, and reads D1): a false claim only costs a primary read.
  const identified =
    c.req.header('authorization')?.startsWith('Bearer ') === true || getCookie(c, SESSION_COOKIE) !== undefined;
  const start = bookmark ?? (READS.has(c.req.method) && !identified ? 'first-unconstrained' : 'first-primary');
  return { session: c.env.DB.withSession(start), bookmark };
}

/** Sets the bookmark cookie after the response, for a visitor who has (or just got) a session. */
export async function handBackBookmark(c: Ctx, { session, bookmark: incoming }: RequestD1): Promise<void> {
  const keep = c.get('keepBookmark') ?? c.get('auth')?.via === 'cookie';
  // A WebSocket upgrade's headers are the handshake's: nothing to add there.
  if (!keep || c.res.status === 101) return;
  let bookmark = session.getBookmark();
  if (!READS.has(c.req.method)) bookmark = latest(bookmark, await primaryBookmark(c.env.DB));
  if (!bookmark || bookmark === incoming) return;
  const config = readConfig(c.env);
  await setBookmarkCookie(c, bookmark, { secret: config.sessionSecret, secure: !config.devTools });
}

/**
 * Where the primary is now. A write request may have had a Durable Object write (a booking, a slot)
 * through the binding, outside this session: the visitor's next reads must see those too.
 */
async function primaryBookmark(db: D1Database): Promise<string | null> {
  const primary = db.withSession('first-primary');
  try {
    await primary.prepare('select 1').run();
  } catch {
    // The response is already made; the session's own bookmark still covers the session's writes.
    return null;
  }
  return primary.getBookmark();
}

/** Bookmarks sort lexicographically, oldest first (D1's glossary). */
function latest(a: string | null, b: string | null): string | null {
  if (a === null || b === null) return a ?? b;
  return a > b ? a : b;
}
