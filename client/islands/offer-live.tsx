/** Offer page island: live availability; the book button follows it without a reload. */
import { useEffect, useState } from 'preact/hooks';
import { mount } from '../lib/islands';
import { connectLive } from '../lib/live';

interface Props {
  offerId: string;
  status: string;
  youHold: boolean;
  /** False for the creator's own offer or an offer reserved for another fan. */
  canBook: boolean;
  bookUrl: string;
  checkoutUrl: string | null;
  labels: { status: Record<string, string>; book: string; held: string; booked: string; closed: string; yours: string; resume: string; live: string; polling: string; notForYou: string };
}

const TONE: Record<string, string> = { AVAILABLE: 'success', HELD: 'warning', BOOKED: 'info', COMPLETED: 'success', CANCELLED: 'danger' };

function OfferLive(p: Props) {
  const [status, setStatus] = useState(p.status);
  const [mode, setMode] = useState<'live' | 'polling' | 'connecting'>('connecting');
  useEffect(() => connectLive<{ type: string; status: string }>({
    url: `/api/offers/${p.offerId}/live`,
    onMessage: (m) => { if (m.type === 'status') setStatus(m.status); },
    onMode: setMode,
  }), [p.offerId]);

  const unavailable = status !== 'AVAILABLE';
  useEffect(() => {
    // When the offer is taken, bring the creator's other slots into view.
    if (unavailable && !p.youHold) document.getElementById('other-slots')?.classList.add('highlight');
  }, [unavailable]);

  return (
    <div class="live" data-live-status={status} data-live-mode={mode}>
      <p class="live-status">
        <span class={`badge ${TONE[status] ?? ''}`} data-status={status}>{p.labels.status[status] ?? status}</span>
        <span class={`live-dot ${mode}`} title={mode === 'polling' ? p.labels.polling : p.labels.live} aria-hidden="true" />
      </p>
      {p.youHold && p.checkoutUrl ? (
        <>
          <p class="notice info">{p.labels.yours}</p>
          <a class="button block" href={p.checkoutUrl}>{p.labels.resume}</a>
        </>
      ) : unavailable ? (
        <p class="notice warning" role="status" aria-live="polite">{status === 'HELD' ? p.labels.held : status === 'BOOKED' ? p.labels.booked : p.labels.closed}</p>
      ) : !p.canBook ? (
        <p class="notice info">{p.labels.notForYou}</p>
      ) : (
        <form method="post" action={p.bookUrl}>
          <button type="submit" class="button block">{p.labels.book}</button>
        </form>
      )}
    </div>
  );
}

mount('offer-live', OfferLive);
