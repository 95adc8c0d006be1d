/**
 * Creator images: checked from their bytes, resized at upload by the Images binding (miniflare runs
 * sharp) into fixed-size WebP variants stored in R2, served with immutable cache headers and picked
 * per <img> with srcset. Refused uploads store nothing.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { creators } from '../src/db/schema';
import { sniffImage } from '../src/lib/images';
import { BASE, deps, expectError, fetchApp, testEnv } from './helpers';
import { corruptPng, pngImage } from './images';
import { onboardedCreator, type CreatorScenario } from './scenarios';

type Uploaded = {
  url: string;
  variants: { url: string; width: number; height: number }[];
  creator: { profileImageUrl: string | null; bannerImageUrl: string | null };
};

const put = (c: CreatorScenario, kind: string, body: Uint8Array, type = 'image/png') =>
  fetchApp(`/api/creators/me/images/${kind}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${c.token}`, 'content-type': type },
    body: body as unknown as BodyInit,
  });
const stored = async (c: CreatorScenario) =>
  (await testEnv.MEDIA.list({ prefix: `creators/${c.creator.id}/` })).objects.map((o) => o.key).sort();
const row = async (c: CreatorScenario) =>
  (await deps().db.select().from(creators).where(eq(creators.id, c.creator.id)).get())!;

/** Fetches a served variant: its headers, and its real format and size read from the bytes. */
async function served(url: string) {
  const res = await fetchApp(url);
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { res, bytes, info: sniffImage(bytes) };
}

describe('creator images', () => {
  it('a large profile photo comes back as 96 and 256 px WebP squares, far lighter, served immutable with an ETag; the original is not kept', async () => {
    const c = await onboardedCreator();
    const original = await pngImage(2000, 1500, 2);
    expect(original.byteLength).toBeGreaterThan(2_000_000); // a real photo's weight, under the 5 MB limit
    const res = await put(c, 'profile', original);
    expect(res.status).toBe(200);
    const out = (await res.json()) as Uploaded;
    expect(out.variants.map((v) => [v.width, v.height])).toEqual([
      [96, 96],
      [256, 256],
    ]);
    expect(out.url).toBe(out.variants[1].url);
    expect(out.url).toMatch(/^\/media\/creators\/crt_\w+\/profile-[0-9a-f]{16}-256\.webp$/);
    expect(out.creator.profileImageUrl).toBe(out.url);
    for (const v of out.variants) {
      const { res: r, bytes, info } = await served(v.url);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('image/webp');
      expect(r.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(info).toMatchObject({ type: 'image/webp', width: v.width, height: v.height });
      expect(bytes.byteLength).toBeLessThan(original.byteLength / 20);
      const etag = r.headers.get('etag')!;
      expect(etag).toBeTruthy();
      expect((await fetchApp(v.url, { headers: { 'if-none-match': etag } })).status).toBe(304);
    }
    // Only the variants are in R2.
    expect(await stored(c)).toEqual(out.variants.map((v) => v.url.replace('/media/', '')).sort());
  });

  it('a wide banner keeps its aspect ratio at 800 and 1600 px wide', async () => {
    const c = await onboardedCreator();
    const original = await pngImage(3200, 1000, 2);
    const out = (await (await put(c, 'banner', original)).json()) as Uploaded;
    expect(out.variants.map((v) => [v.width, v.height])).toEqual([
      [800, 250],
      [1600, 500],
    ]);
    for (const v of out.variants) {
      const { info, bytes } = await served(v.url);
      expect(info).toMatchObject({ type: 'image/webp', width: v.width, height: v.height });
      expect(bytes.byteLength).toBeLessThan(original.byteLength);
    }
  });

  it('pages pick the variant that fits each <img> (srcset + sizes), for avatars and banners', async () => {
    const c = await onboardedCreator();
    const profile = (await (await put(c, 'profile', await pngImage(600, 600, 8))).json()) as Uploaded;
    const banner = (await (await put(c, 'banner', await pngImage(1800, 600, 8))).json()) as Uploaded;
    const html = await (await fetchApp(`/en/c/${c.creator.slug}`)).text();
    const [p96, p256] = profile.variants.map((v) => v.url);
    const [b800, b1600] = banner.variants.map((v) => v.url);
    // The 120 px avatar: the 256 variant at 1×, both offered.
    expect(html).toContain(`<img class="avatar lg" src="${p256}" srcset="${p96} 96w, ${p256} 256w" sizes="120px"`);
    expect(html).toContain(
      `<img class="banner" src="${b800}" srcset="${b800} 800w, ${b1600} 1600w" sizes="(max-width: 1212px) calc(100vw - 32px), 1180px"`,
    );
    // A 36/64 px avatar (the directory card) starts from the 96 one.
    const directory = await (await fetchApp(`/en/creators?q=${encodeURIComponent(c.creator.displayName)}`)).text();
    expect(directory).toContain(`src="${p96}" srcset="${p96} 96w, ${p256} 256w" sizes="64px"`);
    // The original upload is nowhere.
    expect(html).not.toMatch(/\.png"/);
  });

  it('no-JS form uploads get the same variants', async () => {
    const c = await onboardedCreator();
    const form = new FormData();
    form.set('image', new File([await pngImage(1200, 1200, 4)], 'me.png', { type: 'image/png' }));
    const res = await fetchApp('/en/creator/profile/image/profile', {
      method: 'POST',
      headers: { authorization: `Bearer ${c.token}`, origin: BASE },
      body: form,
    });
    expect(res.status).toBe(303);
    const key = (await row(c)).profileImageKey!;
    expect(key).toMatch(/^creators\/crt_\w+\/profile-[0-9a-f]{16}-256\.webp$/);
    const keys = await stored(c);
    expect(keys).toHaveLength(2);
    for (const k of keys)
      expect((await served(`/media/${k}`)).info).toMatchObject({
        type: 'image/webp',
        width: Number(/-(\d+)\.webp$/.exec(k)![1]),
      });
  });

  it('replacing or removing an image deletes all its variants', async () => {
    const c = await onboardedCreator();
    const first = (await (await put(c, 'profile', await pngImage(300, 300, 8))).json()) as Uploaded;
    const second = (await (await put(c, 'profile', await pngImage(320, 320, 8))).json()) as Uploaded;
    for (const v of first.variants) expect((await fetchApp(v.url)).status).toBe(404);
    for (const v of second.variants) expect((await fetchApp(v.url)).status).toBe(200);
    expect(await stored(c)).toHaveLength(2);
    const removed = await fetchApp('/api/creators/me/images/profile', {
      method: 'DELETE',
      headers: { authorization: `Bearer ${c.token}` },
    });
    expect(removed.status).toBe(200);
    expect(await stored(c)).toEqual([]);
    expect((await row(c)).profileImageKey).toBeNull();
  });

  it('refuses wrong types, bad dimensions, oversize and undecodable files with a 4xx, storing nothing', async () => {
    const c = await onboardedCreator();
    await expectError(
      await put(c, 'profile', new TextEncoder().encode('<svg onload=alert(1)>'.padEnd(64)), 'image/png'),
      415,
      'IMAGE_TYPE_UNSUPPORTED',
    );
    await expectError(await put(c, 'profile', await pngImage(40, 40)), 422, 'IMAGE_DIMENSIONS');
    await expectError(await put(c, 'banner', await pngImage(200, 200)), 422, 'IMAGE_DIMENSIONS');
    await expectError(await put(c, 'avatar', await pngImage(100, 100)), 400, 'VALIDATION_ERROR');
    await expectError(await put(c, 'banner', new Uint8Array(5 * 1024 * 1024 + 10)), 413, 'IMAGE_TOO_LARGE');
    // Right header, garbage pixels: sniffing passes, decoding does not.
    await expectError(await put(c, 'profile', corruptPng(400, 400)), 422, 'IMAGE_UNREADABLE');
    await expectError(await put(c, 'banner', corruptPng(1200, 400)), 422, 'IMAGE_UNREADABLE');
    expect(await stored(c)).toEqual([]);
    const r = await row(c);
    expect([r.profileImageKey, r.bannerImageKey]).toEqual([null, null]);
  });

  it('images stored before variants existed are still served, as they are', async () => {
    const c = await onboardedCreator();
    const key = `creators/${c.creator.id}/profile-0123456789abcdef.png`;
    await testEnv.MEDIA.put(key, await pngImage(200, 200), { httpMetadata: { contentType: 'image/png' } });
    await deps().db.update(creators).set({ profileImageKey: key }).where(eq(creators.id, c.creator.id));
    const res = await fetchApp(`/media/${key}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    await res.arrayBuffer();
    const html = await (await fetchApp(`/en/c/${c.creator.slug}`)).text();
    expect(html).toContain(`<img class="avatar lg" src="/media/${key}" alt width="120"`);
    // Replacing it removes the original too.
    await put(c, 'profile', await pngImage(300, 300, 8));
    expect((await fetchApp(`/media/${key}`)).status).toBe(404);
  });
});
