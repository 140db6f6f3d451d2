import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, readConfigFromProcess, type Config } from '../config/index.ts';
import { AppError } from '../core/index.ts';
import type { Logger } from '../telemetry/index.ts';
import { mainHelp, migrateHelp, serveHelp, workerHelp } from './cli-help.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { optimizeHelp, runOptimizeCommand } from './optimize-command.ts';
import { patternsHelp, runPatternsCommand } from './patterns-command.ts';
import { recommendationsHelp, runRecommendationsCommand } from './recommendations-command.ts';

// The process commands' modules (database drivers, queues, SDKs) load only when they run, so
// --version, --help and a usage mistake answer at once.

/** A mistake in how the command was called: exit 2, with a pointer to the help. */
class UsageError extends Error {}

/** Set once the settings are read: LOG_LEVEL=debug or trace adds the stack to a failure's line. */
let showStacks = false;

/** The exit code of a command; `running` for serve and worker, which exit on a signal. */
type Outcome = number | 'running';

interface Command {
  help: string;
  /** Whether it takes options beyond --help (the admin commands parse their own). */
  ownOptions: boolean;
  run(args: string[], config: Config): Promise<Outcome>;
}

/** Logs for people when stdout is a terminal (colored unless NO_COLOR), JSON lines for collectors otherwise. */
async function processLogger(config: Config): Promise<Logger> {
  const { createLogger, humanLogDestination } = await import('../telemetry/index.ts');
  const human = process.stdout.isTTY ? humanLogDestination((text) => process.stdout.write(text), process.stdout.hasColors()) : undefined;
  return createLogger(config.env.LOG_LEVEL, human);
}

/** SIGTERM/SIGINT: one ordered shutdown, a line when it starts and when it is done; a second signal exits at once. */
function onSignals(logger: Logger, what: string, close: () => Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) {
        logger.warn({ signal }, `${what}: second signal, exiting without finishing the shutdown`);
        process.exit(130);
      }
      stopping = true;
      const since = Date.now();
      logger.info({ signal }, `${what} shutting down: finishing in-flight work (send the signal again to exit at once)`);
      close().then(
        () => {
          logger.info({ ms: Date.now() - since }, `${what} stopped`);
          process.exit(0);
        },
        (err: unknown) => {
          logger.error({ err }, `${what}: shutdown failed`);
          process.exit(1);
        },
      );
    });
  }
}

/** Parses a process command's arguments: only --help, no positionals. */
function noOptions(args: string[]): void {
  parseArgs({ args, options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: false, strict: true });
}

const commands: Record<string, Command> = {
  serve: {
    help: serveHelp,
    ownOptions: false,
    async run(_args, config) {
      const logger = await processLogger(config);
      const [{ surviveLeakedDatabaseErrors }, { startGateway }] = await Promise.all([import('../db/index.ts'), import('./serve.ts')]);
      // The long-running processes ride out database outages: see surviveLeakedDatabaseErrors.
      surviveLeakedDatabaseErrors(logger);
      const gateway = await startGateway(config, { logger });
      onSignals(logger, 'fixpoint gateway', () => gateway.close());
      return 'running';
    },
  },
  worker: {
    help: workerHelp,
    ownOptions: false,
    async run(_args, config) {
      const logger = await processLogger(config);
      const [{ surviveLeakedDatabaseErrors }, { startWorker }] = await Promise.all([import('../db/index.ts'), import('./worker.ts')]);
      surviveLeakedDatabaseErrors(logger);
      const worker = await startWorker(config, { logger });
      onSignals(logger, 'fixpoint worker', () => worker.close());
      return 'running';
    },
  },
  migrate: {
    help: migrateHelp,
    ownOptions: false,
    async run(_args, config) {
      const { env } = config;
      const lock = env.DATABASE_URL ? null : lockDataDir(env.FIXPOINT_DATA_DIR);
      try {
        const { openDatabase } = await import('../db/index.ts');
        const db = openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.FIXPOINT_DATA_DIR });
        console.log(db.kind === 'pglite' ? `applying migrations to the embedded database under ${env.FIXPOINT_DATA_DIR}` : 'applying migrations to DATABASE_URL');
        await db.migrate();
        await db.close();
        console.log(`migrations applied (${db.kind})`);
        return 0;
      } finally {
        lock?.release();
      }
    },
  },
  patterns: { help: patternsHelp, ownOptions: true, run: (args, config) => runPatternsCommand(args, config) },
  optimize: { help: optimizeHelp, ownOptions: true, run: (args, config) => runOptimizeCommand(args, config) },
  recommendations: { help: recommendationsHelp, ownOptions: true, run: (args, config) => runRecommendationsCommand(args, config) },
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

/**
 * `fixpoint [--help|--version] <command> [command options]`: the options before the command are
 * fixpoint's own; everything after it belongs to the command, which parses (and checks) it.
 */
async function main(argv: string[]): Promise<Outcome> {
  const { tokens } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } }, allowPositionals: true, strict: false, tokens: true });
  const commandToken = tokens.find((t) => t.kind === 'positional');
  const before = commandToken ? argv.slice(0, commandToken.index) : argv;
  const { values } = parseArgs({ args: before, options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } }, strict: true });
  if (values.version) {
    console.log(version());
    return 0;
  }
  if (values.help || commandToken?.value === 'help') {
    const topic = commandToken?.value === 'help' ? argv[commandToken.index + 1] : undefined;
    console.log(topic && Object.hasOwn(commands, topic) ? commands[topic]?.help : mainHelp);
    return 0;
  }
  if (!commandToken) {
    console.error(mainHelp);
    return 2;
  }
  const command = Object.hasOwn(commands, commandToken.value) ? commands[commandToken.value] : undefined;
  if (!command) throw new UsageError(`unknown command: ${commandToken.value}`);
  const args = argv.slice(commandToken.index + 1);
  // --help before the settings are read: help works with a broken or missing configuration.
  const { values: own } = parseArgs({ args, options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: false });
  if (own.help === true) {
    console.log(command.help);
    return 0;
  }
  if (!command.ownOptions) {
    try {
      noOptions(args);
    } catch (err) {
      throw new UsageError(`${commandToken.value}: ${(err as Error).message}`);
    }
  }
  const config = readConfigFromProcess();
  showStacks = config.env.LOG_LEVEL === 'debug' || config.env.LOG_LEVEL === 'trace';
  return command.run(args, config);
}

/** The one line an error becomes, on stderr: no stack trace unless LOG_LEVEL is debug or trace. Returns the exit code. */
function report(err: unknown): number {
  const code = (err as { code?: unknown } | null)?.code;
  if (err instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_'))) {
    console.error(`fixpoint: ${(err as Error).message}\nRun fixpoint --help for usage.`);
    return 2;
  }
  if (err instanceof ConfigError) console.error(`fixpoint: configuration error: ${err.message}`);
  else if (err instanceof AppError) console.error(`fixpoint: ${err.message}`);
  else console.error(`fixpoint: ${err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err)}`);
  if (showStacks && err instanceof Error && err.stack) console.error(err.stack);
  return 1;
}

main(process.argv.slice(2)).then(
  (outcome) => {
    if (outcome !== 'running') process.exit(outcome);
  },
  (err: unknown) => process.exit(report(err)),
);
