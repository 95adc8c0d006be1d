/**
 * Creator profile edits and images. An upload is checked from its bytes (type, size, dimensions),
 * then resized by the Images binding into fixed-size WebP variants (src/lib/image-variants.ts),
 * which go to R2 and are served from /media with long cache headers; the original is not kept.
 */
import { and, eq, ne } from 'drizzle-orm';
import type { z } from 'zod';
import { creators, type Creator } from '../../db/schema';
import { one } from '../../db/one';
import type { Deps } from '../../deps';
import { toHex } from '../../lib/crypto';
import { IMAGE_VARIANTS, keysOf, VARIANT_QUALITY, variantKey, type ImageKind } from '../../lib/image-variants';
import { sniffImage, type ImageInfo } from '../../lib/images';
import { errorText } from '../../lib/logger';
import type { UpdateCreatorBody } from '../../shared/creators';

export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
export const IMAGE_LIMITS: Record<ImageKind, { min: number; max: number }> = {
  profile: { min: 64, max: 2048 },
  banner: { min: 320, max: 4096 },
};
export type { ImageKind };

export type UpdateResult = { ok: true; creator: Creator } | { ok: false; code: 'SLUG_TAKEN' | 'CURRENCY_NOT_ACCEPTED' };

export async function updateCreatorProfile(
  deps: Deps,
  creator: Creator,
  patch: z.infer<typeof UpdateCreatorBody>,
): Promise<UpdateResult> {
  // Once the payment account's currency is known, the profile's (the default for new prices) is that one.
  if (patch.currency && creator.stripeDefaultCurrency && patch.currency !== creator.stripeDefaultCurrency)
    return { ok: false, code: 'CURRENCY_NOT_ACCEPTED' };
  if (patch.slug && patch.slug !== creator.slug) {
    const taken = await deps.db
      .select({ id: creators.id })
      .from(creators)
      .where(and(eq(creators.slug, patch.slug), ne(creators.id, creator.id)))
      .get();
    if (taken) return { ok: false, code: 'SLUG_TAKEN' };
  }
  try {
    const updated = one(
      await deps.db
        .update(creators)
        .set({ ...patch, updatedAt: deps.clock.now() })
        .where(eq(creators.id, creator.id))
        .returning(),
      'the creator just updated',
    );
    return { ok: true, creator: updated };
  } catch (e) {
    if (errorText(e).includes('UNIQUE')) return { ok: false, code: 'SLUG_TAKEN' };
    throw e;
  }
}

export type ImageRefusal = 'IMAGE_TOO_LARGE' | 'IMAGE_TYPE_UNSUPPORTED' | 'IMAGE_DIMENSIONS' | 'IMAGE_UNREADABLE';

/**
 * Images error codes that mean "this input cannot be decoded" (not an image, over the pixel area,
 * corrupt data), as opposed to the service failing — which stays a 5xx.
 * https://developers.cloudflare.com/images/reference/troubleshooting/
 */
const UNREADABLE_CODES = new Set([9402, 9412, 9413, 9520, 9523]);
const isUnreadable = (e: unknown) =>
  typeof (e as { code?: unknown })?.code === 'number' && UNREADABLE_CODES.has((e as { code: number }).code);

export interface ImageVariant {
  key: string;
  width: number;
  height: number;
  bytes: Uint8Array<ArrayBuffer>;
}

/**
 * The variants of one upload: profile images as centred square crops, banners at the upload's
 * aspect ratio; WebP, metadata (EXIF, GPS) dropped by the re-encoding. Null when the bytes looked
 * like an image but cannot be decoded.
 */
async function makeVariants(
  deps: Pick<Deps, 'images'>,
  stem: string,
  kind: ImageKind,
  bytes: Uint8Array<ArrayBuffer>,
): Promise<ImageVariant[] | null> {
  try {
    const out: ImageVariant[] = [];
    // One at a time: a 4096 px decode is the costly part, and two at once only double the peak memory.
    for (const width of IMAGE_VARIANTS[kind]) {
      const transform: ImageTransform =
        kind === 'profile' ? { width, height: width, fit: 'cover', gravity: 'center' } : { width, fit: 'contain' };
      const result = await deps.images
        .input(new Blob([bytes]).stream())
        .transform(transform)
        .output({ format: 'image/webp', quality: VARIANT_QUALITY });
      const encoded = new Uint8Array(await new Response(result.image()).arrayBuffer());
      const info: ImageInfo | null = sniffImage(encoded);
      if (!info || info.type !== 'image/webp')
        throw new Error(`Images binding returned ${result.contentType()}, not WebP`);
      out.push({ key: variantKey(stem, width), width: info.width, height: info.height, bytes: encoded });
    }
    return out;
  } catch (e) {
    if (isUnreadable(e)) return null;
    throw e;
  }
}

/** Stores a profile or banner image after checking its real type, size and dimensions: its resized variants, in R2. */
export async function setCreatorImage(
  deps: Deps,
  creator: Creator,
  kind: ImageKind,
  bytes: Uint8Array<ArrayBuffer>,
): Promise<
  | { ok: true; creator: Creator; url: string; variants: Omit<ImageVariant, 'bytes'>[] }
  | { ok: false; code: ImageRefusal; message: string }
> {
  if (bytes.byteLength > MAX_IMAGE_BYTES)
    return {
      ok: false,
      code: 'IMAGE_TOO_LARGE',
      message: `Images are limited to ${MAX_IMAGE_BYTES / 1024 / 1024} MB.`,
    };
  const info = sniffImage(bytes);
  if (!info) return { ok: false, code: 'IMAGE_TYPE_UNSUPPORTED', message: 'Use a JPEG, PNG or WebP image.' };
  const lim = IMAGE_LIMITS[kind];
  if (info.width < lim.min || info.height < lim.min || info.width > lim.max || info.height > lim.max) {
    return {
      ok: false,
      code: 'IMAGE_DIMENSIONS',
      message: `A ${kind} image must be between ${lim.min} and ${lim.max} pixels per side (got ${info.width}×${info.height}).`,
    };
  }
  const hash = toHex(await crypto.subtle.digest('SHA-256', bytes)).slice(0, 16);
  const variants = await makeVariants(deps, `creators/${creator.id}/${kind}-${hash}`, kind, bytes);
  if (!variants)
    return {
      ok: false,
      code: 'IMAGE_UNREADABLE',
      message: 'This file cannot be read as an image: it may be damaged. Export it again as JPEG, PNG or WebP.',
    };
  // Everything decoded: only now does anything get stored.
  await Promise.all(
    variants.map((v) =>
      deps.media.put(v.key, v.bytes, {
        httpMetadata: { contentType: 'image/webp', cacheControl: 'public, max-age=31536000, immutable' },
        customMetadata: {
          width: String(v.width),
          height: String(v.height),
          sourceWidth: String(info.width),
          sourceHeight: String(info.height),
        },
      }),
    ),
  );
  // Widths go smallest first, and the row keeps the largest variant.
  const largest = variants.at(-1);
  if (!largest) throw new Error(`No ${kind} image variant was made`);
  const key = largest.key;
  const column = kind === 'profile' ? 'profileImageKey' : 'bannerImageKey';
  const previous = creator[column];
  const updated = one(
    await deps.db
      .update(creators)
      .set({ [column]: key, updatedAt: deps.clock.now() })
      .where(eq(creators.id, creator.id))
      .returning(),
    'the creator with a new image',
  );
  if (previous && previous !== key) await deps.media.delete(keysOf(previous));
  return {
    ok: true,
    creator: updated,
    url: `/media/${key}`,
    variants: variants.map(({ key: k, width, height }) => ({ key: k, width, height })),
  };
}

export async function removeCreatorImage(deps: Deps, creator: Creator, kind: ImageKind): Promise<Creator> {
  const column = kind === 'profile' ? 'profileImageKey' : 'bannerImageKey';
  const previous = creator[column];
  const updated = one(
    await deps.db
      .update(creators)
      .set({ [column]: null, updatedAt: deps.clock.now() })
      .where(eq(creators.id, creator.id))
      .returning(),
    'the creator without the image',
  );
  if (previous) await deps.media.delete(keysOf(previous));
  return updated;
}
