/**
 * The call page `/:lang/call/:bookingId` (same page for fan and creator; the `call` island runs the
 * four phases: waiting → pre-call → in call → summary) and the summary `/:lang/call/:id/summary`
 * (status, participants, scheduled vs actual times, timeline, the fan's review).
 */
import { z } from 'zod';
import { callRole, loadCallParties, type CallParties } from '../domain/calls/access';
import { callSummary } from '../domain/calls/summary';
import { callWindow, initialPhase } from '../domain/calls/window';
import { reviewOf, reviewRefusal, submitReview } from '../domain/reviews/reviews';
import type { User } from '../domain/rows';
import type { Ctx } from '../http/context';
import { notFound } from '../http/errors';
import { messagesUnder, type MessageKey } from '../i18n';
import { DAILY_CSP } from '../providers/video/daily';
import { formatDateTime, formatDuration, formatTimeSeconds } from '../i18n/format';
import type { CallIslandProps, CallSummaryT } from '../shared/calls';
import { formatClock } from '../shared/clock';
import { IdParam } from '../shared/common';
import { ReviewPost } from './components/review-form';
import { When } from './components/ui';
import { lenient, pageArea } from './page-route';
import { page, viewOf } from './render';

const area = pageArea('user');
export const callPages = area.app;
const L = '/:lang{fr|en}';

/** The call's parties and the viewer's role in it; a stranger gets a 404 and learns nothing. */
async function loadFor(
  c: Ctx,
  user: User,
  id: string,
): Promise<{ parties: CallParties; role: 'FAN' | 'CREATOR' | 'ADMIN' }> {
  const parties = await loadCallParties(c.get('deps'), id);
  const role = parties ? callRole(parties, user) : null;
  // Strangers learn nothing, not even that the booking exists.
  if (!parties || !role) throw notFound('Call');
  return { parties, role };
}

const CallPath = { params: z.object({ bookingId: IdParam('bkg') }), notFound: 'Call' };
/** `?debug=1` shows the call island's diagnostics; any other value is no. */
const CallQuery = z.object({ debug: lenient(z.string()) });

area.get(`${L}/call/:bookingId`, { ...CallPath, query: CallQuery }, async (c, { user, params, query }) => {
  const { parties, role } = await loadFor(c, user, params.bookingId);
  const { t, href, locale, timezone } = viewOf(c);
  const deps = c.get('deps');
  const { booking } = parties;
  const summaryUrl = href(`/call/${booking.id}/summary`);
  const phase = initialPhase(booking, deps.clock.now());
  // Admins read the summary; a call that is over has only its summary left.
  if (role === 'ADMIN' || phase === 'ended') return c.redirect(summaryUrl, 303);
  if (phase === 'unavailable') {
    return page(c, {
      title: t('call.pageTitle', { title: parties.title }),
      body: (
        <>
          <h1>{t('call.pageTitle', { title: parties.title })}</h1>
          <p class="notice warning">{t('call.unavailable')}</p>
          <p>
            <a href={href(`/bookings/${booking.id}`)}>{t('summary.backToBooking')}</a>
          </p>
        </>
      ),
    });
  }
  // daily-js (call-object mode, avoidEval) loads its call engine from Daily's CDN and talks to Daily's domains.
  if (deps.video.name === 'daily') c.set('cspExtra', DAILY_CSP);
  const w = callWindow(booking);
  const props: CallIslandProps = {
    bookingId: booking.id,
    title: parties.title,
    role,
    selfName: role === 'CREATOR' ? parties.creator.name : parties.fan.name,
    peerName: role === 'CREATOR' ? parties.fan.name : parties.creator.name,
    phase,
    opensAt: w.opensAt.toISOString(),
    startsAt: w.startsAt.toISOString(),
    endsAt: w.endsAt.toISOString(),
    closesAt: w.closesAt.toISOString(),
    duration: formatDuration(Math.round((w.endsAt.getTime() - w.startsAt.getTime()) / 60_000), locale),
    serverNow: deps.clock.now().toISOString(),
    summaryUrl,
    debug: ['1', 'true', 'yes'].includes(query.debug ?? ''),
    locale,
    timezone,
    labels: messagesUnder(locale, 'call'),
  };
  return page(c, {
    title: t('call.pageTitle', { title: parties.title }),
    islands: ['call'],
    mainClass: 'wide call-main',
    body: (
      <div class="call" data-island="call" data-props={JSON.stringify(props)} data-initial-phase={phase}>
        <h1>{parties.title}</h1>
        <p class="muted">
          {t('call.with', { name: props.peerName })} · {formatDateTime(booking.startsAt, locale, timezone, 'full')}
        </p>
        <p class="muted">{t('call.loading')}</p>
        <noscript>
          <p class="notice warning">{t('call.noscript')}</p>
        </noscript>
      </div>
    ),
  });
});

function Summary({
  c,
  s,
  parties,
  role,
  review,
}: {
  c: Ctx;
  s: CallSummaryT;
  parties: CallParties;
  role: 'FAN' | 'CREATOR' | 'ADMIN';
  review: { form: boolean; mine: { rating: number; comment: string } | null };
}) {
  const { t, href, locale, timezone } = viewOf(c);
  const tone = {
    completed: 'success',
    interrupted: 'warning',
    no_show: 'danger',
    cancelled: 'danger',
    pending: '',
    in_progress: 'info',
  }[s.status];
  const at = (iso: string | null) =>
    iso ? (
      <time datetime={iso}>{formatTimeSeconds(new Date(iso), locale, timezone)}</time>
    ) : (
      <span class="muted">—</span>
    );
  const who = (r: string | null) =>
    r === 'FAN' ? s.participants.fan.name : r === 'CREATOR' ? s.participants.creator.name : t('callEvent.actor.SYSTEM');
  const names = { creator: s.participants.creator.name, fan: s.participants.fan.name };
  const REASONS: Record<string, MessageKey> = {
    hangup: 'callEvent.reasons.hangup',
    'time-up': 'callEvent.reasons.timeUp',
    closed: 'callEvent.reasons.closed',
    replaced: 'callEvent.reasons.replaced',
    error: 'callEvent.reasons.error',
  };
  const detail = (m: Record<string, unknown> | null) => {
    if (!m) return '';
    if (typeof m.on === 'boolean') return ` · ${t(m.on ? 'callEvent.on' : 'callEvent.off')}`;
    if (typeof m.reason === 'string') {
      const key = REASONS[m.reason];
      return ` · ${key ? t(key) : m.reason}`;
    }
    if (typeof m.reconnection === 'number') return ` · ${t('callEvent.reconnection', { n: m.reconnection })}`;
    return '';
  };
  return (
    <>
      <h1>{t('summary.title')}</h1>
      <p class="muted">
        {parties.title} · <When at={new Date(s.scheduled.startsAt)} locale={locale} timezone={timezone} />
      </p>
      <p class="summary-status">
        <span class={`badge ${tone}`} data-call-status={s.status}>
          {t(`summary.status.${s.status}` as MessageKey)}
        </span>
      </p>
      <p class="notice info" data-outcome={s.outcome ?? ''}>
        {s.outcome
          ? t(`summary.outcome.${s.outcome}` as MessageKey, names)
          : s.status === 'cancelled'
            ? t('call.unavailable')
            : t('summary.outcome.pending')}
      </p>
      <div class="grid two">
        <section class="card">
          <h2>{t('summary.participants')}</h2>
          <ul class="plain participants">
            {(
              [
                ['creator', s.participants.creator],
                ['fan', s.participants.fan],
              ] as const
            ).map(([k, p]) => (
              <li data-participant={k} data-attended={String(p.attended)}>
                <strong>{p.name}</strong> <span class="muted">({t(`summary.${k}`)})</span> —{' '}
                <span class={`badge ${p.attended ? 'success' : 'danger'}`}>
                  {p.attended ? t('summary.joined') : t('summary.notJoined')}
                </span>
              </li>
            ))}
          </ul>
        </section>
        <section class="card">
          <h2>{t('summary.times')}</h2>
          <table class="table compact">
            <thead>
              <tr>
                <th />
                <th>{t('summary.scheduled')}</th>
                <th>{t('summary.actual')}</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">{t('summary.start')}</th>
                <td>{at(s.scheduled.startsAt)}</td>
                <td data-actual="start">{at(s.actual.startedAt)}</td>
              </tr>
              <tr>
                <th scope="row">{t('summary.end')}</th>
                <td data-scheduled="end">{at(s.scheduled.endsAt)}</td>
                <td data-actual="end">{at(s.actual.endedAt)}</td>
              </tr>
              <tr>
                <th scope="row">{t('summary.duration')}</th>
                <td>{formatClock(s.scheduled.durationSeconds)}</td>
                <td data-actual="duration">{formatClock(s.actual.durationSeconds)}</td>
              </tr>
            </tbody>
          </table>
        </section>
      </div>
      <section class="card">
        <h2>{t('summary.timeline')}</h2>
        {s.timeline.length === 0 ? (
          <p class="empty">{t('summary.noEvents')}</p>
        ) : (
          <ol class="timeline">
            {s.timeline.map((e) => (
              <li data-event={e.type} data-source={e.source}>
                {at(e.occurredAt)} <strong>{t(`callEvent.${e.type}` as MessageKey)}</strong> — {who(e.actor.role)}{' '}
                <span class="muted small">
                  ({t(`callEvent.source.${e.source}` as MessageKey)}
                  {detail(e.metadata)})
                </span>
              </li>
            ))}
          </ol>
        )}
      </section>
      {role === 'FAN' && review.mine ? (
        <section class="card" data-review="done">
          <h2>{t('summary.review.yours')}</h2>
          <p class="stars" role="img" aria-label={t('summary.review.stars', { n: review.mine.rating })}>
            {'★'.repeat(review.mine.rating)}
            {'☆'.repeat(5 - review.mine.rating)}
          </p>
          {review.mine.comment ? <p>{review.mine.comment}</p> : null}
        </section>
      ) : null}
      {role === 'FAN' && review.form ? (
        <form method="post" action={href(`/call/${s.bookingId}/review`)} class="card review-form" data-review="form">
          <h2>{t('summary.review.heading')}</h2>
          <fieldset class="rating">
            <legend>{t('summary.review.rating')}</legend>
            {[5, 4, 3, 2, 1].map((n) => (
              <label>
                <input type="radio" name="rating" value={String(n)} required /> {'★'.repeat(n)}{' '}
                <span class="sr-only">{t('summary.review.stars', { n })}</span>
              </label>
            ))}
          </fieldset>
          <label for="review-comment">{t('summary.review.comment')}</label>
          <textarea id="review-comment" name="comment" maxlength={2000} rows={3} />
          <button type="submit" class="button">
            {t('summary.review.submit')}
          </button>
        </form>
      ) : null}
      <p class="actions">
        {role !== 'ADMIN' ? <a href={href(`/bookings/${s.bookingId}`)}>{t('summary.backToBooking')}</a> : null}
        {role !== 'ADMIN' ? (
          <>
            {' '}
            ·{' '}
            <a href={href(role === 'CREATOR' ? '/creator/planning?view=list&status=past' : '/dashboard/history')}>
              {t('summary.backToSpace')}
            </a>
          </>
        ) : null}
      </p>
    </>
  );
}

area.get(`${L}/call/:bookingId/summary`, CallPath, async (c, { user, params }) => {
  const { parties, role } = await loadFor(c, user, params.bookingId);
  const { t } = viewOf(c);
  const deps = c.get('deps');
  const [s, mine, refused] = await Promise.all([
    callSummary(deps, parties),
    role === 'FAN' ? reviewOf(deps, parties.booking.id) : null,
    role === 'FAN' ? reviewRefusal(deps, parties, user) : 'REVIEW_NOT_ALLOWED',
  ]);
  return page(c, {
    title: t('summary.title'),
    body: (
      <Summary
        c={c}
        s={s}
        parties={parties}
        role={role}
        review={{ form: refused === null, mine: mine ? { rating: mine.rating, comment: mine.comment } : null }}
      />
    ),
  });
});

area.post(
  `${L}/call/:bookingId/review`,
  {
    params: z.object({ bookingId: z.string() }),
    form: ReviewPost,
    refused: 'summary.review.errors.invalid',
    back: (c, { params }) => viewOf(c).href(`/call/${params.bookingId}/summary`),
  },
  async (c, { user, params, form, back }) => {
    const r = await submitReview(c.get('deps'), user, params.bookingId, {
      rating: form.rating,
      comment: form.comment,
    });
    return back(
      r.ok ? 'summary.review.thanks' : (`summary.review.errors.${r.code}` as MessageKey),
      r.ok ? 'success' : 'error',
    );
  },
);
