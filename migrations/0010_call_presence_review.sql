CREATE TABLE `call_credentials` (
	`booking_id` text NOT NULL,
	`user_id` text NOT NULL,
	`window_key` text NOT NULL,
	`sealed` text NOT NULL,
	`minted_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`booking_id`, `user_id`),
	FOREIGN KEY (`booking_id`) REFERENCES `bookings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `bookings` ADD `review_decision` text;--> statement-breakpoint
ALTER TABLE `bookings` ADD `review_refund` integer;--> statement-breakpoint
ALTER TABLE `bookings` ADD `review_reason` text;--> statement-breakpoint
ALTER TABLE `bookings` ADD `reviewed_by` text;--> statement-breakpoint
ALTER TABLE `bookings` ADD `reviewed_at` integer;--> statement-breakpoint
ALTER TABLE `bookings` ADD `review_applied_at` integer;--> statement-breakpoint
CREATE INDEX `bookings_review_pending_idx` ON `bookings` (`outcome_decided_at`) WHERE outcome = 'INTERRUPTED' and review_applied_at is null;--> statement-breakpoint
ALTER TABLE `platform_settings` ADD `call_min_together_minutes` integer DEFAULT 10 NOT NULL;--> statement-breakpoint
ALTER TABLE `platform_settings` ADD `call_min_together_pct` integer DEFAULT 50 NOT NULL;--> statement-breakpoint
CREATE INDEX `call_events_presence_idx` ON `call_events` (`booking_id`,`occurred_at`,`id`) WHERE source in ('SERVER', 'DAILY') and type in ('PARTICIPANT_JOINED', 'PARTICIPANT_LEFT');--> statement-breakpoint
-- Hand-written backfill: interrupted calls decided before admin review existed were released to their creators (and may be paid out): keep them so.
UPDATE `bookings` SET `review_decision` = 'PAY_CREATOR', `review_reason` = 'decided before admin review existed', `reviewed_at` = `outcome_decided_at`, `review_applied_at` = `outcome_applied_at` WHERE `outcome` = 'INTERRUPTED' AND `outcome_applied_at` IS NOT NULL;
