/** Availability DTOs: appointment types, weekly hours, exceptions, slots, rescheduling. */
import { z } from 'zod';
import { EXCEPTION_KINDS } from './enums';
import { CurrencySchema, IdParam, IsoDateTime, MinorAmount, SingleLineText } from './common';
import { MAX_PRICE } from './money';

export const Minute = z.number().int().min(0).max(1440);
export const HexColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'Use a colour like #5b4cf0.');
export const LocalDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use YYYY-MM-DD.')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'Not a date.');

const typeFields = {
  name: SingleLineText(2, 80),
  description: z.string().trim().max(1000).default(''),
  durationMinutes: z
    .number()
    .int()
    .min(10)
    .max(240)
    .refine((m) => m % 5 === 0, 'Use a multiple of 5 minutes.'),
  price: MinorAmount.max(MAX_PRICE),
  currency: CurrencySchema.optional(),
  color: HexColor.default('#5b4cf0'),
  bufferBeforeMinutes: z.number().int().min(0).max(120).default(0),
  bufferAfterMinutes: z.number().int().min(0).max(120).default(0),
  minNoticeMinutes: z
    .number()
    .int()
    .min(30)
    .max(30 * 24 * 60)
    .default(120),
  maxAdvanceDays: z.number().int().min(1).max(365).default(60),
  active: z.boolean().default(true),
};
export const CreateTypeBody = z.object(typeFields);
export const UpdateTypeBody = z
  .object(
    Object.fromEntries(Object.entries(typeFields).map(([k, v]) => [k, (v as z.ZodType).optional()])) as {
      [K in keyof typeof typeFields]: z.ZodOptional<(typeof typeFields)[K]>;
    },
  )
  .refine((p) => Object.values(p).some((v) => v !== undefined), 'Nothing to change.');

export const AppointmentTypeDto = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  durationMinutes: z.number(),
  price: z.number(),
  currency: CurrencySchema,
  color: z.string(),
  bufferBeforeMinutes: z.number(),
  bufferAfterMinutes: z.number(),
  minNoticeMinutes: z.number(),
  maxAdvanceDays: z.number(),
  active: z.boolean(),
});

/** The ranges of one day (sorted by start) that start before the previous one ends. */
export function overlapping<R extends { startMinute: number; endMinute: number }>(sorted: readonly R[]): R[] {
  return sorted.filter((r, i) => {
    const previous = sorted[i - 1];
    return previous !== undefined && r.startMinute < previous.endMinute;
  });
}

export const WeeklyRangeSchema = z
  .object({ weekday: z.number().int().min(0).max(6), startMinute: Minute, endMinute: Minute })
  .refine((r) => r.endMinute > r.startMinute, 'A range must end after it starts.');
export const WeeklyBody = z.object({ ranges: z.array(WeeklyRangeSchema).max(70) }).superRefine((b, ctx) => {
  for (let d = 0; d < 7; d++) {
    const day = b.ranges.filter((r) => r.weekday === d).sort((a, c) => a.startMinute - c.startMinute);
    if (day.length > 10) ctx.addIssue({ code: 'custom', path: ['ranges'], message: 'At most 10 ranges per day.' });
    for (const _ of overlapping(day))
      ctx.addIssue({ code: 'custom', path: ['ranges'], message: 'Ranges of one day must not overlap.' });
  }
});

export const ExceptionBody = z
  .object({
    date: LocalDate,
    kind: z.enum(EXCEPTION_KINDS),
    startMinute: Minute.nullable().default(null),
    endMinute: Minute.nullable().default(null),
    note: SingleLineText(0, 200).nullable().default(null),
  })
  .refine(
    (e) => (e.startMinute === null) === (e.endMinute === null),
    'Give both a start and an end, or neither (the whole day).',
  )
  .refine((e) => e.startMinute === null || e.endMinute! > e.startMinute, 'The end must be after the start.')
  .refine((e) => e.kind === 'OFF' || e.startMinute !== null, 'Extra hours need a start and an end.');

export const SlotsQuery = z.object({
  type: IdParam('apt'),
  from: IsoDateTime.optional(),
  to: IsoDateTime.optional(),
});
export const SlotDto = z.object({ startsAt: z.string(), endsAt: z.string() });
export const BookSlotBody = z.object({ typeId: IdParam('apt'), startsAt: IsoDateTime });
export const RescheduleBody = z.object({ startsAt: IsoDateTime });
