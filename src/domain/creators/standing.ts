/**
 * Who may act as a creator — the one rule pages, API routes and the Durable Objects apply: the
 * CREATOR role (or ADMIN with a creator profile), an enabled account, a role no admin withdrew, and
 * the creator profile itself. Read fresh from D1 with the profile (one query), never from the
 * per-isolate account cache, so a demotion or a disabled account takes effect at once everywhere.
 */
import { eq, sql, type SQL } from 'drizzle-orm';
import { creators, users, type Creator, type User } from '../../db/schema';
import type { Deps } from '../../deps';

export type CreatorRefusal = 'NOT_A_CREATOR' | 'CREATOR_ROLE_WITHDRAWN' | 'ACCOUNT_DISABLED';

type Standing = Pick<User, 'role' | 'disabledAt' | 'creatorWithdrawnAt'>;

/** Why this account may not act as a creator now (null: it may). */
export function creatorRefusal(user: Standing, hasProfile: boolean): CreatorRefusal | null {
  if (user.disabledAt) return 'ACCOUNT_DISABLED';
  if (user.creatorWithdrawnAt) return 'CREATOR_ROLE_WITHDRAWN';
  if (!hasProfile || (user.role !== 'CREATOR' && user.role !== 'ADMIN')) return 'NOT_A_CREATOR';
  return null;
}

const standing = { role: users.role, disabledAt: users.disabledAt, creatorWithdrawnAt: users.creatorWithdrawnAt };

export type ActingCreator = { ok: true; creator: Creator } | { ok: false; code: CreatorRefusal | 'FORBIDDEN' };

/**
 * The creator profile `userId` may act as now; with `creatorId`, also that it is this profile
 * (FORBIDDEN otherwise). A missing or disabled account is refused like a non-creator.
 */
export async function actingCreator(
  deps: Pick<Deps, 'db'>,
  userId: string,
  creatorId?: string,
): Promise<ActingCreator> {
  const row = await deps.db
    .select({ creator: creators, ...standing })
    .from(users)
    .leftJoin(creators, eq(creators.userId, users.id))
    .where(eq(users.id, userId))
    .get();
  if (!row) return { ok: false, code: 'NOT_A_CREATOR' };
  const refused = creatorRefusal(row, row.creator !== null);
  if (refused) return { ok: false, code: refused };
  if (creatorId !== undefined && row.creator!.id !== creatorId) return { ok: false, code: 'FORBIDDEN' };
  return { ok: true, creator: row.creator! };
}

/** Whether an account is disabled now (read from D1, not the isolate's cache): for the few writes that must not trust a session alone. */
export async function isDisabled(deps: Pick<Deps, 'db'>, userId: string): Promise<boolean> {
  const row = await deps.db.select({ disabledAt: users.disabledAt }).from(users).where(eq(users.id, userId)).get();
  return !row || row.disabledAt !== null;
}

/**
 * SQL for a query on `creators`: the profile's account may act as a creator — what the public
 * directory, creator pages, requests and slot bookings require of the creator.
 */
export function activeCreator(): SQL {
  return sql`exists (select 1 from ${users} where ${users.id} = ${creators.userId} and ${users.disabledAt} is null and ${users.creatorWithdrawnAt} is null and ${users.role} in ('CREATOR', 'ADMIN'))`;
}

/** SQL: whether account `userId` is disabled or gone — to read alongside another query, in the same round trip. */
export function accountDisabled(userId: string): SQL<boolean> {
  return sql<number>`coalesce((select ${users.disabledAt} is not null from ${users} where ${users.id} = ${userId}), 1)`.mapWith(
    Boolean,
  );
}
