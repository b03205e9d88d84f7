CREATE TABLE "login_failures" (
	"key" text PRIMARY KEY NOT NULL,
	"count" integer NOT NULL,
	"first_at" bigint NOT NULL,
	"blocked_until" bigint NOT NULL
);
