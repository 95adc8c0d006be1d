/** Creator finances (eligibility, payouts, settings, earnings) and the admin side of payouts and platform settings. */
import { and, desc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { PAYOUT_STATUSES, payouts, type Creator } from '../db/schema';
import type { Deps } from '../deps';
import { creatorById } from '../domain/creators/queries';
import { payoutTimeline, type PayoutAuditRow } from '../domain/payouts/audit';
import { creatorPayout, creatorPayouts } from '../domain/payouts/queries';
import { earnings, financeSummary } from '../domain/payouts/earnings';
import { settleDebtManually } from '../domain/payouts/debt';
import {
  approvePayout,
  creatorEligibility,
  openAdminPayout,
  openPayout,
  rejectPayout,
  setPayoutsBlocked,
  updatePayoutSettings,
  type Payout,
} from '../domain/payouts/engine';
import type { Eligibility } from '../domain/payouts/eligibility';
import { getSettings, updateSettings, type PlatformSettings } from '../domain/settings';
import { type AppError, notFound } from '../http/errors';
import { refusal } from '../http/refusals';
import { apiApp, route } from '../http/route';
import { CurrencySchema, IdParam } from '../shared/common';
import {
  EligibilityDto,
  FinanceDto,
  NoteBody,
  PayoutAuditDto,
  PayoutDto,
  PayoutSettingsBody,
  PayoutSettingsDto,
  PayoutStepDto,
  ReasonBody,
  RequestPayoutBody,
  SettingsDto,
  SettingsPatch,
} from '../shared/payouts';
import { creatorOfUser } from './creators';

export const payoutsApi = apiApp('/api');
const tags = ['Payouts'];
const iso = (d: Date | null) => d?.toISOString() ?? null;

export function toPayoutDto(p: Payout): z.infer<typeof PayoutDto> {
  return {
    id: p.id,
    creatorId: p.creatorId,
    amount: p.amount,
    currency: p.currency,
    status: p.status,
    origin: p.origin,
    debtDeducted: p.debtDeducted,
    failureReason: p.failureReason,
    rejectedReason: p.rejectedReason,
    requestedAt: p.requestedAt.toISOString(),
    approvedAt: iso(p.approvedAt),
    paidAt: iso(p.paidAt),
    failedAt: iso(p.failedAt),
  };
}
/** A payout's step as its creator sees it: what happened and why (no admin ids, no internals). */
export const toPayoutStep = (a: PayoutAuditRow): z.infer<typeof PayoutStepDto> => ({
  action: a.action,
  status: a.status,
  amount: a.amount,
  currency: a.currency,
  reason: a.reason,
  at: a.createdAt.toISOString(),
});
const toPayoutAudit = (a: PayoutAuditRow): z.infer<typeof PayoutAuditDto> => ({
  ...toPayoutStep(a),
  id: a.id,
  actorUserId: a.actorUserId,
  context: a.context,
});
export const toEligibilityDto = (e: Eligibility): z.infer<typeof EligibilityDto> => ({
  ...e,
  nextReleaseAt: iso(e.nextReleaseAt),
});
const toSettingsDto = (s: PlatformSettings): z.infer<typeof SettingsDto> => ({
  ...s,
  updatedAt: s.updatedAt.toISOString(),
});
const payoutSettingsOf = (c: Creator): z.infer<typeof PayoutSettingsDto> => ({
  schedule: c.payoutSchedule,
  weekday: c.payoutWeekday,
  minimum: c.payoutMinimum,
  nextPayoutAt: iso(c.nextPayoutAt),
  blocked: c.payoutsBlocked,
  blockReason: c.payoutBlockReason,
});

/** A refused payout says why, with the eligibility that decided it. */
export function payoutRefusal(
  r: { code: 'NOT_ELIGIBLE'; eligibility: Eligibility } | { code: 'PAYOUT_CONFLICT' },
): AppError {
  return r.code === 'NOT_ELIGIBLE'
    ? refusal(
        'NOT_ELIGIBLE',
        `No payout possible now: ${r.eligibility.reasons.join(', ')}.`,
        toEligibilityDto(r.eligibility),
      )
    : refusal('PAYOUT_CONFLICT');
}

async function creatorOr404(deps: Deps, id: string): Promise<Creator> {
  const c = await creatorById(deps, id);
  if (!c) throw notFound('Creator');
  return c;
}

// ---------------------------------------------------------------------------------------------- creator

route(
  payoutsApi,
  {
    method: 'get',
    path: '/creators/me/payouts',
    summary: 'My payouts, whether I can be paid now (and why not), my payout settings',
    tags,
    access: ['CREATOR'],
    responses: {
      200: {
        description: 'Payouts',
        schema: z.object({
          eligibility: z.array(EligibilityDto),
          settings: PayoutSettingsDto,
          items: z.array(PayoutDto),
        }),
      },
    },
  },
  async (c, { user }) => {
    const deps = c.get('deps');
    const creator = await creatorOfUser(deps, user);
    const [eligibility, rows] = await Promise.all([
      creatorEligibility(deps, creator),
      creatorPayouts(deps, creator.id, 200),
    ]);
    return c.json({
      eligibility: eligibility.map(toEligibilityDto),
      settings: payoutSettingsOf(creator),
      items: rows.map(toPayoutDto),
    });
  },
);

route(
  payoutsApi,
  {
    method: 'post',
    path: '/creators/me/payouts',
    summary: 'Request a payout of my released funds now (in APPROVAL mode it waits for an admin)',
    tags,
    access: ['CREATOR'],
    body: RequestPayoutBody,
    responses: {
      201: { description: 'Payout opened', schema: z.object({ payout: PayoutDto }) },
      422: { description: 'NOT_ELIGIBLE (details: the eligibility and its reasons)' },
      409: { description: 'PAYOUT_CONFLICT' },
    },
  },
  async (c, { user, body }) => {
    const deps = c.get('deps');
    const creator = await creatorOfUser(deps, user);
    const r = await openPayout(deps, {
      creator,
      currency: body.currency ?? creator.currency,
      origin: 'CREATOR',
      periodKey: `request:${deps.ids.next('req')}`,
      actorUserId: user.id,
    });
    if (!r.ok) throw payoutRefusal(r);
    return c.json({ payout: toPayoutDto(r.payout) }, 201);
  },
);

route(
  payoutsApi,
  {
    method: 'get',
    path: '/creators/me/payouts/:id',
    summary: 'One of my payouts and its steps, with the reasons (held, failed, rejected…)',
    tags,
    access: ['CREATOR'],
    params: z.object({ id: IdParam('pyt') }),
    responses: {
      200: { description: 'Payout', schema: z.object({ payout: PayoutDto, steps: z.array(PayoutStepDto) }) },
      404: { description: "PAYOUT_NOT_FOUND (also another creator's)" },
    },
  },
  async (c, { user, params }) => {
    const deps = c.get('deps');
    const creator = await creatorOfUser(deps, user);
    const p = await creatorPayout(deps, creator.id, params.id);
    if (!p) throw refusal('PAYOUT_NOT_FOUND');
    return c.json({ payout: toPayoutDto(p), steps: (await payoutTimeline(deps, p.id)).map(toPayoutStep) });
  },
);

route(
  payoutsApi,
  {
    method: 'get',
    path: '/creators/me/finances',
    summary: 'My lifetime totals per currency: earned, paid out, in transit, pending, available, debt',
    tags,
    access: ['CREATOR'],
    responses: { 200: { description: 'Totals', schema: z.object({ items: z.array(FinanceDto) }) } },
  },
  async (c, { user }) => {
    const deps = c.get('deps');
    const creator = await creatorOfUser(deps, user);
    return c.json({ items: await financeSummary(deps, creator.id, deps.clock.now()) });
  },
);

route(
  payoutsApi,
  {
    method: 'put',
    path: '/creators/me/payout-settings',
    summary: 'My payout schedule (DAILY / WEEKLY on a weekday / MANUAL) and own minimum',
    tags,
    access: ['CREATOR'],
    body: PayoutSettingsBody,
    responses: { 200: { description: 'Saved', schema: z.object({ settings: PayoutSettingsDto }) } },
  },
  async (c, { user, body }) => {
    const deps = c.get('deps');
    const updated = await updatePayoutSettings(deps, await creatorOfUser(deps, user), body);
    return c.json({ settings: payoutSettingsOf(updated) });
  },
);

route(
  payoutsApi,
  {
    method: 'get',
    path: '/creators/me/earnings',
    summary:
      'My earnings (share net of refunds and dispute debt) by day (30), week (12) or month (12), in my time zone',
    tags,
    access: ['CREATOR'],
    query: z.object({ period: z.enum(['day', 'week', 'month']).default('day'), currency: CurrencySchema.optional() }),
    responses: {
      200: {
        description: 'Buckets',
        schema: z.object({
          period: z.string(),
          currency: CurrencySchema,
          buckets: z.array(z.object({ start: z.string(), amount: z.number().int() })),
        }),
      },
    },
  },
  async (c, { user, query }) => {
    const deps = c.get('deps');
    const creator = await creatorOfUser(deps, user);
    const currency = query.currency ?? creator.currency;
    const buckets = await earnings(deps, creator.id, currency, query.period, creator.timezone);
    return c.json({
      period: query.period,
      currency,
      buckets: buckets.map((b) => ({ start: b.start.toISOString(), amount: b.amount })),
    });
  },
);

// ---------------------------------------------------------------------------------------------- admin

const admin = ['ADMIN'] as const;

route(
  payoutsApi,
  {
    method: 'get',
    path: '/admin/payouts',
    summary: 'Payouts, newest first, filtered by status and creator (admin)',
    tags: ['Admin'],
    access: admin,
    query: z.object({ status: z.enum(PAYOUT_STATUSES).optional(), creatorId: IdParam('crt').optional() }),
    responses: { 200: { description: 'Payouts', schema: z.object({ items: z.array(PayoutDto) }) } },
  },
  async (c, { query }) => {
    const rows = await c
      .get('deps')
      .db.select()
      .from(payouts)
      .where(
        and(
          query.status ? inArray(payouts.status, [query.status]) : undefined,
          query.creatorId ? eq(payouts.creatorId, query.creatorId) : undefined,
        ),
      )
      .orderBy(desc(payouts.createdAt))
      .limit(500)
      .all();
    return c.json({ items: rows.map(toPayoutDto) });
  },
);

const PayoutIdParam = z.object({ id: IdParam('pyt') });
const CreatorIdParam = z.object({ id: IdParam('crt') });

route(
  payoutsApi,
  {
    method: 'post',
    path: '/admin/payouts/:id/approve',
    summary: 'Approve a requested payout: it is sent at once (admin; audited)',
    tags: ['Admin'],
    access: admin,
    params: PayoutIdParam,
    responses: {
      200: { description: 'Approved (and sent)', schema: z.object({ payout: PayoutDto }) },
      404: { description: 'PAYOUT_NOT_FOUND' },
      409: { description: 'PAYOUT_NOT_PENDING' },
      422: {
        description:
          'NOT_ELIGIBLE: the creator is blocked, not onboarded or without payouts (details.reasons); nothing changed',
      },
    },
  },
  async (c, { user, params }) => {
    const deps = c.get('deps');
    const r = await approvePayout(deps, params.id, user, c.get('requestId'));
    if (!r.ok)
      throw r.code === 'NOT_ELIGIBLE'
        ? refusal('NOT_ELIGIBLE', `This creator cannot be paid now: ${r.reasons.join(', ')}.`, { reasons: r.reasons })
        : refusal(r.code);
    return c.json({ payout: toPayoutDto(r.payout) });
  },
);

route(
  payoutsApi,
  {
    method: 'get',
    path: '/admin/payouts/:id/audit',
    summary: 'A payout and every step of it, oldest first: who, what, why (admin)',
    tags: ['Admin'],
    access: admin,
    params: PayoutIdParam,
    responses: {
      200: { description: 'Audit trail', schema: z.object({ payout: PayoutDto, items: z.array(PayoutAuditDto) }) },
      404: { description: 'PAYOUT_NOT_FOUND' },
    },
  },
  async (c, { params }) => {
    const deps = c.get('deps');
    const p = await deps.db.select().from(payouts).where(eq(payouts.id, params.id)).get();
    if (!p) throw refusal('PAYOUT_NOT_FOUND');
    return c.json({ payout: toPayoutDto(p), items: (await payoutTimeline(deps, p.id)).map(toPayoutAudit) });
  },
);

route(
  payoutsApi,
  {
    method: 'post',
    path: '/admin/payouts/:id/reject',
    summary: "Reject a requested payout with a reason: the money stays on the creator's balance (admin; audited)",
    tags: ['Admin'],
    access: admin,
    params: PayoutIdParam,
    body: ReasonBody,
    responses: {
      200: { description: 'Rejected', schema: z.object({ payout: PayoutDto }) },
      404: { description: 'PAYOUT_NOT_FOUND' },
      409: { description: 'PAYOUT_NOT_PENDING' },
    },
  },
  async (c, { user, params, body }) => {
    const deps = c.get('deps');
    const r = await rejectPayout(deps, params.id, user, body.reason, c.get('requestId'));
    if (!r.ok) throw refusal(r.code);
    return c.json({ payout: toPayoutDto(r.payout) });
  },
);

route(
  payoutsApi,
  {
    method: 'get',
    path: '/admin/creators/:id/payouts/eligibility',
    summary: 'Whether a creator can be paid now, per currency, and why not (admin)',
    tags: ['Admin'],
    access: admin,
    params: CreatorIdParam,
    responses: {
      200: {
        description: 'Eligibility',
        schema: z.object({ eligibility: z.array(EligibilityDto), settings: PayoutSettingsDto }),
      },
      404: { description: 'NOT_FOUND' },
    },
  },
  async (c, { params }) => {
    const deps = c.get('deps');
    const creator = await creatorOr404(deps, params.id);
    return c.json({
      eligibility: (await creatorEligibility(deps, creator)).map(toEligibilityDto),
      settings: payoutSettingsOf(creator),
    });
  },
);

route(
  payoutsApi,
  {
    method: 'post',
    path: '/admin/creators/:id/payouts',
    summary: "Trigger a payout of a creator's released funds now, approved (admin; audited)",
    tags: ['Admin'],
    access: admin,
    params: CreatorIdParam,
    body: RequestPayoutBody,
    responses: {
      201: { description: 'Payout opened and sent', schema: z.object({ payout: PayoutDto }) },
      422: { description: 'NOT_ELIGIBLE' },
      404: { description: 'NOT_FOUND' },
    },
  },
  async (c, { user, params, body }) => {
    const deps = c.get('deps');
    const creator = await creatorOr404(deps, params.id);
    const r = await openAdminPayout(deps, creator, user.id, body.currency, c.get('requestId'));
    if (!r.ok) throw payoutRefusal(r);
    return c.json({ payout: toPayoutDto(r.payout) }, 201);
  },
);

route(
  payoutsApi,
  {
    method: 'post',
    path: '/admin/creators/:id/payouts/block',
    summary: "Block a creator's payouts, with a reason (admin; audited; the creator is told)",
    tags: ['Admin'],
    access: admin,
    params: CreatorIdParam,
    body: ReasonBody,
    responses: {
      200: { description: 'Blocked', schema: z.object({ settings: PayoutSettingsDto }) },
      404: { description: 'NOT_FOUND' },
    },
  },
  async (c, { user, params, body }) => {
    const deps = c.get('deps');
    const before = await creatorOr404(deps, params.id);
    const after = await setPayoutsBlocked(deps, before, user.id, true, body.reason, { requestId: c.get('requestId') });
    return c.json({ settings: payoutSettingsOf(after) });
  },
);

route(
  payoutsApi,
  {
    method: 'post',
    path: '/admin/creators/:id/payouts/unblock',
    summary: "Unblock a creator's payouts (admin; audited; the creator is told)",
    tags: ['Admin'],
    access: admin,
    params: CreatorIdParam,
    responses: {
      200: { description: 'Unblocked', schema: z.object({ settings: PayoutSettingsDto }) },
      404: { description: 'NOT_FOUND' },
    },
  },
  async (c, { user, params }) => {
    const deps = c.get('deps');
    const before = await creatorOr404(deps, params.id);
    const after = await setPayoutsBlocked(deps, before, user.id, false, null, { requestId: c.get('requestId') });
    return c.json({ settings: payoutSettingsOf(after) });
  },
);

route(
  payoutsApi,
  {
    method: 'post',
    path: '/admin/disputes/:id/settle-debt',
    summary:
      "Record that a creator repaid what is left of a lost dispute's debt outside the platform (admin; audited; ledger)",
    tags: ['Admin'],
    access: admin,
    params: z.object({ id: IdParam('dsp') }),
    body: NoteBody,
    responses: {
      200: { description: 'Settled', schema: z.object({ settled: z.literal(true), amount: z.number().int() }) },
      404: { description: 'DISPUTE_NOT_FOUND' },
      409: { description: 'DEBT_NOT_OUTSTANDING, DEBT_RECOVERY_IN_PROGRESS' },
    },
  },
  async (c, { user, params, body }) => {
    const deps = c.get('deps');
    const r = await settleDebtManually(
      deps,
      { kind: 'dispute', id: params.id },
      user.id,
      body.note,
      c.get('requestId'),
    );
    if (!r.ok) throw refusal(r.code);
    return c.json({ settled: true as const, amount: r.amount });
  },
);

route(
  payoutsApi,
  {
    method: 'post',
    path: '/admin/refunds/:id/settle-debt',
    summary:
      'Record that a creator repaid the part of a refund their transfer could not give back (admin; audited; ledger)',
    tags: ['Admin'],
    access: admin,
    params: z.object({ id: IdParam('ref') }),
    body: NoteBody,
    responses: {
      200: { description: 'Settled', schema: z.object({ settled: z.literal(true), amount: z.number().int() }) },
      404: { description: 'REFUND_NOT_FOUND' },
      409: { description: 'DEBT_NOT_OUTSTANDING, DEBT_RECOVERY_IN_PROGRESS' },
    },
  },
  async (c, { user, params, body }) => {
    const deps = c.get('deps');
    const r = await settleDebtManually(deps, { kind: 'refund', id: params.id }, user.id, body.note, c.get('requestId'));
    if (!r.ok) throw refusal(r.code);
    return c.json({ settled: true as const, amount: r.amount });
  },
);

route(
  payoutsApi,
  {
    method: 'get',
    path: '/admin/settings',
    summary: 'Platform settings: fee, holding period, hold duration, payout mode and minimums (admin)',
    tags: ['Admin'],
    access: admin,
    responses: { 200: { description: 'Settings', schema: z.object({ settings: SettingsDto }) } },
  },
  async (c) => c.json({ settings: toSettingsDto(await getSettings(c.get('deps'), { fresh: true })) }),
);

route(
  payoutsApi,
  {
    method: 'put',
    path: '/admin/settings',
    summary: 'Change platform settings (admin; audited with before/after)',
    tags: ['Admin'],
    access: admin,
    body: SettingsPatch,
    responses: { 200: { description: 'Saved', schema: z.object({ settings: SettingsDto }) } },
  },
  async (c, { user, body }) =>
    c.json({ settings: toSettingsDto(await updateSettings(c.get('deps'), user.id, body, c.get('requestId'))) }),
);
