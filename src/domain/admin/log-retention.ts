/** Log retention: INFO 30 days, WARNING 60, ERROR 90, CRITICAL forever. Deletes in bounded chunks. */
import { sql } from 'drizzle-orm';
import type { Deps } from '../../deps';
import { DAY } from '../../lib/clock';

export const RETENTION_DAYS = { INFO: 30, WARNING: 60, ERROR: 90 } as const;
const CHUNK = 2000;
const MAX_CHUNKS = 20;

export async function applyLogRetention(deps: Deps): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const now = deps.clock.now().getTime();
  for (const [level, days] of Object.entries(RETENTION_DAYS)) {
    const cutoff = now - days * DAY;
    let total = 0;
    for (let i = 0; i < MAX_CHUNKS; i++) {
      const r = await deps.db.run(
        sql`delete from logs where id in (select id from logs where level = ${level} and created_at < ${cutoff} limit ${CHUNK})`,
      );
      const changed = r.meta.changes ?? 0;
      total += changed;
      if (changed < CHUNK) break;
    }
    counts[level.toLowerCase()] = total;
  }
  return counts;
}
