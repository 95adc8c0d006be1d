/** Admin — accounts: search, role filter, paging; one account's detail with role change and, for creators, Stripe state and payout blocking. */
import { z } from 'zod';
import type { User } from '../../domain/rows';
import { ROLES, type Role } from '../../shared/enums';
import { disableAccount, enableAccount } from '../../domain/admin/account-status';
import { changeRole, USERS_PAGE, userDetail, usersPage, type CreatorState } from '../../domain/admin/users';
import type { Ctx } from '../../http/context';
import { notFound } from '../../http/errors';
import type { MessageKey, T } from '../../i18n';
import { IdParam } from '../../shared/common';
import { Empty, Pagination, When } from '../components/ui';
import { pageArea, textField } from '../page-route';
import { page, viewOf } from '../render';
import { AdminNav } from './common';
import { enumFilter, pageFilter, qs, searchFilter, SelectFilter, YesNo } from './kit';

const admin = pageArea('admin');
export const adminUserPages = admin.app;

const ListQuery = z.object({ q: searchFilter(100), role: enumFilter(ROLES), page: pageFilter });
const UserParams = z.object({ id: IdParam('usr') });
const toUser = (c: Ctx, { params }: { params: { id: string } }) => viewOf(c).href(`/admin/users/${params.id}`);

const roleLabel = (t: T, r: Role) => t(`adminx.role.${r}` as MessageKey);

/** Stripe account and payout state of a creator, in a compact form. */
function StripeState({ t, cr }: { t: T; cr: CreatorState }) {
  const yn = { yes: t('adminx.yes'), no: t('adminx.no') };
  return (
    <div class="stripe-state" data-stripe-state={cr.id}>
      <span class="mono small">{cr.stripeAccountId ?? t('adminx.users.noAccount')}</span>
      <span>
        {t('adminx.users.charges')} <YesNo yes={cr.chargesEnabled} labels={yn} />
      </span>
      <span>
        {t('adminx.users.payouts')} <YesNo yes={cr.payoutsEnabled} labels={yn} />
      </span>
      {cr.payoutsBlocked ? (
        <span class="badge danger" data-blocked>
          {t('admin.blocked', { reason: cr.payoutBlockReason ?? '' })}
        </span>
      ) : null}
    </div>
  );
}

admin.get('/users', { query: ListQuery }, async (c, { query: { q, role, page: p } }) => {
  const { t, href, locale, timezone } = viewOf(c);
  const { rows, total } = await usersPage(c.get('deps'), { q, role, page: p });
  return page(c, {
    title: t('adminx.users.title'),
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('admin.title')}</h1>
        <AdminNav c={c} current="users" />
        <h2>{t('adminx.users.title')}</h2>
        <form method="get" action={href('/admin/users')} class="inline-actions filters" role="search">
          <label for="u-q">{t('adminx.users.search')}</label>
          <input id="u-q" name="q" type="search" value={q ?? ''} placeholder={t('adminx.users.searchHint')} />
          <SelectFilter
            id="u-role"
            name="role"
            label={t('adminx.users.role')}
            all={t('admin.filterAll')}
            value={role}
            options={ROLES.map((r) => ({ value: r, label: roleLabel(t, r) }))}
          />
          <button class="button small secondary" type="submit">
            {t('admin.filter')}
          </button>
        </form>
        <p class="muted small" data-total={total}>
          {t('adminx.results', { n: total })}
        </p>
        {rows.length === 0 ? (
          <Empty>{t('adminx.users.none')}</Empty>
        ) : (
          <table class="table" data-users>
            <thead>
              <tr>
                <th>{t('adminx.users.account')}</th>
                <th>{t('adminx.users.role')}</th>
                <th>{t('adminx.users.since')}</th>
                <th>{t('adminx.users.stripe')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ user: u, creator: cr }) => (
                <tr data-user={u.id} data-role={u.role}>
                  <td>
                    <a href={href(`/admin/users/${u.id}`)}>
                      <strong>{u.name}</strong>
                    </a>
                    <div class="muted small">{u.email}</div>
                    {u.disabledAt ? <span class="badge danger">{t('adminx.users.disabled')}</span> : null}
                  </td>
                  <td>
                    <span class={`badge ${u.role === 'ADMIN' ? 'info' : u.role === 'CREATOR' ? 'success' : ''}`}>
                      {roleLabel(t, u.role)}
                    </span>
                  </td>
                  <td class="small">
                    <When at={u.createdAt} locale={locale} timezone={timezone} style="short" withZone={false} />
                  </td>
                  <td>{cr ? <StripeState t={t} cr={cr} /> : <span class="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <Pagination
          t={t}
          page={p}
          total={total}
          pageSize={USERS_PAGE}
          href={(n) => `${href('/admin/users')}?${qs({ q, role, page: n })}`}
        />
      </>
    ),
  });
});

/** Disable (or finish closing) / enable, each behind a reason and a confirmation box. */
function AccountStatusForm({ t, href, u, self }: { t: T; href: (p: string) => string; u: User; self: boolean }) {
  if (self)
    return (
      <p class="muted" data-self-status>
        {t('adminx.users.cannotDisableSelf')}
      </p>
    );
  const form = (action: 'disable' | 'enable', label: string, confirm: string, help: string, danger: boolean) => (
    <form method="post" action={href(`/admin/users/${u.id}/${action}`)} class="stack" data-status-form={action}>
      <p class="muted small">{help}</p>
      <label for={`s-${action}-reason`}>{t('admin.reason')}</label>
      <input
        id={`s-${action}-reason`}
        name="reason"
        type="text"
        maxLength={500}
        required={action === 'disable'}
        minLength={action === 'disable' ? 3 : undefined}
      />
      <label class="check">
        <input type="checkbox" name="confirm" value="yes" required /> {confirm}
      </label>
      <button class={`button small${danger ? ' danger' : ''}`} type="submit">
        {label}
      </button>
    </form>
  );
  return (
    <>
      <h3>{t('adminx.users.status')}</h3>
      {u.disabledAt ? (
        <>
          {form(
            'enable',
            t('adminx.users.enable'),
            t('adminx.users.confirmEnable'),
            t('adminx.users.enableHelp'),
            false,
          )}
          {form(
            'disable',
            t('adminx.users.finishClosing'),
            t('adminx.users.confirmDisable'),
            t('adminx.users.finishHelp'),
            true,
          )}
        </>
      ) : (
        form(
          'disable',
          t('adminx.users.disable'),
          t('adminx.users.confirmDisable'),
          t('adminx.users.disableHelp'),
          true,
        )
      )}
    </>
  );
}

admin.get('/users/:id', { params: UserParams, notFound: 'User' }, async (c, { user: admin, params: { id } }) => {
  const { t, href, locale, timezone } = viewOf(c);
  const d = await userDetail(c.get('deps'), id);
  if (!d) throw notFound('User');
  const { user: u, creator: cr } = d;
  const self = u.id === admin.id;
  const back = `/admin/users/${u.id}`;
  return page(c, {
    title: u.name,
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('admin.title')}</h1>
        <AdminNav c={c} current="users" />
        <p>
          <a href={href('/admin/users')}>← {t('adminx.users.back')}</a>
        </p>
        <div class="grid two">
          <section class="card" data-user-detail={u.id}>
            <h2>{u.name}</h2>
            <dl class="meta">
              <dt>{t('adminx.users.email')}</dt>
              <dd>
                {u.email}
                {u.emailVerifiedAt ? '' : <span class="badge warning"> {t('adminx.users.unverified')}</span>}
              </dd>
              <dt>{t('adminx.users.role')}</dt>
              <dd data-current-role={u.role}>
                {roleLabel(t, u.role)}
                {u.creatorWithdrawnAt ? (
                  <>
                    {' '}
                    <span class="badge warning" data-creator-withdrawn>
                      {t('adminx.users.roleWithdrawn')}
                    </span>
                  </>
                ) : null}
              </dd>
              <dt>{t('adminx.users.status')}</dt>
              <dd data-disabled={String(u.disabledAt !== null)}>
                {u.disabledAt ? (
                  <span class="badge danger">
                    {t('adminx.users.disabled')} ·{' '}
                    <When at={u.disabledAt} locale={locale} timezone={timezone} style="medium" withZone={false} />
                  </span>
                ) : (
                  <span class="badge success">{t('adminx.users.active')}</span>
                )}
              </dd>
              <dt>{t('adminx.users.langZone')}</dt>
              <dd>
                {u.locale} · {u.timezone}
              </dd>
              <dt>{t('adminx.users.since')}</dt>
              <dd>
                <When at={u.createdAt} locale={locale} timezone={timezone} style="medium" withZone={false} />
              </dd>
              <dt>{t('adminx.users.bookings')}</dt>
              <dd>
                <a href={`${href('/admin/bookings')}?${qs({ fan: u.email })}`}>{d.bookingsAsFan}</a>
                {cr ? (
                  <>
                    {' '}
                    · {t('adminx.users.asCreator')}{' '}
                    <a href={`${href('/admin/bookings')}?${qs({ creator: cr.id })}`}>{d.bookingsAsCreator}</a>
                  </>
                ) : null}
              </dd>
              <dt>{t('adminx.nav.audit')}</dt>
              <dd>
                <a href={`${href('/admin/audit')}?${qs({ entity: 'user', entityId: u.id })}`}>
                  {t('adminx.users.history')}
                </a>
              </dd>
            </dl>
            <h3>{t('adminx.users.changeRole')}</h3>
            {self ? (
              <p class="muted" data-self>
                {t('adminx.users.selfNote')}
              </p>
            ) : null}
            <form method="post" action={href(`/admin/users/${u.id}/role`)} class="stack" data-role-form>
              <label for="r-role">{t('adminx.users.newRole')}</label>
              <select id="r-role" name="role" disabled={self}>
                {ROLES.map((r) => (
                  <option value={r} selected={r === u.role}>
                    {roleLabel(t, r)}
                  </option>
                ))}
              </select>
              <label for="r-reason">{t('admin.reason')}</label>
              <input id="r-reason" name="reason" type="text" maxLength={500} disabled={self} />
              <p class="muted small">{t('adminx.users.demoteHelp')}</p>
              <button class="button small" type="submit" disabled={self}>
                {t('adminx.users.saveRole')}
              </button>
            </form>
            <AccountStatusForm t={t} href={href} u={u} self={self} />
          </section>
          {cr ? (
            <section class="card" data-creator={cr.id}>
              <h2>{t('adminx.users.creatorProfile')}</h2>
              <dl class="meta">
                <dt>{t('adminx.users.page')}</dt>
                <dd>
                  <a href={href(`/c/${cr.slug}`)}>{cr.displayName}</a>
                </dd>
                <dt>{t('adminx.users.stripeAccount')}</dt>
                <dd class="mono small">{cr.stripeAccountId ?? t('adminx.users.noAccount')}</dd>
                <dt>{t('adminx.users.charges')}</dt>
                <dd>
                  <YesNo yes={cr.chargesEnabled} labels={{ yes: t('adminx.yes'), no: t('adminx.no') }} />
                </dd>
                <dt>{t('adminx.users.payouts')}</dt>
                <dd>
                  <YesNo yes={cr.payoutsEnabled} labels={{ yes: t('adminx.yes'), no: t('adminx.no') }} />
                </dd>
                <dt>{t('adminx.users.details')}</dt>
                <dd>
                  <YesNo yes={cr.detailsSubmitted} labels={{ yes: t('adminx.yes'), no: t('adminx.no') }} />
                </dd>
                <dt>{t('adminx.users.onboarded')}</dt>
                <dd>
                  {cr.onboardedAt ? (
                    <When at={cr.onboardedAt} locale={locale} timezone={timezone} style="medium" withZone={false} />
                  ) : (
                    '—'
                  )}
                </dd>
                <dt>{t('adminx.users.currency')}</dt>
                <dd>
                  {cr.currency} · {t(`payouts.schedule${cr.payoutSchedule}` as MessageKey)}
                </dd>
                <dt>{t('adminx.users.payoutState')}</dt>
                <dd data-payouts-blocked={String(cr.payoutsBlocked)}>
                  {cr.payoutsBlocked ? (
                    <span class="badge danger">{t('admin.blocked', { reason: cr.payoutBlockReason ?? '' })}</span>
                  ) : (
                    <span class="badge success">{t('adminx.users.notBlocked')}</span>
                  )}
                </dd>
              </dl>
              <div class="inline-actions">
                {cr.payoutsBlocked ? (
                  <form method="post" action={href(`/admin/creators/${cr.id}/unblock`)}>
                    <input type="hidden" name="back" value={back} />
                    <button class="button small secondary" type="submit">
                      {t('admin.unblock')}
                    </button>
                  </form>
                ) : (
                  <form method="post" action={href(`/admin/creators/${cr.id}/block`)}>
                    <input type="hidden" name="back" value={back} />
                    <label class="sr-only" for="b-reason">
                      {t('admin.reason')}
                    </label>
                    <input
                      id="b-reason"
                      name="reason"
                      type="text"
                      required
                      minLength={3}
                      maxLength={500}
                      placeholder={t('admin.reason')}
                    />
                    <button class="button small danger" type="submit">
                      {t('admin.block')}
                    </button>
                  </form>
                )}
                <a class="button small secondary" href={`${href('/admin/payments')}?${qs({ creator: cr.id })}`}>
                  {t('adminx.nav.payments')}
                </a>
                <a class="button small secondary" href={`${href('/admin/payouts')}`}>
                  {t('admin.payouts')}
                </a>
              </div>
            </section>
          ) : null}
        </div>
      </>
    ),
  });
});

admin.post(
  '/users/:id/role',
  {
    params: UserParams,
    notFound: 'User',
    form: z.object({ role: z.enum(ROLES), reason: textField(500) }),
    refused: 'admin.failed',
    back: toUser,
  },
  async (c, { user, params: { id }, form, back }) => {
    const r = await changeRole(c.get('deps'), user, id, form.role, {
      reason: form.reason || null,
      requestId: c.get('requestId'),
    });
    if (r.ok)
      return back(
        r.closed?.remaining ? 'adminx.users.leftOpen' : 'adminx.users.roleChanged',
        r.closed?.remaining ? 'info' : 'success',
      );
    if (r.code === 'USER_NOT_FOUND') throw notFound('User');
    return back(
      r.code === 'CANNOT_DEMOTE_SELF' ? 'adminx.users.cannotDemoteSelf' : 'adminx.users.roleUnchanged',
      'error',
    );
  },
);

/** The confirmed status forms: nothing happens without the box ticked (and, to disable, a reason). */
const StatusForm = {
  params: UserParams,
  notFound: 'User',
  form: z.object({ confirm: z.literal('yes'), reason: textField(500) }),
  refused: 'adminx.users.confirmMissing',
  back: toUser,
} as const;

admin.post('/users/:id/disable', StatusForm, async (c, { user, params: { id }, form: { reason }, back }) => {
  if (reason.length < 3) return back('adminx.users.reasonMissing', 'error');
  const r = await disableAccount(c.get('deps'), user, id, { reason, requestId: c.get('requestId') });
  if (!r.ok && r.code === 'USER_NOT_FOUND') throw notFound('User');
  if (!r.ok) return back('adminx.users.cannotDisableSelf', 'error');
  return back(
    r.closed.remaining ? 'adminx.users.leftOpen' : 'adminx.users.disabledDone',
    r.closed.remaining ? 'info' : 'success',
  );
});

admin.post('/users/:id/enable', StatusForm, async (c, { user, params: { id }, form: { reason }, back }) => {
  const r = await enableAccount(c.get('deps'), user, id, { reason: reason || null, requestId: c.get('requestId') });
  if (!r.ok && r.code === 'USER_NOT_FOUND') throw notFound('User');
  return back(r.ok ? 'adminx.users.enabledDone' : 'adminx.users.notDisabled', r.ok ? 'success' : 'error');
});
