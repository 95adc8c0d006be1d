/** The daily admin summary: the last 24 hours at a glance, with links to what needs a human. */
import { z } from 'zod';
import { CURRENCIES } from '../db/schema';
import { formatMoney } from '../i18n/format';
import { kv, Button, Details } from './layout';
import { defineTemplate } from './types';

const PerCurrency = z.array(
  z.object({ currency: z.enum(CURRENCIES), amount: z.number().int(), fees: z.number().int() }),
);

const summarySample = (appUrl: string) => ({
  day: '2026-11-20',
  bookings: 14,
  callsCompleted: 11,
  noShows: 1,
  cancellations: 2,
  revenue: [
    { currency: 'EUR' as const, amount: 64_000, fees: 9600 },
    { currency: 'CHF' as const, amount: 13_000, fees: 1950 },
  ] as { currency: (typeof CURRENCIES)[number]; amount: number; fees: number }[],
  refunds: 1,
  disputesOpen: 0,
  payoutsAwaiting: 3,
  payoutsFailed: 0,
  emailsFailed: 0,
  cronErrors: 0,
  errors: 2,
  url: `${appUrl}/fr/admin`,
});

export const adminDailySummary = defineTemplate({
  name: 'admin_daily_summary',
  transactional: false,
  category: 'summary',
  data: z.object({
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    bookings: z.number().int(),
    callsCompleted: z.number().int(),
    noShows: z.number().int(),
    cancellations: z.number().int(),
    revenue: PerCurrency,
    refunds: z.number().int(),
    disputesOpen: z.number().int(),
    payoutsAwaiting: z.number().int(),
    payoutsFailed: z.number().int(),
    emailsFailed: z.number().int(),
    cronErrors: z.number().int(),
    errors: z.number().int(),
    url: z.url(),
  }),
  sample: summarySample,
  variants: (appUrl) => ({
    attention: summarySample(appUrl),
    'all-good': { ...summarySample(appUrl), payoutsAwaiting: 0, refunds: 0, errors: 0, revenue: [] },
  }),
  render(ctx, d) {
    const { t } = ctx;
    const rows: [string, string][] = [
      [t('email.summary.bookings'), String(d.bookings)],
      [t('email.summary.calls'), String(d.callsCompleted)],
      [t('email.summary.noShows'), String(d.noShows)],
      [t('email.summary.cancellations'), String(d.cancellations)],
      ...d.revenue.map((r): [string, string] => [
        t('email.summary.revenue', { currency: r.currency }),
        `${formatMoney(r.amount, r.currency, ctx.locale)} (${t('email.summary.fees')} ${formatMoney(r.fees, r.currency, ctx.locale)})`,
      ]),
      [t('email.summary.refunds'), String(d.refunds)],
      [t('email.summary.disputes'), String(d.disputesOpen)],
      [t('email.summary.payoutsAwaiting'), String(d.payoutsAwaiting)],
      [t('email.summary.payoutsFailed'), String(d.payoutsFailed)],
      [t('email.summary.emailsFailed'), String(d.emailsFailed)],
      [t('email.summary.cronErrors'), String(d.cronErrors)],
      [t('email.summary.errors'), String(d.errors)],
    ];
    const attention = d.payoutsAwaiting + d.payoutsFailed + d.disputesOpen + d.emailsFailed + d.cronErrors;
    return {
      subject: t('email.summary.subject', { day: d.day, app: ctx.appName }),
      preheader: attention ? t('email.summary.attention', { n: attention }) : t('email.summary.allGood'),
      body: (
        <>
          <p>{t('email.greeting', { name: ctx.recipientName })}</p>
          <p>{attention ? t('email.summary.attention', { n: attention }) : t('email.summary.allGood')}</p>
          <Details rows={rows} />
          <Button href={d.url}>{t('email.summary.cta')}</Button>
        </>
      ),
      text: [
        t('email.greeting', { name: ctx.recipientName }),
        '',
        attention ? t('email.summary.attention', { n: attention }) : t('email.summary.allGood'),
        '',
        ...rows.map(([a, b]) => kv(ctx, a, b)),
        '',
        kv(ctx, t('email.summary.cta'), d.url),
      ],
    };
  },
});
