/** Incoming provider webhooks. Verified from the raw body; the caller's identity is its signature. */
import { Hono } from 'hono';
import { z } from 'zod';
import { handleStripeWebhook, WebhookSignatureError } from '../domain/payments/webhook';
import type { AppEnv } from '../http/context';
import { AppError } from '../http/errors';
import { route } from '../http/route';

export const webhooksApi = new Hono<AppEnv>();

route(webhooksApi, {
  method: 'post', path: '/api/webhooks/stripe', summary: 'Stripe events (Stripe-Signature verified; duplicates and any order are safe)', tags: ['Webhooks'], access: 'public',
  rawBody: { contentType: 'application/json', description: 'The event exactly as Stripe sent it' },
  responses: { 200: { description: 'Received', schema: z.object({ received: z.literal(true), status: z.string() }) }, 400: { description: 'SIGNATURE_INVALID' } },
}, async (c) => {
  const raw = await c.req.text();
  try {
    const outcome = await handleStripeWebhook(c.get('deps'), raw, c.req.header('stripe-signature') ?? null);
    return c.json({ received: true as const, status: outcome.status });
  } catch (e) {
    if (e instanceof WebhookSignatureError) throw new AppError(400, 'SIGNATURE_INVALID', 'Invalid or missing Stripe-Signature.');
    throw e;
  }
});
