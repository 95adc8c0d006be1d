/** Admin area: the section navigation (the guard is the area's access, `pageArea('admin')`). */
import type { Ctx } from '../../http/context';
import { SectionNav } from '../components/ui';
import { viewOf } from '../render';

export type AdminSection =
  | 'overview'
  | 'users'
  | 'bookings'
  | 'payments'
  | 'disputes'
  | 'reviews'
  | 'payouts'
  | 'settings'
  | 'emails'
  | 'jobs'
  | 'logs'
  | 'audit';

export function AdminNav({ c, current }: { c: Ctx; current: AdminSection }) {
  const { t, href } = viewOf(c);
  return (
    <SectionNav
      label={t('admin.nav')}
      current={current}
      items={[
        { key: 'overview', href: href('/admin'), label: t('adminx.nav.overview') },
        { key: 'users', href: href('/admin/users'), label: t('adminx.nav.users') },
        { key: 'bookings', href: href('/admin/bookings'), label: t('adminx.nav.bookings') },
        { key: 'payments', href: href('/admin/payments'), label: t('adminx.nav.payments') },
        { key: 'disputes', href: href('/admin/disputes'), label: t('adminx.nav.disputes') },
        { key: 'payouts', href: href('/admin/payouts'), label: t('admin.payouts') },
        { key: 'reviews', href: href('/admin/reviews'), label: t('adminx.nav.reviews') },
        { key: 'emails', href: href('/admin/emails'), label: t('ops.emails') },
        { key: 'jobs', href: href('/admin/jobs'), label: t('ops.jobs') },
        { key: 'logs', href: href('/admin/logs'), label: t('ops.logs') },
        { key: 'audit', href: href('/admin/audit'), label: t('adminx.nav.audit') },
        { key: 'settings', href: href('/admin/settings'), label: t('admin.settings') },
      ]}
    />
  );
}
