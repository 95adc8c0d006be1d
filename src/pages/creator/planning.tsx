/**
 * Creator space — planning: every booking in a month grid or a list, filtered by status, with the
 * counts that matter (total, upcoming, completed, cancelled); and the "today" agenda shown on the
 * creator's home. Times are in the viewer's zone.
 */
import type { VNode } from 'preact';
import {
  bookingsBetween,
  bookingsPage,
  confirmedCount,
  openOffersBetween,
  PLANNING_FILTERS,
  planningStats,
  type OpenOffer,
  type PlanningFilter,
  type PlanningRow as Row,
} from '../../domain/creators/planning';
import type { Creator } from '../../domain/rows';
import type { Ctx } from '../../http/context';
import { formatTime } from '../../i18n/format';
import { dateFields, localDate, localParts, zonedToUtc } from '../../lib/tz';
import { monthOf, monthSpan, shiftMonth } from '../../shared/slot-picker';
import { Empty, Money, Pagination, pageParam, StatusBadge, When } from '../components/ui';
import { page, viewOf } from '../render';
import { CreatorNav } from './common';
import { lenient, pageArea } from '../page-route';
import { z } from 'zod';

const area = pageArea('creator');
export const creatorPlanningPages = area.app;
const DAY = 86_400_000;
const LIST_PAGE = 50;

function Filters({
  c,
  view,
  month,
  filter,
}: {
  c: Ctx;
  view: 'month' | 'list';
  month: string;
  filter: PlanningFilter;
}) {
  const { t, href } = viewOf(c);
  const url = (v: string, f: string) => href(`/creator/planning?${new URLSearchParams({ view: v, month, status: f })}`);
  return (
    <div class="planning-controls">
      <nav class="tabs" aria-label={t('planning.views')}>
        {(['month', 'list'] as const).map((v) => (
          <a href={url(v, filter)} class={v === view ? 'active' : ''} aria-current={v === view ? 'page' : undefined}>
            {t(`planning.view.${v}`)}
          </a>
        ))}
      </nav>
      <nav class="chips" aria-label={t('planning.filter')}>
        {PLANNING_FILTERS.map((f) => (
          <a
            href={url(view, f)}
            class={`chip${f === filter ? ' active' : ''}`}
            aria-current={f === filter ? 'true' : undefined}
            data-filter={f}
          >
            {t(`planning.filters.${f}`)}
          </a>
        ))}
      </nav>
    </div>
  );
}

function MonthGrid({ c, month, rows, open = [] }: { c: Ctx; month: string; rows: Row[]; open?: OpenOffer[] }) {
  const { locale, timezone, href, t } = viewOf(c);
  const [y, m] = dateFields(month);
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const lead = (new Date(Date.UTC(y, m - 1, 1)).getUTCDay() + 6) % 7;
  const weekday = new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' });
  const today = localDate(c.get('deps').clock.now(), timezone);
  const byDay = new Map<string, Row[]>();
  for (const r of rows) {
    const d = localDate(r.startsAt, timezone);
    byDay.set(d, [...(byDay.get(d) ?? []), r]);
  }
  const openByDay = new Map<string, OpenOffer[]>();
  for (const o of open) {
    const d = localDate(o.startsAt, timezone);
    openByDay.set(d, [...(openByDay.get(d) ?? []), o]);
  }
  return (
    <table class="planning-month">
      <thead>
        <tr>
          {Array.from({ length: 7 }, (_, i) => (
            <th scope="col">{weekday.format(new Date(Date.UTC(2024, 0, 1 + i)))}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {Array.from({ length: Math.ceil((lead + days) / 7) }, (_, w) => (
          <tr>
            {Array.from({ length: 7 }, (_, i) => {
              const n = w * 7 + i - lead + 1;
              if (n < 1 || n > days) return <td class="outside" />;
              const date = `${month}-${String(n).padStart(2, '0')}`;
              const list = byDay.get(date) ?? [];
              return (
                <td class={date === today ? 'today' : ''} data-date={date}>
                  <span class="day-number">{n}</span>
                  <ul class="day-bookings">
                    {list.map((r) => (
                      <li class={`status-${r.status.toLowerCase()}`} data-type-color={r.color ?? undefined}>
                        <a
                          href={href(`/bookings/${r.id}`)}
                          title={`${r.title} — ${t(`status.booking.${r.status}`)}`}
                          data-booking-id={r.id}
                        >
                          <time datetime={r.startsAt.toISOString()}>{formatTime(r.startsAt, locale, timezone)}</time>{' '}
                          {r.fan}
                        </a>
                      </li>
                    ))}
                    {(openByDay.get(date) ?? []).map((o) => (
                      <li class="status-open">
                        <a
                          href={href(`/creator/offers/${o.id}/edit`)}
                          title={`${o.title} — ${t('planning.openOffer')}`}
                          data-offer-id={o.id}
                        >
                          <time datetime={o.startsAt.toISOString()}>{formatTime(o.startsAt, locale, timezone)}</time>{' '}
                          {t('planning.openOffer')}
                        </a>
                      </li>
                    ))}
                  </ul>
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Where the call stands: join it (on or soon), its outcome and summary once over. */
function CallCell({ c, r, now }: { c: Ctx; r: Row; now: Date }) {
  const { t, href } = viewOf(c);
  if (r.status === 'CONFIRMED' && r.endsAt > now) return <a href={href(`/call/${r.id}`)}>{t('booking.callPage')}</a>;
  if (r.status !== 'CONFIRMED' && r.status !== 'COMPLETED') return <span class="muted">—</span>;
  return (
    <>
      {r.outcome ? (
        <span class={`badge ${r.outcome === 'COMPLETED' ? 'success' : 'warning'}`}>
          {t(`planning.outcomes.${r.outcome}`)}
        </span>
      ) : (
        <span class="muted small">{t('planning.outcomes.pending')}</span>
      )}{' '}
      <a href={href(`/call/${r.id}/summary`)}>{t('planning.summary')}</a>
    </>
  );
}

function BookingTable({ c, rows }: { c: Ctx; rows: Row[] }) {
  const { t, href, locale, timezone } = viewOf(c);
  const now = c.get('deps').clock.now();
  if (!rows.length) return <Empty>{t('planning.none')}</Empty>;
  return (
    <table class="table planning-list">
      <thead>
        <tr>
          <th>{t('creatorSpace.when')}</th>
          <th>{t('planning.fan')}</th>
          <th>{t('offer.title')}</th>
          <th>{t('offer.price')}</th>
          <th>{t('creatorSpace.status')}</th>
          <th>{t('planning.call')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr data-booking-id={r.id}>
            <td>
              <a href={href(`/bookings/${r.id}`)}>
                <When at={r.startsAt} locale={locale} timezone={timezone} style="medium" />
              </a>
            </td>
            <td>{r.fan}</td>
            <td>
              {r.color ? <span class="type-dot" data-type-color={r.color} aria-hidden="true" /> : null}
              {r.title}
            </td>
            <td>
              <Money amount={r.price} currency={r.currency} locale={locale} />
            </td>
            <td>
              <StatusBadge t={t} kind="booking" status={r.status} />
            </td>
            <td data-outcome={r.outcome ?? ''}>
              <CallCell c={c} r={r} now={now} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The view, filter, month and page, as the page's links write them; a bad value reads as the default. */
const PlanningQuery = z.object({
  view: lenient(z.enum(['list', 'month'])),
  status: lenient(z.enum(PLANNING_FILTERS)),
  month: lenient(z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/)),
  page: lenient(z.string()),
});

area.get('/planning', { query: PlanningQuery }, async (c, r) => {
  const deps = c.get('deps');
  const { t, href, locale, timezone } = viewOf(c);
  const q = r.query;
  const now = deps.clock.now();
  const view = q.view ?? 'month';
  const filter: PlanningFilter = q.status ?? 'all';
  const month = q.month ?? monthOf(now, timezone);
  const pageNo = pageParam(q.page);
  const stats = await planningStats(deps, r.creator.id, now);
  let content: VNode;
  if (view === 'month') {
    const { from, to } = monthSpan(month, timezone);
    const [rows, open] = await Promise.all([
      bookingsBetween(deps, r.creator.id, from, to, filter, now),
      filter === 'all' ? openOffersBetween(deps, r.creator.id, from, to) : [],
    ]);
    const title = new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
      new Date(`${month}-01T12:00:00Z`),
    );
    const nav = (to: string) => href(`/creator/planning?${new URLSearchParams({ view, month: to, status: filter })}`);
    content = (
      <>
        <div class="month-nav">
          <a href={nav(shiftMonth(month, -1))} rel="prev" aria-label={t('slots.prev')}>
            ‹
          </a>
          <h2 class="month-title">{title}</h2>
          <a href={nav(shiftMonth(month, 1))} rel="next" aria-label={t('slots.next')}>
            ›
          </a>
          {month !== monthOf(now, timezone) ? (
            <a href={nav(monthOf(now, timezone))} class="small">
              {t('planning.thisMonth')}
            </a>
          ) : null}
        </div>
        <MonthGrid c={c} month={month} rows={rows} open={open} />
        <p class="muted small">{t('planning.monthCount', { count: rows.length })}</p>
      </>
    );
  } else {
    const { rows, total: n } = await bookingsPage(deps, r.creator.id, filter, now, {
      number: pageNo,
      size: LIST_PAGE,
    });
    content = (
      <>
        <BookingTable c={c} rows={rows} />
        <Pagination
          t={t}
          page={pageNo}
          total={n}
          pageSize={LIST_PAGE}
          href={(p) => href(`/creator/planning?${new URLSearchParams({ view, status: filter, page: String(p) })}`)}
        />
      </>
    );
  }
  return page(c, {
    title: t('planning.title'),
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('creatorSpace.title')}</h1>
        <CreatorNav c={c} current="planning" />
        <ul class="stats planning-stats">
          {(['total', 'upcoming', 'completed', 'cancelled'] as const).map((k) => (
            <li data-stat={k}>
              <strong>{stats[k]}</strong> {t(`planning.stats.${k}`)}
            </li>
          ))}
        </ul>
        <Filters c={c} view={view} month={month} filter={filter} />
        {content}
      </>
    ),
  });
});

/** The viewer's local day around `now`, as UTC instants [start, end). */
export function todaySpan(now: Date, timezone: string): { start: Date; end: Date } {
  const p = localParts(now, timezone);
  const start = zonedToUtc(p.year, p.month, p.day, 0, 0, timezone);
  const next = localParts(start.getTime() + 36 * 3_600_000, timezone);
  return { start, end: zonedToUtc(next.year, next.month, next.day, 0, 0, timezone) };
}

/** Today's calls (in the viewer's zone): what a creator needs first when they open their space. */
export async function todayAgenda(c: Ctx, creator: Creator) {
  const deps = c.get('deps');
  const { t, href, locale, timezone } = viewOf(c);
  const now = deps.clock.now();
  const { start, end } = todaySpan(now, timezone);
  const rows = await bookingsBetween(deps, creator.id, start, end, ['PENDING', 'CONFIRMED', 'COMPLETED'], now);
  const later = await confirmedCount(deps, creator.id, end, new Date(end.getTime() + 7 * DAY));
  return (
    <section class="card today" aria-labelledby="today-h" data-today-count={rows.length}>
      <div class="today-head">
        <h2 id="today-h">{t('planning.today')}</h2>
        <a href={href('/creator/planning')}>{t('planning.open')}</a>
      </div>
      {!rows.length ? (
        <p class="muted">{t('planning.todayNone')}</p>
      ) : (
        <ul class="plain today-list">
          {rows.map((r) => {
            const live = r.status === 'CONFIRMED' && r.endsAt > now;
            const ongoing = live && r.startsAt <= now;
            return (
              <li
                class={`status-${r.status.toLowerCase()}${ongoing ? ' ongoing' : ''}`}
                data-type-color={r.color ?? undefined}
              >
                <time datetime={r.startsAt.toISOString()}>
                  {formatTime(r.startsAt, locale, timezone)}–{formatTime(r.endsAt, locale, timezone)}
                </time>{' '}
                <strong>{r.fan}</strong> · {r.title} <StatusBadge t={t} kind="booking" status={r.status} />{' '}
                {live ? (
                  <a href={href(`/call/${r.id}`)} class={ongoing ? 'button' : ''}>
                    {ongoing ? t('planning.joinNow') : t('booking.callPage')}
                  </a>
                ) : (
                  <a href={href(`/bookings/${r.id}`)}>{t('planning.details')}</a>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <p class="muted small">{t('planning.nextSeven', { count: later })}</p>
    </section>
  );
}
