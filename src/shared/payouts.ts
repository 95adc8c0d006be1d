/** Payout, eligibility and platform-settings DTOs: what the API accepts and returns. */
import { z } from 'zod';
import { CURRENCIES, PAYOUT_MODES, PAYOUT_ORIGINS, PAYOUT_SCHEDULES, PAYOUT_STATUSES } from './enums';
import { CurrencySchema, MinorAmount, SingleLineText } from './common';

export const PayoutDto = z.object({
  id: z.string(),
  creatorId: z.string(),
  amount: z.number().int(),
  currency: CurrencySchema,
  status: z.enum(PAYOUT_STATUSES),
  origin: z.enum(PAYOUT_ORIGINS),
  /** Lost-dispute debt withheld from this payout (minor units). */
  debtDeducted: z.number().int(),
  failureReason: z.string().nullable(),
  rejectedReason: z.string().nullable(),
  requestedAt: z.string(),
  approvedAt: z.string().nullable(),
  paidAt: z.string().nullable(),
  failedAt: z.string().nullable(),
});

/** One step of a payout's audit trail (admins see who and the context; creators see what and why). */
export const PayoutStepDto = z.object({
  action: z.string(),
  status: z.string().nullable(),
  amount: z.number().int().nullable(),
  currency: CurrencySchema.nullable(),
  reason: z.string().nullable(),
  at: z.string(),
});
export const PayoutAuditDto = PayoutStepDto.extend({
  id: z.string(),
  actorUserId: z.string().nullable(),
  context: z.record(z.string(), z.unknown()).nullable(),
});

/** Lifetime totals in one currency (minor units). */
export const FinanceDto = z.object({
  currency: CurrencySchema,
  earned: z.number().int(),
  paidOut: z.number().int(),
  inTransit: z.number().int(),
  pending: z.number().int(),
  available: z.number().int(),
  debt: z.number().int(),
});

export const INELIGIBLE_REASONS = [
  'NOT_ONBOARDED',
  'PAYOUTS_DISABLED',
  'BLOCKED',
  'IN_DEBT',
  'FUNDS_ON_HOLD',
  'NOTHING_TO_PAY',
  'BELOW_MINIMUM',
] as const;

export const EligibilityDto = z.object({
  currency: CurrencySchema,
  eligible: z.boolean(),
  amount: z.number().int(),
  available: z.number().int(),
  pending: z.number().int(),
  debt: z.number().int(),
  minimum: z.number().int(),
  nextReleaseAt: z.string().nullable(),
  reasons: z.array(z.enum(INELIGIBLE_REASONS)),
});

export const PayoutSettingsBody = z.object({
  schedule: z.enum(PAYOUT_SCHEDULES),
  /** 0 = Sunday … 6 = Saturday (WEEKLY). */
  weekday: z.number().int().min(0).max(6).default(1),
  /** Own minimum in the creator's currency (never below the platform's); null = the platform's. */
  minimum: MinorAmount.max(1_000_000).nullable().default(null),
});

export const PayoutSettingsDto = PayoutSettingsBody.extend({
  nextPayoutAt: z.string().nullable(),
  blocked: z.boolean(),
  blockReason: z.string().nullable(),
});

export const RequestPayoutBody = z.object({ currency: CurrencySchema.optional() });
export const ReasonBody = z.object({ reason: SingleLineText(3, 500) });
export const NoteBody = z.object({ note: SingleLineText(3, 500) });

export const SettingsDto = z.object({
  platformFeeBps: z.number().int(),
  holdingDays: z.number().int(),
  holdMinutes: z.number().int(),
  payoutMode: z.enum(PAYOUT_MODES),
  minPayout: z.record(z.enum(CURRENCIES), z.number().int()),
  /** "The call took place": together at least this many minutes or this % of the booked duration, whichever is less. */
  callMinTogetherMinutes: z.number().int(),
  callMinTogetherPct: z.number().int(),
  updatedAt: z.string(),
  updatedBy: z.string().nullable(),
});

export const SettingsPatch = z
  .object({
    /** Platform fee in basis points (1500 = 15 %). */
    platformFeeBps: z.number().int().min(0).max(5000).optional(),
    holdingDays: z.number().int().min(0).max(90).optional(),
    holdMinutes: z.number().int().min(5).max(60).optional(),
    payoutMode: z.enum(PAYOUT_MODES).optional(),
    minPayout: z
      .object({ EUR: MinorAmount, CHF: MinorAmount, USD: MinorAmount, GBP: MinorAmount })
      .partial()
      .optional(),
    /** Never 0: any overlap at all would pay the creator again. */
    callMinTogetherMinutes: z.number().int().min(1).max(240).optional(),
    callMinTogetherPct: z.number().int().min(1).max(100).optional(),
  })
  .refine((p) => Object.keys(p).length > 0, 'Nothing to change.');
