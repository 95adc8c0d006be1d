/**
 * Column names for raw SQL, from the schema: a renamed column then fails typecheck, not a query.
 * `${table.column}` renders qualified ("payouts"."id"), which SQLite refuses where it wants a
 * bare name: an INSERT's column list and an UPDATE's SET.
 */
import { sql, type Column, type SQL } from 'drizzle-orm';

/** One column's name, unqualified. */
export const bare = (column: Column): SQL => sql`${sql.identifier(column.name)}`;

/** An INSERT's column list: `"id", "creator_id", …`. */
export const columnList = (...columns: Column[]): SQL =>
  sql.join(
    columns.map((c) => bare(c)),
    sql`, `,
  );
