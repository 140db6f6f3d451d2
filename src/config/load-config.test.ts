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

describe('loadConfig: base URLs (issue 20, item 3)', () => {
  it.each([
    [{ OPENAI_BASE_URL: 'localhost:9901/v1' }, undefined, /^environment OPENAI_BASE_URL: must be an http:\/\/ or https:\/\/ URL/],
    [{ OPENAI_BASE_URL: 'ftp://files.example/v1' }, undefined, /^environment OPENAI_BASE_URL: must be an http:\/\/ or https:\/\/ URL/],
    [{ OPENAI_BASE_URL: '127.0.0.1:9901' }, undefined, /^environment OPENAI_BASE_URL: must be an http/],
    [{ ANTHROPIC_BASE_URL: 'api.anthropic.com' }, undefined, /^environment ANTHROPIC_BASE_URL: must be an http/],
    [{ ANTHROPIC_BASE_URL: 'file:///etc/passwd' }, undefined, /^environment ANTHROPIC_BASE_URL: must be an http/],
    [{}, 'providers:\n  vllm:\n    baseUrl: localhost:8000/v1\n', /^FIXPOINT_CONFIG providers\.vllm\.baseUrl: must be an http:\/\/ or https:\/\/ URL/],
    [{}, 'providers:\n  vllm:\n    baseUrl: ftp://10.0.0.5/v1\n', /^FIXPOINT_CONFIG providers\.vllm\.baseUrl: must be an http/],
  ])('stops on base URL %j %j, naming the variable or field', (env, yaml, message) => {
    expect(() => loadConfig(env as Record<string, string>, yaml)).toThrow(ConfigError);
    expect(() => loadConfig(env as Record<string, string>, yaml)).toThrow(message);
  });

  it('takes http and https base URLs, with ports, paths and IPv6 hosts', () => {
    const { env, file } = loadConfig(
      { OPENAI_BASE_URL: 'http://localhost:9901/v1', ANTHROPIC_BASE_URL: 'https://anthropic.internal.example' },
      'providers:\n  vllm:\n    baseUrl: http://[::1]:8000/v1\n  together:\n    baseUrl: HTTPS://api.together.xyz/v1\n',
    );
    expect(env.OPENAI_BASE_URL).toBe('http://localhost:9901/v1');
    expect(env.ANTHROPIC_BASE_URL).toBe('https://anthropic.internal.example');
    expect(file.providers['vllm']?.baseUrl).toBe('http://[::1]:8000/v1');
    expect(file.providers['together']?.baseUrl).toBe('HTTPS://api.together.xyz/v1');
  });
});

describe('loadConfig: model references name configured providers (issue 20, item 6)', () => {
  const vllm = 'providers:\n  vllm:\n    baseUrl: http://127.0.0.1:8000/v1\n    modelPrefixes: [llama-, "meta-llama/"]\n';

  it.each([
    ['components:\n  x:\n    judge: { rubric: "Answers must be right.", model: judge/gpt-4o-mini }\n', /^FIXPOINT_CONFIG components\.x\.judge\.model: provider "judge" is not configured \(configured: openai, anthropic\)/],
    ['aliases:\n  fast: nosuch/gpt-4o-mini\n', /^FIXPOINT_CONFIG aliases\.fast: provider "nosuch" is not configured \(configured: openai, anthropic\)/],
    ['optimizer:\n  model: optimizr/gpt-4o\n', /^FIXPOINT_CONFIG optimizer\.model: provider "optimizr" is not configured/],
    ['aliases:\n  sturdy: { model: openai/gpt-4o-mini, fallbacks: [anthropic/claude-3-5-haiku-latest, bakup/gpt-4o-mini] }\n', /^FIXPOINT_CONFIG aliases\.sturdy\.fallbacks\.1: provider "bakup" is not configured/],
    ['aliases:\n  sturdy: { model: nosuch/gpt-4o-mini }\n', /^FIXPOINT_CONFIG aliases\.sturdy\.model: provider "nosuch" is not configured/],
    ['components:\n  x:\n    fallbacks: [spare/gpt-4o-mini]\n', /^FIXPOINT_CONFIG components\.x\.fallbacks\.0: provider "spare" is not configured/],
    ['resilience:\n  routes:\n    chat: { timeouts: { headersMs: 100 } }\n', /^FIXPOINT_CONFIG resilience\.routes/],
    ['components:\n  x:\n    optimizer: { models: [gpt-4o-mini, nope/llama-3] }\n', /^FIXPOINT_CONFIG components\.x\.optimizer\.models\.1: provider "nope" is not configured/],
    ['patterns:\n  embeddings: { model: oai/text-embedding-3-small }\n', /^FIXPOINT_CONFIG patterns\.embeddings\.model: provider "oai" is not configured/],
    ['patterns:\n  summaries: { model: x/y }\n', /^FIXPOINT_CONFIG patterns\.summaries\.model: provider "x" is not configured/],
    ['patterns:\n  diagnosis: { model: x/y }\n', /^FIXPOINT_CONFIG patterns\.diagnosis\.model: provider "x" is not configured/],
    ['retrain:\n  teacher: teacher/gpt-4o\n', /^FIXPOINT_CONFIG retrain\.teacher: provider "teacher" is not configured/],
    ['retrain:\n  openai: { provider: finetuner }\n', /^FIXPOINT_CONFIG retrain\.openai\.provider: provider "finetuner" is not configured \(configured: openai, anthropic\)/],
    ['retrain:\n  backend: local\n  local: { serveProvider: vllm }\n', /^FIXPOINT_CONFIG retrain\.local\.serveProvider: provider "vllm" is not configured/],
    ['aliases:\n  empty: openai/\n', /^FIXPOINT_CONFIG aliases\.empty: no model name after "openai\/"/],
    [`${vllm}aliases:\n  big: vllm2/meta-llama/Llama-3-70B\n`, /aliases\.big: provider "vllm2" is not configured \(configured: openai, anthropic, vllm\)/],
  ])('stops on %j naming the field and the configured providers', (yaml, message) => {
    expect(() => loadConfig({}, yaml)).toThrow(ConfigError);
    expect(() => loadConfig({}, yaml)).toThrow(message);
  });

  it('takes aliases, plain names, provider/model with slashes and colons after it, and names a prefix routes', () => {
    const yaml = `${vllm}aliases:
  fast: openai/gpt-4o-mini
  tuned: openai/ft:gpt-4o-mini-2024-07-18:acme:support:AbC123
  big: vllm/meta-llama/Llama-3.1-70B-Instruct
  hf: meta-llama/Llama-3.1-8B-Instruct
  sent-as-is: openai/mistralai/Mistral-7B-Instruct-v0.3
components:
  x:
    judge: { rubric: "Answers must be right.", model: fast }
    optimizer: { models: [gpt-4o, claude-sonnet-4-20250514, "ft:gpt-4o-mini:acme::xyz", big, anthropic/claude-3-5-haiku-latest] }
  y:
    judge: { rubric: "Answers must be right.", model: vllm/qwen/Qwen2.5-7B }
patterns:
  embeddings: { model: openai/text-embedding-3-small }
  summaries: { model: llama-3-8b }
optimizer:
  model: gpt-4o
retrain:
  backend: local
  teacher: anthropic/claude-sonnet-4-20250514
  baseModel: Qwen/Qwen2.5-0.5B-Instruct
  local: { serveProvider: vllm }
`;
    const { file } = loadConfig({}, yaml);
    expect(file.aliases['tuned']).toBe('openai/ft:gpt-4o-mini-2024-07-18:acme:support:AbC123');
    expect(file.retrain.baseModel).toBe('Qwen/Qwen2.5-0.5B-Instruct');
    expect(file.components['y']?.judge?.model).toBe('vllm/qwen/Qwen2.5-7B');
  });

  it('checks against a YAML provider that replaces a built-in one, and its prefixes', () => {
    const yaml = 'providers:\n  openai:\n    baseUrl: http://127.0.0.1:9000/v1\n    modelPrefixes: ["org/"]\naliases:\n  a: org/model-1\n  b: openai/org/model-2\n';
    expect(loadConfig({}, yaml).file.aliases).toEqual({ a: 'org/model-1', b: 'openai/org/model-2' });
  });
});
