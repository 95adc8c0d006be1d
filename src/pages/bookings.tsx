/** Booking pages: checkout (hold countdown + payment), the booking itself (status, cancellation with its refund). */
import { z } from 'zod';
import { bookingForViewer, type BookingRole } from '../domain/booking/access';
import { cancelBooking, cancellationPreview } from '../domain/booking/cancel';
import { checkHoldForPayment } from '../domain/payments/hold';
import { imageUrl } from '../domain/creators/queries';
import { offerWithCreator } from '../domain/offers/queries';
import { paymentOfBooking, refundsOnTheirWay } from '../domain/payments/queries';
import type { Booking, CallOffer, Creator, User } from '../domain/rows';
import type { Ctx } from '../http/context';
import { notFound } from '../http/errors';
import { redirectTarget } from '../http/redirect';
import type { MessageKey } from '../i18n';
import { formatMoney } from '../i18n/format';
import { Avatar, Duration, Money, StatusBadge, TimeRange } from './components/ui';
import { pageArea, textField } from './page-route';
import { AnyId, idOf } from './params';
import { flash, page, viewOf } from './render';
import { PickerQuery, rescheduleSection } from './slots';

const area = pageArea('user');
export const bookingPages = area.app;
const BookingPath = { params: idOf('bkg'), notFound: 'Booking' };
const L = '/:lang{fr|en}';

/** The booking as its viewer may see it (fan, creator or admin), with its offer and creator; else a 404. */
async function load(
  c: Ctx,
  user: User,
  id: string,
): Promise<{ booking: Booking; role: BookingRole; offer: CallOffer; creator: Creator }> {
  const deps = c.get('deps');
  const found = await bookingForViewer(deps, user, id);
  if (!found) throw notFound('Booking');
  const row = (await offerWithCreator(deps, found.booking.offerId))!;
  return { ...found, ...row };
}

function Summary({ c, booking, offer, creator }: { c: Ctx; booking: Booking; offer: CallOffer; creator: Creator }) {
  const { t, locale, timezone, href } = viewOf(c);
  return (
    <section class="card">
      <div class="creator-mini">
        <Avatar name={creator.displayName} url={imageUrl(creator.profileImageKey)} size="sm" />
        <div>
          <a href={href(`/c/${creator.slug}`)}>
            <strong>{creator.displayName}</strong>
          </a>
          <div class="muted small">{offer.title}</div>
        </div>
      </div>
      <p class="offer-when">
        <TimeRange start={booking.startsAt} end={booking.endsAt} locale={locale} timezone={timezone} />
      </p>
      <dl class="meta">
        <dt>{t('offer.duration')}</dt>
        <dd>
          <Duration minutes={offer.durationMinutes} locale={locale} />
        </dd>
        <dt>{t('offer.price')}</dt>
        <dd>
          <strong>
            <Money amount={booking.price} currency={booking.currency} locale={locale} />
          </strong>
        </dd>
        <dt>{t('offer.policy')}</dt>
        <dd>
          {t(`policy.${booking.cancellationPolicy}` as MessageKey)} {t('checkout.earlyRefund')}
        </dd>
        <dt>{t('checkout.status')}</dt>
        <dd>
          <StatusBadge t={t} kind="booking" status={booking.status} />
        </dd>
      </dl>
    </section>
  );
}

area.get(`${L}/bookings/:id/checkout`, BookingPath, async (c, { user, params }) => {
  const { booking, role, offer, creator } = await load(c, user, params.id);
  const { t, href, locale } = viewOf(c);
  if (booking.status !== 'PENDING' || role !== 'FAN') return c.redirect(href(`/bookings/${booking.id}`), 303);
  const deps = c.get('deps');
  // A hold whose time is up is released here rather than offered for payment.
  const hold = await checkHoldForPayment(deps, booking);
  if (!hold.ok) return c.redirect(href(`/bookings/${booking.id}`), 303);
  // Resuming the hold re-checks it server-side and returns the payment to continue (idempotent).
  const resumed = await deps.rooms.offer(booking.offerId).book({ offerId: booking.offerId, userId: booking.userId });
  if (!resumed.ok || resumed.booking.id !== booking.id) return c.redirect(href(`/bookings/${booking.id}`), 303);
  const payment = resumed.payment;
  const stripe = payment.provider === 'stripe' && deps.payments.publishableKey && payment.clientSecret;
  if (stripe)
    c.set('cspExtra', {
      script: ['https://js.stripe.com'],
      frame: ['https://js.stripe.com', 'https://hooks.stripe.com'],
      connect: ['https://api.stripe.com'],
    });
  const returnUrl = href(`/bookings/${booking.id}`);
  return page(c, {
    title: t('checkout.title'),
    islands: stripe ? ['hold-countdown', 'stripe-checkout'] : ['hold-countdown'],
    body: (
      <>
        <h1>{t('checkout.title')}</h1>
        <div class="grid two">
          <Summary c={c} booking={booking} offer={offer} creator={creator} />
          <section class="card checkout-panel">
            <p
              class="hold"
              data-island="hold-countdown"
              data-props={JSON.stringify({
                until: booking.holdExpiresAt?.toISOString(),
                label: t('checkout.holdLeft'),
                expired: t('checkout.holdExpired'),
                expiredHref: href(`/offers/${offer.id}`),
              })}
            >
              {t('checkout.holdUntil')}{' '}
              <time datetime={booking.holdExpiresAt?.toISOString()}>
                {booking.holdExpiresAt
                  ? new Intl.DateTimeFormat(locale, {
                      hour: '2-digit',
                      minute: '2-digit',
                      timeZone: viewOf(c).timezone,
                    }).format(booking.holdExpiresAt)
                  : ''}
              </time>
            </p>
            <p class="total">
              {t('checkout.total')} <strong>{formatMoney(booking.price, booking.currency, locale)}</strong>
            </p>
            {stripe ? (
              <div
                data-island="stripe-checkout"
                data-props={JSON.stringify({
                  publishableKey: deps.payments.publishableKey,
                  clientSecret: payment.clientSecret,
                  returnUrl: new URL(returnUrl, c.req.url).toString(),
                  locale,
                  pay: t('checkout.payNow'),
                  paying: t('checkout.paying'),
                  prepareUrl: `/api/bookings/${booking.id}/payment/prepare`,
                  expired: t('localCheckout.expiredText'),
                  paid: t('localCheckout.alreadyPaidText'),
                  failed: t('checkout.prepareFailed'),
                  expiredHref: href(`/offers/${offer.id}`),
                  expiredLink: t('localCheckout.backToOffer'),
                })}
              >
                <p class="muted">{t('checkout.loadingStripe')}</p>
              </div>
            ) : (
              <>
                <p class="muted">{t('checkout.localIntro')}</p>
                <a
                  class="button block"
                  href={`${new URL(payment.checkoutUrl!, c.req.url).pathname}?return=${encodeURIComponent(returnUrl)}&lang=${locale}`}
                >
                  {t('checkout.payNow')}
                </a>
              </>
            )}
            <form method="post" action={href(`/bookings/${booking.id}/cancel`)} class="release">
              <button type="submit" class="link-button">
                {t('checkout.release')}
              </button>
            </form>
          </section>
        </div>
      </>
    ),
  });
});

area.get(`${L}/bookings/:id`, { ...BookingPath, query: PickerQuery }, async (c, { user, params, query }) => {
  const { booking, role, offer, creator } = await load(c, user, params.id);
  const { t, href, locale } = viewOf(c);
  const deps = c.get('deps');
  const preview = await cancellationPreview(deps, role, booking);
  const payment = await paymentOfBooking(deps, booking.id);
  // Refunds decided but not yet taken by the provider (retried automatically): shown as on their way.
  const owed = payment ? await refundsOnTheirWay(deps, payment.id) : [];
  const reschedule = role !== 'ADMIN' ? await rescheduleSection(c, booking, creator, query) : null;
  return page(c, {
    title: offer.title,
    islands: booking.status === 'PENDING' ? ['booking-status'] : [],
    body: (
      <>
        <h1>{t(`booking.heading.${booking.status}` as MessageKey)}</h1>
        <div class="grid two">
          <Summary c={c} booking={booking} offer={offer} creator={creator} />
          <section class="card">
            {booking.status === 'PENDING' ? (
              <div
                data-island="booking-status"
                data-props={JSON.stringify({
                  bookingId: booking.id,
                  confirmed: t('booking.justConfirmed'),
                  failed: t('booking.notConfirmed'),
                })}
              >
                <p class="notice info">{t('booking.waitingPayment')}</p>
                {role === 'FAN' ? (
                  <a class="button" href={href(`/bookings/${booking.id}/checkout`)}>
                    {t('offer.resumePayment')}
                  </a>
                ) : null}
              </div>
            ) : null}
            {booking.status === 'CONFIRMED' ? <p class="notice success">{t('booking.confirmedNote')}</p> : null}
            {booking.status === 'CONFIRMED' && role !== 'ADMIN' && deps.clock.now() < booking.endsAt ? (
              <>
                <p>
                  <a class="button" href={href(`/call/${booking.id}`)} data-call-link>
                    {t('booking.callPage')}
                  </a>{' '}
                  <span class="muted small">{t('booking.callOpens')}</span>
                </p>
                <p>
                  <a href={`/api/bookings/${booking.id}/calendar.ics`} download>
                    {t('booking.addToCalendar')}
                  </a>
                </p>
              </>
            ) : null}
            {reschedule}
            {booking.status === 'COMPLETED' ||
            booking.outcome ||
            (booking.status === 'CONFIRMED' && deps.clock.now() >= booking.endsAt) ? (
              <p>
                <a href={href(`/call/${booking.id}/summary`)}>{t('booking.callSummary')}</a>
              </p>
            ) : null}
            {payment && payment.refundedAmount > 0 ? (
              <p class="notice info">
                {t('booking.refunded', { amount: formatMoney(payment.refundedAmount, payment.currency, locale) })}
              </p>
            ) : null}
            {owed.map((o) => (
              <p class="notice info" data-refund-pending>
                {t('booking.refundPending', { amount: formatMoney(o.amount, o.currency, locale) })}
              </p>
            ))}
            {booking.status === 'CANCELLED' && booking.cancelReason ? (
              <p class="muted">
                {t('booking.reason')}: {booking.cancelReason}
              </p>
            ) : null}
            {preview.ok && booking.status === 'CONFIRMED' ? (
              <form method="post" action={href(`/bookings/${booking.id}/cancel`)} class="cancel-form">
                <h2>{t('booking.cancelTitle')}</h2>
                <p>
                  {preview.refund.amount > 0
                    ? t('booking.cancelRefund', {
                        amount: formatMoney(preview.refund.amount, booking.currency, locale),
                        percent: preview.refund.percent,
                      })
                    : t('booking.cancelNoRefund')}
                </p>
                <label for="cancel-reason">{t('booking.cancelReason')}</label>
                <input id="cancel-reason" name="reason" type="text" maxlength={500} />
                <input type="hidden" name="expectedRefund" value={String(preview.refund.amount)} />
                <label class="check">
                  <input type="checkbox" name="confirm" value="yes" required /> {t('booking.cancelConfirm')}
                </label>
                <button type="submit" class="button danger">
                  {t('booking.cancelSubmit')}
                </button>
              </form>
            ) : null}
            {!preview.ok && preview.code === 'CALL_STARTED' ? (
              <p class="muted">{t('booking.tooLateToCancel')}</p>
            ) : null}
          </section>
        </div>
      </>
    ),
  });
});

const CancelForm = z.object({
  reason: textField(500),
  /** Where the form came from (the fan dashboard). */
  back: z.string().optional(),
  confirm: z.string().optional(),
  expectedRefund: z.string().optional(),
});

area.post(`${L}/bookings/:id/cancel`, { params: AnyId, form: CancelForm }, async (c, { user, params, form }) => {
  const { href } = viewOf(c);
  const { id } = params;
  const reason = form.reason || null;
  const found = await bookingForViewer(c.get('deps'), user, id);
  if (!found) throw notFound('Booking');
  // Where the form came from (the fan dashboard), else the booking page.
  const back = redirectTarget(c, form.back, '');
  // A confirmed booking needs the explicit confirmation box (the refund was shown next to it).
  if (found.booking.status === 'CONFIRMED' && form.confirm !== 'yes') {
    flash(c, 'booking.confirmRequired', 'error');
    return c.redirect(back || href(`/bookings/${id}`), 303);
  }
  // The refund stated next to the button is the one given (see cancelBooking's expectedRefund).
  const expected = /^\d{1,9}$/.test(form.expectedRefund ?? '') ? Number(form.expectedRefund) : undefined;
  const r = await cancelBooking(c.get('deps'), user, id, reason, { expectedRefund: expected });
  if (!r.ok && r.code === 'REFUND_CHANGED') {
    flash(c, 'booking.refundChanged', 'error');
    return c.redirect(back || href(`/bookings/${id}`), 303);
  }
  flash(
    c,
    r.ok
      ? found.booking.status === 'PENDING'
        ? 'booking.released'
        : 'booking.cancelled'
      : (`booking.errors.${r.code}` as MessageKey),
    r.ok ? 'success' : 'error',
  );
  return c.redirect(
    back ||
      (found.booking.status === 'PENDING' && r.ok ? href(`/offers/${found.booking.offerId}`) : href(`/bookings/${id}`)),
    303,
  );
});
