/** Accounts: sign-up, sign-in, profile and password changes. Results are typed; routes map them to HTTP. */
import { and, eq, isNull } from 'drizzle-orm';
import type { z } from 'zod';
import { creators, users, type Locale, type User } from '../../db/schema';
import { one } from '../../db/one';
import type { Deps } from '../../deps';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../../lib/crypto';
import { errorText } from '../../lib/logger';
import type { SignupBody, UpdateMeBody } from '../../shared/auth';
import { freeSlug, newCreatorRow } from '../creators/create-profile';
import { slugify } from '../creators/slug';
import { forgetUser } from './session-cache';
import { revokeAllSessions } from './sessions';
import { sendVerificationEmail } from './tokens';

export type SignupInput = z.infer<typeof SignupBody>;

export type SignupResult = { ok: true; user: User } | { ok: false; reason: 'EMAIL_TAKEN' };

export async function signup(
  deps: Deps,
  input: SignupInput & { locale: Locale; timezone: string },
): Promise<SignupResult> {
  const existing = await deps.db.select({ id: users.id }).from(users).where(eq(users.email, input.email)).get();
  if (existing) return { ok: false, reason: 'EMAIL_TAKEN' };
  const now = deps.clock.now();
  const user: typeof users.$inferInsert = {
    id: deps.ids.next('usr'),
    email: input.email,
    passwordHash: await hashPassword(input.password),
    name: input.name,
    role: input.role,
    locale: input.locale,
    timezone: input.timezone,
    createdAt: now,
    updatedAt: now,
  };
  try {
    if (input.role === 'CREATOR') {
      const creator = newCreatorRow(
        deps,
        { id: user.id, name: input.name, timezone: input.timezone },
        await freeSlug(deps, slugify(input.name)),
      );
      await deps.db.batch([deps.db.insert(users).values(user), deps.db.insert(creators).values(creator)]);
    } else {
      await deps.db.insert(users).values(user);
    }
  } catch (e) {
    // Two sign-ups with one email racing: the unique index decides.
    if (/users\.email|users_email_unique/.test(errorText(e))) return { ok: false, reason: 'EMAIL_TAKEN' };
    throw e;
  }
  const created = (await deps.db.select().from(users).where(eq(users.id, user.id)).get())!;
  await deps.log.auth.info(
    'AUTH_SIGNUP',
    `New ${created.role} account`,
    { locale: created.locale },
    { actor: created.role === 'CREATOR' ? 'CREATOR' : 'USER', actorId: created.id },
  );
  await sendVerificationEmail(deps, created);
  return { ok: true, user: created };
}

export type LoginResult = { ok: true; user: User } | { ok: false; reason: 'INVALID_CREDENTIALS' | 'ACCOUNT_DISABLED' };

/** Checks credentials in constant-ish time whether or not the account exists. */
export async function verifyCredentials(deps: Deps, email: string, password: string): Promise<LoginResult> {
  const user = await deps.db.select().from(users).where(eq(users.email, email)).get();
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
  if (!user || !user.passwordHash || !ok) {
    await deps.log.auth.warn('AUTH_LOGIN_FAILED', 'Sign-in failed: bad credentials', null, {
      actor: 'GUEST',
      actorId: user?.id ?? null,
    });
    return { ok: false, reason: 'INVALID_CREDENTIALS' };
  }
  if (user.disabledAt) return { ok: false, reason: 'ACCOUNT_DISABLED' };
  return { ok: true, user };
}

export async function updateProfile(deps: Deps, user: User, patch: z.infer<typeof UpdateMeBody>): Promise<User> {
  const updated = await deps.db
    .update(users)
    .set({ ...patch, updatedAt: deps.clock.now() })
    .where(eq(users.id, user.id))
    .returning();
  forgetUser(user.id);
  return one(updated, 'the updated user');
}

/** Sets the email categories a person receives; the categories not in `prefs` keep their value. */
export async function saveEmailPrefs(deps: Deps, user: User, prefs: Record<string, boolean>): Promise<void> {
  await deps.db
    .update(users)
    .set({ emailPrefs: { ...user.emailPrefs, ...prefs }, updatedAt: deps.clock.now() })
    .where(eq(users.id, user.id));
  forgetUser(user.id);
}

export type ChangePasswordResult = { ok: true; revokedSessions: number } | { ok: false; reason: 'WRONG_PASSWORD' };

/** Changes the password and signs out every other session. Accounts without a password (Google) may set one. */
export async function changePassword(
  deps: Deps,
  user: User,
  input: { currentPassword?: string; newPassword: string },
  keepSessionId?: string,
): Promise<ChangePasswordResult> {
  if (user.passwordHash && !(await verifyPassword(input.currentPassword ?? '', user.passwordHash))) {
    return { ok: false, reason: 'WRONG_PASSWORD' };
  }
  // Only over the password just checked (or its absence): not over one cleared or changed meanwhile,
  // e.g. by the address's owner claiming the account (claim.ts).
  const same = user.passwordHash ? eq(users.passwordHash, user.passwordHash) : isNull(users.passwordHash);
  const changed = await deps.db
    .update(users)
    .set({ passwordHash: await hashPassword(input.newPassword), updatedAt: deps.clock.now() })
    .where(and(eq(users.id, user.id), same))
    .returning({ id: users.id });
  forgetUser(user.id);
  if (!changed.length) return { ok: false, reason: 'WRONG_PASSWORD' };
  const revokedSessions = await revokeAllSessions(deps, user.id, keepSessionId);
  await deps.log.auth.info(
    'AUTH_PASSWORD_CHANGED',
    'Password changed; other sessions signed out',
    { revokedSessions },
    { actor: 'USER', actorId: user.id },
  );
  return { ok: true, revokedSessions };
}
