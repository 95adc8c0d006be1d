/** Account emails: email verification, password reset, an unverified account claimed by its address's owner (transactional). */
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
      text: [
        t('email.greeting', { name: ctx.recipientName }),
        '',
        t('email.verify.intro', { app: ctx.appName }),
        '',
        kv(ctx, t('email.verify.cta'), data.url),
        '',
        t('email.verify.expiry'),
      ],
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
      text: [
        t('email.greeting', { name: ctx.recipientName }),
        '',
        t('email.reset.intro'),
        '',
        kv(ctx, t('email.reset.cta'), data.url),
        '',
        t('email.reset.expiry', { minutes: data.expiresMinutes }),
        t('email.reset.ignore'),
      ],
    };
  },
});

/** The owner of an address claimed the unverified account made with it (domain/accounts/claim.ts). */
export const accountClaimed = defineTemplate({
  name: 'account_claimed',
  transactional: true,
  data: z.object({ via: z.enum(['GOOGLE', 'PASSWORD_RESET']), payoutReset: z.boolean(), url: z.url() }),
  sample: (appUrl) => ({ via: 'GOOGLE' as const, payoutReset: true, url: `${appUrl}/fr/account` }),
  variants: (appUrl) => ({
    google_creator: { via: 'GOOGLE' as const, payoutReset: true, url: `${appUrl}/fr/account` },
    google_fan: { via: 'GOOGLE' as const, payoutReset: false, url: `${appUrl}/fr/account` },
    reset: { via: 'PASSWORD_RESET' as const, payoutReset: false, url: `${appUrl}/fr/account` },
  }),
  render(ctx, data) {
    const { t } = ctx;
    const lines = [
      t(data.via === 'GOOGLE' ? 'email.claimed.introGoogle' : 'email.claimed.introReset', { app: ctx.appName }),
      t('email.claimed.done'),
      ...(data.via === 'GOOGLE' ? [t('email.claimed.donePassword')] : []),
      ...(data.payoutReset ? [t('email.claimed.payout')] : []),
      t('email.claimed.review'),
    ];
    return {
      subject: t('email.claimed.subject', { app: ctx.appName }),
      preheader: t('email.claimed.preheader'),
      body: (
        <>
          <p>{t('email.greeting', { name: ctx.recipientName })}</p>
          {lines.map((l) => (
            <p>{l}</p>
          ))}
          <Button href={data.url}>{t('email.claimed.cta')}</Button>
        </>
      ),
      text: [
        t('email.greeting', { name: ctx.recipientName }),
        '',
        ...lines.flatMap((l) => [l, '']),
        kv(ctx, t('email.claimed.cta'), data.url),
      ],
    };
  },
});
