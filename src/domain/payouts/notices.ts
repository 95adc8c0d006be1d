/**
 * What creators and admins hear about payouts: an in-app notification and an email in the
 * recipient's own language (payout notices are transactional: they are always sent).
 */
import { eq } from 'drizzle-orm';
import { users, type Creator } from '../../db/schema';
import type { Deps } from '../../deps';
import type { NotificationType } from '../notifications/notify';
import { tell, type Recipient } from '../notifications/tell';
import type { Payout } from './engine';

/**
 * failed: retried on the next run; failed_blocked: the third failure in a row, payouts now on hold;
 * returned: the bank sent back a payout that had arrived; canceled: stopped before it arrived;
 * overdrawn: canceled before sending because refunds or disputes booked since took part of it back.
 */
export type PayoutNoticeKind =
  | 'requested'
  | 'approval_needed'
  | 'approved'
  | 'sent'
  | 'paid'
  | 'failed'
  | 'failed_blocked'
  | 'returned'
  | 'canceled'
  | 'overdrawn'
  | 'rejected'
  | 'blocked'
  | 'unblocked';

const TYPE: Record<PayoutNoticeKind, NotificationType> = {
  requested: 'PAYOUT_REQUESTED',
  approval_needed: 'PAYOUT_REQUESTED',
  approved: 'PAYOUT_APPROVED',
  sent: 'PAYOUT_SENT',
  paid: 'PAYOUT_PAID',
  failed: 'PAYOUT_FAILED',
  failed_blocked: 'PAYOUT_FAILED',
  returned: 'PAYOUT_FAILED',
  canceled: 'PAYOUT_FAILED',
  overdrawn: 'PAYOUT_FAILED',
  rejected: 'PAYOUT_REJECTED',
  blocked: 'PAYOUTS_BLOCKED',
  unblocked: 'PAYOUTS_UNBLOCKED',
};
/** Admins hear about these too (to approve, or to look at the bank details). */
const FOR_ADMINS: ReadonlySet<PayoutNoticeKind> = new Set(['approval_needed', 'failed', 'failed_blocked', 'returned']);
/** In-app only: the email comes with the next step (an approved payout is sent at once: "on its way"). */
const hasEmail = (kind: PayoutNoticeKind): kind is Exclude<PayoutNoticeKind, 'approved'> => kind !== 'approved';

async function tellOne(
  deps: Deps,
  user: Recipient,
  kind: PayoutNoticeKind,
  data: { amount: number; currency: string; reason: string; creator: string; link: string },
  key: string,
) {
  await tell(deps, user, {
    notification: {
      type: TYPE[kind],
      params: { amount: data.amount, currency: data.currency, reason: data.reason, creator: data.creator, kind },
      link: data.link,
    },
    email: !hasEmail(kind)
      ? undefined
      : {
          template: 'payout_update',
          key,
          data: (u) => ({
            kind,
            amount: data.amount,
            currency: data.currency,
            reason: data.reason,
            creator: data.creator,
            url: `${deps.config.appUrl}/${u.locale}${data.link}`,
          }),
        },
  });
}

export async function payoutNotice(
  deps: Deps,
  creator: Creator,
  payout: Payout | null,
  kind: PayoutNoticeKind,
  reason: string | null = null,
): Promise<void> {
  const data = {
    amount: payout?.amount ?? 0,
    currency: payout?.currency ?? creator.currency,
    creator: creator.displayName,
    reason: reason ?? payout?.failureReason ?? payout?.rejectedReason ?? '',
  };
  const key = payout ? `payout:${payout.id}:${kind}` : `payouts:${creator.id}:${kind}:${deps.clock.now().getTime()}`;
  if (FOR_ADMINS.has(kind)) {
    const admins = await deps.db.select().from(users).where(eq(users.role, 'ADMIN')).all();
    for (const a of admins)
      await tellOne(
        deps,
        a,
        kind,
        { ...data, link: payout ? `/admin/payouts/${payout.id}` : '/admin/payouts' },
        `${key}:admin`,
      );
    if (kind === 'approval_needed') return;
  }
  const owner = await deps.db.select().from(users).where(eq(users.id, creator.userId)).get();
  if (owner)
    await tellOne(
      deps,
      owner,
      kind,
      { ...data, link: payout ? `/creator/payouts/${payout.id}` : '/creator/payouts' },
      key,
    );
}
