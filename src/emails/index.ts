/** Template registry and rendering: one place turns (template, data, recipient) into subject + HTML + text. */
import { translator } from '../i18n';
import { oneLine } from '../lib/text';
import { accountClaimed, passwordReset, verifyEmail } from './account';
import { adminDailySummary } from './admin';
import {
  bookingCancelled,
  bookingConfirmed,
  bookingReminder,
  bookingRescheduledEmail,
  newBooking,
  paymentReceived,
  refundIssuedEmail,
  reviewRequest,
} from './bookings';
import { payoutUpdate } from './payouts';
import { requestAnswered, requestReceived } from './requests';
import { renderEmailHtml, renderEmailText } from './layout';
import type { EmailContext, EmailTemplate, RenderedEmail } from './types';

export const templates = Object.fromEntries(
  [
    verifyEmail,
    passwordReset,
    accountClaimed,
    payoutUpdate,
    bookingConfirmed,
    newBooking,
    bookingReminder,
    bookingCancelled,
    bookingRescheduledEmail,
    refundIssuedEmail,
    paymentReceived,
    reviewRequest,
    requestReceived,
    requestAnswered,
    adminDailySummary,
  ].map((tpl) => [tpl.name, tpl as unknown as EmailTemplate]),
) as Record<string, EmailTemplate>;

export type TemplateName = keyof typeof templates;

/** Every example of a template: its named variants, or `{ sample }` when it has none. */
export function samplesOf(template: EmailTemplate, appUrl: string): Record<string, unknown> {
  return template.variants ? template.variants(appUrl) : { sample: template.sample(appUrl) };
}

export function getTemplate(name: string): EmailTemplate | null {
  // Own keys only: `__proto__`, `constructor`… are not templates (a 500 on the admin preview before).
  return Object.hasOwn(templates, name) ? (templates[name] ?? null) : null;
}

/** Validates `data` against the template's schema, then renders both parts. */
export function renderEmail(template: EmailTemplate, ctx: Omit<EmailContext, 't'>, data: unknown): RenderedEmail {
  const full: EmailContext = { ...ctx, t: translator(ctx.locale) };
  const parsed = template.data.parse(data);
  const out = template.render(full, parsed);
  return {
    // Names and titles go into subjects: one line, whatever an older row holds.
    subject: oneLine(out.subject),
    html: renderEmailHtml(full, out.preheader, out.body),
    text: renderEmailText(full, out.text),
    attachments: out.attachments,
  };
}
