/**
 * "Taken — here is what else you can book": the creator's other free offers and next bookable
 * times, shown inside the offer page's "being booked / already booked" notice. Rendered by the
 * server (the page works without JavaScript) and by the offer-live island when the status changes.
 * No zod here: the island imports this file (the API's schema lives in src/shared/alternatives.ts).
 */
type Locale = 'fr' | 'en';
import { formatDateTime, formatDuration, formatMoney } from '../i18n/format';
import { localDate } from '../lib/tz';

export interface AlternativeOffer {
  id: string;
  title: string;
  startsAt: string;
  durationMinutes: number;
  price: number;
  currency: string;
}
export interface AlternativeSlot {
  typeId: string;
  typeName: string;
  startsAt: string;
  durationMinutes: number;
  price: number;
  currency: string;
}
export interface Alternatives {
  offers: AlternativeOffer[];
  slots: AlternativeSlot[];
}

export interface AlternativesLabels {
  offers: string;
  slots: string;
  none: string;
  request: string;
  loading: string;
  failed: string;
}

export interface AlternativesProps {
  /** null while loading (the island fetches them when the status changes). */
  alternatives: Alternatives | null;
  failed?: boolean;
  locale: Locale;
  timezone: string;
  /** `/en` or `/fr`. */
  langPrefix: string;
  creatorSlug: string;
  labels: AlternativesLabels;
}

/** The creator page opened on that slot's day in the picker (its month and day in the viewer's zone). */
export function slotHref(
  p: Pick<AlternativesProps, 'langPrefix' | 'creatorSlug' | 'timezone'>,
  s: AlternativeSlot,
): string {
  const day = localDate(new Date(s.startsAt), p.timezone);
  const q = new URLSearchParams({ type: s.typeId, month: day.slice(0, 7), day });
  return `${p.langPrefix}/c/${encodeURIComponent(p.creatorSlug)}?${q}#slot-picker`;
}

export function OfferAlternatives(p: AlternativesProps) {
  const a = p.alternatives;
  if (!a)
    return (
      <p class="alternatives-status" data-alternatives="loading">
        {p.failed ? p.labels.failed : p.labels.loading}
      </p>
    );
  const when = (iso: string) => formatDateTime(new Date(iso), p.locale, p.timezone, 'medium');
  if (!a.offers.length && !a.slots.length) {
    return (
      <p class="alternatives-none" data-alternatives="none">
        {p.labels.none}{' '}
        <a href={`${p.langPrefix}/c/${encodeURIComponent(p.creatorSlug)}#request`} data-alternative="request">
          {p.labels.request}
        </a>
      </p>
    );
  }
  return (
    <div class="alternatives" data-alternatives="list">
      {a.offers.length ? (
        <>
          <p class="alternatives-title">{p.labels.offers}</p>
          <ul class="plain alternatives-list">
            {a.offers.map((o) => (
              <li>
                <a href={`${p.langPrefix}/offers/${o.id}`} data-alternative="offer" data-offer-id={o.id}>
                  {when(o.startsAt)}
                </a>
                <span class="muted small">
                  {' '}
                  · {o.title} · {formatDuration(o.durationMinutes, p.locale)} ·{' '}
                  {formatMoney(o.price, o.currency, p.locale)}
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {a.slots.length ? (
        <>
          <p class="alternatives-title">{p.labels.slots}</p>
          <ul class="plain alternatives-list">
            {a.slots.map((s) => (
              <li>
                <a href={slotHref(p, s)} data-alternative="slot" data-type-id={s.typeId} data-starts-at={s.startsAt}>
                  {when(s.startsAt)}
                </a>
                <span class="muted small">
                  {' '}
                  · {s.typeName} · {formatDuration(s.durationMinutes, p.locale)} ·{' '}
                  {formatMoney(s.price, s.currency, p.locale)}
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
