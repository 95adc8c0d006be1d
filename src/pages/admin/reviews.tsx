/** Admin — reviews: every review (hidden or visible, by creator, by rating, by text), hide an abusive one with a reason, show it again. */
import { z } from 'zod';
import { creatorChoices } from '../../domain/admin/bookings';
import { hideReview, MODERATION_PAGE, reviewsForModeration, unhideReview } from '../../domain/reviews/moderation';
import type { Ctx } from '../../http/context';
import { redirectTarget } from '../../http/redirect';
import { Empty, Pagination, When } from '../components/ui';
import { pageArea, textField } from '../page-route';
import { page, viewOf } from '../render';
import { AdminNav } from './common';
import { enumFilter, idFilter, pageFilter, qs, searchFilter, SelectFilter } from './kit';

const admin = pageArea('admin');
export const adminReviewPages = admin.app;
const VISIBILITY = ['visible', 'hidden'] as const;

const ListQuery = z.object({
  visibility: enumFilter(VISIBILITY),
  creator: idFilter('crt'),
  rating: enumFilter(['1', '2', '3', '4', '5']),
  q: searchFilter(100),
  page: pageFilter,
});

admin.get('/reviews', { query: ListQuery }, async (c, { query: { page: p, ...f } }) => {
  const { t, href, locale, timezone } = viewOf(c);
  const deps = c.get('deps');
  const [{ rows, total }, creatorsList] = await Promise.all([
    reviewsForModeration(deps, {
      visibility: f.visibility,
      creatorId: f.creator,
      rating: f.rating ? Number(f.rating) : undefined,
      q: f.q,
      page: p,
    }),
    creatorChoices(deps),
  ]);
  const here = `/admin/reviews?${qs({ ...f, page: p })}`;
  return page(c, {
    title: t('adminx.reviews.title'),
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('admin.title')}</h1>
        <AdminNav c={c} current="reviews" />
        <h2>{t('adminx.reviews.title')}</h2>
        <form method="get" action={href('/admin/reviews')} class="inline-actions filters" data-review-filters>
          <SelectFilter
            id="v-vis"
            name="visibility"
            label={t('adminx.reviews.visibility')}
            all={t('admin.filterAll')}
            value={f.visibility}
            options={VISIBILITY.map((v) => ({
              value: v,
              label: t(v === 'hidden' ? 'adminx.reviews.hidden' : 'adminx.reviews.visible'),
            }))}
          />
          <SelectFilter
            id="v-creator"
            name="creator"
            label={t('admin.creator')}
            all={t('admin.filterAll')}
            value={f.creator}
            options={creatorsList.map((x) => ({ value: x.id, label: x.name }))}
          />
          <SelectFilter
            id="v-rating"
            name="rating"
            label={t('adminx.reviews.rating')}
            all={t('admin.filterAll')}
            value={f.rating}
            options={['1', '2', '3', '4', '5'].map((r) => ({ value: r, label: `${r} ★` }))}
          />
          <label for="v-q">{t('adminx.reviews.text')}</label>
          <input id="v-q" name="q" type="search" value={f.q ?? ''} />
          <button class="button small secondary" type="submit">
            {t('admin.filter')}
          </button>
        </form>
        <p class="muted small" data-total={total}>
          {t('adminx.results', { n: total })}
        </p>
        {rows.length === 0 ? (
          <Empty>{t('adminx.reviews.none')}</Empty>
        ) : (
          <ul class="plain review-moderation" data-reviews>
            {rows.map((r) => {
              const hidden = r.review.hiddenAt !== null;
              return (
                <li class={`card ${hidden ? 'is-hidden' : ''}`} data-review={r.review.id} data-hidden={String(hidden)}>
                  <div class="review-head">
                    <span class="stars" role="img" aria-label={t('adminx.reviews.stars', { n: r.review.rating })}>
                      {'★'.repeat(r.review.rating)}
                      <span class="muted">{'★'.repeat(5 - r.review.rating)}</span>
                    </span>
                    <span>
                      <strong>{r.author}</strong> <span class="muted small">{r.authorEmail}</span>
                    </span>
                    <span>
                      → <a href={href(`/c/${r.creatorSlug}`)}>{r.creatorName}</a>
                    </span>
                    <span class="small muted">
                      <When
                        at={r.review.createdAt}
                        locale={locale}
                        timezone={timezone}
                        style="medium"
                        withZone={false}
                      />
                    </span>
                    <a class="small" href={href(`/admin/bookings/${r.review.bookingId}`)}>
                      {t('adminx.reviews.booking')}
                    </a>
                    {hidden ? <span class="badge warning">{t('adminx.reviews.hidden')}</span> : null}
                  </div>
                  <blockquote>
                    {r.review.comment || <span class="muted">{t('adminx.reviews.noComment')}</span>}
                  </blockquote>
                  {r.review.reply ? (
                    <p class="small">
                      <strong>{t('adminx.reviews.reply')}</strong> {r.review.reply}
                    </p>
                  ) : null}
                  {hidden ? (
                    <div class="inline-actions">
                      <p class="small">
                        {t('adminx.reviews.hiddenBy', {
                          name: r.hiddenByName ?? '?',
                          reason: r.review.hiddenReason ?? '',
                        })}{' '}
                        ·{' '}
                        <When
                          at={r.review.hiddenAt!}
                          locale={locale}
                          timezone={timezone}
                          style="short"
                          withZone={false}
                        />
                      </p>
                      <form method="post" action={href(`/admin/reviews/${r.review.id}/unhide`)}>
                        <input type="hidden" name="back" value={here} />
                        <button class="button small secondary" type="submit">
                          {t('adminx.reviews.unhide')}
                        </button>
                      </form>
                    </div>
                  ) : (
                    <form method="post" action={href(`/admin/reviews/${r.review.id}/hide`)} class="inline-actions">
                      <input type="hidden" name="back" value={here} />
                      <label class="sr-only" for={`h-${r.review.id}`}>
                        {t('adminx.reviews.hideReason')}
                      </label>
                      <input
                        id={`h-${r.review.id}`}
                        name="reason"
                        type="text"
                        required
                        minLength={3}
                        maxLength={500}
                        placeholder={t('adminx.reviews.hideReason')}
                      />
                      <button class="button small danger" type="submit">
                        {t('adminx.reviews.hide')}
                      </button>
                    </form>
                  )}
                </li>
              );
            })}
          </ul>
        )}
        <Pagination
          t={t}
          page={p}
          total={total}
          pageSize={MODERATION_PAGE}
          href={(n) => `${href('/admin/reviews')}?${qs({ ...f, page: n })}`}
        />
      </>
    ),
  });
});

/** Back to the moderation list it came from (`back`: a path without the language), nowhere else. */
const backOf = (c: Ctx, form: Record<string, string>) => {
  const { href } = viewOf(c);
  return redirectTarget(c, form.back ? href(form.back) : null, href('/admin/reviews'), href('/admin/reviews'));
};
// Any id: the domain answers an unknown review with a refusal (flashed), not a 404.
const ReviewParams = z.object({ id: z.string() });

admin.post(
  '/reviews/:id/hide',
  { params: ReviewParams, form: z.object({ reason: textField(500) }), back: (c, { raw }) => backOf(c, raw) },
  async (c, { user, params, form: { reason }, back }) => {
    if (reason.length < 3) return back('adminx.reviews.reasonRequired', 'error');
    const r = await hideReview(c.get('deps'), user.id, params.id, reason, c.get('requestId'));
    return back(r.ok ? 'adminx.reviews.hiddenDone' : 'admin.failed', r.ok ? 'success' : 'error');
  },
);

admin.post(
  '/reviews/:id/unhide',
  { params: ReviewParams, form: z.object({}), back: (c, { raw }) => backOf(c, raw) },
  async (c, { user, params, back }) => {
    const r = await unhideReview(c.get('deps'), user.id, params.id, c.get('requestId'));
    return back(r.ok ? 'adminx.reviews.shownDone' : 'admin.failed', r.ok ? 'success' : 'error');
  },
);
