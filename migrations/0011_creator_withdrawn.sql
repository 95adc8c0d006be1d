ALTER TABLE `users` ADD `creator_withdrawn_at` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `creator_withdrawn_by` text;--> statement-breakpoint
-- Backfill (hand-written): a USER with a creator profile can only be a creator an admin demoted; mark the role withdrawn so they cannot promote themself back.
UPDATE `users` SET `creator_withdrawn_at` = `updated_at` WHERE `role` = 'USER' AND `creator_withdrawn_at` IS NULL AND `id` IN (SELECT `user_id` FROM `creators`);
