/** Account DTOs: what the auth and profile routes accept and return. */
import { z } from 'zod';
import { ROLES } from './enums';
import { Email, IsoDateTime, LocaleSchema, SingleLineText, TimeZone } from './common';

const COMMON_PASSWORDS = new Set([
  'password',
  'password1',
  'password123',
  '1234567890',
  '12345678910',
  'qwertyuiop',
  'azertyuiop',
  'iloveyou123',
  'motdepasse',
  'motdepasse1',
  'changeme123',
  'letmein1234',
  'welcome1234',
  'administrator',
  'callastar123',
  'football123',
  'baseball123',
  'sunshine123',
  'princess123',
  'dragon12345',
  'monkey12345',
  'qwerty12345',
  'abcdefghij',
  'abc1234567',
]);

/** 10–128 characters, not a well-known password, not one repeated character. */
export const Password = z
  .string()
  .min(10, 'Use at least 10 characters.')
  .max(128, 'Use at most 128 characters.')
  .refine((p) => !COMMON_PASSWORDS.has(p.toLowerCase()), 'This password is too common.')
  .refine((p) => new Set(p).size >= 4, 'This password is too simple.');

export const SignupBody = z.object({
  email: Email,
  password: Password,
  name: SingleLineText(1, 80),
  role: z.enum(['USER', 'CREATOR']).default('USER'),
  locale: LocaleSchema.optional(),
  timezone: TimeZone.optional(),
});

export const LoginBody = z.object({ email: Email, password: z.string().min(1).max(1024) });

export const UserDto = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  locale: LocaleSchema,
  timezone: z.string(),
  emailVerified: z.boolean(),
  hasPassword: z.boolean(),
  createdAt: IsoDateTime,
});

export const AuthResponse = z.object({ user: UserDto, token: z.string(), expiresAt: IsoDateTime });
export const MeResponse = z.object({ user: UserDto });

export const UpdateMeBody = z
  .object({
    name: SingleLineText(1, 80).optional(),
    locale: LocaleSchema.optional(),
    timezone: TimeZone.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'Nothing to update.');

export const ChangePasswordBody = z.object({
  currentPassword: z.string().max(1024).optional(),
  newPassword: Password,
});

export const TokenBody = z.object({ token: z.string().min(20).max(200) });
export const ResetRequestBody = z.object({ email: Email });
export const ResetConfirmBody = z.object({ token: z.string().min(20).max(200), password: Password });

export type UserDtoT = z.infer<typeof UserDto>;
