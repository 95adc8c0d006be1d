/** Review DTOs: what the API accepts and returns. */
import { z } from 'zod';

export const ReviewBody = z.object({
  rating: z.number().int().min(1).max(5),
  comment: z.string().trim().max(2000).default(''),
});

/** The creator's public answer under a review (once). */
export const ReplyBody = z.object({
  reply: z.string().trim().min(1).max(1000),
});

export const ReviewDto = z.object({
  id: z.string(),
  bookingId: z.string(),
  creatorId: z.string(),
  rating: z.number().int(),
  comment: z.string(),
  /** The fan's first name only: reviews are public. */
  author: z.string(),
  reply: z.string().nullable(),
  repliedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type ReviewDtoT = z.infer<typeof ReviewDto>;
