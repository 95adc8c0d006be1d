/** The logger writes only through its typed family helpers, and an event without context stores null. */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { logs } from '../src/db/schema';
import type { Logger } from '../src/lib/logger';
import { deps } from './helpers';

describe('log family helpers', () => {
  it('store null, not {}, for an event with no context, and the context as given otherwise', async () => {
    const d = deps();
    await d.log.auth.info('AUTH_LOGOUT', 'family-null-check', null, { actor: 'USER', actorId: 'usr_x' });
    await d.log.call.info('CALL_EVENT', 'family-context-check', { bookingId: 'bkg_x', event: 'JOINED' });
    const none = await d.db.select().from(logs).where(eq(logs.message, 'family-null-check')).get();
    const some = await d.db.select().from(logs).where(eq(logs.message, 'family-context-check')).get();
    expect(none).toMatchObject({ type: 'AUTH_LOGOUT', context: null, actor: 'USER', actorId: 'usr_x' });
    expect(some).toMatchObject({ type: 'CALL_EVENT', context: { bookingId: 'bkg_x', event: 'JOINED' } });
  });

  it('has no untyped info/warn/error/critical/statement, at run time or in the types', () => {
    // Never called: typecheck fails if the untyped form or a cross-family context compiles again.
    const typingOnly = (log: Logger) => {
      // @ts-expect-error no untyped log.info(type, message, opts)
      void log.info('AUTH_LOGIN', 'Signed in', { actor: 'USER' });
      // @ts-expect-error no untyped statement either
      void log.statement('INFO', 'AUTH_LOGIN', 'Signed in', {});
      // @ts-expect-error a family helper takes its own types only
      void log.auth.info('BOOKING_HELD', 'Held', null);
      // @ts-expect-error a call event names its booking
      void log.call.info('CALL_EVENT', 'Joined', { event: 'JOINED' });
    };
    void typingOnly;
    const log = deps().log as unknown as Record<string, unknown>;
    for (const k of ['info', 'warn', 'error', 'critical', 'statement']) expect(log[k]).toBeUndefined();
  });
});
