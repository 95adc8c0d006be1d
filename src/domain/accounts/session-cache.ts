/**
 * Per-isolate memory for authentication, so the hot path does no database read:
 *  - the revoked-session list (synced from D1 at most every REVOCATION_SYNC_MS; revocations made
 *    by this isolate apply at once);
 *  - a short-lived cache of user rows (USER_CACHE_TTL_MS), dropped on every change this isolate makes.
 * Across isolates, a revocation or a profile change takes effect within a few seconds.
 */
import { gte } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { sessionRevocations, type User } from '../../db/schema';

export const REVOCATION_SYNC_MS = 5_000;
export const USER_CACHE_TTL_MS = 10_000;
const MAX_USERS = 20_000;

const revoked = new Set<string>();
let cursor = 0;
let syncedAt = 0;
let syncing: Promise<void> | null = null;

/** Refreshes the revoked list when it is older than the sync interval (single flight). */
export async function freshRevocations(db: Db): Promise<Set<string>> {
  if (Date.now() - syncedAt > REVOCATION_SYNC_MS) {
    syncing ??= (async () => {
      const rows = await db.select({ id: sessionRevocations.sessionId, at: sessionRevocations.revokedAt })
        .from(sessionRevocations).where(gte(sessionRevocations.revokedAt, new Date(Math.max(0, cursor - 1000)))).all();
      for (const r of rows) {
        revoked.add(r.id);
        cursor = Math.max(cursor, r.at.getTime());
      }
      syncedAt = Date.now();
    })().finally(() => { syncing = null; });
    await syncing;
  }
  return revoked;
}

/** Makes the next check re-read the revoked list (tests: another isolate revoked something). */
export function expireRevocationSync(): void {
  syncedAt = 0;
}

/** Forgets everything this isolate learnt about sessions (tests: a cold isolate). */
export function forgetSessionCache(): void {
  revoked.clear();
  cursor = 0;
  syncedAt = 0;
}

export function markRevoked(sessionIds: string[]): void {
  for (const id of sessionIds) revoked.add(id);
}

interface CachedUser { user: User; at: number }
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
