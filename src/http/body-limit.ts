/**
 * Request body caps for every route, API and pages alike. hono's bodyLimit counts the bytes of the
 * stream when there is no Content-Length (a chunked body), so no handler ever reads more than this.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from './context';
import { AppError } from './errors';

const MB = 1024 * 1024;
/** An image (5 MB) plus its multipart envelope (boundary and part headers). */
const UPLOAD_LIMIT = 5 * MB + 16 * 1024;

const limit = (maxSize: number, code: string, message: string): MiddlewareHandler<AppEnv> =>
  bodyLimit({
    maxSize,
    onError: () => {
      throw new AppError(413, code, message);
    },
  });

const apiJson = limit(256 * 1024, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');
const apiUpload = limit(5 * MB + 1024, 'IMAGE_TOO_LARGE', 'Images are limited to 5 MB.');
/** Page forms are a few fields (the longest text is 2,000 characters): 64 KB is plenty. */
const pageForm = limit(64 * 1024, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');
const pageUpload = limit(UPLOAD_LIMIT, 'IMAGE_TOO_LARGE', 'Images are limited to 5 MB.');

const PAGE_UPLOAD = /^\/(fr|en)\/creator\/profile\/image\/(profile|banner)$/;

/** The cap for this request's path: 413 (the JSON error, or an error page in the viewer's language) beyond it. */
export const bodyLimits: MiddlewareHandler<AppEnv> = (c, next) => {
  const path = c.req.path;
  if (path === '/api' || path.startsWith('/api/'))
    return (path.startsWith('/api/creators/me/images/') ? apiUpload : apiJson)(c, next);
  return (PAGE_UPLOAD.test(path) ? pageUpload : pageForm)(c, next);
};
