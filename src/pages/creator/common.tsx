/** Creator space: the guard (signed-in account that may act as a creator) and the section navigation. */
import type { Creator, User } from '../../domain/rows';
import { actingCreator } from '../../domain/creators/standing';
import type { Ctx } from '../../http/context';
import { SectionNav } from '../components/ui';
import { viewOf } from '../render';
import { requireUserPage } from '../account';

/**
 * The signed-in creator, or a redirect: to sign in, or to the account page for those who may not act
 * as a creator (never were, or an admin withdrew the role: the page says so).
 */
export async function requireCreatorPage(c: Ctx): Promise<{ user: User; creator: Creator } | Response> {
  const user = requireUserPage(c);
  if (user instanceof Response) return user;
  const acting = await actingCreator(c.get('deps'), user.id);
  if (!acting.ok) return c.redirect(`/${c.get('locale')}/account#become-creator`, 303);
  return { user, creator: acting.creator };
}

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
