/**
 * Fan space — upcoming calls `/:lang/dashboard/calls`: confirmed calls and holds awaiting payment,
 * in the fan's zone, each with its live "Join" button, .ics and cancellation; and the cancellation
 * step `/:lang/dashboard/calls/:id/cancel`, which states what the refund policy gives back for
 * this booking right now, then posts to the booking's one cancel route.
 */
import { cancellationPreview } from '../../domain/booking/cancel';
import { ownCall, upcomingCalls } from '../../domain/fan/dashboard';
import { FULL_REFUND_NOTICE_MS } from '../../domain/payments/refund-policy';
import type { Ctx } from '../../http/context';
import { notFound } from '../../http/errors';
import type { MessageKey } from '../../i18n';
import { formatDateTime, formatMoney, formatTime, zoneName } from '../../i18n/format';
import { Empty, StatusBadge } from '../components/ui';
import { page, viewOf } from '../render';
import { CallHead, FanNav, JoinButton } from './common';
import { pageArea } from '../page-route';
import { idOf } from '../params';

const area = pageArea('user');
export const fanCallPages = area.app;

area.get('/calls', {}, async (c, { user }) => {
  const { t, href, locale, timezone } = viewOf(c);
  const deps = c.get('deps');
  const now = deps.clock.now();
  const calls = await upcomingCalls(deps, user.id, now);
  const back = href('/dashboard/calls');
  return page(c, {
    title: t('fan.calls.title'),
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('fan.calls.title')}</h1>
        <FanNav c={c} current="calls" />
        <p class="muted small" data-zone={timezone}>
          {t('fan.calls.zone', { zone: `${timezone}, ${zoneName(now, locale, timezone)}` })}{' '}
          <a href={href('/account')}>{t('fan.calls.changeZone')}</a>
        </p>
        {calls.length === 0 ? (
          <Empty>
            {t('fan.calls.none')} <a href={href('/creators')}>{t('fan.home.findCreator')}</a>
          </Empty>
        ) : (
          <ul class="plain fan-calls">
            {calls.map((call) => {
              const started = now.getTime() >= call.startsAt.getTime();
              return (
                <li class="card fan-call" data-booking-id={call.id} data-status={call.status}>
                  <div class="fan-call-main">
                    <CallHead c={c} call={call} />
                    <p>
                      <StatusBadge t={t} kind="booking" status={call.status} />
                      {call.status === 'CONFIRMED' && started ? (
                        <>
                          {' '}
                          <span class="badge success">{t('fan.calls.ongoing')}</span>
                        </>
                      ) : null}
                    </p>
                  </div>
                  <div class="fan-call-actions">
                    {call.status === 'CONFIRMED' ? (
                      <>
                        <JoinButton c={c} call={call} />
                        <a href={`/api/bookings/${call.id}/calendar.ics`} download data-ics>
                          {t('fan.calls.ics')}
                        </a>
                        <a href={href(`/bookings/${call.id}`)}>{t('fan.calls.details')}</a>
                        {started ? (
                          <span class="muted small">{t('fan.calls.tooLate')}</span>
                        ) : (
                          <a href={href(`/dashboard/calls/${call.id}/cancel`)} class="danger-link" data-cancel>
                            {t('fan.calls.cancel')}
                          </a>
                        )}
                      </>
                    ) : (
                      <>
                        <a class="button" href={href(`/bookings/${call.id}/checkout`)} data-pay>
                          {t('fan.calls.payNow')}
                        </a>
                        {call.holdExpiresAt ? (
                          <span class="muted small">
                            {t('fan.calls.payBefore', { time: formatTime(call.holdExpiresAt, locale, timezone) })}
                          </span>
                        ) : null}
                        <form method="post" action={href(`/bookings/${call.id}/cancel`)}>
                          <input type="hidden" name="back" value={back} />
                          <button type="submit" class="link-button danger">
                            {t('fan.calls.release')}
                          </button>
                        </form>
                      </>
                    )}
                  </div>
                </li>
              );
            })}
          </ul>
        )}
      </>
    ),
  });
});

function CancelStatement({
  c,
  preview,
  call,
  startsAt,
}: {
  c: Ctx;
  preview: Extract<Awaited<ReturnType<typeof cancellationPreview>>, { ok: true }>;
  call: Parameters<typeof CallHead>[0]['call'];
  startsAt: Date;
}) {
  const { t, locale, timezone } = viewOf(c);
  const { refund, charged } = preview;
  const money = (n: number) => formatMoney(n, call.currency, locale);
  const early = refund.reason === 'FAN_CANCELLED_EARLY';
  return (
    <div
      class="fan-refund"
      data-refund-amount={refund.amount}
      data-refund-percent={refund.percent}
      data-refund-reason={refund.reason}
    >
      <p>{t('fan.cancel.paid', { amount: money(charged) })}</p>
      <p class="notice warning fan-refund-statement" role="status">
        {refund.amount > 0
          ? t('booking.cancelRefund', { amount: money(refund.amount), percent: refund.percent })
          : t('booking.cancelNoRefund')}
      </p>
      {early ? (
        <p class="muted small">
          {t('fan.cancel.early')}{' '}
          {t('fan.cancel.earlyUntil', {
            when: formatDateTime(new Date(startsAt.getTime() - FULL_REFUND_NOTICE_MS), locale, timezone, 'long'),
            name: call.creator.name,
          })}
        </p>
      ) : (
        <p class="muted small">
          {t('fan.cancel.late', { name: call.creator.name })} {t(`policy.${call.cancellationPolicy}` as MessageKey)}
        </p>
      )}
    </div>
  );
}

area.get('/calls/:id/cancel', { params: idOf('bkg'), notFound: 'Booking' }, async (c, { user, params }) => {
  const { t, href } = viewOf(c);
  const deps = c.get('deps');
  const found = await ownCall(deps, user.id, params.id);
  // Someone else's booking reads as not found: this page is the fan's own.
  if (!found) throw notFound('Booking');
  const { booking, call } = found;
  const preview = await cancellationPreview(deps, 'FAN', booking);
  const back = href('/dashboard/calls');
  return page(c, {
    title: t('fan.cancel.title'),
    body: (
      <>
        <h1>{t('fan.cancel.title')}</h1>
        <FanNav c={c} current="calls" />
        <section class="card narrow fan-cancel" data-booking-id={booking.id}>
          <CallHead c={c} call={call} />
          {!preview.ok ? (
            <>
              <p class="notice info" data-refusal={preview.code}>
                {preview.code === 'CALL_STARTED' ? t('fan.calls.tooLate') : t('fan.cancel.notCancellable')}
              </p>
              <p>
                <a href={back}>← {t('fan.nav.calls')}</a>
              </p>
            </>
          ) : (
            <form method="post" action={href(`/bookings/${booking.id}/cancel`)} class="cancel-form">
              <input type="hidden" name="back" value={back} />
              {booking.status === 'PENDING' ? (
                <p class="notice info">{t('fan.cancel.pending')}</p>
              ) : (
                <>
                  <CancelStatement c={c} preview={preview} call={call} startsAt={booking.startsAt} />
                  <input type="hidden" name="expectedRefund" value={String(preview.refund.amount)} />
                  <label for="cancel-reason">{t('booking.cancelReason')}</label>
                  <input id="cancel-reason" name="reason" type="text" maxlength={500} />
                  <label class="check">
                    <input type="checkbox" name="confirm" value="yes" required /> {t('booking.cancelConfirm')}
                  </label>
                </>
              )}
              <div class="actions">
                <button type="submit" class="button danger">
                  {booking.status === 'PENDING' ? t('fan.calls.release') : t('booking.cancelSubmit')}
                </button>
                <a class="button secondary" href={back}>
                  {t('fan.cancel.keep')}
                </a>
              </div>
            </form>
          )}
        </section>
      </>
    ),
  });
});
