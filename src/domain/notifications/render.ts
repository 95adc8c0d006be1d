/**
 * Notifications are stored as a type + parameters and rendered at display time, in the reader's
 * language and time zone (the same row reads "samedi 21 novembre à 18:00" for one person and
 * "Saturday, November 21 at 12:00 PM" for another).
 */
import { and, count, desc, eq, isNull, sql } from 'drizzle-orm';
import { notifications, type Locale } from '../../db/schema';
import { one } from '../../db/one';
import type { Deps } from '../../deps';
import type { MessageKey, T } from '../../i18n';
import { formatDateTime, formatMoney } from '../../i18n/format';
import type { NotificationType } from './notify';

export type Tone = 'success' | 'warning' | 'danger' | 'info';

const TONE: Partial<Record<NotificationType, Tone>> = {
  BOOKING_CONFIRMED: 'success',
  NEW_BOOKING: 'success',
  PAYMENT_RECEIVED: 'success',
  REQUEST_ACCEPTED: 'success',
  PAYOUT_PAID: 'success',
  PAYOUTS_UNBLOCKED: 'success',
  REVIEW_RECEIVED: 'success',
  PAYOUT_APPROVED: 'success',
  PAYOUT_SENT: 'success',
  BOOKING_CANCELLED: 'danger',
  REQUEST_REJECTED: 'danger',
  PAYOUT_FAILED: 'danger',
  PAYOUT_REJECTED: 'danger',
  PAYOUTS_BLOCKED: 'danger',
  DISPUTE_OPENED: 'danger',
  EMAIL_FAILED: 'danger',
  JOB_FAILED: 'danger',
  REFUND_FAILED: 'danger',
  REFUND_DELAYED: 'warning',
  REMINDER: 'warning',
  PAYOUT_REQUESTED: 'warning',
  REQUEST_RECEIVED: 'warning',
};

export interface RenderedNotification {
  id: string;
  type: string;
  text: string;
  tone: Tone;
  link: string | null;
  read: boolean;
  createdAt: Date;
}

export function renderNotification(
  t: T,
  locale: Locale,
  timezone: string,
  n: {
    id: string;
    type: string;
    params: Record<string, string | number>;
    link: string | null;
    readAt: Date | null;
    createdAt: Date;
  },
): RenderedNotification {
  const p: Record<string, string | number> = { ...n.params };
  const money = (v: unknown) =>
    typeof v === 'number' && typeof p.currency === 'string' ? formatMoney(v, p.currency, locale) : String(v ?? '');
  for (const k of ['amount', 'share', 'refunded']) if (k in p) p[k] = money(p[k]);
  if (typeof p.startsAt === 'string') p.when = formatDateTime(new Date(p.startsAt), locale, timezone, 'long');
  if (typeof p.kind === 'string') p.lead = t(`email.reminder.lead.${p.kind}` as MessageKey);
  // Some types read differently per variant (payout kind, call outcome, an admin's decision on a call).
  const variant =
    typeof p.outcome === 'string'
      ? p.outcome
      : typeof p.decision === 'string'
        ? p.decision
        : n.type.startsWith('PAYOUT') && typeof p.kind === 'string'
          ? p.kind
          : null;
  const key = variant ? `notifications.types.${n.type}.${variant}` : `notifications.types.${n.type}`;
  let text = t(key as MessageKey, p);
  if (text === key) text = t(`notifications.types.${n.type}.default` as MessageKey, p);
  if (text === `notifications.types.${n.type}.default`) text = t('notifications.types.fallback');
  return {
    id: n.id,
    type: n.type,
    text,
    tone: TONE[n.type as NotificationType] ?? 'info',
    link: n.link,
    read: !!n.readAt,
    createdAt: n.createdAt,
  };
}

export async function unreadCount(deps: Pick<Deps, 'db'>, userId: string): Promise<number> {
  const { n } = one(
    await deps.db
      .select({ n: count() })
      .from(notifications)
      .where(and(eq(notifications.userId, userId), isNull(notifications.readAt))),
    'the unread count',
  );
  return n;
}

export const NOTIFICATIONS_PER_PAGE = 30;

/** Unread first, then newest first. */
export async function listNotifications(deps: Pick<Deps, 'db'>, userId: string, page: number, unreadOnly = false) {
  const where = and(eq(notifications.userId, userId), unreadOnly ? isNull(notifications.readAt) : undefined);
  const [rows, counted] = await Promise.all([
    deps.db
      .select()
      .from(notifications)
      .where(where)
      .orderBy(sql`${notifications.readAt} is not null`, desc(notifications.createdAt))
      .limit(NOTIFICATIONS_PER_PAGE)
      .offset((page - 1) * NOTIFICATIONS_PER_PAGE)
      .all(),
    deps.db.select({ total: count() }).from(notifications).where(where),
  ]);
  const { total } = one(counted, 'the notifications count');
  return { rows, total };
}

export async function markRead(deps: Pick<Deps, 'db' | 'clock'>, userId: string, id: string | 'all'): Promise<number> {
  const r = await deps.db
    .update(notifications)
    .set({ readAt: deps.clock.now() })
    .where(
      and(
        eq(notifications.userId, userId),
        isNull(notifications.readAt),
        id === 'all' ? undefined : eq(notifications.id, id),
      ),
    )
    .returning({ id: notifications.id });
  return r.length;
}
