/**
 * Fan space — history `/:lang/dashboard/history`: past calls with how they ended (completed,
 * cancelled, no-show…), money given back, the call summary, and the review — inline while the
 * call can be reviewed (once: 1–5 and a comment), a "Reviewed ★n" badge after.
 */
import { HISTORY_PAGE_SIZE, ownBooking, pastCalls, type PastCall, type PastStatus } from '../../domain/fan/dashboard';
import { submitReview } from '../../domain/reviews/reviews';
import type { Ctx } from '../../http/context';
import { notFound } from '../../http/errors';
import type { MessageKey } from '../../i18n';
import { formatMoney } from '../../i18n/format';
import { ReviewPost } from '../components/review-form';
import { Empty, Pagination, pageParam } from '../components/ui';
import { page, viewOf } from '../render';
import { CallHead, FanNav } from './common';
import { pageArea } from '../page-route';
import { idOf, PageQuery } from '../params';

const area = pageArea('user');
export const fanHistoryPages = area.app;

const TONE: Record<PastStatus, string> = {
  completed: 'success',
  cancelled: 'danger',
  no_show: 'danger',
  interrupted: 'warning',
  settling: '',
};

function ReviewForm({ c, call, pageNo }: { c: Ctx; call: PastCall; pageNo: number }) {
  const { t, href } = viewOf(c);
  return (
    <details class="fan-review">
      <summary>{t('fan.history.leaveReview')}</summary>
      <form
        method="post"
        action={href(`/dashboard/history/${call.id}/review`)}
        class="review-form"
        data-review-form={call.id}
      >
        <input type="hidden" name="page" value={String(pageNo)} />
        <fieldset class="rating">
          <legend>{t('summary.review.rating')}</legend>
          {[5, 4, 3, 2, 1].map((n) => (
            <label>
              <input type="radio" name="rating" value={String(n)} required /> {'★'.repeat(n)}{' '}
              <span class="sr-only">{t('summary.review.stars', { n })}</span>
            </label>
          ))}
        </fieldset>
        <label for={`comment-${call.id}`}>{t('summary.review.comment')}</label>
        <textarea id={`comment-${call.id}`} name="comment" maxlength={2000} rows={3} />
        <button type="submit" class="button">
          {t('summary.review.submit')}
        </button>
      </form>
    </details>
  );
}

function Row({ c, call, pageNo }: { c: Ctx; call: PastCall; pageNo: number }) {
  const { t, href, locale } = viewOf(c);
  const names = { name: call.creator.name };
  let detail: string | null = null;
  if (call.outcome && call.outcome !== 'COMPLETED')
    detail = t(`fan.history.outcome.${call.outcome}` as MessageKey, names);
  else if (call.pastStatus === 'cancelled')
    detail = t(`fan.history.cancelledBy.${call.cancelledBy ?? 'SYSTEM'}` as MessageKey, names);
  else if (call.pastStatus === 'settling') detail = t('fan.history.settling');
  return (
    <li class="card fan-call" data-booking-id={call.id} data-past-status={call.pastStatus}>
      <div class="fan-call-main">
        <CallHead c={c} call={call} />
        <p class="fan-badges">
          <span class={`badge ${TONE[call.pastStatus]}`} data-status-badge={call.pastStatus}>
            {t(`fan.history.status.${call.pastStatus}` as MessageKey)}
          </span>
          {call.review ? (
            <>
              {' '}
              <span class="badge success" data-reviewed={call.review.rating}>
                {t('fan.history.reviewed', { n: call.review.rating })}
              </span>
            </>
          ) : null}
          {call.canReview ? (
            <>
              {' '}
              <span class="badge info" data-to-review>
                {t('fan.history.toReview')}
              </span>
            </>
          ) : null}
        </p>
        {detail ? <p class="muted small">{detail}</p> : null}
        {call.refunded > 0 ? (
          <p class="small" data-refunded={call.refunded}>
            {t('booking.refunded', { amount: formatMoney(call.refunded, call.currency, locale) })}
          </p>
        ) : null}
      </div>
      <div class="fan-call-actions">
        <a href={href(`/call/${call.id}/summary`)} data-summary>
          {t('fan.history.summary')}
        </a>
        {call.canReview ? <ReviewForm c={c} call={call} pageNo={pageNo} /> : null}
      </div>
    </li>
  );
}

area.get('/history', { query: PageQuery }, async (c, { user, query }) => {
  const { t, href } = viewOf(c);
  const deps = c.get('deps');
  const pageNo = pageParam(query.page);
  const { rows, total } = await pastCalls(deps, user.id, deps.clock.now(), pageNo);
  return page(c, {
    title: t('fan.history.title'),
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('fan.history.title')}</h1>
        <FanNav c={c} current="history" />
        {rows.length === 0 ? (
          <Empty>
            {t('fan.history.none')} <a href={href('/creators')}>{t('fan.home.findCreator')}</a>
          </Empty>
        ) : (
          <ul class="plain fan-calls">
            {rows.map((call) => (
              <Row c={c} call={call} pageNo={pageNo} />
            ))}
          </ul>
        )}
        <Pagination
          t={t}
          page={pageNo}
          total={total}
          pageSize={HISTORY_PAGE_SIZE}
          href={(p) => `${href('/dashboard/history')}?page=${p}`}
        />
      </>
    ),
  });
});

/** Back to the history page the form was on. */
const historyPage = (c: Ctx, raw: Record<string, string>) => {
  const pageNo = pageParam(raw.page);
  return `${viewOf(c).href('/dashboard/history')}${pageNo > 1 ? `?page=${pageNo}` : ''}`;
};

area.post(
  '/history/:id/review',
  {
    params: idOf('bkg'),
    notFound: 'Booking',
    form: ReviewPost,
    refused: 'summary.review.errors.invalid',
    back: (c, { raw }) => historyPage(c, raw),
    deferForm: true,
  },
  async (c, { user, params, form, back }) => {
    const deps = c.get('deps');
    const { id } = params;
    // Only the booking's own fan gets further than this; anyone else learns nothing.
    if (!(await ownBooking(deps, user.id, id))) throw notFound('Booking');
    const { rating, comment } = await form();
    const r = await submitReview(deps, user, id, { rating, comment });
    return back(
      r.ok ? 'summary.review.thanks' : (`summary.review.errors.${r.code}` as MessageKey),
      r.ok ? 'success' : 'error',
    );
  },
);
