/** One error type for the whole app; `onError` turns it into the API envelope or an error page. */
import type { ZodError } from 'zod';

export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 410 | 413 | 415 | 422 | 426 | 429 | 500 | 502 | 503;

export class AppError extends Error {
  readonly status: ErrorStatus;
  readonly code: string;
  readonly details?: unknown;
  readonly headers?: Record<string, string>;

  constructor(status: ErrorStatus, code: string, message: string, details?: unknown, headers?: Record<string, string>) {
    // A 4xx is an answer, not a fault: nobody reads its stack, and capturing one is the costliest
    // step of a refused request (booking losers: ~9 % of their CPU in a profile). 5xx keep theirs.
    const limit = Error.stackTraceLimit;
    if (status < 500) Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}

export interface ErrorEnvelope {
  error: { code: string; message: string; details?: unknown; requestId: string };
}

export function zodDetails(err: ZodError): { path: string; message: string; code: string }[] {
  return err.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message, code: i.code }));
}

export const badRequest = (message: string, details?: unknown) =>
  new AppError(400, 'VALIDATION_ERROR', message, details);
export const validationError = (err: ZodError, where = 'request') =>
  new AppError(
    400,
    'VALIDATION_ERROR',
    `Invalid ${where}: ${err.issues
      .map((i) => `${i.path.join('.') || where} ${i.message}`)
      .slice(0, 3)
      .join('; ')}`,
    zodDetails(err),
  );
export const unauthorized = (message = 'Sign in to continue.') => new AppError(401, 'UNAUTHENTICATED', message);
export const forbidden = (message = 'You are not allowed to do this.', code = 'FORBIDDEN', details?: unknown) =>
  new AppError(403, code, message, details);
export const notFound = (what = 'Resource') => new AppError(404, 'NOT_FOUND', `${what} not found.`);
export const conflict = (code: string, message: string, details?: unknown) => new AppError(409, code, message, details);
export const unprocessable = (code: string, message: string, details?: unknown) =>
  new AppError(422, code, message, details);
export const tooManyRequests = (retryAfterSeconds: number) =>
  new AppError(
    429,
    'RATE_LIMITED',
    `Too many attempts. Try again in ${retryAfterSeconds} seconds.`,
    { retryAfterSeconds },
    { 'Retry-After': String(retryAfterSeconds) },
  );
