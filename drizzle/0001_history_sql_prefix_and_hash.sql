ALTER TABLE `query_history` ADD `sql_bytes` integer;--> statement-breakpoint
ALTER TABLE `query_history` ADD `sql_sha256` text;