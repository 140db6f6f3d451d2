import type { ResponseShape } from '../../core/call-capture.ts';
import type { ProviderKind } from '../../providers/index.ts';
import type { ErrorDialect } from './respond.ts';

export interface ProxyRoute {
  /** Metric and record label. */
  name: 'chat.completions' | 'responses' | 'embeddings' | 'messages';
  path: string;
  shape: ResponseShape;
  dialect: ErrorDialect;
  /** Which provider kind serves this route natively (pass-through); the other needs a translation or is unsupported. */
  native: ProviderKind;
  /** Top-level fields that must be present, checked before anything goes upstream. */
  required: { field: string; type: 'array' | 'string' | 'any' }[];
}

export const proxyRoutes = {
  chat: { name: 'chat.completions', path: '/chat/completions', shape: 'openai.chat', dialect: 'openai', native: 'openai', required: [{ field: 'messages', type: 'array' }] },
  responses: { name: 'responses', path: '/responses', shape: 'openai.responses', dialect: 'openai', native: 'openai', required: [{ field: 'input', type: 'any' }] },
  embeddings: { name: 'embeddings', path: '/embeddings', shape: 'openai.embeddings', dialect: 'openai', native: 'openai', required: [{ field: 'input', type: 'any' }] },
  messages: { name: 'messages', path: '/messages', shape: 'anthropic.messages', dialect: 'anthropic', native: 'anthropic', required: [{ field: 'messages', type: 'array' }] },
} as const satisfies Record<string, ProxyRoute>;
