/**
 * One-click unsubscribe (RFC 8058) for non-transactional mail: a signed link per recipient and
 * category (no sign-in needed, nothing guessable), also sent as List-Unsubscribe headers.
 */
import { eq } from 'drizzle-orm';
import { users } from '../../db/schema';
import type { Deps } from '../../deps';
import { hmacSha256, timingSafeEqual, toBase64Url } from '../../lib/crypto';

/** Non-transactional email categories a person can turn off (account settings, or the link). */
export const EMAIL_CATEGORIES = ['reminders', 'requests', 'reviews', 'payments', 'summary'] as const;
export type EmailCategory = (typeof EMAIL_CATEGORIES)[number];

/** The categories that concern a role (fans get no payment receipts, only admins a daily summary). */
export function emailCategoriesFor(role: 'USER' | 'CREATOR' | 'ADMIN'): EmailCategory[] {
  return EMAIL_CATEGORIES.filter((c) => (c !== 'summary' || role === 'ADMIN') && (c !== 'payments' || role !== 'USER'));
}

const sig = async (secret: string, userId: string, category: string) =>
  toBase64Url(await hmacSha256(`unsubscribe:${secret}`, `${userId}.${category}`)).slice(0, 32);

export async function unsubscribeUrl(
  deps: Pick<Deps, 'config'>,
  userId: string,
  category: EmailCategory,
): Promise<string> {
  return `${deps.config.appUrl}/email/unsubscribe?u=${encodeURIComponent(userId)}&c=${category}&s=${await sig(deps.config.sessionSecret, userId, category)}`;
}

export async function verifyUnsubscribe(
  deps: Pick<Deps, 'config'>,
  userId: string,
  category: string,
  signature: string,
): Promise<EmailCategory | null> {
  const known = EMAIL_CATEGORIES.find((c) => c === category);
  if (!known || !userId || !signature) return null;
  return timingSafeEqual(await sig(deps.config.sessionSecret, userId, known), signature) ? known : null;
}

/** Whether `category` mail may go to this person (missing = yes: on by default). */
export const wantsEmail = (prefs: Record<string, boolean> | null | undefined, category: string | undefined) =>
  !category || prefs?.[category] !== false;

export async function setEmailPreference(
  deps: Deps,
  userId: string,
  category: EmailCategory,
  on: boolean,
): Promise<void> {
  const u = await deps.db.select({ prefs: users.emailPrefs }).from(users).where(eq(users.id, userId)).get();
  if (!u) return;
  await deps.db
    .update(users)
    .set({ emailPrefs: { ...u.prefs, [category]: on }, updatedAt: deps.clock.now() })
    .where(eq(users.id, userId));
}
