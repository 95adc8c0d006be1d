import type { SQL } from 'drizzle-orm';
import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1';
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';
import * as schema from './schema';

export type Db = DrizzleD1Database<typeof schema>;

const cache = new WeakMap<D1Database, Db>();

/** A drizzle handle over D1 (built once per binding: drizzle processes the schema on creation). Multi-row writes go through `db.batch([...])` (D1 has no interactive transactions). */
export function createDb(d1: D1Database): Db {
  let db = cache.get(d1);
  if (!db) {
    db = drizzle(d1, { schema });
    cache.set(d1, db);
  }
  return db;
}

const dialect = new SQLiteAsyncDialect();

/**
 * A raw D1 statement from a drizzle `sql` template: for conditional writes (INSERT … SELECT … WHERE)
 * that must run inside one `d1.batch` transaction with other guarded statements.
 */
export function rawStatement(d1: D1Database, query: SQL): D1PreparedStatement {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return d1.prepare(text).bind(...params);
}
