CREATE TABLE `rule_versions` (
	`version` integer PRIMARY KEY NOT NULL,
	`yaml` text NOT NULL,
	`author` text NOT NULL,
	`summary` text NOT NULL,
	`created_at` integer NOT NULL
);
