/**
 * Offer page island: live availability; the book button follows it without a reload. When the
 * offer is taken (or closed), the notice says so, announces it (role=status) and lists what else
 * can be booked with this creator — their other free offers and next free times, fetched then —
 * or points to the request form when there is nothing; focus lands on the notice if the book
 * button had it. When the offer is free again, the button comes back.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { OfferAlternatives, type Alternatives, type AlternativesProps } from '../../src/shared/offer-alternatives';
import { mount } from '../lib/islands';
import { connectLive, type LiveMode } from '../lib/live';

interface Props {
  offerId: string;
  status: string;
  youHold: boolean;
  /** False for the creator's own offer or an offer reserved for another fan. */
  canBook: boolean;
  bookUrl: string;
  checkoutUrl: string | null;
  labels: {
    status: Record<string, string>;
    book: string;
    held: string;
    booked: string;
    closed: string;
    yours: string;
    resume: string;
    live: string;
    polling: string;
    notForYou: string;
    alternativesFound: string;
  };
  /** Rendered by the server when the page opened on a taken offer. */
  alternatives: Alternatives | null;
  alt: Omit<AlternativesProps, 'alternatives' | 'failed'>;
}

const TONE: Record<string, string> = {
  AVAILABLE: 'success',
  HELD: 'warning',
  BOOKED: 'info',
  COMPLETED: 'success',
  CANCELLED: 'danger',
};
/** Spread the fetches of many watchers of one offer over this window, rather than all at once. */
const FETCH_SPREAD_MS = 400;

function OfferLive(p: Props) {
  const [status, setStatus] = useState(p.status);
  const [mode, setMode] = useState<LiveMode>('connecting');
  const [alternatives, setAlternatives] = useState<Alternatives | null>(p.alternatives);
  const [failed, setFailed] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const hadFocus = useRef(false);

  useEffect(
    () =>
      connectLive<{ type: string; status: string }>({
        url: `/api/offers/${p.offerId}/live`,
        onMessage: (m) => {
          if (m.type !== 'status') return;
          // Remember whether the reader was on the controls that are about to be replaced (the book button).
          hadFocus.current =
            !!root.current?.contains(document.activeElement) && document.activeElement !== document.body;
          setStatus(m.status);
        },
        onMode: setMode,
      }),
    [p.offerId],
  );

  const taken = status !== 'AVAILABLE' && p.canBook && !p.youHold;
  useEffect(() => {
    document.getElementById('other-slots')?.classList.toggle('highlight', taken);
    if (!taken) {
      if (hadFocus.current) root.current?.querySelector<HTMLElement>('button')?.focus();
      return;
    }
    if (hadFocus.current) root.current?.querySelector<HTMLElement>('.taken')?.focus();
    if (alternatives) return;
    let cancelled = false;
    const timer = setTimeout(async () => {
      try {
        const res = await fetch(`/api/offers/${p.offerId}/alternatives`, {
          headers: { accept: 'application/json' },
          cache: 'no-store',
        });
        if (!res.ok) throw new Error(String(res.status));
        const body = (await res.json()) as Alternatives;
        if (!cancelled) setAlternatives({ offers: body.offers, slots: body.slots });
      } catch {
        if (!cancelled) setFailed(true);
      }
    }, Math.random() * FETCH_SPREAD_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [taken]);

  // Free again: what was listed may be stale by the next time it is taken.
  useEffect(() => {
    if (!taken && alternatives) setAlternatives(null);
    if (!taken) setFailed(false);
  }, [taken]);

  // Announced by a live region that is always in the page (a region inserted with its text is often not read).
  const headline = status === 'HELD' ? p.labels.held : status === 'BOOKED' ? p.labels.booked : p.labels.closed;
  const announcement = !taken
    ? ''
    : !alternatives
      ? headline
      : alternatives.offers.length || alternatives.slots.length
        ? `${headline} ${p.labels.alternativesFound}`
        : `${headline} ${p.alt.labels.none}`;

  return (
    <div class="live" ref={root} data-live-status={status} data-live-mode={mode}>
      <p class="sr-only" role="status" data-live-announcement>
        {announcement}
      </p>
      <p class="live-status">
        <span class={`badge ${TONE[status] ?? ''}`} data-status={status}>
          {p.labels.status[status] ?? status}
        </span>
        <span
          class={`live-dot ${mode}`}
          title={mode === 'polling' ? p.labels.polling : p.labels.live}
          aria-hidden="true"
        />
      </p>
      {p.youHold && p.checkoutUrl ? (
        <>
          <p class="notice info">{p.labels.yours}</p>
          <a class="button block" href={p.checkoutUrl}>
            {p.labels.resume}
          </a>
        </>
      ) : taken ? (
        <div class="notice warning taken" tabIndex={-1}>
          <p class="taken-title">{headline}</p>
          <OfferAlternatives {...p.alt} alternatives={alternatives} failed={failed} />
        </div>
      ) : status !== 'AVAILABLE' || !p.canBook ? (
        <p class="notice info">
          {status === 'AVAILABLE'
            ? p.labels.notForYou
            : status === 'HELD'
              ? p.labels.held
              : status === 'BOOKED'
                ? p.labels.booked
                : p.labels.closed}
        </p>
      ) : (
        <form method="post" action={p.bookUrl}>
          <button type="submit" class="button block">
            {p.labels.book}
          </button>
        </form>
      )}
    </div>
  );
}

mount('offer-live', OfferLive);
