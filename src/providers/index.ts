export { createProviderRegistry, type Provider, type ProviderKind, type ProviderRegistry, type ResolvedModel } from './registry.ts';
export { forwardRequestHeaders, composedRequestHeaders, responseHeaders, rateLimitHeaders, authHeaders, DEFAULT_ANTHROPIC_VERSION, type CredentialHeader } from './upstream-headers.ts';
export { upstreamFailure, type UpstreamFailure } from './upstream-errors.ts';
export * from './translate/index.ts';
export { createTokenLimits, type OpenAITokenLimitField, type TokenLimits } from './token-limits.ts';
export { completeChat, UpstreamHttpError, redactKeys, retryAfterMsOf, type ChatCallResult, type CompleteChatOptions } from './complete-chat.ts';
export { createEmbeddings, type EmbeddingsResult } from './create-embeddings.ts';
export { askJson, type AskJsonOptions } from './ask-json.ts';
export { builtInPrices, createPriceLookup, estimateCost, type PriceLookup, type Usage } from './prices.ts';
