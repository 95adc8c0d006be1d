/** Who may see or act on a booking: its fan, the offer's creator, admins. */
import { eq } from 'drizzle-orm';
import { bookings, creators, type Booking, type User } from '../../db/schema';
import type { Deps } from '../../deps';

export type BookingRole = 'FAN' | 'CREATOR' | 'ADMIN';

export async function bookingForViewer(
  deps: Deps,
  user: User,
  bookingId: string,
): Promise<{ booking: Booking; role: BookingRole } | null> {
  const row = await deps.db
    .select({ booking: bookings, creatorUserId: creators.userId })
    .from(bookings)
    .innerJoin(creators, eq(creators.id, bookings.creatorId))
    .where(eq(bookings.id, bookingId))
    .get();
  if (!row) return null;
  if (row.booking.userId === user.id) return { booking: row.booking, role: 'FAN' };
  if (row.creatorUserId === user.id) return { booking: row.booking, role: 'CREATOR' };
  if (user.role === 'ADMIN') return { booking: row.booking, role: 'ADMIN' };
  return null;
}
