/**
 * A D1 binding that counts what goes through it (statements, rows read as D1 reports them, rows
 * returned), to prove that a code path reads a bounded amount whatever the table sizes.
 */
export interface D1Reads {
  statements: number;
  rowsRead: number;
  rowsReturned: number;
  rowsWritten: number;
}

export function countingD1(db: D1Database): { d1: D1Database; reads: D1Reads; reset(): void } {
  const reads: D1Reads = { statements: 0, rowsRead: 0, rowsReturned: 0, rowsWritten: 0 };
  const real = new WeakMap<object, D1PreparedStatement>();
  // `raw()` and `first()` give no meta: their rows returned stand in for rows read.
  const tally = (returned: number, meta?: { rows_read?: number; rows_written?: number }) => {
    reads.statements++;
    reads.rowsReturned += returned;
    reads.rowsRead += meta?.rows_read ?? returned;
    reads.rowsWritten += meta?.rows_written ?? 0;
  };
  const wrap = (stmt: D1PreparedStatement): D1PreparedStatement => {
    const w = {
      bind: (...values: unknown[]) => wrap(stmt.bind(...values)),
      first: async (column?: string) => {
        const r = column === undefined ? await stmt.first() : await stmt.first(column);
        tally(r == null ? 0 : 1);
        return r;
      },
      all: async () => {
        const r = await stmt.all();
        tally(r.results.length, r.meta);
        return r;
      },
      run: async () => {
        const r = await stmt.run();
        tally(r.results?.length ?? 0, r.meta);
        return r;
      },
      raw: async (opts?: { columnNames?: boolean }) => {
        const r = opts?.columnNames ? await stmt.raw({ columnNames: true }) : await stmt.raw();
        tally(opts?.columnNames ? r.length - 1 : r.length);
        return r;
      },
    } as unknown as D1PreparedStatement;
    real.set(w, stmt);
    return w;
  };
  const d1 = {
    prepare: (query: string) => wrap(db.prepare(query)),
    batch: async (stmts: D1PreparedStatement[]) => {
      const results = await db.batch(stmts.map((s) => real.get(s) ?? s));
      for (const r of results) tally(r.results?.length ?? 0, r.meta);
      return results;
    },
    exec: (query: string) => db.exec(query),
    dump: () => db.dump(),
    withSession: () => {
      throw new Error('countingD1: sessions are not counted');
    },
  } as unknown as D1Database;
  return {
    d1,
    reads,
    reset: () => Object.assign(reads, { statements: 0, rowsRead: 0, rowsReturned: 0, rowsWritten: 0 }),
  };
}
