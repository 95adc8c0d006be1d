CREATE TABLE `session_revocations` (
	`session_id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`revoked_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `session_revocations_revoked_idx` ON `session_revocations` (`revoked_at`);--> statement-breakpoint
CREATE INDEX `session_revocations_expires_idx` ON `session_revocations` (`expires_at`);