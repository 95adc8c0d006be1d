/** Account emails: email verification and password reset (transactional). */
import { z } from 'zod';
import { kv, Button } from './layout';
import { defineTemplate } from './types';

export const verifyEmail = defineTemplate({
  name: 'verify_email',
  transactional: true,
  data: z.object({ url: z.url() }),
  sample: (appUrl) => ({ url: `${appUrl}/fr/verify-email?token=sample-token` }),
  render(ctx, data) {
    const { t } = ctx;
    return {
      subject: t('email.verify.subject', { app: ctx.appName }),
      preheader: t('email.verify.preheader'),
      body: (
        <>
          <p>{t('email.greeting', { name: ctx.recipientName })}</p>
          <p>{t('email.verify.intro', { app: ctx.appName })}</p>
          <Button href={data.url}>{t('email.verify.cta')}</Button>
          <p style="color:#6b6880;font-size:13px">{t('email.verify.expiry')}</p>
        </>
      ),
      text: [t('email.greeting', { name: ctx.recipientName }), '', t('email.verify.intro', { app: ctx.appName }), '', kv(ctx, t('email.verify.cta'), data.url), '', t('email.verify.expiry')],
    };
  },
});

export const passwordReset = defineTemplate({
  name: 'password_reset',
  transactional: true,
  data: z.object({ url: z.url(), expiresMinutes: z.number().int() }),
  sample: (appUrl) => ({ url: `${appUrl}/fr/reset-password?token=sample-token`, expiresMinutes: 60 }),
  render(ctx, data) {
    const { t } = ctx;
    return {
      subject: t('email.reset.subject', { app: ctx.appName }),
      preheader: t('email.reset.preheader'),
      body: (
        <>
          <p>{t('email.greeting', { name: ctx.recipientName })}</p>
          <p>{t('email.reset.intro')}</p>
          <Button href={data.url}>{t('email.reset.cta')}</Button>
          <p style="color:#6b6880;font-size:13px">{t('email.reset.expiry', { minutes: data.expiresMinutes })}</p>
          <p style="color:#6b6880;font-size:13px">{t('email.reset.ignore')}</p>
        </>
      ),
      text: [t('email.greeting', { name: ctx.recipientName }), '', t('email.reset.intro'), '', kv(ctx, t('email.reset.cta'), data.url), '', t('email.reset.expiry', { minutes: data.expiresMinutes }), t('email.reset.ignore')],
    };
  },
});
