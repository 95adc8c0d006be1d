/** Serves creator images (their resized variants) from R2 with immutable cache headers (keys are content-addressed) and ETags. */
import { Hono } from 'hono';
import type { AppEnv } from '../http/context';
import { notFound } from '../http/errors';

export const mediaRoutes = new Hono<AppEnv>();

mediaRoutes.get('/media/creators/:creatorId/:file', async (c) => {
  const { creatorId, file } = c.req.param();
  // Resized variants (`profile-<hash>-256.webp`), and originals stored before variants existed.
  if (
    !/^crt_[0-9a-z]+$/.test(creatorId) ||
    !/^(profile|banner)-[0-9a-f]{16}(-\d{2,4}\.webp|\.(jpg|png|webp))$/.test(file)
  )
    throw notFound('Image');
  const key = `creators/${creatorId}/${file}`;
  const obj = await c.get('deps').media.get(key, { onlyIf: c.req.raw.headers });
  if (!obj) throw notFound('Image');
  const headers = new Headers();
  obj.writeHttpMetadata(headers);
  headers.set('etag', obj.httpEtag);
  headers.set('cache-control', 'public, max-age=31536000, immutable');
  headers.set('x-content-type-options', 'nosniff');
  // No body: the If-None-Match precondition matched.
  if (!('body' in obj) || !obj.body) return new Response(null, { status: 304, headers });
  return new Response(obj.body, { headers });
});
