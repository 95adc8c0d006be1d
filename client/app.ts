/**
 * Loaded on every page (tiny, no framework): remembers the browser's time zone in a cookie so
 * anonymous pages show local times, and fills time-zone fields of forms that ask for it.
 */
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

if (zone) {
  if (!document.cookie.split('; ').some((c) => c === `tz=${encodeURIComponent(zone)}`)) {
    document.cookie = `tz=${encodeURIComponent(zone)}; path=/; max-age=31536000; samesite=lax; secure`;
  }
  for (const input of document.querySelectorAll<HTMLInputElement>('input[data-detect-timezone]')) input.value = zone;
}
