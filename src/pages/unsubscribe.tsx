/**
 * One-click unsubscribe from a category of non-transactional email. The link in the email (and its
 * List-Unsubscribe header) is signed per person and category: GET asks to confirm (link scanners
 * must not unsubscribe people), POST — from the page or a mail client's one-click (RFC 8058) — applies.
 */
import { z } from 'zod';
import { userById } from '../domain/accounts/queries';
import { forgetUser } from '../domain/accounts/session-cache';
import { setEmailPreference, verifyUnsubscribe } from '../domain/email/unsubscribe';
import type { Ctx } from '../http/context';
import type { MessageKey } from '../i18n';
import { lenient, pageArea } from './page-route';
import { page, viewOf } from './render';

const area = pageArea('public');
export const unsubscribePages = area.app;

/** The signed link: the person (u), the category (c) and the signature (s), checked by verifyUnsubscribe. */
const LinkQuery = z.object({ u: lenient(z.string()), c: lenient(z.string()), s: lenient(z.string()) });

async function check(c: Ctx, link: z.infer<typeof LinkQuery>) {
  const u = link.u ?? '';
  const category = await verifyUnsubscribe(c.get('deps'), u, link.c ?? '', link.s ?? '');
  const user = category ? await userById(c.get('deps'), u) : null;
  if (user) c.set('locale', user.locale);
  return category && user ? { category, user } : null;
}

function done(c: Ctx, ok: boolean, category?: string, confirm = false) {
  const { t, href } = viewOf(c);
  const name = category ? t(`account.emailCategory.${category}` as MessageKey) : '';
  return page(c, {
    title: t('unsubscribe.title'),
    status: ok ? 200 : 400,
    body: (
      <section class="card narrow">
        <h1>{t('unsubscribe.title')}</h1>
        {!ok ? (
          <p class="notice error">{t('unsubscribe.invalid')}</p>
        ) : confirm ? (
          <form method="post" action={c.req.url.replace(/^https?:\/\/[^/]+/, '')}>
            <p>{t('unsubscribe.question', { category: name })}</p>
            <button type="submit" class="button">
              {t('unsubscribe.confirm')}
            </button>
          </form>
        ) : (
          <p class="notice success" data-unsubscribed={category}>
            {t('unsubscribe.done', { category: name })}
          </p>
        )}
        <p>
          <a href={`${href('/account')}#emails`}>{t('unsubscribe.manage')}</a>
        </p>
      </section>
    ),
  });
}

area.get('/email/unsubscribe', { query: LinkQuery }, async (c, { query }) => {
  const r = await check(c, query);
  return done(c, !!r, r?.category, true);
});

area.post('/email/unsubscribe', { query: LinkQuery }, async (c, { query }) => {
  const r = await check(c, query);
  if (!r) return done(c, false);
  await setEmailPreference(c.get('deps'), r.user.id, r.category, false);
  forgetUser(r.user.id);
  await c
    .get('deps')
    .log.email.info('EMAIL_SUPPRESSED', `${r.user.id} unsubscribed from ${r.category}`, null, { actorId: r.user.id });
  return done(c, true, r.category);
});
