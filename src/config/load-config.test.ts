import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.ts';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const { env, file } = loadConfig({});
    expect(env).toMatchObject({ PORT: 8787, HOST: '127.0.0.1', OPENAI_BASE_URL: 'https://api.openai.com/v1', ANTHROPIC_BASE_URL: 'https://api.anthropic.com', FIXPOINT_DATA_DIR: './.fixpoint', FIXPOINT_RECORD_FLUSH_MS: 50, FIXPOINT_RECORDER_NICE: 10 });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(file.providers).toEqual({});
  });

  it("takes the recorder thread's profile directory from BENCH_GATEWAY_PROFILE (the benchmark's), unset by default", () => {
    expect(loadConfig({ BENCH_GATEWAY_PROFILE: '/tmp/profiles' }).env.BENCH_GATEWAY_PROFILE).toBe('/tmp/profiles');
    expect(loadConfig({}).env.BENCH_GATEWAY_PROFILE).toBeUndefined();
  });

  it('reads providers, aliases and prices from YAML, with ${ENV} keys', () => {
    const yaml = `
providers:
  vllm:
    baseUrl: http://127.0.0.1:8000/v1
    apiKey: \${VLLM_KEY}
    modelPrefixes: [llama-]
aliases:
  smart: anthropic/claude-sonnet-4-20250514
prices:
  llama-3-8b: { input: 0.1, output: 0.2 }
`;
    const { file } = loadConfig({ VLLM_KEY: 'k-123' }, yaml);
    expect(file.providers['vllm']).toMatchObject({ kind: 'openai', apiKey: 'k-123', modelPrefixes: ['llama-'] });
    expect(file.aliases['smart']).toBe('anthropic/claude-sonnet-4-20250514');
  });

  it.each([
    [{ PORT: 'eighty' }, undefined, /environment PORT/],
    [{ DATABASE_URL: 'mysql://x' }, undefined, /environment DATABASE_URL: must be a postgres/],
    [{ FIXPOINT_ADMIN_TOKEN: 'short' }, undefined, /FIXPOINT_ADMIN_TOKEN: must be at least 16/],
    [{ FIXPOINT_RECORDER_NICE: '20' }, undefined, /environment FIXPOINT_RECORDER_NICE: must be 0 to 19/],
    [{}, 'providers:\n  vllm:\n    baseUrl: not-a-url\n', /FIXPOINT_CONFIG providers\.vllm\.baseUrl/],
    [{}, 'providers:\n  vllm:\n    baseUrl: http://x\n    kind: grpc\n', /FIXPOINT_CONFIG providers\.vllm\.kind/],
    [{}, 'aliases:\n  a: b\n  b: gpt-4o\n', /FIXPOINT_CONFIG aliases\.a: points at another alias/],
    [{}, 'surprise: 1\n', /FIXPOINT_CONFIG.*surprise/],
    [{}, 'providers: [\n', /not valid YAML/],
    [{}, 'providers:\n  v:\n    baseUrl: http://x\n    apiKey: ${MISSING_VAR}\n', /providers\.v\.apiKey: environment variable MISSING_VAR is not set/],
  ])('stops on %j %j naming the field', (env, yaml, message) => {
    expect(() => loadConfig(env as Record<string, string>, yaml)).toThrow(ConfigError);
    expect(() => loadConfig(env as Record<string, string>, yaml)).toThrow(message);
  });
});
