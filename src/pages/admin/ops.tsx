/** Admin — operations: email log (filters, retry, template previews), scheduled jobs (runs, run now), logs (filters, stats). */
import { z } from 'zod';
import type { Locale } from '../../shared/enums';
import { audit } from '../../domain/admin/audit';
import {
  canRetryEmail,
  emailLogPage,
  emailRetryState,
  logsPage,
  logStats,
  logStatsByDay,
  PAGE,
  recentRuns,
  retryEmail,
  typesOf,
} from '../../domain/admin/ops';
import { emailContext, isStalePending } from '../../domain/email/enqueue';
import { getTemplate, renderEmail, samplesOf, templates } from '../../emails';
import type { Ctx } from '../../http/context';
import { notFound } from '../../http/errors';
import type { MessageKey } from '../../i18n';
import { isValidTimeZone } from '../../i18n/format';
import { DAY } from '../../lib/clock';
import { LOG_TYPES, type LogFamily } from '../../lib/logger';
import { JOB_NAMES, JOBS, type JobName } from '../../jobs/registry';
import { runJob } from '../../jobs/run-job';
import { LocaleSchema } from '../../shared/common';
import { EMAIL_STATUSES, LOG_LEVELS } from '../../shared/enums';
import { Empty, Pagination, When } from '../components/ui';
import { lenient, pageArea } from '../page-route';
import { page, viewOf } from '../render';
import { AdminNav } from './common';
import { dayFilter, enumFilter, pageFilter, searchFilter } from './kit';

const admin = pageArea('admin');
export const adminOpsPages = admin.app;
const FAMILIES = [...new Set(Object.values(LOG_TYPES))] as [LogFamily, ...LogFamily[]];
// Any id: the domain answers an unknown email (404 below).
const IdParams = z.object({ id: z.string() });

/** A preview zone from the query (an unknown zone falls back to Paris, like a bad tz cookie). */
const zoneFilter = z
  .string()
  .optional()
  .catch(undefined)
  .transform((tz) => (tz && isValidTimeZone(tz) ? tz : 'Europe/Paris'));
/** A template preview: which template, variant, language and zone (each falls back when bad). */
const PreviewQuery = z.object({
  name: lenient(z.string()),
  locale: lenient(LocaleSchema),
  tz: zoneFilter,
  variant: lenient(z.string()),
});
const qs = (params: Record<string, string | undefined>) =>
  new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => !!e[1])).toString();

// ---------------------------------------------------------------------------------------------- emails

const EmailsQuery = z.object({
  status: enumFilter(EMAIL_STATUSES),
  to: searchFilter(),
  template: lenient(z.string().refine((name) => name in templates)),
  page: pageFilter,
});

admin.get('/emails', { query: EmailsQuery }, async (c, { query: { status, to, template, page: p } }) => {
  const { t, href, locale, timezone } = viewOf(c);
  const { rows, total } = await emailLogPage(c.get('deps'), { status, to, template, page: p });
  const now = c.get('deps').clock.now();
  return page(c, {
    title: t('ops.emails'),
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('admin.title')}</h1>
        <AdminNav c={c} current="emails" />
        <form method="get" action={href('/admin/emails')} class="inline-actions filters">
          <label for="e-status">{t('admin.filterStatus')}</label>
          <select id="e-status" name="status">
            <option value="">{t('admin.filterAll')}</option>
            {EMAIL_STATUSES.map((s) => (
              <option value={s} selected={s === status}>
                {s}
              </option>
            ))}
          </select>
          <label for="e-template">{t('ops.template')}</label>
          <select id="e-template" name="template">
            <option value="">{t('admin.filterAll')}</option>
            {Object.keys(templates).map((n) => (
              <option value={n} selected={n === template}>
                {n}
              </option>
            ))}
          </select>
          <label for="e-to">{t('ops.to')}</label>
          <input id="e-to" name="to" type="text" value={to ?? ''} />
          <button class="button small secondary" type="submit">
            {t('admin.filter')}
          </button>
        </form>
        <p>
          <a href={href('/admin/emails/templates')}>{t('ops.previews')}</a>
        </p>
        {rows.length === 0 ? (
          <Empty>{t('ops.noEmails')}</Empty>
        ) : (
          <table class="table" data-email-log>
            <thead>
              <tr>
                <th>{t('ops.when')}</th>
                <th>{t('ops.to')}</th>
                <th>{t('ops.template')}</th>
                <th>{t('ops.locale')}</th>
                <th>{t('admin.filterStatus')}</th>
                <th>{t('ops.attempts')}</th>
                <th>{t('ops.provider')}</th>
                <th>{t('ops.error')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((e) => (
                <tr data-email={e.id} data-status={e.status}>
                  <td>
                    <When at={e.createdAt} locale={locale} timezone={timezone} style="short" withZone={false} />
                  </td>
                  <td>{e.to}</td>
                  <td>
                    {e.template}
                    <div class="muted small">{e.subject}</div>
                  </td>
                  <td>{e.locale}</td>
                  <td>
                    <span
                      class={`badge ${e.status === 'SENT' ? 'success' : e.status === 'PENDING' || e.status === 'SKIPPED' ? 'warning' : 'danger'}`}
                    >
                      {e.status}
                    </span>
                    {isStalePending(e, now) ? (
                      <div class="small error" data-stuck>
                        {t('ops.stuck')}
                      </div>
                    ) : null}
                    {e.deliveryStatus ? <div class="muted small">{e.deliveryStatus}</div> : null}
                  </td>
                  <td>{e.attempts}</td>
                  <td class="mono small" data-provider-id>
                    {e.providerId ? (
                      <>
                        {e.provider ? `${e.provider} ` : ''}
                        {e.providerId}
                      </>
                    ) : (
                      (e.provider ?? '')
                    )}
                    {e.maybeSent && e.status !== 'SENT' ? (
                      <div class="muted" data-maybe-sent>
                        {t('ops.maybeSent')}
                      </div>
                    ) : null}
                  </td>
                  <td class="small">{e.lastError ?? ''}</td>
                  <td>
                    {canRetryEmail(e, now) ? (
                      <form method="post" action={href(`/admin/emails/${e.id}/retry`)}>
                        <button class="button small secondary" type="submit">
                          {t('ops.retry')}
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
          page={p}
          total={total}
          pageSize={PAGE}
          href={(n) => `${href('/admin/emails')}?${qs({ status, to, template, page: String(n) })}`}
        />
      </>
    ),
  });
});

admin.post(
  '/emails/:id/retry',
  { params: IdParams, back: (c) => viewOf(c).href('/admin/emails') },
  async (c, { user, params: { id }, back }) => {
    const deps = c.get('deps');
    const before = await emailRetryState(deps, id);
    if (!before) throw notFound('Email');
    const r = await retryEmail(deps, id, user.id);
    if (r.ok)
      await audit(deps, {
        actor: user.id,
        action: 'EMAIL_RETRY',
        entity: 'email',
        entityId: id,
        before,
        after: { status: 'PENDING', newKey: r.newKey },
        requestId: c.get('requestId'),
      });
    return back(
      r.ok ? (r.newKey ? 'ops.retriedNewKey' : 'ops.retried') : 'ops.notRetryable',
      r.ok ? 'success' : 'error',
    );
  },
);

/** Every template rendered with its sample data, in a chosen language and zone. */
admin.get('/emails/templates', { query: PreviewQuery }, async (c, { query }) => {
  const { t, href } = viewOf(c);
  const asked = query.name;
  // No template at all would leave nothing to show: the 404 below.
  const name = (asked && asked in templates ? asked : Object.keys(templates)[0]) ?? '';
  const locale: Locale = query.locale ?? viewOf(c).locale;
  const tz = query.tz;
  const tpl = getTemplate(name);
  if (!tpl) throw notFound('Template');
  const variants = Object.keys(samplesOf(tpl, c.get('deps').config.appUrl));
  const variant = query.variant !== undefined && variants.includes(query.variant) ? query.variant : variants[0];
  const rendered = previewOf(c, name, locale, tz, variant);
  c.set('cspExtra', { frame: ["'self'"] });
  return page(c, {
    title: t('ops.previews'),
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('admin.title')}</h1>
        <AdminNav c={c} current="emails" />
        <form method="get" action={href('/admin/emails/templates')} class="inline-actions filters">
          <label for="p-name">{t('ops.template')}</label>
          <select id="p-name" name="name">
            {Object.entries(templates).map(([n, template]) => (
              <option value={n} selected={n === name}>
                {n}
                {template.transactional ? '' : ` (${template.category})`}
              </option>
            ))}
          </select>
          <label for="p-locale">{t('ops.locale')}</label>
          <select id="p-locale" name="locale">
            {(['fr', 'en'] as const).map((l) => (
              <option value={l} selected={l === locale}>
                {l}
              </option>
            ))}
          </select>
          <label for="p-tz">{t('ops.timezone')}</label>
          <select id="p-tz" name="tz">
            {['Europe/Paris', 'America/New_York', 'Europe/London', 'Asia/Tokyo'].map((z) => (
              <option value={z} selected={z === tz}>
                {z}
              </option>
            ))}
          </select>
          {variants.length > 1 ? (
            <>
              <label for="p-variant">{t('ops.variant')}</label>
              <select id="p-variant" name="variant">
                {variants.map((v) => (
                  <option value={v} selected={v === variant}>
                    {v}
                  </option>
                ))}
              </select>
            </>
          ) : null}
          <button class="button small secondary" type="submit">
            {t('ops.show')}
          </button>
        </form>
        {variants.length > 1 ? (
          <nav class="inline-actions" aria-label={t('ops.variant')} data-variants>
            {variants.map((v) => (
              <a
                class={`button small ${v === variant ? '' : 'secondary'}`}
                aria-current={v === variant ? 'true' : undefined}
                href={`${href('/admin/emails/templates')}?${qs({ name, locale, tz, variant: v })}`}
              >
                {v}
              </a>
            ))}
          </nav>
        ) : null}
        <h2 data-preview-subject data-variant={variant}>
          {rendered.subject}
        </h2>
        <iframe
          class="mail-frame"
          title={rendered.subject}
          src={`${href('/admin/emails/templates/html')}?${qs({ name, locale, tz, variant })}`}
          sandbox="allow-top-navigation-by-user-activation allow-popups"
        />
        <h3>{t('ops.textPart')}</h3>
        <pre class="mono small text-part" data-preview-text>
          {rendered.text}
        </pre>
        {rendered.attachments?.length ? (
          <p class="muted">
            {t('ops.attachments')}: {rendered.attachments.map((a) => a.filename).join(', ')}
          </p>
        ) : null}
      </>
    ),
  });
});

function previewOf(c: Ctx, name: string, locale: Locale, tz: string, variant: string | undefined) {
  const deps = c.get('deps');
  const tpl = getTemplate(name);
  if (!tpl) throw notFound('Template');
  const samples = samplesOf(tpl, deps.config.appUrl);
  const data = variant && Object.hasOwn(samples, variant) ? samples[variant] : Object.values(samples)[0];
  return renderEmail(
    tpl,
    emailContext(
      deps,
      { locale, timezone: tz, name: 'Camille Dubois' },
      tpl.transactional ? undefined : `${deps.config.appUrl}/email/unsubscribe?u=preview`,
    ),
    data,
  );
}

admin.get('/emails/templates/html', { query: PreviewQuery }, async (c, { query }) => {
  const html = previewOf(c, query.name ?? '', query.locale ?? 'fr', query.tz, query.variant).html.replace(
    /<head>/i,
    '<head><base target="_top">',
  );
  return new Response(html, {
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy':
        "default-src 'none'; style-src 'unsafe-inline'; img-src data: https:; frame-ancestors 'self'",
      'x-frame-options': 'SAMEORIGIN',
    },
  });
});

// ---------------------------------------------------------------------------------------------- jobs

admin.get('/jobs', {}, async (c) => {
  const { t, href, locale, timezone } = viewOf(c);
  const runs = await recentRuns(c.get('deps'));
  return page(c, {
    title: t('ops.jobs'),
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('admin.title')}</h1>
        <AdminNav c={c} current="jobs" />
        <ul class="plain jobs">
          {JOB_NAMES.map((job) => (
            <li class="card" data-job={job}>
              <div class="inline-actions spread">
                <div>
                  <h2>{job}</h2>
                  <p class="muted">{JOBS[job].description}</p>
                  <p class="small mono">{JOBS[job].crons.join(' · ')}</p>
                </div>
                <form method="post" action={href(`/admin/jobs/${job}/run`)}>
                  <button class="button small" type="submit">
                    {t('ops.runNow')}
                  </button>
                </form>
              </div>
              {(runs.get(job) ?? []).length === 0 ? (
                <p class="muted">{t('ops.neverRan')}</p>
              ) : (
                <table class="table compact">
                  <tbody>
                    {(runs.get(job) ?? []).map((r) => (
                      <tr data-run-status={r.status} data-run-part={r.part}>
                        <td>
                          <When at={r.startedAt} locale={locale} timezone={timezone} style="short" withZone={false} />
                        </td>
                        <td>
                          <span
                            class={`badge ${r.status === 'SUCCESS' ? 'success' : r.status === 'ERROR' ? 'danger' : 'warning'}`}
                          >
                            {r.status}
                          </span>{' '}
                          <span class="muted small">
                            {r.trigger}
                            {r.part ? ` · ${t('ops.chunk', { n: r.part })}` : ''}
                          </span>
                        </td>
                        <td>{r.durationMs ?? '—'} ms</td>
                        <td class="mono small">
                          {r.counts ? JSON.stringify(r.counts) : ''}
                          {r.error ? <span class="error"> {r.error}</span> : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </li>
          ))}
        </ul>
      </>
    ),
  });
});

admin.post(
  '/jobs/:job/run',
  {
    params: z.object({ job: z.enum(JOB_NAMES as [JobName, ...JobName[]]) }),
    notFound: 'Job',
    back: (c) => viewOf(c).href('/admin/jobs'),
  },
  async (c, { user: admin, params: { job }, back }) => {
    const deps = c.get('deps');
    const r = await runJob(deps, job, deps.clock.now(), 'MANUAL');
    await audit(deps, {
      actor: admin.id,
      action: 'JOB_RUN',
      entity: 'job',
      entityId: job,
      after: { status: r.status },
      requestId: c.get('requestId'),
    });
    await deps.log.admin.info('ADMIN_ACTION', `Job ${job} run on demand: ${r.status}`, null, {
      actor: 'ADMIN',
      actorId: admin.id,
    });
    return back(
      r.status === 'SUCCESS' ? 'ops.ran' : r.status === 'SKIPPED' ? 'ops.runSkipped' : 'ops.runFailed',
      r.status === 'SUCCESS' ? 'success' : 'error',
    );
  },
);

// ---------------------------------------------------------------------------------------------- logs

const LogsQuery = z.object({
  level: enumFilter(LOG_LEVELS),
  family: enumFilter(FAMILIES),
  type: lenient(z.string()),
  from: dayFilter,
  to: dayFilter,
  days: enumFilter(['1', '7', '30']),
  q: searchFilter(),
  page: pageFilter,
});

admin.get('/logs', { query: LogsQuery }, async (c, { query: q }) => {
  const { t, href, locale, timezone } = viewOf(c);
  const deps = c.get('deps');
  const { level, family, page: p } = q;
  const types = family ? typesOf(family) : Object.keys(LOG_TYPES);
  const type = q.type !== undefined && types.includes(q.type) ? q.type : undefined;
  // A date range in UTC days, both ends included (invalid dates are ignored, like any invalid filter).
  const from = utcDay(q.from);
  const to = utcDay(q.to);
  const period = q.days ?? '1';
  const since = new Date(deps.clock.now().getTime() - Number(period) * DAY);
  const [{ rows, total }, stats, byDay] = await Promise.all([
    logsPage(deps, {
      level,
      family,
      type,
      q: q.q,
      from: from ? new Date(from) : undefined,
      to: to ? new Date(to + DAY - 1) : undefined,
      page: p,
    }),
    logStats(deps, since),
    logStatsByDay(deps, since),
  ]);
  const dayFamilies = FAMILIES.filter((f) => byDay.some((d) => d.families[f]));
  const filters = {
    level,
    family,
    type,
    q: q.q,
    from: q.from && from ? q.from : undefined,
    to: q.to && to ? q.to : undefined,
    days: period,
  };
  return page(c, {
    title: t('ops.logs'),
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('admin.title')}</h1>
        <AdminNav c={c} current="logs" />
        <section aria-labelledby="stats-h">
          <h2 id="stats-h">{t('ops.stats')}</h2>
          <nav class="inline-actions" aria-label={t('ops.period')}>
            {(['1', '7', '30'] as const).map((d) => (
              <a
                class={`button small ${d === period ? '' : 'secondary'}`}
                aria-current={d === period ? 'true' : undefined}
                href={`${href('/admin/logs')}?${qs({ days: d, level, family })}`}
              >
                {t(`ops.days${d}` as MessageKey)}
              </a>
            ))}
          </nav>
          {stats.length === 0 ? (
            <Empty>{t('ops.noLogs')}</Empty>
          ) : (
            <table class="table compact" data-log-stats>
              <thead>
                <tr>
                  <th>{t('ops.family')}</th>
                  <th>{t('ops.events')}</th>
                  <th>{t('ops.warnings')}</th>
                  <th>{t('ops.errors')}</th>
                  <th>{t('ops.errorRate')}</th>
                </tr>
              </thead>
              <tbody>
                {stats.map((s) => (
                  <tr data-family={s.family}>
                    <td>
                      <a href={`${href('/admin/logs')}?${qs({ family: s.family, days: period })}`}>{s.family}</a>
                    </td>
                    <td>{s.total}</td>
                    <td>{s.warnings}</td>
                    <td>{s.errors}</td>
                    <td>{s.errorRate} %</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h3>{t('ops.byDay')}</h3>
          <table class="table compact" data-log-days>
            <thead>
              <tr>
                <th>{t('ops.day')}</th>
                <th>{t('ops.total')}</th>
                {dayFamilies.map((f) => (
                  <th>{f}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {byDay.map((d) => (
                <tr data-day={d.day} data-total={d.total} data-errors={d.errors}>
                  <td>
                    <a href={`${href('/admin/logs')}?${qs({ from: d.day, to: d.day, days: period })}`}>{d.day}</a>
                  </td>
                  <td>
                    {d.total}
                    {d.errors ? <span class="error"> ({d.errors})</span> : null}
                  </td>
                  {dayFamilies.map((f) => (
                    <td data-day-family={f}>
                      {d.families[f]?.total ?? 0}
                      {d.families[f]?.errors ? <span class="error"> ({d.families[f]!.errors})</span> : null}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <p class="muted small">{t('ops.byDayNote')}</p>
        </section>
        <form method="get" action={href('/admin/logs')} class="inline-actions filters">
          <label for="l-level">{t('ops.level')}</label>
          <select id="l-level" name="level">
            <option value="">{t('admin.filterAll')}</option>
            {LOG_LEVELS.map((l) => (
              <option value={l} selected={l === level}>
                {l}
              </option>
            ))}
          </select>
          <label for="l-family">{t('ops.family')}</label>
          <select id="l-family" name="family">
            <option value="">{t('admin.filterAll')}</option>
            {FAMILIES.map((f) => (
              <option value={f} selected={f === family}>
                {f}
              </option>
            ))}
          </select>
          <label for="l-type">{t('ops.type')}</label>
          <select id="l-type" name="type">
            <option value="">{t('admin.filterAll')}</option>
            {types.map((x) => (
              <option value={x} selected={x === type}>
                {x}
              </option>
            ))}
          </select>
          <label for="l-from">{t('ops.dateFrom')}</label>
          <input id="l-from" name="from" type="date" value={filters.from ?? ''} />
          <label for="l-to">{t('ops.dateTo')}</label>
          <input id="l-to" name="to" type="date" value={filters.to ?? ''} />
          <label for="l-q">{t('ops.search')}</label>
          <input id="l-q" name="q" type="text" value={q.q ?? ''} />
          <input type="hidden" name="days" value={period} />
          <button class="button small secondary" type="submit">
            {t('admin.filter')}
          </button>
        </form>
        {rows.length === 0 ? (
          <Empty>{t('ops.noLogs')}</Empty>
        ) : (
          <table class="table" data-logs>
            <thead>
              <tr>
                <th>{t('ops.when')}</th>
                <th>{t('ops.level')}</th>
                <th>{t('ops.type')}</th>
                <th>{t('ops.message')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((l) => (
                <tr data-level={l.level}>
                  <td class="small">
                    <When at={l.createdAt} locale={locale} timezone={timezone} style="short" withZone={false} />
                  </td>
                  <td>
                    <span class={`badge ${l.level === 'INFO' ? '' : l.level === 'WARNING' ? 'warning' : 'danger'}`}>
                      {l.level}
                    </span>
                  </td>
                  <td class="mono small">
                    {l.type}
                    <div class="muted">
                      {l.actor}
                      {l.actorId ? ` ${l.actorId}` : ''}
                    </div>
                  </td>
                  <td>
                    {l.message}
                    {l.error ? <div class="error small">{l.error.slice(0, 300)}</div> : null}
                    {l.context ? <div class="mono small muted">{JSON.stringify(l.context).slice(0, 300)}</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <Pagination
          t={t}
          page={p}
          total={total}
          pageSize={PAGE}
          href={(n) => `${href('/admin/logs')}?${qs({ ...filters, page: String(n) })}`}
        />
      </>
    ),
  });
});

/** A `YYYY-MM-DD` day → its UTC midnight in ms; none (or an impossible date: 2026-02-30) → null. */
function utcDay(v: string | undefined): number | null {
  if (!v) return null;
  const ms = Date.parse(`${v}T00:00:00.000Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === v ? ms : null;
}
