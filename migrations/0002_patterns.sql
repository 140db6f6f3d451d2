CREATE TABLE "grouping_state" (
	"key" text PRIMARY KEY NOT NULL,
	"data" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pattern_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"pattern_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"type" text NOT NULL,
	"from_status" text,
	"to_status" text,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "patterns" (
	"id" uuid PRIMARY KEY NOT NULL,
	"component" text NOT NULL,
	"kind" text NOT NULL,
	"rule_id" text NOT NULL,
	"fingerprints" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"shape" text NOT NULL,
	"title" text NOT NULL,
	"summary" text NOT NULL,
	"summary_source" text DEFAULT 'fallback' NOT NULL,
	"summary_at" integer DEFAULT 0 NOT NULL,
	"top_terms" text[] DEFAULT '{}' NOT NULL,
	"space" text NOT NULL,
	"centroid" jsonb NOT NULL,
	"centroid_norm2" double precision NOT NULL,
	"failure_count" integer DEFAULT 0 NOT NULL,
	"first_seen" timestamp with time zone NOT NULL,
	"last_seen" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'emerging' NOT NULL,
	"systematic" boolean DEFAULT false NOT NULL,
	"stats" jsonb,
	"stats_at" timestamp with time zone,
	"diagnosis" text,
	"diagnosis_confidence" real,
	"diagnosis_reasons" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"diagnosis_source" text,
	"diagnosed_at" integer DEFAULT 0 NOT NULL,
	"remedy" text DEFAULT 'watch' NOT NULL,
	"merged_into" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "failures" ADD COLUMN "pattern_id" uuid;--> statement-breakpoint
CREATE INDEX "pattern_events_pattern_at_idx" ON "pattern_events" USING btree ("pattern_id","at");--> statement-breakpoint
CREATE INDEX "patterns_component_updated_idx" ON "patterns" USING btree ("component","updated_at");--> statement-breakpoint
CREATE INDEX "patterns_component_recent_idx" ON "patterns" USING btree ("component","space","last_seen" DESC NULLS LAST) WHERE merged_into is null;--> statement-breakpoint
CREATE INDEX "patterns_status_idx" ON "patterns" USING btree ("status","last_seen");--> statement-breakpoint
CREATE INDEX "patterns_last_seen_idx" ON "patterns" USING btree ("last_seen");--> statement-breakpoint
CREATE INDEX "patterns_stats_due_idx" ON "patterns" USING btree ("created_at") WHERE stats_at is null;--> statement-breakpoint
CREATE INDEX "failures_ungrouped_idx" ON "failures" USING btree ("component","created_at") WHERE pattern_id is null;--> statement-breakpoint
CREATE INDEX "failures_pattern_started_idx" ON "failures" USING btree ("pattern_id","call_started_at");