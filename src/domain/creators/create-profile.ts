/** Creates the creator profile that goes with a CREATOR account (at sign-up or when a fan becomes a creator). */
import { and, eq, isNull, like } from 'drizzle-orm';
import { creators, users, type Creator, type Currency, type User } from '../../db/schema';
import { one } from '../../db/one';
import type { Deps } from '../../deps';
import { errorText } from '../../lib/logger';
import { forgetUser } from '../accounts/session-cache';
import { slugify } from './slug';

/** A free slug: `base`, else `base-2`, `base-3`… (the unique index settles races). */
export async function freeSlug(deps: Deps, base: string): Promise<string> {
  const taken = new Set(
    (
      await deps.db
        .select({ slug: creators.slug })
        .from(creators)
        .where(like(creators.slug, `${base}%`))
        .all()
    ).map((r) => r.slug),
  );
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

export function newCreatorRow(
  deps: Deps,
  user: Pick<User, 'id' | 'name' | 'timezone'>,
  slug: string,
  currency: Currency = 'EUR',
) {
  const now = deps.clock.now();
  return {
    id: deps.ids.next('crt'),
    userId: user.id,
    slug,
    displayName: user.name,
    currency,
    timezone: user.timezone,
    createdAt: now,
    updatedAt: now,
  } satisfies typeof creators.$inferInsert;
}

/**
 * Turns an existing account into a creator (idempotent: returns the existing profile). The role
 * write never applies to an account whose creator role an admin withdrew (even one withdrawn a
 * moment ago): only an admin clears that, before calling this.
 */
export async function ensureCreatorProfile(deps: Deps, user: User): Promise<Creator> {
  forgetUser(user.id); // the role changes
  const promotable = and(eq(users.id, user.id), isNull(users.creatorWithdrawnAt));
  const existing = await deps.db.select().from(creators).where(eq(creators.userId, user.id)).get();
  if (existing) {
    if (user.role === 'USER')
      await deps.db.update(users).set({ role: 'CREATOR', updatedAt: deps.clock.now() }).where(promotable);
    return existing;
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    const row = newCreatorRow(deps, user, await freeSlug(deps, slugify(user.name)));
    try {
      const [, inserted] = await deps.db.batch([
        deps.db
          .update(users)
          .set({ role: user.role === 'ADMIN' ? 'ADMIN' : 'CREATOR', updatedAt: row.createdAt })
          .where(promotable),
        deps.db.insert(creators).values(row).returning(),
      ]);
      return one(inserted, 'the creator profile just created');
    } catch (e) {
      if (!errorText(e).includes('UNIQUE')) throw e;
      const raced = await deps.db.select().from(creators).where(eq(creators.userId, user.id)).get();
      if (raced) return raced;
    }
  }
  throw new Error('Could not allocate a creator slug');
}

export type BecomeCreatorResult =
  | { ok: true; creator: Creator }
  | { ok: false; code: 'CREATOR_ROLE_WITHDRAWN' | 'ACCOUNT_DISABLED' };

/**
 * "Become a creator", asked by the person: refused once an admin withdrew their creator role
 * (read from D1, not the account cache), including when it is withdrawn while this runs.
 */
export async function becomeCreator(deps: Deps, userId: string): Promise<BecomeCreatorResult> {
  const user = await deps.db.select().from(users).where(eq(users.id, userId)).get();
  if (!user || user.disabledAt) return { ok: false, code: 'ACCOUNT_DISABLED' };
  if (user.creatorWithdrawnAt) return { ok: false, code: 'CREATOR_ROLE_WITHDRAWN' };
  const creator = await ensureCreatorProfile(deps, user);
  const after = await deps.db
    .select({ withdrawn: users.creatorWithdrawnAt })
    .from(users)
    .where(eq(users.id, userId))
    .get();
  return after?.withdrawn ? { ok: false, code: 'CREATOR_ROLE_WITHDRAWN' } : { ok: true, creator };
}
