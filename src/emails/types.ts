/** What every email template receives and returns. */
import type { ComponentChildren } from 'preact';
import type { z, ZodType } from 'zod';
import type { Locale } from '../db/schema';
import type { T } from '../i18n';
import type { EmailAttachment } from '../providers/email/port';

export interface EmailContext {
  locale: Locale;
  /** The recipient's zone: every time in the email is shown in it. */
  timezone: string;
  t: T;
  appName: string;
  appUrl: string;
  supportEmail: string;
  recipientName: string;
  /** Set for non-transactional mail: one-click unsubscribe link (also sent as List-Unsubscribe). */
  unsubscribeUrl?: string;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  attachments?: EmailAttachment[];
}

export interface EmailTemplate<S extends ZodType = ZodType, N extends string = string> {
  name: N;
  /** Transactional mail (security, receipts) ignores email preferences and has no unsubscribe link. */
  transactional: boolean;
  /** The email-preference category a recipient can turn off (non-transactional only). */
  category?: string;
  data: S;
  /** Example data for the admin preview page and the template tests. */
  sample(appUrl: string): z.input<S>;
  /**
   * Named examples of every form the email takes (each reminder, each payout step, accepted and
   * declined…): the preview page offers each one and the tests render each one. Absent: the sample alone.
   */
  variants?(appUrl: string): Record<string, z.input<S>>;
  render(
    ctx: EmailContext,
    data: z.infer<S>,
  ): { subject: string; preheader: string; body: ComponentChildren; text: string[]; attachments?: EmailAttachment[] };
}

/** Keeps the literal name and the schema's type, so the registry can map each name to its data. */
export function defineTemplate<const N extends string, S extends ZodType>(t: EmailTemplate<S, N>): EmailTemplate<S, N> {
  return t;
}
