/**
 * The whole product's data model (D1 / SQLite, drizzle-orm). Source of truth for migrations,
 * zod DTOs and API types.
 *
 * Conventions: ids are prefixed random strings (see src/lib/ids.ts); money is an integer amount
 * in minor units next to an ISO-4217 `currency`; fees are basis points; every instant is stored
 * as integer milliseconds since the epoch (UTC) and surfaces as a Date.
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

// ---------------------------------------------------------------------------------------------
// Enumerations: defined in src/shared/enums.ts (shared and client code use them without the schema)
// ---------------------------------------------------------------------------------------------
export * from '../shared/enums';
import {
  ROLES,
  LOCALES,
  CURRENCIES,
  OFFER_STATUSES,
  OFFER_SOURCES,
  REQUEST_STATUSES,
  BOOKING_STATUSES,
  CALL_OUTCOMES,
  CALL_REVIEW_DECISIONS,
  CANCELLATION_POLICIES,
  PAYMENT_PROVIDERS,
  VIDEO_PROVIDERS,
  PAYMENT_STATUSES,
  REFUND_STATUSES,
  REFUND_INITIATORS,
  OWED_REFUND_KINDS,
  OWED_REFUND_STATUSES,
  DISPUTE_STATUSES,
  PAYOUT_STATUSES,
  PAYOUT_SCHEDULES,
  PAYOUT_MODES,
  PAYOUT_ORIGINS,
  DEBT_RECOVERY_METHODS,
  DEBT_RECOVERY_STATUSES,
  LOG_LEVELS,
  LOG_ACTORS,
  EMAIL_STATUSES,
  EMAIL_DELIVERY,
  AUTH_TOKEN_KINDS,
  CRON_STATUSES,
  WEBHOOK_PROVIDERS,
  CALL_EVENT_TYPES,
  CALL_EVENT_SOURCES,
  EXCEPTION_KINDS,
} from '../shared/enums';
import type { Currency } from '../shared/enums';

// ---------------------------------------------------------------------------------------------
// Column helpers
// ---------------------------------------------------------------------------------------------
const id = () => text('id').primaryKey();
const at = (name: string) => integer(name, { mode: 'timestamp_ms' });
const createdAt = () => at('created_at').notNull();
const updatedAt = () => at('updated_at').notNull();
const json = <T>(name: string) => text(name, { mode: 'json' }).$type<T>();
const money = (name: string) => integer(name);
const currency = (name = 'currency') => text(name, { enum: CURRENCIES });
const bool = (name: string) => integer(name, { mode: 'boolean' });

// ---------------------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------------------
export const users = sqliteTable(
  'users',
  {
    id: id(),
    email: text('email').notNull(),
    emailVerifiedAt: at('email_verified_at'),
    /** `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`; null for Google-only accounts. */
    passwordHash: text('password_hash'),
    googleSub: text('google_sub'),
    name: text('name').notNull(),
    role: text('role', { enum: ROLES }).notNull().default('USER'),
    locale: text('locale', { enum: LOCALES }).notNull().default('fr'),
    timezone: text('timezone').notNull().default('Europe/Paris'),
    /** Opt-outs for non-transactional emails, e.g. `{ "reminders": false }`. */
    emailPrefs: json<Record<string, boolean>>('email_prefs').notNull().default({}),
    /** Set by an admin (disable account): every session is revoked and every route refuses it until re-enabled. */
    disabledAt: at('disabled_at'),
    /**
     * An admin withdrew the creator role (demotion): the person cannot make themself a creator again;
     * only an admin giving the role back clears it. The creator profile stays (bookings and money refer to it).
     */
    creatorWithdrawnAt: at('creator_withdrawn_at'),
    /** The admin who withdrew it. */
    creatorWithdrawnBy: text('creator_withdrawn_by'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('users_email_unique').on(t.email),
    uniqueIndex('users_google_sub_unique').on(t.googleSub),
    index('users_role_idx').on(t.role),
  ],
);

/** Sessions are stored by the SHA-256 of their token: a leaked table does not leak sessions. */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(), // hex SHA-256 of the token
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['COOKIE', 'BEARER'] }).notNull(),
    userAgent: text('user_agent'),
    ip: text('ip'),
    createdAt: createdAt(),
    lastSeenAt: at('last_seen_at').notNull(),
    expiresAt: at('expires_at').notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId), index('sessions_expires_idx').on(t.expiresAt)],
);

/**
 * Revoked sessions (sign-out, sign-out everywhere, password change, disabled account). Session
 * tokens are signed, so they verify without a database read; every isolate reads the revocations
 * made since it started, in `seq` order a page at a time (session-cache.ts). Rows go once every
 * token of the session has expired.
 */
export const sessionRevocations = sqliteTable(
  'session_revocations',
  {
    sessionId: text('session_id').primaryKey(),
    userId: text('user_id').notNull(),
    revokedAt: at('revoked_at').notNull(),
    expiresAt: at('expires_at').notNull(),
    /** Commit order: max + 1 at insert (the newest row is never purged, so it never goes back). */
    seq: integer('seq').notNull().default(0),
  },
  (t) => [
    index('session_revocations_revoked_idx').on(t.revokedAt),
    index('session_revocations_expires_idx').on(t.expiresAt),
    index('session_revocations_seq_idx').on(t.seq),
  ],
);

/** Single-use, expiring tokens sent by email (verification, password reset), stored hashed. */
export const authTokens = sqliteTable(
  'auth_tokens',
  {
    id: id(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: AUTH_TOKEN_KINDS }).notNull(),
    tokenHash: text('token_hash').notNull(),
    expiresAt: at('expires_at').notNull(),
    usedAt: at('used_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('auth_tokens_hash_unique').on(t.tokenHash), index('auth_tokens_user_idx').on(t.userId, t.kind)],
);

// ---------------------------------------------------------------------------------------------
// Creators, offers, requests, availability
// ---------------------------------------------------------------------------------------------
export type SocialLinks = Partial<Record<'instagram' | 'tiktok' | 'youtube' | 'x' | 'website', string>>;

export const creators = sqliteTable(
  'creators',
  {
    id: id(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    slug: text('slug').notNull(),
    displayName: text('display_name').notNull(),
    bio: text('bio').notNull().default(''),
    expertise: text('expertise').notNull().default(''),
    profileImageKey: text('profile_image_key'),
    bannerImageKey: text('banner_image_key'),
    socialLinks: json<SocialLinks>('social_links').notNull().default({}),
    currency: currency().notNull().default('EUR'),
    timezone: text('timezone').notNull().default('Europe/Paris'),
    /** What a fan cancelling less than 24 h before gets back. */
    cancellationPolicy: text('cancellation_policy', { enum: CANCELLATION_POLICIES }).notNull().default('HALF'),
    // Stripe Connect state, kept in sync by account.updated
    stripeAccountId: text('stripe_account_id'),
    chargesEnabled: bool('charges_enabled').notNull().default(false),
    payoutsEnabled: bool('payouts_enabled').notNull().default(false),
    detailsSubmitted: bool('details_submitted').notNull().default(false),
    stripeDefaultCurrency: currency('stripe_default_currency'),
    onboardedAt: at('onboarded_at'),
    // Payout settings
    payoutSchedule: text('payout_schedule', { enum: PAYOUT_SCHEDULES }).notNull().default('WEEKLY'),
    /** 0 = Sunday … 6 = Saturday, for WEEKLY. */
    payoutWeekday: integer('payout_weekday').notNull().default(1),
    /** Minor units; null = the platform's minimum for the currency. */
    payoutMinimum: money('payout_minimum'),
    nextPayoutAt: at('next_payout_at'),
    payoutsBlocked: bool('payouts_blocked').notNull().default(false),
    payoutBlockReason: text('payout_block_reason'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('creators_user_unique').on(t.userId),
    uniqueIndex('creators_slug_unique').on(t.slug),
    uniqueIndex('creators_stripe_account_unique').on(t.stripeAccountId),
    index('creators_next_payout_idx').on(t.nextPayoutAt),
  ],
);

export const callOffers = sqliteTable(
  'call_offers',
  {
    id: id(),
    creatorId: text('creator_id')
      .notNull()
      .references(() => creators.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    price: money('price').notNull(),
    currency: currency().notNull(),
    startsAt: at('starts_at').notNull(),
    durationMinutes: integer('duration_minutes').notNull(),
    /** Stored (start + duration) so overlap and "finished" queries stay index-only. */
    endsAt: at('ends_at').notNull(),
    status: text('status', { enum: OFFER_STATUSES }).notNull().default('AVAILABLE'),
    source: text('source', { enum: OFFER_SOURCES }).notNull().default('OFFER'),
    appointmentTypeId: text('appointment_type_id'),
    /** For REQUEST offers: only this fan may book it. */
    reservedForUserId: text('reserved_for_user_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('call_offers_creator_starts_idx').on(t.creatorId, t.startsAt),
    index('call_offers_status_starts_idx').on(t.status, t.startsAt),
    index('call_offers_starts_idx').on(t.startsAt),
  ],
);

export const callRequests = sqliteTable(
  'call_requests',
  {
    id: id(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    creatorId: text('creator_id')
      .notNull()
      .references(() => creators.id, { onDelete: 'cascade' }),
    proposedPrice: money('proposed_price').notNull(),
    currency: currency().notNull(),
    proposedStartsAt: at('proposed_starts_at').notNull(),
    durationMinutes: integer('duration_minutes').notNull(),
    message: text('message').notNull().default(''),
    status: text('status', { enum: REQUEST_STATUSES }).notNull().default('PENDING'),
    responseMessage: text('response_message'),
    offerId: text('offer_id'),
    bookingId: text('booking_id'),
    expiresAt: at('expires_at').notNull(),
    respondedAt: at('responded_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('call_requests_creator_status_idx').on(t.creatorId, t.status),
    index('call_requests_user_idx').on(t.userId, t.createdAt),
    index('call_requests_expiry_idx').on(t.status, t.expiresAt),
  ],
);

export const appointmentTypes = sqliteTable(
  'appointment_types',
  {
    id: id(),
    creatorId: text('creator_id')
      .notNull()
      .references(() => creators.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    durationMinutes: integer('duration_minutes').notNull(),
    price: money('price').notNull(),
    currency: currency().notNull(),
    color: text('color').notNull().default('#6d5efc'),
    bufferBeforeMinutes: integer('buffer_before_minutes').notNull().default(0),
    bufferAfterMinutes: integer('buffer_after_minutes').notNull().default(0),
    minNoticeMinutes: integer('min_notice_minutes').notNull().default(120),
    maxAdvanceDays: integer('max_advance_days').notNull().default(60),
    active: bool('active').notNull().default(true),
    sortOrder: integer('sort_order').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('appointment_types_creator_idx').on(t.creatorId)],
);

/** Weekly hours in the creator's own time zone, minutes from local midnight. */
export const availabilityRules = sqliteTable(
  'availability_rules',
  {
    id: id(),
    creatorId: text('creator_id')
      .notNull()
      .references(() => creators.id, { onDelete: 'cascade' }),
    weekday: integer('weekday').notNull(), // 0 = Sunday
    startMinute: integer('start_minute').notNull(),
    endMinute: integer('end_minute').notNull(),
  },
  (t) => [index('availability_rules_creator_idx').on(t.creatorId, t.weekday)],
);

export const availabilityExceptions = sqliteTable(
  'availability_exceptions',
  {
    id: id(),
    creatorId: text('creator_id')
      .notNull()
      .references(() => creators.id, { onDelete: 'cascade' }),
    date: text('date').notNull(), // YYYY-MM-DD in the creator's zone
    kind: text('kind', { enum: EXCEPTION_KINDS }).notNull(),
    startMinute: integer('start_minute'),
    endMinute: integer('end_minute'),
    note: text('note'),
  },
  (t) => [index('availability_exceptions_creator_date_idx').on(t.creatorId, t.date)],
);

// ---------------------------------------------------------------------------------------------
// Bookings and calls
// ---------------------------------------------------------------------------------------------
export const bookings = sqliteTable(
  'bookings',
  {
    id: id(),
    offerId: text('offer_id')
      .notNull()
      .references(() => callOffers.id),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    creatorId: text('creator_id')
      .notNull()
      .references(() => creators.id),
    status: text('status', { enum: BOOKING_STATUSES }).notNull().default('PENDING'),
    price: money('price').notNull(),
    currency: currency().notNull(),
    /** Snapshot of the creator's late-cancellation policy when the fan booked. */
    cancellationPolicy: text('cancellation_policy', { enum: CANCELLATION_POLICIES }).notNull(),
    startsAt: at('starts_at').notNull(),
    endsAt: at('ends_at').notNull(),
    holdExpiresAt: at('hold_expires_at'),
    paymentProvider: text('payment_provider', { enum: PAYMENT_PROVIDERS }),
    paymentIntentId: text('payment_intent_id'),
    confirmedAt: at('confirmed_at'),
    cancelledAt: at('cancelled_at'),
    cancelledBy: text('cancelled_by', { enum: REFUND_INITIATORS }),
    cancelReason: text('cancel_reason'),
    videoProvider: text('video_provider', { enum: VIDEO_PROVIDERS }),
    videoRoomName: text('video_room_name'),
    videoRoomUrl: text('video_room_url'),
    videoRoomDeletedAt: at('video_room_deleted_at'),
    outcome: text('outcome', { enum: CALL_OUTCOMES }),
    outcomeDecidedAt: at('outcome_decided_at'),
    /** Set once the outcome's effects (completion, no-show refund) are done; until then the job retries them. */
    outcomeAppliedAt: at('outcome_applied_at'),
    /**
     * An INTERRUPTED call waits for an admin: the decision (written once), the refund it asks for, why,
     * who and when; `reviewAppliedAt` once its refund is owed — the creator's share is released only then.
     */
    reviewDecision: text('review_decision', { enum: CALL_REVIEW_DECISIONS }),
    reviewRefund: money('review_refund'),
    reviewReason: text('review_reason'),
    reviewedBy: text('reviewed_by'),
    reviewedAt: at('reviewed_at'),
    reviewAppliedAt: at('review_applied_at'),
    /** iCalendar SEQUENCE: bumped on reschedule so calendars replace the event (UID = booking id). */
    icsSequence: integer('ics_sequence').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // The backstop behind the OfferRoom: at most one live booking per offer.
    uniqueIndex('bookings_one_live_per_offer').on(t.offerId).where(sql`status in ('PENDING','CONFIRMED','COMPLETED')`),
    index('bookings_user_starts_idx').on(t.userId, t.startsAt),
    index('bookings_creator_starts_idx').on(t.creatorId, t.startsAt),
    index('bookings_status_starts_idx').on(t.status, t.startsAt),
    index('bookings_status_ends_idx').on(t.status, t.endsAt),
    index('bookings_hold_idx').on(t.holdExpiresAt).where(sql`status = 'PENDING'`),
    uniqueIndex('bookings_intent_unique').on(t.paymentIntentId),
    // Daily webhooks name the room; the cleanup job looks for rooms not yet deleted.
    index('bookings_video_room_idx').on(t.videoRoomName).where(sql`video_room_name is not null`),
    // Decided outcomes whose effects are not done yet (the outcome job retries them).
    index('bookings_outcome_pending_idx')
      .on(t.outcomeDecidedAt)
      .where(sql`outcome is not null and outcome_applied_at is null`),
    // Interrupted calls an admin has not settled yet (the review list, the job finishing a decided review).
    index('bookings_review_pending_idx')
      .on(t.outcomeDecidedAt)
      .where(sql`outcome = 'INTERRUPTED' and review_applied_at is null`),
  ],
);

/** At most one reminder of each kind per booking and recipient. */
export const bookingReminders = sqliteTable(
  'booking_reminders',
  {
    bookingId: text('booking_id')
      .notNull()
      .references(() => bookings.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['24h', '1h', '15m'] }).notNull(),
    userId: text('user_id').notNull(),
    /** The call start the reminder was computed for (a reschedule re-arms reminders). */
    startsAt: at('starts_at').notNull(),
    sentAt: at('sent_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.bookingId, t.kind, t.userId, t.startsAt] })],
);

export const callEvents = sqliteTable(
  'call_events',
  {
    id: id(),
    bookingId: text('booking_id')
      .notNull()
      .references(() => bookings.id, { onDelete: 'cascade' }),
    type: text('type', { enum: CALL_EVENT_TYPES }).notNull(),
    source: text('source', { enum: CALL_EVENT_SOURCES }).notNull(),
    actorUserId: text('actor_user_id'),
    actorRole: text('actor_role', { enum: ['FAN', 'CREATOR', 'SYSTEM'] }),
    /** Provider's event id (Daily webhook id) or client-generated id: duplicates are ignored. */
    dedupeKey: text('dedupe_key'),
    metadata: json<Record<string, unknown>>('metadata'),
    occurredAt: at('occurred_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('call_events_booking_idx').on(t.bookingId, t.occurredAt),
    uniqueIndex('call_events_dedupe_unique').on(t.dedupeKey),
    // Attendance reads only the trusted presence rows, however many other events a call has.
    index('call_events_presence_idx')
      .on(t.bookingId, t.occurredAt, t.id)
      .where(sql`source in ('SERVER', 'DAILY') and type in ('PARTICIPANT_JOINED', 'PARTICIPANT_LEFT')`),
  ],
);

/**
 * The live join credentials of one person for one booking's call (the provider's token, the TURN
 * servers minted with it): handed back again for a few minutes instead of minting new ones on every
 * join. `windowKey` ties them to the call's times and room (a reschedule or a new room mints anew).
 * `sealed` is AES-GCM under a key derived from SESSION_SECRET: a copy of the database holds no
 * credential that lets anyone into a call.
 */
export const callCredentials = sqliteTable(
  'call_credentials',
  {
    bookingId: text('booking_id')
      .notNull()
      .references(() => bookings.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    windowKey: text('window_key').notNull(),
    sealed: text('sealed').notNull(),
    mintedAt: at('minted_at').notNull(),
    /** When the token (or the TURN credentials) stop working, whichever is first. */
    expiresAt: at('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.bookingId, t.userId] })],
);

export const reviews = sqliteTable(
  'reviews',
  {
    id: id(),
    bookingId: text('booking_id')
      .notNull()
      .references(() => bookings.id),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    creatorId: text('creator_id')
      .notNull()
      .references(() => creators.id),
    rating: integer('rating').notNull(),
    comment: text('comment').notNull().default(''),
    reply: text('reply'),
    repliedAt: at('replied_at'),
    hiddenAt: at('hidden_at'),
    hiddenBy: text('hidden_by'),
    hiddenReason: text('hidden_reason'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('reviews_booking_unique').on(t.bookingId),
    index('reviews_creator_idx').on(t.creatorId, t.createdAt),
  ],
);

// ---------------------------------------------------------------------------------------------
// Money
// ---------------------------------------------------------------------------------------------
export const payments = sqliteTable(
  'payments',
  {
    id: id(),
    bookingId: text('booking_id')
      .notNull()
      .references(() => bookings.id),
    creatorId: text('creator_id')
      .notNull()
      .references(() => creators.id),
    provider: text('provider', { enum: PAYMENT_PROVIDERS }).notNull(),
    intentId: text('intent_id').notNull(),
    chargeId: text('charge_id'),
    amount: money('amount').notNull(),
    currency: currency().notNull(),
    platformFeeBps: integer('platform_fee_bps').notNull(),
    platformFee: money('platform_fee').notNull(),
    creatorShare: money('creator_share').notNull(),
    refundedAmount: money('refunded_amount').notNull().default(0),
    status: text('status', { enum: PAYMENT_STATUSES }).notNull().default('PENDING'),
    /** Call end + holding period: before this the creator share is pending. */
    payoutReleaseAt: at('payout_release_at'),
    transferId: text('transfer_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('payments_booking_unique').on(t.bookingId),
    uniqueIndex('payments_intent_unique').on(t.intentId),
    index('payments_charge_idx').on(t.chargeId),
    index('payments_creator_idx').on(t.creatorId, t.createdAt),
    index('payments_release_idx').on(t.payoutReleaseAt),
  ],
);

export const refunds = sqliteTable(
  'refunds',
  {
    id: id(),
    paymentId: text('payment_id')
      .notNull()
      .references(() => payments.id),
    bookingId: text('booking_id').notNull(),
    amount: money('amount').notNull(),
    currency: currency().notNull(),
    reason: text('reason').notNull(),
    initiatedBy: text('initiated_by', { enum: REFUND_INITIATORS }).notNull(),
    actorUserId: text('actor_user_id'),
    status: text('status', { enum: REFUND_STATUSES }).notNull().default('PENDING'),
    stripeRefundId: text('stripe_refund_id'),
    /** Part of the refund borne by the creator (their share, pro rata). */
    creatorDebt: money('creator_debt').notNull().default(0),
    feeRefunded: money('fee_refunded').notNull().default(0),
    reconciledAt: at('reconciled_at'),
    reconciledBy: text('reconciled_by', { enum: ['TRANSFER_REVERSAL', 'PAYOUT_DEDUCTION', 'MANUAL'] }),
    reversalId: text('reversal_id'),
    /**
     * How much of `creatorDebt` the provider took back from the creator's transfer (`reverse_transfer`);
     * the rest is the creator's debt, recovered by the payout engine. Null on refunds booked before it
     * was recorded (taken as fully reversed).
     */
    transferReversed: money('transfer_reversed'),
    /** The provider's reason when the refund failed or was canceled after it was booked. */
    failureReason: text('failure_reason'),
    /** Set when a booked refund failed later and its money movements were reversed. */
    reversedAt: at('reversed_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('refunds_payment_idx').on(t.paymentId), uniqueIndex('refunds_stripe_unique').on(t.stripeRefundId)],
);

/**
 * A refund the app decided to give (cancellation, no-show, slot lost, admin), written before the
 * provider is asked: if the provider fails, the refund stays owed and the refund-retry job asks again
 * with the same idempotency key until it is issued. Carries who asked and why, for the refund row.
 */
export const owedRefunds = sqliteTable(
  'owed_refunds',
  {
    id: id(),
    paymentId: text('payment_id')
      .notNull()
      .references(() => payments.id),
    bookingId: text('booking_id').notNull(),
    kind: text('kind', { enum: OWED_REFUND_KINDS }).notNull(),
    amount: money('amount').notNull(),
    currency: currency().notNull(),
    /** Ours (e.g. `<bookingId>:cancel`); every provider call for it uses `refund:<key>`. */
    idempotencyKey: text('idempotency_key').notNull(),
    /** Machine reason (RefundDecision.reason) and the person's note, if any. */
    reason: text('reason').notNull(),
    note: text('note'),
    initiatedBy: text('initiated_by', { enum: REFUND_INITIATORS }).notNull(),
    actorUserId: text('actor_user_id'),
    status: text('status', { enum: OWED_REFUND_STATUSES }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    lastAttemptAt: at('last_attempt_at'),
    nextAttemptAt: at('next_attempt_at'),
    /** Our refunds row once issued. */
    refundId: text('refund_id'),
    issuedAt: at('issued_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // One per key and initiator: a fan and a creator cancelling at the same moment each prepare their own.
    uniqueIndex('owed_refunds_key_unique').on(t.idempotencyKey, t.initiatedBy),
    index('owed_refunds_due_idx').on(t.status, t.nextAttemptAt),
    index('owed_refunds_payment_idx').on(t.paymentId),
  ],
);

export const disputes = sqliteTable(
  'disputes',
  {
    id: id(),
    paymentId: text('payment_id')
      .notNull()
      .references(() => payments.id),
    stripeDisputeId: text('stripe_dispute_id').notNull(),
    amount: money('amount').notNull(),
    currency: currency().notNull(),
    reason: text('reason').notNull(),
    status: text('status', { enum: DISPUTE_STATUSES }).notNull(),
    creatorDebt: money('creator_debt').notNull().default(0),
    evidenceSubmittedAt: at('evidence_submitted_at'),
    reconciledAt: at('reconciled_at'),
    reconciledBy: text('reconciled_by', { enum: ['TRANSFER_REVERSAL', 'PAYOUT_DEDUCTION', 'MANUAL'] }),
    closedAt: at('closed_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('disputes_stripe_unique').on(t.stripeDisputeId), index('disputes_status_idx').on(t.status)],
);

export const payouts = sqliteTable(
  'payouts',
  {
    id: id(),
    creatorId: text('creator_id')
      .notNull()
      .references(() => creators.id),
    amount: money('amount').notNull(),
    currency: currency().notNull(),
    status: text('status', { enum: PAYOUT_STATUSES }).notNull(),
    origin: text('origin', { enum: PAYOUT_ORIGINS }).notNull(),
    /** creator+currency+period: running the job twice cannot pay twice. */
    idempotencyKey: text('idempotency_key').notNull(),
    stripePayoutId: text('stripe_payout_id'),
    debtDeducted: money('debt_deducted').notNull().default(0),
    approvedBy: text('approved_by'),
    rejectedReason: text('rejected_reason'),
    failureReason: text('failure_reason'),
    requestedAt: at('requested_at').notNull(),
    approvedAt: at('approved_at'),
    paidAt: at('paid_at'),
    failedAt: at('failed_at'),
    rejectedAt: at('rejected_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('payouts_idempotency_unique').on(t.idempotencyKey),
    uniqueIndex('payouts_stripe_unique').on(t.stripePayoutId),
    index('payouts_creator_idx').on(t.creatorId, t.createdAt),
    index('payouts_status_idx').on(t.status),
  ],
);

export const payoutAudit = sqliteTable(
  'payout_audit',
  {
    id: id(),
    payoutId: text('payout_id'),
    creatorId: text('creator_id').notNull(),
    action: text('action').notNull(), // CREATED, APPROVED, REJECTED, PROCESSING, PAID, FAILED, BLOCKED, UNBLOCKED, SKIPPED, ...
    amount: money('amount'),
    currency: currency(),
    status: text('status'),
    actorUserId: text('actor_user_id'),
    reason: text('reason'),
    context: json<Record<string, unknown>>('context'),
    createdAt: createdAt(),
  },
  (t) => [
    index('payout_audit_creator_idx').on(t.creatorId, t.createdAt),
    index('payout_audit_payout_idx').on(t.payoutId),
  ],
);

/**
 * One transfer reversal that takes a creator's debt (a lost dispute, or a refund whose own transfer
 * reversal fell short) back from their connected account: of the charge's own transfer
 * (TRANSFER_REVERSAL) or of another of their released payments' transfers (PAYOUT_DEDUCTION, before
 * a payout). Written PENDING before the provider is asked, so a retry replays the same key and amount;
 * the ledger records the recovery only once the provider succeeded.
 */
export const debtRecoveries = sqliteTable(
  'debt_recoveries',
  {
    id: id(),
    creatorId: text('creator_id')
      .notNull()
      .references(() => creators.id),
    currency: currency().notNull(),
    /** The debt: exactly one of disputeId / refundId. */
    disputeId: text('dispute_id'),
    refundId: text('refund_id'),
    method: text('method', { enum: DEBT_RECOVERY_METHODS }).notNull(),
    /** The payment whose transfer is reversed. */
    paymentId: text('payment_id').notNull(),
    transferId: text('transfer_id').notNull(),
    amount: money('amount').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    status: text('status', { enum: DEBT_RECOVERY_STATUSES }).notNull(),
    providerReversalId: text('provider_reversal_id'),
    failureReason: text('failure_reason'),
    /** The payout this deduction was withheld from, when one was opened right after it. */
    payoutId: text('payout_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('debt_recoveries_key_unique').on(t.idempotencyKey),
    index('debt_recoveries_dispute_idx').on(t.disputeId),
    index('debt_recoveries_refund_idx').on(t.refundId),
    index('debt_recoveries_creator_idx').on(t.creatorId, t.currency, t.status),
  ],
);

/**
 * Double-entry ledger. Every money movement is one `txId` whose entries sum to zero per currency.
 * Accounts: `fan`, `platform:cash`, `platform:fees`, `creator:<id>`, `creator:<id>:debt`, `bank:<id>`…
 * (see src/domain/ledger). Balances are derived from it, never stored.
 */
export const ledgerEntries = sqliteTable(
  'ledger_entries',
  {
    id: id(),
    txId: text('tx_id').notNull(),
    kind: text('kind').notNull(), // CHARGE, PLATFORM_FEE, CREATOR_SHARE, REFUND, FEE_REFUND, DISPUTE, DEBT, PAYOUT, ...
    account: text('account').notNull(),
    creatorId: text('creator_id'),
    amount: integer('amount').notNull(), // signed, minor units
    currency: currency().notNull(),
    paymentId: text('payment_id'),
    refundId: text('refund_id'),
    disputeId: text('dispute_id'),
    payoutId: text('payout_id'),
    /** For creator share entries: when the funds become available for payout. */
    availableAt: at('available_at'),
    memo: text('memo'),
    createdAt: createdAt(),
  },
  (t) => [
    index('ledger_tx_idx').on(t.txId),
    index('ledger_creator_idx').on(t.creatorId, t.currency),
    index('ledger_account_idx').on(t.account, t.currency),
    index('ledger_payment_idx').on(t.paymentId),
  ],
);

/** Singleton row (id = 1). */
export const platformSettings = sqliteTable('platform_settings', {
  id: integer('id').primaryKey(),
  platformFeeBps: integer('platform_fee_bps').notNull().default(1500),
  holdingDays: integer('holding_days').notNull().default(7),
  holdMinutes: integer('hold_minutes').notNull().default(10),
  payoutMode: text('payout_mode', { enum: PAYOUT_MODES }).notNull().default('AUTOMATIC'),
  minPayout: json<Record<Currency, number>>('min_payout')
    .notNull()
    .default({ EUR: 1000, CHF: 1000, USD: 1000, GBP: 1000 }),
  /** "The call took place": both together at least this many minutes or this share (%) of the booked duration, whichever is less. */
  callMinTogetherMinutes: integer('call_min_together_minutes').notNull().default(10),
  callMinTogetherPct: integer('call_min_together_pct').notNull().default(50),
  updatedAt: updatedAt(),
  updatedBy: text('updated_by'),
});

// ---------------------------------------------------------------------------------------------
// Messaging
// ---------------------------------------------------------------------------------------------
export const notifications = sqliteTable(
  'notifications',
  {
    id: id(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    /** Rendered in the reader's language at display time from the type + params. */
    params: json<Record<string, string | number>>('params').notNull().default({}),
    link: text('link'),
    readAt: at('read_at'),
    createdAt: createdAt(),
  },
  (t) => [index('notifications_user_idx').on(t.userId, t.readAt, t.createdAt)],
);

export const emailLog = sqliteTable(
  'email_log',
  {
    id: id(),
    to: text('to').notNull(),
    userId: text('user_id'),
    template: text('template').notNull(),
    locale: text('locale', { enum: LOCALES }).notNull(),
    subject: text('subject').notNull(),
    status: text('status', { enum: EMAIL_STATUSES }).notNull().default('PENDING'),
    deliveryStatus: text('delivery_status', { enum: EMAIL_DELIVERY }),
    attempts: integer('attempts').notNull().default(0),
    provider: text('provider'),
    providerId: text('provider_id'),
    /** The logical key of this email: enqueuing it twice records it once. Sent as Idempotency-Key unless `providerKey` is set. */
    idempotencyKey: text('idempotency_key').notNull(),
    /** A fresh Idempotency-Key for an admin retry after the provider's 24 h window, when nothing was sent before. */
    providerKey: text('provider_key'),
    /** An attempt ended without a clear answer (5xx, network, conflicting key): the provider may have sent it. */
    maybeSent: bool('maybe_sent').notNull().default(false),
    /** What the template needs, to re-render on retry. Never a usable secret: one-time links are derived at send time. */
    payload: json<Record<string, unknown>>('payload').notNull(),
    lastError: text('last_error'),
    sentAt: at('sent_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('email_log_idempotency_unique').on(t.idempotencyKey),
    index('email_log_status_idx').on(t.status, t.createdAt),
    index('email_log_to_idx').on(t.to),
    index('email_log_provider_idx').on(t.providerId),
  ],
);

export const emailSuppressions = sqliteTable('email_suppressions', {
  email: text('email').primaryKey(),
  reason: text('reason', { enum: ['BOUNCED', 'COMPLAINED', 'UNSUBSCRIBED'] }).notNull(),
  createdAt: createdAt(),
});

/** The built-in email provider's outbox, shown at /dev/mailbox outside production. */
export const devOutbox = sqliteTable(
  'dev_outbox',
  {
    id: id(),
    to: text('to').notNull(),
    from: text('from').notNull(),
    subject: text('subject').notNull(),
    html: text('html').notNull(),
    text: text('text').notNull(),
    headers: json<Record<string, string>>('headers').notNull().default({}),
    attachments: json<{ filename: string; contentType: string; size: number }[]>('attachments').notNull().default([]),
    idempotencyKey: text('idempotency_key'),
    createdAt: createdAt(),
  },
  (t) => [index('dev_outbox_to_idx').on(t.to, t.createdAt), uniqueIndex('dev_outbox_idem_unique').on(t.idempotencyKey)],
);

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------
export const logs = sqliteTable(
  'logs',
  {
    id: id(),
    level: text('level', { enum: LOG_LEVELS }).notNull(),
    type: text('type').notNull(),
    actor: text('actor', { enum: LOG_ACTORS }).notNull(),
    actorId: text('actor_id'),
    message: text('message').notNull(),
    context: json<Record<string, unknown>>('context'),
    error: text('error'),
    requestId: text('request_id'),
    createdAt: createdAt(),
  },
  (t) => [
    index('logs_created_idx').on(t.createdAt),
    index('logs_level_created_idx').on(t.level, t.createdAt),
    index('logs_type_created_idx').on(t.type, t.createdAt),
    index('logs_actor_idx').on(t.actor, t.actorId),
  ],
);

export const cronRuns = sqliteTable(
  'cron_runs',
  {
    id: id(),
    job: text('job').notNull(),
    cron: text('cron'),
    /** The scheduled tick (or the on-demand request time): (job, scheduledAt) runs once. */
    scheduledAt: at('scheduled_at').notNull(),
    /** 0 for the run itself; 1… for the chunks it fanned out through the jobs queue (trigger QUEUE). */
    part: integer('part').notNull().default(0),
    trigger: text('trigger', { enum: ['CRON', 'MANUAL', 'QUEUE'] }).notNull(),
    status: text('status', { enum: CRON_STATUSES }).notNull(),
    startedAt: at('started_at').notNull(),
    finishedAt: at('finished_at'),
    durationMs: integer('duration_ms'),
    counts: json<Record<string, number>>('counts'),
    error: text('error'),
  },
  (t) => [
    uniqueIndex('cron_runs_job_tick_part_unique').on(t.job, t.scheduledAt, t.part),
    index('cron_runs_started_idx').on(t.startedAt),
  ],
);

/** Idempotency for incoming webhooks: (provider, event id) is processed once. */
export const webhookEvents = sqliteTable(
  'webhook_events',
  {
    provider: text('provider', { enum: WEBHOOK_PROVIDERS }).notNull(),
    eventId: text('event_id').notNull(),
    type: text('type').notNull(),
    status: text('status', { enum: ['PROCESSING', 'PROCESSED', 'FAILED', 'IGNORED'] }).notNull(),
    attempts: integer('attempts').notNull().default(1),
    error: text('error'),
    receivedAt: at('received_at').notNull(),
    processedAt: at('processed_at'),
  },
  (t) => [primaryKey({ columns: [t.provider, t.eventId] }), index('webhook_events_received_idx').on(t.receivedAt)],
);

/** Every admin write: who, when, what (before/after). */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: id(),
    actorUserId: text('actor_user_id').notNull(),
    action: text('action').notNull(),
    entity: text('entity').notNull(),
    entityId: text('entity_id'),
    before: json<unknown>('before'),
    after: json<unknown>('after'),
    reason: text('reason'),
    requestId: text('request_id'),
    createdAt: createdAt(),
  },
  (t) => [index('audit_log_entity_idx').on(t.entity, t.entityId), index('audit_log_created_idx').on(t.createdAt)],
);

// ---------------------------------------------------------------------------------------------
// Built-in payment provider (offline Stripe look-alike; unused when STRIPE_SECRET_KEY is set)
// ---------------------------------------------------------------------------------------------
/** Stripe-shaped objects (payment intents, charges, refunds, accounts, payouts…) of the local provider. */
export const localStripeObjects = sqliteTable(
  'local_stripe_objects',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    account: text('account'),
    idempotencyKey: text('idempotency_key'),
    data: json<Record<string, unknown>>('data').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('local_stripe_idem_unique').on(t.type, t.idempotencyKey),
    index('local_stripe_type_idx').on(t.type, t.createdAt),
  ],
);

/** Events the local provider emitted (what Stripe's /v1/events would list). */
export const localStripeEvents = sqliteTable(
  'local_stripe_events',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    account: text('account'),
    data: json<Record<string, unknown>>('data').notNull(),
    created: integer('created').notNull(), // Unix seconds, like Stripe
  },
  (t) => [index('local_stripe_events_created_idx').on(t.created)],
);

export type User = typeof users.$inferSelect;
export type Creator = typeof creators.$inferSelect;
export type CallOffer = typeof callOffers.$inferSelect;
export type Booking = typeof bookings.$inferSelect;
export type CallRequest = typeof callRequests.$inferSelect;
export type Payment = typeof payments.$inferSelect;
export type OwedRefund = typeof owedRefunds.$inferSelect;
export type EmailLogRow = typeof emailLog.$inferSelect;
export type CallEvent = typeof callEvents.$inferSelect;
export type Review = typeof reviews.$inferSelect;
