import type { User } from '../../db/schema';
import type { UserDtoT } from '../../shared/auth';

export function toUserDto(u: User): UserDtoT {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    locale: u.locale,
    timezone: u.timezone,
    emailVerified: u.emailVerifiedAt !== null,
    hasPassword: u.passwordHash !== null,
    createdAt: u.createdAt.toISOString(),
  };
}
