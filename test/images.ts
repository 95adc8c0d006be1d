/** Real, decodable test images (PNG, RGB 8-bit) built in the runtime: zlib through CompressionStream, CRC-32 by hand. */

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

async function zlib(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(
    await new Response(
      new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('deflate')),
    ).arrayBuffer(),
  );
}

/**
 * A width × height PNG: diagonal gradients, plus pseudo-random noise of `noise` levels (0 = smooth,
 * compresses to almost nothing; 64 = photo-like, large — what a real upload weighs).
 */
export async function pngImage(width: number, height: number, noise = 0): Promise<Uint8Array<ArrayBuffer>> {
  const stride = width * 3 + 1;
  const raw = new Uint8Array(stride * height);
  let seed = 0x2545f491;
  const rand = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return ((seed >>> 0) % (noise || 1)) - (noise >> 1);
  };
  const clamp = (v: number) => (v < 0 ? 0 : Math.min(v, 255));
  for (let y = 0; y < height; y++) {
    raw[y * stride] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const i = y * stride + 1 + x * 3;
      raw[i] = clamp(Math.round((x / width) * 255) + (noise ? rand() : 0));
      raw[i + 1] = clamp(Math.round((y / height) * 255) + (noise ? rand() : 0));
      raw[i + 2] = clamp(Math.round(((x + y) / (width + height)) * 255) + (noise ? rand() : 0));
    }
  }
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, adaptive filtering, no interlace
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', await zlib(raw)),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A PNG whose header is right (sniffing and the dimension check pass) but whose pixel data is garbage. */
export function corruptPng(width: number, height: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(4096);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(b.buffer).setUint32(16, width);
  new DataView(b.buffer).setUint32(20, height);
  for (let i = 33; i < b.length; i++) b[i] = (i * 7919) & 0xff;
  return b;
}
