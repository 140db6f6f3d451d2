import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig, type Config } from './load-config.ts';

/** The one place process.env is read: the environment plus the FIXPOINT_CONFIG file it names. */
export function readConfigFromProcess(overrides: Record<string, string | undefined> = {}): Config {
  const env = { ...process.env, ...overrides };
  const file = env['FIXPOINT_CONFIG'];
  let text: string | undefined;
  if (file) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`FIXPOINT_CONFIG: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  return loadConfig(env, text);
}
