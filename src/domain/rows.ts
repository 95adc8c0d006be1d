/**
 * The row types that pages show, taken from here so that no page imports the schema: the layering
 * test keeps drizzle and src/db/ below the domain.
 */
export type { Booking, CallOffer, CallRequest, Creator, Payment, Review, User } from '../db/schema';
