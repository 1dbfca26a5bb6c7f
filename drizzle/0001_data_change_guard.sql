CREATE TABLE `pending_removals` (
	`section_id` integer NOT NULL,
	`uid` text NOT NULL,
	`first_missed_at` integer NOT NULL,
	`single_sighting` integer NOT NULL,
	FOREIGN KEY (`section_id`) REFERENCES `sections`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `pending_removals_section_id_uid_key` ON `pending_removals` (`section_id`,`uid`);--> statement-breakpoint
ALTER TABLE `scrape_runs` ADD `truncated` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `sections` ADD `truncated` integer DEFAULT false NOT NULL;