CREATE TABLE `local_stripe_events` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`account` text,
	`data` text NOT NULL,
	`created` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `local_stripe_events_created_idx` ON `local_stripe_events` (`created`);--> statement-breakpoint
CREATE TABLE `local_stripe_objects` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`account` text,
	`idempotency_key` text,
	`data` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `local_stripe_idem_unique` ON `local_stripe_objects` (`type`,`idempotency_key`);--> statement-breakpoint
CREATE INDEX `local_stripe_type_idx` ON `local_stripe_objects` (`type`,`created_at`);