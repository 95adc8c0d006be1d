/** Email port: what the queue consumer needs from an email provider (Resend or the local outbox). */

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
    ok: false; retryable: boolean; status?: number; retryAfterSeconds?: number; message: string;
    /** The provider's error name (Resend: `rate_limit_exceeded`, `concurrent_idempotent_requests`…). */
    code?: string;
    /** The provider may have sent it anyway (a 5xx or lost answer after acceptance, a key already used): never "known not sent". */
    maybeSent: boolean;
  };

export interface EmailProvider {
  readonly name: 'resend' | 'outbox';
  /** Sends once per idempotency key: a retry with the same key never produces a second email. */
  send(message: EmailMessage, idempotencyKey: string): Promise<SendResult>;
}
