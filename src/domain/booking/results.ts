/** What an OfferRoom answers the Worker: the results of its booking operations. */
import type { z } from 'zod';
import type { BookingDto, PaymentStartDto } from '../../shared/offers';
import type { BookRefusal } from './offer-state';
import type { TakenBy } from './taken';

export type BookResult =
  | { ok: true; created: boolean; booking: z.infer<typeof BookingDto>; payment: z.infer<typeof PaymentStartDto> }
  | {
      ok: false;
      code: BookRefusal | 'OFFER_NOT_FOUND' | 'PAYMENT_PROVIDER_ERROR' | 'HOLD_EXPIRED' | 'RATE_LIMITED';
      message?: string;
      taken?: TakenBy;
    };

export type ConfirmResult = { ok: true; transitioned: boolean } | { ok: false; reason: 'LATE' | 'UNKNOWN_BOOKING' };

/** A hold's payment under way at the provider: the bank is settling it, or it succeeded and its webhook is on the way. */
export type PaymentUnderWay = 'processing' | 'succeeded';
/** `paying`: not released because its payment is under way (that payment's outcome ends the hold). */
export type ReleaseResult = { released: boolean; paying?: PaymentUnderWay };
