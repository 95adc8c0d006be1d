/**
 * In-app notifications: stored as a type + parameters, rendered in the reader's language. Each one
 * is written with its NOTIFICATION_CREATED log row in one D1 batch (the family shows in the log
 * stats); a failure is logged as NOTIFICATION_ERROR and thrown to the caller.
 */
import { eq } from 'drizzle-orm';
import { notifications, users } from '../../db/schema';
import type { Deps } from '../../deps';

export const NOTIFICATION_TYPES = [
  'BOOKING_CONFIRMED',
  'NEW_BOOKING',
  'BOOKING_CANCELLED',
  'BOOKING_RESCHEDULED',
  'REQUEST_RECEIVED',
  'REQUEST_ACCEPTED',
  'REQUEST_REJECTED',
  'PAYMENT_RECEIVED',
  'REFUND_ISSUED',
  'REFUND_FAILED',
  'REFUND_DELAYED',
  'DISPUTE_OPENED',
  'DISPUTE_CLOSED',
  'PAYOUT_REQUESTED',
  'PAYOUT_APPROVED',
  'PAYOUT_SENT',
  'PAYOUT_PAID',
  'PAYOUT_FAILED',
  'PAYOUT_REJECTED',
  'PAYOUTS_BLOCKED',
  'PAYOUTS_UNBLOCKED',
  'REVIEW_RECEIVED',
  'REVIEW_REPLIED',
  'REMINDER',
  'EMAIL_FAILED',
  'JOB_FAILED',
  'CALL_OUTCOME',
  'CALL_REVIEWED',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];
export type NotificationParams = Record<string, string | number>;

export async function notify(
  deps: Deps,
  userId: string,
  type: NotificationType,
  params: NotificationParams,
  link: string | null,
): Promise<string> {
  const id = deps.ids.next('ntf');
  try {
    await deps.db.batch([
      deps.db.insert(notifications).values({ id, userId, type, params, link, createdAt: deps.clock.now() }),
      deps.log.notification.statement('INFO', 'NOTIFICATION_CREATED', `${type} for ${userId}`, {
        userId,
        type,
        notificationId: id,
        link,
      }),
    ]);
  } catch (e) {
    await deps.log.notification.error(
      'NOTIFICATION_ERROR',
      `${type} for ${userId} could not be recorded`,
      { userId, type, link },
      { error: e },
    );
    throw e;
  }
  return id;
}

export async function notifyAdmins(
  deps: Deps,
  type: NotificationType,
  params: NotificationParams,
  link: string | null,
): Promise<void> {
  const admins = await deps.db.select({ id: users.id }).from(users).where(eq(users.role, 'ADMIN')).all();
  for (const a of admins) await notify(deps, a.id, type, params, link);
}
