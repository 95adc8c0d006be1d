/** Incoming provider webhooks. Verified from the raw body; the caller's identity is its signature. */
import { z } from 'zod';
import { handleStripeWebhook, WebhookSignatureError } from '../domain/payments/webhook';
import { AppError, notFound } from '../http/errors';
import { handleResendWebhook } from '../domain/email/webhook';
import { apiApp, route } from '../http/route';

export const webhooksApi = apiApp('/api/webhooks');

route(
  webhooksApi,
  {
    method: 'post',
    path: '/stripe',
    summary: 'Stripe events (Stripe-Signature verified; duplicates and any order are safe)',
    tags: ['Webhooks'],
    access: 'public',
    rawBody: { contentType: 'application/json', description: 'The event exactly as Stripe sent it' },
    responses: {
      200: { description: 'Received', schema: z.object({ received: z.literal(true), status: z.string() }) },
      400: { description: 'SIGNATURE_INVALID' },
    },
  },
  async (c) => {
    const raw = await c.req.text();
    try {
      const outcome = await handleStripeWebhook(c.get('deps'), raw, c.req.header('stripe-signature') ?? null);
      return c.json({ received: true as const, status: outcome.status });
    } catch (e) {
      if (e instanceof WebhookSignatureError)
        throw new AppError(400, 'SIGNATURE_INVALID', 'Invalid or missing Stripe-Signature.');
      throw e;
    }
  },
);

route(
  webhooksApi,
  {
    method: 'post',
    path: '/resend',
    summary:
      'Resend delivery events (Svix signature verified): delivered, bounced, complained, delayed; bounces and complaints suppress the address',
    tags: ['Webhooks'],
    access: 'public',
    rawBody: { contentType: 'application/json', description: 'The event exactly as Resend sent it' },
    responses: {
      200: { description: 'Received', schema: z.object({ received: z.literal(true), status: z.string() }) },
      400: { description: 'SIGNATURE_INVALID' },
      404: { description: 'Resend webhooks are not configured' },
    },
  },
  async (c) => {
    if (!c.get('deps').emailProvider.webhook) throw notFound('Resend webhook endpoint');
    const raw = await c.req.text();
    if (raw.length > 256 * 1024) throw new AppError(413, 'PAYLOAD_TOO_LARGE', 'Event too large.');
    try {
      const outcome = await handleResendWebhook(c.get('deps'), raw, {
        id: c.req.header('svix-id') ?? null,
        timestamp: c.req.header('svix-timestamp') ?? null,
        signature: c.req.header('svix-signature') ?? null,
      });
      return c.json({ received: true as const, status: outcome.status });
    } catch (e) {
      if (e instanceof WebhookSignatureError)
        throw new AppError(400, 'SIGNATURE_INVALID', 'Invalid or missing Resend (Svix) signature.');
      throw e;
    }
  },
);
