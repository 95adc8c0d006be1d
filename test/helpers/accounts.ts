/** Accounts in known states: verified users, creators with a profile, and a bearer session. */
import { eq } from 'drizzle-orm';
import { creators, users, type Role, type User } from '../../src/db/schema';
import { createSession } from '../../src/domain/accounts/sessions';
import { ensureCreatorProfile } from '../../src/domain/creators/create-profile';
import { hashPassword } from '../../src/lib/crypto';
import { deps } from './context';

let counter = 0;
export const uniqueEmail = (tag = 'user') => `${tag}-${Date.now().toString(36)}-${++counter}@example.test`;
export const PASSWORD = 'correct-horse-battery';

export interface TestAccount {
  user: User;
  token: string;
  password: string;
}

/** Creates an account directly (verified email) and a bearer session for it. */
export async function createAccount(
  role: Role = 'USER',
  overrides: Partial<typeof users.$inferInsert> = {},
): Promise<TestAccount> {
  const d = deps();
  const now = new Date();
  const id = d.ids.next('usr');
  await d.db.insert(users).values({
    id,
    email: uniqueEmail(role.toLowerCase()),
    passwordHash: 'passwordHash' in overrides ? overrides.passwordHash : await hashPassword(PASSWORD),
    name: `${role[0]}${role.slice(1).toLowerCase()} ${counter}`,
    role: role === 'CREATOR' ? 'USER' : role,
    locale: 'en',
    timezone: 'Europe/Paris',
    emailVerifiedAt: now,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  });
  let user = (await d.db.select().from(users).where(eq(users.id, id)).get())!;
  if (role === 'CREATOR') {
    await ensureCreatorProfile(d, user);
    user = (await d.db.select().from(users).where(eq(users.id, id)).get())!;
  }
  const { token } = await createSession(d, user, 'BEARER');
  return { user, token, password: PASSWORD };
}

export async function creatorOf(userId: string) {
  return (await deps().db.select().from(creators).where(eq(creators.userId, userId)).get())!;
}
