ALTER TABLE `backends` ADD `process_forwarded` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `backends` ADD `forward_authorization` text;--> statement-breakpoint
ALTER TABLE `backends` ADD `advertised_urls` text;