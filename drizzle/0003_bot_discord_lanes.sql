ALTER TABLE `alert_deliveries` ADD `nonce` text;--> statement-breakpoint
ALTER TABLE `alert_deliveries` ADD `payload_json` text;--> statement-breakpoint
ALTER TABLE `alert_deliveries` ADD `next_attempt_at` integer;--> statement-breakpoint
ALTER TABLE `alert_outbox` ADD `channel_done_at` integer;--> statement-breakpoint
ALTER TABLE `notify_prefs` ADD `dm_closed_at` integer;