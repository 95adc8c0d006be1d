/** /api/me: the signed-in account. */
import { z } from 'zod';
import { changePassword, updateProfile } from '../domain/accounts/accounts';
import { toUserDto } from '../domain/accounts/dto';
import { AppError, tooManyRequests } from '../http/errors';
import { passwordChangeAllowed } from '../http/rate-limit';
import { apiApp, route } from '../http/route';
import { ChangePasswordBody, MeResponse, UpdateMeBody } from '../shared/auth';

export const meApi = apiApp('/api/me');
const tags = ['Accounts'];

route(
  meApi,
  {
    method: 'get',
    path: '/',
    summary: 'The signed-in account',
    tags,
    access: 'user',
    responses: { 200: { description: 'Current user', schema: MeResponse } },
  },
  (c, { user }) => c.json({ user: toUserDto(user) }),
);

route(
  meApi,
  {
    method: 'patch',
    path: '/',
    summary: 'Update name, language or time zone',
    tags,
    access: 'user',
    body: UpdateMeBody,
    responses: { 200: { description: 'Updated', schema: MeResponse } },
  },
  async (c, { user, body }) => c.json({ user: toUserDto(await updateProfile(c.get('deps'), user, body)) }),
);

route(
  meApi,
  {
    method: 'post',
    path: '/password',
    summary: 'Change password (current one required if set); signs out other sessions',
    tags,
    access: 'user',
    body: ChangePasswordBody,
    responses: {
      200: { description: 'Changed', schema: z.object({ revokedSessions: z.number().int() }) },
      422: { description: 'WRONG_PASSWORD' },
      429: { description: 'RATE_LIMITED (Retry-After): 5 attempts a minute per account' },
    },
  },
  async (c, { user, body }) => {
    if (!(await passwordChangeAllowed(c.get('deps'), user.id))) throw tooManyRequests(60);
    const r = await changePassword(c.get('deps'), user, body, c.get('auth')?.sessionId);
    if (!r.ok) throw new AppError(422, 'WRONG_PASSWORD', 'The current password is wrong.');
    return c.json({ revokedSessions: r.revokedSessions });
  },
);
