/** Creator space — payouts: can I be paid now (and why not), request a payout, schedule settings, history. */
import { desc, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { payouts, type Creator, type Locale } from '../../db/schema';
import { creatorEligibility, openPayout, updatePayoutSettings } from '../../domain/payouts/engine';
import { payoutMinimum, type Eligibility } from '../../domain/payouts/eligibility';
import { getSettings } from '../../domain/settings';
import type { AppEnv, Ctx } from '../../http/context';
import type { MessageKey, T } from '../../i18n';
import { formatDate, formatMoney, parseMajorAmount, toMajorString } from '../../i18n/format';
import { CurrencySchema } from '../../shared/common';
import { PayoutSettingsBody } from '../../shared/payouts';
import { readForm } from '../components/form';
import { Empty, Money, StatusBadge, When } from '../components/ui';
import { flash, page, viewOf } from '../render';
import { CreatorNav, requireCreatorPage } from './common';

export const creatorPayoutPages = new Hono<AppEnv>();
const L = '/:lang{fr|en}';

/** Every reason, in words, with its numbers. */
export function ReasonList({ t, e, locale, timezone, blockReason }: { t: T; e: Eligibility; locale: Locale; timezone: string; blockReason: string | null }) {
  const m = (v: number) => formatMoney(v, e.currency, locale);
  return (
    <ul class="reasons">
      {e.reasons.map((r) => (
        <li data-reason={r}>{t(`payouts.reasons.${r}` as MessageKey, {
          reason: blockReason ?? '', debt: m(e.debt), pending: m(e.pending), available: m(e.available), minimum: m(e.minimum),
          date: e.nextReleaseAt ? formatDate(e.nextReleaseAt, locale, timezone, 'long') : '—',
        })}</li>
      ))}
    </ul>
  );
}

async function payoutsPage(c: Ctx, creator: Creator) {
  const { t, href, locale, timezone } = viewOf(c);
  const deps = c.get('deps');
  const [eligibility, rows, settings] = await Promise.all([
    creatorEligibility(deps, creator),
    deps.db.select().from(payouts).where(eq(payouts.creatorId, creator.id)).orderBy(desc(payouts.createdAt)).limit(100).all(),
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
                      <button type="submit" class="button">{t('payouts.request', { amount: formatMoney(e.amount, e.currency, locale) })}</button>
                    </form>
                    {settings.payoutMode === 'APPROVAL' ? <p class="muted small">{t('payouts.approvalNote')}</p> : null}
                  </>
                ) : (
                  <>
                    <p>{t('payouts.notEligible')}</p>
                    <ReasonList t={t} e={e} locale={locale} timezone={timezone} blockReason={creator.payoutBlockReason} />
                  </>
                )}
              </li>
            ))}
          </ul>
        </section>
        <section class="card" aria-labelledby="set-h">
          <h2 id="set-h">{t('payouts.settings')}</h2>
          <p class="muted">{creator.nextPayoutAt && creator.payoutSchedule !== 'MANUAL' ? t('payouts.next', { date: formatDate(creator.nextPayoutAt, locale, timezone, 'full') }) : t('payouts.noNext')}</p>
          <form method="post" action={href('/creator/payouts/settings')} class="stack">
            <label for="po-schedule">{t('payouts.schedule')}</label>
            <select id="po-schedule" name="schedule">
              {(['DAILY', 'WEEKLY', 'MANUAL'] as const).map((s) => <option value={s} selected={creator.payoutSchedule === s}>{t(`payouts.schedule${s}`)}</option>)}
            </select>
            <label for="po-weekday">{t('payouts.weekday')}</label>
            <select id="po-weekday" name="weekday">
              {[1, 2, 3, 4, 5, 6, 0].map((d) => <option value={String(d)} selected={creator.payoutWeekday === d}>{t(`weekday.${d}` as MessageKey)}</option>)}
            </select>
            <label for="po-min">{t('payouts.minimum', { currency: creator.currency })}</label>
            <input id="po-min" name="minimum" inputMode="decimal" value={creator.payoutMinimum ? toMajorString(creator.payoutMinimum, creator.currency) : ''} />
            <p class="muted small">{t('payouts.minimumHint', { minimum: formatMoney(platformMin, creator.currency, locale) })}</p>
            <button type="submit" class="button secondary">{t('payouts.save')}</button>
          </form>
        </section>
        <section aria-labelledby="hist-h">
          <h2 id="hist-h">{t('payouts.history')}</h2>
          {rows.length === 0 ? <Empty>{t('payouts.none')}</Empty> : (
            <table class="table" data-payouts>
              <thead><tr><th>{t('payouts.requestedAt')}</th><th>{t('creatorPayments.amount')}</th><th>{t('creatorSpace.status')}</th><th>{t('payouts.origin')}</th><th>{t('payouts.details')}</th></tr></thead>
              <tbody>
                {rows.map((p) => (
                  <tr data-payout={p.id}>
                    <td><When at={p.requestedAt} locale={locale} timezone={timezone} style="short" withZone={false} /></td>
                    <td><Money amount={p.amount} currency={p.currency} locale={locale} />{p.debtDeducted ? <div class="muted small">{t('payouts.debtDeducted', { amount: formatMoney(p.debtDeducted, p.currency, locale) })}</div> : null}</td>
                    <td><StatusBadge t={t} kind="payout" status={p.status} /></td>
                    <td>{t(`payouts.origin${p.origin}`)}</td>
                    <td class="small">{p.failureReason ?? p.rejectedReason ?? (p.paidAt ? <When at={p.paidAt} locale={locale} timezone={timezone} style="short" withZone={false} /> : '')}</td>
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

creatorPayoutPages.get(`${L}/creator/payouts`, async (c) => {
  const r = await requireCreatorPage(c);
  if (r instanceof Response) return r;
  return payoutsPage(c, r.creator);
});

creatorPayoutPages.post(`${L}/creator/payouts/request`, async (c) => {
  const r = await requireCreatorPage(c);
  if (r instanceof Response) return r;
  const form = await readForm(c.req.raw);
  const currency = CurrencySchema.safeParse(form.currency);
  const deps = c.get('deps');
  const out = await openPayout(deps, { creator: r.creator, currency: currency.success ? currency.data : r.creator.currency, origin: 'CREATOR', periodKey: `request:${deps.ids.next('req')}`, actorUserId: r.user.id });
  flash(c, out.ok ? 'payouts.requested' : (`payouts.errors.${out.code}` as MessageKey), out.ok ? 'success' : 'error');
  return c.redirect(viewOf(c).href('/creator/payouts'), 303);
});

creatorPayoutPages.post(`${L}/creator/payouts/settings`, async (c) => {
  const r = await requireCreatorPage(c);
  if (r instanceof Response) return r;
  const form = await readForm(c.req.raw);
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
