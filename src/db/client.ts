import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1';
import * as schema from './schema';

export type Db = DrizzleD1Database<typeof schema>;

/** A drizzle handle over D1. Multi-row writes go through `db.batch([...])` (D1 has no interactive transactions). */
export function createDb(d1: D1Database): Db {
  return drizzle(d1, { schema });
}
