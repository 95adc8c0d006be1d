/**
 * Editing a creator's availability — shared by the API and the settings page so both enforce the
 * same rules: card minimum on prices, types used by bookings are deactivated rather than deleted,
 * and every change that can open or close slots tells the live slot pickers.
 */
import { and, eq } from 'drizzle-orm';
import type { z } from 'zod';
import { appointmentTypes, availabilityExceptions, callOffers, type Creator } from '../../db/schema';
import { one } from '../../db/one';
import type { Deps } from '../../deps';
import type { CreateTypeBody, ExceptionBody, UpdateTypeBody } from '../../shared/availability';
import { CARD_MINIMUM } from '../../shared/money';
import { acceptedCurrency, currencyRefusal } from '../payments/currency';
import { replaceWeekly, type AppointmentType } from './availability';

export type TypeResult =
  | { ok: true; type: AppointmentType }
  | { ok: false; code: 'PRICE_TOO_LOW'; minimum: number }
  | { ok: false; code: 'CURRENCY_NOT_ACCEPTED'; accepted: Creator['currency'] }
  | { ok: false; code: 'NOT_FOUND' };

const belowMinimum = (price: number, currency: keyof typeof CARD_MINIMUM) => price < CARD_MINIMUM[currency];

export async function createType(
  deps: Deps,
  creator: Creator,
  body: z.infer<typeof CreateTypeBody>,
): Promise<TypeResult> {
  const currency = body.currency ?? acceptedCurrency(creator);
  const wrong = currencyRefusal(creator, currency);
  if (wrong) return { ok: false, ...wrong };
  if (belowMinimum(body.price, currency)) return { ok: false, code: 'PRICE_TOO_LOW', minimum: CARD_MINIMUM[currency] };
  const now = deps.clock.now();
  const type = one(
    await deps.db
      .insert(appointmentTypes)
      .values({
        ...body,
        currency,
        id: deps.ids.next('apt'),
        creatorId: creator.id,
        sortOrder: 100,
        createdAt: now,
        updatedAt: now,
      })
      .returning(),
    'the appointment type just created',
  );
  if (type.active) await deps.rooms.calendar(creator.id).slotsChanged();
  return { ok: true, type };
}

async function ownType(deps: Deps, creatorId: string, id: string) {
  return deps.db
    .select()
    .from(appointmentTypes)
    .where(and(eq(appointmentTypes.id, id), eq(appointmentTypes.creatorId, creatorId)))
    .get();
}

/** Changes a type; calls already booked with it keep their own price and time. */
export async function updateType(
  deps: Deps,
  creator: Creator,
  id: string,
  body: z.infer<typeof UpdateTypeBody>,
): Promise<TypeResult> {
  const current = await ownType(deps, creator.id, id);
  if (!current) return { ok: false, code: 'NOT_FOUND' };
  const currency = body.currency ?? current.currency;
  // A type priced in another currency (from before the account's was known) must move to it when edited.
  const wrong = currencyRefusal(creator, currency);
  if (wrong) return { ok: false, ...wrong };
  if (belowMinimum(body.price ?? current.price, currency))
    return { ok: false, code: 'PRICE_TOO_LOW', minimum: CARD_MINIMUM[currency] };
  const patch = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
  const [type] = await deps.db
    .update(appointmentTypes)
    .set({ ...patch, updatedAt: deps.clock.now() })
    .where(eq(appointmentTypes.id, current.id))
    .returning();
  if (!type) return { ok: false, code: 'NOT_FOUND' }; // deleted since it was read
  await deps.rooms.calendar(creator.id).slotsChanged();
  return { ok: true, type };
}

/** Deletes a type, or only deactivates it when offers were created from it (their history keeps the link). */
export async function removeType(
  deps: Deps,
  creator: Creator,
  id: string,
): Promise<{ ok: true; deleted: boolean } | { ok: false; code: 'NOT_FOUND' }> {
  const current = await ownType(deps, creator.id, id);
  if (!current) return { ok: false, code: 'NOT_FOUND' };
  const used = await deps.db
    .select({ id: callOffers.id })
    .from(callOffers)
    .where(eq(callOffers.appointmentTypeId, current.id))
    .limit(1)
    .get();
  if (used)
    await deps.db
      .update(appointmentTypes)
      .set({ active: false, updatedAt: deps.clock.now() })
      .where(eq(appointmentTypes.id, current.id));
  else await deps.db.delete(appointmentTypes).where(eq(appointmentTypes.id, current.id));
  await deps.rooms.calendar(creator.id).slotsChanged();
  return { ok: true, deleted: !used };
}

export async function saveWeekly(
  deps: Deps,
  creator: Creator,
  ranges: { weekday: number; startMinute: number; endMinute: number }[],
): Promise<void> {
  await replaceWeekly(deps, creator.id, ranges);
  await deps.rooms.calendar(creator.id).slotsChanged();
}

export async function addException(deps: Deps, creator: Creator, body: z.infer<typeof ExceptionBody>): Promise<string> {
  const id = deps.ids.next('avx');
  await deps.db.insert(availabilityExceptions).values({ ...body, id, creatorId: creator.id });
  await deps.rooms.calendar(creator.id).slotsChanged();
  return id;
}

export async function removeException(deps: Deps, creator: Creator, id: string): Promise<boolean> {
  const r = await deps.db
    .delete(availabilityExceptions)
    .where(and(eq(availabilityExceptions.id, id), eq(availabilityExceptions.creatorId, creator.id)))
    .returning({ id: availabilityExceptions.id });
  if (r.length) await deps.rooms.calendar(creator.id).slotsChanged();
  return r.length > 0;
}
