/** The review form (call summary and fan history): the API's ReviewBody, the rating as posted text. */
import { z } from 'zod';
import { ReviewBody } from '../../shared/reviews';

export const ReviewPost = z.object({
  // Posted as text: a missing or non-numeric rating fails the API's own rule.
  rating: z.preprocess((v) => Number(v), ReviewBody.shape.rating),
  comment: ReviewBody.shape.comment,
  /** The history page the form was on (fan dashboard only). */
  page: z.string().optional(),
});
