/** Call-request emails: the creator receives a request; the fan learns the answer (accepted: pay within the hold). */
import { z } from 'zod';
import { CURRENCIES } from '../db/schema';
import { formatDuration, formatMoney } from '../i18n/format';
import { whenFor } from './bookings';
import { kv, Button, Details } from './layout';
import { defineTemplate } from './types';

export const requestReceived = defineTemplate({
  name: 'request_received',
  transactional: false,
  category: 'requests',
  data: z.object({
    fan: z.string().max(200),
    price: z.number().int(),
    currency: z.enum(CURRENCIES),
    startsAt: z.iso.datetime({ offset: true }),
    minutes: z.number().int(),
    message: z.string().max(2000),
    url: z.url(),
  }),
  sample: (appUrl) => ({
    fan: 'Jordan Lee',
    price: 5000,
    currency: 'EUR' as const,
    startsAt: '2026-12-05T18:00:00.000Z',
    minutes: 30,
    message: 'Hi Léa! Could we work on my breathing before an audition?',
    url: `${appUrl}/fr/creator/requests`,
  }),
  render(ctx, d) {
    const { t } = ctx;
    const rows: [string, string][] = [
      [t('email.request.proposed'), whenFor(ctx, d.startsAt)],
      [t('email.booking.duration'), formatDuration(d.minutes, ctx.locale)],
      [t('email.request.price'), formatMoney(d.price, d.currency, ctx.locale)],
    ];
    return {
      subject: t('email.request.received.subject', { fan: d.fan }),
      preheader: t('email.request.received.intro', { fan: d.fan }),
      body: (
        <>
          <p>{t('email.greeting', { name: ctx.recipientName })}</p>
          <p>{t('email.request.received.intro', { fan: d.fan })}</p>
          <Details rows={rows} />
          {d.message ? (
            <blockquote style="margin:16px 0;padding:8px 14px;border-left:3px solid #5b4cf0;color:#3d3a52">
              {d.message}
            </blockquote>
          ) : null}
          <p style="color:#6b6880;font-size:13px">{t('email.request.received.expiry')}</p>
          <Button href={d.url}>{t('email.request.received.cta')}</Button>
        </>
      ),
      text: [
        t('email.greeting', { name: ctx.recipientName }),
        '',
        t('email.request.received.intro', { fan: d.fan }),
        ...rows.map(([a, b]) => kv(ctx, a, b)),
        ...(d.message ? ['', `« ${d.message} »`] : []),
        '',
        t('email.request.received.expiry'),
        kv(ctx, t('email.request.received.cta'), d.url),
      ],
    };
  },
});

const answeredSample = (appUrl: string) => ({
  accepted: true,
  creator: 'Léa Martin',
  startsAt: '2026-12-05T18:00:00.000Z',
  message: 'Avec plaisir !',
  url: `${appUrl}/fr/bookings/bkg_sample000000/checkout`,
  payBy: '2026-11-22T18:00:00.000Z' as string | null,
});

export const requestAnswered = defineTemplate({
  name: 'request_answered',
  transactional: true,
  data: z.object({
    accepted: z.boolean(),
    creator: z.string().max(200),
    startsAt: z.iso.datetime({ offset: true }),
    message: z.string().max(2000).default(''),
    url: z.url(),
    payBy: z.iso.datetime({ offset: true }).nullable().default(null),
  }),
  sample: answeredSample,
  variants: (appUrl) => ({
    accepted: answeredSample(appUrl),
    rejected: {
      accepted: false,
      creator: 'Léa Martin',
      startsAt: '2026-12-05T18:00:00.000Z',
      message: 'Je ne suis pas disponible ce jour-là.',
      url: `${appUrl}/fr/c/lea-martin`,
      payBy: null,
    },
  }),
  render(ctx, d) {
    const { t } = ctx;
    const key = d.accepted ? 'accepted' : 'rejected';
    const intro = t(`email.request.${key}.intro`, { creator: d.creator, when: whenFor(ctx, d.startsAt) });
    const payBy = d.accepted && d.payBy ? t('email.request.accepted.payBy', { when: whenFor(ctx, d.payBy) }) : '';
    return {
      subject: t(`email.request.${key}.subject`, { creator: d.creator }),
      preheader: intro,
      body: (
        <>
          <p>{t('email.greeting', { name: ctx.recipientName })}</p>
          <p>{intro}</p>
          {d.message ? (
            <blockquote style="margin:16px 0;padding:8px 14px;border-left:3px solid #5b4cf0;color:#3d3a52">
              {d.message}
            </blockquote>
          ) : null}
          {payBy ? (
            <p>
              <strong>{payBy}</strong>
            </p>
          ) : null}
          <Button href={d.url}>{t(`email.request.${key}.cta`)}</Button>
        </>
      ),
      text: [
        t('email.greeting', { name: ctx.recipientName }),
        '',
        intro,
        ...(d.message ? ['', `« ${d.message} »`] : []),
        ...(payBy ? ['', payBy] : []),
        '',
        kv(ctx, t(`email.request.${key}.cta`), d.url),
      ],
    };
  },
});
