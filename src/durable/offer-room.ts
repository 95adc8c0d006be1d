/**
 * OfferRoom — one Durable Object per offer: the only writer of its booking state.
 * Exactly one of any number of racing fans wins the hold (decided in memory, so losers cost no
 * database write); an alarm releases unpaid holds even after eviction; every change is broadcast
 * to hibernating WebSocket subscribers.
 */
import { DurableObject } from 'cloudflare:workers';
import { buildDeps, type Deps } from '../deps';
import {
  decideBooking,
  holdUntil,
  loadCreatorTerms,
  loadOfferState,
  type BookRefusal,
  type CreatorTerms,
  type LiveBooking,
  type OfferState,
} from '../domain/booking/offer-state';
import {
  isLiveBookingIndexViolation,
  writeCancelConfirmed,
  writeComplete,
  writeConfirm,
  writeHold,
  writeHoldExtension,
  writeOfferStatus,
  writeRelease,
  writeReschedule,
  type ReleaseReason,
} from '../domain/booking/transitions';
import { toBookingDto } from '../domain/offers/dto';
import { createIntentFor, startPayment, type StartedPayment } from '../domain/payments/checkout';
import { getSettings, SETTINGS_CACHE_MS } from '../domain/settings';
import type { Bindings } from '../env';
import { wallTime } from '../lib/dev-clock';
import type { OfferStatusMessageT } from '../shared/offers';
import { Mutex } from './mutex';
import { SocketHub } from './socket-hub';
import { bookings, type Booking } from '../db/schema';
import { eq } from 'drizzle-orm';
import { applyOfferPatch, type OfferPatch } from '../domain/offers/edit';
import { actingCreator, type CreatorRefusal } from '../domain/creators/standing';

export type { BookResult, ConfirmResult, PaymentUnderWay, ReleaseResult } from '../domain/booking/results';
import type { BookResult, ConfirmResult, PaymentUnderWay, ReleaseResult } from '../domain/booking/results';

/** How often a hold kept past its deadline for a payment under way is checked again. */
export const PAYING_RECHECK_MS = 15 * 60_000;
/** A creator who cannot take payments has their terms read again at most this often (refusals stay cheap). */
const TERMS_RECHECK_MS = 1_000;

/** Storage key of the offer this object serves, written with its first alarm (see load()). */
const OFFER_ID_KEY = 'offerId';

/** An offer occupies its creator's time while AVAILABLE, HELD or BOOKED; slot pickers care only about that and its times. */
function occupancy(st: OfferState): string {
  const occupied = st.offer.status === 'AVAILABLE' || st.offer.status === 'HELD' || st.offer.status === 'BOOKED';
  return occupied ? `occupied:${st.offer.startsAt}:${st.offer.endsAt}` : 'free';
}

export class OfferRoom extends DurableObject<Bindings> {
  private state: OfferState | null = null;
  private loading: Promise<OfferState | null> | null = null;
  private readonly lock = new Mutex();
  /** The occupancy last told to the creator's calendar (or loaded): see broadcast(). */
  private toldOccupancy: string | null = null;
  /** The platform's hold length, read once per SETTINGS_CACHE_MS, before a claim (the claim itself stays synchronous). */
  private holdSetting: { minutes: number; at: number } | null = null;
  /** Whether OFFER_ID_KEY is known to be in storage already. */
  private offerIdStored = false;
  /** When the creator's terms in `state` were read (Date.now()), and a re-read in flight. */
  private termsAt = 0;
  private termsLoading: Promise<void> | null = null;

  /** Status subscribers: capped per client address, idle ones swept (see socket-hub.ts). */
  private readonly hub: SocketHub;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    // Keep-alive pings are answered without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
    this.hub = new SocketHub(ctx, env);
  }

  /** Built once per object: its parts are stateless (the clock reads the time, and the dev offset, on every call). */
  private depsOnce: Deps | null = null;

  private deps(): Deps {
    this.depsOnce ??= buildDeps(this.env);
    return this.depsOnce;
  }

  /** The offer's state, loaded from D1 once (single flight) and then kept current by this object. */
  private async load(offerId?: string): Promise<OfferState | null> {
    if (this.state) return this.state;
    this.loading ??= (async () => {
      // Objects are named after their offer (getByName), but an id made another way (idFromString,
      // an alarm or a socket waking an object whose name the runtime did not pass) has no name:
      // the offer id stored with the first alarm (and in each socket's attachment) is the fallback.
      const id = offerId || this.ctx.id.name || (await this.ctx.storage.get<string>(OFFER_ID_KEY)) || null;
      if (!id) return null;
      const st = await loadOfferState(this.deps(), id);
      if (st) this.adopt(st);
      return st;
    })().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  /** Makes `st` (fresh from D1) this object's state. */
  private adopt(st: OfferState): void {
    this.state = st;
    this.toldOccupancy = occupancy(st);
    this.termsAt = Date.now();
  }

  /** The creator's terms as read now become the offer's (the booking about to be written takes them). */
  private adoptTerms(st: OfferState, terms: CreatorTerms): void {
    Object.assign(st.offer, terms);
    this.termsAt = Date.now();
  }

  /** Re-reads the terms of a creator this object believes cannot take payments (they may have finished onboarding since). */
  private async refreshUnpayableTerms(deps: Deps, st: OfferState): Promise<void> {
    this.termsLoading ??= loadCreatorTerms(deps, st.offer.creatorId)
      .then(
        (t) => {
          if (t) this.adoptTerms(st, t);
        },
        (e) =>
          deps.log.warn('BOOKING_ERROR', `Could not re-read the terms of creator ${st.offer.creatorId}`, { error: e }),
      )
      .finally(() => {
        this.termsLoading = null;
      });
    await this.termsLoading;
  }

  /** Sets the hold alarm, with the offer id beside it so a nameless wake-up still knows its offer. */
  private async armAlarm(deps: Deps, offerId: string): Promise<void> {
    if (!this.offerIdStored) {
      await this.ctx.storage.put(OFFER_ID_KEY, offerId);
      this.offerIdStored = true;
    }
    await this.rearm(deps);
  }

  /**
   * The one alarm serves the hold deadline and the socket sweep: set it to whichever comes first
   * (no alarm when there is neither a pending hold nor an open socket).
   */
  private async rearm(deps: Deps): Promise<void> {
    const live = this.state?.live;
    await this.hub.arm(
      live?.status === 'PENDING' && live.holdExpiresAt !== null ? wallTime(deps.config, live.holdExpiresAt) : null,
    );
  }

  private message(st: OfferState): OfferStatusMessageT {
    return {
      type: 'status',
      offerId: st.offer.id,
      status: st.offer.status,
      at: new Date().toISOString(),
      ...(st.offer.status === 'HELD' && st.live?.holdExpiresAt
        ? { holdExpiresAt: new Date(st.live.holdExpiresAt).toISOString() }
        : {}),
    };
  }

  private broadcast(st: OfferState): void {
    this.hub.broadcast(JSON.stringify(this.message(st)));
    // The creator's bookable slots depend on every span of their time: tell their calendar's
    // subscribers (slot pickers) too — without making anyone here wait for it — but only when this
    // offer starts or stops occupying that time (or moves): AVAILABLE → HELD → BOOKED changes nothing there.
    const occ = occupancy(st);
    if (occ === this.toldOccupancy) return;
    this.toldOccupancy = occ;
    this.ctx.waitUntil(
      this.env.CREATOR_CALENDAR.getByName(st.offer.creatorId)
        .slotsChanged()
        .catch(() => undefined),
    );
  }

  // ------------------------------------------------------------------ booking

  /**
   * Holds the offer for `userId` and starts the payment. `holdMinutes` overrides the platform
   * default (accepted requests). A hold the fan takes counts against their hold rate limit
   * (BOOKING_LIMITER); `limited: false` for one a creator grants them (accepting their request).
   */
  async book(input: { offerId: string; userId: string; holdMinutes?: number; limited?: boolean }): Promise<BookResult> {
    const st = await this.load(input.offerId);
    if (!st) return { ok: false, code: 'OFFER_NOT_FOUND' };
    const deps = this.deps();
    const mine = () => st.live !== null && st.live.userId === input.userId && st.live.status === 'PENDING';

    // A creator refused as not payable may have become payable since this object loaded: their
    // terms are read again (at most once per TERMS_RECHECK_MS) before saying no.
    if (
      !mine() &&
      (!st.offer.chargesEnabled || !st.offer.creatorAccountId) &&
      Date.now() - this.termsAt >= TERMS_RECHECK_MS
    ) {
      await this.refreshUnpayableTerms(deps, st);
    }
    // The hold's length (platform settings) is known before the claim, so the very first HELD
    // broadcast already carries the real deadline. Read at most once per SETTINGS_CACHE_MS, and
    // only for a fan who could win: losers still get their answer from memory, without an await.
    if (
      input.holdMinutes === undefined &&
      !this.holdSettingFresh() &&
      !mine() &&
      decideBooking(st, input.userId, deps.clock.now().getTime()).ok
    ) {
      await this.refreshHoldSetting(deps);
    }

    // The same fan asking again (double click, retry): hand back their hold.
    if (mine()) {
      const heldId = st.live!.id;
      const r = await this.lock.run(() => this.resumeHold(deps, st, input.userId));
      if (!r.ok && r.code === 'HOLD_EXPIRED') await this.cancelIntentOf(heldId);
      return r;
    }
    // Decide and claim with no await in between: from the claim on, every other attempt sees
    // HELD and is refused from memory (no I/O at all for losers).
    const now = deps.clock.now().getTime();
    const decision = decideBooking(st, input.userId, now);
    if (!decision.ok) return this.refuse(st, input.userId, decision.code);
    const holdExpiresAt = holdUntil(now, input.holdMinutes ?? this.holdSetting!.minutes, st.offer.startsAt);
    let bookingId = deps.ids.next('bkg');
    st.live = {
      id: bookingId,
      userId: input.userId,
      status: 'PENDING',
      holdExpiresAt,
      persisted: false,
      intentId: null,
      since: Date.now(),
    };
    st.offer.status = 'HELD';
    this.broadcast(st);

    return this.lock.run(async () => {
      const undo = () => {
        st.live = null;
        st.offer.status = 'AVAILABLE';
        this.broadcast(st);
      };
      // Payment first, then one D1 transaction (booking + offer + payment + log): a provider
      // failure leaves nothing behind, and the winner costs a single database round trip. The
      // fan's hold rate limit and the creator's current terms (this object's copy may be older
      // than a change of policy, account or charges) are read at the same time as the provider
      // is asked (one wait, not three), so a refused hold is refused before anything is written.
      const draft = () => ({
        id: bookingId,
        offerId: st.offer.id,
        userId: input.userId,
        creatorId: st.offer.creatorId,
        price: st.offer.price,
        currency: st.offer.currency,
      });
      const paidTo = st.offer.creatorAccountId;
      const [intent, allowed, terms] = await Promise.allSettled([
        createIntentFor(deps, draft(), st.offer),
        input.limited === false ? true : this.underHoldLimit(deps, input.userId),
        loadCreatorTerms(deps, st.offer.creatorId),
      ]);
      // The intent belongs to nothing when no hold follows: cancel it (its event finds no booking, so no call comes back here).
      const dropIntent = (p: StartedPayment) =>
        deps.payments.cancelIntent(p.start.intentId, `booking:${bookingId}:cancel`).then(
          () => undefined,
          () => undefined,
        );
      if (allowed.status === 'fulfilled' && !allowed.value) {
        undo();
        if (intent.status === 'fulfilled') await dropIntent(intent.value);
        await deps.log.warn(
          'BOOKING_LIMITED',
          `Hold on ${st.offer.id} refused: ${input.userId} is taking holds too fast`,
          { actor: 'USER', actorId: input.userId, context: { offerId: st.offer.id } },
        );
        return { ok: false as const, code: 'RATE_LIMITED' as const };
      }
      if (terms.status === 'rejected') {
        undo();
        if (intent.status === 'fulfilled') await dropIntent(intent.value);
        throw terms.reason;
      }
      const fresh = terms.value;
      if (fresh) this.adoptTerms(st, fresh); // what the booking is written with: the policy of now
      if (!fresh?.chargesEnabled || !fresh.creatorAccountId) {
        undo();
        if (intent.status === 'fulfilled') await dropIntent(intent.value);
        await deps.log.warn(
          'BOOKING_ERROR',
          `Hold on ${st.offer.id} refused: its creator can no longer take payments`,
          { context: { offerId: st.offer.id, creatorId: st.offer.creatorId } },
        );
        return { ok: false as const, code: 'CREATOR_NOT_PAYABLE' as const };
      }
      let current: PromiseSettledResult<StartedPayment> = intent;
      if (fresh.creatorAccountId !== paidTo) {
        // The creator's payment account changed since this object loaded: the intent is made out to
        // the old one. Drop it and start again on the account of now, under a new booking id (an
        // intent's key always carries the same parameters). Rare: the one case with a second call.
        if (intent.status === 'fulfilled') await dropIntent(intent.value);
        await deps.log.warn(
          'PAYMENT_ERROR',
          `Creator ${st.offer.creatorId} changed payment account since offer ${st.offer.id} was loaded: intent made again`,
          { context: { offerId: st.offer.id, bookingId } },
        );
        bookingId = deps.ids.next('bkg');
        st.live!.id = bookingId;
        current = await createIntentFor(deps, draft(), st.offer).then(
          (value) => ({ status: 'fulfilled' as const, value }),
          (reason: unknown) => ({ status: 'rejected' as const, reason }),
        );
      }
      if (current.status === 'rejected') {
        undo();
        await deps.log.error('PAYMENT_ERROR', `Could not start the payment for ${st.offer.id}; nothing was held`, {
          context: { bookingId, offerId: st.offer.id },
          error: current.reason,
        });
        return {
          ok: false as const,
          code: 'PAYMENT_PROVIDER_ERROR' as const,
          message: (current.reason as Error).message,
        };
      }
      const payment = current.value;
      st.live!.intentId = payment.start.intentId;
      let booking: Booking;
      try {
        booking = await writeHold(deps, st, { bookingId, userId: input.userId, holdExpiresAt, payment });
      } catch (e) {
        await dropIntent(payment);
        if (isLiveBookingIndexViolation(e)) {
          // The OfferRoom believed the offer free while D1 holds a live booking: should never happen.
          // D1 is right: take its state and tell the subscribers (not our stale claim, not AVAILABLE).
          await deps.log.critical(
            'BOOKING_INVARIANT_VIOLATION',
            `Second live booking for ${st.offer.id} refused by the D1 unique index`,
            { context: { offerId: st.offer.id, bookingId }, error: e },
          );
          await this.resync(deps, st);
          return this.refuse(st, input.userId, 'OFFER_UNAVAILABLE');
        }
        undo();
        throw e;
      }
      st.live!.persisted = true;
      await this.armAlarm(deps, st.offer.id);
      const started = { booking: toBookingDto(booking), payment: { provider: deps.payments.name, ...payment.start } };
      st.live!.started = started; // a double click gets it back from memory
      return { ok: true as const, created: true, ...started };
    });
  }

  /** A refusal; when another fan holds or booked the offer, says who (for the Worker's cache of taken offers, never sent to clients). */
  private refuse(st: OfferState, userId: string, code: BookRefusal): BookResult {
    const live = st.live;
    if (code !== 'OFFER_UNAVAILABLE' || !live || live.userId === userId) return { ok: false, code };
    return {
      ok: false,
      code,
      taken: {
        holderId: live.userId,
        creatorUserId: st.offer.creatorUserId,
        holdExpiresAt: live.status === 'PENDING' ? live.holdExpiresAt : null,
        since: live.since,
      },
    };
  }

  /**
   * Whether `userId` may take one more hold now (BOOKING_LIMITER, keyed per fan). Only holds count:
   * refused attempts never get here. If the limiter itself fails, the hold goes ahead (it guards
   * against squatting, not against double booking) and the failure is logged.
   */
  private async underHoldLimit(deps: Deps, userId: string): Promise<boolean> {
    try {
      return (await deps.limiters.booking.limit({ key: `hold:${userId}` })).success;
    } catch (e) {
      await deps.log.warn('BOOKING_LIMITED', `The hold rate limit could not be checked for ${userId}; hold allowed`, {
        actor: 'USER',
        actorId: userId,
        error: e,
      });
      return true;
    }
  }

  private holdSettingFresh(): boolean {
    return this.holdSetting !== null && Date.now() - this.holdSetting.at < SETTINGS_CACHE_MS;
  }

  private async refreshHoldSetting(deps: Deps): Promise<void> {
    this.holdSetting = { minutes: (await getSettings(deps)).holdMinutes, at: Date.now() };
  }

  /**
   * D1 refused a write that this object's memory allowed (the backstop index): D1 is the truth.
   * Reload it into `st` (in place: pending calls hold it), broadcast what it says, and make sure
   * the live hold found there has its alarm.
   */
  private async resync(deps: Deps, st: OfferState): Promise<void> {
    const fresh = await loadOfferState(deps, st.offer.id);
    if (!fresh) {
      this.state = null;
      return;
    }
    st.offer = fresh.offer;
    st.live = fresh.live;
    this.state = st;
    this.broadcast(st);
    if (st.live?.status === 'PENDING' && st.live.holdExpiresAt !== null) await this.armAlarm(deps, st.offer.id);
  }

  private async resumeHold(deps: Deps, st: OfferState, userId: string): Promise<BookResult> {
    const live = st.live;
    if (!live || live.userId !== userId || live.status !== 'PENDING')
      return this.refuse(st, userId, 'OFFER_UNAVAILABLE');
    if (
      live.holdExpiresAt !== null &&
      live.holdExpiresAt <= deps.clock.now().getTime() &&
      !(await this.keepWhilePaying(deps, st, live))
    ) {
      // Its time ran out (the alarm is due or was missed): end it rather than hand back a payment
      // that must not succeed; the caller cancels the intent outside the lock.
      await this.releaseLocked(deps, st, live.id, 'EXPIRED', 'SYSTEM');
      return { ok: false, code: 'HOLD_EXPIRED' };
    }
    if (live.started) return { ok: true, created: false, ...live.started };
    // After a restart the payment start is not in memory: from D1 (and the provider) once.
    const booking = await deps.db.select().from(bookings).where(eq(bookings.id, live.id)).get();
    if (!booking) return { ok: false, code: 'OFFER_UNAVAILABLE' };
    const payment = await startPayment(deps, booking, st.offer);
    live.started = {
      booking: toBookingDto({ ...booking, paymentIntentId: payment.intentId }),
      payment: { provider: deps.payments.name, ...payment },
    };
    return { ok: true, created: false, ...live.started };
  }

  /** Payment succeeded: the hold becomes a confirmed booking (idempotent). A payment arriving after its hold ended re-takes the offer if it is still free. */
  async confirm(input: { offerId: string; bookingId: string }): Promise<ConfirmResult> {
    return this.lock.run(async () => {
      const st = await this.load(input.offerId);
      if (!st) return { ok: false, reason: 'UNKNOWN_BOOKING' };
      const deps = this.deps();
      if (st.live?.id === input.bookingId) {
        if (st.live.status !== 'PENDING') return { ok: true, transitioned: false };
        await writeConfirm(deps, st, input.bookingId);
        st.live = { ...st.live, status: 'CONFIRMED', holdExpiresAt: null };
        st.offer.status = 'BOOKED';
        await this.rearm(deps);
        this.broadcast(st);
        await deps.log.booking.info('BOOKING_CONFIRMED', `Booking ${input.bookingId} confirmed`, {
          bookingId: input.bookingId,
          offerId: st.offer.id,
        });
        return { ok: true, transitioned: true };
      }
      const row = await deps.db.select().from(bookings).where(eq(bookings.id, input.bookingId)).get();
      if (!row || row.offerId !== st.offer.id) return { ok: false, reason: 'UNKNOWN_BOOKING' };
      const now = deps.clock.now().getTime();
      if (
        !st.live &&
        st.offer.status === 'AVAILABLE' &&
        st.offer.startsAt > now &&
        (row.status === 'EXPIRED' || row.status === 'FAILED')
      ) {
        try {
          if (!(await writeConfirm(deps, st, input.bookingId, ['EXPIRED', 'FAILED']))) {
            await this.resync(deps, st); // the row moved on meanwhile: take D1's word
            return { ok: false, reason: 'LATE' };
          }
        } catch (e) {
          if (!isLiveBookingIndexViolation(e)) throw e;
          // This object believed the offer free while D1 holds another live booking: should never happen.
          await deps.log.critical(
            'BOOKING_INVARIANT_VIOLATION',
            `Late payment for ${input.bookingId} would make a second live booking for ${st.offer.id}; refused by the D1 unique index`,
            { context: { offerId: st.offer.id, bookingId: input.bookingId }, error: e },
          );
          await this.resync(deps, st);
          return { ok: false, reason: 'LATE' };
        }
        st.live = {
          id: row.id,
          userId: row.userId,
          status: 'CONFIRMED',
          holdExpiresAt: null,
          persisted: true,
          intentId: row.paymentIntentId,
          since: Date.now(),
        };
        st.offer.status = 'BOOKED';
        this.broadcast(st);
        await deps.log.warn('BOOKING_CONFIRMED', `Late payment for ${input.bookingId} re-took the still-free offer`, {
          context: { bookingId: input.bookingId },
        });
        return { ok: true, transitioned: true };
      }
      return { ok: false, reason: 'LATE' };
    });
  }

  /**
   * Ends a PENDING hold (payment failed or canceled, fan abandoned, hold expired). Idempotent. A
   * hold whose payment is under way is neither cancelled by a person (`paying`: they are told to
   * wait for it) nor dropped at its deadline (kept until the payment's outcome, at most until the
   * call's start): its outcome ends it.
   */
  async release(input: {
    offerId: string;
    bookingId: string;
    reason: ReleaseReason;
    cancelledBy?: 'FAN' | 'CREATOR' | 'ADMIN' | 'SYSTEM';
  }): Promise<ReleaseResult> {
    const out = await this.lock.run(async (): Promise<ReleaseResult> => {
      const st = await this.load(input.offerId);
      const live = st?.live;
      if (!st || !live || live.id !== input.bookingId || live.status !== 'PENDING') return { released: false };
      const deps = this.deps();
      if (input.reason === 'CANCELLED') {
        const paying = await this.paymentUnderWay(deps, live);
        if (paying) return { released: false, paying };
      } else if (input.reason === 'EXPIRED') {
        const paying = await this.keepWhilePaying(deps, st, live);
        if (paying) return { released: false, paying };
      }
      await this.releaseLocked(deps, st, input.bookingId, input.reason, input.cancelledBy);
      return { released: true };
    });
    if (out.released) await this.cancelIntentOf(input.bookingId);
    return out;
  }

  /**
   * The payment of a PENDING hold as the provider has it now, when it is under way: processing (a
   * bank debit, a card still confirming) or succeeded (its webhook on the way). A status the
   * provider cannot give now counts as not under way: the hold goes, and a payment that completes
   * anyway is refunded in full (onIntentSucceeded).
   */
  private async paymentUnderWay(deps: Deps, live: LiveBooking): Promise<PaymentUnderWay | null> {
    if (!live.intentId) return null;
    try {
      const { status } = await deps.payments.retrieveIntent(live.intentId);
      return status === 'processing' || status === 'succeeded' ? status : null;
    } catch (e) {
      await deps.log.warn('PAYMENT_ERROR', `Could not read the payment of hold ${live.id} before releasing it`, {
        context: { bookingId: live.id },
        error: e,
      });
      return null;
    }
  }

  /**
   * At a hold's deadline: if its payment is under way, keeps the hold and checks again in
   * PAYING_RECHECK_MS (D1, memory, alarm and subscribers all get the new deadline) — dropping it
   * would hand the slot to someone else while the fan's money is on its way. Never past the call's
   * start: then it goes, and a payment completing later is refunded in full. Null when not kept.
   */
  private async keepWhilePaying(deps: Deps, st: OfferState, live: LiveBooking): Promise<PaymentUnderWay | null> {
    const until = holdUntil(deps.clock.now().getTime(), PAYING_RECHECK_MS / 60_000, st.offer.startsAt);
    const paying = until > deps.clock.now().getTime() ? await this.paymentUnderWay(deps, live) : null;
    if (!paying) return null;
    await writeHoldExtension(deps, live.id, until);
    live.holdExpiresAt = until;
    live.started = undefined; // its DTO carries the old deadline
    await this.armAlarm(deps, st.offer.id);
    this.broadcast(st);
    await deps.log.info(
      'BOOKING_HELD',
      `Hold ${live.id} kept past its deadline: its payment is ${paying} (checked again at ${new Date(until).toISOString()})`,
      { context: { bookingId: live.id, offerId: st.offer.id } },
    );
    return paying;
  }

  private async releaseLocked(
    deps: Deps,
    st: OfferState,
    bookingId: string,
    reason: ReleaseReason,
    cancelledBy?: 'FAN' | 'CREATOR' | 'ADMIN' | 'SYSTEM',
  ): Promise<void> {
    const status = await writeRelease(deps, st, bookingId, reason, { cancelledBy });
    st.live = null;
    st.offer.status = status;
    await this.rearm(deps);
    this.broadcast(st);
    await deps.log.info('BOOKING_RELEASED', `Hold ${bookingId} released (${reason})`, {
      context: { bookingId, offerId: st.offer.id, reason },
    });
  }

  /**
   * A released hold must not be payable any more. Runs outside the lock: the provider may report
   * the cancellation through the webhook handler, which calls back into this object.
   */
  private async cancelIntentOf(bookingId: string): Promise<void> {
    const deps = this.deps();
    const row = await deps.db
      .select({ intentId: bookings.paymentIntentId })
      .from(bookings)
      .where(eq(bookings.id, bookingId))
      .get();
    if (!row?.intentId) return;
    try {
      const intent = await deps.payments.retrieveIntent(row.intentId);
      if (intent.status !== 'succeeded' && intent.status !== 'canceled')
        await deps.payments.cancelIntent(row.intentId, `booking:${bookingId}:cancel`);
    } catch (e) {
      await deps.log.warn('PAYMENT_ERROR', `Could not cancel the intent of released hold ${bookingId}`, {
        context: { bookingId },
        error: e,
      });
    }
  }

  /** Cancels a CONFIRMED booking (refunds are the caller's business). */
  async cancelConfirmed(input: {
    offerId: string;
    bookingId: string;
    by: 'FAN' | 'CREATOR' | 'ADMIN' | 'SYSTEM';
    reason: string | null;
  }): Promise<{ cancelled: boolean }> {
    return this.lock.run(async () => {
      const st = await this.load(input.offerId);
      if (!st || st.live?.id !== input.bookingId || st.live.status !== 'CONFIRMED') return { cancelled: false };
      const deps = this.deps();
      st.offer.status = await writeCancelConfirmed(deps, st, input.bookingId, input.by, input.reason);
      st.live = null;
      this.broadcast(st);
      await deps.log.booking.info('BOOKING_CANCELLED', `Booking ${input.bookingId} cancelled by ${input.by}`, {
        bookingId: input.bookingId,
        offerId: st.offer.id,
        by: input.by,
        reason: input.reason,
      });
      return { cancelled: true };
    });
  }

  /** The call happened: booking and offer become COMPLETED. */
  async complete(input: { offerId: string; bookingId: string }): Promise<{ completed: boolean }> {
    return this.lock.run(async () => {
      const st = await this.load(input.offerId);
      if (!st || st.live?.id !== input.bookingId || st.live.status !== 'CONFIRMED') return { completed: false };
      await writeComplete(this.deps(), st, input.bookingId);
      st.live = { ...st.live, status: 'COMPLETED' };
      st.offer.status = 'COMPLETED';
      this.broadcast(st);
      return { completed: true };
    });
  }

  /**
   * Moves a confirmed booking (and its offer) to a new time already checked free by the creator's
   * calendar. The payment stays with the booking; the calendar event keeps its UID (SEQUENCE + 1).
   */
  async reschedule(input: {
    offerId: string;
    bookingId: string;
    startsAt: number;
    endsAt: number;
  }): Promise<{ ok: true } | { ok: false; code: 'BOOKING_NOT_RESCHEDULABLE' }> {
    return this.lock.run(async () => {
      const st = await this.load(input.offerId);
      if (!st || st.live?.id !== input.bookingId || st.live.status !== 'CONFIRMED')
        return { ok: false as const, code: 'BOOKING_NOT_RESCHEDULABLE' as const };
      const deps = this.deps();
      await writeReschedule(deps, st, input.bookingId, new Date(input.startsAt), new Date(input.endsAt));
      st.offer.startsAt = input.startsAt;
      st.offer.endsAt = input.endsAt;
      this.broadcast(st);
      return { ok: true as const };
    });
  }

  // ------------------------------------------------------------------ offer lifecycle

  /** Applies an edit; price, currency and time are frozen once the offer is held or booked. */
  async update(input: {
    offerId: string;
    actorUserId: string;
    patch: OfferPatch;
  }): Promise<{ ok: true } | { ok: false; code: 'OFFER_NOT_FOUND' | 'FORBIDDEN' | 'OFFER_LOCKED' | CreatorRefusal }> {
    return this.lock.run(async () => {
      const st = await this.load(input.offerId);
      if (!st) return { ok: false, code: 'OFFER_NOT_FOUND' };
      if (st.offer.creatorUserId !== input.actorUserId) return { ok: false, code: 'FORBIDDEN' };
      // The actor as D1 has them now (demoted or disabled since their page loaded?), before the state checks below.
      const acting = await actingCreator(this.deps(), input.actorUserId, st.offer.creatorId);
      if (!acting.ok) return { ok: false, code: acting.code };
      const closed = ['CANCELLED', 'EXPIRED', 'COMPLETED'].includes(st.offer.status);
      const touchesTerms = (['price', 'currency', 'startsAt', 'durationMinutes'] as const).some(
        (k) => input.patch[k] !== undefined,
      );
      if (closed || (touchesTerms && (st.live !== null || st.offer.status !== 'AVAILABLE')))
        return { ok: false, code: 'OFFER_LOCKED' };
      const deps = this.deps();
      st.busy = true;
      try {
        await applyOfferPatch(deps, st.offer.id, input.patch);
        const fresh = await loadOfferState(deps, st.offer.id);
        if (fresh) this.adopt(fresh);
        else this.state = null;
      } finally {
        st.busy = false;
      }
      await deps.log.info('OFFER_UPDATED', `Offer ${st.offer.id} edited`, {
        actor: 'CREATOR',
        actorId: input.actorUserId,
        context: { fields: Object.keys(input.patch) },
      });
      return { ok: true };
    });
  }

  /** Withdraws an offer that nobody holds or booked. */
  async cancelOffer(input: {
    offerId: string;
    actorUserId: string | null;
  }): Promise<
    | { ok: true }
    | { ok: false; code: 'OFFER_NOT_FOUND' | 'FORBIDDEN' | 'OFFER_HAS_BOOKING' | 'OFFER_CLOSED' | CreatorRefusal }
  > {
    return this.lock.run(async () => {
      const st = await this.load(input.offerId);
      if (!st) return { ok: false, code: 'OFFER_NOT_FOUND' };
      if (input.actorUserId && st.offer.creatorUserId !== input.actorUserId) return { ok: false, code: 'FORBIDDEN' };
      if (input.actorUserId) {
        const acting = await actingCreator(this.deps(), input.actorUserId, st.offer.creatorId);
        if (!acting.ok) return { ok: false, code: acting.code };
      }
      if (st.live) return { ok: false, code: 'OFFER_HAS_BOOKING' };
      if (st.offer.status !== 'AVAILABLE') return { ok: false, code: 'OFFER_CLOSED' };
      const deps = this.deps();
      st.offer.status = 'CANCELLED'; // before the await: no booking can slip in meanwhile
      await writeOfferStatus(deps, st.offer.id, ['AVAILABLE'], 'CANCELLED');
      this.broadcast(st);
      await deps.log.info('OFFER_CANCELLED', `Offer ${st.offer.id} withdrawn`, {
        actor: 'CREATOR',
        actorId: input.actorUserId,
      });
      return { ok: true };
    });
  }

  /** Sweep: an offer whose start has passed without a booking becomes EXPIRED. */
  async expire(input: { offerId: string }): Promise<{ expired: boolean }> {
    return this.lock.run(async () => {
      const st = await this.load(input.offerId);
      const deps = this.deps();
      if (!st || st.live || st.offer.status !== 'AVAILABLE' || st.offer.startsAt > deps.clock.now().getTime())
        return { expired: false };
      st.offer.status = 'EXPIRED';
      await writeOfferStatus(deps, st.offer.id, ['AVAILABLE'], 'EXPIRED');
      this.broadcast(st);
      await deps.log.info('OFFER_EXPIRED', `Offer ${st.offer.id} expired unbooked`, {
        context: { offerId: st.offer.id },
      });
      return { expired: true };
    });
  }

  /** Current status (polling fallback and tests). */
  async status(input: { offerId: string }): Promise<OfferStatusMessageT | null> {
    const st = await this.load(input.offerId);
    return st ? this.message(st) : null;
  }

  // ------------------------------------------------------------------ alarm & WebSockets

  /**
   * The hold deadline: release an unpaid hold (survives eviction: state reloads from D1). The same
   * alarm sweeps idle sockets while any are open (see rearm()).
   */
  override async alarm(): Promise<void> {
    this.hub.fired();
    const deps = this.deps();
    await this.hub.sweep();
    const expired = await this.lock.run(async () => {
      const st = await this.load();
      if (!st?.live || st.live.status !== 'PENDING' || st.live.holdExpiresAt === null) return null;
      if (st.live.holdExpiresAt > deps.clock.now().getTime()) return null;
      const id = st.live.id;
      if (await this.keepWhilePaying(deps, st, st.live)) return null;
      await this.releaseLocked(deps, st, id, 'EXPIRED', 'SYSTEM');
      return id;
    });
    await this.rearm(deps);
    if (expired) await this.cancelIntentOf(expired);
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket')
      return new Response('Expected a WebSocket upgrade', { status: 426 });
    const offerId = new URL(request.url).searchParams.get('offerId') ?? '';
    const st = await this.load(offerId);
    if (!st) return new Response('Offer not found', { status: 404 });
    // The offer id survives hibernation in the attachment: see webSocketMessage.
    const admitted = await this.hub.admit(request, { offerId: st.offer.id });
    if (!admitted.ok) return admitted.response;
    admitted.server.send(JSON.stringify(this.message(st)));
    await this.rearm(this.deps());
    return admitted.response;
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    this.hub.heard(ws);
    // Clients only listen; a "status" message asks for the current state again.
    if (message === 'status') {
      const attached = ws.deserializeAttachment() as { offerId?: string } | null;
      const st = await this.load(attached?.offerId);
      if (st) ws.send(JSON.stringify(this.message(st)));
    }
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.hub.gone(ws);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 ? 1000 : code, 'bye');
    } catch {
      // already closed
    }
    await this.hub.gone(ws);
  }
}

export function offerRoom(env: Pick<Bindings, 'OFFER_ROOM'>, offerId: string): DurableObjectStub<OfferRoom> {
  return env.OFFER_ROOM.getByName(offerId);
}
