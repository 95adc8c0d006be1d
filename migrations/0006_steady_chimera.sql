DROP INDEX `cron_runs_job_tick_unique`;--> statement-breakpoint
ALTER TABLE `cron_runs` ADD `part` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `cron_runs_job_tick_part_unique` ON `cron_runs` (`job`,`scheduled_at`,`part`);--> statement-breakpoint
ALTER TABLE `email_log` ADD `provider_key` text;--> statement-breakpoint
ALTER TABLE `email_log` ADD `maybe_sent` integer DEFAULT false NOT NULL;