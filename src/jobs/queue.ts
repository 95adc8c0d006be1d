/** queue(): consumers for the email queue and its dead-letter queue. */
import { z } from 'zod';
import { buildDeps } from '../deps';
import { deliverEmail, markEmailDead } from '../domain/email/deliver';
import type { Bindings } from '../env';

const EmailMessage = z.object({ emailId: z.string().min(1) });

export async function handleQueue(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  const deps = buildDeps(env);
  const dead = batch.queue.endsWith('-dlq');
  for (const msg of batch.messages) {
    const body = EmailMessage.safeParse(msg.body);
    if (!body.success) {
      await deps.log.error('EMAIL_FAILED', `Malformed message on ${batch.queue} dropped`, { context: { messageId: msg.id } });
      msg.ack();
      continue;
    }
    if (dead) {
      await markEmailDead(deps, body.data.emailId);
      msg.ack();
      continue;
    }
    try {
      const decision = await deliverEmail(deps, body.data.emailId, msg.attempts);
      if (decision.action === 'ack') msg.ack();
      else msg.retry({ delaySeconds: decision.delaySeconds });
    } catch (e) {
      await deps.log.error('EMAIL_FAILED', 'Email delivery crashed; will retry', { context: { emailId: body.data.emailId }, error: e });
      msg.retry({ delaySeconds: 60 });
    }
  }
}
