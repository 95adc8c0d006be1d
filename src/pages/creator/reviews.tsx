/** Creator space — reviews received: the average and spread, every review (hidden ones flagged), one public reply each. */
import { replyToReview, REPLY_MAX, reviewsForCreator, REVIEWS_PER_PAGE } from '../../domain/reviews/reviews';
import type { Ctx } from '../../http/context';
import type { MessageKey } from '../../i18n';
import { ReplyBody } from '../../shared/reviews';
import type { Creator } from '../../domain/rows';
import { RatingSpread, ReviewItem } from '../components/reviews';
import { Empty, Pagination, pageParam, Stars } from '../components/ui';
import { flash, page, viewOf } from '../render';
import { CreatorNav } from './common';
import { lenient, pageArea } from '../page-route';
import { AnyId } from '../params';
import { z } from 'zod';

const area = pageArea('creator');
export const creatorReviewPages = area.app;

async function reviewsPage(
  c: Ctx,
  creator: Creator,
  q: ReviewsQueryT,
  opts: { status?: number; error?: { id: string; message: string; value: string } } = {},
) {
  const { t, href, locale, timezone } = viewOf(c);
  const filter = q.filter ?? 'all';
  const pageNo = pageParam(q.page);
  const r = await reviewsForCreator(c.get('deps'), creator.id, pageNo, filter);
  const url = (f: string, p = 1) =>
    href(`/creator/reviews?${new URLSearchParams({ filter: f, ...(p > 1 ? { page: String(p) } : {}) })}`);
  return page(c, {
    title: t('reviews.title'),
    mainClass: 'wide',
    status: opts.status,
    body: (
      <>
        <h1>{t('creatorSpace.title')}</h1>
        <CreatorNav c={c} current="reviews" />
        <div class="grid two">
          <section class="card" aria-labelledby="avg-h">
            <h2 id="avg-h">{t('reviews.average')}</h2>
            <p class="big" data-average={r.average ?? ''}>
              <Stars t={t} average={r.average} count={r.count} />
            </p>
            <p class="muted small">
              {t('reviews.publicNote')} <a href={href(`/c/${creator.slug}#reviews`)}>{t('reviews.seePublic')}</a>
            </p>
          </section>
          <section class="card" aria-label={t('reviews.spread')}>
            <RatingSpread t={t} counts={r.counts} />
          </section>
        </div>
        <nav class="chips" aria-label={t('reviews.filter')}>
          {(['all', 'unreplied'] as const).map((f) => (
            <a
              href={url(f)}
              class={`chip${f === filter ? ' active' : ''}`}
              aria-current={f === filter ? 'true' : undefined}
              data-filter={f}
            >
              {t(`reviews.filters.${f}`)}
              {f === 'unreplied' ? ` (${r.unreplied})` : ''}
            </a>
          ))}
        </nav>
        {!r.rows.length ? (
          <Empty>{t(filter === 'unreplied' ? 'reviews.noneUnreplied' : 'reviews.none')}</Empty>
        ) : (
          <ul class="plain review-list">
            {r.rows.map(({ review, author }) => (
              <ReviewItem
                t={t}
                locale={locale}
                timezone={timezone}
                review={review}
                author={author}
                creatorName={creator.displayName}
              >
                {review.hiddenAt ? <p class="muted small">{t('reviews.hiddenNote')}</p> : null}
                {!review.reply && !review.hiddenAt ? (
                  <details class="reply-form" open={opts.error?.id === review.id}>
                    <summary>{t('reviews.reply')}</summary>
                    <form method="post" action={href(`/creator/reviews/${review.id}/reply`)} class="stack">
                      <label for={`reply-${review.id}`}>{t('reviews.replyLabel')}</label>
                      <textarea
                        id={`reply-${review.id}`}
                        name="reply"
                        rows={3}
                        maxLength={REPLY_MAX}
                        required
                        aria-invalid={opts.error?.id === review.id ? 'true' : undefined}
                        aria-describedby={opts.error?.id === review.id ? `reply-${review.id}-err` : undefined}
                      >
                        {opts.error?.id === review.id ? opts.error.value : ''}
                      </textarea>
                      {opts.error?.id === review.id ? (
                        <p class="field-error" id={`reply-${review.id}-err`} role="alert">
                          {opts.error.message}
                        </p>
                      ) : null}
                      <p class="muted small">{t('reviews.replyOnce')}</p>
                      <button type="submit" class="button">
                        {t('reviews.publishReply')}
                      </button>
                    </form>
                  </details>
                ) : null}
              </ReviewItem>
            ))}
          </ul>
        )}
        <Pagination t={t} page={pageNo} total={r.total} pageSize={REVIEWS_PER_PAGE} href={(p) => url(filter, p)} />
      </>
    ),
  });
}

/** The list's filter and page, as links write them; a bad value reads as the default. */
const ReviewsQuery = z.object({ filter: lenient(z.enum(['unreplied'])), page: lenient(z.string()) });
type ReviewsQueryT = z.infer<typeof ReviewsQuery>;

area.get('/reviews', { query: ReviewsQuery }, async (c, r) => {
  return reviewsPage(c, r.creator, r.query);
});

area.post(
  '/reviews/:id/reply',
  {
    params: AnyId,
    query: ReviewsQuery,
    form: ReplyBody,
    // The reviews page again, the reply kept in its box.
    refused: (c, f) =>
      reviewsPage(c, f.creator, f.query, {
        status: 400,
        error: { id: f.params.id, message: viewOf(c).t('reviews.errors.invalid'), value: f.raw.reply ?? '' },
      }),
  },
  async (c, r) => {
    const { t, href } = viewOf(c);
    const { id } = r.params;
    const form = await r.raw();
    const done = await replyToReview(c.get('deps'), r.user, id, r.form.reply);
    if (!done.ok) {
      // A role withdrawn since the guard ran (CreatorRefusal): the offer pages' wording for it.
      const own = done.code === 'REVIEW_NOT_FOUND' || done.code === 'ALREADY_REPLIED';
      const message = t((own ? `reviews.errors.${done.code}` : `offer.errors.${done.code}`) as MessageKey);
      return reviewsPage(c, r.creator, r.query, {
        status: done.code === 'REVIEW_NOT_FOUND' ? 404 : own ? 409 : 403,
        error: { id, message, value: form.reply ?? '' },
      });
    }
    flash(c, 'reviews.replied');
    return c.redirect(href('/creator/reviews'), 303);
  },
);
