CREATE TABLE `appointment_types` (
	`id` text PRIMARY KEY NOT NULL,
	`creator_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`duration_minutes` integer NOT NULL,
	`price` integer NOT NULL,
	`currency` text NOT NULL,
	`color` text DEFAULT '#6d5efc' NOT NULL,
	`buffer_before_minutes` integer DEFAULT 0 NOT NULL,
	`buffer_after_minutes` integer DEFAULT 0 NOT NULL,
	`min_notice_minutes` integer DEFAULT 120 NOT NULL,
	`max_advance_days` integer DEFAULT 60 NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`sort_order` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`creator_id`) REFERENCES `creators`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `appointment_types_creator_idx` ON `appointment_types` (`creator_id`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`actor_user_id` text NOT NULL,
	`action` text NOT NULL,
	`entity` text NOT NULL,
	`entity_id` text,
	`before` text,
	`after` text,
	`reason` text,
	`request_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_log_entity_idx` ON `audit_log` (`entity`,`entity_id`);--> statement-breakpoint
CREATE INDEX `audit_log_created_idx` ON `audit_log` (`created_at`);--> statement-breakpoint
CREATE TABLE `auth_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`token_hash` text NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `auth_tokens_hash_unique` ON `auth_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `auth_tokens_user_idx` ON `auth_tokens` (`user_id`,`kind`);--> statement-breakpoint
CREATE TABLE `availability_exceptions` (
	`id` text PRIMARY KEY NOT NULL,
	`creator_id` text NOT NULL,
	`date` text NOT NULL,
	`kind` text NOT NULL,
	`start_minute` integer,
	`end_minute` integer,
	`note` text,
	FOREIGN KEY (`creator_id`) REFERENCES `creators`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `availability_exceptions_creator_date_idx` ON `availability_exceptions` (`creator_id`,`date`);--> statement-breakpoint
CREATE TABLE `availability_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`creator_id` text NOT NULL,
	`weekday` integer NOT NULL,
	`start_minute` integer NOT NULL,
	`end_minute` integer NOT NULL,
	FOREIGN KEY (`creator_id`) REFERENCES `creators`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `availability_rules_creator_idx` ON `availability_rules` (`creator_id`,`weekday`);--> statement-breakpoint
CREATE TABLE `booking_reminders` (
	`booking_id` text NOT NULL,
	`kind` text NOT NULL,
	`user_id` text NOT NULL,
	`starts_at` integer NOT NULL,
	`sent_at` integer NOT NULL,
	PRIMARY KEY(`booking_id`, `kind`, `user_id`, `starts_at`),
	FOREIGN KEY (`booking_id`) REFERENCES `bookings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `bookings` (
	`id` text PRIMARY KEY NOT NULL,
	`offer_id` text NOT NULL,
	`user_id` text NOT NULL,
	`creator_id` text NOT NULL,
	`status` text DEFAULT 'PENDING' NOT NULL,
	`price` integer NOT NULL,
	`currency` text NOT NULL,
	`cancellation_policy` text NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`hold_expires_at` integer,
	`payment_provider` text,
	`payment_intent_id` text,
	`confirmed_at` integer,
	`cancelled_at` integer,
	`cancelled_by` text,
	`cancel_reason` text,
	`video_provider` text,
	`video_room_name` text,
	`video_room_url` text,
	`video_room_deleted_at` integer,
	`outcome` text,
	`outcome_decided_at` integer,
	`ics_sequence` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`offer_id`) REFERENCES `call_offers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`creator_id`) REFERENCES `creators`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `bookings_one_live_per_offer` ON `bookings` (`offer_id`) WHERE status in ('PENDING','CONFIRMED','COMPLETED');--> statement-breakpoint
CREATE INDEX `bookings_user_starts_idx` ON `bookings` (`user_id`,`starts_at`);--> statement-breakpoint
CREATE INDEX `bookings_creator_starts_idx` ON `bookings` (`creator_id`,`starts_at`);--> statement-breakpoint
CREATE INDEX `bookings_status_starts_idx` ON `bookings` (`status`,`starts_at`);--> statement-breakpoint
CREATE INDEX `bookings_status_ends_idx` ON `bookings` (`status`,`ends_at`);--> statement-breakpoint
CREATE INDEX `bookings_hold_idx` ON `bookings` (`hold_expires_at`) WHERE status = 'PENDING';--> statement-breakpoint
CREATE UNIQUE INDEX `bookings_intent_unique` ON `bookings` (`payment_intent_id`);--> statement-breakpoint
CREATE TABLE `call_events` (
	`id` text PRIMARY KEY NOT NULL,
	`booking_id` text NOT NULL,
	`type` text NOT NULL,
	`source` text NOT NULL,
	`actor_user_id` text,
	`actor_role` text,
	`dedupe_key` text,
	`metadata` text,
	`occurred_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`booking_id`) REFERENCES `bookings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `call_events_booking_idx` ON `call_events` (`booking_id`,`occurred_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `call_events_dedupe_unique` ON `call_events` (`dedupe_key`);--> statement-breakpoint
CREATE TABLE `call_offers` (
	`id` text PRIMARY KEY NOT NULL,
	`creator_id` text NOT NULL,
	`title` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`price` integer NOT NULL,
	`currency` text NOT NULL,
	`starts_at` integer NOT NULL,
	`duration_minutes` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`status` text DEFAULT 'AVAILABLE' NOT NULL,
	`source` text DEFAULT 'OFFER' NOT NULL,
	`appointment_type_id` text,
	`reserved_for_user_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`creator_id`) REFERENCES `creators`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `call_offers_creator_starts_idx` ON `call_offers` (`creator_id`,`starts_at`);--> statement-breakpoint
CREATE INDEX `call_offers_status_starts_idx` ON `call_offers` (`status`,`starts_at`);--> statement-breakpoint
CREATE INDEX `call_offers_starts_idx` ON `call_offers` (`starts_at`);--> statement-breakpoint
CREATE TABLE `call_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`creator_id` text NOT NULL,
	`proposed_price` integer NOT NULL,
	`currency` text NOT NULL,
	`proposed_starts_at` integer NOT NULL,
	`duration_minutes` integer NOT NULL,
	`message` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'PENDING' NOT NULL,
	`response_message` text,
	`offer_id` text,
	`booking_id` text,
	`expires_at` integer NOT NULL,
	`responded_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`creator_id`) REFERENCES `creators`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `call_requests_creator_status_idx` ON `call_requests` (`creator_id`,`status`);--> statement-breakpoint
CREATE INDEX `call_requests_user_idx` ON `call_requests` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `call_requests_expiry_idx` ON `call_requests` (`status`,`expires_at`);--> statement-breakpoint
CREATE TABLE `creators` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`slug` text NOT NULL,
	`display_name` text NOT NULL,
	`bio` text DEFAULT '' NOT NULL,
	`expertise` text DEFAULT '' NOT NULL,
	`profile_image_key` text,
	`banner_image_key` text,
	`social_links` text DEFAULT '{}' NOT NULL,
	`currency` text DEFAULT 'EUR' NOT NULL,
	`timezone` text DEFAULT 'Europe/Paris' NOT NULL,
	`cancellation_policy` text DEFAULT 'HALF' NOT NULL,
	`stripe_account_id` text,
	`charges_enabled` integer DEFAULT false NOT NULL,
	`payouts_enabled` integer DEFAULT false NOT NULL,
	`details_submitted` integer DEFAULT false NOT NULL,
	`stripe_default_currency` text,
	`onboarded_at` integer,
	`payout_schedule` text DEFAULT 'WEEKLY' NOT NULL,
	`payout_weekday` integer DEFAULT 1 NOT NULL,
	`payout_minimum` integer,
	`next_payout_at` integer,
	`payouts_blocked` integer DEFAULT false NOT NULL,
	`payout_block_reason` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `creators_user_unique` ON `creators` (`user_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `creators_slug_unique` ON `creators` (`slug`);--> statement-breakpoint
CREATE UNIQUE INDEX `creators_stripe_account_unique` ON `creators` (`stripe_account_id`);--> statement-breakpoint
CREATE INDEX `creators_next_payout_idx` ON `creators` (`next_payout_at`);--> statement-breakpoint
CREATE TABLE `cron_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`job` text NOT NULL,
	`cron` text,
	`scheduled_at` integer NOT NULL,
	`trigger` text NOT NULL,
	`status` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`duration_ms` integer,
	`counts` text,
	`error` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cron_runs_job_tick_unique` ON `cron_runs` (`job`,`scheduled_at`);--> statement-breakpoint
CREATE INDEX `cron_runs_started_idx` ON `cron_runs` (`started_at`);--> statement-breakpoint
CREATE TABLE `dev_outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`to` text NOT NULL,
	`from` text NOT NULL,
	`subject` text NOT NULL,
	`html` text NOT NULL,
	`text` text NOT NULL,
	`headers` text DEFAULT '{}' NOT NULL,
	`attachments` text DEFAULT '[]' NOT NULL,
	`idempotency_key` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dev_outbox_to_idx` ON `dev_outbox` (`to`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `dev_outbox_idem_unique` ON `dev_outbox` (`idempotency_key`);--> statement-breakpoint
CREATE TABLE `disputes` (
	`id` text PRIMARY KEY NOT NULL,
	`payment_id` text NOT NULL,
	`stripe_dispute_id` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`reason` text NOT NULL,
	`status` text NOT NULL,
	`creator_debt` integer DEFAULT 0 NOT NULL,
	`evidence_submitted_at` integer,
	`reconciled_at` integer,
	`reconciled_by` text,
	`closed_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`payment_id`) REFERENCES `payments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `disputes_stripe_unique` ON `disputes` (`stripe_dispute_id`);--> statement-breakpoint
CREATE INDEX `disputes_status_idx` ON `disputes` (`status`);--> statement-breakpoint
CREATE TABLE `email_log` (
	`id` text PRIMARY KEY NOT NULL,
	`to` text NOT NULL,
	`user_id` text,
	`template` text NOT NULL,
	`locale` text NOT NULL,
	`subject` text NOT NULL,
	`status` text DEFAULT 'PENDING' NOT NULL,
	`delivery_status` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`provider` text,
	`provider_id` text,
	`idempotency_key` text NOT NULL,
	`payload` text NOT NULL,
	`last_error` text,
	`sent_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `email_log_idempotency_unique` ON `email_log` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `email_log_status_idx` ON `email_log` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `email_log_to_idx` ON `email_log` (`to`);--> statement-breakpoint
CREATE INDEX `email_log_provider_idx` ON `email_log` (`provider_id`);--> statement-breakpoint
CREATE TABLE `email_suppressions` (
	`email` text PRIMARY KEY NOT NULL,
	`reason` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `ledger_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`tx_id` text NOT NULL,
	`kind` text NOT NULL,
	`account` text NOT NULL,
	`creator_id` text,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`payment_id` text,
	`refund_id` text,
	`dispute_id` text,
	`payout_id` text,
	`available_at` integer,
	`memo` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ledger_tx_idx` ON `ledger_entries` (`tx_id`);--> statement-breakpoint
CREATE INDEX `ledger_creator_idx` ON `ledger_entries` (`creator_id`,`currency`);--> statement-breakpoint
CREATE INDEX `ledger_account_idx` ON `ledger_entries` (`account`,`currency`);--> statement-breakpoint
CREATE INDEX `ledger_payment_idx` ON `ledger_entries` (`payment_id`);--> statement-breakpoint
CREATE TABLE `logs` (
	`id` text PRIMARY KEY NOT NULL,
	`level` text NOT NULL,
	`type` text NOT NULL,
	`actor` text NOT NULL,
	`actor_id` text,
	`message` text NOT NULL,
	`context` text,
	`error` text,
	`request_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `logs_created_idx` ON `logs` (`created_at`);--> statement-breakpoint
CREATE INDEX `logs_level_created_idx` ON `logs` (`level`,`created_at`);--> statement-breakpoint
CREATE INDEX `logs_type_created_idx` ON `logs` (`type`,`created_at`);--> statement-breakpoint
CREATE INDEX `logs_actor_idx` ON `logs` (`actor`,`actor_id`);--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`type` text NOT NULL,
	`params` text DEFAULT '{}' NOT NULL,
	`link` text,
	`read_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `notifications_user_idx` ON `notifications` (`user_id`,`read_at`,`created_at`);--> statement-breakpoint
CREATE TABLE `payments` (
	`id` text PRIMARY KEY NOT NULL,
	`booking_id` text NOT NULL,
	`creator_id` text NOT NULL,
	`provider` text NOT NULL,
	`intent_id` text NOT NULL,
	`charge_id` text,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`platform_fee_bps` integer NOT NULL,
	`platform_fee` integer NOT NULL,
	`creator_share` integer NOT NULL,
	`refunded_amount` integer DEFAULT 0 NOT NULL,
	`status` text DEFAULT 'PENDING' NOT NULL,
	`payout_release_at` integer,
	`transfer_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`booking_id`) REFERENCES `bookings`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`creator_id`) REFERENCES `creators`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `payments_booking_unique` ON `payments` (`booking_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `payments_intent_unique` ON `payments` (`intent_id`);--> statement-breakpoint
CREATE INDEX `payments_charge_idx` ON `payments` (`charge_id`);--> statement-breakpoint
CREATE INDEX `payments_creator_idx` ON `payments` (`creator_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `payments_release_idx` ON `payments` (`payout_release_at`);--> statement-breakpoint
CREATE TABLE `payout_audit` (
	`id` text PRIMARY KEY NOT NULL,
	`payout_id` text,
	`creator_id` text NOT NULL,
	`action` text NOT NULL,
	`amount` integer,
	`currency` text,
	`status` text,
	`actor_user_id` text,
	`reason` text,
	`context` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `payout_audit_creator_idx` ON `payout_audit` (`creator_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `payout_audit_payout_idx` ON `payout_audit` (`payout_id`);--> statement-breakpoint
CREATE TABLE `payouts` (
	`id` text PRIMARY KEY NOT NULL,
	`creator_id` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`origin` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`stripe_payout_id` text,
	`debt_deducted` integer DEFAULT 0 NOT NULL,
	`approved_by` text,
	`rejected_reason` text,
	`failure_reason` text,
	`requested_at` integer NOT NULL,
	`approved_at` integer,
	`paid_at` integer,
	`failed_at` integer,
	`rejected_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`creator_id`) REFERENCES `creators`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `payouts_idempotency_unique` ON `payouts` (`idempotency_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `payouts_stripe_unique` ON `payouts` (`stripe_payout_id`);--> statement-breakpoint
CREATE INDEX `payouts_creator_idx` ON `payouts` (`creator_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `payouts_status_idx` ON `payouts` (`status`);--> statement-breakpoint
CREATE TABLE `platform_settings` (
	`id` integer PRIMARY KEY NOT NULL,
	`platform_fee_bps` integer DEFAULT 1500 NOT NULL,
	`holding_days` integer DEFAULT 7 NOT NULL,
	`hold_minutes` integer DEFAULT 10 NOT NULL,
	`payout_mode` text DEFAULT 'AUTOMATIC' NOT NULL,
	`min_payout` text DEFAULT '{"EUR":1000,"CHF":1000,"USD":1000,"GBP":1000}' NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE TABLE `refunds` (
	`id` text PRIMARY KEY NOT NULL,
	`payment_id` text NOT NULL,
	`booking_id` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`reason` text NOT NULL,
	`initiated_by` text NOT NULL,
	`actor_user_id` text,
	`status` text DEFAULT 'PENDING' NOT NULL,
	`stripe_refund_id` text,
	`creator_debt` integer DEFAULT 0 NOT NULL,
	`fee_refunded` integer DEFAULT 0 NOT NULL,
	`reconciled_at` integer,
	`reconciled_by` text,
	`reversal_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`payment_id`) REFERENCES `payments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `refunds_payment_idx` ON `refunds` (`payment_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `refunds_stripe_unique` ON `refunds` (`stripe_refund_id`);--> statement-breakpoint
CREATE TABLE `reviews` (
	`id` text PRIMARY KEY NOT NULL,
	`booking_id` text NOT NULL,
	`user_id` text NOT NULL,
	`creator_id` text NOT NULL,
	`rating` integer NOT NULL,
	`comment` text DEFAULT '' NOT NULL,
	`reply` text,
	`replied_at` integer,
	`hidden_at` integer,
	`hidden_by` text,
	`hidden_reason` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`booking_id`) REFERENCES `bookings`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`creator_id`) REFERENCES `creators`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reviews_booking_unique` ON `reviews` (`booking_id`);--> statement-breakpoint
CREATE INDEX `reviews_creator_idx` ON `reviews` (`creator_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`user_agent` text,
	`ip` text,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE INDEX `sessions_expires_idx` ON `sessions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`email_verified_at` integer,
	`password_hash` text,
	`google_sub` text,
	`name` text NOT NULL,
	`role` text DEFAULT 'USER' NOT NULL,
	`locale` text DEFAULT 'fr' NOT NULL,
	`timezone` text DEFAULT 'Europe/Paris' NOT NULL,
	`email_prefs` text DEFAULT '{}' NOT NULL,
	`disabled_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);--> statement-breakpoint
CREATE UNIQUE INDEX `users_google_sub_unique` ON `users` (`google_sub`);--> statement-breakpoint
CREATE INDEX `users_role_idx` ON `users` (`role`);--> statement-breakpoint
CREATE TABLE `webhook_events` (
	`provider` text NOT NULL,
	`event_id` text NOT NULL,
	`type` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 1 NOT NULL,
	`error` text,
	`received_at` integer NOT NULL,
	`processed_at` integer,
	PRIMARY KEY(`provider`, `event_id`)
);
--> statement-breakpoint
CREATE INDEX `webhook_events_received_idx` ON `webhook_events` (`received_at`);