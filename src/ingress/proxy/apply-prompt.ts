import type { IncomingHttpHeaders } from 'node:http';
import { fnv1a32 } from '../../core/fnv1a.ts';
import { systemSlotOf } from '../../core/index.ts';
import type { LivePrompts } from '../../hotswap/index.ts';
import { extractSlots, renderTemplate } from '../../prompts/index.ts';
import type { Metrics } from '../../telemetry/index.ts';
import type { CallContext } from './call-context.ts';
import type { ProxyRoute } from './routes.ts';

/** FNV-1a of the session (or call) id as a number in [0, 1): a session stays on one arm. */
export function stickyPoint(key: string): number {
  return fnv1a32(key) / 4294967296;
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
  const system = systemSlotOf(route.name, body);
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
