/**
 * Booking emails, each in the recipient's language and time zone: confirmation (fan) and new booking
 * (creator) with the .ics attached, reminders 24 h / 1 h / 15 min, cancellation (with the refund and
 * an .ics that removes the event), refund, payment received (creator), review request (fan).
 */
import { z } from 'zod';
import { CURRENCIES } from '../db/schema';
import type { MessageKey } from '../i18n';
import { formatDateTime, formatDuration, formatMoney, zoneName } from '../i18n/format';
import { base64Utf8 } from '../domain/calendar/ics';
import { kv, Button, Details } from './layout';
import { defineTemplate, type EmailContext } from './types';

const Iso = z.iso.datetime({ offset: true });
const Cur = z.enum(CURRENCIES);

/** "samedi 21 novembre 2026 à 18:00 UTC+1" in the recipient's zone. */
export const whenFor = (ctx: EmailContext, iso: string) => {
  const d = new Date(iso);
  return `${formatDateTime(d, ctx.locale, ctx.timezone, 'full')} ${zoneName(d, ctx.locale, ctx.timezone)}`;
};
const minutesBetween = (a: string, b: string) => Math.round((new Date(b).getTime() - new Date(a).getTime()) / 60_000);
/** The .ics as an iMIP part: its Content-Type carries the same METHOD as the calendar object (RFC 6047 §2.4). */
const icsAttachment = (ics: string | undefined, name = 'call.ics') =>
  ics
    ? [
        {
          filename: name,
          contentType: `text/calendar; charset=utf-8; method=${/^METHOD:CANCEL\r?$/m.test(ics) ? 'CANCEL' : 'REQUEST'}`,
          content: base64Utf8(ics),
        },
      ]
    : undefined;
const greet = (ctx: EmailContext) => ctx.t('email.greeting', { name: ctx.recipientName });

const sampleTimes = () => {
  const start = new Date(Date.UTC(2026, 11, 3, 17, 0));
  return { startsAt: start.toISOString(), endsAt: new Date(start.getTime() + 30 * 60_000).toISOString() };
};

const CallData = z.object({
  bookingId: z.string(),
  title: z.string().max(200),
  /** The other person (the creator for a fan, the fan for a creator). */
  other: z.string().max(200),
  startsAt: Iso,
  endsAt: Iso,
  callUrl: z.url(),
  bookingUrl: z.url(),
});

export const bookingConfirmed = defineTemplate({
  name: 'booking_confirmed',
  transactional: true,
  data: CallData.extend({
    price: z.number().int(),
    currency: Cur,
    policy: z.enum(['NONE', 'HALF', 'FULL']),
    ics: z.string().optional(),
  }),
  sample: (appUrl) => ({
    bookingId: 'bkg_sample000000',
    title: 'Préparer une audition',
    other: 'Léa Martin',
    ...sampleTimes(),
    callUrl: `${appUrl}/fr/call/bkg_sample000000`,
    bookingUrl: `${appUrl}/fr/bookings/bkg_sample000000`,
    price: 6000,
    currency: 'EUR' as const,
    policy: 'HALF' as const,
  }),
  render(ctx, d) {
    const { t } = ctx;
    const rows: [string, string][] = [
      [t('email.booking.with'), d.other],
      [t('email.booking.when'), whenFor(ctx, d.startsAt)],
      [t('email.booking.duration'), formatDuration(minutesBetween(d.startsAt, d.endsAt), ctx.locale)],
      [t('email.booking.paid'), formatMoney(d.price, d.currency, ctx.locale)],
    ];
    const policy = t(`email.booking.policy.${d.policy}` as MessageKey);
    return {
      subject: t('email.booking.confirmed.subject', { title: d.title, other: d.other }),
      preheader: t('email.booking.confirmed.intro', { other: d.other }),
      body: (
        <>
          <p>{greet(ctx)}</p>
          <p>{t('email.booking.confirmed.intro', { other: d.other })}</p>
          <p>
            <strong>{d.title}</strong>
          </p>
          <Details rows={rows} />
          <p>{t('email.booking.joinHint')}</p>
          <Button href={d.callUrl}>{t('email.booking.toCall')}</Button>
          <p style="color:#6b6880;font-size:13px">
            {policy} {t('email.booking.manage')} <a href={d.bookingUrl}>{d.bookingUrl}</a>
          </p>
        </>
      ),
      text: [
        greet(ctx),
        '',
        t('email.booking.confirmed.intro', { other: d.other }),
        '',
        d.title,
        ...rows.map(([a, b]) => kv(ctx, a, b)),
        '',
        t('email.booking.joinHint'),
        kv(ctx, t('email.booking.toCall'), d.callUrl),
        '',
        `${policy} ${t('email.booking.manage')} ${d.bookingUrl}`,
      ],
      attachments: icsAttachment(d.ics),
    };
  },
});

export const newBooking = defineTemplate({
  name: 'new_booking',
  transactional: true,
  data: CallData.extend({ ics: z.string().optional() }),
  sample: (appUrl) => ({
    bookingId: 'bkg_sample000000',
    title: 'Préparer une audition',
    other: 'Jordan Lee',
    ...sampleTimes(),
    callUrl: `${appUrl}/fr/call/bkg_sample000000`,
    bookingUrl: `${appUrl}/fr/bookings/bkg_sample000000`,
  }),
  render(ctx, d) {
    const { t } = ctx;
    const rows: [string, string][] = [
      [t('email.booking.fan'), d.other],
      [t('email.booking.when'), whenFor(ctx, d.startsAt)],
      [t('email.booking.duration'), formatDuration(minutesBetween(d.startsAt, d.endsAt), ctx.locale)],
    ];
    return {
      subject: t('email.booking.new.subject', { other: d.other, title: d.title }),
      preheader: t('email.booking.new.intro', { other: d.other }),
      body: (
        <>
          <p>{greet(ctx)}</p>
          <p>{t('email.booking.new.intro', { other: d.other })}</p>
          <p>
            <strong>{d.title}</strong>
          </p>
          <Details rows={rows} />
          <Button href={d.bookingUrl}>{t('email.booking.seeBooking')}</Button>
        </>
      ),
      text: [
        greet(ctx),
        '',
        t('email.booking.new.intro', { other: d.other }),
        '',
        d.title,
        ...rows.map(([a, b]) => kv(ctx, a, b)),
        '',
        kv(ctx, t('email.booking.seeBooking'), d.bookingUrl),
      ],
      attachments: icsAttachment(d.ics),
    };
  },
});

const reminderSample = (appUrl: string) => ({
  kind: '1h' as '24h' | '1h' | '15m',
  bookingId: 'bkg_sample000000',
  title: 'Préparer une audition',
  other: 'Léa Martin',
  ...sampleTimes(),
  callUrl: `${appUrl}/fr/call/bkg_sample000000`,
  bookingUrl: `${appUrl}/fr/bookings/bkg_sample000000`,
});

export const bookingReminder = defineTemplate({
  name: 'booking_reminder',
  transactional: false,
  category: 'reminders',
  data: CallData.extend({ kind: z.enum(['24h', '1h', '15m']) }),
  sample: reminderSample,
  variants: (appUrl) =>
    Object.fromEntries((['24h', '1h', '15m'] as const).map((kind) => [kind, { ...reminderSample(appUrl), kind }])),
  render(ctx, d) {
    const { t } = ctx;
    const lead = t(`email.reminder.lead.${d.kind}` as MessageKey);
    const rows: [string, string][] = [
      [t('email.booking.with'), d.other],
      [t('email.booking.when'), whenFor(ctx, d.startsAt)],
    ];
    return {
      subject: t('email.reminder.subject', { lead, title: d.title, other: d.other }),
      preheader: t('email.reminder.intro', { lead, other: d.other }),
      body: (
        <>
          <p>{greet(ctx)}</p>
          <p>{t('email.reminder.intro', { lead, other: d.other })}</p>
          <Details rows={rows} />
          <p>{t(d.kind === '24h' ? 'email.reminder.prepare' : 'email.booking.joinHint')}</p>
          <Button href={d.callUrl}>{t('email.booking.toCall')}</Button>
        </>
      ),
      text: [
        greet(ctx),
        '',
        t('email.reminder.intro', { lead, other: d.other }),
        ...rows.map(([a, b]) => kv(ctx, a, b)),
        '',
        t(d.kind === '24h' ? 'email.reminder.prepare' : 'email.booking.joinHint'),
        kv(ctx, t('email.booking.toCall'), d.callUrl),
      ],
    };
  },
});

const cancelledSample = (appUrl: string) => ({
  bookingId: 'bkg_sample000000',
  title: 'Préparer une audition',
  other: 'Léa Martin',
  ...sampleTimes(),
  callUrl: `${appUrl}/fr/call/bkg_sample000000`,
  bookingUrl: `${appUrl}/fr/bookings/bkg_sample000000`,
  by: 'CREATOR' as 'FAN' | 'CREATOR' | 'ADMIN' | 'SYSTEM',
  refunded: 6000,
  currency: 'EUR' as const,
  reason: 'Imprévu',
});

export const bookingCancelled = defineTemplate({
  name: 'booking_cancelled',
  transactional: true,
  data: CallData.extend({
    by: z.enum(['FAN', 'CREATOR', 'ADMIN', 'SYSTEM']),
    refunded: z.number().int().min(0),
    currency: Cur,
    reason: z.string().max(500).default(''),
    ics: z.string().optional(),
  }),
  sample: cancelledSample,
  variants: (appUrl) => {
    const s = cancelledSample(appUrl);
    return {
      'by-creator-refunded': s,
      'by-fan-half-refund': { ...s, by: 'FAN' as const, other: 'Jordan Lee', refunded: 3000, reason: '' },
      'by-fan-no-refund': { ...s, by: 'FAN' as const, other: 'Jordan Lee', refunded: 0, reason: '' },
      'by-admin': { ...s, by: 'ADMIN' as const, reason: 'Compte suspendu' },
      'by-system': { ...s, by: 'SYSTEM' as const, refunded: 0, reason: '' },
    };
  },
  render(ctx, d) {
    const { t } = ctx;
    const by = t(`email.cancelled.by.${d.by}` as MessageKey, { other: d.other });
    const rows: [string, string][] = [
      [t('email.booking.with'), d.other],
      [t('email.booking.when'), whenFor(ctx, d.startsAt)],
    ];
    if (d.reason) rows.push([t('email.payout.reason'), d.reason]);
    if (d.refunded > 0) rows.push([t('email.cancelled.refund'), formatMoney(d.refunded, d.currency, ctx.locale)]);
    return {
      subject: t('email.cancelled.subject', { title: d.title }),
      preheader: by,
      body: (
        <>
          <p>{greet(ctx)}</p>
          <p>
            {t('email.cancelled.intro', { title: d.title })} {by}
          </p>
          <Details rows={rows} />
          {d.refunded > 0 ? <p>{t('email.cancelled.refundNote')}</p> : null}
          <Button href={d.bookingUrl}>{t('email.booking.seeBooking')}</Button>
        </>
      ),
      text: [
        greet(ctx),
        '',
        `${t('email.cancelled.intro', { title: d.title })} ${by}`,
        ...rows.map(([a, b]) => kv(ctx, a, b)),
        ...(d.refunded > 0 ? ['', t('email.cancelled.refundNote')] : []),
        '',
        kv(ctx, t('email.booking.seeBooking'), d.bookingUrl),
      ],
      attachments: icsAttachment(d.ics),
    };
  },
});

const refundSample = (appUrl: string) => ({
  title: 'Préparer une audition',
  amount: 3000,
  currency: 'EUR' as const,
  reason: 'FAN_CANCELLED_LATE',
  bookingUrl: `${appUrl}/fr/bookings/bkg_sample000000`,
});

export const refundIssuedEmail = defineTemplate({
  name: 'refund_issued',
  transactional: true,
  data: z.object({
    title: z.string().max(200),
    amount: z.number().int().min(1),
    currency: Cur,
    reason: z.string().max(200),
    bookingUrl: z.url(),
  }),
  sample: refundSample,
  variants: (appUrl) =>
    Object.fromEntries(
      ['CREATOR_CANCELLED', 'FAN_CANCELLED_EARLY', 'FAN_CANCELLED_LATE', 'CREATOR_NO_SHOW', 'ADMIN'].map((reason) => [
        reason,
        { ...refundSample(appUrl), reason },
      ]),
    ),
  render(ctx, d) {
    const { t } = ctx;
    const amount = formatMoney(d.amount, d.currency, ctx.locale);
    const why = t(`email.refund.reasons.${d.reason.split(':')[0]}` as MessageKey);
    return {
      subject: t('email.refund.subject', { amount }),
      preheader: t('email.refund.intro', { amount, title: d.title }),
      body: (
        <>
          <p>{greet(ctx)}</p>
          <p>{t('email.refund.intro', { amount, title: d.title })}</p>
          <Details
            rows={[
              [t('email.payout.amount'), amount],
              [t('email.payout.reason'), why],
            ]}
          />
          <p style="color:#6b6880;font-size:13px">{t('email.refund.delay')}</p>
          <Button href={d.bookingUrl}>{t('email.booking.seeBooking')}</Button>
        </>
      ),
      text: [
        greet(ctx),
        '',
        t('email.refund.intro', { amount, title: d.title }),
        kv(ctx, t('email.payout.reason'), why),
        '',
        t('email.refund.delay'),
        '',
        kv(ctx, t('email.booking.seeBooking'), d.bookingUrl),
      ],
    };
  },
});

export const paymentReceived = defineTemplate({
  name: 'payment_received',
  transactional: false,
  category: 'payments',
  data: z.object({
    title: z.string().max(200),
    fan: z.string().max(200),
    amount: z.number().int(),
    fee: z.number().int(),
    share: z.number().int(),
    currency: Cur,
    releaseAt: Iso,
    url: z.url(),
  }),
  sample: (appUrl) => ({
    title: 'Préparer une audition',
    fan: 'Jordan Lee',
    amount: 6000,
    fee: 900,
    share: 5100,
    currency: 'EUR' as const,
    releaseAt: '2026-12-10T17:30:00.000Z',
    url: `${appUrl}/fr/creator/payments`,
  }),
  render(ctx, d) {
    const { t } = ctx;
    const m = (v: number) => formatMoney(v, d.currency, ctx.locale);
    const rows: [string, string][] = [
      [t('email.payment.amount'), m(d.amount)],
      [t('email.payment.fee'), m(d.fee)],
      [t('email.payment.share'), m(d.share)],
      [t('email.payment.release'), whenFor(ctx, d.releaseAt)],
    ];
    return {
      subject: t('email.payment.subject', { share: m(d.share), fan: d.fan }),
      preheader: t('email.payment.intro', { fan: d.fan, title: d.title }),
      body: (
        <>
          <p>{greet(ctx)}</p>
          <p>{t('email.payment.intro', { fan: d.fan, title: d.title })}</p>
          <Details rows={rows} />
          <Button href={d.url}>{t('email.payment.cta')}</Button>
        </>
      ),
      text: [
        greet(ctx),
        '',
        t('email.payment.intro', { fan: d.fan, title: d.title }),
        ...rows.map(([a, b]) => kv(ctx, a, b)),
        '',
        kv(ctx, t('email.payment.cta'), d.url),
      ],
    };
  },
});

export const reviewRequest = defineTemplate({
  name: 'review_request',
  transactional: false,
  category: 'reviews',
  data: z.object({ title: z.string().max(200), creator: z.string().max(200), url: z.url() }),
  sample: (appUrl) => ({
    title: 'Préparer une audition',
    creator: 'Léa Martin',
    url: `${appUrl}/fr/call/bkg_sample000000/summary`,
  }),
  render(ctx, d) {
    const { t } = ctx;
    return {
      subject: t('email.review.subject', { creator: d.creator }),
      preheader: t('email.review.intro', { creator: d.creator, title: d.title }),
      body: (
        <>
          <p>{greet(ctx)}</p>
          <p>{t('email.review.intro', { creator: d.creator, title: d.title })}</p>
          <Button href={d.url}>{t('email.review.cta')}</Button>
        </>
      ),
      text: [
        greet(ctx),
        '',
        t('email.review.intro', { creator: d.creator, title: d.title }),
        '',
        kv(ctx, t('email.review.cta'), d.url),
      ],
    };
  },
});

const rescheduledSample = (appUrl: string) => ({
  bookingId: 'bkg_sample000000',
  title: 'Préparer une audition',
  other: 'Léa Martin',
  ...sampleTimes(),
  previousStartsAt: '2026-12-02T17:00:00.000Z',
  by: 'CREATOR' as 'FAN' | 'CREATOR',
  callUrl: `${appUrl}/fr/call/bkg_sample000000`,
  bookingUrl: `${appUrl}/fr/bookings/bkg_sample000000`,
});

export const bookingRescheduledEmail = defineTemplate({
  name: 'booking_rescheduled',
  transactional: true,
  data: CallData.extend({ by: z.enum(['FAN', 'CREATOR']), previousStartsAt: Iso, ics: z.string().optional() }),
  sample: rescheduledSample,
  variants: (appUrl) => ({
    'by-creator': rescheduledSample(appUrl),
    'by-fan': { ...rescheduledSample(appUrl), by: 'FAN' as const, other: 'Jordan Lee' },
  }),
  render(ctx, d) {
    const { t } = ctx;
    const by = t(`email.rescheduled.by.${d.by}` as MessageKey, { other: d.other });
    const rows: [string, string][] = [
      [t('email.rescheduled.new'), whenFor(ctx, d.startsAt)],
      [t('email.rescheduled.old'), whenFor(ctx, d.previousStartsAt)],
      [t('email.booking.with'), d.other],
    ];
    return {
      subject: t('email.rescheduled.subject', { title: d.title }),
      preheader: `${by} ${whenFor(ctx, d.startsAt)}`,
      body: (
        <>
          <p>{greet(ctx)}</p>
          <p>
            {t('email.rescheduled.intro', { title: d.title })} {by}
          </p>
          <Details rows={rows} />
          <p>{t('email.rescheduled.calendar')}</p>
          <Button href={d.bookingUrl}>{t('email.booking.seeBooking')}</Button>
        </>
      ),
      text: [
        greet(ctx),
        '',
        `${t('email.rescheduled.intro', { title: d.title })} ${by}`,
        ...rows.map(([a, b]) => kv(ctx, a, b)),
        '',
        t('email.rescheduled.calendar'),
        kv(ctx, t('email.booking.seeBooking'), d.bookingUrl),
      ],
      attachments: icsAttachment(d.ics),
    };
  },
});
