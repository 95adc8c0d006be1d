/**
 * The development tool's demo call (/dev/demo-call): a confirmed, free booking that starts now or
 * shortly. It writes the offer and the booking directly, bypassing the 30-minute lead time on purpose.
 */
import { asc, ne } from 'drizzle-orm';
import { bookings, callOffers, creators } from '../../db/schema';
import type { Deps } from '../../deps';
import { creatorById } from '../creators/queries';

/** The creators a person may have a demo call with: every one but their own profile. */
export async function demoCreators(deps: Pick<Deps, 'db'>, userId: string) {
  return deps.db
    .select({ id: creators.id, name: creators.displayName })
    .from(creators)
    .where(ne(creators.userId, userId))
    .orderBy(asc(creators.displayName))
    .limit(200)
    .all();
}

export interface DemoCallInput {
  creatorId: string;
  durationMinutes: number;
  startInSeconds: number;
  /** The offer's title, in the page's language. */
  title: string;
}

/** Books a demo call for `userId` and returns the booking's id; null when the creator is missing or is the person themself. */
export async function createDemoCall(
  deps: Pick<Deps, 'db' | 'clock' | 'ids' | 'log'>,
  userId: string,
  input: DemoCallInput,
): Promise<string | null> {
  const creator = await creatorById(deps, input.creatorId);
  if (!creator || creator.userId === userId) return null;
  const now = deps.clock.now();
  const startsAt = new Date(Math.floor(now.getTime() / 1000) * 1000 + input.startInSeconds * 1000);
  const endsAt = new Date(startsAt.getTime() + input.durationMinutes * 60_000);
  const offerId = deps.ids.next('off');
  const bookingId = deps.ids.next('bkg');
  await deps.db.batch([
    deps.db.insert(callOffers).values({
      id: offerId,
      creatorId: creator.id,
      title: input.title,
      description: '',
      price: 0,
      currency: creator.currency,
      startsAt,
      durationMinutes: input.durationMinutes,
      endsAt,
      status: 'BOOKED',
      source: 'OFFER',
      reservedForUserId: userId,
      createdAt: now,
      updatedAt: now,
    }),
    deps.db.insert(bookings).values({
      id: bookingId,
      offerId,
      userId,
      creatorId: creator.id,
      status: 'CONFIRMED',
      price: 0,
      currency: creator.currency,
      cancellationPolicy: creator.cancellationPolicy,
      startsAt,
      endsAt,
      confirmedAt: now,
      createdAt: now,
      updatedAt: now,
    }),
  ]);
  await deps.log.booking.info(
    'BOOKING_CONFIRMED',
    `Demo call ${bookingId} created (dev tool)`,
    { bookingId, creatorId: creator.id },
    { actorId: userId },
  );
  return bookingId;
}
