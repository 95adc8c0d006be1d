/** Built-in email provider: stores messages in D1; /dev/mailbox shows them (never in production). */
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { devOutbox } from '../../db/schema';
import type { Clock } from '../../lib/clock';
import type { Ids } from '../../lib/ids';
import type { EmailProvider } from './port';

export function outboxProvider(deps: { db: Db; clock: Clock; ids: Ids }): EmailProvider {
  return {
    name: 'outbox',
    webhook: null,
    async send(message, idempotencyKey) {
      const id = deps.ids.next('out');
      const inserted = await deps.db
        .insert(devOutbox)
        .values({
          id,
          to: message.to,
          from: message.from,
          subject: message.subject,
          html: message.html,
          text: message.text,
          headers: message.headers ?? {},
          attachments: (message.attachments ?? []).map((a) => ({
            filename: a.filename,
            contentType: a.contentType,
            size: Math.floor((a.content.length * 3) / 4),
          })),
          idempotencyKey,
          createdAt: deps.clock.now(),
        })
        .onConflictDoNothing()
        .returning({ id: devOutbox.id });
      if (inserted.length) return { ok: true, providerId: id };
      const existing = await deps.db
        .select({ id: devOutbox.id })
        .from(devOutbox)
        .where(eq(devOutbox.idempotencyKey, idempotencyKey))
        .get();
      return { ok: true, providerId: existing!.id };
    },
  };
}
