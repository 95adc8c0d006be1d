CREATE TABLE `owed_refunds` (
	`id` text PRIMARY KEY NOT NULL,
	`payment_id` text NOT NULL,
	`booking_id` text NOT NULL,
	`kind` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`reason` text NOT NULL,
	`note` text,
	`initiated_by` text NOT NULL,
	`actor_user_id` text,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`last_attempt_at` integer,
	`next_attempt_at` integer,
	`refund_id` text,
	`issued_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`payment_id`) REFERENCES `payments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `owed_refunds_key_unique` ON `owed_refunds` (`idempotency_key`,`initiated_by`);--> statement-breakpoint
CREATE INDEX `owed_refunds_due_idx` ON `owed_refunds` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `owed_refunds_payment_idx` ON `owed_refunds` (`payment_id`);--> statement-breakpoint
ALTER TABLE `refunds` ADD `failure_reason` text;--> statement-breakpoint
ALTER TABLE `refunds` ADD `reversed_at` integer;