/**
 * The built-in payment provider's pages (only when Stripe is not configured): a card checkout with
 * pay / 3-D Secure / decline / bank debit (processing until the simulated bank answers), and a
 * simulated Connect onboarding. They produce the same signed
 * events as Stripe, handled by the same webhook code.
 */
import { z } from 'zod';
import { actingCreator } from '../domain/creators/standing';
import { checkHoldForPayment, type HoldRefusal } from '../domain/payments/hold';
import { bookingByIntent } from '../domain/payments/queries';
import type { Creator, User } from '../domain/rows';
import type { Ctx } from '../http/context';
import { notFound } from '../http/errors';
import { redirectTarget } from '../http/redirect';
import { isLocale } from '../i18n';
import { formatMoney } from '../i18n/format';
import { lenient, pageArea } from './page-route';
import { page, viewOf } from './render';

/** One button per choice, each in its own form so that the choice is the value posted; the first is the primary one. */
function Choices({ to, name, choices }: { to: string; name: string; choices: [value: string, label: string][] }) {
  return (
    <div class="actions">
      {choices.map(([value, label], i) => (
        <form method="post" action={to}>
          <button type="submit" class={i === 0 ? 'button' : 'button secondary'} name={name} value={value}>
            {label}
          </button>
        </form>
      ))}
    </div>
  );
}

const area = pageArea('user');
export const localCheckoutPages = area.app;
/** Where to go once done: a same-site path, checked by redirectTarget. */
const ReturnQuery = z.object({ return: lenient(z.string()) });
const Intent = z.object({ intentId: z.string() });
/** The simulated bank's yes/no (`ok=1`); anything else is a no, as a real bank's refusal. */
const OkForm = z.object({
  ok: z
    .string()
    .optional()
    .transform((v) => v === '1'),
});

// Middleware, not a route's query: these URLs carry no /:lang, and ?lang= must be set before the
// guard so an anonymous visitor's sign-in redirect is in the page's language.
localCheckoutPages.use('/checkout/local/*', async (c, next) => {
  if (!c.get('deps').localPayments) throw notFound('Page');
  const lang = c.req.query('lang');
  if (isLocale(lang)) c.set('locale', lang);
  await next();
});

/**
 * The hold ended (expired, released, paid meanwhile): a clear page instead of the card form, with
 * nothing charged — the same server-side check Stripe payments go through (payment/prepare).
 */
function holdGone(c: Ctx, r: { booking: { id: string; offerId: string } }, code: HoldRefusal) {
  const { t, href } = viewOf(c);
  return page(c, {
    title: t(`localCheckout.${code === 'ALREADY_PAID' ? 'alreadyPaidTitle' : 'expiredTitle'}`),
    status: 409,
    body: (
      <section class="card local-checkout" data-hold-refusal={code}>
        <h1>{t(`localCheckout.${code === 'ALREADY_PAID' ? 'alreadyPaidTitle' : 'expiredTitle'}`)}</h1>
        <p>{t(`localCheckout.${code === 'ALREADY_PAID' ? 'alreadyPaidText' : 'expiredText'}`)}</p>
        <p class="actions">
          <a
            class="button"
            href={href(code === 'ALREADY_PAID' ? `/bookings/${r.booking.id}` : `/offers/${r.booking.offerId}`)}
          >
            {t(code === 'ALREADY_PAID' ? 'localCheckout.back' : 'localCheckout.backToOffer')}
          </a>
        </p>
      </section>
    ),
  });
}

/** The fan's own booking behind a payment intent, and the intent (404 for anyone else). */
async function intentForFan(c: Ctx, user: User, intentId: string) {
  const deps = c.get('deps');
  const booking = await bookingByIntent(deps, intentId);
  if (!booking || booking.userId !== user.id) throw notFound('Payment');
  const intent = await deps.payments.retrieveIntent(intentId);
  return { user, booking, intent };
}

area.get(
  '/checkout/local/:intentId{pi_local_[0-9a-z]+}',
  { params: Intent, query: ReturnQuery },
  async (c, { user, params, query }) => {
    const r = await intentForFan(c, user, params.intentId);
    const { t, locale } = viewOf(c);
    // A processing payment is made: only the bank's (simulated) answer is left, whatever the hold.
    if (r.intent.status !== 'succeeded' && r.intent.status !== 'processing') {
      const hold = await checkHoldForPayment(c.get('deps'), r.booking);
      if (!hold.ok) return holdGone(c, r, hold.code);
    }
    const back = redirectTarget(c, query.return, `/${locale}/bookings/${r.booking.id}`);
    const action = (step: string) => `/checkout/local/${r.intent.id}/${step}?return=${encodeURIComponent(back)}`;
    const needs3ds = r.intent.status === 'requires_action';
    return page(c, {
      title: t('localCheckout.title'),
      body: (
        <section class="card local-checkout">
          <p class="badge warning">{t('localCheckout.testMode')}</p>
          <h1>{t('localCheckout.title')}</h1>
          <p class="total">
            {t('checkout.total')} <strong>{formatMoney(r.intent.amount, r.intent.currency, locale)}</strong>
          </p>
          {r.intent.lastError ? <p class="notice error">{r.intent.lastError}</p> : null}
          {r.intent.status === 'succeeded' || r.intent.status === 'canceled' ? (
            <p>
              <a class="button" href={back}>
                {t('localCheckout.back')}
              </a>
            </p>
          ) : r.intent.status === 'processing' ? (
            <>
              <p data-intent-processing>{t('localCheckout.processing')}</p>
              <Choices
                to={action('settle')}
                name="ok"
                choices={[
                  ['1', t('localCheckout.bankAccepts')],
                  ['0', t('localCheckout.bankRefuses')],
                ]}
              />
            </>
          ) : needs3ds ? (
            <>
              <p>{t('localCheckout.threeDs')}</p>
              <Choices
                to={action('authenticate')}
                name="ok"
                choices={[
                  ['1', t('localCheckout.approve')],
                  ['0', t('localCheckout.fail3ds')],
                ]}
              />
            </>
          ) : (
            <>
              <div class="fake-card" aria-hidden="true">
                <span>4242 4242 4242 4242</span>
                <span>12/34 · 123</span>
              </div>
              <Choices
                to={action('pay')}
                name="outcome"
                choices={[
                  ['succeed', t('localCheckout.pay')],
                  ['3ds', t('localCheckout.pay3ds')],
                  ['processing', t('localCheckout.payDebit')],
                  ['decline', t('localCheckout.decline')],
                ]}
              />
            </>
          )}
        </section>
      ),
    });
  },
);

// The simulated bank answers a payment already made (processing): no hold check, a real bank would not ask.
area.post(
  '/checkout/local/:intentId{pi_local_[0-9a-z]+}/settle',
  { params: Intent, query: ReturnQuery, form: OkForm, deferForm: true },
  async (c, { user, params, query, form }) => {
    const r = await intentForFan(c, user, params.intentId);
    await c.get('deps').localPayments!.settleProcessing(r.intent.id, (await form()).ok);
    return c.redirect(redirectTarget(c, query.return, `/${c.get('locale')}/bookings/${r.booking.id}`), 303);
  },
);

area.post(
  '/checkout/local/:intentId{pi_local_[0-9a-z]+}/:step{pay|authenticate}',
  {
    params: Intent.extend({ step: z.enum(['pay', 'authenticate']) }),
    query: ReturnQuery,
    form: OkForm.extend({ outcome: z.enum(['succeed', 'decline', '3ds', 'processing']).catch('succeed') }),
    deferForm: true,
  },
  async (c, { user, params, query, form: postedForm }) => {
    const r = await intentForFan(c, user, params.intentId);
    const local = c.get('deps').localPayments!;
    // Re-checked on every charge attempt: the page may have stayed open past the hold.
    const hold = await checkHoldForPayment(c.get('deps'), r.booking);
    if (!hold.ok) return holdGone(c, r, hold.code);
    const form = await postedForm();
    const back = redirectTarget(c, query.return, `/${c.get('locale')}/bookings/${r.booking.id}`);
    const result =
      params.step === 'pay'
        ? await local.checkout(r.intent.id, form.outcome)
        : await local.authenticate(r.intent.id, form.ok);
    if (result.status === 'requires_action' || result.status === 'processing')
      return c.redirect(`/checkout/local/${r.intent.id}?return=${encodeURIComponent(back)}`, 303);
    return c.redirect(back, 303);
  },
);

const Account = z.object({ accountId: z.string() });

/** The caller's own connected account, while they may act as a creator (404 for anyone else). */
async function onboardingCreator(c: Ctx, userId: string, accountId: string): Promise<Creator> {
  const acting = await actingCreator(c.get('deps'), userId);
  if (!acting.ok || acting.creator.stripeAccountId !== accountId) throw notFound('Account');
  return acting.creator;
}

area.get(
  '/checkout/local/onboarding/:accountId{acct_local_[0-9a-z]+}',
  { params: Account, query: ReturnQuery },
  async (c, { user, params, query }) => {
    const { t } = viewOf(c);
    const creator = await onboardingCreator(c, user.id, params.accountId);
    const back = redirectTarget(c, query.return, `/${c.get('locale')}/creator/payments`);
    return page(c, {
      title: t('localCheckout.onboardingTitle'),
      body: (
        <section class="card local-checkout">
          <p class="badge warning">{t('localCheckout.testMode')}</p>
          <h1>{t('localCheckout.onboardingTitle')}</h1>
          <p>{t('localCheckout.onboardingText')}</p>
          <form
            method="post"
            action={`/checkout/local/onboarding/${creator.stripeAccountId}?return=${encodeURIComponent(back)}`}
          >
            <button type="submit" class="button">
              {t('localCheckout.onboardingSubmit')}
            </button>
          </form>
        </section>
      ),
    });
  },
);

area.post(
  '/checkout/local/onboarding/:accountId{acct_local_[0-9a-z]+}',
  { params: Account, query: ReturnQuery },
  async (c, { user, params, query }) => {
    const deps = c.get('deps');
    const creator = await onboardingCreator(c, user.id, params.accountId);
    await deps.localPayments!.completeOnboarding(creator.stripeAccountId!);
    return c.redirect(redirectTarget(c, query.return, `/${c.get('locale')}/creator/payments`), 303);
  },
);
