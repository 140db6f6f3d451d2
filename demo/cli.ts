/**
 * `fixpoint demo` / `npm run demo`: the whole loop offline in minutes, on the three stories Fixpoint
 * exists for. No network, no keys: a simulated provider on 127.0.0.1 and the real gateway on its
 * embedded defaults.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { consoleLinks, formatDemoReport, storyClosed } from './report.ts';
import { readmeSection, writeReadmeSection } from './readme-section.ts';
import { FAST, FULL, runDemo } from './run-demo.ts';

export const demoHelp = `Usage: fixpoint demo [--fast] [--seed N] [--keep] [--write-readme]
       npm run demo -- [options]

Runs the whole loop offline, unattended, on three situations Fixpoint was made for — an intent
classifier with inconsistent labels (fixed by a prompt), a legal clause analyzer that lacks domain
knowledge (fixed by a tuned model), a product recommender with both problems — beside a healthy
component that must come out untouched. The real gateway runs on its embedded defaults (PGlite in a
temporary folder, jobs in-process); a simulated provider on 127.0.0.1 plays the agents' model, the
judge, the optimizer, embeddings and a fine-tuning jobs API. Nothing leaves the machine.

Options:
  --fast           a short run, bounded (fewer calls, a loop phase of at most 4 minutes)
  --seed N         the simulation's seed (default 1)
  --keep           leave the gateway up afterwards and print its URL and console links (Ctrl-C stops it)
  --write-readme   write this run's figures into README.md's "What it does" section
  -h, --help       show this help

Prints progress while it runs, then a before/after table per component. Exits 1 when a story's
loop did not close, 2 on a usage mistake. See docs/demo.md.`;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function demoMain(argv: string[]): Promise<number> {
  let values: { fast?: boolean; seed?: string; keep?: boolean; 'write-readme'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { fast: { type: 'boolean' }, seed: { type: 'string' }, keep: { type: 'boolean' }, 'write-readme': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
    if (values.seed !== undefined && !/^\d+$/.test(values.seed)) throw new Error(`--seed wants a whole number, got ${values.seed}`);
  } catch (err) {
    console.error(`fixpoint demo: ${(err as Error).message}\nRun fixpoint demo --help for usage.`);
    return 2;
  }
  if (values.help) {
    console.log(demoHelp);
    return 0;
  }
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  const log = (line: string) => console.log(line);
  log(`fixpoint demo${values.fast ? ' (fast)' : ''}: three stories, one healthy control, the loop unattended\n`);
  const run = await runDemo({ ...(values.fast ? FAST : FULL), seed, keep: values.keep === true, log });
  const f = run.figures;
  log(`\n${formatDemoReport(f)}\n`);
  if (values['write-readme']) {
    writeReadmeSection(path.join(root, 'README.md'), readmeSection(f, values.fast ? '--fast ' : ''));
    log('README.md: "What it does" regenerated from this run');
  }
  const links = consoleLinks(run.gatewayUrl, f);
  if (values.keep) {
    log(`The gateway stays up at ${run.gatewayUrl} (admin API and console answer this machine without a token). Ctrl-C stops it.`);
    for (const l of links) log(`  ${l}`);
    await new Promise<void>((resolve) => process.once('SIGINT', resolve));
    await run.close();
  } else {
    log(`Console pages (run with --keep to browse them; the gateway stops when the demo ends):`);
    for (const l of links.slice(0, 4)) log(`  ${l}`);
  }
  const open = f.components.filter((c) => !storyClosed(c));
  if (open.length) console.error(`demo: the loop did not close for ${open.map((c) => c.story.component).join(', ')}`);
  return open.length ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  demoMain(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`fixpoint demo: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
