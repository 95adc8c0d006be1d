/** Admin — the audit log: every admin write, who and when, what changed (before → after), why; filterable by entity. */
import { z } from 'zod';
import { AUDIT_ENTITIES, AUDIT_PAGE, auditPage } from '../../domain/admin/audit';
import type { MessageKey } from '../../i18n';
import { Empty, Pagination, When } from '../components/ui';
import { lenient, pageArea } from '../page-route';
import { page, viewOf } from '../render';
import { AdminNav } from './common';
import { changes, enumFilter, pageFilter, qs, SelectFilter } from './kit';

const admin = pageArea('admin');
export const adminAuditPages = admin.app;

const Query = z.object({
  entity: enumFilter(AUDIT_ENTITIES),
  entityId: lenient(z.string().regex(/^[\w-]{1,64}$/)),
  page: pageFilter,
});

/** Where an audited entity is shown in the admin, when it has a page. */
function entityHref(entity: string, id: string | null): string | null {
  if (!id) return null;
  switch (entity) {
    case 'booking':
      return `/admin/bookings/${id}`;
    case 'user':
      return `/admin/users/${id}`;
    case 'review':
      return '/admin/reviews';
    case 'payout':
    case 'creator':
      return '/admin/payouts';
    case 'dispute':
      return '/admin/disputes';
    case 'email':
      return '/admin/emails';
    case 'job':
      return '/admin/jobs';
    case 'platform_settings':
      return '/admin/settings';
    default:
      return null;
  }
}

admin.get('/audit', { query: Query }, async (c, { query: { entity, entityId, page: p } }) => {
  const { t, href, locale, timezone } = viewOf(c);
  const { rows, total } = await auditPage(c.get('deps'), { entity, entityId, page: p });
  return page(c, {
    title: t('adminx.audit.title'),
    mainClass: 'wide',
    body: (
      <>
        <h1>{t('admin.title')}</h1>
        <AdminNav c={c} current="audit" />
        <h2>{t('adminx.audit.title')}</h2>
        <form method="get" action={href('/admin/audit')} class="inline-actions filters">
          <SelectFilter
            id="a-entity"
            name="entity"
            label={t('adminx.audit.entity')}
            all={t('admin.filterAll')}
            value={entity}
            options={AUDIT_ENTITIES.map((e) => ({ value: e, label: t(`adminx.entity.${e}` as MessageKey) }))}
          />
          <label for="a-id">{t('adminx.audit.entityId')}</label>
          <input id="a-id" name="entityId" type="search" value={entityId ?? ''} />
          <button class="button small secondary" type="submit">
            {t('admin.filter')}
          </button>
        </form>
        <p class="muted small" data-total={total}>
          {t('adminx.results', { n: total })}
        </p>
        {rows.length === 0 ? (
          <Empty>{t('adminx.audit.none')}</Empty>
        ) : (
          <table class="table" data-audit>
            <thead>
              <tr>
                <th>{t('ops.when')}</th>
                <th>{t('adminx.audit.who')}</th>
                <th>{t('adminx.audit.action')}</th>
                <th>{t('adminx.audit.entity')}</th>
                <th>{t('adminx.audit.changes')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ a, actorName, actorEmail }) => {
                const link = entityHref(a.entity, a.entityId);
                const diff = changes(a.before, a.after);
                return (
                  <tr
                    data-audit-row={a.id}
                    data-action={a.action}
                    data-entity={a.entity}
                    data-entity-id={a.entityId ?? ''}
                  >
                    <td class="small">
                      <When at={a.createdAt} locale={locale} timezone={timezone} style="short" withZone={false} />
                    </td>
                    <td>
                      {actorName ?? a.actorUserId}
                      {actorEmail ? <div class="muted small">{actorEmail}</div> : null}
                    </td>
                    <td>
                      <span class="mono small">{a.action}</span>
                    </td>
                    <td>
                      {t(`adminx.entity.${a.entity}` as MessageKey)}
                      {a.entityId ? (
                        <div class="mono small">{link ? <a href={href(link)}>{a.entityId}</a> : a.entityId}</div>
                      ) : null}
                    </td>
                    <td>
                      {diff.length ? (
                        <ul class="plain mono small audit-diff">
                          {diff.map((d) => (
                            <li>{d}</li>
                          ))}
                        </ul>
                      ) : null}
                      {a.reason ? <div class="small">{t('adminx.audit.reason', { reason: a.reason })}</div> : null}
                      {a.requestId ? <div class="muted small mono">{a.requestId}</div> : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        <Pagination
          t={t}
          page={p}
          total={total}
          pageSize={AUDIT_PAGE}
          href={(n) => `${href('/admin/audit')}?${qs({ entity, entityId, page: n })}`}
        />
      </>
    ),
  });
});
