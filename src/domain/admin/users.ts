/** Admin — accounts: search by name or email, filter by role, one account's detail, role changes (audited). */
import { and, count, desc, eq, or } from 'drizzle-orm';
import { bookings, creators, users, type Creator, type Role, type User } from '../../db/schema';
import { one } from '../../db/one';
import type { Deps } from '../../deps';
import { forgetUser } from '../accounts/session-cache';
import { ensureCreatorProfile } from '../creators/create-profile';
import { auditStatement } from './audit';
import { closeCreatorSchedule, type ClosureCounts } from './closure';
import { contains } from './filters';

export const USERS_PAGE = 50;

export interface UserFilter {
  q?: string;
  role?: Role;
  page: number;
}

/** The Stripe and payout state an admin needs to see about a creator. */
export type CreatorState = Pick<
  Creator,
  | 'id'
  | 'slug'
  | 'displayName'
  | 'currency'
  | 'stripeAccountId'
  | 'chargesEnabled'
  | 'payoutsEnabled'
  | 'detailsSubmitted'
  | 'onboardedAt'
  | 'payoutsBlocked'
  | 'payoutBlockReason'
  | 'payoutSchedule'
>;

const creatorState = {
  id: creators.id,
  slug: creators.slug,
  displayName: creators.displayName,
  currency: creators.currency,
  stripeAccountId: creators.stripeAccountId,
  chargesEnabled: creators.chargesEnabled,
  payoutsEnabled: creators.payoutsEnabled,
  detailsSubmitted: creators.detailsSubmitted,
  onboardedAt: creators.onboardedAt,
  payoutsBlocked: creators.payoutsBlocked,
  payoutBlockReason: creators.payoutBlockReason,
  payoutSchedule: creators.payoutSchedule,
};

export async function usersPage(deps: Pick<Deps, 'db'>, f: UserFilter) {
  const q = f.q?.trim().slice(0, 100);
  const where = and(
    q ? or(contains(users.email, q), contains(users.name, q)) : undefined,
    f.role ? eq(users.role, f.role) : undefined,
  );
  // Joined rows with clashing column names (id, created_at…) are read outside db.batch, whose D1 results are keyed by column name.
  const [rows, counted] = await Promise.all([
    deps.db
      .select({ user: users, creator: creatorState })
      .from(users)
      .leftJoin(creators, eq(creators.userId, users.id))
      .where(where)
      .orderBy(desc(users.createdAt), desc(users.id))
      .limit(USERS_PAGE)
      .offset((f.page - 1) * USERS_PAGE)
      .all(),
    deps.db.select({ total: count() }).from(users).where(where),
  ]);
  const { total } = one(counted, 'the users count');
  return { rows: rows as { user: User; creator: CreatorState | null }[], total };
}

export async function userDetail(deps: Pick<Deps, 'db'>, userId: string) {
  const [row, asFan] = await Promise.all([
    deps.db
      .select({ user: users, creator: creatorState })
      .from(users)
      .leftJoin(creators, eq(creators.userId, users.id))
      .where(eq(users.id, userId))
      .get(),
    deps.db.select({ n: count() }).from(bookings).where(eq(bookings.userId, userId)),
  ]);
  if (!row) return null;
  const asCreator = row.creator
    ? (await deps.db.select({ n: count() }).from(bookings).where(eq(bookings.creatorId, row.creator.id)).get())!.n
    : 0;
  return {
    user: row.user,
    creator: row.creator as CreatorState | null,
    bookingsAsFan: one(asFan, 'the bookings as fan count').n,
    bookingsAsCreator: asCreator,
  };
}

export type RoleChangeRefusal = 'USER_NOT_FOUND' | 'CANNOT_DEMOTE_SELF' | 'ROLE_UNCHANGED';

/**
 * Changes an account's role. An admin cannot take the ADMIN role from themself (so there is
 * always at least the acting admin left). Becoming a CREATOR creates the creator profile.
 * Taking an account with a creator profile down to USER withdraws the creator role for good: it is
 * recorded (when, by whom) so the person cannot make themself a creator again, and their creator
 * future is closed (closure.ts); the profile stays (bookings and money refer to it). Giving the
 * CREATOR or ADMIN role back clears the withdrawal.
 */
export async function changeRole(
  deps: Deps,
  admin: User,
  userId: string,
  role: Role,
  meta: { reason?: string | null; requestId?: string | null } = {},
): Promise<{ ok: true; user: User; closed: ClosureCounts | null } | { ok: false; code: RoleChangeRefusal }> {
  const before = await deps.db.select().from(users).where(eq(users.id, userId)).get();
  if (!before) return { ok: false, code: 'USER_NOT_FOUND' };
  if (before.id === admin.id && role !== 'ADMIN') return { ok: false, code: 'CANNOT_DEMOTE_SELF' };
  const profile = await deps.db.select({ id: creators.id }).from(creators).where(eq(creators.userId, userId)).get();
  if (before.role === role) {
    // Demoting again finishes what a first closure left open (over its batch, or taken meanwhile); with nothing left, nothing changed.
    const closed =
      role === 'USER' && before.creatorWithdrawnAt && profile
        ? await closeCreatorSchedule(deps, admin, profile.id, meta)
        : null;
    const did = closed
      ? closed.offersWithdrawn + closed.holdsReleased + closed.bookingsCancelled + closed.requestsClosed
      : 0;
    return did ? { ok: true, user: before, closed } : { ok: false, code: 'ROLE_UNCHANGED' };
  }
  const now = deps.clock.now();
  const withdraw = role === 'USER' && profile !== undefined;
  const [changed] = await deps.db.batch([
    deps.db
      .update(users)
      .set({
        role,
        updatedAt: now,
        ...(withdraw
          ? { creatorWithdrawnAt: now, creatorWithdrawnBy: admin.id }
          : role !== 'USER'
            ? { creatorWithdrawnAt: null, creatorWithdrawnBy: null }
            : {}),
      })
      .where(eq(users.id, userId))
      .returning(),
    auditStatement(deps, {
      actor: admin.id,
      action: 'ROLE_CHANGE',
      entity: 'user',
      entityId: userId,
      before: { role: before.role, creatorWithdrawnAt: before.creatorWithdrawnAt?.toISOString() ?? null },
      after: {
        role,
        creatorWithdrawnAt: withdraw
          ? now.toISOString()
          : role !== 'USER'
            ? null
            : (before.creatorWithdrawnAt?.toISOString() ?? null),
      },
      reason: meta.reason ?? null,
      requestId: meta.requestId ?? null,
    }),
  ]);
  const updated = one(changed, 'the user whose role changed');
  if (role === 'CREATOR') await ensureCreatorProfile(deps, updated);
  forgetUser(userId);
  const closed = withdraw ? await closeCreatorSchedule(deps, admin, profile.id, meta) : null;
  await deps.log.admin.info(
    'ADMIN_ACTION',
    `Role of ${userId}: ${before.role} → ${role}`,
    { userId, from: before.role, to: role, ...(closed ?? {}) },
    { actor: 'ADMIN', actorId: admin.id },
  );
  return { ok: true, user: (await deps.db.select().from(users).where(eq(users.id, userId)).get())!, closed };
}
