/** Creator space — payouts: can I be paid now (and why not), request a payout, schedule settings, history, each payout's steps. */
import { z } from 'zod';
import type { Creator } from '../../domain/rows';
import { payoutTimeline, type PayoutAuditRow } from '../../domain/payouts/audit';
import {
  creatorEligibility,
  openPayout,
  PAYOUT_REASON_CODES,
  updatePayoutSettings,
  type Payout,
} from '../../domain/payouts/engine';
import { payoutMinimum, type Eligibility } from '../../domain/payouts/eligibility';
import { creatorPayout, creatorPayouts } from '../../domain/payouts/queries';
import { getSettings } from '../../domain/settings';
import type { Ctx } from '../../http/context';
import { notFound } from '../../http/errors';
import type { MessageKey, T } from '../../i18n';
import { formatDate, formatMoney, parseMajorAmount, toMajorString } from '../../i18n/format';
import { CurrencySchema } from '../../shared/common';
import type { Locale } from '../../shared/enums';
import { PayoutSettingsBody } from '../../shared/payouts';
import { Empty, Money, StatusBadge, When } from '../components/ui';
import { flash, page, viewOf } from '../render';
import { CreatorNav } from './common';
import { lenient, pageArea } from '../page-route';
import { AnyId } from '../params';

const area = pageArea('creator');
export const creatorPayoutPages = area.app;

/** Every reason, in words, with its numbers. */
export function ReasonList({
  t,
  e,
  locale,
  timezone,
  blockReason,
}: {
  t: T;
  e: Eligibility;
  locale: Locale;
  timezone: string;
  blockReason: string | null;
}) {
  const m = (v: number) => formatMoney(v, e.currency, locale);
  return (
    <ul class="reasons">
      {e.reasons.map((r) => (
        // Shares of calls whose outcome is not decided yet have no date: they wait for the call.
        <li data-reason={r}>
          {t(
            (r === 'FUNDS_ON_HOLD' && !e.nextReleaseAt
              ? 'payouts.reasons.FUNDS_ON_HOLD_CALL'
              : `payouts.reasons.${r}`) as MessageKey,
            {
              reason: blockReason ?? '',
              debt: m(e.debt),
              pending: m(e.pending),
              available: m(e.available),
              minimum: m(e.minimum),
              date: e.nextReleaseAt ? formatDate(e.nextReleaseAt, locale, timezone, 'long') : '—',
            },
          )}
        </li>
      ))}
    </ul>
  );
}

/** A payout's reason in words: the engine's own codes translated, the provider's, the bank's or an admin's words as given. */
export function payoutReason(t: T, reason: string | null): string {
  return reason && (PAYOUT_REASON_CODES as readonly string[]).includes(reason)
    ? t(`payouts.reasonCodes.${reason}` as MessageKey)
    : (reason ?? '');
}

/** A payout step's words: what happened, and why (hold reasons and the engine's codes read as words, other reasons as given). */
export function stepText(t: T, a: Pick<PayoutAuditRow, 'action' | 'reason'>): { label: string; reason: string } {
  const key = `payouts.steps.${a.action}` as MessageKey;
  const label = t(key) === key ? a.action : t(key);
  const codes = a.action === 'HELD' && a.reason ? a.reason.split(',') : null;
  const reason = codes ? codes.map((x) => t(`payouts.held.${x}` as MessageKey)).join(', ') : payoutReason(t, a.reason);
  return { label, reason };
}

/** The head of a payout's page (the creator's and the admin's): amount and status, and why it failed or was turned down. */
export function PayoutHeadline({ t, p, locale }: { t: T; p: Payout; locale: Locale }) {
  const why = payoutReason(t, p.failureReason ?? p.rejectedReason);
  return (
    <>
      <p class="big">
        <Money amount={p.amount} currency={p.currency} locale={locale} />{' '}
        <StatusBadge t={t} kind="payout" status={p.status} />
      </p>
      {why ? (
        <p class="small" data-payout-reason>
          {why}
        </p>
      ) : null}
      {p.debtDeducted ? (
        <p class="muted">{t('payouts.debtDeducted', { amount: formatMoney(p.debtDeducted, p.currency, locale) })}</p>
      ) : null}
    </>
  );
}

/** A payout's steps, oldest first (both the creator's and the admin's page). */
export function PayoutSteps({
  t,
  steps,
  locale,
  timezone,
  actors,
}: {
  t: T;
  steps: PayoutAuditRow[];
  locale: Locale;
  timezone: string;
  actors?: Map<string, string>;
}) {
  if (!steps.length) return <Empty>{t('payouts.noSteps')}</Empty>;
  return (
    <ol class="timeline" data-steps>
      {steps.map((a) => {
        const { label, reason } = stepText(t, a);
        return (
          <li data-step={a.action}>
            <When at={a.createdAt} locale={locale} timezone={timezone} style="short" withZone={false} /> —{' '}
            <strong>{label}</strong>
            {a.amount !== null && a.currency ? (
              <>
                {' '}
                · <Money amount={a.amount} currency={a.currency} locale={locale} />
              </>
            ) : null}
            {reason ? (
              <div class="small" data-step-reason>
                {reason}
              </div>
            ) : null}
            {actors && a.actorUserId ? (
              <div class="muted small">{t('admin.by', { name: actors.get(a.actorUserId) ?? a.actorUserId })}</div>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}

/** What a payout row says in its last column: why it failed or was turned down, else when it arrived. */
function PayoutDetail({ t, p, locale, timezone }: { t: T; p: Payout; locale: Locale; timezone: string }) {
  const why = payoutReason(t, p.failureReason ?? p.rejectedReason);
  return (
    <>
      {why ||
        (p.paidAt ? <When at={p.paidAt} locale={locale} timezone={timezone} style="short" withZone={false} /> : '')}
    </>
  );
}

async function payoutsPage(c: Ctx, creator: Creator) {
  const { t, href, locale, timezone } = viewOf(c);
  const deps = c.get('deps');
  const [eligibility, rows, settings] = await Promise.all([
    creatorEligibility(deps, creator),
    creatorPayouts(deps, creator.id),
    getSettings(deps),
  ]);
  const platformMin = payoutMinimum(settings, { currency: creator.currency, payoutMinimum: null }, creator.currency);
  return page(c, {
    title: t('payouts.title'),
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('creatorSpace.title')}</h1>
        <CreatorNav c={c} current="payouts" />
        <section aria-labelledby="now-h">
          <h2 id="now-h">{t('payouts.now')}</h2>
          <ul class="grid two">
            {eligibility.map((e) => (
              <li class="card" data-eligibility={e.currency} data-eligible={String(e.eligible)}>
                {e.eligible ? (
                  <>
                    <p class="big">{t('payouts.eligible', { amount: formatMoney(e.amount, e.currency, locale) })}</p>
                    <form method="post" action={href('/creator/payouts/request')}>
                      <input type="hidden" name="currency" value={e.currency} />
                      <button type="submit" class="button">
                        {t('payouts.request', { amount: formatMoney(e.amount, e.currency, locale) })}
                      </button>
                    </form>
                    {settings.payoutMode === 'APPROVAL' ? <p class="muted small">{t('payouts.approvalNote')}</p> : null}
                  </>
                ) : (
                  <>
                    <p>{t('payouts.notEligible')}</p>
                    <ReasonList
                      t={t}
                      e={e}
                      locale={locale}
                      timezone={timezone}
                      blockReason={creator.payoutBlockReason}
                    />
                  </>
                )}
              </li>
            ))}
          </ul>
        </section>
        <section class="card" aria-labelledby="set-h">
          <h2 id="set-h">{t('payouts.settings')}</h2>
          <p class="muted">
            {creator.nextPayoutAt && creator.payoutSchedule !== 'MANUAL'
              ? t('payouts.next', { date: formatDate(creator.nextPayoutAt, locale, timezone, 'full') })
              : t('payouts.noNext')}
          </p>
          <form method="post" action={href('/creator/payouts/settings')} class="stack">
            <label for="po-schedule">{t('payouts.schedule')}</label>
            <select id="po-schedule" name="schedule">
              {(['DAILY', 'WEEKLY', 'MANUAL'] as const).map((s) => (
                <option value={s} selected={creator.payoutSchedule === s}>
                  {t(`payouts.schedule${s}`)}
                </option>
              ))}
            </select>
            <label for="po-weekday">{t('payouts.weekday')}</label>
            <select id="po-weekday" name="weekday">
              {[1, 2, 3, 4, 5, 6, 0].map((d) => (
                <option value={String(d)} selected={creator.payoutWeekday === d}>
                  {t(`weekday.${d}` as MessageKey)}
                </option>
              ))}
            </select>
            <label for="po-min">{t('payouts.minimum', { currency: creator.currency })}</label>
            <input
              id="po-min"
              name="minimum"
              inputMode="decimal"
              value={creator.payoutMinimum ? toMajorString(creator.payoutMinimum, creator.currency) : ''}
            />
            <p class="muted small">
              {t('payouts.minimumHint', { minimum: formatMoney(platformMin, creator.currency, locale) })}
            </p>
            <button type="submit" class="button secondary">
              {t('payouts.save')}
            </button>
          </form>
        </section>
        <section aria-labelledby="hist-h">
          <h2 id="hist-h">{t('payouts.history')}</h2>
          {rows.length === 0 ? (
            <Empty>{t('payouts.none')}</Empty>
          ) : (
            <table class="table" data-payouts>
              <thead>
                <tr>
                  <th>{t('payouts.requestedAt')}</th>
                  <th>{t('creatorPayments.amount')}</th>
                  <th>{t('creatorSpace.status')}</th>
                  <th>{t('payouts.origin')}</th>
                  <th>{t('payouts.details')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((p) => (
                  <tr data-payout={p.id}>
                    <td>
                      <When at={p.requestedAt} locale={locale} timezone={timezone} style="short" withZone={false} />
                    </td>
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
                      <PayoutDetail t={t} p={p} locale={locale} timezone={timezone} />{' '}
                      <a href={href(`/creator/payouts/${p.id}`)}>{t('payouts.steps.link')}</a>
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
}

area.get('/payouts', {}, async (c, r) => {
  return payoutsPage(c, r.creator);
});

area.get('/payouts/:id{pyt_[0-9a-z]+}', { params: AnyId }, async (c, r) => {
  const deps = c.get('deps');
  const { t, href, locale, timezone } = viewOf(c);
  // Only the creator's own payouts: another's is a 404 like a missing one.
  const p = await creatorPayout(deps, r.creator.id, r.params.id);
  if (!p) throw notFound('Payout');
  const steps = await payoutTimeline(deps, p.id);
  return page(c, {
    title: t('payouts.detailTitle'),
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('creatorSpace.title')}</h1>
        <CreatorNav c={c} current="payouts" />
        <section class="card" data-payout={p.id}>
          <h2>{t('payouts.detailTitle')}</h2>
          <PayoutHeadline t={t} p={p} locale={locale} />
          {p.paidAt && p.status === 'PAID' ? (
            <p class="small">
              <When at={p.paidAt} locale={locale} timezone={timezone} style="short" withZone={false} />
            </p>
          ) : null}
          <h3>{t('payouts.stepsTitle')}</h3>
          <PayoutSteps t={t} steps={steps} locale={locale} timezone={timezone} />
          <p>
            <a href={href('/creator/payouts')}>{t('payouts.back')}</a>
          </p>
        </section>
      </>
    ),
  });
});

// A currency the creator cannot have is ignored: the request is in their own.
const PayoutRequestForm = z.object({ currency: lenient(CurrencySchema) });

area.post('/payouts/request', { form: PayoutRequestForm }, async (c, r) => {
  const deps = c.get('deps');
  const out = await openPayout(deps, {
    creator: r.creator,
    currency: r.form.currency ?? r.creator.currency,
    origin: 'CREATOR',
    periodKey: `request:${deps.ids.next('req')}`,
    actorUserId: r.user.id,
  });
  flash(c, out.ok ? 'payouts.requested' : (`payouts.errors.${out.code}` as MessageKey), out.ok ? 'success' : 'error');
  return c.redirect(viewOf(c).href('/creator/payouts'), 303);
});

area.post('/payouts/settings', {}, async (c, r) => {
  const form = await r.raw();
  const minimum = form.minimum?.trim() ? parseMajorAmount(form.minimum, r.creator.currency) : null;
  const parsed = PayoutSettingsBody.safeParse({ schedule: form.schedule, weekday: Number(form.weekday ?? 1), minimum });
  if (!parsed.success || (form.minimum?.trim() && minimum === null)) {
    flash(c, 'payouts.errors.invalid', 'error');
  } else {
    await updatePayoutSettings(c.get('deps'), r.creator, parsed.data);
    flash(c, 'payouts.saved');
  }
  return c.redirect(viewOf(c).href('/creator/payouts'), 303);
});
