#!/usr/bin/env -S node --max-semi-space-size=64
// Thin launcher: registers the TypeScript loader, then runs the CLI. The node flags on the first
// line are the gateway's heap settings (src/main/heap-settings.ts).
import { register } from 'tsx/esm/api';
register();
await import('../src/main/cli.ts');
