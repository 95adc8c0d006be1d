/** A creator's request inbox: the requests made to them, with the fan who asked. */
import { desc, eq } from 'drizzle-orm';
import { callRequests, users } from '../../db/schema';
import type { Deps } from '../../deps';

/** The latest requests made to a creator (newest first), each with its fan's account. */
export async function requestsToCreator(deps: Pick<Deps, 'db'>, creatorId: string, limit = 200) {
  return deps.db
    .select({ r: callRequests, fan: users })
    .from(callRequests)
    .innerJoin(users, eq(users.id, callRequests.userId))
    .where(eq(callRequests.creatorId, creatorId))
    .orderBy(desc(callRequests.createdAt))
    .limit(limit)
    .all();
}
