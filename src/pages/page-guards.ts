/** The page guards behind `pageRoute`'s access levels; they live here so page-route imports no page. */
import { actingCreator } from '../domain/creators/standing';
import type { Creator, User } from '../domain/rows';
import type { Ctx } from '../http/context';

/** Redirects anonymous visitors to sign-in and returns the user otherwise. */
export function requireUserPage(c: Ctx): User | Response {
  const user = c.get('auth')?.user;
  if (user) return user;
  const url = new URL(c.req.url);
  return c.redirect(`/${c.get('locale')}/signin?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
}

/**
 * The signed-in creator, or a redirect: to sign in, or to the account page for those who may not act
 * as a creator (never were, or an admin withdrew the role: the page says so).
 */
export async function requireCreatorPage(c: Ctx): Promise<{ user: User; creator: Creator } | Response> {
  const user = requireUserPage(c);
  if (user instanceof Response) return user;
  const acting = await actingCreator(c.get('deps'), user.id);
  if (!acting.ok) return c.redirect(`/${c.get('locale')}/account#become-creator`, 303);
  return { user, creator: acting.creator };
}
