/** Admin — payouts: approve / reject requests, every payout by status (each with its audit trail), creators' eligibility with trigger / block / unblock, debts to recover. */
import { z, type ZodType } from 'zod';
import type { User } from '../../domain/rows';
import { PAYOUT_STATUSES } from '../../shared/enums';
import { audit, type AuditInput } from '../../domain/admin/audit';
import { payoutAndCreator, payoutDetail, payoutRow, payoutsOverview } from '../../domain/admin/payouts';
import { creatorById } from '../../domain/creators/queries';
import { settleDebtManually } from '../../domain/payouts/debt';
import {
  approvePayout,
  creatorEligibility,
  openAdminPayout,
  rejectPayout,
  setPayoutsBlocked,
} from '../../domain/payouts/engine';
import type { Ctx } from '../../http/context';
import { notFound } from '../../http/errors';
import { redirectTarget } from '../../http/redirect';
import type { MessageKey } from '../../i18n';
import { formatMoney } from '../../i18n/format';
import { CurrencySchema } from '../../shared/common';
import { Empty, Money, StatusBadge, When } from '../components/ui';
import { payoutReason, PayoutHeadline, PayoutSteps, ReasonList } from '../creator/payouts';
import { lenient, pageArea, textField } from '../page-route';
import { page, viewOf } from '../render';
import { AdminNav } from './common';
import { enumFilter } from './kit';

const admin = pageArea('admin');
export const adminPayoutPages = admin.app;
// Any id: the domain answers an unknown payout or creator (a refusal, or a 404 below).
const IdParams = z.object({ id: z.string() });

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

admin.get('/payouts', { query: z.object({ status: enumFilter(PAYOUT_STATUSES) }) }, async (c, { query }) => {
  const { t, href, locale, timezone } = viewOf(c);
  const deps = c.get('deps');
  const status = query.status ?? null;
  const { pending, all, creatorRows, debts } = await payoutsOverview(deps, status);
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

admin.get('/payouts/:id{pyt_[0-9a-z]+}', { params: IdParams }, async (c, { params }) => {
  const { t, href, locale, timezone } = viewOf(c);
  const d = await payoutDetail(c.get('deps'), params.id);
  if (!d) throw notFound('Payout');
  const { p, name, steps, deductions, actors } = d;
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

/**
 * A payout action posted from the admin pages: `run` does it; this audits it when `run` says so
 * (the domain audits the rest), logs the outcome and comes back to the page with it.
 */
function action<F extends ZodType>(
  path: string,
  form: F,
  run: (c: Ctx, admin: User, id: string, form: z.infer<F>) => Promise<ActResult>,
): void {
  admin.post(path, { params: IdParams, form, back: (c, { raw }) => backTo(c, raw) }, async (c, i) => {
    const r = await run(c, i.user, i.params.id, i.form as z.infer<F>);
    const deps = c.get('deps');
    if (r.ok && r.audit) await audit(deps, { ...r.audit, actor: i.user.id, requestId: c.get('requestId') });
    await deps.log.admin.info('ADMIN_ACTION', `${c.req.method} ${c.req.path}: ${r.ok ? 'ok' : r.code}`, null, {
      actorId: i.user.id,
    });
    return i.back(r.ok ? 'admin.done' : 'admin.failed', r.ok ? 'success' : 'error');
  });
}
const creatorOf = async (c: Ctx, id: string) => {
  const cr = await creatorById(c.get('deps'), id);
  if (!cr) throw notFound('Creator');
  return cr;
};
const Reason = z.object({ reason: textField(500) });
const money = (p: { amount: number; currency: string; status: string }) => ({
  amount: p.amount,
  currency: p.currency,
  status: p.status,
});

action('/payouts/:id/approve', z.object({}), async (c, admin, id) => {
  return approvePayout(c.get('deps'), id, admin, c.get('requestId'));
});
action('/payouts/:id/reject', Reason, async (c, admin, id, { reason }) => {
  if (reason.length < 3) return { ok: false, code: 'REASON_REQUIRED' };
  return rejectPayout(c.get('deps'), id, admin, reason, c.get('requestId'));
});
action('/creators/:id/payouts', z.object({ currency: lenient(CurrencySchema) }), async (c, admin, id, form) => {
  const deps = c.get('deps');
  const creator = await creatorOf(c, id);
  return openAdminPayout(deps, creator, admin.id, form.currency, c.get('requestId'));
});
action('/creators/:id/block', Reason, async (c, admin, id, { reason }) => {
  if (reason.length < 3) return { ok: false, code: 'REASON_REQUIRED' };
  await setPayoutsBlocked(c.get('deps'), await creatorOf(c, id), admin.id, true, reason, {
    requestId: c.get('requestId'),
  });
  return { ok: true };
});
action('/creators/:id/unblock', z.object({}), async (c, admin, id) => {
  await setPayoutsBlocked(c.get('deps'), await creatorOf(c, id), admin.id, false, null, {
    requestId: c.get('requestId'),
  });
  return { ok: true };
});
for (const kind of ['dispute', 'refund'] as const)
  action(`/${kind}s/:id/settle-debt`, z.object({ note: textField(500) }), async (c, admin, id, { note }) => {
    if (note.length < 3) return { ok: false, code: 'NOTE_REQUIRED' };
    return settleDebtManually(c.get('deps'), { kind, id }, admin.id, note, c.get('requestId'));
  });
// The built-in provider only: make the bank answer now (Stripe's own payouts take days).
action(
  '/payouts/:id/simulate',
  z.object({ outcome: lenient(z.enum(['paid', 'failed'])) }),
  async (c, _admin, id, form) => {
    const deps = c.get('deps');
    const { p, cr } = await payoutAndCreator(deps, id);
    if (!deps.localPayments || !p?.stripePayoutId || !cr?.stripeAccountId)
      return { ok: false, code: 'NOT_SIMULATABLE' };
    const outcome = form.outcome ?? 'paid';
    await deps.localPayments.settlePayout(cr.stripeAccountId, p.stripePayoutId, outcome);
    const after = await payoutRow(deps, p.id);
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
  },
);
