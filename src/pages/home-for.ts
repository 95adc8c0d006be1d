import type { User } from '../domain/rows';

/** Where a user lands after signing in: their role's home. */
export function homeFor(user: Pick<User, 'role'>, locale: string): string {
  const home = user.role === 'ADMIN' ? '/admin' : user.role === 'CREATOR' ? '/creator' : '/dashboard';
  return `/${locale}${home}`;
}
