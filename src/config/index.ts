export { loadConfig, ConfigError, type Config } from './load-config.ts';
export { readConfigFromProcess } from './read-config.ts';
export type { EnvSettings, FileConfig, ProviderSettings, Price } from './schema.ts';
export { judgeSchema, type ComponentSettings, type RuleSettings, type JudgeSettings } from './components.ts';
export type { PatternSettings, GatewayModelSettings } from './patterns.ts';
export type { HotswapSettings, CanarySettings } from './hotswap.ts';
export type { OptimizerSettings } from './optimizer.ts';
export type { RetrainSettings } from './retrain.ts';
export { DEFAULT_ANTHROPIC_MAX_TOKENS, DEFAULT_MAX_COMPLETION_TOKENS_MODELS, type TranslationSettings } from './translation.ts';
