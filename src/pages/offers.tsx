/** The offer page: details in the viewer's zone, live availability, booking, the creator's other slots. */
import { imageUrl, upcomingOffers } from '../domain/creators/queries';
import { bookOffer } from '../domain/booking/taken';
import { offerAlternatives } from '../domain/offers/alternatives';
import { heldBy, offerWithCreator } from '../domain/offers/queries';
import type { CallOffer, Creator } from '../domain/rows';
import type { Ctx } from '../http/context';
import { notFound } from '../http/errors';
import { refusal } from '../http/refusals';
import { toAlternativesDto } from '../domain/offers/dto';
import type { MessageKey } from '../i18n';
import { formatMoney } from '../i18n/format';
import { OfferList } from './creators';
import { OfferAlternatives, type AlternativesLabels } from '../shared/offer-alternatives';
import { Avatar, Duration, Money, StatusBadge, TimeRange } from './components/ui';
import { errorText } from './errors';
import { pageArea } from './page-route';
import { AnyId } from './params';
import { page, viewOf } from './render';

const area = pageArea('public');
export const offerPages = area.app;
const L = '/:lang{fr|en}';

async function loadOffer(c: Ctx, id: string): Promise<{ offer: CallOffer; creator: Creator } | null> {
  if (!/^off_[0-9a-z]{6,40}$/.test(id)) return null;
  return offerWithCreator(c.get('deps'), id);
}

/** Labels of the "what else to book" list inside the taken notice. */
function alternativesLabels(c: Ctx, name: string): AlternativesLabels {
  const { t } = viewOf(c);
  return {
    offers: t('offer.alternatives.offers', { name }),
    slots: t('offer.alternatives.slots', { name }),
    none: t('offer.alternatives.none', { name }),
    request: t('offer.alternatives.request'),
    loading: t('offer.alternatives.loading'),
    failed: t('offer.alternatives.failed'),
  };
}

/** Labels the live island needs, in the page language. */
function liveLabels(c: Ctx) {
  const { t } = viewOf(c);
  const keys = ['AVAILABLE', 'HELD', 'BOOKED', 'COMPLETED', 'CANCELLED', 'EXPIRED'] as const;
  return {
    status: Object.fromEntries(keys.map((k) => [k, t(`status.offer.${k}` as MessageKey)])),
    book: t('offer.book'),
    held: t('offer.beingBooked'),
    booked: t('offer.alreadyBooked'),
    closed: t('offer.closed'),
    yours: t('offer.youHoldIt'),
    resume: t('offer.resumePayment'),
    live: t('offer.liveOn'),
    polling: t('offer.livePolling'),
    notForYou: t('offer.notForYou'),
    alternativesFound: t('offer.alternatives.found'),
  };
}

async function offerPage(c: Ctx, id: string, error?: { code: string; message: string }, status = 200) {
  const found = await loadOffer(c, id);
  if (!found) throw notFound('Offer');
  const { offer, creator } = found;
  const view = viewOf(c);
  const { t, href, locale, timezone, user } = view;
  const deps = c.get('deps');
  const myHold = user ? await heldBy(deps, offer.id, user.id) : null;
  const others = (await upcomingOffers(deps, creator.id, 8)).filter(
    (o) => o.id !== offer.id && o.status === 'AVAILABLE',
  );
  const bookable = (!offer.reservedForUserId || offer.reservedForUserId === user?.id) && user?.id !== creator.userId;
  // Taken (or closed) for someone who could have booked it: say what else there is, right in the notice.
  const alternatives =
    offer.status !== 'AVAILABLE' && bookable && !myHold
      ? toAlternativesDto(creator, await offerAlternatives(deps, creator, offer.id))
      : null;
  const alt = {
    locale,
    timezone,
    langPrefix: `/${locale}`,
    creatorSlug: creator.slug,
    labels: alternativesLabels(c, creator.displayName),
  };
  const props = {
    offerId: offer.id,
    status: offer.status,
    youHold: !!myHold,
    canBook: bookable,
    bookUrl: href(`/offers/${offer.id}/book`),
    checkoutUrl: myHold ? href(`/bookings/${myHold}/checkout`) : null,
    labels: liveLabels(c),
    alternatives,
    alt,
  };
  return page(c, {
    title: offer.title,
    status,
    islands: ['offer-live'],
    description: `${creator.displayName} · ${formatMoney(offer.price, offer.currency, locale)}`,
    body: (
      <>
        <p>
          <a href={href(`/c/${creator.slug}`)}>← {creator.displayName}</a>
        </p>
        {error ? (
          <div class="notice error" role="alert" data-error={error.code}>
            {error.message}
          </div>
        ) : null}
        <div class="grid two offer-layout">
          <article class="card">
            <h1>{offer.title}</h1>
            <p class="offer-when">
              <TimeRange start={offer.startsAt} end={offer.endsAt} locale={locale} timezone={timezone} />
            </p>
            <p class="muted">{t('offer.inYourZone', { zone: timezone })}</p>
            <dl class="meta">
              <dt>{t('offer.duration')}</dt>
              <dd>
                <Duration minutes={offer.durationMinutes} locale={locale} />
              </dd>
              <dt>{t('offer.price')}</dt>
              <dd>
                <strong>
                  <Money amount={offer.price} currency={offer.currency} locale={locale} />
                </strong>
              </dd>
              <dt>{t('offer.policy')}</dt>
              <dd>{t(`policy.${creator.cancellationPolicy}` as MessageKey)}</dd>
            </dl>
            {offer.description ? <p class="offer-description">{offer.description}</p> : null}
          </article>
          <aside class="card booking-panel">
            <div class="creator-mini">
              <Avatar name={creator.displayName} url={imageUrl(creator.profileImageKey)} size="sm" />
              <div>
                <strong>{creator.displayName}</strong>
                <div class="muted small">{creator.expertise}</div>
              </div>
            </div>
            <div data-island="offer-live" data-props={JSON.stringify(props)}>
              <p class="live-status">
                <StatusBadge t={t} kind="offer" status={offer.status} />
              </p>
              {myHold ? (
                <a class="button block" href={href(`/bookings/${myHold}/checkout`)}>
                  {t('offer.resumePayment')}
                </a>
              ) : offer.status === 'AVAILABLE' && bookable ? (
                <form method="post" action={href(`/offers/${offer.id}/book`)}>
                  <button type="submit" class="button block">
                    {t('offer.book')}
                  </button>
                </form>
              ) : offer.status === 'AVAILABLE' || !bookable ? (
                <p class="notice info">
                  {offer.status === 'AVAILABLE'
                    ? t('offer.notForYou')
                    : t(
                        offer.status === 'HELD'
                          ? 'offer.beingBooked'
                          : offer.status === 'BOOKED'
                            ? 'offer.alreadyBooked'
                            : 'offer.closed',
                      )}
                </p>
              ) : (
                <div class="notice warning taken" tabIndex={-1}>
                  <p class="taken-title">
                    {t(
                      offer.status === 'HELD'
                        ? 'offer.beingBooked'
                        : offer.status === 'BOOKED'
                          ? 'offer.alreadyBooked'
                          : 'offer.closed',
                    )}
                  </p>
                  <OfferAlternatives alternatives={alternatives} {...alt} />
                </div>
              )}
            </div>
            <p class="muted small">{t('offer.holdNote')}</p>
          </aside>
        </div>
        <section class="other-slots" id="other-slots" aria-labelledby="others-h">
          <h2 id="others-h">{t('offer.otherSlots', { name: creator.displayName })}</h2>
          <OfferList view={view} offers={others} />
          {others.length ? null : (
            <p>
              <a href={href(`/c/${creator.slug}#request`)}>{t('offer.alternatives.request')}</a>
            </p>
          )}
        </section>
      </>
    ),
  });
}

area.get(`${L}/offers/:id`, { params: AnyId }, (c, { params }) => offerPage(c, params.id));

// Public, so that a visitor signs in and comes back to the offer page, not to this POST's URL.
area.post(`${L}/offers/:id/book`, { params: AnyId }, async (c, { user, params }) => {
  const { href, t } = viewOf(c);
  const { id } = params;
  if (!user) return c.redirect(href(`/signin?next=${encodeURIComponent(href(`/offers/${id}`))}`), 303);
  const deps = c.get('deps');
  if (!(await loadOffer(c, id))) throw notFound('Offer');
  // Never answered from the cache of taken offers (the page's button always asks the object), but keeps it in step.
  const r = await bookOffer(deps, id, user.id);
  if (!r.ok) {
    const err = refusal(r.code);
    // The offer page's own wording where it has one (OFFER_UNAVAILABLE offers other slots), else the code's (HOLD_EXPIRED, RATE_LIMITED…).
    const key = `offer.errors.${r.code}` as MessageKey;
    const own = t(key);
    return offerPage(c, id, { code: r.code, message: own !== key ? own : errorText(t, err.status, err) }, err.status);
  }
  return c.redirect(href(`/bookings/${r.booking.id}/checkout`), 303);
});
