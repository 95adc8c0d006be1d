/** Platform settings (singleton row): fee, holding period, hold duration, payout mode and minimums, when a call took place. */
import { eq } from 'drizzle-orm';
import { platformSettings } from '../db/schema';
import { one } from '../db/one';
import type { Deps } from '../deps';
import { audit } from './admin/audit';

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

/** Admin change of the platform settings, audited with before/after (applies at once here, within 30 s elsewhere). */
export async function updateSettings(
  deps: Pick<Deps, 'db' | 'ids' | 'clock' | 'log'>,
  adminId: string,
  patch: Partial<
    Pick<
      PlatformSettings,
      'platformFeeBps' | 'holdingDays' | 'holdMinutes' | 'payoutMode' | 'callMinTogetherMinutes' | 'callMinTogetherPct'
    >
  > & { minPayout?: Partial<PlatformSettings['minPayout']> },
  requestId: string | null,
): Promise<PlatformSettings> {
  const before = await getSettings(deps, { fresh: true });
  const { minPayout, ...rest } = patch;
  const now = deps.clock.now();
  const after = one(
    await deps.db
      .update(platformSettings)
      .set({
        ...rest,
        ...(minPayout ? { minPayout: { ...before.minPayout, ...minPayout } } : {}),
        updatedAt: now,
        updatedBy: adminId,
      })
      .where(eq(platformSettings.id, 1))
      .returning(),
    'the platform settings row',
  );
  await audit(deps, {
    actor: adminId,
    action: 'SETTINGS_UPDATE',
    entity: 'platform_settings',
    entityId: '1',
    before,
    after,
    requestId,
  });
  await deps.log.admin.info('ADMIN_ACTION', 'Platform settings changed', { patch }, { actorId: adminId });
  forgetSettings();
  return after;
}
