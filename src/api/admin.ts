/** Admin API: the overview numbers, accounts and roles, payments, review moderation and the audit log (ADMIN only; writes audited). */
import { z } from 'zod';
import { PAYMENT_STATUSES, ROLES, type Review } from '../db/schema';
import { AUDIT_ENTITIES, auditPage } from '../domain/admin/audit';
import { adminOverview } from '../domain/admin/overview';
import { paymentsPage } from '../domain/admin/payments';
import { disableAccount, enableAccount } from '../domain/admin/account-status';
import { changeRole, usersPage } from '../domain/admin/users';
import { hideReview, reviewsForModeration, unhideReview, type ModerationRefusal } from '../domain/reviews/moderation';
import { AppError } from '../http/errors';
import { apiApp, route } from '../http/route';
import { CurrencySchema, IdParam, IsoDateTime, PageQuery, SingleLineText } from '../shared/common';

export const adminApi = apiApp('/api/admin');
const tags = ['Admin'];
const access = ['ADMIN'] as const;
const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

const ReasonBody = z.object({ reason: SingleLineText(3, 500) });

// ---------------------------------------------------------------------------------------------- overview

const Series = z.object({
  currency: CurrencySchema,
  bookings: z.array(z.number().int()),
  revenue: z.array(z.number().int()),
  fees: z.array(z.number().int()),
  totals: z.object({
    bookings: z.number().int(),
    revenue: z.number().int(),
    fees: z.number().int(),
    refunded: z.number().int(),
  }),
});

route(
  adminApi,
  {
    method: 'get',
    path: '/overview',
    summary:
      'Platform overview: paid bookings, revenue and fees per currency by day (30) or week (12) in my zone; calls completed; failures in 24 h; open disputes; payouts awaiting approval',
    tags,
    access,
    query: z.object({ period: z.enum(['day', 'week']).default('day') }),
    responses: {
      200: {
        description: 'Overview',
        schema: z.object({
          period: z.enum(['day', 'week']),
          buckets: z.array(z.string()),
          series: z.array(Series),
          callsCompleted: z.number().int(),
          failedEmails24h: z.number().int(),
          failedJobs24h: z.number().int(),
          openDisputes: z.number().int(),
          payoutsAwaiting: z.object({
            count: z.number().int(),
            byCurrency: z.array(
              z.object({ currency: CurrencySchema, count: z.number().int(), amount: z.number().int() }),
            ),
          }),
          usersByRole: z.record(z.string(), z.number().int()),
        }),
      },
    },
  },
  async (c, { user, query }) => {
    const o = await adminOverview(c.get('deps'), query.period, user.timezone);
    return c.json({ ...o, from: undefined, buckets: o.buckets.map((b) => b.toISOString()) });
  },
);

// ---------------------------------------------------------------------------------------------- users

const AdminUserDto = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  locale: z.string(),
  timezone: z.string(),
  createdAt: z.string(),
  disabledAt: z.string().nullable().describe('Set while an admin has the account disabled'),
  creatorWithdrawnAt: z
    .string()
    .nullable()
    .describe('Set once an admin withdrew the creator role (only an admin gives it back)'),
  creator: z
    .object({
      id: z.string(),
      slug: z.string(),
      stripeAccountId: z.string().nullable(),
      chargesEnabled: z.boolean(),
      payoutsEnabled: z.boolean(),
      detailsSubmitted: z.boolean(),
      payoutsBlocked: z.boolean(),
      payoutBlockReason: z.string().nullable(),
    })
    .nullable(),
});

route(
  adminApi,
  {
    method: 'get',
    path: '/users',
    summary:
      "Accounts, newest first: search by name or email, filter by role (50 per page), with the creator's Stripe and payout state",
    tags,
    access,
    query: z.object({ q: z.string().trim().max(100).optional(), role: z.enum(ROLES).optional(), page: PageQuery }),
    responses: {
      200: {
        description: 'Accounts',
        schema: z.object({ items: z.array(AdminUserDto), total: z.number().int(), page: z.number().int() }),
      },
    },
  },
  async (c, { query }) => {
    const { rows, total } = await usersPage(c.get('deps'), query);
    return c.json({
      total,
      page: query.page,
      items: rows.map(({ user: u, creator: cr }) => ({
        id: u.id,
        email: u.email,
        name: u.name,
        role: u.role,
        locale: u.locale,
        timezone: u.timezone,
        createdAt: u.createdAt.toISOString(),
        disabledAt: iso(u.disabledAt),
        creatorWithdrawnAt: iso(u.creatorWithdrawnAt),
        creator: cr
          ? {
              id: cr.id,
              slug: cr.slug,
              stripeAccountId: cr.stripeAccountId,
              chargesEnabled: cr.chargesEnabled,
              payoutsEnabled: cr.payoutsEnabled,
              detailsSubmitted: cr.detailsSubmitted,
              payoutsBlocked: cr.payoutsBlocked,
              payoutBlockReason: cr.payoutBlockReason,
            }
          : null,
      })),
    });
  },
);

const ClosureDto = z
  .object({
    offersWithdrawn: z.number().int(),
    holdsReleased: z.number().int(),
    bookingsCancelled: z.number().int(),
    requestsClosed: z.number().int(),
    remaining: z
      .number()
      .int()
      .describe('Bookings or offers still open (over the per-call limit, or taken meanwhile): call again to finish'),
  })
  .describe("What the action closed of the account's future (refunds go through the usual refund path)");

route(
  adminApi,
  {
    method: 'post',
    path: '/users/:id/role',
    summary: "Change an account's role (USER / CREATOR / ADMIN; an admin cannot demote themself; audited)",
    tags,
    access,
    description:
      'Taking a creator down to USER withdraws the creator role for good (the person cannot become a creator again; giving CREATOR or ADMIN back clears it) ' +
      'and closes their creator future: future calls cancelled with full refunds (fans told), holds released, open offers withdrawn, pending requests declined.',
    params: z.object({ id: IdParam('usr') }),
    body: z.object({ role: z.enum(ROLES), reason: SingleLineText(0, 500).optional() }),
    responses: {
      200: {
        description: 'Changed',
        schema: z.object({
          id: z.string(),
          role: z.enum(ROLES),
          creatorWithdrawnAt: z.string().nullable(),
          closed: ClosureDto.nullable(),
        }),
      },
      404: { description: 'USER_NOT_FOUND' },
      409: { description: 'CANNOT_DEMOTE_SELF, ROLE_UNCHANGED' },
    },
  },
  async (c, { user, params, body }) => {
    const r = await changeRole(c.get('deps'), user, params.id, body.role, {
      reason: body.reason ?? null,
      requestId: c.get('requestId'),
    });
    if (!r.ok) {
      throw r.code === 'USER_NOT_FOUND'
        ? new AppError(404, r.code, 'This account does not exist.')
        : r.code === 'CANNOT_DEMOTE_SELF'
          ? new AppError(409, r.code, 'You cannot take the admin role from yourself.')
          : new AppError(409, r.code, 'The account already has this role.');
    }
    return c.json({
      id: r.user.id,
      role: r.user.role,
      creatorWithdrawnAt: iso(r.user.creatorWithdrawnAt),
      closed: r.closed,
    });
  },
);

route(
  adminApi,
  {
    method: 'post',
    path: '/users/:id/disable',
    summary:
      'Disable an account (admin; audited with the reason): signed out everywhere, refused on every route, its future closed',
    tags,
    access,
    description:
      'Every session is revoked and every route refuses the account; it cannot sign in again (password, Google, a reset link already sent). As a fan: holds released, ' +
      "pending requests withdrawn, future calls cancelled under the creator's cancellation policy (a booking taken after the disablement: in full). As a creator: future calls cancelled " +
      'with full refunds (fans told), open offers withdrawn, pending requests declined, the public page gone. On an account already disabled it only finishes that closure (`changed: false`).',
    params: z.object({ id: IdParam('usr') }),
    body: ReasonBody,
    responses: {
      200: {
        description: 'Disabled',
        schema: z.object({
          id: z.string(),
          disabledAt: z.string(),
          changed: z.boolean(),
          revokedSessions: z.number().int(),
          closed: ClosureDto,
        }),
      },
      404: { description: 'USER_NOT_FOUND' },
      409: { description: 'CANNOT_DISABLE_SELF' },
    },
  },
  async (c, { user, params, body }) => {
    const r = await disableAccount(c.get('deps'), user, params.id, {
      reason: body.reason,
      requestId: c.get('requestId'),
    });
    if (!r.ok)
      throw r.code === 'USER_NOT_FOUND'
        ? new AppError(404, r.code, 'This account does not exist.')
        : new AppError(409, r.code, 'You cannot disable your own account.');
    return c.json({
      id: r.user.id,
      disabledAt: r.user.disabledAt!.toISOString(),
      changed: r.changed,
      revokedSessions: r.revokedSessions,
      closed: r.closed,
    });
  },
);

route(
  adminApi,
  {
    method: 'post',
    path: '/users/:id/enable',
    summary: 'Re-enable a disabled account (admin; audited): it may sign in again; what was cancelled stays cancelled',
    tags,
    access,
    params: z.object({ id: IdParam('usr') }),
    body: z.object({ reason: SingleLineText(0, 500).optional() }),
    responses: {
      200: { description: 'Enabled', schema: z.object({ id: z.string(), disabledAt: z.null() }) },
      404: { description: 'USER_NOT_FOUND' },
      409: { description: 'NOT_DISABLED' },
    },
  },
  async (c, { user, params, body }) => {
    const r = await enableAccount(c.get('deps'), user, params.id, {
      reason: body.reason ?? null,
      requestId: c.get('requestId'),
    });
    if (!r.ok)
      throw r.code === 'USER_NOT_FOUND'
        ? new AppError(404, r.code, 'This account does not exist.')
        : new AppError(409, r.code, 'This account is not disabled.');
    return c.json({ id: r.user.id, disabledAt: null });
  },
);

// ---------------------------------------------------------------------------------------------- payments

route(
  adminApi,
  {
    method: 'get',
    path: '/payments',
    summary:
      'Payments, newest first, filtered by creator, status and creation date range (50 per page), with totals per currency of the whole filter',
    tags,
    access,
    query: z.object({
      creatorId: IdParam('crt').optional(),
      status: z.enum(PAYMENT_STATUSES).optional(),
      from: IsoDateTime.optional(),
      to: IsoDateTime.optional(),
      page: PageQuery,
    }),
    responses: {
      200: {
        description: 'Payments',
        schema: z.object({
          items: z.array(
            z.object({
              id: z.string(),
              bookingId: z.string(),
              creatorId: z.string(),
              creatorName: z.string(),
              fanEmail: z.string(),
              status: z.enum(PAYMENT_STATUSES),
              amount: z.number().int(),
              currency: CurrencySchema,
              platformFee: z.number().int(),
              refundedAmount: z.number().int(),
              createdAt: z.string(),
            }),
          ),
          total: z.number().int(),
          page: z.number().int(),
          totals: z.array(
            z.object({
              currency: CurrencySchema,
              count: z.number().int(),
              amount: z.number().int(),
              fees: z.number().int(),
              refunded: z.number().int(),
            }),
          ),
        }),
      },
    },
  },
  async (c, { query }) => {
    const { rows, total, totals } = await paymentsPage(
      c.get('deps'),
      {
        creatorId: query.creatorId,
        status: query.status,
        from: query.from ? new Date(query.from) : undefined,
        to: query.to ? new Date(query.to) : undefined,
      },
      query.page,
    );
    return c.json({
      total,
      page: query.page,
      totals,
      items: rows.map(({ payment: p, creatorName, fanEmail }) => ({
        id: p.id,
        bookingId: p.bookingId,
        creatorId: p.creatorId,
        creatorName,
        fanEmail,
        status: p.status,
        amount: p.amount,
        currency: p.currency,
        platformFee: p.platformFee,
        refundedAmount: p.refundedAmount,
        createdAt: p.createdAt.toISOString(),
      })),
    });
  },
);

// ---------------------------------------------------------------------------------------------- reviews

const AdminReviewDto = z.object({
  id: z.string(),
  bookingId: z.string(),
  creatorId: z.string(),
  rating: z.number().int(),
  comment: z.string(),
  createdAt: z.string(),
  hidden: z.boolean(),
  hiddenAt: z.string().nullable(),
  hiddenBy: z.string().nullable(),
  hiddenReason: z.string().nullable(),
});
const toAdminReview = (r: Review): z.infer<typeof AdminReviewDto> => ({
  id: r.id,
  bookingId: r.bookingId,
  creatorId: r.creatorId,
  rating: r.rating,
  comment: r.comment,
  createdAt: r.createdAt.toISOString(),
  hidden: r.hiddenAt !== null,
  hiddenAt: iso(r.hiddenAt),
  hiddenBy: r.hiddenBy,
  hiddenReason: r.hiddenReason,
});

function moderationError(code: ModerationRefusal): AppError {
  return code === 'REVIEW_NOT_FOUND'
    ? new AppError(404, code, 'This review does not exist.')
    : code === 'REVIEW_ALREADY_HIDDEN'
      ? new AppError(409, code, 'This review is already hidden.')
      : new AppError(409, code, 'This review is not hidden.');
}

route(
  adminApi,
  {
    method: 'get',
    path: '/reviews',
    summary: 'Reviews for moderation, newest first (30 per page): hidden or visible, by creator',
    tags,
    access,
    query: z.object({
      visibility: z.enum(['hidden', 'visible']).optional(),
      creatorId: IdParam('crt').optional(),
      page: PageQuery,
    }),
    responses: {
      200: {
        description: 'Reviews',
        schema: z.object({ items: z.array(AdminReviewDto), total: z.number().int(), page: z.number().int() }),
      },
    },
  },
  async (c, { query }) => {
    const { rows, total } = await reviewsForModeration(c.get('deps'), query);
    return c.json({ items: rows.map((r) => toAdminReview(r.review)), total, page: query.page });
  },
);

const ReviewIdParam = z.object({ id: IdParam('rev') });

route(
  adminApi,
  {
    method: 'post',
    path: '/reviews/:id/hide',
    summary:
      "Hide an abusive review, with a reason: it leaves the creator's public reviews and average (admin; audited)",
    tags,
    access,
    params: ReviewIdParam,
    body: ReasonBody,
    responses: {
      200: { description: 'Hidden', schema: z.object({ review: AdminReviewDto }) },
      404: { description: 'REVIEW_NOT_FOUND' },
      409: { description: 'REVIEW_ALREADY_HIDDEN' },
    },
  },
  async (c, { user, params, body }) => {
    const r = await hideReview(c.get('deps'), user.id, params.id, body.reason, c.get('requestId'));
    if (!r.ok) throw moderationError(r.code);
    return c.json({ review: toAdminReview(r.review) });
  },
);

route(
  adminApi,
  {
    method: 'post',
    path: '/reviews/:id/unhide',
    summary: 'Show a hidden review again (admin; audited)',
    tags,
    access,
    params: ReviewIdParam,
    responses: {
      200: { description: 'Visible again', schema: z.object({ review: AdminReviewDto }) },
      404: { description: 'REVIEW_NOT_FOUND' },
      409: { description: 'REVIEW_NOT_HIDDEN' },
    },
  },
  async (c, { user, params }) => {
    const r = await unhideReview(c.get('deps'), user.id, params.id, c.get('requestId'));
    if (!r.ok) throw moderationError(r.code);
    return c.json({ review: toAdminReview(r.review) });
  },
);

// ---------------------------------------------------------------------------------------------- audit

route(
  adminApi,
  {
    method: 'get',
    path: '/audit',
    summary: 'The audit log of admin writes, newest first (50 per page): who, when, what, before/after, reason',
    tags,
    access,
    query: z.object({
      entity: z.enum(AUDIT_ENTITIES).optional(),
      entityId: z.string().max(64).optional(),
      page: PageQuery,
    }),
    responses: {
      200: {
        description: 'Audit entries',
        schema: z.object({
          items: z.array(
            z.object({
              id: z.string(),
              at: z.string(),
              actorUserId: z.string(),
              actorName: z.string().nullable(),
              action: z.string(),
              entity: z.string(),
              entityId: z.string().nullable(),
              before: z.unknown(),
              after: z.unknown(),
              reason: z.string().nullable(),
              requestId: z.string().nullable(),
            }),
          ),
          total: z.number().int(),
          page: z.number().int(),
        }),
      },
    },
  },
  async (c, { query }) => {
    const { rows, total } = await auditPage(c.get('deps'), query);
    return c.json({
      total,
      page: query.page,
      items: rows.map(({ a, actorName }) => ({
        id: a.id,
        at: a.createdAt.toISOString(),
        actorUserId: a.actorUserId,
        actorName,
        action: a.action,
        entity: a.entity,
        entityId: a.entityId,
        before: a.before ?? null,
        after: a.after ?? null,
        reason: a.reason,
        requestId: a.requestId,
      })),
    });
  },
);
