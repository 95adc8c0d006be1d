// The OfferRoom's booking rules alone, as pure functions of an offer's state: each case would fail
// if its rule broke, with no object, D1 or provider involved (those paths are in offer-room.test.ts).
import { describe, expect, it } from 'vitest';
import type { LiveBooking, OfferState } from '../src/domain/booking/offer-state';
import {
  checkClaim,
  editRefusal,
  expiryDue,
  holdDeadline,
  holdRunOut,
  holdsIt,
  lateRetake,
  liveIs,
  occupancy,
  ownerRefusal,
  payable,
  refusal,
  releaseCheck,
  statusMessage,
  underWay,
  withdrawalRefusal,
} from '../src/domain/booking/rules';

const NOW = Date.parse('2030-01-01T10:00:00Z');
const HOUR = 3_600_000;

function state(over: Partial<OfferState['offer']> = {}, live: Partial<LiveBooking> | null = null): OfferState {
  return {
    offer: {
      id: 'off_1',
      creatorId: 'crt_1',
      creatorUserId: 'usr_creator',
      creatorAccountId: 'acct_1',
      chargesEnabled: true,
      cancellationPolicy: 'NONE',
      title: 'A call',
      price: 2500,
      currency: 'EUR',
      startsAt: NOW + 24 * HOUR,
      endsAt: NOW + 24 * HOUR + HOUR / 2,
      status: live ? 'HELD' : 'AVAILABLE',
      reservedForUserId: null,
      source: 'OFFER',
      ...over,
    },
    live: live
      ? {
          id: 'bkg_1',
          userId: 'usr_fan',
          status: 'PENDING',
          holdExpiresAt: NOW + 10 * 60_000,
          persisted: true,
          intentId: 'pi_1',
          since: NOW - 1_000,
          ...live,
        }
      : null,
  };
}

describe('terms are frozen once the offer is held or booked', () => {
  const terms = [
    { price: 3000 },
    { currency: 'USD' as const },
    { startsAt: '2030-02-01T10:00:00Z' },
    { durationMinutes: 60 },
  ];

  it('allows any edit of a free offer', () => {
    for (const patch of [...terms, { title: 'New' }]) expect(editRefusal(state(), patch)).toBeNull();
  });

  it('refuses an edit of price, currency, start or length while held or booked', () => {
    for (const patch of terms) {
      expect(editRefusal(state({}, {}), patch)).toBe('OFFER_LOCKED');
      expect(editRefusal(state({ status: 'BOOKED' }, { status: 'CONFIRMED', holdExpiresAt: null }), patch)).toBe(
        'OFFER_LOCKED',
      );
      // Status alone freezes them too (a claim being written has no live booking yet in D1's eyes).
      expect(editRefusal(state({ status: 'HELD' }), patch)).toBe('OFFER_LOCKED');
    }
  });

  it('still lets a held offer change its title or description', () => {
    expect(editRefusal(state({}, {}), { title: 'New', description: 'Longer' })).toBeNull();
  });

  it('refuses every edit of a closed offer', () => {
    for (const status of ['CANCELLED', 'EXPIRED', 'COMPLETED'] as const)
      expect(editRefusal(state({ status }), { title: 'New' })).toBe('OFFER_LOCKED');
  });

  it('lets only the creator edit or withdraw', () => {
    expect(ownerRefusal(state(), 'usr_creator')).toBeNull();
    expect(ownerRefusal(state(), 'usr_fan')).toBe('FORBIDDEN');
  });
});

describe('withdrawal and expiry', () => {
  it('withdraws only a free AVAILABLE offer', () => {
    expect(withdrawalRefusal(state())).toBeNull();
    expect(withdrawalRefusal(state({}, {}))).toBe('OFFER_HAS_BOOKING');
    expect(withdrawalRefusal(state({ status: 'BOOKED' }, { status: 'CONFIRMED' }))).toBe('OFFER_HAS_BOOKING');
    expect(withdrawalRefusal(state({ status: 'EXPIRED' }))).toBe('OFFER_CLOSED');
    expect(withdrawalRefusal(state({ status: 'CANCELLED' }))).toBe('OFFER_CLOSED');
  });

  it('expires an unbooked offer once its start has come, not before and not a held one', () => {
    expect(expiryDue(state({ startsAt: NOW }), NOW)).toBe(true);
    expect(expiryDue(state({ startsAt: NOW + 1 }), NOW)).toBe(false);
    expect(expiryDue(state({ startsAt: NOW - HOUR, status: 'HELD' }, {}), NOW)).toBe(false);
    expect(expiryDue(state({ startsAt: NOW - HOUR, status: 'CANCELLED' }), NOW)).toBe(false);
  });
});

describe('a late payment re-takes the offer only while it is free and ahead', () => {
  it('re-takes a free, future offer for a booking that expired or failed', () => {
    expect(lateRetake(state(), { status: 'EXPIRED' }, NOW)).toBe(true);
    expect(lateRetake(state(), { status: 'FAILED' }, NOW)).toBe(true);
  });

  it('does not when another fan holds it, it is no longer AVAILABLE, or it has started', () => {
    expect(lateRetake(state({}, { userId: 'usr_other' }), { status: 'EXPIRED' }, NOW)).toBe(false);
    expect(lateRetake(state({ status: 'CANCELLED' }), { status: 'EXPIRED' }, NOW)).toBe(false);
    expect(lateRetake(state({ startsAt: NOW }), { status: 'EXPIRED' }, NOW)).toBe(false);
  });

  it('does not for a booking cancelled by a person (only an ended hold comes back)', () => {
    expect(lateRetake(state(), { status: 'CANCELLED' }, NOW)).toBe(false);
    expect(lateRetake(state(), { status: 'CONFIRMED' }, NOW)).toBe(false);
  });
});

describe('a claim, once its parallel reads settle', () => {
  const terms = { ok: true as const, value: { chargesEnabled: true, creatorAccountId: 'acct_1' } };

  it('goes ahead on the same account, within the limit (a failed limiter lets it through)', () => {
    expect(checkClaim({ underLimit: true, terms, paidTo: 'acct_1' })).toBe('PROCEED');
    expect(checkClaim({ underLimit: undefined, terms, paidTo: 'acct_1' })).toBe('PROCEED');
  });

  it('is refused over the hold limit before anything else is looked at', () => {
    expect(checkClaim({ underLimit: false, terms: { ok: false }, paidTo: 'acct_1' })).toBe('RATE_LIMITED');
  });

  it('fails when the terms could not be read, and is refused when the creator cannot be paid now', () => {
    expect(checkClaim({ underLimit: true, terms: { ok: false }, paidTo: 'acct_1' })).toBe('TERMS_UNREADABLE');
    expect(checkClaim({ underLimit: true, terms: { ok: true, value: null }, paidTo: 'acct_1' })).toBe(
      'CREATOR_NOT_PAYABLE',
    );
    const off = { ok: true as const, value: { chargesEnabled: false, creatorAccountId: 'acct_1' } };
    expect(checkClaim({ underLimit: true, terms: off, paidTo: 'acct_1' })).toBe('CREATOR_NOT_PAYABLE');
  });

  it('starts the payment again when the creator changed account since the intent was made', () => {
    expect(checkClaim({ underLimit: true, terms, paidTo: 'acct_old' })).toBe('ACCOUNT_CHANGED');
  });
});

describe('holds and their payments', () => {
  it('knows the holder, and only a PENDING hold is theirs to resume', () => {
    expect(holdsIt(state({}, {}), 'usr_fan')).toBe(true);
    expect(holdsIt(state({}, {}), 'usr_other')).toBe(false);
    expect(holdsIt(state({ status: 'BOOKED' }, { status: 'CONFIRMED' }), 'usr_fan')).toBe(false);
  });

  it('arms the alarm for a PENDING hold only, and finds it run out at its deadline', () => {
    const held = state({}, {});
    expect(holdDeadline(held)).toBe(NOW + 10 * 60_000);
    expect(holdDeadline(state({ status: 'BOOKED' }, { status: 'CONFIRMED', holdExpiresAt: null }))).toBeNull();
    expect(holdDeadline(null)).toBeNull();
    expect(holdRunOut(held, NOW + 10 * 60_000 - 1)).toBe(false);
    expect(holdRunOut(held, NOW + 10 * 60_000)).toBe(true);
  });

  it('treats processing and succeeded as a payment under way, nothing else', () => {
    expect(underWay('processing')).toBe('processing');
    expect(underWay('succeeded')).toBe('succeeded');
    for (const s of ['requires_payment_method', 'requires_action', 'canceled']) expect(underWay(s)).toBeNull();
  });

  it('asks about the payment before a person cancels, keeps it at a deadline, and ends a failed one outright', () => {
    expect(releaseCheck('CANCELLED')).toBe('ASK_PAYMENT');
    expect(releaseCheck('EXPIRED')).toBe('KEEP_WHILE_PAYING');
    expect(releaseCheck('FAILED')).toBe('NONE');
  });

  it('guards each transition on the live booking and its status', () => {
    const booked = state({ status: 'BOOKED' }, { status: 'CONFIRMED' });
    expect(liveIs(booked, 'bkg_1', 'CONFIRMED')).toBe(true);
    expect(liveIs(booked, 'bkg_1', 'PENDING')).toBe(false);
    expect(liveIs(booked, 'bkg_2', 'CONFIRMED')).toBe(false);
    expect(liveIs(null, 'bkg_1', 'CONFIRMED')).toBe(false);
  });

  it('needs charges and an account to be payable', () => {
    expect(payable(state().offer)).toBe(true);
    expect(payable(state({ chargesEnabled: false }).offer)).toBe(false);
    expect(payable(state({ creatorAccountId: null }).offer)).toBe(false);
    expect(payable(null)).toBe(false);
  });
});

describe('what the object tells', () => {
  it("names another fan's hold for the Worker's cache, never the asker's own or another refusal", () => {
    expect(refusal(state({}, {}), 'usr_other', 'OFFER_UNAVAILABLE')).toEqual({
      ok: false,
      code: 'OFFER_UNAVAILABLE',
      taken: {
        holderId: 'usr_fan',
        creatorUserId: 'usr_creator',
        holdExpiresAt: NOW + 10 * 60_000,
        since: NOW - 1_000,
      },
    });
    const booked = state({ status: 'BOOKED' }, { status: 'CONFIRMED' });
    expect(refusal(booked, 'usr_other', 'OFFER_UNAVAILABLE')).toMatchObject({ taken: { holdExpiresAt: null } });
    expect(refusal(state({}, {}), 'usr_fan', 'OFFER_UNAVAILABLE')).toEqual({ ok: false, code: 'OFFER_UNAVAILABLE' });
    expect(refusal(state({}, {}), 'usr_creator', 'OWN_OFFER')).toEqual({ ok: false, code: 'OWN_OFFER' });
    expect(refusal(state(), 'usr_other', 'OFFER_UNAVAILABLE')).toEqual({ ok: false, code: 'OFFER_UNAVAILABLE' });
  });

  it('sends the hold deadline only while HELD', () => {
    const at = new Date(NOW);
    expect(statusMessage(state({}, {}), at)).toEqual({
      type: 'status',
      offerId: 'off_1',
      status: 'HELD',
      at: at.toISOString(),
      holdExpiresAt: new Date(NOW + 10 * 60_000).toISOString(),
    });
    expect(statusMessage(state(), at)).not.toHaveProperty('holdExpiresAt');
  });

  it("changes the calendar's occupancy only when the offer starts or stops taking time, or moves", () => {
    const occupied = occupancy(state());
    expect(occupancy(state({}, {}))).toBe(occupied);
    expect(occupancy(state({ status: 'BOOKED' }, { status: 'CONFIRMED' }))).toBe(occupied);
    expect(occupancy(state({ status: 'CANCELLED' }))).toBe('free');
    expect(occupancy(state({ startsAt: NOW + 48 * HOUR }))).not.toBe(occupied);
  });
});
