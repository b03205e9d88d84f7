CREATE TABLE `queue_slots` (
	`key` text NOT NULL,
	`replica` text NOT NULL,
	`running` integer NOT NULL,
	`lease_until` integer,
	PRIMARY KEY(`key`, `replica`)
);
