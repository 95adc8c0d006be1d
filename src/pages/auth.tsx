/** Sign-in, sign-up, sign-out, email verification and password reset pages (work without JavaScript). */
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { signup, verifyCredentials } from '../domain/accounts/accounts';
import { googleSignIn } from '../domain/accounts/google';
import { createPasswordSession, createSession, revokeSession } from '../domain/accounts/sessions';
import type { User } from '../domain/rows';
import { requestPasswordReset, resetPassword, verifyEmail } from '../domain/accounts/tokens';
import type { Ctx } from '../http/context';
import { clearSessionCookie, setSessionCookie } from '../http/cookies';
import { AppError, tooManyRequests } from '../http/errors';
import { redirectTarget } from '../http/redirect';
import { clientIp } from '../http/middleware';
import { credentialAttemptAllowed } from '../http/rate-limit';
import { isLocale } from '../i18n';
import { randomToken } from '../lib/crypto';
import { exchangeGoogleCode, googleAuthorizeUrl } from '../providers/google/oauth';
import { LoginBody, Password, ResetRequestBody, SignupBody } from '../shared/auth';
import { Field, FormError, localizeIssues, type FieldErrors } from './components/form';
import { homeFor } from './home-for';
import { lenient, pageArea } from './page-route';
import { flash, page, viewOf } from './render';

const area = pageArea('public');
export const authPages = area.app;
/** ?next=: where to go once signed in (a same-site path, checked by redirectTarget). */
const NextQuery = z.object({ next: lenient(z.string()) });
/** ?as=creator on the sign-up link preselects the creator account. */
const SignUpQuery = z.object({ as: lenient(z.string()) });
/** ?token= of an emailed link, checked with TokenQuery by the page (a bad link has its own page). */
const LinkQuery = z.object({ token: lenient(z.string()) });
const L = '/:lang{fr|en}';

/**
 * Signs the browser in. With a password-checked `user`, only if that password is still the
 * account's (see createPasswordSession); false when it is not.
 */
async function startSession(
  c: Ctx,
  user: Pick<User, 'id' | 'passwordHash'>,
  via: 'PASSWORD' | 'GOOGLE',
): Promise<boolean> {
  const deps = c.get('deps');
  // A fresh token on every sign-in: a session id planted before sign-in is never promoted (fixation).
  const previous = c.get('auth');
  if (previous) await revokeSession(deps, previous.sessionId);
  const meta = { userAgent: c.req.header('user-agent'), ip: clientIp(c.req.raw) };
  const s =
    via === 'PASSWORD'
      ? await createPasswordSession(deps, user, 'COOKIE', meta)
      : await createSession(deps, user, 'COOKIE', meta);
  if (s) setSessionCookie(c, s.token, s.expiresAt);
  return s !== null;
}

// ------------------------------------------------------------------ sign in
function SignInForm({
  c,
  asked,
  values,
  errors,
  formError,
}: {
  c: Ctx;
  /** The URL's ?next=, which wins over the form's. */
  asked: string | undefined;
  values: Record<string, string>;
  errors: FieldErrors;
  formError?: string;
}) {
  const { t, href } = viewOf(c);
  const next = redirectTarget(c, asked ?? values.next, '');
  const google = c.get('deps').config.google;
  return (
    <section class="auth-card card">
      <h1>{t('auth.signin.title')}</h1>
      <p class="muted">{t('auth.signin.subtitle')}</p>
      <FormError message={formError} />
      <form method="post" action={href('/signin')} novalidate>
        <input type="hidden" name="next" value={next} />
        <Field
          name="email"
          type="email"
          label={t('auth.email')}
          value={values.email}
          error={errors.email}
          required
          autocomplete="email"
        />
        <Field
          name="password"
          type="password"
          label={t('auth.password')}
          error={errors.password}
          required
          autocomplete="current-password"
        />
        <p class="form-aside">
          <a href={href('/forgot-password')}>{t('auth.signin.forgot')}</a>
        </p>
        <button type="submit" class="button block">
          {t('auth.signin.submit')}
        </button>
      </form>
      {google ? (
        <>
          <div class="divider">
            <span>{t('auth.or')}</span>
          </div>
          <a
            class="button secondary block"
            href={`/auth/google/start?lang=${viewOf(c).locale}&next=${encodeURIComponent(next)}`}
          >
            {t('auth.google')}
          </a>
        </>
      ) : null}
      <p class="muted center">
        {t('auth.signin.noAccount')} <a href={href('/signup')}>{t('auth.signin.createOne')}</a>
      </p>
    </section>
  );
}

area.get(`${L}/signin`, { query: NextQuery }, (c, { user, query }) => {
  if (user) return c.redirect(redirectTarget(c, query.next, homeFor(user, c.get('locale'))), 303);
  return page(c, {
    title: viewOf(c).t('auth.signin.title'),
    body: <SignInForm c={c} asked={query.next} values={{}} errors={{}} />,
  });
});

area.post(`${L}/signin`, { query: NextQuery }, async (c, { query, raw }) => {
  const deps = c.get('deps');
  const { t } = viewOf(c);
  const form = await raw();
  const parsed = LoginBody.safeParse(form);
  const title = t('auth.signin.title');
  if (!parsed.success) {
    return page(c, {
      title,
      status: 400,
      body: <SignInForm c={c} asked={query.next} values={form} errors={localizeIssues(t, parsed.error)} />,
    });
  }
  if (!(await credentialAttemptAllowed(deps, 'login', clientIp(c.req.raw), parsed.data.email))) {
    await deps.log.auth.warn(
      'AUTH_RATE_LIMITED',
      'Sign-in rate limited',
      { ip: clientIp(c.req.raw) },
      { actor: 'GUEST' },
    );
    c.header('Retry-After', '60');
    return page(c, {
      title,
      status: 429,
      body: <SignInForm c={c} asked={query.next} values={form} errors={{}} formError={t('auth.errors.rateLimited')} />,
    });
  }
  const r = await verifyCredentials(deps, parsed.data.email, parsed.data.password);
  if (!r.ok) {
    const msg = r.reason === 'ACCOUNT_DISABLED' ? t('auth.errors.disabled') : t('auth.errors.invalidCredentials');
    return page(c, {
      title,
      status: r.reason === 'ACCOUNT_DISABLED' ? 403 : 401,
      body: <SignInForm c={c} asked={query.next} values={form} errors={{}} formError={msg} />,
    });
  }
  if (!(await startSession(c, r.user, 'PASSWORD'))) {
    return page(c, {
      title,
      status: 401,
      body: (
        <SignInForm
          c={c}
          asked={query.next}
          values={form}
          errors={{}}
          formError={t('auth.errors.invalidCredentials')}
        />
      ),
    });
  }
  await deps.log.auth.info('AUTH_LOGIN', 'Signed in', null, { actor: 'USER', actorId: r.user.id });
  // Pages follow the user's language once signed in.
  return c.redirect(redirectTarget(c, form.next, homeFor(r.user, r.user.locale)), 303);
});

// ------------------------------------------------------------------ sign up
function SignUpForm({
  c,
  as,
  values,
  errors,
  formError,
}: {
  c: Ctx;
  /** The URL's ?as= ('creator' preselects the creator account). */
  as: string | undefined;
  values: Record<string, string>;
  errors: FieldErrors;
  formError?: string;
}) {
  const { t, href, timezone } = viewOf(c);
  const role = values.role === 'CREATOR' || as === 'creator' ? 'CREATOR' : 'USER';
  return (
    <section class="auth-card card">
      <h1>{t('auth.signup.title')}</h1>
      <p class="muted">{t('auth.signup.subtitle')}</p>
      <FormError message={formError} />
      <form method="post" action={href('/signup')} novalidate>
        <fieldset class="role-choice">
          <legend>{t('auth.signup.roleLegend')}</legend>
          <label class="choice">
            <input type="radio" name="role" value="USER" checked={role === 'USER'} />
            <span>
              <strong>{t('auth.signup.roleFan')}</strong>
              <small>{t('auth.signup.roleFanHint')}</small>
            </span>
          </label>
          <label class="choice">
            <input type="radio" name="role" value="CREATOR" checked={role === 'CREATOR'} />
            <span>
              <strong>{t('auth.signup.roleCreator')}</strong>
              <small>{t('auth.signup.roleCreatorHint')}</small>
            </span>
          </label>
        </fieldset>
        <Field
          name="name"
          label={t('auth.name')}
          value={values.name}
          error={errors.name}
          required
          autocomplete="name"
        />
        <Field
          name="email"
          type="email"
          label={t('auth.email')}
          value={values.email}
          error={errors.email}
          required
          autocomplete="email"
        />
        <Field
          name="password"
          type="password"
          label={t('auth.password')}
          error={errors.password}
          hint={t('auth.passwordHint')}
          required
          autocomplete="new-password"
          attrs={{ minlength: 10 }}
        />
        <input type="hidden" name="timezone" value={values.timezone ?? timezone} data-detect-timezone="" />
        <button type="submit" class="button block">
          {t('auth.signup.submit')}
        </button>
      </form>
      <p class="muted center">
        {t('auth.signup.haveAccount')} <a href={href('/signin')}>{t('auth.signup.signIn')}</a>
      </p>
    </section>
  );
}

area.get(`${L}/signup`, { query: SignUpQuery }, (c, { user, query }) => {
  if (user) return c.redirect(homeFor(user, c.get('locale')), 303);
  return page(c, {
    title: viewOf(c).t('auth.signup.title'),
    body: <SignUpForm c={c} as={query.as} values={{}} errors={{}} />,
  });
});

area.post(`${L}/signup`, { query: SignUpQuery }, async (c, { query, raw }) => {
  const deps = c.get('deps');
  const view = viewOf(c);
  const form = await raw();
  const title = view.t('auth.signup.title');
  const parsed = SignupBody.safeParse({ ...form, locale: view.locale, timezone: form.timezone || view.timezone });
  if (!parsed.success) {
    return page(c, {
      title,
      status: 400,
      body: <SignUpForm c={c} as={query.as} values={form} errors={localizeIssues(view.t, parsed.error)} />,
    });
  }
  const { success } = await deps.limiters.signup.limit({ key: `signup:${clientIp(c.req.raw)}` });
  if (!success) {
    c.header('Retry-After', '60');
    return page(c, {
      title,
      status: 429,
      body: <SignUpForm c={c} as={query.as} values={form} errors={{}} formError={view.t('auth.errors.rateLimited')} />,
    });
  }
  const r = await signup(deps, {
    ...parsed.data,
    locale: view.locale,
    timezone: parsed.data.timezone ?? view.timezone,
  });
  if (!r.ok) {
    return page(c, {
      title,
      status: 409,
      body: <SignUpForm c={c} as={query.as} values={form} errors={{ email: view.t('auth.errors.emailTaken') }} />,
    });
  }
  // Claimed by the address's owner in the meantime: the account is not the one just created any more.
  if (!(await startSession(c, r.user, 'PASSWORD'))) return c.redirect(view.href('/signin'), 303);
  flash(c, 'auth.signup.welcome');
  return c.redirect(homeFor(r.user, view.locale), 303);
});

// ------------------------------------------------------------------ sign out
area.post(`${L}/signout`, {}, async (c) => {
  const auth = c.get('auth');
  if (auth) {
    await revokeSession(c.get('deps'), auth.sessionId);
    await c.get('deps').log.auth.info('AUTH_LOGOUT', 'Signed out', null, { actor: 'USER', actorId: auth.userId });
  }
  clearSessionCookie(c);
  flash(c, 'auth.signedOut', 'info');
  return c.redirect(`/${c.get('locale')}/`, 303);
});

// ------------------------------------------------------------------ email verification
const TokenQuery = z.string().min(20).max(200);

function Message({ title, text, children }: { title: string; text: string; children?: preact.ComponentChildren }) {
  return (
    <section class="auth-card card">
      <h1>{title}</h1>
      <p>{text}</p>
      {children}
    </section>
  );
}

area.get(`${L}/verify-email`, { query: LinkQuery }, (c, { query }) => {
  const { t, href } = viewOf(c);
  const token = TokenQuery.safeParse(query.token);
  if (!token.success)
    return page(c, {
      title: t('auth.verify.title'),
      status: 400,
      body: <Message title={t('auth.verify.title')} text={t('auth.errors.badLink')} />,
    });
  // Confirming takes a click (a POST): mail scanners that prefetch links do not verify anyone.
  return page(c, {
    title: t('auth.verify.title'),
    body: (
      <Message title={t('auth.verify.title')} text={t('auth.verify.prompt')}>
        <form method="post" action={href('/verify-email')}>
          <input type="hidden" name="token" value={token.data} />
          <button type="submit" class="button">
            {t('auth.verify.submit')}
          </button>
        </form>
      </Message>
    ),
  });
});

// A missing or malformed token is the same dead link as an expired one (410 below).
const VerifyForm = z.object({ token: lenient(TokenQuery) });

area.post(`${L}/verify-email`, { form: VerifyForm }, async (c, { form }) => {
  const { t, href } = viewOf(c);
  const user = form.token ? await verifyEmail(c.get('deps'), form.token) : null;
  if (!user)
    return page(c, {
      title: t('auth.verify.title'),
      status: 410,
      body: <Message title={t('auth.verify.title')} text={t('auth.errors.badLink')} />,
    });
  flash(c, 'auth.verify.done');
  return c.redirect(c.get('auth') ? href('/account') : href('/signin'), 303);
});

// ------------------------------------------------------------------ password reset
function ForgotForm({ c, values, errors }: { c: Ctx; values: Record<string, string>; errors: FieldErrors }) {
  const { t, href } = viewOf(c);
  return (
    <section class="auth-card card">
      <h1>{t('auth.forgot.title')}</h1>
      <p class="muted">{t('auth.forgot.subtitle')}</p>
      <form method="post" action={href('/forgot-password')} novalidate>
        <Field
          name="email"
          type="email"
          label={t('auth.email')}
          value={values.email}
          error={errors.email}
          required
          autocomplete="email"
        />
        <button type="submit" class="button block">
          {t('auth.forgot.submit')}
        </button>
      </form>
    </section>
  );
}

area.get(`${L}/forgot-password`, {}, (c) =>
  page(c, { title: viewOf(c).t('auth.forgot.title'), body: <ForgotForm c={c} values={{}} errors={{}} /> }),
);

area.post(`${L}/forgot-password`, {}, async (c, { raw }) => {
  const deps = c.get('deps');
  const { t } = viewOf(c);
  const form = await raw();
  const parsed = ResetRequestBody.safeParse(form);
  if (!parsed.success)
    return page(c, {
      title: t('auth.forgot.title'),
      status: 400,
      body: <ForgotForm c={c} values={form} errors={localizeIssues(t, parsed.error)} />,
    });
  if (!(await credentialAttemptAllowed(deps, 'reset', clientIp(c.req.raw), parsed.data.email)))
    throw tooManyRequests(60);
  await requestPasswordReset(deps, parsed.data.email);
  return page(c, {
    title: t('auth.forgot.title'),
    body: <Message title={t('auth.forgot.sentTitle')} text={t('auth.forgot.sent')} />,
  });
});

function ResetForm({ c, token, errors }: { c: Ctx; token: string; errors: FieldErrors }) {
  const { t, href } = viewOf(c);
  return (
    <section class="auth-card card">
      <h1>{t('auth.reset.title')}</h1>
      <form method="post" action={href('/reset-password')} novalidate>
        <input type="hidden" name="token" value={token} />
        <Field
          name="password"
          type="password"
          label={t('auth.reset.newPassword')}
          error={errors.password}
          hint={t('auth.passwordHint')}
          required
          autocomplete="new-password"
        />
        <button type="submit" class="button block">
          {t('auth.reset.submit')}
        </button>
      </form>
    </section>
  );
}

area.get(`${L}/reset-password`, { query: LinkQuery }, (c, { query }) => {
  const { t } = viewOf(c);
  const token = TokenQuery.safeParse(query.token);
  if (!token.success)
    return page(c, {
      title: t('auth.reset.title'),
      status: 400,
      body: <Message title={t('auth.reset.title')} text={t('auth.errors.badLink')} />,
    });
  c.header('Referrer-Policy', 'no-referrer');
  return page(c, { title: t('auth.reset.title'), body: <ResetForm c={c} token={token.data} errors={{}} /> });
});

area.post(`${L}/reset-password`, {}, async (c, { raw }) => {
  const { t, href } = viewOf(c);
  const form = await raw();
  const token = TokenQuery.safeParse(form.token);
  if (!token.success)
    return page(c, {
      title: t('auth.reset.title'),
      status: 400,
      body: <Message title={t('auth.reset.title')} text={t('auth.errors.badLink')} />,
    });
  const password = Password.safeParse(form.password);
  if (!password.success) {
    const { _: problem } = localizeIssues(t, password.error); // a lone value: its issues have no path
    return page(c, {
      title: t('auth.reset.title'),
      status: 400,
      body: <ResetForm c={c} token={token.data} errors={problem ? { password: problem } : {}} />,
    });
  }
  const r = await resetPassword(c.get('deps'), token.data, password.data, viewOf(c).locale);
  if (!r)
    return page(c, {
      title: t('auth.reset.title'),
      status: 410,
      body: <Message title={t('auth.reset.title')} text={t('auth.errors.badLink')} />,
    });
  clearSessionCookie(c);
  if (r.claimed) flash(c, 'auth.claimed.reset', 'info');
  else flash(c, 'auth.reset.done');
  return c.redirect(href('/signin'), 303);
});

// ------------------------------------------------------------------ Google
const OAUTH_COOKIE = 'g_oauth';

/** ?lang= the page language to come back in; ?next= where to go once signed in. */
const GoogleStartQuery = NextQuery.extend({ lang: lenient(z.string()) });

area.get('/auth/google/start', { query: GoogleStartQuery }, async (c, { query }) => {
  const cfg = c.get('deps').config.google;
  if (!cfg) throw new AppError(404, 'NOT_FOUND', 'Google sign-in is not configured.');
  const lang = isLocale(query.lang) ? query.lang : c.get('locale');
  const state = randomToken(16);
  const verifier = randomToken(32);
  const next = redirectTarget(c, query.next, '');
  setCookie(c, OAUTH_COOKIE, JSON.stringify({ state, verifier, lang, next }), {
    path: '/auth/google',
    httpOnly: true,
    secure: true,
    sameSite: 'Lax',
    maxAge: 600,
  });
  return c.redirect(
    await googleAuthorizeUrl(cfg, {
      state,
      codeVerifier: verifier,
      redirectUri: `${new URL(c.req.url).origin}/auth/google/callback`,
    }),
    302,
  );
});

const OAuthCookie = z.object({ state: z.string(), verifier: z.string(), lang: z.enum(['fr', 'en']), next: z.string() });

/** What Google sends back: the code to exchange and the state to match with the cookie's. */
const GoogleCallbackQuery = z.object({ code: lenient(z.string()), state: lenient(z.string()) });

area.get('/auth/google/callback', { query: GoogleCallbackQuery }, async (c, { query }) => {
  const deps = c.get('deps');
  const cfg = deps.config.google;
  if (!cfg) throw new AppError(404, 'NOT_FOUND', 'Google sign-in is not configured.');
  let saved: z.infer<typeof OAuthCookie> | null = null;
  try {
    saved = OAuthCookie.parse(JSON.parse(getCookie(c, OAUTH_COOKIE) ?? ''));
  } catch {
    saved = null;
  }
  deleteCookie(c, OAUTH_COOKIE, { path: '/auth/google', secure: true });
  const lang = saved?.lang ?? c.get('locale');
  const { code } = query;
  if (!saved || !code || query.state !== saved.state) {
    flash(c, 'auth.errors.google', 'error');
    return c.redirect(`/${lang}/signin`, 303);
  }
  try {
    const profile = await exchangeGoogleCode(cfg, {
      code,
      codeVerifier: saved.verifier,
      redirectUri: `${new URL(c.req.url).origin}/auth/google/callback`,
    });
    const r = await googleSignIn(deps, profile, { locale: lang, timezone: c.get('timezone') });
    if (!r.ok) {
      flash(c, r.reason === 'ACCOUNT_DISABLED' ? 'auth.errors.disabled' : 'auth.errors.googleUnverified', 'error');
      return c.redirect(`/${lang}/signin`, 303);
    }
    await startSession(c, r.user, 'GOOGLE');
    if (r.claimed) {
      // What happened to the account, on the page where they can check it.
      flash(c, 'auth.claimed.google', 'info');
      return c.redirect(`/${r.user.locale}/account`, 303);
    }
    return c.redirect(redirectTarget(c, saved.next, homeFor(r.user, r.user.locale)), 303);
  } catch (e) {
    await deps.log.auth.error('AUTH_GOOGLE', 'Google sign-in failed', null, { error: e });
    flash(c, 'auth.errors.google', 'error');
    return c.redirect(`/${lang}/signin`, 303);
  }
});
