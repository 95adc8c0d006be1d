/** Template registry and rendering: one place turns (template, data, recipient) into subject + HTML + text. */
import type { z } from 'zod';
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

const TEMPLATE_LIST = [
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
] as const;

/** Each template under its name: senders are checked against it, so a wrong name or field fails typecheck. */
export type Templates = { [Tpl in (typeof TEMPLATE_LIST)[number] as Tpl['name']]: Tpl };
export type TemplateName = keyof Templates;
/** What a sender passes for template `N` (its schema's input: the schema still parses it when rendering). */
export type TemplateData<N extends TemplateName> = z.input<Templates[N]['data']>;

export const templates = Object.fromEntries(TEMPLATE_LIST.map((tpl) => [tpl.name, tpl])) as Templates;

/** Every example of a template: its named variants, or `{ sample }` when it has none. */
export function samplesOf(template: EmailTemplate, appUrl: string): Record<string, unknown> {
  return template.variants ? template.variants(appUrl) : { sample: template.sample(appUrl) };
}

export function getTemplate(name: string): EmailTemplate | null {
  // Own keys only: `__proto__`, `constructor`… are not templates (a 500 on the admin preview before).
  return Object.hasOwn(templates, name) ? (templates[name as TemplateName] as EmailTemplate) : null;
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
