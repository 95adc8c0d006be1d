/** Admin — payouts: approve / reject requests, every payout by status (each with its audit trail), creators' eligibility with trigger / block / unblock, debts to recover. */
import { asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { creators, PAYOUT_STATUSES, payouts, users, type Creator } from '../../db/schema';
import { payoutTimeline } from '../../domain/payouts/audit';
import { RECEIVABLE, settleDebtManually } from '../../domain/payouts/debt';
import {
  approvePayout,
  creatorEligibility,
  deductionsOf,
  openPayout,
  rejectPayout,
  setPayoutsBlocked,
} from '../../domain/payouts/engine';
import type { AppEnv, Ctx } from '../../http/context';
import { audit, type AuditInput } from '../../domain/admin/audit';
import { notFound } from '../../http/errors';
import { redirectTarget } from '../../http/redirect';
import type { MessageKey } from '../../i18n';
import { formatMoney } from '../../i18n/format';
import { readForm, singleLine } from '../components/form';
import { Empty, Money, StatusBadge, When } from '../components/ui';
import { payoutReason, PayoutHeadline, PayoutSteps, ReasonList } from '../creator/payouts';
import { flash, page, viewOf } from '../render';
import { AdminNav, requireAdminPage } from './common';

export const adminPayoutPages = new Hono<AppEnv>();
const L = '/:lang{fr|en}';

/** A one-field admin action that needs a written reason (reject, block, settle a debt). */
function ReasonForm({
  action,
  id,
  name,
  label,
  submit,
  tone,
}: {
  action: string;
  id: string;
  name: 'reason' | 'note';
  label: string;
  submit: string;
  tone: 'danger' | 'secondary';
}) {
  return (
    <form method="post" action={action}>
      <label class="sr-only" for={id}>
        {label}
      </label>
      <input id={id} name={name} type="text" required minLength={3} maxLength={500} placeholder={label} />
      <button class={`button small ${tone}`} type="submit">
        {submit}
      </button>
    </form>
  );
}

adminPayoutPages.get(`${L}/admin/payouts`, async (c) => {
  const admin = requireAdminPage(c);
  if (admin instanceof Response) return admin;
  const { t, href, locale, timezone } = viewOf(c);
  const deps = c.get('deps');
  const status = (PAYOUT_STATUSES as readonly string[]).includes(c.req.query('status') ?? '')
    ? (c.req.query('status') as (typeof PAYOUT_STATUSES)[number])
    : null;
  const [pending, all, creatorRows, debts] = await Promise.all([
    deps.db
      .select({ p: payouts, name: creators.displayName })
      .from(payouts)
      .innerJoin(creators, eq(creators.id, payouts.creatorId))
      .where(eq(payouts.status, 'REQUESTED'))
      .orderBy(asc(payouts.createdAt))
      .all(),
    deps.db
      .select({ p: payouts, name: creators.displayName })
      .from(payouts)
      .innerJoin(creators, eq(creators.id, payouts.creatorId))
      .where(status ? inArray(payouts.status, [status]) : undefined)
      .orderBy(desc(payouts.createdAt))
      .limit(200)
      .all(),
    deps.db
      .select()
      .from(creators)
      .where(eq(creators.chargesEnabled, true))
      .orderBy(asc(creators.displayName))
      .limit(200)
      .all(),
    // Due debts: lost disputes and refunds whose transfer reversal fell short, with what is still owed.
    deps.db.all<{
      kind: 'dispute' | 'refund';
      id: string;
      currency: Creator['currency'];
      name: string;
      owed: number;
      pending: number;
      recovered: number;
    }>(sql`
      select 'dispute' as kind, d.id, d.currency, c.display_name as name,
        (select coalesce(sum(amount), 0) from ledger_entries where account = ${RECEIVABLE} and dispute_id = d.id) as owed,
        (select coalesce(sum(amount), 0) from debt_recoveries where dispute_id = d.id and status = 'PENDING') as pending,
        (select coalesce(sum(amount), 0) from debt_recoveries where dispute_id = d.id and status = 'SUCCEEDED') as recovered
      from disputes d join payments p on p.id = d.payment_id join creators c on c.id = p.creator_id
      where d.status = 'LOST' and d.reconciled_at is null and owed > 0
      union all
      select 'refund' as kind, r.id, r.currency, c.display_name as name,
        (select coalesce(sum(amount), 0) from ledger_entries where account = ${RECEIVABLE} and refund_id = r.id) as owed,
        (select coalesce(sum(amount), 0) from debt_recoveries where refund_id = r.id and status = 'PENDING') as pending,
        (select coalesce(sum(amount), 0) from debt_recoveries where refund_id = r.id and status = 'SUCCEEDED') as recovered
      from refunds r join payments p on p.id = r.payment_id join creators c on c.id = p.creator_id
      where r.reconciled_at is null and owed > 0
      limit 200`),
  ]);
  const eligibilities = await Promise.all(
    creatorRows.map(async (cr) => ({ cr, list: await creatorEligibility(deps, cr) })),
  );
  const local = deps.localPayments !== null;
  return page(c, {
    title: t('admin.payouts'),
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('admin.title')}</h1>
        <AdminNav c={c} current="payouts" />
        <section aria-labelledby="pend-h">
          <h2 id="pend-h">{t('admin.pending')}</h2>
          {pending.length === 0 ? (
            <Empty>{t('admin.noPending')}</Empty>
          ) : (
            <table class="table" data-pending>
              <thead>
                <tr>
                  <th>{t('admin.creator')}</th>
                  <th>{t('creatorPayments.amount')}</th>
                  <th>{t('payouts.requestedAt')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {pending.map(({ p, name }) => (
                  <tr data-payout={p.id}>
                    <td>{name}</td>
                    <td>
                      <Money amount={p.amount} currency={p.currency} locale={locale} />
                    </td>
                    <td>
                      <When at={p.requestedAt} locale={locale} timezone={timezone} style="short" withZone={false} />
                    </td>
                    <td class="inline-actions">
                      <form method="post" action={href(`/admin/payouts/${p.id}/approve`)}>
                        <button class="button small" type="submit">
                          {t('admin.approve')}
                        </button>
                      </form>
                      <ReasonForm
                        action={href(`/admin/payouts/${p.id}/reject`)}
                        id={`rj-${p.id}`}
                        name="reason"
                        label={t('admin.reason')}
                        submit={t('admin.reject')}
                        tone="danger"
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section aria-labelledby="cr-h">
          <h2 id="cr-h">{t('admin.creators')}</h2>
          <table class="table">
            <thead>
              <tr>
                <th>{t('admin.creator')}</th>
                <th>{t('admin.balance')}</th>
                <th>{t('admin.pendingFunds')}</th>
                <th>{t('admin.eligibility')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {eligibilities.map(({ cr, list }) =>
                list.map((e) => (
                  <tr data-creator={cr.id}>
                    <td>
                      {cr.displayName}
                      {cr.payoutsBlocked ? (
                        <div class="badge danger">{t('admin.blocked', { reason: cr.payoutBlockReason ?? '' })}</div>
                      ) : null}
                    </td>
                    <td>
                      <Money amount={e.available} currency={e.currency} locale={locale} />
                    </td>
                    <td>
                      <Money amount={e.pending} currency={e.currency} locale={locale} />
                    </td>
                    <td>
                      {e.eligible ? (
                        <span class="badge success">{t('admin.eligibleYes')}</span>
                      ) : (
                        <ReasonList
                          t={t}
                          e={e}
                          locale={locale}
                          timezone={timezone}
                          blockReason={cr.payoutBlockReason}
                        />
                      )}
                    </td>
                    <td class="inline-actions">
                      {e.eligible ? (
                        <form method="post" action={href(`/admin/creators/${cr.id}/payouts`)}>
                          <input type="hidden" name="currency" value={e.currency} />
                          <button class="button small" type="submit">
                            {t('admin.trigger')}
                          </button>
                        </form>
                      ) : null}
                      {cr.payoutsBlocked ? (
                        <form method="post" action={href(`/admin/creators/${cr.id}/unblock`)}>
                          <button class="button small secondary" type="submit">
                            {t('admin.unblock')}
                          </button>
                        </form>
                      ) : (
                        <ReasonForm
                          action={href(`/admin/creators/${cr.id}/block`)}
                          id={`bl-${cr.id}-${e.currency}`}
                          name="reason"
                          label={t('admin.reason')}
                          submit={t('admin.block')}
                          tone="secondary"
                        />
                      )}
                    </td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </section>
        <section aria-labelledby="debt-h">
          <h2 id="debt-h">{t('admin.debts')}</h2>
          {debts.length === 0 ? (
            <Empty>{t('admin.noDebts')}</Empty>
          ) : (
            <table class="table">
              <thead>
                <tr>
                  <th>{t('admin.creator')}</th>
                  <th>{t('admin.debtSource')}</th>
                  <th>{t('admin.debtOwed')}</th>
                  <th>{t('admin.debtRecovered')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {debts.map((d) => (
                  <tr data-debt={d.id}>
                    <td>{d.name}</td>
                    <td>{t(d.kind === 'dispute' ? 'admin.debtDispute' : 'admin.debtRefund')}</td>
                    <td>
                      <Money amount={d.owed} currency={d.currency} locale={locale} />
                      {d.pending ? (
                        <div class="muted small">
                          {t('admin.debtInProgress', { amount: formatMoney(d.pending, d.currency, locale) })}
                        </div>
                      ) : null}
                    </td>
                    <td>
                      <Money amount={d.recovered} currency={d.currency} locale={locale} />
                    </td>
                    <td class="inline-actions">
                      <ReasonForm
                        action={href(`/admin/${d.kind === 'dispute' ? 'disputes' : 'refunds'}/${d.id}/settle-debt`)}
                        id={`sd-${d.id}`}
                        name="note"
                        label={t('admin.note')}
                        submit={t('admin.settleDebt')}
                        tone="secondary"
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section aria-labelledby="all-h">
          <h2 id="all-h">{t('admin.allPayouts')}</h2>
          <form method="get" action={href('/admin/payouts')} class="inline-actions">
            <label for="f-status">{t('admin.filterStatus')}</label>
            <select id="f-status" name="status">
              <option value="">{t('admin.filterAll')}</option>
              {PAYOUT_STATUSES.map((s) => (
                <option value={s} selected={s === status}>
                  {t(`status.payout.${s}` as MessageKey)}
                </option>
              ))}
            </select>
            <button class="button small secondary" type="submit">
              {t('admin.filter')}
            </button>
          </form>
          {all.length === 0 ? (
            <Empty>{t('payouts.none')}</Empty>
          ) : (
            <table class="table" data-all-payouts>
              <thead>
                <tr>
                  <th>{t('payouts.requestedAt')}</th>
                  <th>{t('admin.creator')}</th>
                  <th>{t('creatorPayments.amount')}</th>
                  <th>{t('creatorSpace.status')}</th>
                  <th>{t('payouts.origin')}</th>
                  <th>{t('payouts.details')}</th>
                </tr>
              </thead>
              <tbody>
                {all.map(({ p, name }) => (
                  <tr data-payout={p.id}>
                    <td>
                      <When at={p.requestedAt} locale={locale} timezone={timezone} style="short" withZone={false} />
                    </td>
                    <td>{name}</td>
                    <td>
                      <Money amount={p.amount} currency={p.currency} locale={locale} />
                      {p.debtDeducted ? (
                        <div class="muted small">
                          {t('payouts.debtDeducted', { amount: formatMoney(p.debtDeducted, p.currency, locale) })}
                        </div>
                      ) : null}
                    </td>
                    <td>
                      <StatusBadge t={t} kind="payout" status={p.status} />
                    </td>
                    <td>{t(`payouts.origin${p.origin}`)}</td>
                    <td class="small">
                      {payoutReason(t, p.failureReason ?? p.rejectedReason)}{' '}
                      <a href={href(`/admin/payouts/${p.id}`)}>{t('payouts.steps.link')}</a>
                      {local && p.status === 'PROCESSING' && p.stripePayoutId ? (
                        <span class="inline-actions">
                          {t('admin.simulate')}
                          {(['paid', 'failed'] as const).map((o) => (
                            <form method="post" action={href(`/admin/payouts/${p.id}/simulate`)}>
                              <input type="hidden" name="outcome" value={o} />
                              <button class="link-button" type="submit">
                                {t(o === 'paid' ? 'admin.simulatePaid' : 'admin.simulateFailed')}
                              </button>
                            </form>
                          ))}
                        </span>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </>
    ),
  });
});

adminPayoutPages.get(`${L}/admin/payouts/:id{pyt_[0-9a-z]+}`, async (c) => {
  const admin = requireAdminPage(c);
  if (admin instanceof Response) return admin;
  const { t, href, locale, timezone } = viewOf(c);
  const deps = c.get('deps');
  const row = await deps.db
    .select({ p: payouts, name: creators.displayName })
    .from(payouts)
    .innerJoin(creators, eq(creators.id, payouts.creatorId))
    .where(eq(payouts.id, c.req.param('id')))
    .get();
  if (!row) throw notFound('Payout');
  const { p, name } = row;
  const [steps, deductions] = await Promise.all([payoutTimeline(deps, p.id), deductionsOf(deps, p.id)]);
  const actorIds = [...new Set(steps.map((s) => s.actorUserId).filter((x): x is string => !!x))];
  const actors = new Map(
    (actorIds.length
      ? await deps.db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, actorIds)).all()
      : []
    ).map((u) => [u.id, u.name]),
  );
  return page(c, {
    title: t('payouts.detailTitle'),
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('admin.title')}</h1>
        <AdminNav c={c} current="payouts" />
        <section class="card" data-payout={p.id}>
          <h2>
            {t('payouts.detailTitle')} — {name}
          </h2>
          <PayoutHeadline t={t} p={p} locale={locale} />
          <dl class="facts">
            <dt>{t('payouts.origin')}</dt>
            <dd>{t(`payouts.origin${p.origin}`)}</dd>
            <dt>{t('payouts.requestedAt')}</dt>
            <dd>
              <When at={p.requestedAt} locale={locale} timezone={timezone} style="short" withZone={false} />
            </dd>
            {p.stripePayoutId ? (
              <>
                <dt>{t('admin.providerPayout')}</dt>
                <dd class="mono">{p.stripePayoutId}</dd>
              </>
            ) : null}
          </dl>
          {deductions.length ? (
            <>
              <h3>{t('admin.deductions', { amount: formatMoney(p.debtDeducted, p.currency, locale) })}</h3>
              <ul data-deductions>
                {deductions.map((d) => (
                  <li>
                    <Money amount={d.amount} currency={d.currency} locale={locale} /> ·{' '}
                    <span class="mono small">{d.transferId}</span> ({d.disputeId ?? d.refundId})
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {p.status === 'REQUESTED' ? (
            <div class="inline-actions">
              <form method="post" action={href(`/admin/payouts/${p.id}/approve`)}>
                <input type="hidden" name="back" value={`/admin/payouts/${p.id}`} />
                <button class="button small" type="submit">
                  {t('admin.approve')}
                </button>
              </form>
              <ReasonForm
                action={href(`/admin/payouts/${p.id}/reject`)}
                id={`rj-${p.id}`}
                name="reason"
                label={t('admin.reason')}
                submit={t('admin.reject')}
                tone="danger"
              />
            </div>
          ) : null}
          <h3>{t('payouts.stepsTitle')}</h3>
          <PayoutSteps t={t} steps={steps} locale={locale} timezone={timezone} actors={actors} />
          <p>
            <a href={href('/admin/payouts')}>{t('payouts.back')}</a>
          </p>
        </section>
      </>
    ),
  });
});

type Audited = Omit<AuditInput, 'actor' | 'requestId'>;
type ActResult = { ok: boolean; code?: string; audit?: Audited };

/** Only admin pages are valid places to come back to after an action (`back` is a path without the language). */
const backTo = (c: Ctx, form: Record<string, string>) => {
  const { href } = viewOf(c);
  return redirectTarget(c, form.back ? href(form.back) : null, href('/admin/payouts'), href('/admin'));
};

/** Runs an admin action, audits it when it changed something, and comes back to the page with its outcome. */
async function act(c: Ctx, run: (admin: { id: string }, form: Record<string, string>) => Promise<ActResult>) {
  const admin = requireAdminPage(c);
  if (admin instanceof Response) return admin;
  const form = await readForm(c.req.raw);
  const r = await run(admin, form);
  const deps = c.get('deps');
  if (r.ok && r.audit) await audit(deps, { ...r.audit, actor: admin.id, requestId: c.get('requestId') });
  if (r.ok) flash(c, 'admin.done');
  else flash(c, 'admin.failed', 'error');
  await deps.log.info('ADMIN_ACTION', `${c.req.method} ${c.req.path}: ${r.ok ? 'ok' : r.code}`, { actorId: admin.id });
  return c.redirect(backTo(c, form), 303);
}
const creatorOf = async (c: Ctx): Promise<Creator> => {
  const cr = await c
    .get('deps')
    .db.select()
    .from(creators)
    .where(eq(creators.id, c.req.param('id') ?? ''))
    .get();
  if (!cr) throw notFound('Creator');
  return cr;
};
const reasonOf = (form: Record<string, string>) => singleLine(form.reason, 500);
const money = (p: { amount: number; currency: string; status: string }) => ({
  amount: p.amount,
  currency: p.currency,
  status: p.status,
});

adminPayoutPages.post(`${L}/admin/payouts/:id/approve`, (c) =>
  act(c, async (admin) => {
    const r = await approvePayout(c.get('deps'), c.req.param('id'), admin);
    return r.ok
      ? {
          ok: true,
          audit: {
            action: 'PAYOUT_APPROVE',
            entity: 'payout',
            entityId: r.payout.id,
            before: { status: 'REQUESTED' },
            after: money(r.payout),
          },
        }
      : r;
  }),
);
adminPayoutPages.post(`${L}/admin/payouts/:id/reject`, (c) =>
  act(c, async (admin, form) => {
    const reason = reasonOf(form);
    if (reason.length < 3) return { ok: false, code: 'REASON_REQUIRED' };
    const r = await rejectPayout(c.get('deps'), c.req.param('id'), admin, reason);
    return r.ok
      ? {
          ok: true,
          audit: {
            action: 'PAYOUT_REJECT',
            entity: 'payout',
            entityId: r.payout.id,
            before: { status: 'REQUESTED' },
            after: money(r.payout),
            reason,
          },
        }
      : r;
  }),
);
adminPayoutPages.post(`${L}/admin/creators/:id/payouts`, (c) =>
  act(c, async (admin, form) => {
    const deps = c.get('deps');
    const creator = await creatorOf(c);
    const currency = (['EUR', 'CHF', 'USD', 'GBP'] as const).find((x) => x === form.currency) ?? creator.currency;
    const r = await openPayout(deps, {
      creator,
      currency,
      origin: 'ADMIN',
      periodKey: `admin:${deps.ids.next('req')}`,
      actorUserId: admin.id,
    });
    return r.ok
      ? {
          ok: true,
          audit: {
            action: 'PAYOUT_TRIGGER',
            entity: 'creator',
            entityId: creator.id,
            after: { payoutId: r.payout.id, ...money(r.payout) },
          },
        }
      : r;
  }),
);
adminPayoutPages.post(`${L}/admin/creators/:id/block`, (c) =>
  act(c, async (admin, form) => {
    const reason = reasonOf(form);
    if (reason.length < 3) return { ok: false, code: 'REASON_REQUIRED' };
    await setPayoutsBlocked(c.get('deps'), await creatorOf(c), admin.id, true, reason, {
      requestId: c.get('requestId'),
    });
    return { ok: true };
  }),
);
adminPayoutPages.post(`${L}/admin/creators/:id/unblock`, (c) =>
  act(c, async (admin) => {
    await setPayoutsBlocked(c.get('deps'), await creatorOf(c), admin.id, false, null, {
      requestId: c.get('requestId'),
    });
    return { ok: true };
  }),
);
for (const kind of ['dispute', 'refund'] as const) {
  adminPayoutPages.post(`${L}/admin/${kind}s/:id/settle-debt`, (c) =>
    act(c, async (admin, form) => {
      const note = singleLine(form.note, 500);
      if (note.length < 3) return { ok: false, code: 'NOTE_REQUIRED' };
      const id = c.req.param('id');
      return settleDebtManually(c.get('deps'), { kind, id }, admin.id, note, c.get('requestId'));
    }),
  );
}
// The built-in provider only: make the bank answer now (Stripe's own payouts take days).
adminPayoutPages.post(`${L}/admin/payouts/:id/simulate`, (c) =>
  act(c, async (_admin, form) => {
    const deps = c.get('deps');
    const p = await deps.db
      .select()
      .from(payouts)
      .where(eq(payouts.id, c.req.param('id')))
      .get();
    const cr = p ? await deps.db.select().from(creators).where(eq(creators.id, p.creatorId)).get() : null;
    if (!deps.localPayments || !p?.stripePayoutId || !cr?.stripeAccountId)
      return { ok: false, code: 'NOT_SIMULATABLE' };
    const outcome = form.outcome === 'failed' ? 'failed' : 'paid';
    await deps.localPayments.settlePayout(cr.stripeAccountId, p.stripePayoutId, outcome);
    const after = await deps.db.select().from(payouts).where(eq(payouts.id, p.id)).get();
    return {
      ok: true,
      audit: {
        action: 'PAYOUT_SIMULATE',
        entity: 'payout',
        entityId: p.id,
        before: money(p),
        after: after ? money(after) : null,
        reason: `simulated ${outcome}`,
      },
    };
  }),
);
