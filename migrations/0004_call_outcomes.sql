ALTER TABLE `bookings` ADD `outcome_applied_at` integer;--> statement-breakpoint
CREATE INDEX `bookings_video_room_idx` ON `bookings` (`video_room_name`) WHERE video_room_name is not null;--> statement-breakpoint
CREATE INDEX `bookings_outcome_pending_idx` ON `bookings` (`outcome_decided_at`) WHERE outcome is not null and outcome_applied_at is null;