/** Platform settings (singleton row): fee, holding period, hold duration, payout mode and minimums. */
import { eq } from 'drizzle-orm';
import { platformSettings } from '../db/schema';
import type { Deps } from '../deps';

export type PlatformSettings = typeof platformSettings.$inferSelect;

export async function getSettings(deps: Pick<Deps, 'db'>): Promise<PlatformSettings> {
  const row = await deps.db.select().from(platformSettings).where(eq(platformSettings.id, 1)).get();
  if (!row) throw new Error('platform_settings row missing (migration 0001 not applied?)');
  return row;
}
