/** Writing an offer edit (the OfferRoom decides whether it is allowed). */
import { eq } from 'drizzle-orm';
import { callOffers, type Currency } from '../../db/schema';
import type { Deps } from '../../deps';

export interface OfferPatch {
  title?: string;
  description?: string;
  price?: number;
  currency?: Currency;
  startsAt?: string;
  durationMinutes?: number;
}

export async function applyOfferPatch(deps: Deps, offerId: string, patch: OfferPatch): Promise<void> {
  const current = (await deps.db.select().from(callOffers).where(eq(callOffers.id, offerId)).get())!;
  const startsAt = patch.startsAt ? new Date(patch.startsAt) : current.startsAt;
  const durationMinutes = patch.durationMinutes ?? current.durationMinutes;
  await deps.db
    .update(callOffers)
    .set({
      title: patch.title ?? current.title,
      description: patch.description ?? current.description,
      price: patch.price ?? current.price,
      currency: patch.currency ?? current.currency,
      startsAt,
      durationMinutes,
      endsAt: new Date(startsAt.getTime() + durationMinutes * 60_000),
      updatedAt: deps.clock.now(),
    })
    .where(eq(callOffers.id, offerId));
}
