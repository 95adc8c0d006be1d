/** Platform settings (singleton row): fee, holding period, hold duration, payout mode and minimums. */
import { eq } from 'drizzle-orm';
import { platformSettings } from '../db/schema';
import type { Deps } from '../deps';

export type PlatformSettings = typeof platformSettings.$inferSelect;

let cached: { row: PlatformSettings; at: number } | null = null;
/** Settings read by hot paths are reused for this long (per isolate); admin changes in this isolate apply at once. */
export const SETTINGS_CACHE_MS = 30_000;

export async function getSettings(deps: Pick<Deps, 'db'>, opts: { fresh?: boolean } = {}): Promise<PlatformSettings> {
  if (!opts.fresh && cached && Date.now() - cached.at < SETTINGS_CACHE_MS) return cached.row;
  const row = await deps.db.select().from(platformSettings).where(eq(platformSettings.id, 1)).get();
  if (!row) throw new Error('platform_settings row missing (migration 0001 not applied?)');
  cached = { row, at: Date.now() };
  return row;
}

/** After a settings change. */
export function forgetSettings(): void {
  cached = null;
}
