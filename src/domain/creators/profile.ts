/** Creator profile edits and images (stored in R2, served from /media with long cache headers). */
import { and, eq, ne } from 'drizzle-orm';
import type { z } from 'zod';
import { creators, type Creator } from '../../db/schema';
import type { Deps } from '../../deps';
import { toHex } from '../../lib/crypto';
import { sniffImage } from '../../lib/images';
import { errorText } from '../../lib/logger';
import type { UpdateCreatorBody } from '../../shared/creators';

export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
export const IMAGE_LIMITS = { profile: { min: 64, max: 2048 }, banner: { min: 320, max: 4096 } } as const;
export type ImageKind = keyof typeof IMAGE_LIMITS;

export type UpdateResult = { ok: true; creator: Creator } | { ok: false; code: 'SLUG_TAKEN' };

export async function updateCreatorProfile(deps: Deps, creator: Creator, patch: z.infer<typeof UpdateCreatorBody>): Promise<UpdateResult> {
  if (patch.slug && patch.slug !== creator.slug) {
    const taken = await deps.db.select({ id: creators.id }).from(creators).where(and(eq(creators.slug, patch.slug), ne(creators.id, creator.id))).get();
    if (taken) return { ok: false, code: 'SLUG_TAKEN' };
  }
  try {
    const [updated] = await deps.db.update(creators).set({ ...patch, updatedAt: deps.clock.now() }).where(eq(creators.id, creator.id)).returning();
    return { ok: true, creator: updated };
  } catch (e) {
    if (errorText(e).includes('UNIQUE')) return { ok: false, code: 'SLUG_TAKEN' };
    throw e;
  }
}

export type ImageRefusal = 'IMAGE_TOO_LARGE' | 'IMAGE_TYPE_UNSUPPORTED' | 'IMAGE_DIMENSIONS';

/** Stores a profile or banner image after checking its real type, size and dimensions. */
export async function setCreatorImage(deps: Deps, creator: Creator, kind: ImageKind, bytes: Uint8Array<ArrayBuffer>): Promise<{ ok: true; creator: Creator; url: string } | { ok: false; code: ImageRefusal; message: string }> {
  if (bytes.byteLength > MAX_IMAGE_BYTES) return { ok: false, code: 'IMAGE_TOO_LARGE', message: `Images are limited to ${MAX_IMAGE_BYTES / 1024 / 1024} MB.` };
  const info = sniffImage(bytes);
  if (!info) return { ok: false, code: 'IMAGE_TYPE_UNSUPPORTED', message: 'Use a JPEG, PNG or WebP image.' };
  const lim = IMAGE_LIMITS[kind];
  if (info.width < lim.min || info.height < lim.min || info.width > lim.max || info.height > lim.max) {
    return { ok: false, code: 'IMAGE_DIMENSIONS', message: `A ${kind} image must be between ${lim.min} and ${lim.max} pixels per side (got ${info.width}×${info.height}).` };
  }
  const hash = toHex(await crypto.subtle.digest('SHA-256', bytes)).slice(0, 16);
  const key = `creators/${creator.id}/${kind}-${hash}.${info.ext}`;
  await deps.images.put(key, bytes, { httpMetadata: { contentType: info.type, cacheControl: 'public, max-age=31536000, immutable' }, customMetadata: { width: String(info.width), height: String(info.height) } });
  const column = kind === 'profile' ? 'profileImageKey' : 'bannerImageKey';
  const previous = creator[column];
  const [updated] = await deps.db.update(creators).set({ [column]: key, updatedAt: deps.clock.now() }).where(eq(creators.id, creator.id)).returning();
  if (previous && previous !== key) await deps.images.delete(previous);
  return { ok: true, creator: updated, url: `/media/${key}` };
}

export async function removeCreatorImage(deps: Deps, creator: Creator, kind: ImageKind): Promise<Creator> {
  const column = kind === 'profile' ? 'profileImageKey' : 'bannerImageKey';
  const previous = creator[column];
  const [updated] = await deps.db.update(creators).set({ [column]: null, updatedAt: deps.clock.now() }).where(eq(creators.id, creator.id)).returning();
  if (previous) await deps.images.delete(previous);
  return updated;
}
