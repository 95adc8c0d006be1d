/**
 * Hourly: re-reads the provider's recent events (Stripe keeps 30 days at /v1/events) and processes
 * any our webhook endpoint missed or failed. Processing is idempotent per event id. The platform's
 * list does not include its connected accounts' events (payout.paid / failed / canceled happen on
 * the creator's account): those are listed per account (Stripe-Account) for every account with a
 * payout in transit or settled within the window — a bank can still return a paid payout.
 */
import { and, eq, gte, inArray, isNotNull, or } from 'drizzle-orm';
import { creators, payouts, webhookEvents } from '../../db/schema';
import type { Deps } from '../../deps';
import { processPaymentEvent } from './webhook';
import type { PaymentEvent } from '../../providers/payments/port';

export const RECONCILE_WINDOW_SECONDS = 3 * 86_400;
/** Connected accounts listed per run (one provider call each). */
const ACCOUNTS_PER_RUN = 100;

async function replay(deps: Deps, events: PaymentEvent[]): Promise<{ recovered: number; failed: number }> {
  let recovered = 0;
  let failed = 0;
  for (let i = 0; i < events.length; i += 90) {
    const chunk = events.slice(i, i + 90);
    const done = new Set(
      (
        await deps.db
          .select({ id: webhookEvents.eventId })
          .from(webhookEvents)
          .where(
            and(
              eq(webhookEvents.provider, 'stripe'),
              inArray(
                webhookEvents.eventId,
                chunk.map((e) => e.id),
              ),
              inArray(webhookEvents.status, ['PROCESSED', 'IGNORED']),
            ),
          )
          .all()
      ).map((r) => r.id),
    );
    for (const e of chunk) {
      if (done.has(e.id)) continue;
      try {
        const out = await processPaymentEvent(deps, e);
        if (out.status === 'processed') recovered++;
      } catch {
        failed++;
      }
    }
  }
  return { recovered, failed };
}

/** Connected accounts whose payouts may still hear from the bank. */
async function accountsWithOpenPayouts(deps: Deps, since: Date): Promise<string[]> {
  const rows = await deps.db
    .selectDistinct({ acct: creators.stripeAccountId })
    .from(payouts)
    .innerJoin(creators, eq(creators.id, payouts.creatorId))
    .where(
      and(
        isNotNull(payouts.stripePayoutId),
        isNotNull(creators.stripeAccountId),
        or(eq(payouts.status, 'PROCESSING'), gte(payouts.updatedAt, since)),
      ),
    )
    .limit(ACCOUNTS_PER_RUN)
    .all();
  return rows.map((r) => r.acct!);
}

export async function reconcilePayments(deps: Deps): Promise<Record<string, number>> {
  const since = Math.floor(deps.clock.now().getTime() / 1000) - RECONCILE_WINDOW_SECONDS;
  const events = await deps.payments.listEvents({ sinceSeconds: since });
  const platform = await replay(deps, events);
  let seen = events.length;
  let recovered = platform.recovered;
  let failed = platform.failed;
  const accounts = await accountsWithOpenPayouts(deps, new Date(since * 1000));
  for (const account of accounts) {
    try {
      const list = await deps.payments.listEvents({ sinceSeconds: since, account });
      seen += list.length;
      const r = await replay(deps, list);
      recovered += r.recovered;
      failed += r.failed;
    } catch (e) {
      failed++;
      await deps.log.webhook.warn(
        'WEBHOOK_ERROR',
        `Could not list the events of connected account ${account}; next run`,
        { provider: 'stripe' },
        { error: e },
      );
    }
  }
  if (recovered)
    await deps.log.webhook.warn('WEBHOOK_RECONCILED', `Reconciliation recovered ${recovered} missed payment event(s)`, {
      provider: 'stripe',
      count: recovered,
    });
  return { seen, recovered, failed, accounts: accounts.length };
}
