/**
 * Signs in (or up) with a Google identity: by Google id, else by verified email, else a new fan
 * account. An account found by email that was never verified is claimed (claim.ts): Google proved
 * the address, whoever signed it up did not.
 */
import { eq } from 'drizzle-orm';
import { users, type Locale, type User } from '../../db/schema';
import { one } from '../../db/one';
import type { Deps } from '../../deps';
import { oneLine } from '../../lib/text';
import type { GoogleProfile } from '../../providers/google/port';
import { claimUnverifiedAccount } from './claim';

export type GoogleSignInResult =
  | { ok: true; user: User; created: boolean; claimed: boolean }
  | { ok: false; reason: 'EMAIL_NOT_VERIFIED' | 'ACCOUNT_DISABLED' };

export async function googleSignIn(
  deps: Deps,
  profile: GoogleProfile,
  fallback: { locale: Locale; timezone: string },
): Promise<GoogleSignInResult> {
  const now = deps.clock.now();
  const email = profile.email.trim().toLowerCase();
  let user = await deps.db.select().from(users).where(eq(users.googleSub, profile.sub)).get();
  if (!user) {
    if (profile.email_verified !== true) return { ok: false, reason: 'EMAIL_NOT_VERIFIED' };
    const byEmail = await deps.db.select().from(users).where(eq(users.email, email)).get();
    if (byEmail?.disabledAt) return { ok: false, reason: 'ACCOUNT_DISABLED' }; // refused before anything is linked to it
    if (byEmail) {
      // A disabled account stays as it is, claimed or linked by nobody.
      if (byEmail.disabledAt) return { ok: false, reason: 'ACCOUNT_DISABLED' };
      const claimed = byEmail.emailVerifiedAt
        ? null
        : await claimUnverifiedAccount(deps, byEmail.id, {
            via: 'GOOGLE',
            passwordHash: null,
            googleSub: profile.sub,
            locale: fallback.locale,
          });
      if (claimed) return { ok: true, user: claimed, created: false, claimed: true };
      user = one(
        await deps.db
          .update(users)
          .set({ googleSub: profile.sub, emailVerifiedAt: byEmail.emailVerifiedAt ?? now, updatedAt: now })
          .where(eq(users.id, byEmail.id))
          .returning(),
        'the user linked to Google',
      );
    } else {
      user = one(
        await deps.db
          .insert(users)
          .values({
            id: deps.ids.next('usr'),
            email,
            googleSub: profile.sub,
            emailVerifiedAt: now,
            // Google's name is outside text like a form's: the same single line, whatever it holds.
            name: (oneLine(profile.name ?? '') || (email.split('@')[0] ?? '')).slice(0, 80),
            role: 'USER',
            locale: profile.locale?.startsWith('en') ? 'en' : fallback.locale,
            timezone: fallback.timezone,
            createdAt: now,
            updatedAt: now,
          })
          .returning(),
        'the user signed up with Google',
      );
      await deps.log.auth.info('AUTH_SIGNUP', 'New USER account via Google', null, { actor: 'USER', actorId: user.id });
      return { ok: true, user, created: true, claimed: false };
    }
  }
  if (user.disabledAt) return { ok: false, reason: 'ACCOUNT_DISABLED' };
  await deps.log.auth.info('AUTH_GOOGLE', 'Signed in with Google', null, { actor: 'USER', actorId: user.id });
  return { ok: true, user, created: false, claimed: false };
}
