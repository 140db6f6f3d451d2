import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { envSchema, fileConfigSchema, type EnvSettings, type FileConfig } from './schema.ts';

export interface Config {
  env: EnvSettings;
  file: FileConfig;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function describeIssues(where: string, error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      return `${where}${path ? ` ${path}` : ''}: ${issue.message}`;
    })
    .join('; ');
}

/** `${NAME}` in YAML strings is replaced from the environment, so keys stay out of the file. */
function interpolate(value: unknown, env: Record<string, string | undefined>, path: string): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      const v = env[name];
      if (v === undefined) throw new ConfigError(`FIXPOINT_CONFIG ${path}: environment variable ${name} is not set`);
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, `${path}.${i}`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, path ? `${path}.${k}` : k)]));
  }
  return value;
}

/**
 * Pure: settings from the environment and the YAML text of FIXPOINT_CONFIG (already read).
 * Throws ConfigError naming the field on anything invalid.
 */
export function loadConfig(env: Record<string, string | undefined>, yamlText?: string): Config {
  const cleanEnv = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const envResult = envSchema.safeParse(cleanEnv);
  if (!envResult.success) throw new ConfigError(describeIssues('environment', envResult.error));

  let raw: unknown = {};
  if (yamlText !== undefined) {
    try {
      raw = parseYaml(yamlText) ?? {};
    } catch (err) {
      throw new ConfigError(`FIXPOINT_CONFIG: not valid YAML: ${(err as Error).message}`);
    }
    raw = interpolate(raw, env, '');
  }
  const fileResult = fileConfigSchema.safeParse(raw);
  if (!fileResult.success) throw new ConfigError(describeIssues('FIXPOINT_CONFIG', fileResult.error));
  return { env: envResult.data, file: fileResult.data };
}
