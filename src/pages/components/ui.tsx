/** Small presentational pieces shared by pages: statuses, money, times, avatars, pagination. */
import type { ComponentChildren } from 'preact';
import type { Currency, Locale } from '../../shared/enums';
import type { MessageKey, T } from '../../i18n';
import { formatDateTime, formatDuration, formatMoney, formatTime, zoneName } from '../../i18n/format';
import { imageSources } from '../../lib/image-variants';

const STATUS_TONE: Record<string, string> = {
  AVAILABLE: 'success',
  HELD: 'warning',
  BOOKED: 'info',
  COMPLETED: 'success',
  CANCELLED: 'danger',
  EXPIRED: '',
  PENDING: 'warning',
  CONFIRMED: 'info',
  FAILED: 'danger',
  ACCEPTED: 'success',
  REJECTED: 'danger',
  SUCCEEDED: 'success',
  REFUNDED: '',
  PARTIALLY_REFUNDED: 'warning',
  DISPUTED: 'danger',
  REQUESTED: 'warning',
  APPROVED: 'info',
  PROCESSING: 'info',
  PAID: 'success',
};

export function StatusBadge({
  t,
  kind,
  status,
}: {
  t: T;
  kind: 'offer' | 'booking' | 'request' | 'payment' | 'payout';
  status: string;
}) {
  return (
    <span class={`badge ${STATUS_TONE[status] ?? ''}`} data-status={status}>
      {t(`status.${kind}.${status}` as MessageKey)}
    </span>
  );
}

export function Money({ amount, currency, locale }: { amount: number; currency: Currency; locale: Locale }) {
  return <span class="money">{formatMoney(amount, currency, locale)}</span>;
}

/** A moment in the viewer's zone, machine-readable too. */
export function When({
  at,
  locale,
  timezone,
  style = 'long',
  withZone = true,
}: {
  at: Date;
  locale: Locale;
  timezone: string;
  style?: 'full' | 'long' | 'medium' | 'short';
  withZone?: boolean;
}) {
  return (
    <time datetime={at.toISOString()}>
      {formatDateTime(at, locale, timezone, style)}
      {withZone ? <span class="tz"> {zoneName(at, locale, timezone)}</span> : null}
    </time>
  );
}

export function TimeRange({
  start,
  end,
  locale,
  timezone,
}: {
  start: Date;
  end: Date;
  locale: Locale;
  timezone: string;
}) {
  return (
    <span>
      <When at={start} locale={locale} timezone={timezone} style="full" withZone={false} /> –{' '}
      <time datetime={end.toISOString()}>{formatTime(end, locale, timezone)}</time>
      <span class="tz"> {zoneName(start, locale, timezone)}</span>
    </span>
  );
}

export const Duration = ({ minutes, locale }: { minutes: number; locale: Locale }) => (
  <span>{formatDuration(minutes, locale)}</span>
);

const AVATAR_PX = { sm: 36, md: 64, lg: 120 } as const;

export function Avatar({ name, url, size = 'md' }: { name: string; url: string | null; size?: 'sm' | 'md' | 'lg' }) {
  const initials = name
    .split(/\s+/)
    .map((w) => w[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase();
  if (!url)
    return (
      <span class={`avatar ${size} initials`} aria-hidden="true">
        {initials}
      </span>
    );
  // The smallest variant that covers the box at 1×; srcset lets 2×/3× screens take the larger one.
  const px = AVATAR_PX[size];
  const { src, srcset } = imageSources(url, px);
  return (
    <img
      class={`avatar ${size}`}
      src={src}
      srcset={srcset}
      sizes={srcset ? `${px}px` : undefined}
      alt=""
      width={px}
      height={px}
      loading={size === 'lg' ? undefined : 'lazy'}
      decoding="async"
    />
  );
}

/** Banner <img> sizes: the page's content width (main.container.wide: min(1180px, 100% − 32px)). */
const BANNER_SIZES = '(max-width: 1212px) calc(100vw - 32px), 1180px';

/** A creator's banner, the variant chosen by the browser for its width. */
export function Banner({ url, class: className }: { url: string; class: string }) {
  const { src, srcset } = imageSources(url, 800);
  return <img class={className} src={src} srcset={srcset} sizes={srcset ? BANNER_SIZES : undefined} alt="" />;
}

export function Stars({ t, average, count }: { t: T; average: number | null; count: number }) {
  if (!count || average === null) return <span class="muted">{t('rating.none')}</span>;
  return (
    <span class="stars" title={t('rating.summary', { average: average.toFixed(1), count })}>
      ★ {average.toFixed(1)} <span class="muted">({count})</span>
    </span>
  );
}

/** A page number from the query (untrusted): a whole number from 1 to 10,000, else 1. */
export const pageParam = (v: string | undefined): number => Math.max(1, Math.min(10_000, Math.trunc(Number(v)) || 1));

export function Pagination({
  t,
  page,
  total,
  pageSize,
  href,
}: {
  t: T;
  page: number;
  total: number;
  pageSize: number;
  href: (p: number) => string;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages <= 1) return null;
  return (
    <nav class="pagination" aria-label={t('pagination.label')}>
      {page > 1 ? (
        <a href={href(page - 1)} rel="prev">
          ← {t('pagination.prev')}
        </a>
      ) : (
        <span />
      )}
      <span>{t('pagination.page', { page, pages })}</span>
      {page < pages ? (
        <a href={href(page + 1)} rel="next">
          {t('pagination.next')} →
        </a>
      ) : (
        <span />
      )}
    </nav>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

/** Tabs for an area (creator space, dashboard), current one marked. */
export function SectionNav({
  items,
  current,
  label,
}: {
  items: { href: string; label: string; key: string }[];
  current: string;
  label: string;
}) {
  return (
    <nav class="section-nav" aria-label={label}>
      {items.map((i) => (
        <a
          href={i.href}
          aria-current={i.key === current ? 'page' : undefined}
          class={i.key === current ? 'active' : ''}
        >
          {i.label}
        </a>
      ))}
    </nav>
  );
}
