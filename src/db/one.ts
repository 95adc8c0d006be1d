/**
 * The row a statement always yields: an aggregate without GROUP BY, an INSERT … RETURNING, an
 * UPDATE … RETURNING by a key just read. None is a broken invariant, so it throws (a 500), never a refusal.
 */
export function one<T>(rows: readonly T[], what: string): T {
  const [row] = rows;
  if (row === undefined) throw new Error(`Expected one row: ${what}`);
  return row;
}
