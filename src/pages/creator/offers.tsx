/** Creator space — my offers: publish, edit, withdraw; upcoming and past. */
import { creatorOffers, ownOffer as ownOfferById } from '../../domain/offers/queries';
import type { CallOffer, Creator } from '../../domain/rows';
import type { Ctx } from '../../http/context';
import { refusal } from '../../http/refusals';
import type { MessageKey } from '../../i18n';
import { parseMajorAmount, toMajorString } from '../../i18n/format';
import { parseLocalDateTime, toLocalInput } from '../../lib/tz';
import { CURRENCIES } from '../../shared/enums';
import { CreateOfferBody, UpdateOfferBody } from '../../shared/offers';
import { Field, FormError, localizeIssues, type FieldErrors } from '../components/form';
import { Duration, Empty, Money, StatusBadge, When } from '../components/ui';
import { flash, page, viewOf } from '../render';
import { CreatorNav } from './common';
import { acceptedCurrency, currencyRefusal, isCurrency } from '../../domain/payments/currency';
import { pageArea } from '../page-route';
import { AnyId } from '../params';

const area = pageArea('creator');
export const creatorOfferPages = area.app;
const DURATIONS = [10, 15, 20, 30, 45, 60, 90, 120];

/** Form fields (major units, local time) → API shape (minor units, UTC). */
function fromForm(form: Record<string, string>, creator: Creator) {
  const currency = isCurrency(form.currency) ? form.currency : acceptedCurrency(creator);
  const start = form.startsAt ? parseLocalDateTime(form.startsAt, creator.timezone) : null;
  return {
    title: form.title,
    description: form.description ?? '',
    price: form.price ? (parseMajorAmount(form.price, currency) ?? Number.NaN) : undefined,
    currency,
    startsAt: start ? start.toISOString() : form.startsAt ? 'invalid' : undefined,
    durationMinutes: form.durationMinutes ? Number(form.durationMinutes) : undefined,
  };
}

function OfferForm({
  c,
  creator,
  action,
  values,
  errors,
  formError,
  submit,
  lockedTerms,
}: {
  c: Ctx;
  creator: Creator;
  action: string;
  values: Record<string, string>;
  errors: FieldErrors;
  formError?: string;
  submit: string;
  lockedTerms?: boolean;
}) {
  const { t } = viewOf(c);
  return (
    <form method="post" action={action} class="card offer-form" novalidate>
      <FormError message={formError} />
      <Field
        name="title"
        label={t('offer.title')}
        value={values.title}
        error={errors.title}
        required
        attrs={{ maxlength: 120 }}
      />
      <Field name="description" label={t('offer.description')} error={errors.description}>
        <textarea id="f-description" name="description" maxlength={2000}>
          {values.description ?? ''}
        </textarea>
      </Field>
      <fieldset disabled={lockedTerms}>
        {lockedTerms ? <p class="notice info">{t('creatorSpace.termsLocked')}</p> : null}
        <div class="grid two tight">
          <Field
            name="startsAt"
            type="datetime-local"
            label={t('creatorSpace.startsAt', { zone: creator.timezone })}
            value={values.startsAt}
            error={errors.startsAt}
            required
          />
          <Field name="durationMinutes" label={t('offer.duration')} error={errors.durationMinutes}>
            <select id="f-durationMinutes" name="durationMinutes">
              {DURATIONS.map((m) => (
                <option value={m} selected={String(m) === (values.durationMinutes ?? '30')}>
                  {m} min
                </option>
              ))}
            </select>
          </Field>
          <Field
            name="price"
            label={t('offer.price')}
            value={values.price}
            error={errors.price}
            required
            attrs={{ inputmode: 'decimal', placeholder: '45.00' }}
          />
          <Field name="currency" label={t('creatorSpace.currency')} error={errors.currency}>
            <select id="f-currency" name="currency">
              {CURRENCIES.map((cur) => (
                <option value={cur} selected={cur === (values.currency ?? acceptedCurrency(creator))}>
                  {cur}
                </option>
              ))}
            </select>
          </Field>
          <p class="muted small" data-accepted-currency={acceptedCurrency(creator)}>
            {t('creatorSpace.currencyPolicy', { currency: acceptedCurrency(creator) })}
          </p>
        </div>
      </fieldset>
      <button type="submit" class="button">
        {submit}
      </button>
    </form>
  );
}

function OfferTable({ c, offers }: { c: Ctx; offers: CallOffer[] }) {
  const { t, href, locale, timezone } = viewOf(c);
  if (!offers.length) return <Empty>{t('creatorSpace.noOffers')}</Empty>;
  return (
    <table class="table">
      <thead>
        <tr>
          <th>{t('offer.title')}</th>
          <th>{t('creatorSpace.when')}</th>
          <th>{t('offer.price')}</th>
          <th>{t('creatorSpace.status')}</th>
          <th>
            <span class="sr-only">{t('creatorSpace.actions')}</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {offers.map((o) => (
          <tr>
            <td>
              <a href={href(`/offers/${o.id}`)}>{o.title}</a>
              {o.source === 'REQUEST' ? <span class="badge info">{t('creatorSpace.fromRequest')}</span> : null}
            </td>
            <td>
              <When at={o.startsAt} locale={locale} timezone={timezone} style="medium" /> ·{' '}
              <Duration minutes={o.durationMinutes} locale={locale} />
            </td>
            <td>
              <Money amount={o.price} currency={o.currency} locale={locale} />
            </td>
            <td>
              <StatusBadge t={t} kind="offer" status={o.status} />
            </td>
            <td class="row-actions">
              {['AVAILABLE', 'HELD', 'BOOKED'].includes(o.status) ? (
                <a href={href(`/creator/offers/${o.id}/edit`)}>{t('creatorSpace.edit')}</a>
              ) : null}
              {o.status === 'AVAILABLE' ? (
                <form method="post" action={href(`/creator/offers/${o.id}/cancel`)} class="inline">
                  <button type="submit" class="link-button danger">
                    {t('creatorSpace.withdraw')}
                  </button>
                </form>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

async function offersPage(
  c: Ctx,
  creator: Creator,
  form?: { values: Record<string, string>; errors: FieldErrors; formError?: string },
  status = 200,
) {
  const { t, href } = viewOf(c);
  const all = await creatorOffers(c.get('deps'), creator.id, { limit: 300 });
  const now = Date.now();
  const upcoming = all
    .filter((o) => o.startsAt.getTime() > now && ['AVAILABLE', 'HELD', 'BOOKED'].includes(o.status))
    .reverse();
  const past = all.filter((o) => !upcoming.includes(o));
  const defaults = {
    startsAt: `${toLocalInput(new Date(now + 2 * 86_400_000), creator.timezone).slice(0, 11)}18:00`,
    durationMinutes: '30',
    currency: acceptedCurrency(creator),
  };
  return page(c, {
    title: t('creatorSpace.offers'),
    status,
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('creatorSpace.title')}</h1>
        <CreatorNav c={c} current="offers" />
        {!creator.chargesEnabled ? <p class="notice warning">{t('creatorSpace.onboardFirst')}</p> : null}
        <div class="grid two">
          <section aria-labelledby="new-h">
            <h2 id="new-h">{t('creatorSpace.newOffer')}</h2>
            <OfferForm
              c={c}
              creator={creator}
              action={href('/creator/offers')}
              values={form?.values ?? defaults}
              errors={form?.errors ?? {}}
              formError={form?.formError}
              submit={t('creatorSpace.publish')}
            />
          </section>
          <section aria-labelledby="up-h">
            <h2 id="up-h">
              {t('creatorSpace.upcoming')} ({upcoming.length})
            </h2>
            <p class="small">
              <a href={href('/creator/planning?view=month')}>{t('planning.calendarView')}</a>
            </p>
            <OfferTable c={c} offers={upcoming} />
          </section>
        </div>
        <section aria-labelledby="past-h">
          <h2 id="past-h">{t('creatorSpace.past')}</h2>
          <OfferTable c={c} offers={past} />
        </section>
      </>
    ),
  });
}

area.get('/offers', {}, async (c, r) => {
  return offersPage(c, r.creator);
});

area.post('/offers', {}, async (c, r) => {
  const { t } = viewOf(c);
  const form = await r.raw();
  const parsed = CreateOfferBody.safeParse(fromForm(form, r.creator));
  if (!parsed.success) return offersPage(c, r.creator, { values: form, errors: localizeIssues(t, parsed.error) }, 400);
  const out = await c
    .get('deps')
    .rooms.calendar(r.creator.id)
    .createOffer({ creatorId: r.creator.id, actorUserId: r.user.id, offer: parsed.data });
  if (!out.ok)
    return offersPage(
      c,
      r.creator,
      {
        values: form,
        errors: {},
        formError: t(`offer.errors.${out.code}` as MessageKey, { currency: acceptedCurrency(r.creator) }),
      },
      refusal(out.code).status,
    );
  flash(c, 'creatorSpace.published');
  return c.redirect(viewOf(c).href('/creator/offers'), 303);
});

/** The offer of the path, when it is this creator's own (another's reads as missing). */
async function ownOffer(c: Ctx, creator: Creator, id: string): Promise<CallOffer | null> {
  return ownOfferById(c.get('deps'), creator.id, id);
}

function editPage(
  c: Ctx,
  creator: Creator,
  offer: CallOffer,
  form?: { values: Record<string, string>; errors: FieldErrors; formError?: string },
  status = 200,
) {
  const { t, href } = viewOf(c);
  const values = form?.values ?? {
    title: offer.title,
    description: offer.description,
    price: toMajorString(offer.price, offer.currency),
    currency: offer.currency,
    startsAt: toLocalInput(offer.startsAt, creator.timezone),
    durationMinutes: String(offer.durationMinutes),
  };
  return page(c, {
    title: t('creatorSpace.editOffer'),
    status,
    body: (
      <>
        <p>
          <a href={href('/creator/offers')}>← {t('creatorSpace.offers')}</a>
        </p>
        <h1>{t('creatorSpace.editOffer')}</h1>
        <OfferForm
          c={c}
          creator={creator}
          action={href(`/creator/offers/${offer.id}/edit`)}
          values={values}
          errors={form?.errors ?? {}}
          formError={form?.formError}
          submit={t('account.save')}
          lockedTerms={offer.status !== 'AVAILABLE'}
        />
      </>
    ),
  });
}

area.get('/offers/:id/edit', { params: AnyId }, async (c, r) => {
  const offer = await ownOffer(c, r.creator, r.params.id);
  if (!offer) return c.redirect(viewOf(c).href('/creator/offers'), 303);
  return editPage(c, r.creator, offer);
});

area.post('/offers/:id/edit', { params: AnyId }, async (c, r) => {
  const { t, href } = viewOf(c);
  const offer = await ownOffer(c, r.creator, r.params.id);
  if (!offer) return c.redirect(href('/creator/offers'), 303);
  const form = await r.raw();
  const all = fromForm({ currency: offer.currency, ...form }, r.creator);
  // Only send terms that changed: a held offer may still get a new title or description.
  const patch: Record<string, unknown> = { title: all.title, description: all.description };
  if (all.price !== undefined && all.price !== offer.price) patch.price = all.price;
  if (all.currency !== offer.currency) patch.currency = all.currency;
  if (all.startsAt && all.startsAt !== offer.startsAt.toISOString()) patch.startsAt = all.startsAt;
  if (all.durationMinutes !== undefined && all.durationMinutes !== offer.durationMinutes)
    patch.durationMinutes = all.durationMinutes;
  const parsed = UpdateOfferBody.safeParse(patch);
  if (!parsed.success)
    return editPage(c, r.creator, offer, { values: form, errors: localizeIssues(t, parsed.error) }, 400);
  const wrong = parsed.data.currency ? currencyRefusal(r.creator, parsed.data.currency) : null;
  if (wrong)
    return editPage(
      c,
      r.creator,
      offer,
      { values: form, errors: { currency: t('offer.errors.CURRENCY_NOT_ACCEPTED', { currency: wrong.accepted }) } },
      422,
    );
  const out = await c.get('deps').rooms.calendar(r.creator.id).updateOffer({
    creatorId: r.creator.id,
    offerId: offer.id,
    actorUserId: r.user.id,
    patch: parsed.data,
    currentStartsAt: offer.startsAt.toISOString(),
    currentDuration: offer.durationMinutes,
  });
  if (!out.ok)
    return editPage(
      c,
      r.creator,
      offer,
      { values: form, errors: {}, formError: t(`offer.errors.${out.code}` as MessageKey) },
      refusal(out.code).status,
    );
  flash(c, 'account.saved');
  return c.redirect(href('/creator/offers'), 303);
});

area.post('/offers/:id/cancel', { params: AnyId }, async (c, r) => {
  const offer = await ownOffer(c, r.creator, r.params.id);
  if (offer) {
    const out = await c.get('deps').rooms.offer(offer.id).cancelOffer({ offerId: offer.id, actorUserId: r.user.id });
    flash(
      c,
      out.ok ? 'creatorSpace.withdrawn' : (`offer.errors.${out.code}` as MessageKey),
      out.ok ? 'success' : 'error',
    );
  }
  return c.redirect(viewOf(c).href('/creator/offers'), 303);
});
