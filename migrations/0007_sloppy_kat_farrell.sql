CREATE TABLE `debt_recoveries` (
	`id` text PRIMARY KEY NOT NULL,
	`creator_id` text NOT NULL,
	`currency` text NOT NULL,
	`dispute_id` text,
	`refund_id` text,
	`method` text NOT NULL,
	`payment_id` text NOT NULL,
	`transfer_id` text NOT NULL,
	`amount` integer NOT NULL,
	`idempotency_key` text NOT NULL,
	`status` text NOT NULL,
	`provider_reversal_id` text,
	`failure_reason` text,
	`payout_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`creator_id`) REFERENCES `creators`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `debt_recoveries_key_unique` ON `debt_recoveries` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `debt_recoveries_dispute_idx` ON `debt_recoveries` (`dispute_id`);--> statement-breakpoint
CREATE INDEX `debt_recoveries_refund_idx` ON `debt_recoveries` (`refund_id`);--> statement-breakpoint
CREATE INDEX `debt_recoveries_creator_idx` ON `debt_recoveries` (`creator_id`,`currency`,`status`);