/** Admin area: the guard (signed-in ADMIN) and the section navigation. */
import type { User } from '../../db/schema';
import type { Ctx } from '../../http/context';
import { forbidden } from '../../http/errors';
import { requireUserPage } from '../account';
import { SectionNav } from '../components/ui';
import { viewOf } from '../render';

export function requireAdminPage(c: Ctx): User | Response {
  const user = requireUserPage(c);
  if (user instanceof Response) return user;
  if (user.role !== 'ADMIN') throw forbidden('This page is for administrators.', 'FORBIDDEN_ROLE');
  return user;
}

export type AdminSection = 'payouts' | 'settings' | 'emails' | 'jobs' | 'logs';

export function AdminNav({ c, current }: { c: Ctx; current: AdminSection }) {
  const { t, href } = viewOf(c);
  return (
    <SectionNav label={t('admin.nav')} current={current} items={[
      { key: 'payouts', href: href('/admin/payouts'), label: t('admin.payouts') },
      { key: 'emails', href: href('/admin/emails'), label: t('ops.emails') },
      { key: 'jobs', href: href('/admin/jobs'), label: t('ops.jobs') },
      { key: 'logs', href: href('/admin/logs'), label: t('ops.logs') },
      { key: 'settings', href: href('/admin/settings'), label: t('admin.settings') },
    ]} />
  );
}
