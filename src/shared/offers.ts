/** Offer, booking and request DTOs: what the API accepts and returns. */
import { z } from 'zod';
import { BOOKING_STATUSES, CANCELLATION_POLICIES, OFFER_SOURCES, OFFER_STATUSES, REQUEST_STATUSES } from './enums';
import { CurrencySchema, IdParam, IsoDateTime, MinorAmount, SingleLineText } from './common';
import { CARD_MINIMUM, MAX_PRICE } from './money';

export const MIN_DURATION = 10;
export const MAX_DURATION = 240;
/** An offer must start at least this far ahead (time to pay, and to be reminded). */
export const MIN_LEAD_MINUTES = 30;
export const MAX_AHEAD_DAYS = 365;

export const OfferIdParam = z.object({ id: IdParam('off') });
export const Duration = z
  .number()
  .int()
  .min(MIN_DURATION, `At least ${MIN_DURATION} minutes.`)
  .max(MAX_DURATION, `At most ${MAX_DURATION} minutes.`)
  .refine((m) => m % 5 === 0, 'Use a multiple of 5 minutes.');

/** Price at or above the currency's card minimum. */
export const withCardMinimum = <T extends { price?: number; currency?: z.infer<typeof CurrencySchema> }>(
  v: T,
  ctx: z.RefinementCtx,
) => {
  if (v.price !== undefined && v.currency && v.price < CARD_MINIMUM[v.currency]) {
    ctx.addIssue({
      code: 'custom',
      path: ['price'],
      message: `Minimum price in ${v.currency} is ${CARD_MINIMUM[v.currency]} (minor units).`,
    });
  }
};

export const CreateOfferBody = z
  .object({
    title: SingleLineText(3, 120),
    description: z.string().trim().max(2000).default(''),
    price: MinorAmount.max(MAX_PRICE),
    currency: CurrencySchema,
    startsAt: IsoDateTime,
    durationMinutes: Duration,
  })
  .superRefine(withCardMinimum);

export const UpdateOfferBody = z
  .object({
    title: SingleLineText(3, 120).optional(),
    description: z.string().trim().max(2000).optional(),
    price: MinorAmount.max(MAX_PRICE).optional(),
    currency: CurrencySchema.optional(),
    startsAt: IsoDateTime.optional(),
    durationMinutes: Duration.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'Nothing to update.');

export const OfferDto = z.object({
  id: z.string(),
  creatorId: z.string(),
  title: z.string(),
  description: z.string(),
  price: z.number().int(),
  currency: CurrencySchema,
  startsAt: IsoDateTime,
  endsAt: IsoDateTime,
  durationMinutes: z.number().int(),
  status: z
    .enum(OFFER_STATUSES)
    .describe('AVAILABLE | HELD | BOOKED | COMPLETED | CANCELLED, and EXPIRED for offers that started unbooked'),
  source: z.enum(OFFER_SOURCES),
});

export const BookingDto = z.object({
  id: z.string(),
  offerId: z.string(),
  userId: z.string(),
  creatorId: z.string(),
  status: z.enum(BOOKING_STATUSES),
  price: z.number().int(),
  currency: CurrencySchema,
  startsAt: IsoDateTime,
  endsAt: IsoDateTime,
  holdExpiresAt: IsoDateTime.nullable(),
  cancellationPolicy: z.enum(CANCELLATION_POLICIES),
  createdAt: IsoDateTime,
  confirmedAt: IsoDateTime.nullable(),
  cancelledAt: IsoDateTime.nullable(),
});

export const PaymentStartDto = z.object({
  provider: z.enum(['stripe', 'local']),
  intentId: z.string(),
  clientSecret: z.string().optional(),
  checkoutUrl: z.string().optional(),
});

export const CreateRequestBody = z
  .object({
    proposedPrice: MinorAmount.max(MAX_PRICE),
    currency: CurrencySchema,
    proposedStartsAt: IsoDateTime,
    durationMinutes: Duration,
    message: z.string().trim().min(1).max(1000),
  })
  .superRefine((v, ctx) => withCardMinimum({ price: v.proposedPrice, currency: v.currency }, ctx));

/** The creator's answer travels as one line (the answer form's single input). */
export const AnswerRequestBody = z.object({ message: SingleLineText(0, 1000).optional() });

export const RequestDto = z.object({
  id: z.string(),
  userId: z.string(),
  creatorId: z.string(),
  proposedPrice: z.number().int(),
  currency: CurrencySchema,
  proposedStartsAt: IsoDateTime,
  durationMinutes: z.number().int(),
  message: z.string(),
  status: z.enum(REQUEST_STATUSES),
  responseMessage: z.string().nullable(),
  offerId: z.string().nullable(),
  bookingId: z.string().nullable(),
  expiresAt: IsoDateTime,
  createdAt: IsoDateTime,
});

/** What the live WebSocket sends: on connect, then on every change. */
export const OfferStatusMessage = z.object({
  type: z.literal('status'),
  offerId: z.string(),
  status: z.enum(OFFER_STATUSES),
  at: IsoDateTime,
  /** Present while HELD: when the hold ends if unpaid. */
  holdExpiresAt: IsoDateTime.optional(),
});
export type OfferStatusMessageT = z.infer<typeof OfferStatusMessage>;
