/**
 * The allowed arrows between the folders of src/, from ../shared/ARCHITECTURE.md and CONVENTIONS.md.
 * `npm run lint:deps` (run by .ci/run) fails on any forbidden import, naming the rule.
 *
 * - main wires everything; nothing imports it.
 * - Stages (ingress, record, detect, group, diagnose, optimize, hotswap, retrain) never import each
 *   other: they hand work forward through job payloads and tables. The two exceptions are the hot
 *   path's: ingress calls record (capture) and hotswap (the live prompt cache).
 * - Shared parts (evaluate, prompts, providers, jobs, db, telemetry, config, core) never import a
 *   stage or main; core imports nothing of ours.
 * - Another folder is imported only through its index.ts (core's small modules excepted).
 * - Product code never imports tests, testkit, bench or demo (`fixpoint demo` is dispatched to demo/ by
 *   bin/fixpoint.js, so nothing in src/ knows the demo exists).
 */
const stages = 'ingress|record|detect|group|diagnose|optimize|hotswap|retrain';
const shared = 'evaluate|prompts|providers|jobs|db|telemetry|config|core';

module.exports = {
  forbidden: [
    {
      name: 'nothing-imports-main',
      comment: 'src/main wires the processes; import the part you need instead.',
      severity: 'error',
      from: { path: '^src/(?!main/)' },
      to: { path: '^src/main/' },
    },
    {
      name: 'stages-do-not-import-stages',
      comment: 'A stage hands work to another through a job payload or a table, or uses a shared part (evaluate, prompts, providers, ...).',
      severity: 'error',
      from: { path: `^src/(${stages})/` },
      to: { path: `^src/(${stages})/`, pathNot: ['^src/$1/', '^src/(record|hotswap)/'] },
    },
    {
      name: 'only-ingress-calls-record-and-hotswap',
      comment: 'record (capture) and hotswap (the live prompt cache) are called only from the hot path in ingress.',
      severity: 'error',
      from: { path: `^src/(${stages})/`, pathNot: '^src/ingress/' },
      to: { path: '^src/(record|hotswap)/', pathNot: '^src/$1/' },
    },
    {
      name: 'shared-parts-do-not-import-stages',
      comment: 'Shared parts sit below the stages; move the code you need down into a shared part.',
      severity: 'error',
      from: { path: `^src/(${shared})/` },
      to: { path: `^src/(main|${stages})/` },
    },
    {
      name: 'core-imports-nothing-of-ours',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/(?!core/)' },
    },
    {
      name: 'through-the-index',
      comment: "Another folder's public face is its index.ts (core's small modules excepted).",
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/(?!core/)([^/]+)/(?!index\\.ts$)', pathNot: '^src/$1/' },
    },
    {
      name: 'product-code-does-not-import-test-code',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.test\\.ts$' },
      to: { path: '^(tests|testkit|bench|demo)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.mjs', '.js'] },
  },
};
