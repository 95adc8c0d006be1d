import type { User } from '../db/schema';

/** Where a user lands after signing in. */
export function homeFor(user: Pick<User, 'role'>, locale: string): string {
  return `/${locale}/account`;
}
