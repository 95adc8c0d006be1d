/**
 * Resend adapter (RESEND_API_KEY set): the official SDK with the email log's idempotency key, so a
 * retried delivery never sends twice. Errors are classified for the queue: 429 (with Retry-After)
 * and 5xx / network are retried with backoff, other 4xx are permanent. RESEND_API_BASE points the
 * SDK at another host (tests: the local fake).
 */
import { Resend } from 'resend';
import type { EmailProvider } from './port';

export function resendProvider(cfg: { apiKey: string; baseUrl?: string; webhookSecret?: string }): EmailProvider {
  const client = new Resend(cfg.apiKey, { baseUrl: (cfg.baseUrl ?? 'https://api.resend.com').replace(/\/$/, '') });
  const secret = cfg.webhookSecret;
  return {
    name: 'resend',
    webhook: secret ? { verify: (raw, headers) => verifyResendWebhook(secret, raw, headers) } : null,
    async send(m, idempotencyKey) {
      const r = await client.emails.send(
        {
          from: m.from,
          to: m.to,
          subject: m.subject,
          html: m.html,
          text: m.text,
          headers: m.headers,
          attachments: m.attachments?.map((a) => ({
            filename: a.filename,
            content: a.content,
            contentType: a.contentType,
          })),
          tags: m.tags?.map((t) => ({ name: t.name, value: t.value.replace(/[^A-Za-z0-9_-]/g, '_') })),
        },
        { idempotencyKey },
      );
      if (r.data?.id) return { ok: true, providerId: r.data.id };
      const status = (r.error as { statusCode?: number | null } | null)?.statusCode ?? null;
      const code = r.error?.name ?? undefined;
      const retryAfter = Number(r.headers?.['retry-after']);
      return {
        ok: false,
        retryable: isRetryable(status, code),
        status: status ?? undefined,
        code,
        retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
        message: `${code ?? 'error'}: ${r.error?.message ?? 'unknown'}`,
        maybeSent: mayHaveBeenSent(status),
      };
    },
  };
}

/**
 * 429 (rate limit), 5xx and no answer at all are retried; so is 409 `concurrent_idempotent_requests`
 * (another request with the same key is still in flight: "safe to retry later", Resend's docs). Other
 * 4xx — validation, 409 `invalid_idempotent_request` (the key was used with another payload) — are not.
 */
export function isRetryable(status: number | null, code: string | undefined): boolean {
  return (
    status === null || status === 429 || status >= 500 || (status === 409 && code === 'concurrent_idempotent_requests')
  );
}

/**
 * Whether the email may have gone out despite the error: no answer or a 5xx (maybe after
 * acceptance), or a 409 (the key was used by another request, finished or still in flight).
 * 429 and validation errors mean nothing was sent.
 */
export function mayHaveBeenSent(status: number | null): boolean {
  return status === null || status >= 500 || status === 409;
}

/**
 * Resend webhooks (delivered / bounced / complained / delayed) are signed the Svix way:
 * `svix-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed by the `whsec_` secret.
 * Verified by the SDK (standard-webhooks), which also refuses timestamps older than 5 minutes.
 */
export function verifyResendWebhook(
  secret: string,
  raw: string,
  headers: { id: string | null; timestamp: string | null; signature: string | null },
): unknown {
  const client = new Resend('re_webhook_verifier');
  return client.webhooks.verify({
    payload: raw,
    headers: { id: headers.id ?? '', timestamp: headers.timestamp ?? '', signature: headers.signature ?? '' },
    webhookSecret: secret,
  });
}
