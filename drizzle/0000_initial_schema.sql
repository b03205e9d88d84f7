CREATE TABLE `backends` (
	`name` text PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`external_url` text,
	`group_name` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`weight` integer DEFAULT 1 NOT NULL,
	`catalog_driver` text DEFAULT 'sql' NOT NULL,
	`deleted_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `catalog_deployments` (
	`group_name` text NOT NULL,
	`catalog_name` text NOT NULL,
	`backend` text NOT NULL,
	`state` text NOT NULL,
	`spec_version` integer NOT NULL,
	`error` text,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`group_name`, `catalog_name`, `backend`)
);
--> statement-breakpoint
CREATE TABLE `catalog_specs` (
	`group_name` text NOT NULL,
	`name` text NOT NULL,
	`connector` text NOT NULL,
	`properties` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`desired` text DEFAULT 'present' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`group_name`, `name`)
);
--> statement-breakpoint
CREATE TABLE `query_affinity` (
	`query_id` text PRIMARY KEY NOT NULL,
	`backend` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `query_affinity_created_idx` ON `query_affinity` (`created_at`);--> statement-breakpoint
CREATE TABLE `query_history` (
	`query_id` text PRIMARY KEY NOT NULL,
	`user` text NOT NULL,
	`source` text,
	`client_address` text,
	`routing_group` text NOT NULL,
	`rule` text,
	`policy` text,
	`backend` text NOT NULL,
	`sql` text NOT NULL,
	`submitted_at` integer NOT NULL,
	`finished_at` integer,
	`state` text NOT NULL,
	`error_name` text,
	`error_type` text,
	`error_message` text,
	`elapsed_ms` integer,
	`rows` integer,
	`bytes` integer
);
--> statement-breakpoint
CREATE INDEX `query_history_submitted_idx` ON `query_history` (`submitted_at`);--> statement-breakpoint
CREATE INDEX `query_history_user_idx` ON `query_history` (`user`,`submitted_at`);--> statement-breakpoint
CREATE INDEX `query_history_backend_idx` ON `query_history` (`backend`,`submitted_at`);--> statement-breakpoint
CREATE INDEX `query_history_group_idx` ON `query_history` (`routing_group`,`submitted_at`);--> statement-breakpoint
CREATE INDEX `query_history_state_idx` ON `query_history` (`state`,`submitted_at`);--> statement-breakpoint
CREATE TABLE `routing_groups` (
	`name` text PRIMARY KEY NOT NULL,
	`policy` text DEFAULT 'least-loaded' NOT NULL,
	`fallback` text,
	`deleted_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `transaction_affinity` (
	`transaction_id` text PRIMARY KEY NOT NULL,
	`backend` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `users` (
	`name` text PRIMARY KEY NOT NULL,
	`password_hash` text NOT NULL,
	`groups` text NOT NULL,
	`roles` text NOT NULL,
	`default_group` text,
	`impersonate` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
