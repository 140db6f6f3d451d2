#!/usr/bin/env node
// Thin launcher: registers the TypeScript loader, then runs the CLI. `fixpoint demo` runs the offline
// demo (demo/), which sits outside the product's code: src/ never imports it.
import { register } from 'tsx/esm/api';
register();
if (process.argv[2] === 'demo') {
  const { demoMain } = await import('../demo/cli.ts');
  const code = await demoMain(process.argv.slice(3)).catch((err) => {
    console.error(`fixpoint demo: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  });
  process.exit(code);
} else {
  await import('../src/main/cli.ts');
}
