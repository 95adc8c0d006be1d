import type { SQL } from 'drizzle-orm';
import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1';
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';
export type Db = DrizzleD1Database;

/**
 * What the app asks of D1: the binding itself (Durable Objects, jobs, queue consumers: the primary)
 * or a request's `D1DatabaseSession` (read replicas, see src/http/d1-session.ts). Both have these two.
 */
export type D1Client = Pick<D1Database, 'prepare' | 'batch'>;

const cache = new WeakMap<D1Client, Db>();

/**
 * A drizzle handle over D1, built once per client: once per binding, once per request for a session.
 * No schema is given: the app never uses drizzle's relational `db.query` API, and with a schema
 * drizzle would re-process every table on each request's session. Multi-row writes go through
 * `db.batch([...])` (D1 has no interactive transactions).
 */
export function createDb(d1: D1Client): Db {
  let db = cache.get(d1);
  if (!db) {
    // drizzle 0.45 types its client as D1Database but calls only prepare() and batch() on it.
    db = drizzle(d1 as D1Database);
    cache.set(d1, db);
  }
  return db;
}

const dialect = new SQLiteAsyncDialect();

/**
 * A raw D1 statement from a drizzle `sql` template: for conditional writes (INSERT … SELECT … WHERE)
 * that must run inside one `d1.batch` transaction with other guarded statements.
 */
export function rawStatement(d1: D1Client, query: SQL): D1PreparedStatement {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return d1.prepare(text).bind(...params);
}
