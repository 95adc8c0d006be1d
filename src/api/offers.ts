/** /api/offers: creators publish and manage offers; fans book them; anyone watches them live. */
import { z } from 'zod';
import { offerAlternatives } from '../domain/offers/alternatives';
import { bookOffer, takenOffers } from '../domain/booking/taken';
import { toAlternativesDto, toOfferDto } from '../domain/offers/dto';
import { creatorOffers, offerById, offerWithCreator } from '../domain/offers/queries';
import { badRequest, notFound } from '../http/errors';
import { upgradeTo } from '../http/live-socket';
import { refusal } from '../http/refusals';
import { currencyRefusal } from '../domain/payments/currency';
import { apiApp, route } from '../http/route';
import { AlternativesDto } from '../shared/alternatives';
import { IsoDateTime } from '../shared/common';
import { OFFER_STATUSES } from '../shared/enums';
import { CARD_MINIMUM } from '../shared/money';
import {
  BookingDto,
  CreateOfferBody,
  OfferDto,
  OfferIdParam,
  OfferStatusMessage,
  PaymentStartDto,
  UpdateOfferBody,
} from '../shared/offers';
import { creatorOfUser } from './creators';

export const offersApi = apiApp('/api');

const tags = ['Offers'];
const OfferResponse = z.object({ offer: OfferDto });

route(
  offersApi,
  {
    method: 'post',
    path: '/offers',
    summary: 'Publish an offer (creator; onboarded for payments; no overlap with my other offers)',
    tags,
    access: ['CREATOR'],
    body: CreateOfferBody,
    responses: {
      201: { description: 'Created', schema: OfferResponse },
      409: { description: 'OVERLAPS_ANOTHER_OFFER' },
      422: {
        description:
          "TOO_SOON, TOO_FAR, CREATOR_NOT_ONBOARDED, CURRENCY_NOT_ACCEPTED (prices are in the currency the creator's payment account settles in: GET /api/creators/me → acceptedCurrency)",
      },
    },
  },
  async (c, { user, body }) => {
    const deps = c.get('deps');
    const creator = await creatorOfUser(deps, user);
    const r = await deps.rooms
      .calendar(creator.id)
      .createOffer({ creatorId: creator.id, actorUserId: user.id, offer: body });
    if (!r.ok) throw refusal(r.code, undefined, 'conflicts' in r ? { conflicts: r.conflicts } : undefined);
    return c.json({ offer: toOfferDto(r.offer) }, 201);
  },
);

route(
  offersApi,
  {
    method: 'get',
    path: '/creators/me/offers',
    summary: 'My offers, all statuses, newest start first',
    tags,
    access: ['CREATOR'],
    query: z.object({ status: z.enum(OFFER_STATUSES).optional() }),
    responses: { 200: { description: 'Offers', schema: z.object({ items: z.array(OfferDto) }) } },
  },
  async (c, { user, query }) => {
    const deps = c.get('deps');
    const creator = await creatorOfUser(deps, user);
    const rows = await creatorOffers(deps, creator.id, { limit: 500, status: query.status });
    return c.json({ items: rows.map(toOfferDto) });
  },
);

route(
  offersApi,
  {
    method: 'get',
    path: '/offers/:id',
    summary: 'One offer',
    tags,
    access: 'public',
    params: OfferIdParam,
    responses: { 200: { description: 'The offer', schema: OfferResponse }, 404: { description: 'NOT_FOUND' } },
  },
  async (c, { params }) => {
    const offer = await offerById(c.get('deps'), params.id);
    if (!offer) throw notFound('Offer');
    return c.json({ offer: toOfferDto(offer) });
  },
);

route(
  offersApi,
  {
    method: 'patch',
    path: '/offers/:id',
    summary: 'Edit my offer (price, currency and time only while nobody holds or booked it)',
    tags,
    access: ['CREATOR'],
    params: OfferIdParam,
    body: UpdateOfferBody,
    responses: {
      200: { description: 'Updated', schema: OfferResponse },
      409: { description: 'OFFER_LOCKED, OVERLAPS_ANOTHER_OFFER' },
      422: { description: "CURRENCY_NOT_ACCEPTED (not the currency the creator's payment account settles in)" },
    },
  },
  async (c, { user, params, body }) => {
    const deps = c.get('deps');
    const offer = await offerById(deps, params.id);
    if (!offer) throw notFound('Offer');
    const creator = await creatorOfUser(deps, user);
    if (offer.creatorId !== creator.id) throw refusal('FORBIDDEN');
    const price = body.price ?? offer.price;
    const currency = body.currency ?? offer.currency;
    if (price < CARD_MINIMUM[currency])
      throw badRequest(`Minimum price in ${currency} is ${CARD_MINIMUM[currency]} (minor units).`, [
        { path: 'price', message: 'Below the card minimum', code: 'too_small' },
      ]);
    const wrong = body.currency ? currencyRefusal(creator, body.currency) : null;
    if (wrong)
      throw refusal(
        wrong.code,
        `Prices must be in ${wrong.accepted}, the currency your payment account settles in (amounts are never converted).`,
        { accepted: wrong.accepted },
      );
    const r = await deps.rooms.calendar(creator.id).updateOffer({
      creatorId: creator.id,
      offerId: offer.id,
      actorUserId: user.id,
      patch: body,
      currentStartsAt: offer.startsAt.toISOString(),
      currentDuration: offer.durationMinutes,
    });
    if (!r.ok) throw refusal(r.code);
    const updated = (await offerById(deps, params.id))!;
    return c.json({ offer: toOfferDto(updated) });
  },
);

route(
  offersApi,
  {
    method: 'delete',
    path: '/offers/:id',
    summary: 'Withdraw my offer (not once held or booked: cancel the booking instead)',
    tags,
    access: ['CREATOR'],
    params: OfferIdParam,
    responses: {
      200: { description: 'Withdrawn', schema: OfferResponse },
      409: { description: 'OFFER_HAS_BOOKING, OFFER_CLOSED' },
    },
  },
  async (c, { user, params }) => {
    const deps = c.get('deps');
    const offer = await offerById(deps, params.id);
    if (!offer) throw notFound('Offer');
    const r = await deps.rooms.offer(offer.id).cancelOffer({ offerId: offer.id, actorUserId: user.id });
    if (!r.ok) throw refusal(r.code);
    return c.json({
      offer: toOfferDto((await offerById(deps, params.id))!),
    });
  },
);

route(
  offersApi,
  {
    method: 'post',
    path: '/offers/:id/bookings',
    summary: 'Book an offer: exactly one caller wins; the winner holds it while paying',
    tags: ['Booking'],
    access: 'user',
    identityOnly: true,
    description:
      "Refusals may come from a short-lived cache of taken offers (up to 10 s, never past the hold's end). A client that follows the offer's status " +
      "(GET /api/offers/:id/live) and saw it AVAILABLE passes that message's `at` as `seenAvailableAt`: the offer is then always asked, never the cache.",
    params: OfferIdParam,
    query: z.object({
      seenAvailableAt: IsoDateTime.optional().describe(
        'The `at` of the latest AVAILABLE status this client received for the offer',
      ),
    }),
    responses: {
      201: {
        description: 'Held for you; pay before holdExpiresAt',
        schema: z.object({ booking: BookingDto, payment: PaymentStartDto }),
      },
      200: {
        description: 'You already hold it: the same booking and payment',
        schema: z.object({ booking: BookingDto, payment: PaymentStartDto }),
      },
      409: {
        description:
          'OFFER_UNAVAILABLE (someone else holds or booked it), OFFER_STARTED, HOLD_EXPIRED (your own hold on it ran out: it was released, nothing is charged; book again)',
      },
      403: { description: 'OWN_OFFER' },
      429: {
        description:
          'RATE_LIMITED (Retry-After): you took too many holds in the last minute (20); nothing was held or charged',
      },
    },
  },
  async (c, { user, params, query }) => {
    const deps = c.get('deps');
    // The fans behind a taken offer are turned away here for up to 10 s, sparing its OfferRoom — unless
    // they saw it free since (see domain/booking/taken.ts).
    const seen = query.seenAvailableAt ? Date.parse(query.seenAvailableAt) : null;
    if (takenOffers.refuses(params.id, user.id, deps.clock.now().getTime(), seen)) throw refusal('OFFER_UNAVAILABLE');
    const r = await bookOffer(deps, params.id, user.id);
    if (!r.ok) throw refusal(r.code);
    return c.json({ booking: r.booking, payment: r.payment }, r.created ? 201 : 200);
  },
);

route(
  offersApi,
  {
    method: 'get',
    path: '/offers/:id/live',
    summary:
      'Live status: a WebSocket (status on connect, then every change); without Upgrade, the current status as JSON (polling fallback)',
    tags: ['Booking'],
    access: 'public',
    params: OfferIdParam,
    responses: {
      101: {
        description:
          'WebSocket: messages are { type: "status", offerId, status, at, holdExpiresAt? }; ping it ("ping" → "pong") at least every 5 minutes or it is closed (4008)',
      },
      200: { description: 'Current status', schema: OfferStatusMessage },
      429: {
        description: 'TOO_MANY_SOCKETS: this address holds 20 sockets on this offer, or 200 in all; poll instead',
      },
    },
  },
  async (c, { params }) => {
    const deps = c.get('deps');
    const stub = deps.rooms.offer(params.id);
    if (c.req.header('upgrade')?.toLowerCase() === 'websocket') {
      const url = new URL(c.req.url);
      url.searchParams.set('offerId', params.id);
      return upgradeTo(c, stub, url.toString());
    }
    const status = await stub.status({ offerId: params.id });
    if (!status) throw notFound('Offer');
    c.header('Cache-Control', 'no-store');
    return c.json(status);
  },
);

route(
  offersApi,
  {
    method: 'get',
    path: '/offers/:id/alternatives',
    summary:
      "What else to book from this offer's creator: their other free offers and next free times (at most 4 of each, soonest first)",
    tags: ['Booking'],
    access: 'public',
    description:
      "Asked by the offer page when the offer becomes HELD or BOOKED. `offers`: the creator's other AVAILABLE public offers; `slots`: the next free times over the coming 31 days across " +
      'their active appointment types (the engine of GET /api/creators/:idOrSlug/slots; book one with POST /api/creators/:idOrSlug/slots/book). Both empty when nothing is bookable: propose a time with POST /api/creators/:id/requests.',
    params: OfferIdParam,
    responses: { 200: { description: 'Alternatives', schema: AlternativesDto }, 404: { description: 'NOT_FOUND' } },
  },
  async (c, { params }) => {
    const deps = c.get('deps');
    const row = await offerWithCreator(deps, params.id);
    if (!row) throw notFound('Offer');
    c.header('Cache-Control', 'no-store');
    return c.json(toAlternativesDto(row.creator, await offerAlternatives(deps, row.creator, row.offer.id)));
  },
);
