import { ConfigError, readConfigFromProcess } from '../config/index.ts';
import { openDatabase, surviveLeakedDatabaseErrors } from '../db/index.ts';
import { createLogger } from '../telemetry/index.ts';
import { startGateway } from './serve.ts';
import { startWorker } from './worker.ts';
import { optimizeHelp, runOptimizeCommand } from './optimize-command.ts';
import { patternsHelp, runPatternsCommand } from './patterns-command.ts';
import { recommendationsHelp, runRecommendationsCommand } from './recommendations-command.ts';

const help = `fixpoint — an OpenAI-compatible gateway that records every call, finds systematic failures and fixes them

Usage: fixpoint <command>

Commands:
  serve     start the gateway (HTTP on HOST:PORT; runs background jobs in-process when REDIS_URL is unset)
  worker    run background jobs from BullMQ (needs REDIS_URL)
  migrate   apply database migrations and exit (serve and worker also apply them: at start, or once the database answers)
  patterns  list failure patterns (or one, by id) from a running gateway; see fixpoint patterns --help
  optimize  start (and follow, --wait) a prompt optimization run for a pattern; see fixpoint optimize --help
  recommendations  list, show, approve, dismiss or cancel fine-tuning recommendations; see fixpoint recommendations --help

Options:
  -h, --help   show this help

Settings come from the environment (PORT, HOST, DATABASE_URL, REDIS_URL, OPENAI_BASE_URL, OPENAI_API_KEY,
ANTHROPIC_BASE_URL, ANTHROPIC_API_KEY, FIXPOINT_CONFIG, FIXPOINT_ADMIN_TOKEN, FIXPOINT_DATA_DIR, ...);
see docs/configuration.md for every one.`;

function onSignals(close: () => Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      close().then(
        () => process.exit(0),
        (err: unknown) => {
          console.error('shutdown failed', err);
          process.exit(1);
        },
      );
    });
  }
}

async function main(argv: string[]): Promise<number> {
  const command = argv[0];
  const commandHelp: Record<string, string> = { patterns: patternsHelp, optimize: optimizeHelp, recommendations: recommendationsHelp };
  if (command && Object.hasOwn(commandHelp, command) && (argv.includes('--help') || argv.includes('-h'))) {
    console.log(commandHelp[command]);
    return 0;
  }
  if (!command || command === '-h' || command === '--help' || command === 'help' || argv.includes('--help') || argv.includes('-h')) {
    console.log(help);
    return command ? 0 : 1;
  }
  const config = readConfigFromProcess();
  // The long-running processes ride out database outages: see surviveLeakedDatabaseErrors.
  if (command === 'serve' || command === 'worker') surviveLeakedDatabaseErrors(createLogger(config.env.LOG_LEVEL));
  switch (command) {
    case 'serve': {
      const gateway = await startGateway(config);
      onSignals(() => gateway.close());
      return -1;
    }
    case 'worker': {
      const worker = await startWorker(config);
      onSignals(() => worker.close());
      return -1;
    }
    case 'migrate': {
      const db = openDatabase({ databaseUrl: config.env.DATABASE_URL, dataDir: config.env.FIXPOINT_DATA_DIR });
      await db.migrate();
      await db.close();
      console.log(`migrations applied (${db.kind})`);
      return 0;
    }
    case 'patterns':
      return runPatternsCommand(argv.slice(1), config);
    case 'optimize':
      return runOptimizeCommand(argv.slice(1), config);
    case 'recommendations':
      return runRecommendationsCommand(argv.slice(1), config);
    default:
      console.error(`unknown command: ${command}\n\n${help}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof ConfigError) console.error(`fixpoint: configuration error: ${err.message}`);
    else console.error('fixpoint: failed to start:', err);
    process.exit(1);
  },
);
