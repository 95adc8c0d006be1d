/**
 * Loaded on every page (tiny, no framework): remembers the browser's time zone in a cookie so
 * anonymous pages show local times, and fills time-zone fields of forms that ask for it.
 */

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

if (zone) {
  if (!document.cookie.split('; ').some((c) => c === `tz=${encodeURIComponent(zone)}`)) {
    // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is missing from Safari and older Firefox.
    document.cookie = `tz=${encodeURIComponent(zone)}; path=/; max-age=31536000; samesite=lax; secure`;
  }
  for (const input of document.querySelectorAll<HTMLInputElement>('input[data-detect-timezone]')) input.value = zone;
}

/**
 * The header bell's unread count stays current without a reload: refreshed every 60 s while the
 * page is visible, and at once when the tab comes back.
 */
const bell = document.querySelector<HTMLAnchorElement>('[data-bell]');
if (bell) {
  const badge = bell.querySelector<HTMLElement>('[data-bell-count]');
  const refresh = async () => {
    if (document.visibilityState !== 'visible') return;
    try {
      const res = await fetch('/api/notifications/unread-count', {
        cache: 'no-store',
        headers: { accept: 'application/json' },
      });
      if (!res.ok) return;
      const { unread } = (await res.json()) as { unread: number };
      if (badge) {
        badge.textContent = unread > 99 ? '99+' : String(unread);
        badge.hidden = unread === 0;
      }
      const label = bell.dataset.label;
      if (label) bell.setAttribute('aria-label', label.replace('{n}', String(unread)));
    } catch {
      // offline: keep the last count
    }
  };
  setInterval(refresh, 60_000);
  document.addEventListener('visibilitychange', () => void refresh());
}
