/** /api/auth/*: sign-up, sign-in, sign-out, email verification, password reset. */
import { z } from 'zod';
import { signup, verifyCredentials } from '../domain/accounts/accounts';
import { toUserDto } from '../domain/accounts/dto';
import { createPasswordSession, revokeAllSessions, revokeSession } from '../domain/accounts/sessions';
import type { User } from '../db/schema';
import {
  EMAIL_LIMITS,
  requestPasswordReset,
  resendVerificationEmail,
  resetPassword,
  verifyEmail,
} from '../domain/accounts/tokens';
import type { Ctx } from '../http/context';
import { clearSessionCookie } from '../http/cookies';
import { AppError, conflict, forbidden, tooManyRequests } from '../http/errors';
import { clientIp } from '../http/middleware';
import { credentialAttemptAllowed, enforceLimit } from '../http/rate-limit';
import { apiApp, route } from '../http/route';
import {
  AuthResponse,
  LoginBody,
  MeResponse,
  ResetConfirmBody,
  ResetRequestBody,
  SignupBody,
  TokenBody,
} from '../shared/auth';

export const authApi = apiApp('/api/auth');
const tags = ['Accounts'];

/** A bearer token for a password just checked — refused (401) if that password is no longer the account's. */
async function issueBearer(c: Ctx, user: Pick<User, 'id' | 'passwordHash'>) {
  const s = await createPasswordSession(c.get('deps'), user, 'BEARER', {
    userAgent: c.req.header('user-agent'),
    ip: clientIp(c.req.raw),
  });
  if (!s) throw new AppError(401, 'INVALID_CREDENTIALS', 'Wrong email or password.');
  return { token: s.token, expiresAt: s.expiresAt.toISOString() };
}

route(
  authApi,
  {
    method: 'post',
    path: '/signup',
    summary: 'Create an account (fan or creator)',
    tags,
    access: 'public',
    body: SignupBody,
    responses: {
      201: { description: 'Account created; a verification email is on its way', schema: AuthResponse },
      409: { description: 'EMAIL_TAKEN' },
      429: { description: 'RATE_LIMITED' },
    },
  },
  async (c, { body }) => {
    const deps = c.get('deps');
    await enforceLimit(deps.limiters.signup, `signup:${clientIp(c.req.raw)}`);
    const r = await signup(deps, {
      ...body,
      locale: body.locale ?? c.get('locale'),
      timezone: body.timezone ?? c.get('timezone'),
    });
    if (!r.ok) throw conflict('EMAIL_TAKEN', 'An account already exists with this email.');
    return c.json({ user: toUserDto(r.user), ...(await issueBearer(c, r.user)) }, 201);
  },
);

route(
  authApi,
  {
    method: 'post',
    path: '/login',
    summary: 'Sign in with email and password; returns a bearer token',
    tags,
    access: 'public',
    body: LoginBody,
    responses: {
      200: { description: 'Signed in', schema: AuthResponse },
      401: { description: 'INVALID_CREDENTIALS' },
      429: { description: 'RATE_LIMITED (Retry-After): 5 attempts a minute per IP and email, 30 per IP' },
    },
  },
  async (c, { body }) => {
    const deps = c.get('deps');
    if (!(await credentialAttemptAllowed(deps, 'login', clientIp(c.req.raw), body.email))) {
      await deps.log.auth.warn(
        'AUTH_RATE_LIMITED',
        'Sign-in rate limited',
        { ip: clientIp(c.req.raw) },
        { actor: 'GUEST' },
      );
      throw tooManyRequests(60);
    }
    const r = await verifyCredentials(deps, body.email, body.password);
    if (!r.ok) {
      if (r.reason === 'ACCOUNT_DISABLED') throw forbidden('This account is disabled.', 'ACCOUNT_DISABLED');
      throw new AppError(401, 'INVALID_CREDENTIALS', 'Wrong email or password.');
    }
    await deps.log.auth.info('AUTH_LOGIN', 'Signed in (API)', null, { actor: 'USER', actorId: r.user.id });
    return c.json({ user: toUserDto(r.user), ...(await issueBearer(c, r.user)) });
  },
);

route(
  authApi,
  {
    method: 'post',
    path: '/logout',
    summary: 'Sign out this session (cookie or bearer token)',
    tags,
    access: 'public',
    responses: { 204: { description: 'Signed out' } },
  },
  async (c) => {
    const auth = c.get('auth');
    if (auth) {
      await revokeSession(c.get('deps'), auth.sessionId);
      await c.get('deps').log.auth.info('AUTH_LOGOUT', 'Signed out', null, { actor: 'USER', actorId: auth.userId });
    }
    clearSessionCookie(c);
    return c.body(null, 204);
  },
);

route(
  authApi,
  {
    method: 'post',
    path: '/logout-all',
    summary: 'Sign out every session of this account, this one included',
    tags,
    access: 'user',
    responses: { 200: { description: 'Sessions revoked', schema: z.object({ revoked: z.number().int() }) } },
  },
  async (c, { user }) => {
    const deps = c.get('deps');
    const revoked = await revokeAllSessions(deps, user.id);
    await deps.log.auth.info(
      'AUTH_SESSIONS_REVOKED',
      'Signed out everywhere',
      { revoked },
      { actor: 'USER', actorId: user.id },
    );
    clearSessionCookie(c);
    return c.json({ revoked });
  },
);

route(
  authApi,
  {
    method: 'post',
    path: '/verify-email',
    summary: 'Confirm an email address with the token from the email',
    tags,
    access: 'public',
    body: TokenBody,
    responses: {
      200: { description: 'Verified', schema: MeResponse },
      410: { description: 'TOKEN_INVALID: unknown, used or expired' },
    },
  },
  async (c, { body }) => {
    const user = await verifyEmail(c.get('deps'), body.token);
    if (!user) throw new AppError(410, 'TOKEN_INVALID', 'This link is invalid, already used or expired.');
    return c.json({ user: toUserDto(user) });
  },
);

route(
  authApi,
  {
    method: 'post',
    path: '/verify-email/resend',
    summary: 'Send the verification email again',
    tags,
    access: 'user',
    responses: {
      202: { description: 'Sent (or already verified)', schema: z.object({ sent: z.boolean() }) },
      429: {
        description: `RATE_LIMITED (Retry-After): ${EMAIL_LIMITS.perHour} verification emails an hour, ${EMAIL_LIMITS.perDay} a day per account`,
      },
    },
  },
  async (c, { user }) => {
    const deps = c.get('deps');
    await enforceLimit(deps.limiters.signup, `verify-resend:${user.id}`);
    const r = await resendVerificationEmail(deps, user);
    if (r.status === 'THROTTLED') throw tooManyRequests(r.retryAfterSeconds);
    return c.json({ sent: r.status === 'SENT' }, 202);
  },
);

route(
  authApi,
  {
    method: 'post',
    path: '/password-reset/request',
    summary: `Email a password-reset link (at most ${EMAIL_LIMITS.perHour} an hour, ${EMAIL_LIMITS.perDay} a day per account; the answer never reveals whether the account exists or was sent one)`,
    tags,
    access: 'public',
    body: ResetRequestBody,
    responses: {
      202: { description: 'Accepted', schema: z.object({ ok: z.literal(true) }) },
      429: { description: 'RATE_LIMITED' },
    },
  },
  async (c, { body }) => {
    const deps = c.get('deps');
    if (!(await credentialAttemptAllowed(deps, 'reset', clientIp(c.req.raw), body.email))) throw tooManyRequests(60);
    await requestPasswordReset(deps, body.email);
    return c.json({ ok: true as const }, 202);
  },
);

route(
  authApi,
  {
    method: 'post',
    path: '/password-reset/confirm',
    summary: 'Set a new password with a reset token (single use, 1 hour); signs out all sessions',
    tags,
    access: 'public',
    body: ResetConfirmBody,
    responses: { 200: { description: 'Password changed', schema: MeResponse }, 410: { description: 'TOKEN_INVALID' } },
  },
  async (c, { body }) => {
    const r = await resetPassword(c.get('deps'), body.token, body.password);
    if (!r) throw new AppError(410, 'TOKEN_INVALID', 'This link is invalid, already used or expired.');
    return c.json({ user: toUserDto(r.user) });
  },
);
