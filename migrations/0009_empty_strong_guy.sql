ALTER TABLE `users` ADD `creator_withdrawn_at` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `creator_withdrawn_by` text;