/** Signs in (or up) with a Google identity: by Google id, else by verified email, else a new fan account. */
import { eq } from 'drizzle-orm';
import { users, type Locale, type User } from '../../db/schema';
import type { Deps } from '../../deps';
import type { GoogleProfile } from '../../providers/google/oauth';

export type GoogleSignInResult = { ok: true; user: User; created: boolean } | { ok: false; reason: 'EMAIL_NOT_VERIFIED' | 'ACCOUNT_DISABLED' };

export async function googleSignIn(deps: Deps, profile: GoogleProfile, fallback: { locale: Locale; timezone: string }): Promise<GoogleSignInResult> {
  const now = deps.clock.now();
  const email = profile.email.trim().toLowerCase();
  let user = await deps.db.select().from(users).where(eq(users.googleSub, profile.sub)).get();
  if (!user) {
    if (profile.email_verified !== true) return { ok: false, reason: 'EMAIL_NOT_VERIFIED' };
    const byEmail = await deps.db.select().from(users).where(eq(users.email, email)).get();
    if (byEmail?.disabledAt) return { ok: false, reason: 'ACCOUNT_DISABLED' }; // refused before anything is linked to it
    if (byEmail) {
      [user] = await deps.db.update(users)
        .set({ googleSub: profile.sub, emailVerifiedAt: byEmail.emailVerifiedAt ?? now, updatedAt: now })
        .where(eq(users.id, byEmail.id)).returning();
    } else {
      [user] = await deps.db.insert(users).values({
        id: deps.ids.next('usr'),
        email,
        googleSub: profile.sub,
        emailVerifiedAt: now,
        name: (profile.name ?? email.split('@')[0]).slice(0, 80),
        role: 'USER',
        locale: profile.locale?.startsWith('en') ? 'en' : fallback.locale,
        timezone: fallback.timezone,
        createdAt: now,
        updatedAt: now,
      }).returning();
      await deps.log.info('AUTH_SIGNUP', 'New USER account via Google', { actor: 'USER', actorId: user.id });
      return { ok: true, user, created: true };
    }
  }
  if (user.disabledAt) return { ok: false, reason: 'ACCOUNT_DISABLED' };
  await deps.log.info('AUTH_GOOGLE', 'Signed in with Google', { actor: 'USER', actorId: user.id });
  return { ok: true, user, created: false };
}
