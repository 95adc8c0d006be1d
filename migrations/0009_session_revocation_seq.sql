ALTER TABLE `session_revocations` ADD `seq` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Hand-written backfill: rows revoked before this migration keep their insertion order, and are
-- kept as long as new ones (revoked_at + 30 days + 1 day): a token renewed while it was revoked may outlive the old expiry.
UPDATE `session_revocations` SET `seq` = rowid, `expires_at` = max(`expires_at`, `revoked_at` + 2678400000);--> statement-breakpoint
CREATE INDEX `session_revocations_seq_idx` ON `session_revocations` (`seq`);
