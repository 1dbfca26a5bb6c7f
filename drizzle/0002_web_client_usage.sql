CREATE TABLE `feed_client_usage` (
	`section_id` integer NOT NULL,
	`hour_at` integer NOT NULL,
	`client` text NOT NULL,
	`hits` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`section_id`) REFERENCES `sections`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `feed_client_usage_section_id_hour_at_client_key` ON `feed_client_usage` (`section_id`,`hour_at`,`client`);