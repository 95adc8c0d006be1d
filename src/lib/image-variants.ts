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

/** The stem and kind of a variant key; null for anything else (a legacy key is served as it is). */
function parseVariant(key: string): { stem: string; kind: ImageKind } | null {
  const [, stem, kind] = VARIANT.exec(key) ?? [];
  return stem && kind ? { stem, kind: kind as ImageKind } : null;
}

/** Every stored object behind a key held by a creator row (all its variants, or the legacy original). */
export function keysOf(key: string): string[] {
  const v = parseVariant(key);
  return v ? IMAGE_VARIANTS[v.kind].map((w) => variantKey(v.stem, w)) : [key];
}

/** What an <img> needs for a stored image URL: the variant for 1× at `cssWidth`, and the srcset of all of them. */
export function imageSources(url: string, cssWidth?: number): { src: string; srcset?: string } {
  const v = parseVariant(url);
  if (!v) return { src: url };
  const widths = IMAGE_VARIANTS[v.kind];
  const largest = Math.max(...widths);
  const fit = cssWidth ? (widths.find((w) => w >= cssWidth) ?? largest) : largest;
  return { src: variantKey(v.stem, fit), srcset: widths.map((w) => `${variantKey(v.stem, w)} ${w}w`).join(', ') };
}
