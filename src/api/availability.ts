/** Availability: a creator's appointment types, weekly hours and exceptions; public slots; booking a slot; rescheduling. */
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { appointmentTypes, bookings, creators, type Creator } from '../db/schema';
import type { Deps } from '../deps';
import {
  ensureAvailabilityDefaults,
  exceptionsOf,
  listTypes,
  slotsFor,
  weeklyOf,
  type AppointmentType,
} from '../domain/availability/availability';
import {
  addException,
  createType,
  removeException,
  removeType,
  saveWeekly,
  updateType,
  type TypeResult,
} from '../domain/availability/settings';
import { checkReschedule, slotTypeOf } from '../domain/availability/booking';
import { findCreator } from '../domain/creators/queries';
import { AppError, notFound } from '../http/errors';
import { upgradeTo } from '../http/live-socket';
import { refusal } from '../http/refusals';
import { apiApp, route } from '../http/route';
import {
  AppointmentTypeDto,
  BookSlotBody,
  CreateTypeBody,
  ExceptionBody,
  RescheduleBody,
  SlotDto,
  SlotsQuery,
  UpdateTypeBody,
  WeeklyBody,
  WeeklyRangeSchema,
} from '../shared/availability';
import { IdParam } from '../shared/common';
import { BookingDto, PaymentStartDto } from '../shared/offers';
import { BookingIdParam } from './bookings';
import { creatorOfUser } from './creators';

export const availabilityApi = apiApp('/api');
const tags = ['Availability'];
const creatorOnly = ['CREATOR'] as const;
/** Slot listings cover at most this span per request. */
const MAX_RANGE_DAYS = 62;

const toTypeDto = (t: AppointmentType): z.infer<typeof AppointmentTypeDto> => ({
  id: t.id,
  name: t.name,
  description: t.description,
  durationMinutes: t.durationMinutes,
  price: t.price,
  currency: t.currency,
  color: t.color,
  bufferBeforeMinutes: t.bufferBeforeMinutes,
  bufferAfterMinutes: t.bufferAfterMinutes,
  minNoticeMinutes: t.minNoticeMinutes,
  maxAdvanceDays: t.maxAdvanceDays,
  active: t.active,
});

async function publicCreator(deps: Deps, idOrSlug: string): Promise<Creator> {
  const c = await findCreator(deps, idOrSlug);
  if (!c) throw notFound('Creator');
  return c;
}

function range(deps: Deps, q: { from?: string; to?: string }): { from: Date; to: Date } {
  const from = q.from ? new Date(q.from) : deps.clock.now();
  const to = q.to ? new Date(q.to) : new Date(from.getTime() + 31 * 86_400_000);
  if (to <= from) throw new AppError(400, 'VALIDATION_ERROR', '`to` must be after `from`.');
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * 86_400_000)
    throw new AppError(400, 'VALIDATION_ERROR', `Ask for at most ${MAX_RANGE_DAYS} days at a time.`);
  return { from, to };
}

const typeOutcome = (r: TypeResult) => {
  if (r.ok) return r.type;
  if (r.code === 'NOT_FOUND') throw notFound('Appointment type');
  if (r.code === 'CURRENCY_NOT_ACCEPTED')
    throw refusal(
      r.code,
      `Prices must be in ${r.accepted}, the currency your payment account settles in (amounts are never converted).`,
      { accepted: r.accepted },
    );
  throw new AppError(400, 'VALIDATION_ERROR', `Minimum price is ${r.minimum} (minor units).`, [
    { path: 'price', message: 'below the card minimum', code: 'too_small' },
  ]);
};

// ---------------------------------------------------------------------------------------------- creator settings

route(
  availabilityApi,
  {
    method: 'get',
    path: '/creators/me/availability',
    summary: 'My appointment types, weekly hours (in my zone) and date exceptions (defaults created the first time)',
    tags,
    access: creatorOnly,
    responses: {
      200: {
        description: 'Availability',
        schema: z.object({
          timezone: z.string(),
          types: z.array(AppointmentTypeDto),
          weekly: z.array(WeeklyRangeSchema),
          exceptions: z.array(
            z.object({
              id: z.string(),
              date: z.string(),
              kind: z.string(),
              startMinute: z.number().nullable(),
              endMinute: z.number().nullable(),
              note: z.string().nullable(),
            }),
          ),
        }),
      },
    },
  },
  async (c, { user }) => {
    const deps = c.get('deps');
    const creator = await creatorOfUser(deps, user);
    await ensureAvailabilityDefaults(deps, creator, user.locale);
    const [types, weekly, exceptions] = await Promise.all([
      listTypes(deps, creator.id),
      weeklyOf(deps, creator.id),
      exceptionsOf(deps, creator.id),
    ]);
    return c.json({
      timezone: creator.timezone,
      types: types.map(toTypeDto),
      weekly: weekly.map(({ weekday, startMinute, endMinute }) => ({ weekday, startMinute, endMinute })),
      exceptions: exceptions.map(({ id, date, kind, startMinute, endMinute, note }) => ({
        id,
        date,
        kind,
        startMinute,
        endMinute,
        note,
      })),
    });
  },
);

route(
  availabilityApi,
  {
    method: 'post',
    path: '/creators/me/appointment-types',
    summary: 'Add an appointment type (name, duration, price, buffers, notice, how far ahead, active)',
    tags,
    access: creatorOnly,
    body: CreateTypeBody,
    responses: { 201: { description: 'Created', schema: z.object({ type: AppointmentTypeDto }) } },
  },
  async (c, { user, body }) => {
    const deps = c.get('deps');
    const creator = await creatorOfUser(deps, user);
    const type = typeOutcome(await createType(deps, creator, body));
    return c.json({ type: toTypeDto(type) }, 201);
  },
);

const TypeIdParam = z.object({ id: IdParam('apt') });

route(
  availabilityApi,
  {
    method: 'patch',
    path: '/creators/me/appointment-types/:id',
    summary: 'Change one of my appointment types (booked calls keep their price and time)',
    tags,
    access: creatorOnly,
    params: TypeIdParam,
    body: UpdateTypeBody,
    responses: {
      200: { description: 'Updated', schema: z.object({ type: AppointmentTypeDto }) },
      404: { description: 'NOT_FOUND' },
    },
  },
  async (c, { user, params, body }) => {
    const deps = c.get('deps');
    const creator = await creatorOfUser(deps, user);
    const type = typeOutcome(await updateType(deps, creator, params.id, body));
    return c.json({ type: toTypeDto(type) });
  },
);

route(
  availabilityApi,
  {
    method: 'delete',
    path: '/creators/me/appointment-types/:id',
    summary: 'Remove one of my appointment types (deactivated instead when calls were booked with it)',
    tags,
    access: creatorOnly,
    params: TypeIdParam,
    responses: {
      200: {
        description: 'Removed or deactivated',
        schema: z.object({ deleted: z.boolean(), deactivated: z.boolean() }),
      },
      404: { description: 'NOT_FOUND' },
    },
  },
  async (c, { user, params }) => {
    const deps = c.get('deps');
    const creator = await creatorOfUser(deps, user);
    const r = await removeType(deps, creator, params.id);
    if (!r.ok) throw notFound('Appointment type');
    return c.json({ deleted: r.deleted, deactivated: !r.deleted });
  },
);

route(
  availabilityApi,
  {
    method: 'put',
    path: '/creators/me/availability/weekly',
    summary: 'Replace my weekly hours (minutes from midnight in my zone; several ranges per day, no overlaps)',
    tags,
    access: creatorOnly,
    body: WeeklyBody,
    responses: { 200: { description: 'Saved', schema: z.object({ weekly: z.array(WeeklyRangeSchema) }) } },
  },
  async (c, { user, body }) => {
    const deps = c.get('deps');
    const creator = await creatorOfUser(deps, user);
    await saveWeekly(deps, creator, body.ranges);
    return c.json({
      weekly: (await weeklyOf(deps, creator.id)).map(({ weekday, startMinute, endMinute }) => ({
        weekday,
        startMinute,
        endMinute,
      })),
    });
  },
);

route(
  availabilityApi,
  {
    method: 'post',
    path: '/creators/me/availability/exceptions',
    summary: 'Add a date exception: a day off, hours off, or extra hours (date and minutes in my zone)',
    tags,
    access: creatorOnly,
    body: ExceptionBody,
    responses: { 201: { description: 'Added', schema: z.object({ id: z.string() }) } },
  },
  async (c, { user, body }) => {
    const deps = c.get('deps');
    const creator = await creatorOfUser(deps, user);
    return c.json({ id: await addException(deps, creator, body) }, 201);
  },
);

route(
  availabilityApi,
  {
    method: 'delete',
    path: '/creators/me/availability/exceptions/:id',
    summary: 'Remove one of my date exceptions',
    tags,
    access: creatorOnly,
    params: z.object({ id: IdParam('avx') }),
    responses: {
      200: { description: 'Removed', schema: z.object({ deleted: z.literal(true) }) },
      404: { description: 'NOT_FOUND' },
    },
  },
  async (c, { user, params }) => {
    const deps = c.get('deps');
    const creator = await creatorOfUser(deps, user);
    if (!(await removeException(deps, creator, params.id))) throw notFound('Exception');
    return c.json({ deleted: true as const });
  },
);

// ---------------------------------------------------------------------------------------------- public

const CreatorParam = z.object({ idOrSlug: z.string().min(2).max(60) });

route(
  availabilityApi,
  {
    method: 'get',
    path: '/creators/:idOrSlug/appointment-types',
    summary: "What can be booked from a creator's availability (active types)",
    tags,
    access: 'public',
    params: CreatorParam,
    responses: {
      200: { description: 'Types', schema: z.object({ timezone: z.string(), types: z.array(AppointmentTypeDto) }) },
      404: { description: 'NOT_FOUND' },
    },
  },
  async (c, { params }) => {
    const deps = c.get('deps');
    const creator = await publicCreator(deps, params.idOrSlug);
    return c.json({ timezone: creator.timezone, types: (await listTypes(deps, creator.id, true)).map(toTypeDto) });
  },
);

route(
  availabilityApi,
  {
    method: 'get',
    path: '/creators/:idOrSlug/slots',
    summary:
      'Free slots of a type between from and to (ISO; default the next 31 days, at most 62): hours, exceptions, buffers, notice and taken times applied',
    tags,
    access: 'public',
    params: CreatorParam,
    query: SlotsQuery,
    responses: {
      200: {
        description: "Slots (UTC; show them in the viewer's zone)",
        schema: z.object({ timezone: z.string(), type: AppointmentTypeDto, slots: z.array(SlotDto) }),
      },
      404: { description: 'NOT_FOUND' },
    },
  },
  async (c, { params, query }) => {
    const deps = c.get('deps');
    const started = Date.now();
    const { from, to } = range(deps, query);
    // The creator and the type in one read (this is the hot path of every slot picker).
    const key = params.idOrSlug.startsWith('crt_')
      ? eq(creators.id, params.idOrSlug)
      : eq(creators.slug, params.idOrSlug.toLowerCase());
    const row = await deps.db
      .select({ creator: creators, type: appointmentTypes })
      .from(appointmentTypes)
      .innerJoin(creators, eq(creators.id, appointmentTypes.creatorId))
      .where(and(key, eq(appointmentTypes.id, query.type), eq(appointmentTypes.active, true)))
      .get();
    if (!row) {
      await publicCreator(deps, params.idOrSlug); // 404 Creator when that is what is missing
      throw notFound('Appointment type');
    }
    const { creator, type } = row;
    const slots = creator.chargesEnabled ? await slotsFor(deps, creator, type, from, to) : [];
    c.header('Cache-Control', 'no-store');
    // Time inside the Worker (the runtime's clock moves with I/O: this is essentially the D1 reads).
    c.header('Server-Timing', `app;dur=${Date.now() - started}`);
    return c.json({
      timezone: creator.timezone,
      type: toTypeDto(type),
      slots: slots.map((s) => ({ startsAt: s.startsAt.toISOString(), endsAt: s.endsAt.toISOString() })),
    });
  },
);

route(
  availabilityApi,
  {
    method: 'get',
    path: '/creators/:idOrSlug/slots/live',
    summary:
      'Slot changes: a WebSocket ({ type: "hello", version } on connect, { type: "slots-changed", version } whenever the creator\'s time is taken or freed: refresh the slots); without Upgrade, the current version as JSON (polling fallback)',
    tags,
    access: 'public',
    params: CreatorParam,
    responses: {
      101: { description: 'WebSocket; ping it ("ping" → "pong") at least every 5 minutes or it is closed (4008)' },
      200: { description: 'Current version', schema: z.object({ type: z.literal('version'), version: z.number() }) },
      429: {
        description: 'TOO_MANY_SOCKETS: this address holds 20 sockets on this calendar, or 200 in all; poll instead',
      },
    },
  },
  async (c, { params }) => {
    const deps = c.get('deps');
    const creator = await publicCreator(deps, params.idOrSlug);
    const calendar = deps.rooms.calendar(creator.id);
    if (c.req.header('upgrade')?.toLowerCase() === 'websocket') return upgradeTo(c, calendar, c.req.url);
    c.header('Cache-Control', 'no-store');
    return c.json({ type: 'version' as const, version: await calendar.slotsVersion() });
  },
);

route(
  availabilityApi,
  {
    method: 'post',
    path: '/creators/:idOrSlug/slots/book',
    summary: 'Book a free slot: it is held for you to pay, like any offer (same payment, same confirmation)',
    tags,
    access: 'user',
    identityOnly: true,
    params: CreatorParam,
    body: BookSlotBody,
    responses: {
      201: { description: 'Held', schema: z.object({ booking: BookingDto, payment: PaymentStartDto }) },
      409: { description: 'SLOT_UNAVAILABLE (taken, or not bookable any more), OVERLAPS_ANOTHER_OFFER' },
      404: { description: 'NOT_FOUND / TYPE_NOT_FOUND' },
      422: { description: 'CREATOR_NOT_ONBOARDED, TOO_SOON, TOO_FAR' },
      429: { description: 'RATE_LIMITED' },
    },
  },
  async (c, { user, params, body }) => {
    const deps = c.get('deps');
    const creator = await publicCreator(deps, params.idOrSlug);
    const r = await deps.rooms
      .calendar(creator.id)
      .bookSlot({ creatorId: creator.id, typeId: body.typeId, startsAt: body.startsAt, fanId: user.id });
    if (!r.ok) throw refusal(r.code);
    return c.json({ booking: r.booking, payment: r.payment }, 201);
  },
);

// ---------------------------------------------------------------------------------------------- rescheduling

route(
  availabilityApi,
  {
    method: 'get',
    path: '/bookings/:id/reschedule-slots',
    summary: "Free times this booking could move to (its fan or creator; same duration, from the creator's hours)",
    tags,
    access: 'user',
    params: BookingIdParam,
    query: z.object({
      from: z.iso.datetime({ offset: true }).optional(),
      to: z.iso.datetime({ offset: true }).optional(),
    }),
    responses: {
      200: { description: 'Slots', schema: z.object({ slots: z.array(SlotDto) }) },
      403: { description: 'FORBIDDEN' },
      409: { description: 'BOOKING_NOT_RESCHEDULABLE, TOO_LATE_TO_RESCHEDULE' },
    },
  },
  async (c, { user, params, query }) => {
    const deps = c.get('deps');
    const checked = await checkReschedule(deps, params.id, user.id);
    if (!checked.ok) throw refusal(checked.code);
    const { from, to } = range(deps, query);
    const slots = await slotsFor(deps, checked.creator, await slotTypeOf(deps, checked.booking), from, to, {
      excludeOfferId: checked.booking.offerId,
    });
    c.header('Cache-Control', 'no-store');
    return c.json({
      slots: slots
        .filter((s) => s.startsAt.getTime() !== checked.booking.startsAt.getTime())
        .map((s) => ({ startsAt: s.startsAt.toISOString(), endsAt: s.endsAt.toISOString() })),
    });
  },
);

route(
  availabilityApi,
  {
    method: 'post',
    path: '/bookings/:id/reschedule',
    summary:
      'Move a confirmed booking to another free time (its fan or creator, until 24 h before): same payment, same calendar event (SEQUENCE + 1), both told',
    tags,
    access: 'user',
    identityOnly: true,
    params: BookingIdParam,
    body: RescheduleBody,
    responses: {
      200: { description: 'Moved', schema: z.object({ startsAt: z.string(), endsAt: z.string() }) },
      403: { description: 'FORBIDDEN' },
      404: { description: 'BOOKING_NOT_FOUND' },
      409: { description: 'SLOT_UNAVAILABLE, BOOKING_NOT_RESCHEDULABLE, TOO_LATE_TO_RESCHEDULE' },
    },
  },
  async (c, { user, params, body }) => {
    const deps = c.get('deps');
    const b = await deps.db
      .select({ creatorId: bookings.creatorId })
      .from(bookings)
      .where(eq(bookings.id, params.id))
      .get();
    if (!b) throw refusal('BOOKING_NOT_FOUND');
    const r = await deps.rooms
      .calendar(b.creatorId)
      .reschedule({ bookingId: params.id, actorUserId: user.id, startsAt: body.startsAt });
    if (!r.ok) throw refusal(r.code);
    return c.json({ startsAt: r.startsAt, endsAt: r.endsAt });
  },
);
