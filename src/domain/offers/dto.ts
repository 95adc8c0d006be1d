import type { z } from 'zod';
import type { Booking, CallOffer, CallRequest } from '../../db/schema';
import type { AlternativesDto } from '../../shared/alternatives';
import type { BookingDto, OfferDto, RequestDto } from '../../shared/offers';
import type { OfferAlternatives } from './alternatives';

export function toOfferDto(o: CallOffer): z.infer<typeof OfferDto> {
  return {
    id: o.id,
    creatorId: o.creatorId,
    title: o.title,
    description: o.description,
    price: o.price,
    currency: o.currency,
    startsAt: o.startsAt.toISOString(),
    endsAt: o.endsAt.toISOString(),
    durationMinutes: o.durationMinutes,
    status: o.status,
    source: o.source,
  };
}

export function toBookingDto(b: Booking): z.infer<typeof BookingDto> {
  return {
    id: b.id,
    offerId: b.offerId,
    userId: b.userId,
    creatorId: b.creatorId,
    status: b.status,
    price: b.price,
    currency: b.currency,
    startsAt: b.startsAt.toISOString(),
    endsAt: b.endsAt.toISOString(),
    holdExpiresAt: b.holdExpiresAt?.toISOString() ?? null,
    cancellationPolicy: b.cancellationPolicy,
    createdAt: b.createdAt.toISOString(),
    confirmedAt: b.confirmedAt?.toISOString() ?? null,
    cancelledAt: b.cancelledAt?.toISOString() ?? null,
  };
}

export function toRequestDto(r: CallRequest): z.infer<typeof RequestDto> {
  return {
    id: r.id,
    userId: r.userId,
    creatorId: r.creatorId,
    proposedPrice: r.proposedPrice,
    currency: r.currency,
    proposedStartsAt: r.proposedStartsAt.toISOString(),
    durationMinutes: r.durationMinutes,
    message: r.message,
    status: r.status,
    responseMessage: r.responseMessage,
    offerId: r.offerId,
    bookingId: r.bookingId,
    expiresAt: r.expiresAt.toISOString(),
    createdAt: r.createdAt.toISOString(),
  };
}

/** The alternatives as the API (and the offer page's island) gets them. */
export function toAlternativesDto(
  creator: { id: string; slug: string; displayName: string },
  a: OfferAlternatives,
): z.infer<typeof AlternativesDto> {
  return {
    creator: { id: creator.id, slug: creator.slug, displayName: creator.displayName },
    offers: a.offers.map(toOfferDto),
    slots: a.slots.map((s) => ({
      typeId: s.type.id,
      typeName: s.type.name,
      startsAt: s.startsAt.toISOString(),
      endsAt: s.endsAt.toISOString(),
      durationMinutes: s.type.durationMinutes,
      price: s.type.price,
      currency: s.type.currency,
    })),
  };
}
