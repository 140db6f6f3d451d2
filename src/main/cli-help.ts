/** The help texts of `fixpoint` and of its process commands (the admin commands keep theirs beside their code). */

export const mainHelp = `fixpoint — an OpenAI-compatible gateway that records every call, finds systematic failures and fixes them

Usage: fixpoint <command> [options]
       fixpoint <command> --help

Commands:
  serve            start the gateway (HTTP on HOST:PORT; runs background jobs in-process when REDIS_URL is unset)
  worker           run background jobs from BullMQ (needs REDIS_URL)
  migrate          apply database migrations and exit
  patterns         list failure patterns (or one, by id) from a running gateway
  optimize         start (and follow, --wait) a prompt optimization run for a pattern
  recommendations  list, show, approve, dismiss or cancel fine-tuning recommendations
  demo             run the whole loop offline on a simulated provider, in minutes (docs/demo.md)

Options:
  -h, --help       show this help
  -v, --version    print the version

Settings come from the environment (PORT, HOST, DATABASE_URL, REDIS_URL, OPENAI_BASE_URL, OPENAI_API_KEY,
ANTHROPIC_BASE_URL, ANTHROPIC_API_KEY, FIXPOINT_CONFIG, FIXPOINT_ADMIN_TOKEN, FIXPOINT_DATA_DIR, ...);
see docs/configuration.md for every one.`;

const logs = `Logs go to stdout: lines for people when stdout is a terminal, JSON lines otherwise (LOG_LEVEL sets
how much). SIGTERM or Ctrl-C shuts down in order (docs/operations.md); a second one exits at once.`;

export const serveHelp = `Usage: fixpoint serve

Starts the gateway on HOST:PORT (default 127.0.0.1:8787): the OpenAI- and Anthropic-compatible
endpoints, the admin API under /api, /metrics, /healthz and /readyz. Without REDIS_URL it also runs
the background jobs (detection, grouping, diagnosis, optimization, canaries) in this process; without
DATABASE_URL the database is embedded (PGlite) under FIXPOINT_DATA_DIR, which one process at a time
may use. Applies migrations at start (or once the database answers).

Options:
  -h, --help   show this help

${logs}`;

export const workerHelp = `Usage: fixpoint worker

Runs the background jobs from BullMQ (needs REDIS_URL) and serves /metrics and /healthz on
HOST:FIXPOINT_WORKER_METRICS_PORT (default 9464). Run as many as the job load needs; waits for the
database before it takes a job.

Options:
  -h, --help   show this help

${logs}`;

export const migrateHelp = `Usage: fixpoint migrate

Applies the committed database migrations to DATABASE_URL (or to the embedded database under
FIXPOINT_DATA_DIR) and exits. serve and worker apply them too, at start or once the database answers;
running this first as a deployment step is fine.

Options:
  -h, --help   show this help`;
