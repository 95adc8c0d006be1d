/** Public creator directory (search + paging) and creator pages with upcoming offers and a request form. */
import { z } from 'zod';
import type { CallOffer, Creator } from '../domain/rows';
import {
  creatorPageBySlug,
  creatorPageReads,
  creatorReviewPage,
  DIRECTORY_PAGE_SIZE,
  findCreator,
  imageUrl,
  listCreators,
  type CreatorPageReads,
} from '../domain/creators/queries';
import type { Ctx } from '../http/context';
import { notFound } from '../http/errors';
import { cachedForAnonymous } from '../http/page-cache';
import { formatMoney } from '../i18n/format';
import { toLocalInput } from '../lib/tz';
import { CreatorListQuery } from '../shared/creators';
import { createRequest } from '../domain/requests/requests';
import { refusal } from '../http/refusals';
import type { MessageKey } from '../i18n';
import { parseMajorAmount } from '../i18n/format';
import { parseLocalDateTime } from '../lib/tz';
import { CreateRequestBody } from '../shared/offers';
import { Field, localizeIssues, type FieldErrors } from './components/form';
import {
  Avatar,
  Banner,
  Duration,
  Empty,
  Money,
  Pagination,
  pageParam,
  Stars,
  StatusBadge,
  When,
} from './components/ui';
import { ReviewItem } from './components/reviews';
import { REVIEWS_PER_PAGE } from '../domain/reviews/reviews';
import { flash, page, viewOf, type View } from './render';
import { bookFromAvailability, PickerQuery, type Picked } from './slots';
import { lenient, pageArea } from './page-route';
import { PageQuery } from './params';
import { acceptedCurrency } from '../domain/payments/currency';

/** Reviews shown on a creator's page; the rest are one click away. */
const LATEST_REVIEWS = 5;

const area = pageArea('public');
export const creatorPages = area.app;
const SlugPath = { params: z.object({ slug: z.string() }) };
const L = '/:lang{fr|en}';

// A query that fails the schema lists everyone from page 1, as the directory always did.
area.get(`${L}/creators`, { query: lenient(CreatorListQuery) }, (c, { query }) =>
  cachedForAnonymous(c, async () => {
    const view = viewOf(c);
    const { t, href, locale, timezone } = view;
    const q = query?.q;
    const pageNo = query?.page ?? 1;
    const { items, total } = await listCreators(c.get('deps'), q, pageNo);
    return page(c, {
      title: t('creators.title'),
      description: t('creators.lead'),
      mainClass: 'wide',
      body: (
        <>
          <h1>{t('creators.title')}</h1>
          <p class="lead">{t('creators.lead')}</p>
          <form method="get" action={href('/creators')} class="search" role="search">
            <label for="q" class="sr-only">
              {t('creators.search')}
            </label>
            <input id="q" name="q" type="search" value={q ?? ''} placeholder={t('creators.searchPlaceholder')} />
            <button type="submit" class="button">
              {t('creators.search')}
            </button>
          </form>
          <p class="muted">
            {q ? t('creators.resultsFor', { count: total, q }) : t('creators.count', { count: total })}
          </p>
          {items.length === 0 ? (
            <Empty>{t('creators.none')}</Empty>
          ) : (
            <ul class="grid three creator-grid">
              {items.map((cr) => (
                <li class="card creator-card">
                  <a href={href(`/c/${cr.slug}`)} class="creator-link">
                    <Avatar name={cr.displayName} url={cr.profileImageUrl} />
                    <span>
                      <strong class="creator-name">{cr.displayName}</strong>
                      <span class="muted creator-expertise">{cr.expertise}</span>
                    </span>
                  </a>
                  <p class="creator-meta">
                    <Stars t={t} average={cr.rating.average} count={cr.rating.count} />
                    {cr.priceFrom ? (
                      <span>
                        {t('creators.from', { price: formatMoney(cr.priceFrom.amount, cr.priceFrom.currency, locale) })}
                      </span>
                    ) : null}
                  </p>
                  <p class="muted small">
                    {cr.nextOfferAt ? (
                      <>
                        {t('creators.next')}{' '}
                        <When at={new Date(cr.nextOfferAt)} locale={locale} timezone={timezone} style="medium" />
                      </>
                    ) : (
                      t('creators.noSlots')
                    )}
                  </p>
                </li>
              ))}
            </ul>
          )}
          <Pagination
            t={t}
            page={pageNo}
            total={total}
            pageSize={DIRECTORY_PAGE_SIZE}
            href={(p) => `${href('/creators')}?${new URLSearchParams({ ...(q ? { q } : {}), page: String(p) })}`}
          />
        </>
      ),
    });
  }),
);

export function OfferList({ view, offers }: { view: View; offers: CallOffer[] }) {
  const { t, href, locale, timezone } = view;
  if (!offers.length) return <Empty>{t('creator.noOffers')}</Empty>;
  return (
    <ul class="offer-list">
      {offers.map((o) => (
        <li class={`offer-row status-${o.status.toLowerCase()}`}>
          <div>
            <a href={href(`/offers/${o.id}`)} class="offer-title">
              {o.title}
            </a>
            <div class="muted">
              <When at={o.startsAt} locale={locale} timezone={timezone} style="full" /> ·{' '}
              <Duration minutes={o.durationMinutes} locale={locale} />
            </div>
          </div>
          <div class="offer-side">
            <Money amount={o.price} currency={o.currency} locale={locale} />
            <StatusBadge t={t} kind="offer" status={o.status} />
          </div>
        </li>
      ))}
    </ul>
  );
}

export function RequestForm({
  c,
  creator,
  values = {},
  errors = {},
}: {
  c: Ctx;
  creator: Creator;
  values?: Record<string, string>;
  errors?: FieldErrors;
}) {
  const { t, href, timezone } = viewOf(c);
  const defaultStart = `${toLocalInput(new Date(Date.now() + 3 * 86_400_000), timezone).slice(0, 11)}18:00`;
  return (
    <form method="post" action={href(`/c/${creator.slug}/request`)} class="card request-form" id="request" novalidate>
      <h2>{t('request.title')}</h2>
      <p class="muted">{t('request.lead', { name: creator.displayName })}</p>
      <div class="grid two tight">
        <Field
          name="proposedStartsAt"
          type="datetime-local"
          label={t('request.when', { zone: timezone })}
          value={values.proposedStartsAt ?? defaultStart}
          error={errors.proposedStartsAt}
          required
        />
        <Field name="durationMinutes" label={t('offer.duration')} error={errors.durationMinutes}>
          <select id="f-durationMinutes" name="durationMinutes">
            {[15, 20, 30, 45, 60, 90].map((m) => (
              <option value={m} selected={String(m) === (values.durationMinutes ?? '30')}>
                {m} min
              </option>
            ))}
          </select>
        </Field>
        <Field
          name="proposedPrice"
          type="text"
          label={t('request.price', { currency: acceptedCurrency(creator) })}
          value={values.proposedPrice ?? ''}
          error={errors.proposedPrice}
          required
          attrs={{ inputmode: 'decimal', placeholder: '50.00' }}
        />
        <input type="hidden" name="currency" value={acceptedCurrency(creator)} />
      </div>
      <Field name="message" label={t('request.message')} error={errors.message} required>
        <textarea id="f-message" name="message" maxlength={1000} required>
          {values.message ?? ''}
        </textarea>
      </Field>
      <button type="submit" class="button">
        {t('request.submit')}
      </button>
    </form>
  );
}

export async function creatorPageBody(
  c: Ctx,
  creator: Creator,
  picked: Picked,
  extra?: { values?: Record<string, string>; errors?: FieldErrors; formError?: string },
  preloaded?: CreatorPageReads,
) {
  const view = viewOf(c);
  const { t, user } = view;
  const deps = c.get('deps');
  const { offers, rating: r, types, latest } = preloaded ?? (await creatorPageReads(deps, creator.id, LATEST_REVIEWS));
  const booking = await bookFromAvailability(c, creator, picked, types);
  const links = Object.entries(creator.socialLinks as Record<string, string>);
  return (
    <>
      <section class="creator-hero">
        {creator.bannerImageKey ? (
          <Banner class="banner" url={imageUrl(creator.bannerImageKey)!} />
        ) : (
          <div class="banner placeholder" />
        )}
        <div class="creator-head">
          <Avatar name={creator.displayName} url={imageUrl(creator.profileImageKey)} size="lg" />
          <div>
            <h1>{creator.displayName}</h1>
            <p class="lead">{creator.expertise}</p>
            <p>
              <Stars t={t} average={r.average} count={r.count} />
            </p>
          </div>
        </div>
      </section>
      {booking}
      <div class="grid two creator-body">
        <section>
          <h2>{t('creator.about')}</h2>
          {creator.bio ? creator.bio.split(/\n+/).map((p) => <p>{p}</p>) : <p class="muted">{t('creator.noBio')}</p>}
          {links.length ? (
            <ul class="social">
              {links.map(([k, url]) => (
                <li>
                  <a href={url} rel="noopener noreferrer nofollow" target="_blank">
                    {t(`social.${k}` as never)}
                  </a>
                </li>
              ))}
            </ul>
          ) : null}
          <p class="muted small">{t(`policy.${creator.cancellationPolicy}` as never)}</p>
        </section>
        <section aria-labelledby="slots-h">
          <h2 id="slots-h">{t('creator.upcoming')}</h2>
          <OfferList view={view} offers={offers} />
        </section>
      </div>
      {latest.length ? (
        <section id="reviews" aria-labelledby="reviews-h">
          <h2 id="reviews-h">
            {t('reviews.latest')} <Stars t={t} average={r.average} count={r.count} />
          </h2>
          <ul class="plain review-list">
            {latest.map((x) => (
              <ReviewItem
                t={t}
                locale={view.locale}
                timezone={view.timezone}
                review={x.review}
                author={x.author}
                creatorName={creator.displayName}
              />
            ))}
          </ul>
          {r.count > latest.length ? (
            <p>
              <a href={view.href(`/c/${creator.slug}/reviews`)}>{t('reviews.all', { count: r.count })}</a>
            </p>
          ) : null}
        </section>
      ) : null}
      {extra?.formError ? (
        <div class="notice error" role="alert">
          {extra.formError}
        </div>
      ) : null}
      {user && user.id !== creator.userId ? (
        <RequestForm c={c} creator={creator} values={extra?.values} errors={extra?.errors} />
      ) : null}
      {!user ? (
        <p class="card center" id="request">
          <a href={view.href(`/signin?next=${encodeURIComponent(view.href(`/c/${creator.slug}`))}`)}>
            {t('creator.signInToRequest')}
          </a>
        </p>
      ) : null}
    </>
  );
}

// Public: a visitor is sent to sign in and back to the creator's page, not to this POST's URL.
area.post(`${L}/c/:slug/request`, { ...SlugPath, query: PickerQuery }, async (c, { user, params, query, raw }) => {
  const deps = c.get('deps');
  const creator = await findCreator(deps, params.slug);
  if (!creator) throw notFound('Creator');
  const { t, href, timezone } = viewOf(c);
  if (!user) return c.redirect(href(`/signin?next=${encodeURIComponent(href(`/c/${creator.slug}`))}`), 303);
  const form = await raw();
  const start = parseLocalDateTime(form.proposedStartsAt ?? '', timezone);
  const parsed = CreateRequestBody.safeParse({
    proposedPrice: parseMajorAmount(form.proposedPrice ?? '', acceptedCurrency(creator)) ?? -1,
    currency: acceptedCurrency(creator),
    proposedStartsAt: start ? start.toISOString() : 'invalid',
    durationMinutes: Number(form.durationMinutes),
    message: form.message ?? '',
  });
  const render = async (extra: Parameters<typeof creatorPageBody>[3], status: number) =>
    page(c, {
      title: creator.displayName,
      mainClass: 'wide',
      status,
      body: await creatorPageBody(c, creator, query, extra),
    });
  if (!parsed.success) return render({ values: form, errors: localizeIssues(t, parsed.error) }, 400);
  const { success } = await deps.limiters.request.limit({ key: `request:${user.id}` });
  if (!success) return render({ values: form, formError: t('auth.errors.rateLimited') }, 429);
  const r = await createRequest(deps, user, creator.id, {
    ...parsed.data,
    proposedStartsAt: new Date(parsed.data.proposedStartsAt),
  });
  if (!r.ok)
    return render(
      { values: form, formError: t(`offer.errors.${r.code}` as MessageKey, { currency: acceptedCurrency(creator) }) },
      refusal(r.code).status,
    );
  flash(c, 'request.sent');
  return c.redirect(href('/dashboard/requests'), 303);
});

area.get(`${L}/c/:slug`, { ...SlugPath, query: PickerQuery }, (c, { params, query }) =>
  cachedForAnonymous(c, async () => {
    const found = await creatorPageBySlug(c.get('deps'), params.slug, LATEST_REVIEWS);
    if (!found) throw notFound('Creator');
    const { creator, reads } = found;
    return page(c, {
      title: creator.displayName,
      description: creator.expertise,
      mainClass: 'wide',
      body: await creatorPageBody(c, creator, query, undefined, reads),
    });
  }),
);

area.get(`${L}/c/:slug/reviews`, { ...SlugPath, query: PageQuery }, async (c, { params, query }) => {
  const deps = c.get('deps');
  const creator = await findCreator(deps, params.slug);
  if (!creator) throw notFound('Creator');
  const { t, href, locale, timezone } = viewOf(c);
  const pageNo = pageParam(query.page);
  const { rating: r, ...list } = await creatorReviewPage(deps, creator.id, pageNo);
  return page(c, {
    title: t('reviews.of', { name: creator.displayName }),
    body: (
      <>
        <p>
          <a href={href(`/c/${creator.slug}`)}>← {creator.displayName}</a>
        </p>
        <h1>{t('reviews.of', { name: creator.displayName })}</h1>
        <p class="big">
          <Stars t={t} average={r.average} count={r.count} />
        </p>
        {!list.rows.length ? (
          <Empty>{t('reviews.none')}</Empty>
        ) : (
          <ul class="plain review-list">
            {list.rows.map((x) => (
              <ReviewItem
                t={t}
                locale={locale}
                timezone={timezone}
                review={x.review}
                author={x.author}
                creatorName={creator.displayName}
              />
            ))}
          </ul>
        )}
        <Pagination
          t={t}
          page={pageNo}
          total={list.total}
          pageSize={REVIEWS_PER_PAGE}
          href={(p) => href(`/c/${creator.slug}/reviews?page=${p}`)}
        />
      </>
    ),
  });
});
