/** Creator space — request inbox: accept (a held private offer for the fan) or reject. */
import { z } from 'zod';
import { requestsToCreator } from '../../domain/requests/inbox';
import { rejectRequest } from '../../domain/requests/requests';
import type { CallRequest, User } from '../../domain/rows';
import type { Ctx } from '../../http/context';
import type { MessageKey } from '../../i18n';
import { Duration, Empty, Money, StatusBadge, When } from '../components/ui';
import { flash, page, viewOf } from '../render';
import { CreatorNav } from './common';
import { pageArea, textField } from '../page-route';
import { AnyId } from '../params';

const area = pageArea('creator');
export const creatorRequestPages = area.app;

function RequestCard({ c, r, fan }: { c: Ctx; r: CallRequest; fan: User }) {
  const { t, href, locale, timezone } = viewOf(c);
  const pending = r.status === 'PENDING';
  return (
    <li class="card request-card" data-request={r.id}>
      <div class="request-head">
        <strong>{fan.name}</strong>
        <StatusBadge t={t} kind="request" status={r.status} />
      </div>
      <p>
        <When at={r.proposedStartsAt} locale={locale} timezone={timezone} style="full" /> ·{' '}
        <Duration minutes={r.durationMinutes} locale={locale} /> ·{' '}
        <Money amount={r.proposedPrice} currency={r.currency} locale={locale} />
      </p>
      <blockquote>{r.message}</blockquote>
      {r.responseMessage ? (
        <p class="muted">
          {t('request.yourAnswer')}: {r.responseMessage}
        </p>
      ) : null}
      {pending ? (
        <>
          <p class="muted small">
            {t('request.expiresOn')} <When at={r.expiresAt} locale={locale} timezone={timezone} style="medium" />
          </p>
          <form method="post" action={href(`/creator/requests/${r.id}/answer`)} class="answer-form">
            <label for={`msg-${r.id}`}>{t('request.answerMessage')}</label>
            <input id={`msg-${r.id}`} name="message" type="text" maxlength={1000} />
            <div class="actions">
              <button type="submit" name="decision" value="accept" class="button">
                {t('request.accept')}
              </button>
              <button type="submit" name="decision" value="reject" class="button secondary">
                {t('request.reject')}
              </button>
            </div>
          </form>
        </>
      ) : null}
    </li>
  );
}

area.get('/requests', {}, async (c, r) => {
  const { t } = viewOf(c);
  const rows = await requestsToCreator(c.get('deps'), r.creator.id);
  const pending = rows.filter((x) => x.r.status === 'PENDING');
  const answered = rows.filter((x) => x.r.status !== 'PENDING');
  return page(c, {
    title: t('creatorSpace.requests'),
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('creatorSpace.title')}</h1>
        <CreatorNav c={c} current="requests" />
        <h2>
          {t('request.pending')} ({pending.length})
        </h2>
        {pending.length ? (
          <ul class="grid two">
            {pending.map((x) => (
              <RequestCard c={c} r={x.r} fan={x.fan} />
            ))}
          </ul>
        ) : (
          <Empty>{t('request.nonePending')}</Empty>
        )}
        <h2>{t('request.answered')}</h2>
        {answered.length ? (
          <ul class="grid two">
            {answered.map((x) => (
              <RequestCard c={c} r={x.r} fan={x.fan} />
            ))}
          </ul>
        ) : (
          <Empty>{t('request.noneAnswered')}</Empty>
        )}
      </>
    ),
  });
});

const AnswerForm = z.object({ decision: z.string().optional(), message: textField(1000) });

area.post('/requests/:id/answer', { params: AnyId, form: AnswerForm }, async (c, r) => {
  const { form } = r;
  const { id } = r.params;
  const message = form.message || undefined;
  const deps = c.get('deps');
  if (form.decision === 'accept') {
    const out = await deps.rooms
      .calendar(r.creator.id)
      .acceptRequest({ requestId: id, actorUserId: r.user.id, message });
    flash(c, out.ok ? 'request.accepted' : (`offer.errors.${out.code}` as MessageKey), out.ok ? 'success' : 'error');
  } else {
    const out = await rejectRequest(deps, r.user.id, id, message);
    flash(c, out.ok ? 'request.rejected' : (`offer.errors.${out.code}` as MessageKey), out.ok ? 'info' : 'error');
  }
  return c.redirect(viewOf(c).href('/creator/requests'), 303);
});
