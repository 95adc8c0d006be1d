/** Admin — platform settings: fee, holding period, hold to pay, payout mode and minimums, when a call took place; every change audited. */
import { z } from 'zod';
import { settingsHistory } from '../../domain/admin/audit';
import { getSettings, updateSettings } from '../../domain/settings';
import { parseMajorAmount, toMajorString } from '../../i18n/format';
import { CURRENCIES } from '../../shared/enums';
import { SettingsPatch } from '../../shared/payouts';
import { Empty, When } from '../components/ui';
import { pageArea } from '../page-route';
import { page, viewOf } from '../render';
import { AdminNav } from './common';

const admin = pageArea('admin');
export const adminSettingsPages = admin.app;

admin.get('/settings', {}, async (c) => {
  const { t, href, locale, timezone } = viewOf(c);
  const deps = c.get('deps');
  const [s, history] = await Promise.all([getSettings(deps, { fresh: true }), settingsHistory(deps)]);
  const changed = (before: unknown, after: unknown) => {
    const b = (before ?? {}) as Record<string, unknown>;
    const a = (after ?? {}) as Record<string, unknown>;
    return [
      'platformFeeBps',
      'holdingDays',
      'holdMinutes',
      'payoutMode',
      'minPayout',
      'callMinTogetherMinutes',
      'callMinTogetherPct',
    ]
      .filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]))
      .map((k) => `${k}: ${JSON.stringify(b[k])} → ${JSON.stringify(a[k])}`)
      .join('; ');
  };
  return page(c, {
    title: t('admin.settingsTitle'),
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('admin.title')}</h1>
        <AdminNav c={c} current="settings" />
        <form method="post" action={href('/admin/settings')} class="card stack" data-settings>
          <h2>{t('admin.settingsTitle')}</h2>
          <label for="s-fee">{t('admin.feeBps')}</label>
          <input
            id="s-fee"
            name="platformFeeBps"
            type="number"
            min={0}
            max={5000}
            value={String(s.platformFeeBps)}
            required
          />
          <label for="s-hold">{t('admin.holdingDays')}</label>
          <input id="s-hold" name="holdingDays" type="number" min={0} max={90} value={String(s.holdingDays)} required />
          <label for="s-holdmin">{t('admin.holdMinutes')}</label>
          <input
            id="s-holdmin"
            name="holdMinutes"
            type="number"
            min={5}
            max={60}
            value={String(s.holdMinutes)}
            required
          />
          <label for="s-mode">{t('admin.payoutMode')}</label>
          <select id="s-mode" name="payoutMode">
            {(['AUTOMATIC', 'APPROVAL'] as const).map((m) => (
              <option value={m} selected={s.payoutMode === m}>
                {t(`admin.mode${m}`)}
              </option>
            ))}
          </select>
          {CURRENCIES.map((cur) => (
            <>
              <label for={`s-min-${cur}`}>{t('admin.minPayout', { currency: cur })}</label>
              <input
                id={`s-min-${cur}`}
                name={`min_${cur}`}
                inputMode="decimal"
                value={toMajorString(s.minPayout[cur] ?? 0, cur)}
                required
              />
            </>
          ))}
          <label for="s-call-min">{t('admin.callMinTogetherMinutes')}</label>
          <input
            id="s-call-min"
            name="callMinTogetherMinutes"
            type="number"
            min={1}
            max={240}
            value={String(s.callMinTogetherMinutes)}
            required
            aria-describedby="s-call-hint"
          />
          <label for="s-call-pct">{t('admin.callMinTogetherPct')}</label>
          <input
            id="s-call-pct"
            name="callMinTogetherPct"
            type="number"
            min={1}
            max={100}
            value={String(s.callMinTogetherPct)}
            required
            aria-describedby="s-call-hint"
          />
          <p id="s-call-hint" class="muted small">
            {t('admin.callThresholdHint')}
          </p>
          <button type="submit" class="button">
            {t('admin.saveSettings')}
          </button>
        </form>
        <section aria-labelledby="hist-h">
          <h2 id="hist-h">{t('admin.history')}</h2>
          {history.length === 0 ? (
            <Empty>{t('admin.noHistory')}</Empty>
          ) : (
            <ul class="plain" data-settings-history>
              {history.map(({ a, name }) => (
                <li>
                  <When at={a.createdAt} locale={locale} timezone={timezone} style="short" withZone={false} /> —{' '}
                  {t('admin.by', { name })}: <span class="mono small">{changed(a.before, a.after)}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </>
    ),
  });
});

/** The form as typed: numbers as text, minimum payouts as `min_EUR`… in major units. */
const SettingsForm = z
  .object({
    platformFeeBps: z.string().optional(),
    holdingDays: z.string().optional(),
    holdMinutes: z.string().optional(),
    payoutMode: z.string().optional(),
    callMinTogetherMinutes: z.string().optional(),
    callMinTogetherPct: z.string().optional(),
  })
  .catchall(z.string());

admin.post('/settings', { form: SettingsForm }, async (c, { user, form, back }) => {
  const minPayout = Object.fromEntries(CURRENCIES.map((cur) => [cur, parseMajorAmount(form[`min_${cur}`] ?? '', cur)]));
  // A form from before these fields existed leaves them as they are.
  const optional = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  // Checked against the API's own schema once the amounts are in minor units.
  const parsed = SettingsPatch.safeParse({
    platformFeeBps: Number(form.platformFeeBps),
    holdingDays: Number(form.holdingDays),
    holdMinutes: Number(form.holdMinutes),
    payoutMode: form.payoutMode,
    minPayout,
    callMinTogetherMinutes: optional(form.callMinTogetherMinutes),
    callMinTogetherPct: optional(form.callMinTogetherPct),
  });
  if (!parsed.success) return back('admin.settingsInvalid', 'error');
  await updateSettings(c.get('deps'), user.id, parsed.data, c.get('requestId'));
  return back('admin.settingsSaved');
});
