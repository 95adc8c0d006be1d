/** The emails the built-in provider "sent" (the dev outbox), delivered as the queue would. */
import { eq } from 'drizzle-orm';
import { devOutbox, emailLog } from '../../src/db/schema';
import { deliverEmail } from '../../src/domain/email/deliver';
import { deps } from './context';

/** Runs the email queue consumer for every pending email to `to` (what the queue would do). */
export async function deliverPendingEmails(to?: string): Promise<void> {
  const d = deps();
  const pending = await d.db.select().from(emailLog).where(eq(emailLog.status, 'PENDING')).all();
  for (const e of pending) if (!to || e.to === to) await deliverEmail(d, e.id, 1);
}

/** The latest email the built-in provider "sent" to `to`. */
export async function lastEmailTo(to: string) {
  await deliverPendingEmails(to);
  const rows = await deps().db.select().from(devOutbox).where(eq(devOutbox.to, to)).all();
  return rows.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0] ?? null;
}

/** Extracts `?token=` from the first link in an email's text part. */
export function tokenFromEmail(text: string): string {
  const m = text.match(/[?&]token=([\w-]+)/);
  if (!m) throw new Error(`no token link in email:\n${text}`);
  return m[1];
}
