CREATE TABLE "finetune_datasets" (
	"id" uuid PRIMARY KEY NOT NULL,
	"recommendation_id" uuid NOT NULL,
	"component" text NOT NULL,
	"sha256" text NOT NULL,
	"dir" text NOT NULL,
	"files" jsonb NOT NULL,
	"counts" jsonb NOT NULL,
	"manifest" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "finetune_recommendations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"component" text NOT NULL,
	"status" text NOT NULL,
	"patterns" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"examples" jsonb NOT NULL,
	"base_model" text NOT NULL,
	"backend" text NOT NULL,
	"arithmetic" jsonb NOT NULL,
	"approved_by" text,
	"dataset_id" uuid,
	"training_job_id" uuid,
	"tuned_model" text,
	"evaluation" jsonb,
	"version_id" uuid,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "recommendation_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"recommendation_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"type" text NOT NULL,
	"from_status" text,
	"to_status" text,
	"actor" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "training_jobs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"recommendation_id" uuid NOT NULL,
	"dataset_id" uuid NOT NULL,
	"backend" text NOT NULL,
	"external_id" text,
	"status" text NOT NULL,
	"base_model" text NOT NULL,
	"hyperparameters" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"tuned_model" text,
	"events" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"checkpoints" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"error" jsonb,
	"trained_tokens" integer,
	"polls" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"polled_at" timestamp with time zone,
	"cost_usd" double precision
);
--> statement-breakpoint
CREATE INDEX "finetune_datasets_rec_idx" ON "finetune_datasets" USING btree ("recommendation_id");--> statement-breakpoint
CREATE UNIQUE INDEX "finetune_recommendations_live_idx" ON "finetune_recommendations" USING btree ("component") WHERE status in ('needs_examples', 'open', 'approved', 'training', 'evaluating', 'canary');--> statement-breakpoint
CREATE INDEX "finetune_recommendations_status_idx" ON "finetune_recommendations" USING btree ("status","updated_at");--> statement-breakpoint
CREATE INDEX "recommendation_events_rec_idx" ON "recommendation_events" USING btree ("recommendation_id","at");--> statement-breakpoint
CREATE INDEX "training_jobs_rec_idx" ON "training_jobs" USING btree ("recommendation_id");--> statement-breakpoint
CREATE INDEX "training_jobs_status_idx" ON "training_jobs" USING btree ("status");