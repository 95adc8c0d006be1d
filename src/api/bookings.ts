/** /api/bookings: my bookings (as fan, or as=creator for bookings of my offers), one booking. */
import { and, desc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { BOOKING_STATUSES, bookings } from '../db/schema';
import { bookingForViewer } from '../domain/booking/access';
import { toBookingDto } from '../domain/offers/dto';
import { bookingCalendarFor } from '../domain/events';
import { notFound } from '../http/errors';
import { apiApp, route } from '../http/route';
import { IdParam } from '../shared/common';
import { BookingDto } from '../shared/offers';
import { creatorOfUser } from './creators';

export const bookingsApi = apiApp('/api/bookings');
const tags = ['Booking'];
export const BookingIdParam = z.object({ id: IdParam('bkg') });

route(
  bookingsApi,
  {
    method: 'get',
    path: '/',
    summary: 'My bookings (as=creator: bookings of my offers), soonest first',
    tags,
    access: 'user',
    query: z.object({ as: z.enum(['fan', 'creator']).default('fan'), status: z.enum(BOOKING_STATUSES).optional() }),
    responses: { 200: { description: 'Bookings', schema: z.object({ items: z.array(BookingDto) }) } },
  },
  async (c, { user, query }) => {
    const deps = c.get('deps');
    const who =
      query.as === 'creator'
        ? eq(bookings.creatorId, (await creatorOfUser(deps, user)).id)
        : eq(bookings.userId, user.id);
    const rows = await deps.db
      .select()
      .from(bookings)
      .where(and(who, query.status ? inArray(bookings.status, [query.status]) : undefined))
      .orderBy(desc(bookings.startsAt))
      .limit(500)
      .all();
    return c.json({ items: rows.map(toBookingDto) });
  },
);

route(
  bookingsApi,
  {
    method: 'get',
    path: '/:id',
    summary: 'One booking (its fan, its creator, or an admin)',
    tags,
    access: 'user',
    params: BookingIdParam,
    responses: {
      200: { description: 'The booking', schema: z.object({ booking: BookingDto }) },
      404: { description: 'NOT_FOUND (also for bookings that are not yours)' },
    },
  },
  async (c, { user, params }) => {
    const r = await bookingForViewer(c.get('deps'), user, params.id);
    if (!r) throw notFound('Booking');
    return c.json({ booking: toBookingDto(r.booking) });
  },
);

route(
  bookingsApi,
  {
    method: 'get',
    path: '/:id/calendar.ics',
    summary:
      'The booking as an iCalendar event (stable UID, SEQUENCE bumped on reschedule, call page link; METHOD:CANCEL once cancelled)',
    tags,
    access: 'user',
    params: BookingIdParam,
    responses: {
      200: { description: 'text/calendar', contentType: 'text/calendar' },
      404: { description: 'NOT_FOUND (also for bookings that are not yours)' },
    },
  },
  async (c, { user, params }) => {
    const deps = c.get('deps');
    if (!(await bookingForViewer(deps, user, params.id))) throw notFound('Booking');
    const ics = await bookingCalendarFor(deps, params.id, user);
    if (!ics) throw notFound('Booking');
    return c.body(ics, 200, {
      'Content-Type': 'text/calendar; charset=utf-8',
      'Content-Disposition': `attachment; filename="call-${params.id}.ics"`,
      'Cache-Control': 'no-store',
    });
  },
);
