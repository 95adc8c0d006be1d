/** Time left until access opens: days (localized) then h:mm:ss. */
import { formatClock } from '../../../src/shared/clock';

export function Countdown({ seconds, locale }: { seconds: number; locale: string }) {
  const s = Math.max(0, seconds);
  const d = Math.floor(s / 86400);
  const days =
    d > 0 ? `${new Intl.NumberFormat(locale, { style: 'unit', unit: 'day', unitDisplay: 'short' }).format(d)} ` : '';
  return (
    <span class="countdown" data-countdown={Math.floor(s)}>
      {days}
      {formatClock(s % 86400)}
    </span>
  );
}
