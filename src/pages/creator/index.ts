/**
 * The creator space: every creator page group, mounted under `/:lang/creator` in the order they
 * match. Each group is a `pageArea('creator')`, so the same guard holds for every route in it.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../../http/context';
import { creatorAvailabilityPages } from './availability';
import { creatorHomePages } from './home';
import { creatorOfferPages } from './offers';
import { creatorPaymentPages } from './payments';
import { creatorPayoutPages } from './payouts';
import { creatorPlanningPages } from './planning';
import { creatorProfilePages } from './profile';
import { creatorRequestPages } from './requests';
import { creatorReviewPages } from './reviews';

export const creatorSpace = new Hono<AppEnv>();
for (const group of [
  creatorOfferPages,
  creatorRequestPages,
  creatorProfilePages,
  creatorPaymentPages,
  creatorPayoutPages,
  creatorAvailabilityPages,
  creatorPlanningPages,
  creatorHomePages,
  creatorReviewPages,
])
  creatorSpace.route('/:lang{fr|en}/creator', group);
