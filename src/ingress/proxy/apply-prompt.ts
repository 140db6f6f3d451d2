import type { IncomingHttpHeaders } from 'node:http';
import { fnv1a32 } from '../../core/fnv1a.ts';
import type { LivePrompts, LiveVersion } from '../../hotswap/index.ts';
import { extractSlots, renderTemplate } from '../../prompts/index.ts';
import type { Metrics } from '../../telemetry/index.ts';
import type { CallContext } from './call-context.ts';
import type { ProxyRoute } from './routes.ts';

/** FNV-1a of the session (or call) id as a number in [0, 1): a session stays on one arm. */
export function stickyPoint(key: string): number {
  return fnv1a32(key) / 4294967296;
}

/** A system prompt's text: a string, or an array of text parts (joined); null for anything else (images, …). */
function textOf(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content) || content.length === 0) return null;
  let out = '';
  for (const part of content as { type?: unknown; text?: unknown }[]) {
    if (part?.type !== 'text' || typeof part.text !== 'string') return null;
    out += part.text;
  }
  return out;
}

interface SystemSlot {
  text: string;
  put(body: Record<string, unknown>, text: string, fewShot: LiveVersion['fewShot']): Record<string, unknown>;
}

/** Where a route's system prompt is, and how to put another one (and few-shot examples) in its place. */
function systemOf(route: ProxyRoute, body: Record<string, unknown>): SystemSlot | null {
  if (route.name === 'chat.completions') {
    const messages = body['messages'];
    if (!Array.isArray(messages)) return null;
    const first = messages[0] as { role?: unknown; content?: unknown } | undefined;
    if (!first || (first.role !== 'system' && first.role !== 'developer')) return null;
    const text = textOf(first.content);
    if (text === null) return null;
    return {
      text,
      put: (b, text, fewShot) => ({
        ...b,
        messages: [{ ...first, content: text }, ...fewShot.flatMap((e) => [{ role: 'user', content: e.user }, { role: 'assistant', content: e.assistant }]), ...messages.slice(1)],
      }),
    };
  }
  if (route.name === 'responses') {
    const instructions = body['instructions'];
    if (typeof instructions !== 'string') return null;
    return {
      text: instructions,
      put: (b, text, fewShot) => {
        const input = b['input'];
        const examples = fewShot.flatMap((e) => [{ role: 'user', content: e.user }, { role: 'assistant', content: e.assistant }]);
        const turns = examples.length === 0 ? input : [...examples, ...(typeof input === 'string' ? [{ role: 'user', content: input }] : Array.isArray(input) ? input : [])];
        return { ...b, instructions: text, ...(turns === undefined ? {} : { input: turns }) };
      },
    };
  }
  if (route.name === 'messages') {
    const system = textOf(body['system']);
    const messages = body['messages'];
    if (system === null || !Array.isArray(messages)) return null;
    return {
      text: system,
      put: (b, text, fewShot) => ({ ...b, system: text, messages: [...fewShot.flatMap((e) => [{ role: 'user', content: e.user }, { role: 'assistant', content: e.assistant }]), ...messages] }),
    };
  }
  return null;
}

/**
 * Hot-swap: the component's active (or, for the canary's share of sessions, canary) prompt version in
 * place of the request's system prompt, with the request's slot values carried over, and the
 * version's model if it has one. In memory only. A request that opts out (`x-fixpoint-prompt:
 * original`) or does not fit the observed template goes as sent. Returns the body to send.
 */
export function applyPromptVersion(
  prompts: LivePrompts,
  metrics: Metrics,
  route: ProxyRoute,
  ctx: CallContext,
  body: Record<string, unknown>,
  headers: IncomingHttpHeaders,
  extraHeaders: Record<string, string>,
): Record<string, unknown> | null {
  const live = prompts.get(ctx.component);
  if (!live) return null;
  const component = metrics.label.component(ctx.component);
  if (headers['x-fixpoint-prompt'] === 'original') {
    metrics.promptSwaps.labels(component, 'none', 'opted_out').inc();
    return null;
  }
  const system = systemOf(route, body);
  const values = system ? extractSlots(live.template, system.text, live.matcher) : null;
  if (!system || !values) {
    metrics.promptSwaps.labels(component, 'none', 'no_fit').inc();
    return null;
  }
  const onCanary = live.canary !== null && stickyPoint(ctx.sessionId ?? ctx.id) < live.canaryShare;
  const chosen = onCanary ? live.canary : live.active;
  if (!chosen) return null;
  const arm = onCanary ? 'canary' : 'active';
  const swapped = system.put(body, renderTemplate(chosen.template, values), chosen.fewShot);
  if (chosen.model) swapped['model'] = chosen.model;
  ctx.promptVersionId = chosen.id;
  ctx.request = swapped;
  extraHeaders['x-fixpoint-prompt-version'] = String(chosen.version);
  metrics.promptSwaps.labels(component, arm, 'applied').inc();
  return swapped;
}
