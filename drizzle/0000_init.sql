CREATE TABLE `alert_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`outbox_id` integer NOT NULL,
	`target_kind` text NOT NULL,
	`target_id` text NOT NULL,
	`part` integer DEFAULT 0 NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`message_id` text,
	`last_error` text,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`outbox_id`) REFERENCES `alert_outbox`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alert_deliveries_outbox_id_target_kind_target_id_part_key` ON `alert_deliveries` (`outbox_id`,`target_kind`,`target_id`,`part`);--> statement-breakpoint
CREATE TABLE `alert_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`section_id` integer NOT NULL,
	`run_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`delivered_at` integer,
	`last_error` text,
	FOREIGN KEY (`section_id`) REFERENCES `sections`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`run_id`) REFERENCES `scrape_runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `alert_outbox_delivered_at_idx` ON `alert_outbox` (`delivered_at`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `alert_routes` (
	`section_id` integer PRIMARY KEY NOT NULL,
	`channel_id` text NOT NULL,
	`role_id` text,
	`updated_at` integer NOT NULL,
	`updated_by` text,
	FOREIGN KEY (`section_id`) REFERENCES `sections`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `app_state` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`section_id` integer NOT NULL,
	`run_id` integer NOT NULL,
	`uid` text NOT NULL,
	`kinds` text NOT NULL,
	`before_json` text,
	`after_json` text,
	`event_starts_at` integer NOT NULL,
	`changed_at` integer NOT NULL,
	FOREIGN KEY (`section_id`) REFERENCES `sections`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`run_id`) REFERENCES `scrape_runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `changes_section_id_changed_at_idx` ON `changes` (`section_id`,`changed_at`);--> statement-breakpoint
CREATE INDEX `changes_run_id_idx` ON `changes` (`run_id`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`section_id` integer NOT NULL,
	`uid` text NOT NULL,
	`feed_uid` text NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`all_day` integer NOT NULL,
	`title` text NOT NULL,
	`location` text NOT NULL,
	`teacher` text NOT NULL,
	`description` text NOT NULL,
	`status` text NOT NULL,
	`category` text NOT NULL,
	`course` text NOT NULL,
	`groups_json` text NOT NULL,
	`raw_json` text NOT NULL,
	`content_hash` text NOT NULL,
	`revision` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`changed_at` integer NOT NULL,
	`removed_at` integer,
	FOREIGN KEY (`section_id`) REFERENCES `sections`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_section_id_uid_key` ON `events` (`section_id`,`uid`);--> statement-breakpoint
CREATE INDEX `events_section_id_starts_at_idx` ON `events` (`section_id`,`starts_at`);--> statement-breakpoint
CREATE TABLE `feed_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`token_hash` text NOT NULL,
	`prefix` text NOT NULL,
	`owner_kind` text NOT NULL,
	`owner` text NOT NULL,
	`section_id` integer,
	`filter_json` text,
	`filter_changed_at` integer,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	`last_used_at` integer,
	`use_count` integer DEFAULT 0 NOT NULL,
	`last_user_agent` text,
	FOREIGN KEY (`section_id`) REFERENCES `sections`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `feed_tokens_token_hash_key` ON `feed_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `feed_tokens_owner_idx` ON `feed_tokens` (`owner`);--> statement-breakpoint
CREATE TABLE `feed_usage` (
	`section_id` integer NOT NULL,
	`hour_at` integer NOT NULL,
	`hits` integer DEFAULT 0 NOT NULL,
	`not_modified` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`section_id`) REFERENCES `sections`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `feed_usage_section_id_hour_at_key` ON `feed_usage` (`section_id`,`hour_at`);--> statement-breakpoint
CREATE TABLE `notify_prefs` (
	`discord_user_id` text PRIMARY KEY NOT NULL,
	`enabled` integer NOT NULL,
	`locale` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `scrape_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`section_id` integer NOT NULL,
	`trigger` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`status` text NOT NULL,
	`error_code` text,
	`error_message` text,
	`event_count` integer,
	`change_count` integer DEFAULT 0 NOT NULL,
	`change_counts_json` text DEFAULT '{}' NOT NULL,
	`issue_count` integer DEFAULT 0 NOT NULL,
	`duration_ms` integer,
	FOREIGN KEY (`section_id`) REFERENCES `sections`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `scrape_runs_section_id_started_at_idx` ON `scrape_runs` (`section_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `sections` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`name` text NOT NULL,
	`source_kind` text NOT NULL,
	`source_ref` text NOT NULL,
	`created_at` integer NOT NULL,
	`baseline_at` integer,
	`last_run_at` integer,
	`last_success_at` integer,
	`last_error_at` integer,
	`last_error_code` text,
	`last_error_message` text,
	`consecutive_failures` integer DEFAULT 0 NOT NULL,
	`next_run_at` integer,
	`content_changed_at` integer,
	`content_version` integer DEFAULT 0 NOT NULL,
	`event_count` integer DEFAULT 0 NOT NULL,
	`held_count` integer DEFAULT 0 NOT NULL,
	`held_fingerprint` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sections_key_unique` ON `sections` (`key`);