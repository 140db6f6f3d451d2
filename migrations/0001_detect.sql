CREATE TABLE "call_evaluations" (
	"call_id" uuid PRIMARY KEY NOT NULL,
	"failure_count" integer NOT NULL,
	"evaluated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "failures" (
	"id" uuid PRIMARY KEY NOT NULL,
	"call_id" uuid NOT NULL,
	"component" text NOT NULL,
	"kind" text NOT NULL,
	"rule_id" text NOT NULL,
	"message" text NOT NULL,
	"evidence" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"correction" jsonb,
	"call_started_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "feedback" (
	"id" uuid PRIMARY KEY NOT NULL,
	"call_id" uuid NOT NULL,
	"rating" real NOT NULL,
	"comment" text,
	"correction" jsonb,
	"source" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "judge_verdicts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"call_id" uuid NOT NULL,
	"component" text NOT NULL,
	"rubric_version" text NOT NULL,
	"judge_model" text NOT NULL,
	"pass" boolean NOT NULL,
	"score" real NOT NULL,
	"failed_criteria" text[] NOT NULL,
	"rationale" text NOT NULL,
	"input_tokens" integer,
	"output_tokens" integer,
	"cost_usd" double precision,
	"latency_ms" double precision NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "calls_requested_model_started_at_idx";--> statement-breakpoint
DROP INDEX "calls_status_started_at_idx";--> statement-breakpoint
DROP INDEX "calls_system_prompt_hash_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "failures_call_kind_rule_idx" ON "failures" USING btree ("call_id","kind","rule_id");--> statement-breakpoint
CREATE INDEX "failures_component_started_idx" ON "failures" USING btree ("component","call_started_at");--> statement-breakpoint
CREATE INDEX "failures_kind_started_idx" ON "failures" USING btree ("kind","call_started_at");--> statement-breakpoint
CREATE INDEX "failures_started_idx" ON "failures" USING btree ("call_started_at");--> statement-breakpoint
CREATE INDEX "feedback_call_idx" ON "feedback" USING btree ("call_id");--> statement-breakpoint
CREATE UNIQUE INDEX "judge_verdicts_call_rubric_idx" ON "judge_verdicts" USING btree ("call_id","rubric_version");--> statement-breakpoint
CREATE INDEX "judge_verdicts_component_created_idx" ON "judge_verdicts" USING btree ("component","created_at");