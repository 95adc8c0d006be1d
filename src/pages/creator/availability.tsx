/**
 * Creator space — availability settings, in three tabs: appointment types (what fans can book),
 * weekly hours (several ranges a day, in the creator's zone) and date exceptions (days off, extra
 * hours). Plain forms; the same domain functions as the API enforce the rules.
 */
import { z } from 'zod';
import type { Creator } from '../../domain/rows';
import { CURRENCIES } from '../../shared/enums';
import {
  ensureAvailabilityDefaults,
  exceptionsOf,
  listTypes,
  weeklyOf,
  type AppointmentType,
} from '../../domain/availability/availability';
import {
  addException,
  createType,
  removeException,
  removeType,
  saveWeekly,
  updateType,
  type TypeResult,
} from '../../domain/availability/settings';
import type { Ctx } from '../../http/context';
import { formatMoney, parseMajorAmount, toMajorString } from '../../i18n/format';
import { localDate } from '../../lib/tz';
import { CreateTypeBody, ExceptionBody, overlapping, UpdateTypeBody, WeeklyBody } from '../../shared/availability';
import { Field, FormError, localizeIssues, type FieldErrors } from '../components/form';
import { Duration, Empty, Money } from '../components/ui';
import { flash, page, viewOf } from '../render';
import { CreatorNav } from './common';
import { acceptedCurrency, isCurrency } from '../../domain/payments/currency';
import { lenient, pageArea } from '../page-route';
import { AnyId } from '../params';

const area = pageArea('creator');
export const creatorAvailabilityPages = area.app;
const TABS = ['types', 'hours', 'exceptions'] as const;
type Tab = (typeof TABS)[number];
const DURATIONS = [10, 15, 20, 30, 45, 60, 90, 120, 180, 240];
const BUFFERS = [0, 5, 10, 15, 30, 45, 60, 90, 120];
const NOTICES = [30, 60, 120, 240, 720, 1440, 2880, 4320, 10080];
/** Monday first: the order people plan a week in. */
const WEEK = [1, 2, 3, 4, 5, 6, 0];

const pad = (n: number) => String(n).padStart(2, '0');
/** 540 → "09:00"; 1440 → "24:00" is shown as "00:00" of the next day, which time inputs cannot hold, so "23:59". */
export const minutesToTime = (m: number) => (m >= 1440 ? '23:59' : `${pad(Math.floor(m / 60))}:${pad(m % 60)}`);
/** "09:30" → 570; "23:59" ends the day (1440); "" → null; anything else → NaN. */
export function timeToMinutes(value: string | undefined, end = false): number | null {
  const v = (value ?? '').trim();
  if (!v) return null;
  const m = /^(\d{1,2}):(\d{2})$/.exec(v);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return Number.NaN;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return end && (minutes === 1439 || minutes === 0) ? 1440 : minutes;
}

interface FormState {
  values: Record<string, string>;
  errors: FieldErrors;
  formError?: string;
  typeId?: string;
}

function noticeLabel(c: Ctx, minutes: number): string {
  const { t } = viewOf(c);
  if (minutes < 60) return t('availability.minutes', { n: minutes });
  if (minutes < 1440) return t('availability.hours', { n: minutes / 60 });
  return t('availability.days', { n: minutes / 1440 });
}

function typeValues(type: AppointmentType): Record<string, string> {
  return {
    name: type.name,
    description: type.description,
    durationMinutes: String(type.durationMinutes),
    price: toMajorString(type.price, type.currency),
    currency: type.currency,
    color: type.color,
    bufferBeforeMinutes: String(type.bufferBeforeMinutes),
    bufferAfterMinutes: String(type.bufferAfterMinutes),
    minNoticeMinutes: String(type.minNoticeMinutes),
    maxAdvanceDays: String(type.maxAdvanceDays),
    active: type.active ? 'on' : '',
  };
}

/** Form fields (major units, checkbox) → API body. */
function typeBody(form: Record<string, string>, creator: Creator) {
  const currency = isCurrency(form.currency) ? form.currency : acceptedCurrency(creator);
  const int = (k: string) => (form[k] !== undefined && form[k] !== '' ? Number(form[k]) : undefined);
  return {
    name: form.name,
    description: form.description ?? '',
    durationMinutes: int('durationMinutes'),
    price: form.price ? (parseMajorAmount(form.price, currency) ?? Number.NaN) : undefined,
    currency,
    color: form.color || undefined,
    bufferBeforeMinutes: int('bufferBeforeMinutes'),
    bufferAfterMinutes: int('bufferAfterMinutes'),
    minNoticeMinutes: int('minNoticeMinutes'),
    maxAdvanceDays: int('maxAdvanceDays'),
    active: form.active === 'on',
  };
}

function Select({
  name,
  label,
  values,
  current,
  format,
  error,
}: {
  name: string;
  label: string;
  values: number[];
  current?: string;
  format: (v: number) => string;
  error?: string;
}) {
  return (
    <Field name={name} label={label} error={error}>
      <select id={`f-${name}`} name={name}>
        {values.map((v) => (
          <option value={v} selected={String(v) === current}>
            {format(v)}
          </option>
        ))}
      </select>
    </Field>
  );
}

function TypeForm({
  c,
  creator,
  action,
  values,
  errors,
  formError,
  submit,
}: {
  c: Ctx;
  creator: Creator;
  action: string;
  values: Record<string, string>;
  errors: FieldErrors;
  formError?: string;
  submit: string;
}) {
  const { t } = viewOf(c);
  const minutes = (m: number) => t('availability.minutes', { n: m });
  return (
    <form method="post" action={action} class="type-form" novalidate>
      <FormError message={formError} />
      <div class="grid two tight">
        <Field
          name="name"
          label={t('availability.typeName')}
          value={values.name}
          error={errors.name}
          required
          attrs={{ maxlength: 80 }}
        />
        <Field
          name="color"
          type="color"
          label={t('availability.color')}
          value={values.color ?? '#5b4cf0'}
          error={errors.color}
        />
      </div>
      <Field name="description" label={t('offer.description')} error={errors.description}>
        <textarea id="f-description" name="description" maxlength={1000} rows={2}>
          {values.description ?? ''}
        </textarea>
      </Field>
      <div class="grid two tight">
        <Select
          name="durationMinutes"
          label={t('offer.duration')}
          values={DURATIONS}
          current={values.durationMinutes ?? '30'}
          format={(m) => `${m} min`}
          error={errors.durationMinutes}
        />
        <div class="price-pair">
          <Field
            name="price"
            label={t('offer.price')}
            value={values.price}
            error={errors.price}
            required
            attrs={{ inputmode: 'decimal', placeholder: '50.00' }}
          />
          <Field name="currency" label={t('creatorSpace.currency')} error={errors.currency}>
            <select id="f-currency" name="currency">
              {CURRENCIES.map((cur) => (
                <option value={cur} selected={cur === (values.currency ?? acceptedCurrency(creator))}>
                  {cur}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <Select
          name="bufferBeforeMinutes"
          label={t('availability.bufferBefore')}
          values={BUFFERS}
          current={values.bufferBeforeMinutes ?? '0'}
          format={minutes}
          error={errors.bufferBeforeMinutes}
        />
        <Select
          name="bufferAfterMinutes"
          label={t('availability.bufferAfter')}
          values={BUFFERS}
          current={values.bufferAfterMinutes ?? '10'}
          format={minutes}
          error={errors.bufferAfterMinutes}
        />
        <Select
          name="minNoticeMinutes"
          label={t('availability.minNotice')}
          values={NOTICES}
          current={values.minNoticeMinutes ?? '120'}
          format={(m) => noticeLabel(c, m)}
          error={errors.minNoticeMinutes}
        />
        <Field
          name="maxAdvanceDays"
          type="number"
          label={t('availability.maxAdvance')}
          value={values.maxAdvanceDays ?? '60'}
          error={errors.maxAdvanceDays}
          attrs={{ min: 1, max: 365 }}
        />
      </div>
      <label class="check">
        <input type="checkbox" name="active" checked={values.active === 'on'} /> {t('availability.activeLabel')}
      </label>
      <p>
        <button type="submit" class="button">
          {submit}
        </button>
      </p>
    </form>
  );
}

function TypesTab({
  c,
  creator,
  types,
  form,
}: {
  c: Ctx;
  creator: Creator;
  types: AppointmentType[];
  form?: FormState;
}) {
  const { t, href, locale } = viewOf(c);
  return (
    <>
      {!types.some((ty) => ty.active) ? <p class="notice info">{t('availability.noneActive')}</p> : null}
      <ul class="type-list plain">
        {types.map((type) => {
          const editing = form?.typeId === type.id;
          return (
            <li class="card type-card" data-type-color={type.color} data-type-id={type.id}>
              <details open={editing}>
                <summary>
                  <span class="type-dot" aria-hidden="true" />
                  <strong>{type.name}</strong> · <Duration minutes={type.durationMinutes} locale={locale} /> ·{' '}
                  <Money amount={type.price} currency={type.currency} locale={locale} />{' '}
                  <span class={`badge ${type.active ? 'success' : ''}`}>
                    {type.active ? t('availability.active') : t('availability.inactive')}
                  </span>
                </summary>
                <TypeForm
                  c={c}
                  creator={creator}
                  action={href(`/creator/availability/types/${type.id}`)}
                  values={editing ? form.values : typeValues(type)}
                  errors={editing ? form.errors : {}}
                  formError={editing ? form.formError : undefined}
                  submit={t('account.save')}
                />
                <form method="post" action={href(`/creator/availability/types/${type.id}/delete`)} class="inline">
                  <button type="submit" class="link-button danger">
                    {t('availability.deleteType')}
                  </button>
                </form>
              </details>
            </li>
          );
        })}
      </ul>
      <section class="card" aria-labelledby="new-type-h">
        <h2 id="new-type-h">{t('availability.newType')}</h2>
        <TypeForm
          c={c}
          creator={creator}
          action={href('/creator/availability/types')}
          values={
            form && !form.typeId
              ? form.values
              : { currency: acceptedCurrency(creator), active: 'on', durationMinutes: '30' }
          }
          errors={form && !form.typeId ? form.errors : {}}
          formError={form && !form.typeId ? form.formError : undefined}
          submit={t('availability.addType')}
        />
      </section>
    </>
  );
}

function HoursTab({
  c,
  creator,
  weekly,
  form,
}: {
  c: Ctx;
  creator: Creator;
  weekly: { weekday: number; startMinute: number; endMinute: number }[];
  form?: FormState;
}) {
  const { t, href, locale } = viewOf(c);
  const dayName = new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' });
  return (
    <form method="post" action={href('/creator/availability/hours')} class="card hours-form" novalidate>
      <p class="muted">{t('availability.hoursLead', { zone: creator.timezone })}</p>
      <FormError message={form?.formError} />
      <table class="table hours">
        <tbody>
          {WEEK.map((d) => {
            const ranges = weekly.filter((r) => r.weekday === d);
            const rows = Math.max(2, ranges.length + 1);
            const error = form?.errors[`d${d}`];
            return (
              <tr class={error ? 'has-error' : ''} data-weekday={d}>
                <th scope="row">{dayName.format(new Date(Date.UTC(2024, 0, d === 0 ? 7 : d)))}</th>
                <td>
                  <div class="ranges">
                    {Array.from({ length: rows }, (_, i) => {
                      const from = form
                        ? form.values[`d${d}_${i}_from`]
                        : ranges[i]
                          ? minutesToTime(ranges[i].startMinute)
                          : '';
                      const to = form
                        ? form.values[`d${d}_${i}_to`]
                        : ranges[i]
                          ? minutesToTime(ranges[i].endMinute)
                          : '';
                      return (
                        <span class="range">
                          <input
                            type="time"
                            name={`d${d}_${i}_from`}
                            value={from ?? ''}
                            aria-label={`${dayName.format(new Date(Date.UTC(2024, 0, d === 0 ? 7 : d)))} ${i + 1} — ${t('availability.from')}`}
                            step={300}
                          />
                          <span aria-hidden="true">–</span>
                          <input
                            type="time"
                            name={`d${d}_${i}_to`}
                            value={to ?? ''}
                            aria-label={`${dayName.format(new Date(Date.UTC(2024, 0, d === 0 ? 7 : d)))} ${i + 1} — ${t('availability.to')}`}
                            step={300}
                          />
                        </span>
                      );
                    })}
                  </div>
                  {error ? <p class="error">{error}</p> : null}
                  {!ranges.length && !form ? <p class="muted small">{t('availability.closed')}</p> : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p class="hint">{t('availability.hoursHint')}</p>
      <button type="submit" class="button">
        {t('account.save')}
      </button>
    </form>
  );
}

function ExceptionsTab({
  c,
  creator,
  exceptions,
  form,
}: {
  c: Ctx;
  creator: Creator;
  exceptions: Awaited<ReturnType<typeof exceptionsOf>>;
  form?: FormState;
}) {
  const { t, href, locale } = viewOf(c);
  const today = localDate(c.get('deps').clock.now(), creator.timezone);
  const dateFmt = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeZone: 'UTC' });
  const values = form?.values ?? { date: today, kind: 'OFF' };
  return (
    <div class="grid two">
      <section aria-labelledby="exc-list-h">
        <h2 id="exc-list-h">{t('availability.upcomingExceptions')}</h2>
        {!exceptions.length ? (
          <Empty>{t('availability.noExceptions')}</Empty>
        ) : (
          <ul class="plain exception-list">
            {exceptions.map((e) => (
              <li class="card" data-exception-id={e.id}>
                <strong>{dateFmt.format(new Date(`${e.date}T12:00:00Z`))}</strong>{' '}
                <span class={`badge ${e.kind === 'OFF' ? 'danger' : 'success'}`}>
                  {t(`availability.kind.${e.kind}`)}
                </span>
                <div class="muted small">
                  {e.startMinute === null
                    ? t('availability.allDay')
                    : `${minutesToTime(e.startMinute)} – ${minutesToTime(e.endMinute!)}`}
                  {e.note ? ` · ${e.note}` : ''}
                </div>
                <form method="post" action={href(`/creator/availability/exceptions/${e.id}/delete`)} class="inline">
                  <button type="submit" class="link-button danger">
                    {t('availability.removeException')}
                  </button>
                </form>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="card" aria-labelledby="exc-new-h">
        <h2 id="exc-new-h">{t('availability.addException')}</h2>
        <form method="post" action={href('/creator/availability/exceptions')} novalidate>
          <FormError message={form?.formError} />
          <Field
            name="date"
            type="date"
            label={t('availability.date', { zone: creator.timezone })}
            value={values.date}
            error={form?.errors.date}
            required
            attrs={{ min: today }}
          />
          <Field name="kind" label={t('availability.kindLabel')} error={form?.errors.kind}>
            <select id="f-kind" name="kind">
              {(['OFF', 'EXTRA'] as const).map((k) => (
                <option value={k} selected={values.kind === k}>
                  {t(`availability.kind.${k}`)}
                </option>
              ))}
            </select>
          </Field>
          <div class="grid two tight">
            <Field
              name="from"
              type="time"
              label={t('availability.from')}
              value={values.from}
              error={form?.errors.from}
              hint={t('availability.exceptionHint')}
            />
            <Field name="to" type="time" label={t('availability.to')} value={values.to} error={form?.errors.to} />
          </div>
          <Field
            name="note"
            label={t('availability.note')}
            value={values.note}
            error={form?.errors.note}
            attrs={{ maxlength: 200 }}
          />
          <button type="submit" class="button">
            {t('availability.addException')}
          </button>
        </form>
      </section>
    </div>
  );
}

async function availabilityPage(c: Ctx, creator: Creator, tab: Tab, form?: FormState, status = 200) {
  const deps = c.get('deps');
  const { t, href, locale, user } = viewOf(c);
  await ensureAvailabilityDefaults(deps, creator, user?.locale ?? locale);
  const today = localDate(deps.clock.now(), creator.timezone);
  const [types, weekly, exceptions] = await Promise.all([
    listTypes(deps, creator.id),
    weeklyOf(deps, creator.id),
    exceptionsOf(deps, creator.id, today),
  ]);
  return page(c, {
    title: t('availability.title'),
    status,
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('creatorSpace.title')}</h1>
        <CreatorNav c={c} current="availability" />
        {!creator.chargesEnabled ? <p class="notice warning">{t('creatorSpace.onboardFirst')}</p> : null}
        <p class="muted">
          {t('availability.lead')} <a href={href(`/c/${creator.slug}#slot-picker`)}>{t('creatorSpace.viewPublic')}</a>
        </p>
        <nav class="tabs" aria-label={t('availability.title')}>
          {TABS.map((k) => (
            <a
              href={href(`/creator/availability?tab=${k}`)}
              aria-current={k === tab ? 'page' : undefined}
              class={k === tab ? 'active' : ''}
            >
              {t(`availability.tabs.${k}`)}
            </a>
          ))}
        </nav>
        {tab === 'types' ? (
          <TypesTab c={c} creator={creator} types={types} form={form} />
        ) : tab === 'hours' ? (
          <HoursTab c={c} creator={creator} weekly={weekly} form={form} />
        ) : (
          <ExceptionsTab c={c} creator={creator} exceptions={exceptions} form={form} />
        )}
        <p class="muted small">{t('availability.prices', { example: formatMoney(5000, creator.currency, locale) })}</p>
      </>
    ),
  });
}

const back = (c: Ctx, tab: Tab) => c.redirect(viewOf(c).href(`/creator/availability?tab=${tab}`), 303);

area.get('/availability', { query: z.object({ tab: lenient(z.enum(TABS)) }) }, async (c, r) => {
  return availabilityPage(c, r.creator, r.query.tab ?? 'types');
});

/** A type result → redirect, or the form again with the price error. */
async function afterType(
  c: Ctx,
  creator: Creator,
  form: Record<string, string>,
  typeId: string | undefined,
  out: TypeResult,
) {
  const { t } = viewOf(c);
  if (out.ok) {
    flash(c, 'account.saved');
    return back(c, 'types');
  }
  if (out.code === 'NOT_FOUND') return back(c, 'types');
  if (out.code === 'CURRENCY_NOT_ACCEPTED')
    return availabilityPage(
      c,
      creator,
      'types',
      {
        values: form,
        typeId,
        errors: { currency: t('offer.errors.CURRENCY_NOT_ACCEPTED', { currency: out.accepted }) },
      },
      422,
    );
  return availabilityPage(
    c,
    creator,
    'types',
    {
      values: form,
      typeId,
      errors: {
        price: t('availability.errors.minPrice', {
          min: formatMoney(out.minimum, form.currency ?? creator.currency, viewOf(c).locale),
        }),
      },
    },
    400,
  );
}

function typeInput<S extends typeof CreateTypeBody | typeof UpdateTypeBody>(
  c: Ctx,
  creator: Creator,
  schema: S,
  form: Record<string, string>,
) {
  const parsed = schema.safeParse(typeBody(form, creator));
  return parsed.success
    ? { ok: true as const, body: parsed.data as z.infer<S> }
    : { ok: false as const, errors: localizeIssues(viewOf(c).t, parsed.error) };
}

area.post('/availability/types', {}, async (c, r) => {
  const form = await r.raw();
  const input = typeInput(c, r.creator, CreateTypeBody, form);
  if (!input.ok) return availabilityPage(c, r.creator, 'types', { values: form, errors: input.errors }, 400);
  return afterType(c, r.creator, form, undefined, await createType(c.get('deps'), r.creator, input.body));
});

area.post('/availability/types/:id', { params: AnyId }, async (c, r) => {
  const { id } = r.params;
  const form = await r.raw();
  const input = typeInput(c, r.creator, UpdateTypeBody, form);
  if (!input.ok)
    return availabilityPage(c, r.creator, 'types', { values: form, errors: input.errors, typeId: id }, 400);
  return afterType(c, r.creator, form, id, await updateType(c.get('deps'), r.creator, id, input.body));
});

area.post('/availability/types/:id/delete', { params: AnyId }, async (c, r) => {
  const out = await removeType(c.get('deps'), r.creator, r.params.id);
  if (out.ok) flash(c, out.deleted ? 'availability.typeDeleted' : 'availability.typeDeactivated', 'success');
  return back(c, 'types');
});

/** The hours form (`d<weekday>_<i>_from/to`) → ranges, with a message per day that does not add up. */
export function readWeekly(
  form: Record<string, string>,
  t: ReturnType<typeof viewOf>['t'],
): { ranges: { weekday: number; startMinute: number; endMinute: number }[]; errors: FieldErrors } {
  const ranges: { weekday: number; startMinute: number; endMinute: number }[] = [];
  const errors: FieldErrors = {};
  for (const d of WEEK) {
    const day: { startMinute: number; endMinute: number }[] = [];
    for (let i = 0; i < 12; i++) {
      const from = timeToMinutes(form[`d${d}_${i}_from`]);
      const to = timeToMinutes(form[`d${d}_${i}_to`], true);
      if (from === null && to === null) continue;
      if (from === null || to === null || Number.isNaN(from) || Number.isNaN(to))
        errors[`d${d}`] = t('availability.errors.incomplete');
      else if (to <= from) errors[`d${d}`] = t('availability.errors.order');
      else day.push({ startMinute: from, endMinute: to });
    }
    day.sort((a, b) => a.startMinute - b.startMinute);
    if (overlapping(day).length) errors[`d${d}`] ??= t('availability.errors.overlap');
    ranges.push(...day.map((r) => ({ weekday: d, ...r })));
  }
  return { ranges, errors };
}

area.post('/availability/hours', {}, async (c, r) => {
  const { t } = viewOf(c);
  const form = await r.raw();
  const { ranges, errors } = readWeekly(form, t);
  const parsed = WeeklyBody.safeParse({ ranges });
  if (Object.keys(errors).length || !parsed.success)
    return availabilityPage(
      c,
      r.creator,
      'hours',
      { values: form, errors, formError: t('availability.errors.hours') },
      400,
    );
  await saveWeekly(c.get('deps'), r.creator, parsed.data.ranges);
  flash(c, 'account.saved');
  return back(c, 'hours');
});

area.post('/availability/exceptions', {}, async (c, r) => {
  const { t } = viewOf(c);
  const form = await r.raw();
  const from = timeToMinutes(form.from);
  const to = timeToMinutes(form.to, true);
  const parsed = ExceptionBody.safeParse({
    date: form.date,
    kind: form.kind,
    startMinute: from === null ? null : Number.isNaN(from) ? -1 : from,
    endMinute: to === null ? null : Number.isNaN(to) ? -1 : to,
    note: form.note?.trim() || null,
  });
  const today = localDate(c.get('deps').clock.now(), r.creator.timezone);
  if (!parsed.success || parsed.data.date < today) {
    const errors = parsed.success ? { date: t('availability.errors.pastDate') } : localizeIssues(t, parsed.error);
    // The cross-field rules (both times or neither, end after start, extra hours need times) land on the times.
    if (errors.startMinute || errors._)
      errors.from = t(
        form.kind === 'EXTRA' && from === null ? 'availability.errors.extraNeedsTimes' : 'availability.errors.times',
      );
    if (errors.endMinute) errors.to = t('availability.errors.times');
    return availabilityPage(c, r.creator, 'exceptions', { values: form, errors }, 400);
  }
  await addException(c.get('deps'), r.creator, parsed.data);
  flash(c, 'availability.exceptionAdded');
  return back(c, 'exceptions');
});

area.post('/availability/exceptions/:id/delete', { params: AnyId }, async (c, r) => {
  if (await removeException(c.get('deps'), r.creator, r.params.id)) flash(c, 'availability.exceptionRemoved');
  return back(c, 'exceptions');
});
