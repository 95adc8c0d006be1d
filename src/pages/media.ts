/** Serves creator images (their resized variants) from R2 with immutable cache headers (keys are content-addressed) and ETags. */
import { z } from 'zod';
import { notFound } from '../http/errors';
import { pageArea } from './page-route';

const area = pageArea('public');
export const mediaRoutes = area.app;

/** A stored image's key: resized variants (`profile-<hash>-256.webp`), and originals stored before variants existed. */
const ImagePath = z.object({
  creatorId: z.string().regex(/^crt_[0-9a-z]+$/),
  file: z.string().regex(/^(profile|banner)-[0-9a-f]{16}(-\d{2,4}\.webp|\.(jpg|png|webp))$/),
});

area.get('/media/creators/:creatorId/:file', { params: ImagePath, notFound: 'Image' }, async (c, { params }) => {
  const { creatorId, file } = params;
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
