/**
 * Creator images are stored as fixed-size WebP variants made at upload (never the original): the
 * key names the kind, the content hash of the upload and the variant's width, e.g.
 * `creators/crt_…/profile-<hash16>-256.webp`. The creator row keeps the largest variant's key; the
 * others follow from it, so a page builds its `srcset` without reading anything. Keys from before
 * variants existed (`profile-<hash16>.png`) are served as they are, without a srcset.
 */
export type ImageKind = 'profile' | 'banner';

/** Widths made per kind (profile: square crops; banner: the upload's aspect ratio), smallest first. */
export const IMAGE_VARIANTS: Record<ImageKind, readonly number[]> = { profile: [96, 256], banner: [800, 1600] };

/** WebP quality of the variants (0–100). */
export const VARIANT_QUALITY = 82;

const VARIANT = /^(.*\/(profile|banner)-[0-9a-f]{16})-(\d+)\.webp$/;

export const variantKey = (stem: string, width: number) => `${stem}-${width}.webp`;

/** Every stored object behind a key held by a creator row (all its variants, or the legacy original). */
export function keysOf(key: string): string[] {
  const m = VARIANT.exec(key);
  return m ? IMAGE_VARIANTS[m[2] as ImageKind].map((w) => variantKey(m[1], w)) : [key];
}

/** What an <img> needs for a stored image URL: the variant for 1× at `cssWidth`, and the srcset of all of them. */
export function imageSources(url: string, cssWidth?: number): { src: string; srcset?: string } {
  const m = VARIANT.exec(url);
  if (!m) return { src: url };
  const widths = IMAGE_VARIANTS[m[2] as ImageKind];
  const fit = cssWidth ? (widths.find((w) => w >= cssWidth) ?? widths[widths.length - 1]) : widths[widths.length - 1];
  return { src: variantKey(m[1], fit), srcset: widths.map((w) => `${variantKey(m[1], w)} ${w}w`).join(', ') };
}
