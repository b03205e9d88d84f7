CREATE TABLE "queue_slots" (
	"key" text NOT NULL,
	"replica" text NOT NULL,
	"running" integer NOT NULL,
	"lease_until" bigint,
	CONSTRAINT "queue_slots_key_replica_pk" PRIMARY KEY("key","replica")
);
