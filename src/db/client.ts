import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1';
import * as schema from './schema';

export type Db = DrizzleD1Database<typeof schema>;

const cache = new WeakMap<D1Database, Db>();

/** A drizzle handle over D1 (built once per binding: drizzle processes the schema on creation). Multi-row writes go through `db.batch([...])` (D1 has no interactive transactions). */
export function createDb(d1: D1Database): Db {
  let db = cache.get(d1);
  if (!db) cache.set(d1, (db = drizzle(d1, { schema })));
  return db;
}
