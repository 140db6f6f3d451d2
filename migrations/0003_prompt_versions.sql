CREATE TABLE "component_prompts" (
	"component" text PRIMARY KEY NOT NULL,
	"active_version_id" uuid,
	"canary_version_id" uuid,
	"canary_share" real DEFAULT 0.1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "prompt_audit" (
	"id" uuid PRIMARY KEY NOT NULL,
	"component" text NOT NULL,
	"version_id" uuid,
	"action" text NOT NULL,
	"actor" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "prompt_versions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"component" text NOT NULL,
	"version" integer NOT NULL,
	"template" text NOT NULL,
	"slots" text[] DEFAULT '{}'::text[] NOT NULL,
	"model" text,
	"few_shot" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"origin" jsonb NOT NULL,
	"status" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "optimization_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"pattern_id" uuid NOT NULL,
	"component" text NOT NULL,
	"status" text NOT NULL,
	"trigger" text NOT NULL,
	"result" text,
	"candidates" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"sets" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"gate" jsonb,
	"winner_version_id" uuid,
	"eval_calls" integer DEFAULT 0 NOT NULL,
	"optimizer_tokens" integer DEFAULT 0 NOT NULL,
	"cost_usd" double precision DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "calls" ADD COLUMN "prompt_version_id" uuid;--> statement-breakpoint
CREATE INDEX "prompt_audit_component_at_idx" ON "prompt_audit" USING btree ("component","at");--> statement-breakpoint
CREATE UNIQUE INDEX "prompt_versions_component_version_idx" ON "prompt_versions" USING btree ("component","version");--> statement-breakpoint
CREATE INDEX "optimization_runs_pattern_idx" ON "optimization_runs" USING btree ("pattern_id","created_at");