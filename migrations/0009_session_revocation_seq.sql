ALTER TABLE `session_revocations` ADD `seq` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Hand-written backfill: rows revoked before this migration keep their insertion order.
UPDATE `session_revocations` SET `seq` = rowid;--> statement-breakpoint
CREATE INDEX `session_revocations_seq_idx` ON `session_revocations` (`seq`);
