/** Admin — refunds and disputes: statuses, amounts, links to the bookings; evidence submission and manual debt settlement. */
import { z } from 'zod';
import { DISPUTE_STATUSES, OWED_REFUND_STATUSES, REFUND_STATUSES } from '../../shared/enums';
import {
  disputeById,
  disputesPage,
  isOpenDispute,
  MONEY_PAGE,
  owedRefundsPage,
  refundsPage,
  retryOwedRefundNow,
  type DisputeView,
} from '../../domain/admin/payments';
import { submitDisputeEvidence } from '../../domain/payments/disputes';
import type { Ctx } from '../../http/context';
import { notFound } from '../../http/errors';
import type { MessageKey } from '../../i18n';
import { Empty, Money, Pagination, When } from '../components/ui';
import { pageArea } from '../page-route';
import { page, viewOf } from '../render';
import { AdminNav } from './common';
import { enumFilter, pageFilter, qs, SelectFilter } from './kit';

const admin = pageArea('admin');
export const adminDisputePages = admin.app;
const VIEWS = ['open', 'debt', ...DISPUTE_STATUSES] as const satisfies readonly DisputeView[];
const ListQuery = z.object({
  view: enumFilter(VIEWS),
  rstatus: enumFilter(REFUND_STATUSES),
  ostatus: enumFilter(OWED_REFUND_STATUSES),
  dpage: pageFilter,
  rpage: pageFilter,
  opage: pageFilter,
});
// Any id: the domain answers one it does not know (404 below).
const IdParams = z.object({ id: z.string() });
const toDisputes = (c: Ctx) => viewOf(c).href('/admin/disputes');
const tone = (s: string) =>
  s === 'WON' || s === 'SUCCEEDED'
    ? 'success'
    : s === 'LOST' || s === 'FAILED'
      ? 'danger'
      : s === 'WARNING_CLOSED' || s === 'CANCELED'
        ? ''
        : 'warning';

admin.get('/disputes', { query: ListQuery }, async (c, { query }) => {
  const { t, href, locale, timezone } = viewOf(c);
  const deps = c.get('deps');
  const { view, rstatus, ostatus, dpage, rpage, opage } = query;
  const [ds, rs, os] = await Promise.all([
    disputesPage(deps, { view, page: dpage }),
    refundsPage(deps, { status: rstatus, page: rpage }),
    owedRefundsPage(deps, { status: ostatus, page: opage }),
  ]);
  const here = `/admin/disputes?${qs({ view, rstatus, dpage, rpage })}`;
  const viewLabel = (v: (typeof VIEWS)[number]) =>
    v === 'open'
      ? t('adminx.disputes.viewOpen')
      : v === 'debt'
        ? t('adminx.disputes.viewDebt')
        : t(`adminx.dispute.${v}` as MessageKey);
  return page(c, {
    title: t('adminx.disputes.title'),
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('admin.title')}</h1>
        <AdminNav c={c} current="disputes" />
        <section aria-labelledby="dsp-h">
          <h2 id="dsp-h">{t('adminx.disputes.disputes')}</h2>
          <form method="get" action={href('/admin/disputes')} class="inline-actions filters">
            <SelectFilter
              id="d-view"
              name="view"
              label={t('admin.filterStatus')}
              all={t('admin.filterAll')}
              value={view}
              options={VIEWS.map((v) => ({ value: v, label: viewLabel(v) }))}
            />
            {rstatus ? <input type="hidden" name="rstatus" value={rstatus} /> : null}
            <button class="button small secondary" type="submit">
              {t('admin.filter')}
            </button>
          </form>
          {ds.rows.length === 0 ? (
            <Empty>{t('adminx.disputes.noDisputes')}</Empty>
          ) : (
            <table class="table" data-disputes>
              <thead>
                <tr>
                  <th>{t('adminx.payments.date')}</th>
                  <th>{t('admin.creator')}</th>
                  <th>{t('adminx.payments.amount')}</th>
                  <th>{t('adminx.disputes.reason')}</th>
                  <th>{t('admin.filterStatus')}</th>
                  <th>{t('adminx.disputes.debt')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {ds.rows.map(({ d, bookingId, creatorName }) => (
                  <tr data-dispute={d.id} data-status={d.status}>
                    <td>
                      <a href={href(`/admin/bookings/${bookingId}`)}>
                        <When at={d.createdAt} locale={locale} timezone={timezone} style="short" withZone={false} />
                      </a>
                    </td>
                    <td>{creatorName}</td>
                    <td>
                      <Money amount={d.amount} currency={d.currency} locale={locale} />
                    </td>
                    <td class="small">{d.reason}</td>
                    <td>
                      <span class={`badge ${tone(d.status)}`}>{t(`adminx.dispute.${d.status}` as MessageKey)}</span>
                      {d.evidenceSubmittedAt ? (
                        <div class="small muted">{t('adminx.disputes.evidenceSent')}</div>
                      ) : null}
                    </td>
                    <td>
                      {d.creatorDebt ? <Money amount={d.creatorDebt} currency={d.currency} locale={locale} /> : '—'}
                      {d.reconciledBy ? (
                        <div class="small muted">{t('adminx.disputes.reconciled', { how: d.reconciledBy })}</div>
                      ) : null}
                    </td>
                    <td class="inline-actions">
                      {isOpenDispute(d.status) && !d.evidenceSubmittedAt ? (
                        <form method="post" action={href(`/admin/disputes/${d.id}/evidence`)}>
                          <input type="hidden" name="back" value={here} />
                          <button class="button small secondary" type="submit">
                            {t('adminx.disputes.submitEvidence')}
                          </button>
                        </form>
                      ) : null}
                      {d.status === 'LOST' && !d.reconciledAt && d.creatorDebt > 0 ? (
                        <form method="post" action={href(`/admin/disputes/${d.id}/settle-debt`)}>
                          <input type="hidden" name="back" value={here} />
                          <label class="sr-only" for={`sd-${d.id}`}>
                            {t('admin.note')}
                          </label>
                          <input
                            id={`sd-${d.id}`}
                            name="note"
                            type="text"
                            required
                            minLength={3}
                            maxLength={500}
                            placeholder={t('admin.note')}
                          />
                          <button class="button small secondary" type="submit">
                            {t('admin.settleDebt')}
                          </button>
                        </form>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Pagination
            t={t}
            page={dpage}
            total={ds.total}
            pageSize={MONEY_PAGE}
            href={(n) => `${href('/admin/disputes')}?${qs({ view, rstatus, dpage: n, rpage })}`}
          />
        </section>
        <section aria-labelledby="owed-h">
          <h2 id="owed-h">{t('adminx.owed.title')}</h2>
          <p class="muted">{t('adminx.owed.intro')}</p>
          <form method="get" action={href('/admin/disputes')} class="inline-actions filters">
            <SelectFilter
              id="o-status"
              name="ostatus"
              label={t('admin.filterStatus')}
              all={t('adminx.owed.needsAttention')}
              value={ostatus}
              options={OWED_REFUND_STATUSES.map((s) => ({
                value: s,
                label: t(`adminx.owed.status.${s}` as MessageKey),
              }))}
            />
            <button class="button small secondary" type="submit">
              {t('admin.filter')}
            </button>
          </form>
          {os.rows.length === 0 ? (
            <Empty>{t('adminx.owed.none')}</Empty>
          ) : (
            <table class="table" data-owed-refunds>
              <thead>
                <tr>
                  <th>{t('adminx.payments.date')}</th>
                  <th>{t('admin.creator')}</th>
                  <th>{t('adminx.payments.amount')}</th>
                  <th>{t('adminx.disputes.initiator')}</th>
                  <th>{t('adminx.disputes.reason')}</th>
                  <th>{t('admin.filterStatus')}</th>
                  <th>{t('adminx.owed.attempts')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {os.rows.map(({ o, creatorName, actorName }) => (
                  <tr data-owed-refund={o.id} data-status={o.status}>
                    <td>
                      <a href={href(`/admin/bookings/${o.bookingId}`)}>
                        <When at={o.createdAt} locale={locale} timezone={timezone} style="short" withZone={false} />
                      </a>
                    </td>
                    <td>{creatorName}</td>
                    <td>
                      <Money amount={o.amount} currency={o.currency} locale={locale} />
                    </td>
                    <td>
                      {t(`adminx.initiator.${o.initiatedBy}` as MessageKey)}
                      {actorName ? <div class="small muted">{actorName}</div> : null}
                    </td>
                    <td class="small">{o.note ? `${o.reason}: ${o.note}` : o.reason}</td>
                    <td>
                      <span
                        class={`badge ${o.status === 'ISSUED' ? 'success' : o.status === 'FAILED' ? 'danger' : o.status === 'VOID' ? '' : 'warning'}`}
                      >
                        {t(`adminx.owed.status.${o.status}` as MessageKey)}
                      </span>
                      {o.lastError ? <div class="small muted">{o.lastError}</div> : null}
                    </td>
                    <td>
                      {o.attempts}
                      {o.status === 'OWED' && o.nextAttemptAt ? (
                        <div class="small muted">
                          {t('adminx.owed.next')}{' '}
                          <When
                            at={o.nextAttemptAt}
                            locale={locale}
                            timezone={timezone}
                            style="short"
                            withZone={false}
                          />
                        </div>
                      ) : null}
                    </td>
                    <td>
                      {o.status === 'OWED' || (o.status === 'FAILED' && !o.refundId) ? (
                        <form method="post" action={href(`/admin/owed-refunds/${o.id}/retry`)}>
                          <button class="button small secondary" type="submit">
                            {t('adminx.owed.retry')}
                          </button>
                        </form>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Pagination
            t={t}
            page={opage}
            total={os.total}
            pageSize={MONEY_PAGE}
            href={(n) => `${href('/admin/disputes')}?${qs({ view, rstatus, ostatus, dpage, rpage, opage: n })}`}
          />
        </section>
        <section aria-labelledby="rf-h">
          <h2 id="rf-h">{t('adminx.disputes.refunds')}</h2>
          <form method="get" action={href('/admin/disputes')} class="inline-actions filters">
            <SelectFilter
              id="r-status"
              name="rstatus"
              label={t('admin.filterStatus')}
              all={t('admin.filterAll')}
              value={rstatus}
              options={REFUND_STATUSES.map((s) => ({ value: s, label: t(`adminx.refund.${s}` as MessageKey) }))}
            />
            {view ? <input type="hidden" name="view" value={view} /> : null}
            <button class="button small secondary" type="submit">
              {t('admin.filter')}
            </button>
          </form>
          {rs.rows.length === 0 ? (
            <Empty>{t('adminx.disputes.noRefunds')}</Empty>
          ) : (
            <table class="table" data-refunds>
              <thead>
                <tr>
                  <th>{t('adminx.payments.date')}</th>
                  <th>{t('admin.creator')}</th>
                  <th>{t('adminx.payments.amount')}</th>
                  <th>{t('adminx.disputes.initiator')}</th>
                  <th>{t('adminx.disputes.reason')}</th>
                  <th>{t('admin.filterStatus')}</th>
                </tr>
              </thead>
              <tbody>
                {rs.rows.map(({ r, creatorName, actorName }) => (
                  <tr data-refund={r.id} data-status={r.status}>
                    <td>
                      <a href={href(`/admin/bookings/${r.bookingId}`)}>
                        <When at={r.createdAt} locale={locale} timezone={timezone} style="short" withZone={false} />
                      </a>
                    </td>
                    <td>{creatorName}</td>
                    <td>
                      <Money amount={r.amount} currency={r.currency} locale={locale} />
                      {r.creatorDebt ? (
                        <div class="small muted">
                          {t('adminx.disputes.creatorPart')}{' '}
                          <Money amount={r.creatorDebt} currency={r.currency} locale={locale} />
                        </div>
                      ) : null}
                    </td>
                    <td>
                      {t(`adminx.initiator.${r.initiatedBy}` as MessageKey)}
                      {actorName ? <div class="small muted">{actorName}</div> : null}
                    </td>
                    <td class="small">{r.reason}</td>
                    <td>
                      <span class={`badge ${tone(r.status)}`}>{t(`adminx.refund.${r.status}` as MessageKey)}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Pagination
            t={t}
            page={rpage}
            total={rs.total}
            pageSize={MONEY_PAGE}
            href={(n) => `${href('/admin/disputes')}?${qs({ view, rstatus, dpage, rpage: n })}`}
          />
        </section>
      </>
    ),
  });
});

/** An owed or refused refund asked of the provider again now (as `POST /api/admin/owed-refunds/:id/retry`). */
admin.post('/owed-refunds/:id/retry', { params: IdParams, back: toDisputes }, async (c, { user, params, back }) => {
  const r = await retryOwedRefundNow(c.get('deps'), user.id, params.id, c.get('requestId'));
  if (!r.ok && r.code === 'NOT_FOUND') throw notFound('Refund');
  if (!r.ok) return back('admin.failed', 'error');
  const s = r.outcome.status;
  return back(
    s === 'ISSUED'
      ? 'adminx.bookings.refundDone'
      : s === 'OWED'
        ? 'adminx.bookings.refundOwed'
        : 'adminx.bookings.refundRefused',
    s === 'ISSUED' ? 'success' : s === 'OWED' ? 'info' : 'error',
  );
});

/** The booking and call timeline goes to the provider as evidence (as `POST /api/admin/disputes/:id/evidence`). */
admin.post('/disputes/:id/evidence', { params: IdParams, back: toDisputes }, async (c, { user, params, back }) => {
  const deps = c.get('deps');
  const d = await disputeById(deps, params.id);
  if (!d) throw notFound('Dispute');
  const r = await submitDisputeEvidence(deps, d.id, user, c.get('requestId'));
  return back(r.ok ? 'admin.done' : 'admin.failed', r.ok ? 'success' : 'error');
});
