/**
 * A creator's bookable availability: appointment types (what can be booked, for how long, at what
 * price, with buffers and notice), weekly hours in the creator's zone, and date exceptions — and
 * the slots they give, minus every span of the creator's time already taken (offers open, held or
 * booked, whatever their origin).
 */
import { and, asc, eq, gt, inArray, lt, ne, type SQL } from 'drizzle-orm';
import {
  appointmentTypes,
  availabilityExceptions,
  availabilityRules,
  callOffers,
  type Creator,
  type Currency,
} from '../../db/schema';
import type { Deps } from '../../deps';
import { OCCUPYING } from '../offers/create';
import { computeSlots, type Slot, type SlotType } from './slots';

export type AppointmentType = typeof appointmentTypes.$inferSelect;

/** Mon–Fri 9:00–12:00 and 14:00–18:00, in the creator's zone. */
export const DEFAULT_WEEKLY = [1, 2, 3, 4, 5].flatMap((weekday) => [
  { weekday, startMinute: 9 * 60, endMinute: 12 * 60 },
  { weekday, startMinute: 14 * 60, endMinute: 18 * 60 },
]);

/** A starting set, inactive until the creator turns one on (nobody becomes bookable by surprise). */
export function defaultTypes(locale: 'fr' | 'en', currency: Currency) {
  const fr = locale === 'fr';
  return [
    {
      name: fr ? 'Découverte' : 'Intro call',
      description: fr ? 'Un premier échange rapide.' : 'A quick first chat.',
      durationMinutes: 15,
      price: 2500,
      color: '#0f7b4f',
    },
    {
      name: fr ? 'Appel de 30 minutes' : '30-minute call',
      description: fr ? 'Le format le plus demandé.' : 'The most popular format.',
      durationMinutes: 30,
      price: 5000,
      color: '#5b4cf0',
    },
    {
      name: fr ? "Session d'une heure" : 'One-hour session',
      description: fr ? 'Pour aller en profondeur.' : 'To go in depth.',
      durationMinutes: 60,
      price: 9000,
      color: '#b42335',
    },
  ].map((t, i) => ({
    ...t,
    currency,
    bufferBeforeMinutes: 0,
    bufferAfterMinutes: 10,
    minNoticeMinutes: 120,
    maxAdvanceDays: 60,
    active: false,
    sortOrder: i,
  }));
}

/** Gives a creator the defaults the first time they open their availability settings. */
export async function ensureAvailabilityDefaults(deps: Deps, creator: Creator, locale: 'fr' | 'en'): Promise<void> {
  const [types, rules] = await Promise.all([
    deps.db
      .select({ id: appointmentTypes.id })
      .from(appointmentTypes)
      .where(eq(appointmentTypes.creatorId, creator.id))
      .limit(1)
      .all(),
    deps.db
      .select({ id: availabilityRules.id })
      .from(availabilityRules)
      .where(eq(availabilityRules.creatorId, creator.id))
      .limit(1)
      .all(),
  ]);
  const now = deps.clock.now();
  if (!types.length) {
    await deps.db.insert(appointmentTypes).values(
      defaultTypes(locale, creator.currency).map((t) => ({
        ...t,
        id: deps.ids.next('apt'),
        creatorId: creator.id,
        createdAt: now,
        updatedAt: now,
      })),
    );
  }
  if (!rules.length) {
    await deps.db
      .insert(availabilityRules)
      .values(DEFAULT_WEEKLY.map((r) => ({ ...r, id: deps.ids.next('avr'), creatorId: creator.id })));
  }
}

const typesQuery = (deps: Pick<Deps, 'db'>, creatorId: string | SQL, activeOnly: boolean) =>
  deps.db
    .select()
    .from(appointmentTypes)
    .where(and(eq(appointmentTypes.creatorId, creatorId), activeOnly ? eq(appointmentTypes.active, true) : undefined))
    .orderBy(asc(appointmentTypes.sortOrder), asc(appointmentTypes.durationMinutes));

/** The bookable types of a creator, as a query to batch with others. */
export const activeTypesQuery = (deps: Pick<Deps, 'db'>, creatorId: string | SQL) => typesQuery(deps, creatorId, true);

export async function listTypes(
  deps: Pick<Deps, 'db'>,
  creatorId: string,
  activeOnly = false,
): Promise<AppointmentType[]> {
  return typesQuery(deps, creatorId, activeOnly).all();
}

const weeklyQuery = (deps: Pick<Deps, 'db'>, creatorId: string) =>
  deps.db
    .select()
    .from(availabilityRules)
    .where(eq(availabilityRules.creatorId, creatorId))
    .orderBy(asc(availabilityRules.weekday), asc(availabilityRules.startMinute));

export async function weeklyOf(deps: Pick<Deps, 'db'>, creatorId: string) {
  return weeklyQuery(deps, creatorId).all();
}

const exceptionsQuery = (deps: Pick<Deps, 'db'>, creatorId: string, fromDate?: string) =>
  deps.db
    .select()
    .from(availabilityExceptions)
    .where(
      and(
        eq(availabilityExceptions.creatorId, creatorId),
        fromDate ? gt(availabilityExceptions.date, addDaysStr(fromDate, -1)) : undefined,
      ),
    )
    .orderBy(asc(availabilityExceptions.date), asc(availabilityExceptions.startMinute));

export async function exceptionsOf(deps: Pick<Deps, 'db'>, creatorId: string, fromDate?: string) {
  return exceptionsQuery(deps, creatorId, fromDate).all();
}
const addDaysStr = (d: string, n: number) =>
  new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** Replaces the weekly hours (validated by the caller's schema: ranges within a day, no overlaps). */
export async function replaceWeekly(
  deps: Deps,
  creatorId: string,
  ranges: { weekday: number; startMinute: number; endMinute: number }[],
): Promise<void> {
  await deps.db.batch([
    deps.db.delete(availabilityRules).where(eq(availabilityRules.creatorId, creatorId)),
    ...ranges.map((r) => deps.db.insert(availabilityRules).values({ ...r, id: deps.ids.next('avr'), creatorId })),
  ] as unknown as Parameters<typeof deps.db.batch>[0]);
}

/** Spans of the creator's time taken in [from, to): offers open, held or booked (one-off, request or slot). */
const busyQuery = (deps: Pick<Deps, 'db'>, creatorId: string, from: Date, to: Date, excludeOfferId?: string) =>
  deps.db
    .select({ s: callOffers.startsAt, e: callOffers.endsAt })
    .from(callOffers)
    .where(
      and(
        eq(callOffers.creatorId, creatorId),
        inArray(callOffers.status, [...OCCUPYING]),
        lt(callOffers.startsAt, to),
        gt(callOffers.endsAt, from),
        excludeOfferId ? ne(callOffers.id, excludeOfferId) : undefined,
      ),
    );

/** Free slots of one type in [from, to) — the only source of truth for what can be booked or rescheduled to. */
export async function slotsFor(
  deps: Deps,
  creator: Pick<Creator, 'id' | 'timezone'>,
  type: SlotType,
  from: Date,
  to: Date,
  opts: { excludeOfferId?: string } = {},
): Promise<Slot[]> {
  const margin = (type.bufferBeforeMinutes + type.bufferAfterMinutes + type.durationMinutes) * 60_000;
  // One round trip for the three reads.
  const [weekly, exceptions, busy] = await deps.db.batch([
    weeklyQuery(deps, creator.id),
    exceptionsQuery(deps, creator.id),
    busyQuery(
      deps,
      creator.id,
      new Date(from.getTime() - margin),
      new Date(to.getTime() + margin),
      opts.excludeOfferId,
    ),
  ]);
  return computeSlots({
    timezone: creator.timezone,
    weekly,
    exceptions,
    type,
    busy: busy.map((r) => ({ start: r.s.getTime(), end: r.e.getTime() })),
    now: deps.clock.now(),
    from,
    to,
  });
}

/** Is exactly this start one of the free slots right now? */
export async function isFreeSlot(
  deps: Deps,
  creator: Pick<Creator, 'id' | 'timezone'>,
  type: SlotType,
  startsAt: Date,
  opts: { excludeOfferId?: string } = {},
): Promise<boolean> {
  const slots = await slotsFor(deps, creator, type, startsAt, new Date(startsAt.getTime() + 1), opts);
  return slots.some((s) => s.startsAt.getTime() === startsAt.getTime());
}
