/** Account settings: name, language, time zone, email verification, password, sessions. */
import { changePassword, saveEmailPrefs, updateProfile } from '../domain/accounts/accounts';
import { becomeCreator } from '../domain/creators/create-profile';
import { revokeAllSessions } from '../domain/accounts/sessions';
import { resendVerificationEmail } from '../domain/accounts/tokens';
import type { Ctx } from '../http/context';
import { clearSessionCookie } from '../http/cookies';
import { passwordChangeAllowed } from '../http/rate-limit';
import { formatDateTime, timeZones } from '../i18n/format';
import { ChangePasswordBody, UpdateMeBody } from '../shared/auth';
import { Field, localizeIssues, type FieldErrors } from './components/form';
import { emailCategoriesFor, wantsEmail } from '../domain/email/unsubscribe';
import type { User } from '../domain/rows';
import { flash, page, viewOf } from './render';
import { pageArea } from './page-route';

const area = pageArea('user');
export const accountPages = area.app;
const L = '/:lang{fr|en}';

function AccountView({
  c,
  user,
  profileErrors = {},
  passwordErrors = {},
  values = {},
}: {
  c: Ctx;
  user: User;
  profileErrors?: FieldErrors;
  passwordErrors?: FieldErrors;
  values?: Record<string, string>;
}) {
  const { t, href, locale, timezone } = viewOf(c);
  const zones = timeZones();
  return (
    <>
      <h1>{t('account.title')}</h1>
      <div class="grid two">
        <section class="card" aria-labelledby="profile-h">
          <h2 id="profile-h">{t('account.profile')}</h2>
          <form method="post" action={href('/account/profile')} novalidate>
            <Field
              name="name"
              label={t('auth.name')}
              value={values.name ?? user.name}
              error={profileErrors.name}
              required
              autocomplete="name"
            />
            <Field name="locale" label={t('account.language')} error={profileErrors.locale}>
              <select id="f-locale" name="locale">
                <option value="fr" selected={user.locale === 'fr'}>
                  Français
                </option>
                <option value="en" selected={user.locale === 'en'}>
                  English
                </option>
              </select>
            </Field>
            <Field
              name="timezone"
              label={t('account.timezone')}
              error={profileErrors.timezone}
              hint={t('account.timezoneHint', { now: formatDateTime(new Date(), locale, timezone, 'medium') })}
            >
              <select id="f-timezone" name="timezone">
                {zones.map((z) => (
                  <option value={z} selected={z === user.timezone}>
                    {z}
                  </option>
                ))}
              </select>
            </Field>
            <button type="submit" class="button">
              {t('account.save')}
            </button>
          </form>
        </section>
        <section class="card" aria-labelledby="email-h">
          <h2 id="email-h">{t('account.email')}</h2>
          <p>
            <strong>{user.email}</strong>{' '}
            {user.emailVerifiedAt ? (
              <span class="badge success">{t('account.verified')}</span>
            ) : (
              <span class="badge warning">{t('account.unverified')}</span>
            )}
          </p>
          {user.emailVerifiedAt ? null : (
            <form method="post" action={href('/account/verify-resend')}>
              <p class="muted">{t('account.verifyHelp')}</p>
              <button type="submit" class="button secondary">
                {t('account.resend')}
              </button>
            </form>
          )}
          <h2 id="password-h">{t('account.password')}</h2>
          <form method="post" action={href('/account/password')} novalidate>
            {user.passwordHash ? (
              <Field
                name="currentPassword"
                type="password"
                label={t('account.currentPassword')}
                error={passwordErrors.currentPassword}
                required
                autocomplete="current-password"
              />
            ) : (
              <p class="muted">{t('account.noPasswordYet')}</p>
            )}
            <Field
              name="newPassword"
              type="password"
              label={t('account.newPassword')}
              error={passwordErrors.newPassword}
              hint={t('auth.passwordHint')}
              required
              autocomplete="new-password"
            />
            <button type="submit" class="button">
              {t('account.changePassword')}
            </button>
          </form>
        </section>
      </div>
      {user.creatorWithdrawnAt ? (
        <section class="card" id="become-creator" aria-labelledby="creator-h" data-creator-withdrawn>
          <h2 id="creator-h">{t('account.becomeCreator')}</h2>
          <p>{t('account.creatorWithdrawn')}</p>
        </section>
      ) : user.role === 'USER' ? (
        <section class="card" id="become-creator" aria-labelledby="creator-h">
          <h2 id="creator-h">{t('account.becomeCreator')}</h2>
          <p class="muted">{t('account.becomeCreatorHelp')}</p>
          <form method="post" action={href('/account/become-creator')}>
            <button type="submit" class="button secondary">
              {t('account.becomeCreatorCta')}
            </button>
          </form>
        </section>
      ) : null}
      <section class="card" id="emails" aria-labelledby="emails-h">
        <h2 id="emails-h">{t('account.emails')}</h2>
        <p class="muted">{t('account.emailsIntro')}</p>
        <form method="post" action={href('/account/emails')} data-email-prefs>
          {emailCategoriesFor(user.role).map((cat) => (
            <label class="check">
              <input type="checkbox" name={cat} value="on" checked={wantsEmail(user.emailPrefs, cat)} />{' '}
              {t(`account.emailCategory.${cat}`)}
            </label>
          ))}
          <button type="submit" class="button secondary">
            {t('account.emailsSave')}
          </button>
        </form>
      </section>
      <section class="card danger-zone" aria-labelledby="sessions-h">
        <h2 id="sessions-h">{t('account.sessions')}</h2>
        <p class="muted">{t('account.sessionsHelp')}</p>
        <form method="post" action={href('/account/signout-all')}>
          <button type="submit" class="button danger">
            {t('account.signoutAll')}
          </button>
        </form>
      </section>
    </>
  );
}

area.get(`${L}/account`, {}, (c, { user }) => {
  return page(c, { title: viewOf(c).t('account.title'), body: <AccountView c={c} user={user} /> });
});

area.post(`${L}/account/profile`, {}, async (c, { user, raw }) => {
  const form = await raw();
  const parsed = UpdateMeBody.safeParse({ name: form.name, locale: form.locale, timezone: form.timezone });
  if (!parsed.success) {
    return page(c, {
      title: viewOf(c).t('account.title'),
      status: 400,
      body: <AccountView c={c} user={user} profileErrors={localizeIssues(viewOf(c).t, parsed.error)} values={form} />,
    });
  }
  const updated = await updateProfile(c.get('deps'), user, parsed.data);
  flash(c, 'account.saved');
  return c.redirect(`/${updated.locale}/account`, 303);
});

area.post(
  `${L}/account/password`,
  {
    form: ChangePasswordBody,
    // The account page again, the password fields (never refilled) with their errors.
    refused: (c, { user, error }) =>
      page(c, {
        title: viewOf(c).t('account.title'),
        status: 400,
        body: <AccountView c={c} user={user} passwordErrors={localizeIssues(viewOf(c).t, error)} />,
      }),
  },
  async (c, { user, form }) => {
    const { t, href } = viewOf(c);
    if (!(await passwordChangeAllowed(c.get('deps'), user.id))) {
      c.header('Retry-After', '60');
      return page(c, {
        title: t('account.title'),
        status: 429,
        body: <AccountView c={c} user={user} passwordErrors={{ currentPassword: t('auth.errors.rateLimited') }} />,
      });
    }
    const r = await changePassword(c.get('deps'), user, form, c.get('auth')?.sessionId);
    if (!r.ok) {
      return page(c, {
        title: t('account.title'),
        status: 422,
        body: <AccountView c={c} user={user} passwordErrors={{ currentPassword: t('account.wrongPassword') }} />,
      });
    }
    flash(c, 'account.passwordChanged');
    return c.redirect(href('/account'), 303);
  },
);

area.post(`${L}/account/verify-resend`, {}, async (c, { user }) => {
  const deps = c.get('deps');
  const { success } = await deps.limiters.signup.limit({ key: `verify-resend:${user.id}` });
  const r = success ? await resendVerificationEmail(deps, user) : null;
  if (!r) flash(c, 'auth.errors.rateLimited', 'error');
  else if (r.status === 'THROTTLED') flash(c, 'auth.errors.emailThrottled', 'error');
  else flash(c, 'account.verifySent');
  return c.redirect(viewOf(c).href('/account'), 303);
});

area.post(`${L}/account/signout-all`, {}, async (c, { user }) => {
  const deps = c.get('deps');
  const revoked = await revokeAllSessions(deps, user.id);
  await deps.log.auth.info(
    'AUTH_SESSIONS_REVOKED',
    'Signed out everywhere',
    { revoked },
    { actor: 'USER', actorId: user.id },
  );
  clearSessionCookie(c);
  flash(c, 'account.signedOutAll', 'info');
  return c.redirect(viewOf(c).href('/signin'), 303);
});

area.post(`${L}/account/emails`, {}, async (c, { user, raw }) => {
  const form = await raw();
  const deps = c.get('deps');
  // Unchecked boxes are absent from the form: every category shown is set explicitly.
  const prefs = Object.fromEntries(emailCategoriesFor(user.role).map((cat) => [cat, form[cat] === 'on']));
  await saveEmailPrefs(deps, user, prefs);
  flash(c, 'account.emailsSaved');
  return c.redirect(`${viewOf(c).href('/account')}#emails`, 303);
});

area.post(`${L}/account/become-creator`, {}, async (c, { user }) => {
  const r = await becomeCreator(c.get('deps'), user.id);
  if (!r.ok) {
    flash(c, 'account.creatorWithdrawn', 'error');
    return c.redirect(`${viewOf(c).href('/account')}#become-creator`, 303);
  }
  flash(c, 'creatorSpace.welcome');
  return c.redirect(viewOf(c).href('/creator/profile'), 303);
});
