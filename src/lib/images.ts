/** Image sniffing from the bytes themselves (never trust a Content-Type): format and dimensions. */
export type ImageType = 'image/jpeg' | 'image/png' | 'image/webp';
export interface ImageInfo {
  type: ImageType;
  width: number;
  height: number;
  ext: 'jpg' | 'png' | 'webp';
}

// Every read below stays inside the length checked first (30 bytes, or the JPEG loop's bound).
const u24le = (v: DataView, i: number) => v.getUint16(i, true) | (v.getUint8(i + 2) << 16);
const ascii4 = (v: DataView, i: number) =>
  String.fromCharCode(v.getUint8(i), v.getUint8(i + 1), v.getUint8(i + 2), v.getUint8(i + 3));

export function sniffImage(b: Uint8Array): ImageInfo | null {
  if (b.length < 30) return null;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  // PNG: signature, then IHDR width/height.
  if (
    b[0] === 0x89 &&
    b[1] === 0x50 &&
    b[2] === 0x4e &&
    b[3] === 0x47 &&
    b[4] === 0x0d &&
    b[5] === 0x0a &&
    b[6] === 0x1a &&
    b[7] === 0x0a
  ) {
    if (ascii4(v, 12) !== 'IHDR') return null;
    return { type: 'image/png', ext: 'png', width: v.getUint32(16), height: v.getUint32(20) };
  }
  // JPEG: walk the segments to a start-of-frame marker.
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) return null;
      const marker = v.getUint8(i + 1);
      if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7)) {
        i += 2;
        continue;
      }
      const len = v.getUint16(i + 2);
      if ([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf].includes(marker)) {
        return { type: 'image/jpeg', ext: 'jpg', height: v.getUint16(i + 5), width: v.getUint16(i + 7) };
      }
      if (len < 2) return null;
      i += 2 + len;
    }
    return null;
  }
  // WebP: RIFF container with a VP8 / VP8L / VP8X chunk.
  if (ascii4(v, 0) === 'RIFF' && ascii4(v, 8) === 'WEBP') {
    const chunk = ascii4(v, 12);
    if (chunk === 'VP8 ' && b[23] === 0x9d && b[24] === 0x01 && b[25] === 0x2a)
      return {
        type: 'image/webp',
        ext: 'webp',
        width: v.getUint16(26, true) & 0x3fff,
        height: v.getUint16(28, true) & 0x3fff,
      };
    if (chunk === 'VP8L' && b[20] === 0x2f) {
      const bits = v.getUint32(21, true);
      return { type: 'image/webp', ext: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    if (chunk === 'VP8X') return { type: 'image/webp', ext: 'webp', width: u24le(v, 24) + 1, height: u24le(v, 27) + 1 };
  }
  return null;
}
