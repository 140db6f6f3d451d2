CREATE TABLE "calls" (
	"id" uuid PRIMARY KEY NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone NOT NULL,
	"latency_ms" double precision NOT NULL,
	"upstream_latency_ms" double precision,
	"ttft_ms" double precision,
	"route" text NOT NULL,
	"component" text NOT NULL,
	"provider" text,
	"requested_model" text,
	"served_model" text,
	"status" text NOT NULL,
	"http_status" integer NOT NULL,
	"stream" boolean DEFAULT false NOT NULL,
	"finish_reasons" text[] DEFAULT '{}'::text[] NOT NULL,
	"input_tokens" integer,
	"output_tokens" integer,
	"total_tokens" integer,
	"cached_tokens" integer,
	"cost_usd" double precision,
	"system_prompt_hash" text,
	"request_body" jsonb,
	"response_body" jsonb,
	"error" text,
	"session_id" text,
	"user_id" text,
	"properties" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"client_key_hash" text,
	"inserted_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "prompts" (
	"hash" text PRIMARY KEY NOT NULL,
	"content" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "calls_started_at_idx" ON "calls" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "calls_component_started_at_idx" ON "calls" USING btree ("component","started_at");--> statement-breakpoint
CREATE INDEX "calls_requested_model_started_at_idx" ON "calls" USING btree ("requested_model","started_at");--> statement-breakpoint
CREATE INDEX "calls_status_started_at_idx" ON "calls" USING btree ("status","started_at");--> statement-breakpoint
CREATE INDEX "calls_system_prompt_hash_idx" ON "calls" USING btree ("system_prompt_hash");