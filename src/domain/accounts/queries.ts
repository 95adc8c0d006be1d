/** Named reads of accounts that need no session: the row as stored, disabled or not. */
import { eq } from 'drizzle-orm';
import { users, type User } from '../../db/schema';
import type { Deps } from '../../deps';

/** One account by id, straight from D1 (not the isolate's cache). */
export async function userById(deps: Pick<Deps, 'db'>, id: string): Promise<User | null> {
  return (await deps.db.select().from(users).where(eq(users.id, id)).get()) ?? null;
}
