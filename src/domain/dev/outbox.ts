/** The built-in email provider's outbox, read by the development mailbox (/dev/mailbox). */
import { desc, eq } from 'drizzle-orm';
import { devOutbox } from '../../db/schema';
import type { Deps } from '../../deps';

/** The latest emails (newest first), to one address when `to` is given. */
export async function outboxList(deps: Pick<Deps, 'db'>, to?: string) {
  return deps.db
    .select({ id: devOutbox.id, to: devOutbox.to, subject: devOutbox.subject, createdAt: devOutbox.createdAt })
    .from(devOutbox)
    .where(to ? eq(devOutbox.to, to.toLowerCase()) : undefined)
    .orderBy(desc(devOutbox.createdAt))
    .limit(100)
    .all();
}

/** One email, every field. */
export async function outboxEmail(deps: Pick<Deps, 'db'>, id: string) {
  return (await deps.db.select().from(devOutbox).where(eq(devOutbox.id, id)).get()) ?? null;
}

/** One email's HTML body only. */
export async function outboxHtml(deps: Pick<Deps, 'db'>, id: string): Promise<string | null> {
  const row = await deps.db.select({ html: devOutbox.html }).from(devOutbox).where(eq(devOutbox.id, id)).get();
  return row?.html ?? null;
}
