/** Template registry and rendering: one place turns (template, data, recipient) into subject + HTML + text. */
import { translator } from '../i18n';
import { passwordReset, verifyEmail } from './account';
import { payoutUpdate } from './payouts';
import { renderEmailHtml, renderEmailText } from './layout';
import type { EmailContext, EmailTemplate, RenderedEmail } from './types';

export const templates = {
  [verifyEmail.name]: verifyEmail,
  [passwordReset.name]: passwordReset,
  [payoutUpdate.name]: payoutUpdate,
} as Record<string, EmailTemplate>;

export type TemplateName = keyof typeof templates;

export function getTemplate(name: string): EmailTemplate | null {
  return templates[name] ?? null;
}

/** Validates `data` against the template's schema, then renders both parts. */
export function renderEmail(template: EmailTemplate, ctx: Omit<EmailContext, 't'>, data: unknown): RenderedEmail {
  const full: EmailContext = { ...ctx, t: translator(ctx.locale) };
  const parsed = template.data.parse(data);
  const out = template.render(full, parsed);
  return {
    subject: out.subject,
    html: renderEmailHtml(full, out.preheader, out.body),
    text: renderEmailText(full, out.text),
    attachments: out.attachments,
  };
}
