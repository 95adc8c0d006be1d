/** Admin — reviews: every review (hidden or visible, by creator, by rating, by text), hide an abusive one with a reason, show it again. */
import { Hono } from 'hono';
import { creatorChoices } from '../../domain/admin/bookings';
import { hideReview, MODERATION_PAGE, reviewsForModeration, unhideReview } from '../../domain/reviews/moderation';
import type { AppEnv, Ctx } from '../../http/context';
import { redirectTarget } from '../../http/redirect';
import { readForm, singleLine } from '../components/form';
import { Empty, pageParam, Pagination, When } from '../components/ui';
import { flash, page, viewOf } from '../render';
import { AdminNav, requireAdminPage } from './common';
import { idOf, oneOf, qs, SelectFilter } from './kit';

export const adminReviewPages = new Hono<AppEnv>();
const L = '/:lang{fr|en}';
const VISIBILITY = ['visible', 'hidden'] as const;

function filtersOf(c: Ctx) {
  const q = c.req.query();
  return {
    visibility: oneOf(VISIBILITY, q.visibility),
    creator: idOf('crt', q.creator),
    rating: oneOf(['1', '2', '3', '4', '5'] as const, q.rating),
    q: (q.q ?? '').trim().slice(0, 100) || undefined,
  };
}

adminReviewPages.get(`${L}/admin/reviews`, async (c) => {
  const admin = requireAdminPage(c);
  if (admin instanceof Response) return admin;
  const { t, href, locale, timezone } = viewOf(c);
  const deps = c.get('deps');
  const f = filtersOf(c);
  const p = pageParam(c.req.query('page'));
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

adminReviewPages.post(`${L}/admin/reviews/:id/hide`, async (c) => {
  const admin = requireAdminPage(c);
  if (admin instanceof Response) return admin;
  const form = await readForm(c.req.raw);
  const reason = singleLine(form.reason, 500);
  if (reason.length < 3) flash(c, 'adminx.reviews.reasonRequired', 'error');
  else {
    const r = await hideReview(c.get('deps'), admin.id, c.req.param('id'), reason, c.get('requestId'));
    flash(c, r.ok ? 'adminx.reviews.hiddenDone' : 'admin.failed', r.ok ? 'success' : 'error');
  }
  return c.redirect(backOf(c, form), 303);
});

adminReviewPages.post(`${L}/admin/reviews/:id/unhide`, async (c) => {
  const admin = requireAdminPage(c);
  if (admin instanceof Response) return admin;
  const form = await readForm(c.req.raw);
  const r = await unhideReview(c.get('deps'), admin.id, c.req.param('id'), c.get('requestId'));
  flash(c, r.ok ? 'adminx.reviews.shownDone' : 'admin.failed', r.ok ? 'success' : 'error');
  return c.redirect(backOf(c, form), 303);
});
