/** Creator space: the section navigation (the guard is `requireCreatorPage` in page-guards.ts). */
import type { Ctx } from '../../http/context';
import { SectionNav } from '../components/ui';
import { viewOf } from '../render';

export function CreatorNav({
  c,
  current,
}: {
  c: Ctx;
  current:
    | 'home'
    | 'offers'
    | 'planning'
    | 'reviews'
    | 'availability'
    | 'requests'
    | 'profile'
    | 'payments'
    | 'payouts';
}) {
  const { t, href } = viewOf(c);
  return (
    <SectionNav
      label={t('creatorSpace.nav')}
      current={current}
      items={[
        { key: 'home', href: href('/creator'), label: t('creatorHome.nav') },
        { key: 'offers', href: href('/creator/offers'), label: t('creatorSpace.offers') },
        { key: 'planning', href: href('/creator/planning'), label: t('planning.title') },
        { key: 'availability', href: href('/creator/availability'), label: t('availability.title') },
        { key: 'requests', href: href('/creator/requests'), label: t('creatorSpace.requests') },
        { key: 'reviews', href: href('/creator/reviews'), label: t('reviews.title') },
        { key: 'payments', href: href('/creator/payments'), label: t('creatorPayments.title') },
        { key: 'payouts', href: href('/creator/payouts'), label: t('payouts.title') },
        { key: 'profile', href: href('/creator/profile'), label: t('creatorSpace.profile') },
      ]}
    />
  );
}
