/** Creator profile DTOs. */
import { z } from 'zod';
import { CANCELLATION_POLICIES } from './enums';
import { CurrencySchema, IsoDateTime, SingleLineText, TimeZone } from './common';
import { OfferDto } from './offers';

const SOCIAL_KEYS = ['instagram', 'tiktok', 'youtube', 'x', 'website'] as const;
export const SocialLinksSchema = z.partialRecord(
  z.enum(SOCIAL_KEYS),
  z
    .url()
    .max(300)
    .refine((u) => /^https?:\/\//.test(u), 'Use an http(s) link.'),
);

export const Slug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, 'Lowercase letters, digits and dashes (2–40).');

export const UpdateCreatorBody = z
  .object({
    slug: Slug.optional(),
    displayName: SingleLineText(2, 80).optional(),
    bio: z.string().trim().max(2000).optional(),
    expertise: SingleLineText(0, 160).optional(),
    socialLinks: SocialLinksSchema.optional(),
    currency: CurrencySchema.optional(),
    timezone: TimeZone.optional(),
    cancellationPolicy: z.enum(CANCELLATION_POLICIES).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'Nothing to update.');

export const RatingDto = z.object({ average: z.number().nullable(), count: z.number().int() });

export const CreatorDto = z.object({
  id: z.string(),
  slug: z.string(),
  displayName: z.string(),
  bio: z.string(),
  expertise: z.string(),
  profileImageUrl: z.string().nullable(),
  bannerImageUrl: z.string().nullable(),
  socialLinks: z.record(z.string(), z.string()),
  currency: CurrencySchema,
  timezone: z.string(),
  cancellationPolicy: z.enum(CANCELLATION_POLICIES),
  acceptsPayments: z.boolean(),
  /** The only currency this creator's prices (and requests to them) can be in: the one their payment account settles in. */
  acceptedCurrency: CurrencySchema,
});

export const CreatorCardDto = z.object({
  id: z.string(),
  slug: z.string(),
  displayName: z.string(),
  expertise: z.string(),
  profileImageUrl: z.string().nullable(),
  rating: RatingDto,
  nextOfferAt: IsoDateTime.nullable(),
  priceFrom: z.object({ amount: z.number().int(), currency: CurrencySchema }).nullable(),
});

export const CreatorListResponse = z.object({
  items: z.array(CreatorCardDto),
  page: z.number().int(),
  total: z.number().int(),
  pageSize: z.number().int(),
});
export const CreatorPageResponse = z.object({ creator: CreatorDto, offers: z.array(OfferDto), rating: RatingDto });
export const CreatorListQuery = z.object({
  q: z.string().trim().max(100).optional(),
  page: z.coerce.number().int().min(1).max(1000).default(1),
});
