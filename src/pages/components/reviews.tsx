/** A review as everyone sees it (stars, comment, first name, date) with the creator's reply under it. */
import type { ComponentChildren } from 'preact';
import type { Review } from '../../domain/rows';
import type { Locale } from '../../shared/enums';
import type { T } from '../../i18n';
import { formatDate } from '../../i18n/format';
import { firstName } from '../../lib/text';

export function StarRating({ t, rating }: { t: T; rating: number }) {
  return (
    <span class="star-rating" role="img" aria-label={t('reviews.outOf', { n: rating })}>
      {'★'.repeat(rating)}
      {'☆'.repeat(5 - rating)}
    </span>
  );
}

export function ReviewItem({
  t,
  locale,
  timezone,
  review,
  author,
  creatorName,
  children,
}: {
  t: T;
  locale: Locale;
  timezone: string;
  review: Review;
  author: string;
  creatorName: string;
  children?: ComponentChildren;
}) {
  return (
    <li class={`review${review.hiddenAt ? ' hidden-review' : ''}`} data-review-id={review.id}>
      <p class="review-head">
        <StarRating t={t} rating={review.rating} /> <strong>{firstName(author)}</strong>{' '}
        <time class="muted small" datetime={review.createdAt.toISOString()}>
          {formatDate(review.createdAt, locale, timezone, 'medium')}
        </time>
        {review.hiddenAt ? (
          <>
            {' '}
            <span class="badge danger" data-hidden>
              {t('reviews.hidden')}
            </span>
          </>
        ) : null}
      </p>
      {review.comment ? <p class="review-comment">{review.comment}</p> : null}
      {review.reply ? (
        <div class="review-reply" data-reply>
          <p class="small">
            <strong>{t('reviews.replyBy', { name: creatorName })}</strong>
          </p>
          <p>{review.reply}</p>
        </div>
      ) : null}
      {children}
    </li>
  );
}

/** Count of each rating, as bars (5 stars first). */
export function RatingSpread({ t, counts }: { t: T; counts: number[] }) {
  const total = counts.reduce((a, b) => a + b, 0) || 1;
  return (
    <ul class="plain rating-spread">
      {[5, 4, 3, 2, 1].map((r) => {
        const n = counts[r - 1] ?? 0; // counts[0] holds the one-star reviews
        return (
          <li data-rating={r}>
            <span class="label">{t('reviews.starsShort', { n: r })}</span>
            <span class="bar" aria-hidden="true">
              <span data-width-pct={`${Math.round((n / total) * 100)}%`} />
            </span>
            <span class="n">{n}</span>
          </li>
        );
      })}
    </ul>
  );
}
