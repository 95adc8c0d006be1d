/** Fan space: the section navigation shared by every /dashboard page, and pieces of its call lists. */
import type { Ctx } from '../../http/context';
import { callWindow } from '../../domain/calls/window';
import type { FanCall } from '../../domain/fan/dashboard';
import { imageUrl } from '../../domain/creators/queries';
import { formatTime } from '../../i18n/format';
import { Avatar, Duration, Money, SectionNav, TimeRange } from '../components/ui';
import { viewOf } from '../render';

export type FanSection = 'home' | 'calls' | 'history' | 'requests' | 'notifications' | 'account';

export function FanNav({ c, current }: { c: Ctx; current: FanSection }) {
  const { t, href } = viewOf(c);
  return (
    <SectionNav
      label={t('fan.nav.label')}
      current={current}
      items={[
        { key: 'home', href: href('/dashboard'), label: t('fan.nav.home') },
        { key: 'calls', href: href('/dashboard/calls'), label: t('fan.nav.calls') },
        { key: 'history', href: href('/dashboard/history'), label: t('fan.nav.history') },
        { key: 'requests', href: href('/dashboard/requests'), label: t('fan.nav.requests') },
        { key: 'notifications', href: href('/notifications'), label: t('fan.nav.notifications') },
        { key: 'account', href: href('/account'), label: t('fan.nav.account') },
      ]}
    />
  );
}

/** Creator, title, time in the viewer's zone, duration and price of a call. */
export function CallHead({ c, call }: { c: Ctx; call: FanCall }) {
  const { t, href, locale, timezone } = viewOf(c);
  return (
    <>
      <div class="creator-mini">
        <Avatar name={call.creator.name} url={imageUrl(call.creator.imageKey)} size="sm" />
        <div>
          <a href={href(`/c/${call.creator.slug}`)}>
            <strong>{call.creator.name}</strong>
          </a>
          <div class="muted small">{call.title}</div>
        </div>
      </div>
      <p class="fan-call-when">
        <TimeRange start={call.startsAt} end={call.endsAt} locale={locale} timezone={timezone} />
      </p>
      <p class="fan-call-meta muted small">
        <Duration minutes={call.durationMinutes} locale={locale} /> ·{' '}
        <Money amount={call.price} currency={call.currency} locale={locale} />
        <span class="sr-only"> {t('fan.calls.with', { name: call.creator.name })}</span>
      </p>
    </>
  );
}

/**
 * The join button of a confirmed call, rendered in its current state; the `join-button` island
 * then follows the access window live (opens 15 min before the start, closes after the end).
 */
export function JoinButton({ c, call }: { c: Ctx; call: Pick<FanCall, 'id' | 'startsAt' | 'endsAt'> }) {
  const { t, href, locale, timezone } = viewOf(c);
  const now = c.get('deps').clock.now().getTime();
  const w = callWindow(call);
  const state = now >= w.closesAt.getTime() ? 'ended' : now >= w.opensAt.getTime() ? 'open' : 'closed';
  const labels = {
    join: t('fan.calls.join'),
    opensAt: t('fan.calls.opensAt', { time: formatTime(w.opensAt, locale, timezone) }),
    opensIn: t('fan.calls.opensIn', { left: '{left}' }),
    ended: t('fan.calls.ended'),
  };
  const props = {
    opensAt: w.opensAt.toISOString(),
    closesAt: w.closesAt.toISOString(),
    serverNow: new Date(now).toISOString(),
    href: href(`/call/${call.id}`),
    labels,
  };
  return (
    <div
      class="join"
      data-island="join-button"
      data-props={JSON.stringify(props)}
      data-join-state={state}
      data-opens-at={props.opensAt}
    >
      {state === 'open' ? (
        <a class="button" href={props.href} data-join="open">
          {labels.join}
        </a>
      ) : state === 'closed' ? (
        <button type="button" class="button" disabled data-join="closed">
          {labels.join}
        </button>
      ) : (
        <span class="muted" data-join="ended">
          {labels.ended}
        </span>
      )}
      <span class="join-hint muted small">{state === 'closed' ? labels.opensAt : ''}</span>
    </div>
  );
}
