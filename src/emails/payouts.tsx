/** Payout emails (transactional): to the creator at each step, to admins when one needs approval or failed. */
import { z } from 'zod';
import { formatMoney } from '../i18n/format';
import type { MessageKey } from '../i18n';
import { kv, Button, Details } from './layout';
import { defineTemplate } from './types';

const KINDS = [
  'requested',
  'approval_needed',
  'sent',
  'paid',
  'failed',
  'failed_blocked',
  'returned',
  'canceled',
  'overdrawn',
  'rejected',
  'blocked',
  'unblocked',
] as const;

/** The reason shown in the preview / tests for the steps that carry one. */
const SAMPLE_REASONS: Partial<Record<(typeof KINDS)[number], string>> = {
  failed: 'Le compte bancaire a été fermé.',
  failed_blocked: 'Le compte bancaire a été fermé.',
  returned: 'La banque a retourné le virement.',
  rejected: 'Montant à vérifier',
  blocked: '3 versements ont échoué : vérifiez le compte bancaire.',
};
const payoutSample = (appUrl: string) => ({
  kind: 'paid' as (typeof KINDS)[number],
  amount: 8075,
  currency: 'EUR',
  reason: '',
  creator: 'Léa Martin',
  url: `${appUrl}/fr/creator/payouts`,
});

export const payoutUpdate = defineTemplate({
  name: 'payout_update',
  transactional: true,
  data: z.object({
    kind: z.enum(KINDS),
    amount: z.number().int().min(0),
    currency: z.string().length(3),
    reason: z.string().max(500).default(''),
    creator: z.string().max(200),
    url: z.url(),
  }),
  sample: payoutSample,
  variants: (appUrl) =>
    Object.fromEntries(
      KINDS.map((kind) => [
        kind,
        {
          ...payoutSample(appUrl),
          kind,
          amount: kind === 'blocked' || kind === 'unblocked' ? 0 : 8075,
          reason: SAMPLE_REASONS[kind] ?? '',
          url: kind === 'approval_needed' ? `${appUrl}/fr/admin/payouts` : `${appUrl}/fr/creator/payouts`,
        },
      ]),
    ),
  render(ctx, data) {
    const { t } = ctx;
    const amount = formatMoney(data.amount, data.currency, ctx.locale);
    const k = (part: string) => `email.payout.${data.kind}.${part}` as MessageKey;
    const params = { amount, creator: data.creator, reason: data.reason, app: ctx.appName };
    const rows: [string, string][] = data.amount > 0 ? [[t('email.payout.amount'), amount]] : [];
    if (data.reason) rows.push([t('email.payout.reason'), data.reason]);
    return {
      subject: t(k('subject'), params),
      preheader: t(k('intro'), params),
      body: (
        <>
          <p>{t('email.greeting', { name: ctx.recipientName })}</p>
          <p>{t(k('intro'), params)}</p>
          {rows.length ? <Details rows={rows} /> : null}
          <Button href={data.url}>{t(k('cta'))}</Button>
        </>
      ),
      text: [
        t('email.greeting', { name: ctx.recipientName }),
        '',
        t(k('intro'), params),
        ...rows.map(([a, b]) => kv(ctx, a, b)),
        '',
        kv(ctx, t(k('cta')), data.url),
      ],
    };
  },
});
