/** The error envelope every 4xx/5xx JSON answer carries: documented in OpenAPI, checked in tests. */
import { z } from 'zod';

export const ErrorEnvelopeSchema = z.object({
  error: z.object({
    code: z.string().describe('SCREAMING_SNAKE error code, e.g. VALIDATION_ERROR, OFFER_UNAVAILABLE'),
    message: z.string(),
    details: z.unknown().optional(),
    requestId: z.string(),
  }),
});
