/** Email port: what the queue consumer needs from an email provider (Resend or the local outbox). */
import { oneLine } from '../../lib/text';

export interface EmailAttachment {
  filename: string;
  contentType: string;
  /** Base64 content. */
  content: string;
}

export interface EmailMessage {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  headers?: Record<string, string>;
  attachments?: EmailAttachment[];
  tags?: { name: string; value: string }[];
}

export type SendResult =
  | { ok: true; providerId: string }
  /** retryable: 429/5xx/network; permanent: 4xx validation errors (never retried). */
  | {
      ok: false;
      retryable: boolean;
      status?: number;
      retryAfterSeconds?: number;
      message: string;
      /** The provider's error name (Resend: `rate_limit_exceeded`, `concurrent_idempotent_requests`…). */
      code?: string;
      /** The provider may have sent it anyway (a 5xx or lost answer after acceptance, a key already used): never "known not sent". */
      maybeSent: boolean;
    };

export interface EmailProvider {
  readonly name: 'resend' | 'outbox';
  /** Sends once per idempotency key: a retry with the same key never produces a second email. */
  send(message: EmailMessage, idempotencyKey: string): Promise<SendResult>;
  /**
   * Verifies a delivery webhook and returns its event (throws on a bad signature); null when the
   * provider sends none or its secret is not configured (the endpoint then answers 404).
   */
  readonly webhook: {
    verify(raw: string, headers: { id: string | null; timestamp: string | null; signature: string | null }): unknown;
  } | null;
}

/**
 * The message as it may cross the port: subject, addresses, header names and values, attachment
 * names and types each on one line. User text (names, titles) reaches subjects; whatever a row
 * holds, it can never start a header of its own (`\r\nBcc: …`).
 */
export function headerSafe(m: EmailMessage): EmailMessage {
  return {
    ...m,
    from: oneLine(m.from),
    to: oneLine(m.to),
    subject: oneLine(m.subject),
    // A header name is printable ASCII without the colon (RFC 5322 §3.6.8).
    headers:
      m.headers &&
      Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k.replace(/[^!-9;-~]/g, ''), oneLine(v)])),
    attachments: m.attachments?.map((a) => ({
      ...a,
      filename: oneLine(a.filename).replace(/["\\]/g, ''),
      contentType: oneLine(a.contentType),
    })),
    tags: m.tags?.map((t) => ({ name: oneLine(t.name), value: oneLine(t.value) })),
  };
}
