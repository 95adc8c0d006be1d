/**
 * What the booking flows need from the OfferRoom that runs them (its effects: broadcast, alarm,
 * state), and the two small caches that keep its refusals free of I/O.
 */
import type { Deps } from '../../deps';
import { getSettings, SETTINGS_CACHE_MS } from '../settings';
import { loadCreatorTerms, type CreatorTerms, type OfferState } from './offer-state';
import { payable } from './rules';

/** A creator who cannot take payments has their terms read again at most this often (refusals stay cheap). */
const TERMS_RECHECK_MS = 1_000;

/** The effects an OfferRoom runs when a booking flow hands them over, in the order handed. */
export interface RoomEffects {
  /** Tells subscribers what `st` is now (and the creator's calendar, when its occupancy moved). */
  broadcast(st: OfferState): void;
  /** Sets the alarm to the pending hold's deadline, storing the offer id with the first one. */
  armAlarm(offerId: string): Promise<void>;
  /** Sets the alarm again from the state (no hold deadline: only the socket sweep, if any). */
  rearm(): Promise<void>;
  /** Makes `st`, fresh from D1, the object's state (null: forget it, the next call reloads). */
  adopt(st: OfferState | null): void;
  /** Keeps `st` as the object's state after it was reloaded in place (calls in flight hold it). */
  keep(st: OfferState): void;
}

/** The platform's hold length and when the creator's terms were read: what a claim needs before it is decided. */
export class ClaimCaches {
  /** The platform's hold length, read once per SETTINGS_CACHE_MS, before a claim (the claim itself stays synchronous). */
  private holdSetting: { minutes: number; at: number } | null = null;
  /** When the creator's terms in the state were read (Date.now()), and a re-read in flight. */
  private termsAt = 0;
  private termsLoading: Promise<void> | null = null;

  /** The state was just read from D1: its terms are as fresh as can be. */
  loaded(): void {
    this.termsAt = Date.now();
  }

  /** The creator's terms as read now become the offer's (the booking about to be written takes them). */
  adoptTerms(st: OfferState, terms: CreatorTerms): void {
    Object.assign(st.offer, terms);
    this.termsAt = Date.now();
  }

  /**
   * A creator refused as not payable may have become payable since the state loaded: their terms
   * are read again (at most once per TERMS_RECHECK_MS, single flight) before a fan is told no.
   */
  async recheckUnpayable(deps: Deps, st: OfferState): Promise<void> {
    if (payable(st.offer) || Date.now() - this.termsAt < TERMS_RECHECK_MS) return;
    this.termsLoading ??= loadCreatorTerms(deps, st.offer.creatorId)
      .then(
        (t) => {
          if (t) this.adoptTerms(st, t);
        },
        (e) =>
          deps.log.booking.warn('BOOKING_ERROR', `Could not re-read the terms of creator ${st.offer.creatorId}`, null, {
            error: e,
          }),
      )
      .finally(() => {
        this.termsLoading = null;
      });
    await this.termsLoading;
  }

  /** Whether the hold length must be read before a claim (never, when the caller sets its own). */
  holdMinutesDue(own: number | undefined): boolean {
    return own === undefined && !(this.holdSetting !== null && Date.now() - this.holdSetting.at < SETTINGS_CACHE_MS);
  }

  async readHoldMinutes(deps: Deps): Promise<void> {
    this.holdSetting = { minutes: (await getSettings(deps)).holdMinutes, at: Date.now() };
  }

  /** The hold length for a claim: the caller's own, or the platform's (read before the claim). */
  holdMinutes(own: number | undefined): number {
    return own ?? this.holdSetting!.minutes;
  }
}
