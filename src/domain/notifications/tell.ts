/**
 * Telling people things: an in-app notification and/or an email, in the RECIPIENT's language and
 * time zone. Non-transactional emails respect the person's email preferences; transactional ones
 * (security, receipts, money, booking changes) always go. The email is recorded first: if that
 * fails, nothing was told and the caller may try again (a reminder releases its claim); a
 * notification that cannot be recorded is logged (NOTIFICATION_ERROR) and does not undo the email.
 */
import { eq } from 'drizzle-orm';
import { users, type User } from '../../db/schema';
import type { Deps } from '../../deps';
import { getTemplate, type TemplateData, type TemplateName } from '../../emails';
import { enqueueEmail } from '../email/enqueue';
import { wantsEmail } from '../email/unsubscribe';
import { notify, type NotificationParams, type NotificationType } from './notify';

interface EmailOf<N extends TemplateName> {
  template: N;
  data: TemplateData<N> | ((u: User) => TemplateData<N> | Promise<TemplateData<N>>);
  key: string;
}

/** An email of any template, with that template's data: the union keeps each name paired with its own fields. */
export type EmailRequest = { [N in TemplateName]: EmailOf<N> }[TemplateName];

export interface Message {
  notification?: { type: NotificationType; params: NotificationParams; link: string | null };
  email?: EmailRequest;
}

export type Recipient = Pick<User, 'id' | 'email' | 'name' | 'locale' | 'timezone' | 'emailPrefs'>;

/** What happened: the notification id (null when none or it failed), the email (null when none, or not wanted). */
export interface Told {
  notificationId: string | null;
  email: { emailId: string; duplicate: boolean } | null;
}

export async function tell(deps: Deps, who: Recipient | string, m: Message): Promise<Told> {
  const told: Told = { notificationId: null, email: null };
  const user = typeof who === 'string' ? await deps.db.select().from(users).where(eq(users.id, who)).get() : who;
  if (!user) return told;
  if (m.email) {
    const template = getTemplate(m.email.template);
    if (!template) throw new Error(`Unknown email template ${m.email.template}`);
    if (template.transactional || wantsEmail(user.emailPrefs, template.category)) {
      const data = typeof m.email.data === 'function' ? await m.email.data(user as User) : m.email.data;
      const r = await enqueueEmail(deps, {
        template: m.email.template,
        to: { email: user.email, name: user.name, locale: user.locale, timezone: user.timezone, userId: user.id },
        data,
        key: `${m.email.key}:${user.id}`,
      });
      told.email = { emailId: r.emailId, duplicate: r.duplicate };
    }
  }
  if (m.notification) {
    try {
      told.notificationId = await notify(
        deps,
        user.id,
        m.notification.type,
        m.notification.params,
        m.notification.link,
      );
    } catch {
      // Logged by notify(); the email is already on its way.
    }
  }
  return told;
}

export async function tellAdmins(deps: Deps, m: Message): Promise<Told[]> {
  const out: Told[] = [];
  for (const admin of await deps.db.select().from(users).where(eq(users.role, 'ADMIN')).all())
    out.push(await tell(deps, admin, m));
  return out;
}
