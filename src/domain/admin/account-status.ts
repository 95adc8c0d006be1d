/**
 * Admin — disable and re-enable an account (audited, with the admin and a reason). Disabling signs
 * the person out everywhere, voids their pending email links (password reset, verification),
 * makes every route refuse them (sessions revoked; the account row says disabled) and closes their
 * future as a fan and as a creator (see closure.ts). Re-enabling lets them sign in again; what was
 * cancelled stays cancelled.
 */
import { and, eq, isNotNull, isNull } from 'drizzle-orm';
import { authTokens, creators, users, type User } from '../../db/schema';
import type { Deps } from '../../deps';
import { forgetUser } from '../accounts/session-cache';
import { revokeAllSessions } from '../accounts/sessions';
import { auditStatement } from './audit';
import { addClosures, closeCreatorSchedule, closeFanSchedule, type ClosureCounts } from './closure';

export type DisableRefusal = 'USER_NOT_FOUND' | 'CANNOT_DISABLE_SELF';
export type EnableRefusal = 'USER_NOT_FOUND' | 'NOT_DISABLED';

interface Meta {
  reason: string;
  requestId?: string | null;
}

export type DisableResult =
  | { ok: true; user: User; changed: boolean; revokedSessions: number; closed: ClosureCounts }
  | { ok: false; code: DisableRefusal };

/**
 * Disables `userId`. On an account already disabled it only finishes the closure (nothing is
 * audited twice): what a first run left (a batch limit, a booking taken in the seconds its
 * sessions lived on elsewhere) is closed by running it again.
 */
export async function disableAccount(deps: Deps, admin: User, userId: string, meta: Meta): Promise<DisableResult> {
  if (userId === admin.id) return { ok: false, code: 'CANNOT_DISABLE_SELF' };
  const before = await deps.db.select().from(users).where(eq(users.id, userId)).get();
  if (!before) return { ok: false, code: 'USER_NOT_FOUND' };
  const now = deps.clock.now();
  let user = before;
  if (!before.disabledAt) {
    const [[updated]] = await deps.db.batch([
      deps.db
        .update(users)
        .set({ disabledAt: now, updatedAt: now })
        .where(and(eq(users.id, userId), isNull(users.disabledAt)))
        .returning(),
      auditStatement(deps, {
        actor: admin.id,
        action: 'ACCOUNT_DISABLE',
        entity: 'user',
        entityId: userId,
        before: { disabledAt: null },
        after: { disabledAt: now.toISOString() },
        reason: meta.reason,
        requestId: meta.requestId ?? null,
      }),
      // Links already sent must not bring the person back (a reset link would set a password for later).
      deps.db
        .update(authTokens)
        .set({ usedAt: now })
        .where(and(eq(authTokens.userId, userId), isNull(authTokens.usedAt))),
    ]);
    user = updated ?? (await deps.db.select().from(users).where(eq(users.id, userId)).get())!;
  }
  forgetUser(userId);
  const revokedSessions = await revokeAllSessions(deps, userId);
  const since = user.disabledAt ?? now;
  let closed = await closeFanSchedule(deps, admin, userId, since, meta);
  const creator = await deps.db.select({ id: creators.id }).from(creators).where(eq(creators.userId, userId)).get();
  if (creator) closed = addClosures(closed, await closeCreatorSchedule(deps, admin, creator.id, meta));
  await deps.log.admin.info(
    'ADMIN_ACTION',
    `Account ${userId} disabled${before.disabledAt ? ' (closure run again)' : ''}`,
    { userId, revokedSessions, ...closed },
    { actor: 'ADMIN', actorId: admin.id },
  );
  return { ok: true, user, changed: !before.disabledAt, revokedSessions, closed };
}

export async function enableAccount(
  deps: Deps,
  admin: User,
  userId: string,
  meta: { reason?: string | null; requestId?: string | null },
): Promise<{ ok: true; user: User } | { ok: false; code: EnableRefusal }> {
  const before = await deps.db.select().from(users).where(eq(users.id, userId)).get();
  if (!before) return { ok: false, code: 'USER_NOT_FOUND' };
  if (!before.disabledAt) return { ok: false, code: 'NOT_DISABLED' };
  const now = deps.clock.now();
  const [[updated]] = await deps.db.batch([
    deps.db
      .update(users)
      .set({ disabledAt: null, updatedAt: now })
      .where(and(eq(users.id, userId), isNotNull(users.disabledAt)))
      .returning(),
    auditStatement(deps, {
      actor: admin.id,
      action: 'ACCOUNT_ENABLE',
      entity: 'user',
      entityId: userId,
      before: { disabledAt: before.disabledAt.toISOString() },
      after: { disabledAt: null },
      reason: meta.reason ?? null,
      requestId: meta.requestId ?? null,
    }),
  ]);
  forgetUser(userId);
  if (!updated) return { ok: false, code: 'NOT_DISABLED' }; // another admin re-enabled it at the same moment
  await deps.log.admin.info(
    'ADMIN_ACTION',
    `Account ${userId} enabled again`,
    { userId },
    { actor: 'ADMIN', actorId: admin.id },
  );
  return { ok: true, user: updated };
}
