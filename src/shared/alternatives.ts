/** GET /api/offers/:id/alternatives — the creator's other free offers and next bookable times (validated output schema). */
import { z } from 'zod';
import { CurrencySchema, IsoDateTime } from './common';
import { OfferDto } from './offers';

export const AlternativeSlotDto = z.object({
  typeId: z.string(),
  typeName: z.string(),
  startsAt: IsoDateTime,
  endsAt: IsoDateTime,
  durationMinutes: z.number().int(),
  price: z.number().int(),
  currency: CurrencySchema,
});

export const AlternativesDto = z.object({
  creator: z.object({ id: z.string(), slug: z.string(), displayName: z.string() }),
  offers: z.array(OfferDto),
  slots: z.array(AlternativeSlotDto),
});
