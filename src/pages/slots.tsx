/**
 * Booking from availability on the creator page, and moving a confirmed booking, with one picker
 * (src/shared/slot-picker.tsx): the server renders it from the URL (?type=&month=&day=), the
 * island makes it live. Choosing a time posts here; the hold → pay → confirm flow follows.
 */
import { z } from 'zod';
import type { Booking, Creator } from '../domain/rows';
import { listTypes, slotsFor, type AppointmentType } from '../domain/availability/availability';
import { checkReschedule, slotTypeOf } from '../domain/availability/booking';
import { findCreator } from '../domain/creators/queries';
import type { Ctx } from '../http/context';
import { notFound } from '../http/errors';
import type { MessageKey } from '../i18n';
import { monthOf, monthSpan, SlotPicker, type PickerLabels, type SlotPickerProps } from '../shared/slot-picker';
import { lenient, pageArea } from './page-route';
import { AnyId } from './params';
import { flash, viewOf } from './render';

const area = pageArea('public');
export const slotPages = area.app;

/** The picker's place in the URL (?type=&month=&day=), each checked against what can be booked. */
export const PickerQuery = z.object({
  type: lenient(z.string()),
  month: lenient(z.string()),
  day: lenient(z.string()),
});
export type Picked = z.infer<typeof PickerQuery>;
const L = '/:lang{fr|en}';
const DAY = 86_400_000;

function labels(c: Ctx, mode: 'book' | 'reschedule'): PickerLabels {
  const { t, timezone } = viewOf(c);
  return {
    chooseType: t('slots.chooseType'),
    prev: t('slots.prev'),
    next: t('slots.next'),
    noSlotsMonth: t('slots.noSlotsMonth'),
    pickDay: t('slots.pickDay'),
    zone: t('slots.zone', { zone: timezone }),
    morning: t('slots.morning'),
    afternoon: t('slots.afternoon'),
    evening: t('slots.evening'),
    bookAt: mode === 'book' ? t('slots.bookAt') : t('slots.moveTo'),
    taken: t('slots.taken'),
    live: t('offer.liveOn'),
    polling: t('offer.livePolling'),
    updating: t('slots.updating'),
    submit: t('slots.submit'),
  };
}

/** Month and day asked in the URL, kept within what can be booked. */
function wanted(picked: Picked, minMonth: string, maxMonth: string): { month: string; day: string | null } {
  const { month: askedMonth = '', day: askedDay = '' } = picked;
  const month =
    /^\d{4}-(0[1-9]|1[0-2])$/.test(askedMonth) && askedMonth >= minMonth && askedMonth <= maxMonth
      ? askedMonth
      : minMonth;
  const day = /^\d{4}-\d{2}-\d{2}$/.test(askedDay) && askedDay.startsWith(month) ? askedDay : null;
  return { month, day };
}

/** What the picker needs, for the server render and the island alike. */
async function pickerProps(
  c: Ctx,
  creator: Creator,
  opts: { mode: 'book'; types: AppointmentType[] } | { mode: 'reschedule'; booking: Booking },
  picked: Picked,
) {
  const deps = c.get('deps');
  const { locale, timezone, href, path } = viewOf(c);
  const now = deps.clock.now();
  const type =
    opts.mode === 'book'
      ? (opts.types.find((t) => t.id === picked.type) ?? opts.types[0])
      : await slotTypeOf(deps, opts.booking);
  if (!type) throw new Error('No appointment type to pick a slot for'); // callers offer booking only with one
  const minMonth = monthOf(now, timezone);
  const maxMonth = monthOf(now.getTime() + type.maxAdvanceDays * DAY, timezone);
  const { month, day } = wanted(picked, minMonth, maxMonth);
  const { from, to } = monthSpan(month, timezone);
  const free = await slotsFor(
    deps,
    creator,
    type,
    from,
    to,
    opts.mode === 'reschedule' ? { excludeOfferId: opts.booking.offerId } : {},
  );
  const slots = free
    .filter((s) => opts.mode === 'book' || s.startsAt.getTime() !== opts.booking.startsAt.getTime())
    .map((s) => ({ startsAt: s.startsAt.toISOString(), endsAt: s.endsAt.toISOString() }));
  const props: Omit<SlotPickerProps, 'onNavigate'> & { creatorSlug: string; bookingId?: string; version: number } = {
    mode: opts.mode,
    locale,
    timezone,
    types:
      opts.mode === 'book'
        ? opts.types.map(({ id, name, description, durationMinutes, price, currency, color }) => ({
            id,
            name,
            description,
            durationMinutes,
            price,
            currency,
            color,
          }))
        : [],
    typeId: opts.mode === 'book' ? (type as AppointmentType).id : null,
    month,
    day,
    slots,
    minMonth,
    maxMonth,
    action:
      opts.mode === 'book' ? href(`/c/${creator.slug}/slots/book`) : href(`/bookings/${opts.booking.id}/reschedule`),
    pageHref: href(path.split('?')[0] ?? path),
    labels: labels(c, opts.mode),
    creatorSlug: creator.slug,
    bookingId: opts.mode === 'reschedule' ? opts.booking.id : undefined,
    version: await deps.rooms.calendar(creator.id).slotsVersion(),
  };
  return props;
}

function Island({ props }: { props: Awaited<ReturnType<typeof pickerProps>> }) {
  return (
    <div id="slot-picker" data-island="slot-picker" data-props={JSON.stringify(props)}>
      <SlotPicker {...props} />
    </div>
  );
}

/** "Book a time" on a creator's page: their active appointment types, when they can be paid. */
export async function bookFromAvailability(c: Ctx, creator: Creator, picked: Picked, activeTypes?: AppointmentType[]) {
  if (!creator.chargesEnabled) return null;
  const types = activeTypes ?? (await listTypes(c.get('deps'), creator.id, true));
  if (!types.length) return null;
  const { t, user } = viewOf(c);
  const props = await pickerProps(c, creator, { mode: 'book', types }, picked);
  return (
    <section class="card book-slot" aria-labelledby="book-slot-h">
      <h2 id="book-slot-h">{t('slots.title')}</h2>
      <p class="muted">
        {user?.id === creator.userId ? t('slots.ownPreview') : t('slots.lead', { name: creator.displayName })}
      </p>
      <Island props={props} />
    </section>
  );
}

/** "Move this call" on a confirmed booking, for its fan or creator while the policy allows it. */
export async function rescheduleSection(c: Ctx, booking: Booking, creator: Creator, picked: Picked) {
  const { t, user } = viewOf(c);
  if (!user || booking.status !== 'CONFIRMED') return null;
  const checked = await checkReschedule(c.get('deps'), booking.id, user.id);
  if (!checked.ok)
    return checked.code === 'TOO_LATE_TO_RESCHEDULE' ? <p class="muted small">{t('reschedule.tooLate')}</p> : null;
  const props = await pickerProps(c, creator, { mode: 'reschedule', booking }, picked);
  return (
    <details class="reschedule" open={picked.month !== undefined || picked.day !== undefined}>
      <summary>{t('reschedule.title')}</summary>
      <p class="muted small">{t('reschedule.lead')}</p>
      <Island props={props} />
    </details>
  );
}

// Public: a visitor is sent to sign in and back to the creator's picker, not to this POST's URL.
area.post(`${L}/c/:slug/slots/book`, { params: z.object({ slug: z.string() }) }, async (c, { user, params, raw }) => {
  const deps = c.get('deps');
  const { href } = viewOf(c);
  const creator = await findCreator(deps, params.slug);
  if (!creator) throw notFound('Creator');
  const form = await raw();
  const back = href(
    `/c/${creator.slug}?${new URLSearchParams({ ...(form.typeId ? { type: form.typeId } : {}) })}#slot-picker`,
  );
  if (!user) return c.redirect(href(`/signin?next=${encodeURIComponent(back)}`), 303);
  const startsAt = new Date(form.startsAt ?? '');
  const typeId = form.typeId ?? '';
  if (!/^apt_[0-9a-z]{6,40}$/.test(typeId) || Number.isNaN(startsAt.getTime())) {
    flash(c, 'slots.errors.invalid', 'error');
    return c.redirect(back, 303);
  }
  const r = await deps.rooms
    .calendar(creator.id)
    .bookSlot({ creatorId: creator.id, typeId, startsAt: startsAt.toISOString(), fanId: user.id });
  if (!r.ok) {
    flash(
      c,
      r.code === 'SLOT_UNAVAILABLE' || r.code === 'TYPE_NOT_FOUND'
        ? `slots.errors.${r.code}`
        : r.code === 'RATE_LIMITED'
          ? 'auth.errors.rateLimited'
          : (`offer.errors.${r.code}` as MessageKey),
      'error',
    );
    return c.redirect(back, 303);
  }
  return c.redirect(href(`/bookings/${r.booking.id}/checkout`), 303);
});

// Public, so that a visitor signs in and comes back to the booking page, not to this POST's URL.
area.post(`${L}/bookings/:id/reschedule`, { params: AnyId }, async (c, { user, params, raw }) => {
  const deps = c.get('deps');
  const { href } = viewOf(c);
  const { id } = params;
  if (!user) return c.redirect(href(`/signin?next=${encodeURIComponent(href(`/bookings/${id}`))}`), 303);
  const form = await raw();
  const checked = /^bkg_[0-9a-z]{6,40}$/.test(id) ? await checkReschedule(deps, id, user.id) : null;
  if (!checked || (!checked.ok && (checked.code === 'BOOKING_NOT_FOUND' || checked.code === 'FORBIDDEN')))
    throw notFound('Booking');
  const startsAt = new Date(form.startsAt ?? '');
  const r = !checked.ok
    ? checked
    : Number.isNaN(startsAt.getTime())
      ? { ok: false as const, code: 'SLOT_UNAVAILABLE' as const }
      : await deps.rooms
          .calendar(checked.creator.id)
          .reschedule({ bookingId: id, actorUserId: user.id, startsAt: startsAt.toISOString() });
  flash(c, r.ok ? 'reschedule.done' : (`reschedule.errors.${r.code}` as MessageKey), r.ok ? 'success' : 'error');
  return c.redirect(href(`/bookings/${id}`), 303);
});
